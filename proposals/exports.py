"""What the proposals domain hands to the outside world: the proposal list as a table to
download (as filtered on screen, within the same scope), and the proposals the read-only API
publishes.

Reads only. The download reuses the list page's query, so a person never downloads a proposal
the page would not show them: an applicant gets their own, a region officer their region's.
"""

from __future__ import annotations

from dataclasses import replace

from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from proposals import listing
from proposals.access import SCOPES
from proposals.rules import FIELD_LABELS, STATE_LABELS
from proposals.tables import Proposal

# A download holds every proposal of the selection, not one page of it.
MAX_EXPORT_ROWS = 100_000

# (header, kind): kind tells the encoder how to write the cells (see portal/controllers/exports).
LIST_COLUMNS: list[tuple[str, str]] = [
    ("Nr.", "number"),
    (FIELD_LABELS["title"], "text"),
    ("Ronde", "text"),
    (FIELD_LABELS["theme"], "text"),
    ("Regio", "text"),
    ("Penvoerder", "text"),
    (FIELD_LABELS["requested_amount"], "money"),
    ("Status", "text"),
    ("Versie", "number"),
    ("Ingediend op", "datetime"),
    ("Laatst gewijzigd", "datetime"),
]


async def list_rows(
    principal: Principal, network_id: int, scope: str, filters: listing.ListFilter
) -> list[list]:
    """Every proposal of the list page's selection (all pages), newest change first; `scope`
    is the list the page shows (`proposals.access.list_scope`)."""
    rows = (
        await listing.list_proposals(
            network_id,
            SCOPES[scope][0],
            principal.user_id,
            principal.region_ids(network_id, Role.region_officer),
            replace(filters, page=1, per_page=MAX_EXPORT_ROWS),
        )
    ).rows
    return [
        [
            r["id"],
            r["title"],
            r["round_title"],
            r["theme_name"] or "",
            r["region_name"] or "",
            r["lead_organisation_name"] or "",
            r["requested_amount_cents"],
            STATE_LABELS.get(r["state"], r["state"]),
            r["version"],
            r["submitted_at"],
            r["updated_at"],
        ]
        for r in rows
    ]


# --- the API's reads ------------------------------------------------------------------------


async def submitted_proposals(
    network_id: int,
    *,
    year: int | None = None,
    state: str | None = None,
    region_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    """One page of the network's proposals that reached the coordinator (submitted, whatever
    happened next), oldest first; drafts stay with their authors. And how many in all."""

    def scoped(query):
        query = query.where((Proposal.network == network_id) & Proposal.submitted_at.is_not_null())
        if year is not None:
            query = query.where(Proposal.round._.budget_year._.year == year)
        if state:
            query = query.where(Proposal.state == state)
        if region_id is not None:
            query = query.where(Proposal.region == region_id)
        return query

    rows = (
        await scoped(
            Proposal.select(
                Proposal.id,
                Proposal.title,
                Proposal.state,
                Proposal.version,
                Proposal.requested_amount_cents,
                Proposal.submitted_at,
                Proposal.round.title.as_alias("round_title"),
                Proposal.round._.budget_year._.year.as_alias("year"),
                Proposal.theme.id.as_alias("theme_id"),
                Proposal.theme.name.as_alias("theme_name"),
                Proposal.region.id.as_alias("region_id"),
                Proposal.region.name.as_alias("region_name"),
                Proposal.lead_organisation.name.as_alias("lead_organisation_name"),
            )
        )
        .order_by(Proposal.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await scoped(Proposal.count())
