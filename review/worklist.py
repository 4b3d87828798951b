"""What waits in the review for the start page (`portal/accounts/worklist.py`): the reviewer's
reviews to do and the answers to their questions, the applicant's questions to answer, and the
coordinator's proposals without reviewers, with reviews overdue, ready for advice or for a
decision."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from piccolo.query import Select

from portal.accounts import worklist
from portal.accounts.tables import Role
from portal.accounts.worklist import WorkContext, WorkItem, WorkList, work_list, work_list_of
from portal.lib import clock
from portal.lib.compiled import compiled
from portal.lib.formatting import datum
from portal.lib.together import Raw
from proposals.tables import Proposal, ProposalAuthor, ProposalState, Round
from review.tables import Question, Review, ReviewState

# Proposals whose review is running: reviews and questions about them still matter.
UNDER_REVIEW = (ProposalState.submitted, ProposalState.in_review)
# Until the decision the authors can still answer a question.
OPEN_FOR_ANSWERS = (*UNDER_REVIEW, ProposalState.advised)


def _deadline(value: dt.datetime | None, now: dt.datetime) -> dict:
    if value is None:
        return {}
    deadline = clock.as_utc(value)
    return {"due": deadline, "due_label": "uiterlijk", "late": deadline <= now}


@compiled()
def reviews_to_do_query(user_id: int, network_id: int) -> Select:
    return Review.select(
        Review.id,
        Review.state,
        Review.version,
        Review.proposal.version.as_alias("proposal_version"),
        Review.proposal.title.as_alias("title"),
        Review.proposal._.round._.review_deadline.as_alias("deadline"),
    ).where(
        (Review.reviewer == user_id)
        & (Review.proposal.network == network_id)
        & (Review.state != ReviewState.submitted)
        & Review.proposal.state.is_in(list(UNDER_REVIEW))
    )


@compiled()
def answered_query(user_id: int, network_id: int) -> Select:
    return (
        Question.select(
            Question.proposal,
            Question.proposal.title.as_alias("title"),
            Question.answered_at,
        )
        .where(
            (Question.asked_by == user_id)
            & Question.answered_at.is_not_null()
            & (Question.proposal.network == network_id)
            & Question.proposal.state.is_in(list(UNDER_REVIEW))
        )
        .order_by(Question.answered_at, ascending=False)
    )


@compiled()
def open_questions_query(user_id: int, network_id: int) -> Select:
    authored = ProposalAuthor.select(ProposalAuthor.proposal).where(ProposalAuthor.user == user_id)
    return (
        Question.select(
            Question.proposal, Question.proposal.title.as_alias("title"), Question.asked_at
        )
        .where(
            Question.answered_at.is_null()
            & (Question.proposal.network == network_id)
            & Question.proposal.is_in(authored)
            & Question.proposal.state.is_in(list(OPEN_FOR_ANSWERS))
        )
        .order_by(Question.asked_at)
    )


async def reviewer_work(ctx: WorkContext) -> list[WorkList]:
    """Two statements: the reviews of the current versions not handed in, and the answers to
    the person's questions on proposals still under review."""
    reviews = await ctx.read(reviews_to_do_query(ctx.principal.user_id, ctx.network.id))
    # A review of an earlier version stays when a proposal comes back; it is not asked for.
    current = [r for r in reviews if r["version"] == r["proposal_version"]]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    current.sort(key=lambda r: (clock.as_utc(r["deadline"]) if r["deadline"] else far, r["id"]))
    to_do = [
        WorkItem(
            r["title"],
            ctx.url("review:review", review_id=r["id"]),
            "nog niet begonnen" if r["state"] == ReviewState.assigned else "concept opgeslagen",
            **_deadline(r["deadline"], ctx.now),
        )
        for r in current
    ]
    answered = await ctx.read(answered_query(ctx.principal.user_id, ctx.network.id))
    answers = [
        WorkItem(
            r["title"],
            ctx.url("proposals:detail", proposal_id=r["proposal"]) + "#vragen",
            f"beantwoord op {datum(clock.as_utc(r['answered_at']))}",
        )
        for r in answered
    ]
    mine = ctx.url("review:my_reviews")
    return [
        work_list("reviewer-to-do", "Beoordelingen te doen", to_do, mine),
        work_list("reviewer-answers", "Beantwoorde vragen", answers),
    ]


async def applicant_work(ctx: WorkContext) -> list[WorkList]:
    """One statement: the open questions about the person's proposals, one item a proposal."""
    rows = await ctx.read(open_questions_query(ctx.principal.user_id, ctx.network.id))
    per_proposal: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        per_proposal[r["proposal"]].append(r)
    items = [
        WorkItem(
            questions[0]["title"],
            ctx.url("proposals:detail", proposal_id=proposal_id) + "#vragen",
            "1 vraag open" if len(questions) == 1 else f"{len(questions)} vragen open",
        )
        for proposal_id, questions in per_proposal.items()
    ]
    return [work_list("applicant-questions", "Vragen om te beantwoorden", items)]


# The network's proposals in review or advised.
_IN_REVIEW = ("submitted", "in_review", "advised")


# The network's proposals under review, each with how many reviews its current version has
# and how many of them are handed in: counted in the database, a row per proposal (at full size
# 180 proposals and 360 reviews were read to count them here). Table names as in the tables'
# modules; `tests/review/test_worklist_counts.py` checks it against the same in Piccolo.
_IN_REVIEW_COUNTS = """
SELECT p.id AS id, p.title AS title, p.round AS round, p.state AS state,
       COUNT(r.id) AS reviews,
       COALESCE(SUM(CASE WHEN r.state = {} THEN 1 ELSE 0 END), 0) AS done
FROM proposal p
LEFT JOIN review r ON r.proposal = p.id AND r.version = p.version
WHERE p.network = {} AND p.state IN ({}, {}, {})
GROUP BY p.id, p.title, p.round, p.state
ORDER BY p.id
"""


def in_review_counts_query(network_id: int) -> Raw:
    return Raw(
        _IN_REVIEW_COUNTS,
        (ReviewState.submitted.value, network_id, *_IN_REVIEW),
        ("id", "title", "round", "state", "reviews", "done"),
        Proposal._meta.db,
    )


async def coordinator_work(ctx: WorkContext) -> list[WorkList]:
    """One round of reads: the network's proposals under review with their reviews counted,
    the review deadlines of its rounds."""
    proposals, rounds_read = await ctx.gather(
        ctx.read(in_review_counts_query(ctx.network.id)),
        ctx.read(
            Round.select(Round.id, Round.review_deadline).where(
                (Round.network == ctx.network.id) & Round.review_deadline.is_not_null()
            )
        ),
    )
    deadlines = {r["id"]: clock.as_utc(r["review_deadline"]) for r in rounds_read}
    unassigned, overdue, for_advice, for_decision = [], [], [], []
    for p in proposals:
        reviews, done = int(p["reviews"]), int(p["done"])
        deadline = deadlines.get(p["round"])
        if p["state"] == ProposalState.advised:
            for_decision.append(p)
        elif reviews == 0:
            unassigned.append(p)
        elif done == reviews:
            for_advice.append(p)
        elif deadline is not None and deadline <= ctx.now:
            overdue.append(p)

    def item(note: Callable[[int, int], str], late: bool = False) -> Callable[[dict], WorkItem]:
        def made(p: dict) -> WorkItem:
            href = ctx.url("review:proposal", proposal_id=p["id"])
            due = deadlines.get(p["round"]) if late else None
            return WorkItem(
                p["title"], href, note(int(p["reviews"]), int(p["done"])), due, late=late
            )

        return made

    rounds = ctx.url("review:rounds")
    return [
        work_list_of(
            "coordinator-unassigned",
            "Ingediend, zonder beoordelaars",
            unassigned,
            item(lambda reviews, done: "nog geen beoordelaars"),
            rounds,
        ),
        work_list_of(
            "coordinator-overdue-reviews",
            "Beoordelingen te laat",
            overdue,
            item(
                lambda reviews, done: f"{reviews - done} van {reviews} beoordelingen te laat", True
            ),
            rounds,
        ),
        work_list_of(
            "coordinator-advice",
            "Klaar voor advies",
            for_advice,
            item(lambda reviews, done: f"{done} van {reviews} beoordelingen binnen"),
            rounds,
        ),
        work_list_of(
            "coordinator-decision",
            "Klaar voor besluit",
            for_decision,
            item(lambda reviews, done: "advies vastgelegd"),
            rounds,
        ),
    ]


def register() -> None:
    worklist.register(Role.coordinator, coordinator_work)
    worklist.register(Role.reviewer, reviewer_work)
    worklist.register(Role.applicant, applicant_work)
