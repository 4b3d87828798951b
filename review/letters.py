"""The letters of a decision on a proposal: the grant (verleningsbeschikking) and the rejection,
in the network's own text (portal/accounts/letter_texts.py), made inside the transaction that
decides (`services.decide`) and kept as sent (portal/accounts/letters.py)."""

from __future__ import annotations

from collections.abc import Mapping

from ledger.books import queries as ledger_queries
from ledger.books.projects import later_parts_of
from portal.accounts import letters
from portal.accounts.letter_texts import LetterKind
from portal.accounts.tables import Network
from portal.lib.db import required
from portal.lib.formatting import datum, joined
from portal.lib.money import format_euros
from proposals.rows import ProposalRow
from review import queries

DECISION = "decision"


def kind_of(outcome: str) -> LetterKind | None:
    """A grant or a rejection has a letter; a proposal returned for revision has none."""
    if outcome.startswith("granted"):
        return LetterKind.grant
    if outcome == "rejected":
        return LetterKind.rejection
    return None


async def years_of_grant(proposal: ProposalRow, amount_cents: int) -> dict[int, int]:
    """What the grant commits in each budget year (one year unless it runs over several and
    its network books per year: ledger/books/projects.py)."""
    project = await ledger_queries.project_by_proposal(proposal["id"])
    parts = await later_parts_of(project["id"]) if project else []
    later = {p["year"]: p["amount_cents"] for p in parts}
    return {proposal["year"]: amount_cents - sum(later.values()), **later}


async def values_of(
    proposal: ProposalRow, decision: Mapping, kind: LetterKind
) -> tuple[dict[str, str], list[str]]:
    """The letter's fields and its addressee lines."""
    network = required(
        await Network.select(Network.name, Network.coordinating_municipality)
        .where(Network.id == proposal["network"])
        .first()
    )
    route = await queries.route_of(proposal["network"])
    municipality = network["coordinating_municipality"]
    region = f"jeugdhulpregio {proposal['region_name']}" if proposal["region_name"] else ""
    values = {
        "titel": proposal["title"],
        "regio": region or (proposal["lead_organisation_name"] or ""),
        "organisatie": proposal["lead_organisation_name"] or "",
        "netwerk": network["name"],
        "gemeente": municipality,
        "besluitdatum": datum(decision["decision_date"]),
        "kenmerk": decision["reference"] or "",
        "ingediend_op": datum(proposal["submitted_at"]) if proposal["submitted_at"] else "",
        "ronde": proposal["round_title"] or "",
        "thema": proposal["theme_name"] or "",
        "gevraagd_bedrag": format_euros(proposal["requested_amount_cents"] or 0),
        "advies_van": joined([s.name for s in route.advice]),
        "besluitorgaan": route.decider_for(municipality),
    }
    if kind is LetterKind.grant:
        amount = decision["amount_cents"] or 0
        years = await years_of_grant(proposal, amount)
        per_year = ""
        if len(years) > 1:
            parts = [f"{format_euros(c)} ten laste van de begroting {y}" for y, c in years.items()]
            per_year = (
                f"dat van dit bedrag {joined(parts)} komt; elk jaar wordt afzonderlijk "
                "verantwoord en vastgesteld;"
            )
        conditions = (decision["conditions"] or "").strip()
        values |= {
            "verleend_bedrag": format_euros(amount),
            "startdatum": datum(proposal["start_date"]) if proposal["start_date"] else "",
            "einddatum": datum(proposal["end_date"]) if proposal["end_date"] else "",
            "bedragen_per_jaar": per_year,
            "voorwaarden": (
                f"aan deze verlening de volgende voorwaarden te verbinden: {conditions}"
                if conditions
                else ""
            ),
        }
    else:
        shared = (decision["shared_advice"] or "").strip()
        values |= {
            "motivering": (decision["reasons"] or "").strip(),
            "advies": f"Uit het advies: {shared}" if shared else "",
        }
    to = [
        f"Aan {region}" if region else "Aan",
        f"t.a.v. {proposal['contact_name']}" if proposal["contact_name"] else "",
        proposal["lead_organisation_name"] or "",
    ]
    return values, to


async def freeze_for(proposal: ProposalRow, decision_id: int) -> int | None:
    """Make the decision's letter; inside the transaction that decides."""
    decision = required(await queries.decision_by_id(decision_id))
    kind = kind_of(decision["outcome"])
    if kind is None:
        return None
    values, to = await values_of(proposal, decision, kind)
    return await letters.freeze(
        network_id=proposal["network"],
        kind=kind,
        object_type=DECISION,
        object_id=decision_id,
        values=values,
        to=to,
        date=decision["decision_date"],
        reference=decision["reference"] or "",
        signer=decision["decided_by_name"] or "",
    )
