"""Letters as a network writes them: a text with invulvelden ({titel}, {verleend_bedrag}) that
the coordinator edits, filled safely, laid out and printed to PDF.

The placeholder language is small on purpose: `{name}` and nothing else. No expressions, no
attributes, no loops: a text typed in a form can reach no object of the portal (a Jinja
template from a form would be code). Every value is escaped; a text that names a field the
letter does not know, or has a stray brace, is refused when it is saved, so that no letter
ever goes out with "{onbekend}" in it.

Paragraphs are separated by an empty line; lines that start with "- " become a list. A
paragraph that is only a placeholder whose value is empty (conditions that were not set) is
left out instead of leaving an empty line.

Knows no domain: the kinds of letter, their fields and default texts are the caller's.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping
from pathlib import Path

from markupsafe import Markup, escape

from portal.lib.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"\{([^{}\n]{0,40})\}")
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "letter.css"
LOGO_MAX_BYTES = 500_000
LOGO_MAX_PIXELS = 2400


def placeholders_in(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def text_problem(text: str, fields: Mapping[str, str]) -> str | None:
    """Why `text` cannot be a letter's text with these fields (name -> what it holds), in
    Dutch; None when it can."""
    unknown = [n for n in placeholders_in(text) if n not in fields]
    if unknown:
        shown = ", ".join("{" + n + "}" for n in dict.fromkeys(unknown))
        return (
            f"Onbekend invulveld {shown}. Gebruik alleen de invulvelden die onder deze brief "
            "staan, met accolades eromheen, zoals {titel}."
        )
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        return (
            "Er staat een losse accolade { of } in de tekst. Accolades horen alleen om een "
            "invulveld, zoals {titel}."
        )
    return None


def fill(text: str, values: Mapping[str, str]) -> Markup:
    """The text as HTML paragraphs (and lists), with each `{name}` replaced by its escaped
    value. A name without a value is an error of the caller: `text_problem` refused it."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip()):
        stripped = paragraph.strip()
        if not stripped:
            continue
        if _empty(stripped, values):
            continue
        lines = stripped.split("\n")
        if all(line.lstrip().startswith("- ") for line in lines):
            items = [line.lstrip()[2:] for line in lines]
            filled = "".join(
                f"<li>{_filled(i, values)}</li>" for i in items if not _empty(i, values)
            )
            if filled:
                blocks.append(f"<ul>{filled}</ul>")
            continue
        blocks.append("<p>" + "<br>".join(_filled(line, values) for line in lines) + "</p>")
    return Markup("\n".join(blocks))  # noqa: S704 -- every piece escaped by _filled


def _empty(text: str, values: Mapping[str, str]) -> bool:
    """Only a placeholder, and its value is empty."""
    only = PLACEHOLDER.fullmatch(text.strip())
    return only is not None and not values[only.group(1)].strip()


def fill_line(text: str, values: Mapping[str, str]) -> str:
    """A one-line text (a subject) filled, as plain text."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], " ".join(text.split()))


def _filled(line: str, values: Mapping[str, str]) -> str:
    parts: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(line):
        parts.append(str(escape(line[last : match.start()])))
        value = values[match.group(1)]
        parts.append("<br>".join(str(escape(v)) for v in value.split("\n")))
        last = match.end()
    parts.append(str(escape(line[last:])))
    return "".join(parts)


def pdf_from_html(fragment: str, title: str) -> bytes:
    """A4 PDF of a letter's HTML (made by the portal's letter template, values escaped). Slow
    (a tenth of a second and more): run it in a thread, outside a write transaction."""
    import weasyprint  # imported here: it loads Pango, which the pages never need

    document = (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{fragment}</body></html>"
    )
    css = weasyprint.CSS(filename=str(STYLESHEET))
    # Only data: URIs (the logo): a letter loads nothing from anywhere else.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=document, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[css]
    )


def logo_data_uri(data: bytes) -> tuple[str | None, str | None]:
    """A logo upload as a PNG data URI (re-encoded, so that nothing but pixels survives), or
    the Dutch reason it is refused."""
    if not data:
        return None, "Kies een afbeelding (PNG of JPEG)."
    if len(data) > LOGO_MAX_BYTES:
        return None, "Het logo is groter dan 500 kB; maak het kleiner."
    from PIL import Image, UnidentifiedImageError

    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        return None, "Dit is geen PNG- of JPEG-afbeelding."
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                return None, "Dit is geen PNG- of JPEG-afbeelding."
            if max(image.size) > LOGO_MAX_PIXELS:
                return None, f"Het logo is groter dan {LOGO_MAX_PIXELS} beeldpunten; verklein het."
            image.load()
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None, "Deze afbeelding kan niet worden gelezen."
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode(), None


_environment = None


def render_letter(**context: object) -> Markup:
    """The letter's layout (templates/letters/letter.html): letterhead, addressee, date,
    reference, subject, the filled body, closing and signature. Its own environment, outside
    any request: a letter is made inside the service that decides."""
    global _environment
    if _environment is None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        _environment = Environment(
            loader=FileSystemLoader(PROJECT_ROOT / "templates" / "letters"),
            autoescape=True,
            undefined=StrictUndefined,
        )
    # The environment autoescapes; the body arrives as Markup from `fill`.
    return Markup(_environment.get_template("letter.html").render(**context))  # noqa: S704
