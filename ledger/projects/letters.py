"""The ledger's letters: the change after award (wijzigingsbeschikking) and the settlement
(vaststellingsbeschikking), in the network's own text (portal/accounts/letter_texts.py), made
inside the transaction that decides (`changes.decide`, `reports.accept`) and kept as sent
(portal/accounts/letters.py)."""

from __future__ import annotations

from collections.abc import Mapping

from ledger.books import queries
from ledger.books.rules import ProjectFigures
from ledger.books.tables import ChangeKind
from portal.accounts import letters
from portal.accounts.letter_texts import LetterKind
from portal.accounts.tables import Network, Region
from portal.lib.db import required
from portal.lib.formatting import datum
from portal.lib.money import format_euros

CHANGE = "change"
SETTLEMENT = "project"


async def _common(project: Mapping, reference: str, date_text: str) -> tuple[dict, list[str]]:
    network = required(
        await Network.select(Network.name, Network.coordinating_municipality)
        .where(Network.id == project["network"])
        .first()
    )
    region = None
    if project["region_id"] is not None:
        region = await Region.select(Region.name).where(Region.id == project["region_id"]).first()
    region_text = f"jeugdhulpregio {region['name']}" if region else (project["recipient"] or "")
    values = {
        "titel": project["title"],
        "regio": region_text,
        "organisatie": project["recipient"] or "",
        "netwerk": network["name"],
        "gemeente": network["coordinating_municipality"],
        "besluitdatum": date_text,
        "kenmerk": reference,
        "verleningsdatum": datum(project["decision_date"]) if project["decision_date"] else "",
        "verleningskenmerk": project["decision_reference"] or "",
    }
    to = [f"Aan {region_text}" if region_text else "Aan"]
    if region and project["recipient"] and project["recipient"] != region["name"]:
        to.append(project["recipient"])
    return values, to


def change_description(change: Mapping) -> str:
    """What the change does, in the letter's words."""
    if change["kind"] == ChangeKind.period:
        was = datum(change["old_end_date"]) if change["old_end_date"] else "niet vastgelegd"
        return f"de einddatum van het project wordt {datum(change['new_end_date'])} (was {was})"
    if change["kind"] == ChangeKind.amount:
        return (
            f"het verleende bedrag wordt {format_euros(change['new_amount_cents'] or 0)} "
            f"(was {format_euros(change['old_amount_cents'] or 0)})"
        )
    return (
        "de verdeling over de begrotingsposten wordt gewijzigd zoals gevraagd; het totaal "
        "blijft gelijk"
    )


async def freeze_change(project: Mapping, change: Mapping, signer: str) -> int:
    """The change letter of an approved change; inside the transaction that approves it."""
    decided = change["decided_at"]
    values, to = await _common(project, change["decision_reference"] or "", datum(decided))
    values |= {
        "verzoek_op": datum(change["requested_at"]),
        "wijziging": change_description(change),
        "reden": (change["reason"] or "").strip(),
        "toelichting": (change["decision_note"] or "").strip(),
    }
    return await letters.freeze(
        network_id=project["network"],
        kind=LetterKind.change,
        object_type=CHANGE,
        object_id=change["id"],
        values=values,
        to=to,
        date=decided.date() if hasattr(decided, "date") else decided,
        reference=change["decision_reference"] or "",
        signer=signer,
    )


async def freeze_settlement(network_id: int, project_id: int, signer: str) -> int:
    """The settlement letter; inside the transaction that accepts the final report (after its
    bookings, which the letter reports on)."""
    project = required(await queries.project_row(network_id, project_id))
    _, figures = await queries.year_figures(project["budget_year"])
    f = figures.get(project_id, ProjectFigures())
    rows, _ = await queries.entries(project["budget_year"], project_id=project_id, per_page=10_000)
    paid: dict[str, int] = {}
    for e in rows:
        paid[e["kind"]] = paid.get(e["kind"], 0) + e["sign"] * e["amount_cents"]
    settled_on = required(project["settled_on"])
    values, to = await _common(project, project["decision_reference"] or "", datum(settled_on))
    final_payment = paid.get("final_payment", 0)
    values |= {
        "verleend_bedrag": format_euros(f.committed),
        "vastgesteld_bedrag": format_euros(project["final_amount_cents"] or 0),
        "betaald_bedrag": format_euros(paid.get("advance_payment", 0)),
        "nabetaling": format_euros(final_payment),
        "terugvordering": format_euros(f.recovered),
        "niet_besteed": format_euros(f.released),
        "betaling": (
            "U ontvangt een betalingsverzoek voor het bedrag dat te veel is betaald."
            if f.recovered
            else "Het nog te betalen bedrag wordt binnen dertig dagen overgemaakt."
            if final_payment
            else "Er wordt niets meer betaald of teruggevorderd."
        ),
    }
    return await letters.freeze(
        network_id=network_id,
        kind=LetterKind.settlement,
        object_type=SETTLEMENT,
        object_id=project_id,
        values=values,
        to=to,
        date=settled_on,
        reference=project["decision_reference"] or "",
        signer=signer,
    )
