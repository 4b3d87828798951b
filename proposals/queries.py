"""Reads of the proposals domain that pages and services share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from piccolo.query import Select
from piccolo.query.functions.aggregate import Sum

from portal.accounts.tables import Organisation, Region, User
from portal.lib.compiled import compiled
from portal.lib.money import format_euros
from portal.lib.together import Part, together
from proposals import forms
from proposals.eligibility import Facts
from proposals.rows import ProposalRow
from proposals.rules import (
    BOUWTEAM_POSITIONS,
    EXTENDS_OFFER,
    FUNCTIONS,
    PROCUREMENT_ROUTES,
    TRANSFORMATION_GOALS,
    VIERKANT,
)
from proposals.tables import (
    Attachment,
    BouwteamMember,
    BudgetLine,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Round,
    Theme,
)

# Proposals that still lay a claim on a theme's guide budget.
CLAIMING_STATES = ("submitted",)


# Column lists with join chains are built once (see PROPOSAL_ROW_COLUMNS).
ROUND_COLUMNS = (*Round.all_columns(), Round.budget_year.year.as_alias("year"))


@compiled()
def rounds_query(network_id: int) -> Select:  # newest first
    return (
        Round.select(*ROUND_COLUMNS)
        .where(Round.network == network_id)
        .order_by(Round.opens_at, ascending=False)
    )


async def rounds_of(network_id: int) -> list[dict]:
    return await rounds_query(network_id)


@compiled()
def network_themes_query(network_id: int) -> Select:
    """The themes of all the network's rounds, each round's in their order."""
    return (
        Theme.select()
        .where(Theme.round.is_in(Round.select(Round.id).where(Round.network == network_id)))
        .order_by(Theme.position, Theme.id)
    )


@compiled()
def round_query(network_id: int, round_id: int) -> Select:
    return Round.select(*ROUND_COLUMNS).where(
        (Round.id == round_id) & (Round.network == network_id)
    )


async def round_of(network_id: int, round_id: int) -> dict | None:
    rows = await round_query(network_id, round_id)
    return rows[0] if rows else None


@compiled()
def themes_query(round_id: int) -> Select:
    return Theme.select().where(Theme.round == round_id).order_by(Theme.position, Theme.id)


async def themes_of(round_id: int) -> list[dict]:
    return await themes_query(round_id)


async def round_has_submissions(round_id: int) -> bool:
    return await Proposal.exists().where(
        (Proposal.round == round_id) & (Proposal.submitted_at.is_not_null())
    )


# Built once: Piccolo copies a column for every step of a join chain and every alias, about
# 1 ms for this list, on each request of the most visited page (bench/profile_page.py).
PROPOSAL_ROW_COLUMNS = (
    *Proposal.all_columns(),
    Proposal.round.title.as_alias("round_title"),
    Proposal.round.opens_at.as_alias("round_opens_at"),
    Proposal.round.closes_at.as_alias("round_closes_at"),
    Proposal.round.attachment_limit_mb.as_alias("attachment_limit_mb"),
    Proposal.round.criteria.as_alias("round_criteria"),
    Proposal.round._.budget_year._.year.as_alias("year"),
    Proposal.round._.budget_year._.id.as_alias("budget_year_id"),
    Proposal.theme.name.as_alias("theme_name"),
    Proposal.region.name.as_alias("region_name"),
    Proposal.lead_organisation.name.as_alias("lead_organisation_name"),
    Proposal.extension_region.name.as_alias("extension_region_name"),
    Proposal.created_by.name.as_alias("created_by_name"),
)


@compiled()
def proposal_row_query(network_id: int, proposal_id: int) -> Select:
    return (
        Proposal.select(*PROPOSAL_ROW_COLUMNS)
        .where((Proposal.id == proposal_id) & (Proposal.network == network_id))
        .output(load_json=True)
    )


async def proposal_row(network_id: int, proposal_id: int) -> ProposalRow | None:
    return cast("ProposalRow | None", await proposal_row_query(network_id, proposal_id).first())


@compiled()
def bouwteam_query(proposal_id: int) -> Select:
    return (
        BouwteamMember.select()
        .where(BouwteamMember.proposal == proposal_id)
        .order_by(BouwteamMember.sort_order)
    )


async def bouwteam_of(proposal_id: int) -> list[dict]:
    return await bouwteam_query(proposal_id)


@compiled()
def budget_lines_query(proposal_id: int) -> Select:
    return (
        BudgetLine.select()
        .where(BudgetLine.proposal == proposal_id)
        .order_by(BudgetLine.sort_order, BudgetLine.id)
    )


async def budget_lines_of(proposal_id: int) -> list[dict]:
    return await budget_lines_query(proposal_id)


ATTACHMENT_COLUMNS = (
    *Attachment.all_columns(),
    Attachment.region.name.as_alias("region_name"),
    Attachment.uploaded_by.name.as_alias("uploaded_by_name"),
)


async def requested_by_year(proposal_id: int) -> dict[int, int]:
    """What the proposal's budget asks for in each year (the years of its lines)."""
    rows = (
        await BudgetLine.select(BudgetLine.year, Sum(BudgetLine.amount_cents, alias="total"))
        .where(BudgetLine.proposal == proposal_id)
        .group_by(BudgetLine.year)
    )
    return {r["year"]: int(r["total"] or 0) for r in rows}


@compiled()
def attachments_query(proposal_id: int, include_removed: bool = False) -> Select:
    query = Attachment.select(*ATTACHMENT_COLUMNS).where(Attachment.proposal == proposal_id)
    if not include_removed:
        query = query.where(Attachment.removed_at.is_null())
    return query.order_by(Attachment.uploaded_at).output(load_json=True)


async def attachments_of(proposal_id: int, include_removed: bool = False) -> list[dict]:
    return await attachments_query(proposal_id, include_removed)


AUTHOR_COLUMNS = (
    ProposalAuthor.user.id.as_alias("id"),
    ProposalAuthor.user.name.as_alias("name"),
    ProposalAuthor.user.email.as_alias("email"),
)


@compiled()
def authors_query(proposal_id: int) -> Select:
    return (
        ProposalAuthor.select(*AUTHOR_COLUMNS)
        .where(ProposalAuthor.proposal == proposal_id)
        .order_by(ProposalAuthor.id)
    )


async def authors_of(proposal_id: int) -> list[dict]:
    return await authors_query(proposal_id)


@compiled()
def versions_query(proposal_id: int) -> Select:
    return (
        ProposalVersion.select(
            ProposalVersion.id,
            ProposalVersion.number,
            ProposalVersion.frozen_at,
            ProposalVersion.frozen_by.name.as_alias("frozen_by_name"),
        )
        .where(ProposalVersion.proposal == proposal_id)
        .order_by(ProposalVersion.number)
    )


async def versions_of(proposal_id: int) -> list[dict]:
    return await versions_query(proposal_id)


async def version_snapshot(proposal_id: int, number: int) -> dict | None:
    row = (
        await ProposalVersion.select(ProposalVersion.snapshot)
        .where((ProposalVersion.proposal == proposal_id) & (ProposalVersion.number == number))
        .output(load_json=True)
        .first()
    )
    return row["snapshot"] if row else None


@compiled()
def region_names_query(network_id: int) -> Select:
    return (
        Region.select(Region.id, Region.name)
        .where(Region.network == network_id)
        .order_by(Region.name)
    )


async def region_names(network_id: int) -> dict[int, str]:
    return {r["id"]: r["name"] for r in await region_names_query(network_id)}


async def organisations(network_id: int) -> dict[int, str]:
    rows = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.network == network_id)
        .order_by(Organisation.name)
    )
    return {r["id"]: r["name"] for r in rows}


@compiled()
def theme_claims_query(theme_id: int, excluding_proposal: int) -> Select:
    """What other proposals in the theme ask for while they lay a claim on its guide budget."""
    return Proposal.select(Sum(Proposal.requested_amount_cents, alias="claimed")).where(
        (Proposal.theme == theme_id)
        & (Proposal.id != excluding_proposal)
        & (Proposal.state.is_in(list(CLAIMING_STATES)))
    )


@compiled()
def round_window_query(round_id: int) -> Select:
    """The round's budget year, its spending window and how the network applies each rule."""
    return (
        Round.select(
            Round.budget_year.year.as_alias("year"),
            Round.budget_year.spend_until.as_alias("spend_until"),
            Round.network.eligibility.as_alias("rule_settings"),
        )
        .where(Round.id == round_id)
        .output(load_json=True)
    )


@dataclass(frozen=True)
class Parts:
    """What hangs off a proposal and its page, its checklist and the reviewer's page show:
    read together, in one statement (`portal.lib.together`)."""

    lines: list[dict]
    attachments: list[dict]
    members: list[dict]
    regions: dict[int, str]
    themes: list[dict] = field(default_factory=list)
    window: dict | None = None
    claimed_by_others_cents: int = 0
    # What the caller asked for besides (name -> rows), read in the same statement.
    more: dict[str, list[dict]] = field(default_factory=dict)


async def parts_of(proposal: ProposalRow, **more: Part) -> Parts:
    theme_id = proposal["theme"]
    read = await together(
        lines=budget_lines_query(proposal["id"]),
        attachments=attachments_query(proposal["id"]),
        members=bouwteam_query(proposal["id"]),
        regions=region_names_query(proposal["network"]),
        themes=themes_query(proposal["round"]),
        window=round_window_query(proposal["round"]),
        # A theme id no proposal has (0) when there is none: the part stays the same shape.
        claims=theme_claims_query(theme_id or 0, proposal["id"]),
        **more,
    )
    claims = read["claims"]
    return Parts(
        lines=read["lines"],
        attachments=read["attachments"],
        members=read["members"],
        regions={r["id"]: r["name"] for r in read["regions"]},
        themes=read["themes"],
        window=read["window"][0] if read["window"] else None,
        claimed_by_others_cents=int(claims[0]["claimed"] or 0) if theme_id and claims else 0,
        more={name: read[name] for name in more},
    )


async def facts_for(
    proposal: ProposalRow, now: dt.datetime, thresholds: dict[str, int], parts: Parts | None = None
) -> Facts:
    parts = parts or await parts_of(proposal)
    lines, attachments, members = parts.lines, parts.attachments, parts.members
    themes = parts.themes
    theme = next((t for t in themes if t["id"] == proposal["theme"]), None)
    present = {m["position"] for m in members if m["name"]}
    region_ids = parts.regions
    window = parts.window
    return Facts(
        now=now,
        round_opens_at=_utc(proposal["round_opens_at"]),
        round_closes_at=_utc(proposal["round_closes_at"]),
        round_theme_ids=frozenset(t["id"] for t in themes),
        network_region_ids=frozenset(region_ids),
        title=proposal["title"],
        summary=proposal["summary"],
        theme_id=proposal["theme"],
        region_id=proposal["region"],
        functions=tuple(proposal["functions"] or ()),
        transformation_goals=dict(proposal["transformation_goals"] or {}),
        goals=proposal["goals"],
        results=proposal["results"],
        activities=proposal["activities"],
        start_date=proposal["start_date"],
        end_date=proposal["end_date"],
        participating_region_ids=frozenset(
            [
                *(proposal["participating_region_ids"] or []),
                *(proposal["benefiting_region_ids"] or []),
            ]
        ),
        supra_regional_reason=proposal["supra_regional_reason"],
        innovation=proposal["innovation"],
        requested_amount_cents=proposal["requested_amount_cents"],
        budget_line_total_cents=sum(line["amount_cents"] for line in lines),
        budget_line_count=len(lines),
        budget_line_years=frozenset(line["year"] for line in lines),
        theme_guide_budget_cents=theme["guide_budget_cents"] if theme else None,
        theme_claimed_by_others_cents=parts.claimed_by_others_cents if theme else 0,
        extends_offer=proposal["extends_offer"],
        extension_region_id=proposal["extension_region"],
        consent_letter_region_ids=frozenset(
            a["region"] for a in attachments if a["kind"] == "consent_letter" and a["region"]
        ),
        procurement_expert_name=proposal["procurement_expert_name"],
        procurement_service_kind=proposal["procurement_service_kind"],
        procurement_policy_fit=proposal["procurement_policy_fit"],
        estimated_contract_value_cents=proposal["estimated_contract_value_cents"],
        thresholds_cents=thresholds,
        vierkant_missing=tuple(BOUWTEAM_POSITIONS[p] for p in VIERKANT if p not in present),
        budget_year=window["year"] if window else None,
        spend_until=window["spend_until"] if window else None,
        rule_settings=(window["rule_settings"] or {}) if window else {},
        client_data=forms.client_data(proposal, lines, attachments),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def snapshot(proposal: ProposalRow) -> dict:
    """The proposal as display text per field: what a frozen version keeps and a diff compares."""
    regions = await region_names(proposal["network"])
    members = await bouwteam_of(proposal["id"])
    lines = await budget_lines_of(proposal["id"])
    attachments = await attachments_of(proposal["id"])
    goals = proposal["transformation_goals"] or {}
    period = ""
    if proposal["start_date"] or proposal["end_date"]:
        period = f"{proposal['start_date'] or '?'} t/m {proposal['end_date'] or '?'}"
    return {
        "title": proposal["title"],
        "summary": proposal["summary"],
        "theme": proposal["theme_name"] or "",
        "region": proposal["region_name"] or "",
        "lead_organisation": proposal["lead_organisation_name"] or "",
        "contact": " · ".join(
            x
            for x in (
                proposal["contact_name"],
                proposal["contact_email"],
                proposal["contact_phone"],
            )
            if x
        ),
        "bouwteam": [
            f"{BOUWTEAM_POSITIONS.get(m['position'], m['position'])}: {m['name']}"
            f"{' (' + m['organisation_name'] + ')' if m['organisation_name'] else ''}"
            f"{' — kartrekker' if m['is_kartrekker'] else ''}"
            for m in members
        ],
        "goals": proposal["goals"],
        "results": proposal["results"],
        "activities": proposal["activities"],
        "target_group": proposal["target_group"],
        "period": period,
        "functions": [FUNCTIONS[f] for f in proposal["functions"] or [] if f in FUNCTIONS],
        "transformation_goals": [
            f"{TRANSFORMATION_GOALS[k]}: {v}" for k, v in goals.items() if k in TRANSFORMATION_GOALS
        ],
        "participating_regions": [
            regions.get(r, "?") for r in proposal["participating_region_ids"] or []
        ],
        "benefiting_regions": [
            regions.get(r, "?") for r in proposal["benefiting_region_ids"] or []
        ],
        "supra_regional_reason": proposal["supra_regional_reason"],
        "innovation": proposal["innovation"],
        "extension": " — ".join(
            x
            for x in (
                EXTENDS_OFFER.get(proposal["extends_offer"], ""),
                proposal["extension_region_name"] or "",
                proposal["extension_description"],
            )
            if x
        ),
        "procurement": " · ".join(
            x
            for x in (
                proposal["procurement_expert_name"],
                proposal["procurement_expert_organisation"],
                PROCUREMENT_ROUTES.get(proposal["procurement_route"], ""),
                format_euros(proposal["estimated_contract_value_cents"])
                if proposal["estimated_contract_value_cents"] is not None
                else "",
            )
            if x
        ),
        "requested_amount": format_euros(proposal["requested_amount_cents"])
        if proposal["requested_amount_cents"] is not None
        else "",
        "budget_lines": [
            f"{line['year']} · {line['description']} · {format_euros(line['amount_cents'])}"
            for line in lines
        ],
        "attachments": [f"{a['display_name']} ({a['kind']})" for a in attachments],
    }


async def users_by_email(email: str) -> dict | None:
    return (
        await User.select(User.id, User.name, User.email, User.active)
        .where(User.email == email.strip().lower())
        .first()
    )


async def themes_of_rounds(round_ids: list[int]) -> dict[int, list[dict]]:
    """The themes of several rounds in one query, per round."""
    result: dict[int, list[dict]] = {r: [] for r in round_ids}
    if round_ids:
        rows = (
            await Theme.select()
            .where(Theme.round.is_in(round_ids))
            .order_by(Theme.position, Theme.id)
        )
        for row in rows:
            result[row["round"]].append(row)
    return result


async def rounds_with_submissions(round_ids: list[int]) -> set[int]:
    if not round_ids:
        return set()
    rows = (
        await Proposal.select(Proposal.round)
        .where((Proposal.round.is_in(round_ids)) & (Proposal.submitted_at.is_not_null()))
        .distinct()
    )
    return {r["round"] for r in rows}


async def themes_by_budget_year(network_id: int) -> dict[int, list[dict]]:
    """The themes of the network's rounds per budget year (rounds in their order, themes in
    theirs), in two queries whatever the number of rounds."""
    rounds = await rounds_of(network_id)
    themes = await themes_of_rounds([r["id"] for r in rounds])
    by_year: dict[int, list[dict]] = {}
    for r in rounds:
        by_year.setdefault(r["budget_year"], []).extend(themes[r["id"]])
    return by_year
