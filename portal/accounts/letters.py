"""Letters as sent: made once, inside the transaction that decides, and kept.

`freeze` fills the network's text for the kind with the decision's values, lays it out with
the letterhead (logo, address, signatory) and stores the HTML: from then on that is the letter,
whatever happens to the texts, the letterhead or the project. `pdf_of` prints it to PDF the
first time someone opens it (WeasyPrint takes a tenth of a second or more, too long for the
transaction that decides) and keeps the PDF; later downloads are those bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import anyio.to_thread

from portal.accounts.letter_texts import FIELDS, LETTER_KIND_LABELS, LetterKind, texts_from_json
from portal.accounts.retention import MARKER
from portal.accounts.tables import Letter, Network
from portal.lib.db import required, write_transaction
from portal.lib.formatting import datum
from portal.lib.letters import fill, fill_line, pdf_from_html, render_letter

# What an anonymised letter says, instead of its text.
ANONYMISED_HTML = f"<p>{MARKER}</p>"


async def freeze(
    *,
    network_id: int,
    kind: LetterKind,
    object_type: str,
    object_id: int,
    values: Mapping[str, str],
    to: Sequence[str],
    date: dt.date,
    reference: str,
    signer: str = "",
) -> int:
    """Make and store the letter; call it inside the deciding service's write transaction.
    `values` holds exactly the fields of the kind (letter_texts.FIELDS)."""
    missing = set(FIELDS[kind]) ^ set(values)
    if missing:  # a domain that fills other fields than its kind offers is a bug, not input
        raise ValueError(f"letter {kind}: fields {sorted(missing)} do not match")
    network = required(
        await Network.select(
            Network.name,
            Network.coordinating_municipality,
            Network.letterhead,
            Network.letters,
            Network.logo,
        )
        .where(Network.id == network_id)
        .output(load_json=True)
        .first()
    )
    subject, html = compose(network, kind, values, to, datum(date), reference, signer)
    row = await Letter.insert(
        Letter(
            network=network_id,
            kind=kind.value,
            object_type=object_type,
            object_id=object_id,
            subject=subject[:300],
            html=html,
        )
    ).returning(Letter.id)
    return int(row[0]["id"])


def compose(
    network: Mapping,
    kind: LetterKind,
    values: Mapping[str, str],
    to: Sequence[str],
    date_text: str,
    reference: str,
    signer: str,
) -> tuple[str, str]:
    """The subject and the HTML of a letter of `network` (its name, municipality, letterhead,
    letters and logo, JSON loaded) in its current text for `kind`."""
    text = texts_from_json(network["letters"])[kind]
    letterhead = network["letterhead"] if isinstance(network["letterhead"], dict) else {}
    subject = fill_line(text.subject, values)
    html = render_letter(
        logo=network["logo"],
        municipality=network["coordinating_municipality"],
        network=network["name"],
        address=[line for line in str(letterhead.get("address", "")).splitlines() if line.strip()],
        to=[line for line in to if line],
        date=date_text,
        reference=reference,
        subject=subject,
        heading=LETTER_KIND_LABELS[kind],
        body=fill(text.body, values),
        signatory=letterhead.get("signatory") or signer,
        function=letterhead.get("function", ""),
    )
    return subject, str(html)


async def latest(network_id: int, object_type: str, object_id: int) -> dict | None:
    """The newest letter about this object (a settlement corrected and settled again has a
    second one), without its PDF bytes."""
    return (
        await Letter.select(
            Letter.id,
            Letter.kind,
            Letter.subject,
            Letter.html,
            Letter.created_at,
        )
        .where(
            (Letter.network == network_id)
            & (Letter.object_type == object_type)
            & (Letter.object_id == object_id)
        )
        .order_by(Letter.id, ascending=False)
        .first()
    )


async def pdf_of(letter_id: int) -> bytes:
    """The letter's PDF: printed from its stored HTML the first time, then always the same
    bytes."""
    row = required(
        await Letter.select(Letter.pdf, Letter.html, Letter.subject)
        .where(Letter.id == letter_id)
        .first()
    )
    if row["pdf"]:
        return bytes(row["pdf"])
    pdf = await anyio.to_thread.run_sync(pdf_from_html, row["html"], row["subject"])
    async with write_transaction():
        # Two first readers at once print it twice; the first stored is the one that stays.
        await Letter.update({Letter.pdf: pdf}).where(
            (Letter.id == letter_id) & Letter.pdf.is_null()
        )
    stored = required(await Letter.select(Letter.pdf).where(Letter.id == letter_id).first())
    return bytes(stored["pdf"])


async def anonymise(network_id: int, about: Sequence[tuple[str, int]]) -> int:
    """At the end of a retention period (portal/accounts/retention.py), inside the caller's
    transaction: the letters about these objects lose their text and their PDF, which name the
    addressees; the row (kind, subject, date) stays. Returns how many letters changed."""
    changed = 0
    for object_type, object_id in about:
        rows = (
            await Letter.update({Letter.html: ANONYMISED_HTML, Letter.pdf: None})
            .where(
                (Letter.network == network_id)
                & (Letter.object_type == object_type)
                & (Letter.object_id == object_id)
                & (Letter.html != ANONYMISED_HTML)
            )
            .returning(Letter.id)
        )
        changed += len(rows)
    return changed
