"""Issue 17: typed text is never cut. `forms.text` refuses text over its limit (on the field,
or as TooLong), every textarea shows its limit and a counter, and no route keeps a silent
cut: the scan below finds a slice of typed text, or a limited `text()` whose refusal nobody
catches. No database."""

from __future__ import annotations

import ast
import re

import pytest
from jinja2 import Environment, FileSystemLoader
from litestar.datastructures import FormMultiDict

from portal.lib.forms import TEXT_LIMIT, TooLong, length_of, text, thousands, too_long
from portal.lib.refusals import Refused
from portal.lib.settings import PROJECT_ROOT

DOMAINS = ("portal", "proposals", "review", "ledger")
# Someone else's, being rewritten (issue 17's report form): judged when it is handed over.
NOT_YET = {"ledger/projects/reports.py", "ledger/projects/report_controllers.py"}
# Cuts that are no silent loss of what someone wrote: a search or filter, never stored.
SEARCHES = {
    ("portal/controllers/exports.py", "search=clean(zoek"),
    ("proposals/deps.py", "search=clean(search_text"),
    ("ledger/projects/catalogue.py", "query = query.replace"),
}


def test_text_is_never_cut() -> None:
    form = FormMultiDict({"doelen": "d" * 120_000, "kort": " Kort \x00"})
    errors: dict[str, str] = {}
    assert text(form, "doelen", 10_000, errors) == "d" * 120_000
    assert errors == {
        "doelen": "Deze tekst is 120.000 tekens; er passen er ten hoogste 10.000 in. Maak hem "
        "korter."
    }
    assert text(form, "kort", 4, errors) == "Kort" and "kort" not in errors
    assert text(form, "doelen") == "d" * 120_000  # a choice or number: its reader judges it
    with pytest.raises(TooLong) as raised:
        text(form, "doelen", TEXT_LIMIT)
    assert isinstance(raised.value, Refused) and raised.value.field == "doelen"
    assert "120.000 tekens" in str(raised.value)


def test_a_line_break_counts_once_as_the_counter_shows_it() -> None:
    # A browser sends each line break of a textarea as CR LF; the person typed one character.
    typed = ("a" * 9 + "\r\n") * 1000  # 10.000 characters on the screen
    assert length_of(typed) == 10_000 and too_long(typed, 10_000) is None
    assert too_long(typed + "b", 10_000) is not None
    assert thousands(1_234_567) == "1.234.567" and thousands(12) == "12"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=True)
    env.filters["thousands"] = thousands
    env.globals["TEXT_LIMIT"] = TEXT_LIMIT
    return env


def test_every_textarea_shows_its_limit_and_a_counter_without_maxlength() -> None:
    template = _environment().from_string(
        '{% import "macros/forms.html" as forms %}'
        '{{ forms.textarea("goals", "Doelen", hint="Zo concreet mogelijk.") }}'
        '{{ forms.textarea("reden", "Reden", limit=2000) }}'
    )
    html = template.render()
    assert "Zo concreet mogelijk. Ten hoogste 10.000 tekens." in html
    assert 'data-limit="10000"' in html and 'data-limit="2000"' in html
    assert "Ten hoogste 2.000 tekens." in html
    assert 'data-counter-for="veld-goals"' in html and 'aria-live="polite"' in html
    assert "maxlength" not in html  # a browser would cut pasted text at it without a word
    script = (PROJECT_ROOT / "portal/static/js/forms.js").read_text()
    assert "textarea[data-limit]" in script and "data-counter-live-for" in script


def test_no_textarea_in_the_templates_lacks_its_limit() -> None:
    """A textarea written out by hand (in a table, a list) carries data-limit too."""
    missing = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if "letter" in relative or relative == "templates/ledger/report.html":
            continue  # letters have no forms; the report form is being rewritten
        for tag in re.findall(r"<textarea\s[^>]*>", path.read_text()):
            if "data-limit" not in tag:
                missing.append(relative)
    assert missing == []


def _domain_files() -> list[tuple[str, ast.Module]]:
    files = []
    for domain in DOMAINS:
        for path in sorted((PROJECT_ROOT / domain).rglob("*.py")):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            if relative in NOT_YET or "/demo/" in relative:
                continue
            files.append((relative, ast.parse(path.read_text())))
    return files


def _is_text_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("text", "_text")
    )


def _catches_too_long(handler: ast.ExceptHandler) -> bool:
    names = (
        {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)} if handler.type else {"*"}
    )
    return bool(names & {"Refused", "TooLong", "*"})


def test_no_route_cuts_typed_text_silently() -> None:
    cuts, uncaught = [], []
    for relative, tree in _domain_files():
        source = (PROJECT_ROOT / relative).read_text().splitlines()
        parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                parents[child] = parent
        for node in ast.walk(tree):
            # A slice of typed text: value.strip()[:N] or clean(value)[:N].
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Slice)
                and node.slice.lower is None
                and node.slice.upper is not None
                and isinstance(node.value, ast.Call)
                and (
                    (
                        isinstance(node.value.func, ast.Attribute)
                        and node.value.func.attr == "strip"
                        and not node.value.args
                    )
                    or (isinstance(node.value.func, ast.Name) and node.value.func.id == "clean")
                )
            ):
                line = source[node.lineno - 1]
                if not any(relative == f and snippet in line for f, snippet in SEARCHES):
                    cuts.append(f"{relative}:{node.lineno}: {line.strip()}")
            # A limited text() without errors raises TooLong: something must catch it.
            if _is_text_call(node):
                assert isinstance(node, ast.Call)
                limited = len(node.args) >= 3 or any(k.arg == "limit" for k in node.keywords)
                with_errors = len(node.args) >= 4 or any(k.arg == "errors" for k in node.keywords)
                if not limited or with_errors:
                    continue
                child, parent = node, parents.get(node)
                caught = False
                while parent is not None and not caught:
                    if isinstance(parent, ast.Try) and child in parent.body:
                        caught = any(_catches_too_long(h) for h in parent.handlers)
                    child, parent = parent, parents.get(parent)
                if not caught:
                    uncaught.append(f"{relative}:{node.lineno}")
    assert cuts == [], "typed text cut silently; refuse it with forms.text(..., limit, errors)"
    assert uncaught == [], "a limited text() without errors whose TooLong nobody catches"
