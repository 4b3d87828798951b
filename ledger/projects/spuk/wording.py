"""The SiSa wording as a setting: the beheerder enters the ministry's wording from the year it
applies; the workbook of a year uses the nearest earlier row, or the built-in wording
(`data.SISA_WORDING`) when no row reaches back that far."""

from __future__ import annotations

import dataclasses

from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.tables import SisaText
from ledger.projects.spuk.data import SisaWording
from ledger.projects.spuk.derive import sisa_wording
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.forms import text, whole_number

FIELDS: dict[str, str] = {
    "regulation": "Regeling",
    "decision": "Kolom: beschikkingsnummer",
    "spending": "Kolom: besteding in jaar T",
    "cumulative": "Kolom: cumulatieve besteding tot en met jaar T",
    "final": "Kolom: eindverantwoording",
    "explanation": "Kolom: toelichting afwijking",
}
FIRST_YEAR, LAST_YEAR = 2015, 2100


async def wording_for(year: int) -> SisaWording:
    row = await (
        SisaText.select()
        .where(SisaText.from_year <= year)
        .order_by(SisaText.from_year, ascending=False)
        .first()
    )
    if row is None:
        return sisa_wording(year)
    return SisaWording(**{name: row[name] for name in FIELDS})


async def rows() -> list[dict]:
    return await SisaText.select().order_by(SisaText.from_year)


def parse_wording(form: FormMultiDict) -> tuple[tuple[int, SisaWording] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    year = whole_number(text(form, "from_year"), minimum=FIRST_YEAR, maximum=LAST_YEAR)
    if year is None:
        errors["from_year"] = f"Vul een jaar in tussen {FIRST_YEAR} en {LAST_YEAR}."
    values = {
        name: text(form, name, 300 if name == "regulation" else 200, errors) for name in FIELDS
    }
    for name, label in FIELDS.items():
        if not values[name]:
            errors[name] = f"Vul in: {label.removeprefix('Kolom: ')}."
        elif "{" in values[name].replace("{year}", ""):
            errors[name] = "Gebruik alleen {year} als plaats voor het jaar."
    if errors or year is None:
        return None, errors
    return (year, SisaWording(**values)), {}


async def save(actor: Principal, year: int, wording: SisaWording) -> None:
    if not actor.is_superadmin:
        raise LedgerRefused("Alleen de beheerder van het portaal stelt de SiSa-teksten in.")
    values = dataclasses.asdict(wording)
    async with write_transaction():
        # One row per year, whoever saves it first: a second save of the same year updates it.
        await SisaText.insert(
            SisaText(from_year=year, updated_by=actor.user_id, **values)
        ).on_conflict(
            target=SisaText.from_year,
            action="DO UPDATE",
            values=[
                *(getattr(SisaText, name) for name in FIELDS),
                SisaText.updated_by,
                (SisaText.updated_at, clock.now()),
            ],
        )
        await events.record(
            actor_id=actor.user_id,
            action="sisa_wording_set",
            object_type="sisa_text",
            object_id=year,
            summary=f"SiSa-teksten vanaf {year}: {wording.regulation}",
        )
