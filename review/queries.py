"""Reads of the review domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, cast

from piccolo.columns.combination import Combinable
from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from portal.accounts.panel import kind_names, panel_from_json
from portal.accounts.tables import Membership, Network, Role
from portal.lib.compiled import compiled
from portal.lib.together import together
from proposals.queries import PROPOSAL_ROW_COLUMNS
from proposals.tables import Proposal
from review.assignment import ProposalInfo, ReviewerInfo, conflict_reason
from review.route import DecisionRoute, route_from_json
from review.rows import ReviewRow
from review.tables import Advice, ConflictDeclaration, Decision, Question, Review


@compiled()
def reviewer_pool_query(network_id: int) -> Select:
    return Membership.select(
        Membership.user.id.as_alias("user_id"),
        Membership.user.name.as_alias("name"),
        Membership.role,
        Membership.reviewer_kind,
        Membership.region,
        Membership.organisation,
        Membership.network.panel.as_alias("panel"),
    ).where((Membership.network == network_id) & (Membership.user.active == True))  # noqa: E712


async def reviewer_pool(network_id: int) -> list[ReviewerInfo]:
    """The network's reviewers, with their kind (as the network's panel names it), regions and
    organisations."""
    return pool_from_rows(await reviewer_pool_query(network_id))


def pool_from_rows(rows: list[dict]) -> list[ReviewerInfo]:
    names = kind_names(panel_from_json(rows[0]["panel"])) if rows else {}
    organisations: dict[int, set[int]] = defaultdict(set)
    regions: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row["organisation"]:
            organisations[row["user_id"]].add(row["organisation"])
        if row["role"] == Role.reviewer.value and row["region"]:
            regions[row["user_id"]].add(row["region"])
    pool = {}
    for row in sorted(rows, key=lambda r: r["region"] or 0):
        if row["role"] == Role.reviewer.value and row["user_id"] not in pool:
            pool[row["user_id"]] = ReviewerInfo(
                id=row["user_id"],
                name=row["name"],
                kind=row["reviewer_kind"],
                region_id=row["region"],
                organisation_ids=frozenset(organisations[row["user_id"]]),
                region_ids=frozenset(regions[row["user_id"]]),
                kind_name=names.get(row["reviewer_kind"], ""),
            )
    return sorted(pool.values(), key=lambda r: r.name)


async def conflicts_of_reviewer(
    reviewer_id: int, network_id: int, proposals: Sequence[Mapping[str, Any]]
) -> dict[int, str]:
    """proposal id -> why this reviewer has a conflict of interest with it (a key of
    CONFLICT_REASONS, by `conflict_reason`), for those of `proposals` (dicts with id, region
    and lead_organisation, all of network `network_id`) that have one. Two queries, however
    many proposals.

    The reviewer as their memberships in the network say now: the region of each reviewer
    membership (a reviewer listed for two regions has a conflict with both), the organisations
    of all their memberships, and their declarations."""
    if not proposals:
        return {}
    memberships = await reviewer_memberships_query(reviewer_id, network_id)
    declared = {
        row["proposal"]
        for row in await ConflictDeclaration.select(ConflictDeclaration.proposal).where(
            (ConflictDeclaration.reviewer == reviewer_id)
            & ConflictDeclaration.proposal.is_in([p["id"] for p in proposals])
        )
    }
    return conflicts_from(reviewer_id, memberships, declared, proposals)


@compiled()
def reviewer_memberships_query(reviewer_id: int, network_id: int) -> Select:
    return Membership.select(Membership.role, Membership.region, Membership.organisation).where(
        (Membership.user == reviewer_id) & (Membership.network == network_id)
    )


def conflicts_from(
    reviewer_id: int,
    memberships: list[dict],
    declared: set[int],
    proposals: Sequence[Mapping[str, Any]],
) -> dict[int, str]:
    """`conflicts_of_reviewer` from what it read: the reviewer's memberships in the network
    and the proposals they declared a conflict with."""
    organisations = frozenset(m["organisation"] for m in memberships if m["organisation"])
    regions = frozenset(
        m["region"] for m in memberships if m["role"] == Role.reviewer.value and m["region"]
    )
    reviewer = ReviewerInfo(
        id=reviewer_id,
        name="",
        kind="",
        region_id=None,
        organisation_ids=organisations,
        region_ids=regions,
    )
    result = {}
    for p in proposals:
        info = ProposalInfo(
            id=p["id"],
            title="",
            region_id=p["region"],
            lead_organisation_id=p["lead_organisation"],
            declared_conflicts=frozenset({reviewer_id}) if p["id"] in declared else frozenset(),
        )
        reason = conflict_reason(reviewer, info)
        if reason is not None:
            result[p["id"]] = reason
    return result


async def reviewer_conflict(proposal_id: int, reviewer_id: int) -> str | None:
    """Why this reviewer has a conflict of interest with this proposal (own region, own
    organisation, declared), or None. Reads the proposal's region and lead organisation
    itself: a service that guards a write calls this inside its transaction, so that what it
    decides on is what is there now, a conflict declared a moment ago included."""
    proposal = (
        await Proposal.select(
            Proposal.id, Proposal.network, Proposal.region, Proposal.lead_organisation
        )
        .where(Proposal.id == proposal_id)
        .first()
    )
    if proposal is None:
        return None
    found = await conflicts_of_reviewer(reviewer_id, proposal["network"], [proposal])
    return found.get(proposal_id)


@compiled()
def declared_conflicts_query(proposal_id: int) -> Select:
    return ConflictDeclaration.select().where(ConflictDeclaration.proposal == proposal_id)


@compiled()
def round_conflicts_query(round_id: int) -> Select:
    """The declared conflicts on the proposals of a round."""
    of_round = Proposal.select(Proposal.id).where(Proposal.round == round_id)
    return ConflictDeclaration.select().where(ConflictDeclaration.proposal.is_in(of_round))


async def declared_conflicts(proposal_ids: list[int]) -> dict[int, dict[int, dict]]:
    """proposal id -> reviewer id -> declaration."""
    if not proposal_ids:
        return {}
    rows = await ConflictDeclaration.select().where(
        ConflictDeclaration.proposal.is_in(proposal_ids)
    )
    return declared_by_proposal(rows)


def declared_by_proposal(rows: list[dict]) -> dict[int, dict[int, dict]]:
    result: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        result[row["proposal"]][row["reviewer"]] = row
    return result


async def proposal_infos(
    proposals: Sequence[Mapping[str, Any]],
    reviews: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
    declared: Mapping[int, Mapping[int, dict]] | None = None,
) -> list[ProposalInfo]:
    """`reviews`: what reviews_by_proposal gave for these proposals, and `declared` what
    declared_conflicts gave, when the caller has them already (the round page would otherwise
    load every review of the round twice)."""
    ids = [p["id"] for p in proposals]
    if declared is None:
        declared = await declared_conflicts(ids)
    assigned = reviews if reviews is not None else await reviews_by_proposal(ids)
    return [
        ProposalInfo(
            id=p["id"],
            title=p["title"],
            region_id=p["region"],
            lead_organisation_id=p["lead_organisation"],
            declared_conflicts=frozenset(declared.get(p["id"], {})),
            already_assigned=frozenset(
                r["reviewer"] for r in assigned.get(p["id"], []) if r["version"] == p["version"]
            ),
        )
        for p in proposals
    ]


REVIEW_COLUMNS = (
    *Review.all_columns(),
    Review.reviewer.name.as_alias("reviewer_name"),
    Review.reviewer.email.as_alias("reviewer_email"),
)


async def reviews_by_proposal(proposal_ids: list[int]) -> dict[int, list[ReviewRow]]:
    if not proposal_ids:
        return {}
    rows = (
        await Review.select(*REVIEW_COLUMNS)
        .where(Review.proposal.is_in(proposal_ids))
        .order_by(Review.id)
        .output(load_json=True)
    )
    result: dict[int, list[ReviewRow]] = defaultdict(list)
    for row in rows:
        result[row["proposal"]].append(cast(ReviewRow, row))
    return result


@compiled()
def reviews_query(proposal_id: int, version: int) -> Select:
    return (
        Review.select(*REVIEW_COLUMNS)
        .where((Review.proposal == proposal_id) & (Review.version == version))
        .order_by(Review.id)
        .output(load_json=True)
    )


async def reviews_of(proposal_id: int, version: int) -> list[ReviewRow]:
    return cast(list[ReviewRow], await reviews_query(proposal_id, version))


@compiled()
def review_row_query(review_id: int) -> Select:
    return (
        Review.select(
            *REVIEW_COLUMNS,
            Review.proposal.network.as_alias("network"),
            Review.proposal.version.as_alias("proposal_version"),
            Review.proposal.state.as_alias("proposal_state"),
            Review.proposal.title.as_alias("proposal_title"),
            Review.proposal._.round._.review_deadline.as_alias("review_deadline"),
            Review.proposal._.round._.criteria.as_alias("round_criteria"),
        )
        .where(Review.id == review_id)
        .output(load_json=True)
    )


async def review_row(review_id: int) -> ReviewRow | None:
    rows = await review_row_query(review_id)
    return cast(ReviewRow, rows[0]) if rows else None


def _reviewed(review_id: int) -> Select:
    return Review.select(Review.proposal).where(Review.id == review_id)


@compiled()
def reviewed_proposal_query(review_id: int, network_id: int) -> Select:
    return (
        Proposal.select(*PROPOSAL_ROW_COLUMNS)
        .where(Proposal.id.is_in(_reviewed(review_id)) & (Proposal.network == network_id))
        .output(load_json=True)
    )


@compiled()
def declared_on_reviewed_query(review_id: int, reviewer_id: int) -> Select:
    return ConflictDeclaration.select(ConflictDeclaration.proposal).where(
        (ConflictDeclaration.reviewer == reviewer_id)
        & ConflictDeclaration.proposal.is_in(_reviewed(review_id))
    )


@compiled()
def questions_on_reviewed_query(review_id: int) -> Select:
    return (
        Question.select(*QUESTION_COLUMNS)
        .where(Question.proposal.is_in(_reviewed(review_id)))
        .order_by(Question.asked_at)
    )


@compiled()
def reviews_of_reviewed_query(review_id: int) -> Select:
    return (
        Review.select(*REVIEW_COLUMNS)
        .where(Review.proposal.is_in(_reviewed(review_id)))
        .order_by(Review.id)
        .output(load_json=True)
    )


async def around_review(review_id: int, reviewer_id: int, network_id: int) -> dict[str, list]:
    """The reviewer's page in one statement: the review, its proposal (as `proposal_row`), what
    says whether the reviewer has a conflict with it, its questions and the reviews of it."""
    return await together(
        review=review_row_query(review_id),
        proposal=reviewed_proposal_query(review_id, network_id),
        memberships=reviewer_memberships_query(reviewer_id, network_id),
        declared=declared_on_reviewed_query(review_id, reviewer_id),
        questions=questions_on_reviewed_query(review_id),
        reviews=reviews_of_reviewed_query(review_id),
    )


# What the reviewer's list shows of each review (built once, see PROPOSAL_ROW_COLUMNS).
MY_REVIEW_COLUMNS = (
    *REVIEW_COLUMNS,
    Review.proposal.title.as_alias("proposal_title"),
    Review.proposal.state.as_alias("proposal_state"),
    Review.proposal._.round._.title.as_alias("round_title"),
    Review.proposal._.round._.review_deadline.as_alias("review_deadline"),
    Review.proposal._.theme._.name.as_alias("theme_name"),
    Review.proposal._.region._.name.as_alias("region_name"),
    Review.proposal.region.as_alias("region"),
    Review.proposal.lead_organisation.as_alias("lead_organisation"),
)


_REVIEW_NETWORK = Review.proposal.network  # a join chain costs a copy per step: built once


def _mine(user_id: int, network_id: int) -> Combinable:
    return (Review.reviewer == user_id) & (_REVIEW_NETWORK == network_id)  # noqa: SIM300


def _newest_first(query: Select) -> Select:
    return query.order_by(Review.assigned_at, ascending=False).order_by(Review.id, ascending=False)


@compiled("per_page", "offset")
def my_reviews_query(user_id: int, network_id: int, per_page: int | None, offset: int) -> Select:
    query = Review.select(*MY_REVIEW_COLUMNS).output(load_json=True)
    if per_page is None:
        return _newest_first(query.where(_mine(user_id, network_id)))
    # The page's ids first, from narrow rows: sorting a reviewer's hundreds of reviews with
    # their scores and notes cost SQLite 3,4 ms, the ids alone 0,6.
    page = _newest_first(Review.select(Review.id).where(_mine(user_id, network_id)))
    return _newest_first(query.where(Review.id.is_in(page.limit(per_page).offset(offset))))


@compiled()
def my_review_count_query(user_id: int, network_id: int) -> Select:
    return Review.select(Count(alias="n")).where(_mine(user_id, network_id))


@compiled()
def declared_by_query(reviewer_id: int, network_id: int) -> Select:
    """The proposals of the network the reviewer declared a conflict of interest with."""
    return ConflictDeclaration.select(ConflictDeclaration.proposal).where(
        (ConflictDeclaration.reviewer == reviewer_id)
        & (ConflictDeclaration.proposal.network == network_id)
    )


async def my_reviews(
    user_id: int, network_id: int, page: int = 1, per_page: int | None = None
) -> tuple[list[dict], int]:
    """A reviewer's reviews in this network, newest assignment first: one page of them (all
    when `per_page` is None) and how many there are in all; each with `conflict`, why a
    conflict of interest closes it (`conflicts_of_reviewer`), or None. One statement."""
    offset = 0 if per_page is None else (page - 1) * per_page
    read = await together(
        rows=my_reviews_query(user_id, network_id, per_page, offset),
        count=my_review_count_query(user_id, network_id),
        memberships=reviewer_memberships_query(user_id, network_id),
        declared=declared_by_query(user_id, network_id),
    )
    rows = read["rows"]
    conflicts = conflicts_from(
        user_id,
        read["memberships"],
        {r["proposal"] for r in read["declared"]},
        [{**r, "id": r["proposal"]} for r in rows],
    )
    for r in rows:
        r["conflict"] = conflicts.get(r["proposal"])
    return rows, int(read["count"][0]["n"]) if read["count"] else 0


def _under_review(round_id: int, theme_id: int | None = None) -> Combinable:
    """The proposals of a round that are (or were) under review: submitted and beyond; those of
    one theme when `theme_id` is given."""
    where = (
        (Proposal.round == round_id)
        & (Proposal.submitted_at.is_not_null())
        & (Proposal.state != "withdrawn")
    )
    return where if theme_id is None else where & (Proposal.theme == theme_id)


# What the round page reads of each proposal of a round; `round_proposals` adds a few more.
_ROUND_PAGE_COLUMNS = (
    Proposal.id,
    Proposal.title,
    Proposal.state,
    Proposal.version,
    Proposal.region,
    Proposal.lead_organisation,
    Proposal.requested_amount_cents,
    Proposal.theme,
    Proposal.region.name.as_alias("region_name"),
)
_ROUND_COLUMNS = (
    *_ROUND_PAGE_COLUMNS,
    Proposal.network,
    Proposal.submitted_at,
    Proposal.theme.name.as_alias("theme_name"),
)


async def round_proposals(round_id: int) -> list[dict]:
    """The proposals of a round that are (or were) under review: submitted and beyond."""
    return (
        await Proposal.select(*_ROUND_COLUMNS).where(_under_review(round_id)).order_by(Proposal.id)
    )


async def round_page_proposals(round_id: int, theme_id: int | None = None) -> list[dict]:
    """`round_proposals` (of one theme when `theme_id` is given) with only what the round page
    uses to rank, count and show them in its progress matrix.

    That page reads every proposal of a round on each view, and on SQLite each value read
    costs: Piccolo turns every INTEGER and timestamp into Python through a converter. Leaving
    out what it does not show (the network, the submission time, the theme's name and its
    join) makes that read about a fifth cheaper for a round of 240 proposals."""
    return await round_page_query(round_id, theme_id)


@compiled()
def round_page_query(round_id: int, theme_id: int | None = None) -> Select:
    return (
        Proposal.select(*_ROUND_PAGE_COLUMNS)
        .where(_under_review(round_id, theme_id))
        .order_by(Proposal.id)
    )


async def round_review_scores(round_id: int, theme_id: int | None = None) -> dict[int, list[dict]]:
    """The reviews of a round's proposals (of one theme when `theme_id` is given), per proposal:
    only who, which version, how far and the answers, what the round page counts and ranks
    (`reviews_by_proposal` reads every column and the reviewer's name and e-mail, several
    times as much for a round of hundreds of proposals)."""
    return scores_by_proposal(await round_scores_query(round_id, theme_id))


@compiled()
def round_scores_query(round_id: int, theme_id: int | None = None) -> Select:
    in_round = Review.proposal.round == round_id
    if theme_id is not None:
        in_round &= Review.proposal.theme == theme_id
    return (
        Review.select(
            Review.proposal,
            Review.reviewer,
            Review.version,
            Review.state,
            Review.scores,
        )
        .where(in_round)
        .order_by(Review.id)
        .output(load_json=True)
    )


def scores_by_proposal(rows: list[dict]) -> dict[int, list[dict]]:
    result: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        result[row["proposal"]].append(row)
    return result


# Built once: Piccolo copies a column for every join step and alias (see
# proposals.queries.PROPOSAL_ROW_COLUMNS); these two run on every proposal page.
QUESTION_COLUMNS = (
    *Question.all_columns(),
    Question.asked_by.name.as_alias("asked_by_name"),
    Question.answered_by.name.as_alias("answered_by_name"),
)
DECISION_COLUMNS = (*Decision.all_columns(), Decision.decided_by.name.as_alias("decided_by_name"))


@compiled()
def questions_query(proposal_id: int) -> Select:
    return (
        Question.select(*QUESTION_COLUMNS)
        .where(Question.proposal == proposal_id)
        .order_by(Question.asked_at)
    )


async def questions_of(proposal_id: int) -> list[dict]:
    return await questions_query(proposal_id)


@compiled()
def advice_query(proposal_id: int) -> Select:
    return (
        Advice.select(
            *Advice.all_columns(),
            Advice.recorded_by.name.as_alias("recorded_by_name"),
        )
        .where(Advice.proposal == proposal_id)
        .order_by(Advice.recorded_at)
    )


async def advice_of(proposal_id: int) -> list[dict]:
    return await advice_query(proposal_id)


@compiled()
def decision_query(proposal_id: int) -> Select:
    """The proposal's latest decision (one row at most)."""
    return (
        Decision.select(*DECISION_COLUMNS)
        .where(Decision.proposal == proposal_id)
        .order_by(Decision.id, ascending=False)
        .limit(1)
    )


async def decision_of(proposal_id: int) -> dict | None:
    rows = await decision_query(proposal_id)
    return rows[0] if rows else None


async def decision_by_id(decision_id: int) -> dict | None:
    return await Decision.select(*DECISION_COLUMNS).where(Decision.id == decision_id).first()


async def decisions_by_proposal(proposal_ids: list[int]) -> dict[int, dict]:
    if not proposal_ids:
        return {}
    rows = (
        await Decision.select().where(Decision.proposal.is_in(proposal_ids)).order_by(Decision.id)
    )
    return {row["proposal"]: row for row in rows}


@compiled()
def route_query(network_id: int) -> Select:
    return Network.select(Network.decision_route).where(Network.id == network_id)


async def route_of(network_id: int) -> DecisionRoute:
    """The network's decision route (review/route.py)."""
    return route_from_rows(await route_query(network_id))


def route_from_rows(rows: list[dict]) -> DecisionRoute:
    return route_from_json(rows[0]["decision_route"] if rows else None)
