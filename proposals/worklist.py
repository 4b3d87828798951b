"""What waits on proposals for the start page (`portal/accounts/worklist.py`): the applicant's
drafts and the proposals returned to them, the region officer's proposals to submit; and the
names and links of proposals and rounds in a person's recent activity.

Consent of a region (randvoorwaarde 1) is a letter the authors upload, not a request the
portal sends to that region, so there is nothing for a region officer to answer here.
"""

from __future__ import annotations

from piccolo.query import Select

from portal.accounts import worklist
from portal.accounts.layout import query
from portal.accounts.tables import Role
from portal.accounts.worklist import ObjectLink, WorkContext, WorkItem, WorkList, work_list
from portal.lib import clock
from portal.lib.compiled import compiled
from proposals.tables import Proposal, ProposalAuthor, ProposalState, Round


def _closes(row: dict, ctx: WorkContext) -> dict:
    closes = clock.as_utc(row["closes_at"])
    return {"due": closes, "due_label": "ronde sluit", "late": closes <= ctx.now}


@compiled()
def drafts_query(user_id: int, network_id: int) -> Select:
    authored = ProposalAuthor.select(ProposalAuthor.proposal).where(ProposalAuthor.user == user_id)
    return (
        Proposal.select(
            Proposal.id,
            Proposal.title,
            Proposal.version,
            Proposal.round.closes_at.as_alias("closes_at"),
        )
        .where(
            (Proposal.network == network_id)
            & (Proposal.state == ProposalState.draft)
            & Proposal.id.is_in(authored)
        )
        .order_by(Proposal.updated_at, ascending=False)
    )


async def applicant_work(ctx: WorkContext) -> list[WorkList]:
    """The drafts the person writes, in one statement: new ones, and those the coordinator
    returned for revision (a returned proposal is a draft of a later version)."""
    rows = await ctx.read(drafts_query(ctx.principal.user_id, ctx.network.id))
    drafts, returned = [], []
    for r in rows:
        href = ctx.url("proposals:detail", proposal_id=r["id"])
        if r["version"] > 1:
            returned.append(
                WorkItem(r["title"], href, f"teruggestuurd voor aanpassing (versie {r['version']})")
            )
        else:
            drafts.append(WorkItem(r["title"], href, "concept", **_closes(r, ctx)))
    mine = ctx.url("proposals:list") + query(None, lijst="mijn", status=ProposalState.draft.value)
    return [
        work_list("applicant-returned", "Teruggestuurd voor aanpassing", returned, mine),
        work_list("applicant-drafts", "Uw concepten", drafts, mine),
    ]


@compiled()
def ready_query(network_id: int, region_ids: list[int]) -> Select:
    return (
        Proposal.select(
            Proposal.id,
            Proposal.title,
            Proposal.region.name.as_alias("region_name"),
            Proposal.lead_organisation.name.as_alias("organisation_name"),
            Proposal.round.closes_at.as_alias("closes_at"),
        )
        .where(
            (Proposal.network == network_id)
            & (Proposal.state == ProposalState.ready)
            & Proposal.region.is_in(region_ids)
        )
        .order_by(Proposal.round.closes_at)
        .order_by(Proposal.id)
    )


async def region_officer_work(ctx: WorkContext) -> list[WorkList]:
    """The proposals of the officer's regions that the authors handed to the region."""
    regions = ctx.principal.region_ids(ctx.network.id, Role.region_officer)
    rows = await ctx.read(ready_query(ctx.network.id, sorted(regions) or [0]))
    items = [
        WorkItem(
            r["title"],
            ctx.url("proposals:detail", proposal_id=r["id"]),
            ", ".join(n for n in (r["region_name"], r["organisation_name"]) if n),
            **_closes(r, ctx),
        )
        for r in rows
    ]
    more = ctx.url("proposals:list") + query(None, lijst="regio", status=ProposalState.ready.value)
    return [work_list("officer-ready", "Klaar om in te dienen namens de regio", items, more)]


async def proposal_links(ctx: WorkContext, ids: list[int]) -> dict[int, ObjectLink]:
    rows = await ctx.read(
        Proposal.select(Proposal.id, Proposal.title).where(
            (Proposal.network == ctx.network.id) & Proposal.id.is_in(ids)
        )
    )
    return {
        r["id"]: ObjectLink(
            f"voorstel {r['title']}", ctx.url("proposals:detail", proposal_id=r["id"])
        )
        for r in rows
    }


async def round_links(ctx: WorkContext, ids: list[int]) -> dict[int, ObjectLink]:
    rows = await ctx.read(
        Round.select(Round.id, Round.title).where(
            (Round.network == ctx.network.id) & Round.id.is_in(ids)
        )
    )
    coordinator = ctx.has_role(Role.coordinator)
    return {
        r["id"]: ObjectLink(
            f"ronde {r['title']}",
            ctx.url("proposals:round", round_id=r["id"]) if coordinator else None,
        )
        for r in rows
    }


def register() -> None:
    worklist.register(Role.applicant, applicant_work)
    worklist.register(Role.region_officer, region_officer_work)
    worklist.register_object("proposal", proposal_links)
    worklist.register_object("round", round_links)
