"""Scores per proposal and the ranking per theme (DESIGN.md §2.3).

Pure functions over submitted reviews. No floats: means and medians are exact fractions turned
into `Decimal` by rounding half up in integer arithmetic; money is integer cents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any, Protocol

from proposals.criteria import DEFAULT_CRITERIA, Criteria, pass_fail, scored

# The codes of the default set (Zuid-West's); a round's own set is passed as `criteria`.
SCORE_CRITERIA = tuple(c.code for c in scored(DEFAULT_CRITERIA))
PRECONDITIONS = tuple(c.code for c in pass_fail(DEFAULT_CRITERIA))
SCORE_MIN = 1
SCORE_MAX = 5

RECOMMENDATIONS: dict[str, str] = {
    "toekennen": "Toekennen",
    "toekennen_onder_voorwaarden": "Toekennen onder voorwaarden",
    "aanpassen": "Aanpassen",
    "afwijzen": "Afwijzen",
}
PRECONDITION_VALUES: dict[str, str] = {
    "voldoet": "Voldoet",
    "voldoet_niet": "Voldoet niet",
    "onduidelijk": "Onduidelijk",
}

# Reviewers whose scores on one criterion differ this many points or more disagree.
DISAGREEMENT_SPREAD = 2

RANK_SORTS = ("mean", "spread", "amount")


@dataclass(frozen=True)
class ReviewScores:
    reviewer_id: int
    # criterion -> 1..5; a missing criterion (or None) is left out of the statistics.
    scores: Mapping[str, int]
    # precondition -> a key of PRECONDITION_VALUES; missing or "" means not answered.
    preconditions: Mapping[str, str]
    recommendation: str | None  # a key of RECOMMENDATIONS; None or "" means not given


@dataclass(frozen=True)
class CriterionStats:
    criterion: str
    count: int
    mean: Decimal | None  # 2 decimals
    median: Decimal | None  # 1 decimal, exact: 4.0, or 3.5 halfway between two scores
    minimum: int | None
    maximum: int | None
    spread: int | None  # maximum - minimum

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass(frozen=True)
class ProposalAggregate:
    criteria: dict[str, CriterionStats]  # every scored criterion of the set, in its order
    # the mean of the criterion means that have data, weighted by the criteria's weights;
    # 2 decimals
    overall_mean: Decimal | None
    overall_spread: int | None  # the largest criterion spread
    # every pass/fail criterion of the set -> sorted reviewer ids that said "voldoet_niet"
    precondition_failures: dict[str, list[int]]
    # every recommendation of RECOMMENDATIONS -> how many reviewers gave it
    recommendations: dict[str, int]
    warnings: list[str]  # Dutch, disagreements first (criterion order), then preconditions
    # The excluding criteria a reviewer found the proposal failing: it fits no budget.
    excluded_by: tuple[str, ...] = ()

    @property
    def excluded(self) -> bool:
        return bool(self.excluded_by)


class Scored(Protocol):
    """What the ranking reads of a proposal's statistics: a `ProposalAggregate` or an
    `OverallScore`."""

    @property
    def overall_mean(self) -> Decimal | None: ...

    @property
    def overall_spread(self) -> int | None: ...

    @property
    def excluded(self) -> bool: ...


@dataclass(frozen=True)
class OverallScore:
    overall_mean: Decimal | None  # as ProposalAggregate.overall_mean
    overall_spread: int | None  # as ProposalAggregate.overall_spread
    excluded: bool = False  # as ProposalAggregate.excluded


@dataclass(frozen=True)
class RankedProposal:
    proposal_id: int
    title: str
    requested_cents: int
    mean: Decimal | None
    spread: int | None
    cumulative_cents: int  # total requested by the fitting proposals up to and including this one
    fits: bool
    rank: int  # 1-based position in the ranking by mean, whatever the display order
    excluded: bool = False  # failed an excluding criterion: never fits


def scores_of(review: Mapping[str, Any], criteria: Criteria) -> ReviewScores:
    """A stored review (its `scores` JSON by criterion code) as the statistics read it."""
    answers = review["scores"] or {}
    return ReviewScores(
        reviewer_id=review["reviewer"],
        scores={c.code: answers[c.code] for c in scored(criteria) if c.code in answers},
        preconditions={c.code: answers[c.code] for c in pass_fail(criteria) if c.code in answers},
        recommendation=review["recommendation"] or None,
    )


def aggregate(
    reviews: Sequence[ReviewScores], criteria: Criteria = DEFAULT_CRITERIA
) -> ProposalAggregate:
    """Statistics over the submitted reviews of one proposal (drafts are the caller's to skip),
    on the round's criteria set.

    Raises ValueError on a score outside 1..5, an unknown criterion, precondition, value or
    recommendation, or two reviews by the same reviewer.
    """
    reviewer_ids = [review.reviewer_id for review in reviews]
    if len(set(reviewer_ids)) != len(reviewer_ids):
        raise ValueError("more than one review by the same reviewer")

    codes = tuple(c.code for c in scored(criteria))
    checks = tuple(c.code for c in pass_fail(criteria))
    values: dict[str, list[int]] = {criterion: [] for criterion in codes}
    failures: dict[str, list[int]] = {precondition: [] for precondition in checks}
    recommendations = dict.fromkeys(RECOMMENDATIONS, 0)
    for review in reviews:
        for criterion, score in _filled_scores(review.scores, codes, strict=True).items():
            values[criterion].append(score)
        for precondition, answer in review.preconditions.items():
            if precondition not in checks:
                raise ValueError(f"unknown precondition {precondition!r}")
            if not answer:
                continue
            if answer not in PRECONDITION_VALUES:
                raise ValueError(f"unknown answer {answer!r} for {precondition}")
            if answer == "voldoet_niet":
                failures[precondition].append(review.reviewer_id)
        if review.recommendation:
            if review.recommendation not in RECOMMENDATIONS:
                raise ValueError(f"unknown recommendation {review.recommendation!r}")
            recommendations[review.recommendation] += 1

    stats_by_code = {criterion: _stats(criterion, values[criterion]) for criterion in codes}
    weights = {c.code: c.weight for c in scored(criteria)}
    weighted = [(Fraction(sum(v), len(v)), weights[code]) for code, v in values.items() if v]
    spreads = [stats.spread for stats in stats_by_code.values() if stats.spread is not None]

    warnings = [
        f"Beoordelaars verschillen {DISAGREEMENT_SPREAD} punten of meer op {stats.criterion} "
        f"({stats.minimum} tot {stats.maximum})."
        for stats in stats_by_code.values()
        if stats.disagreement
    ]
    for precondition, ids in failures.items():
        ids.sort()
        if ids:
            who = "1 beoordelaar vindt" if len(ids) == 1 else f"{len(ids)} beoordelaars vinden"
            warnings.append(f"{precondition}: {who} dat het voorstel niet voldoet.")

    excluding = {c.code for c in pass_fail(criteria) if c.excluding}
    return ProposalAggregate(
        criteria=stats_by_code,
        overall_mean=(
            _quantize(
                sum((mean * w for mean, w in weighted), Fraction(0)) / sum(w for _, w in weighted),
                2,
            )
            if weighted
            else None
        ),
        overall_spread=max(spreads) if spreads else None,
        precondition_failures=failures,
        recommendations=recommendations,
        warnings=warnings,
        excluded_by=tuple(code for code in checks if code in excluding and failures[code]),
    )


@dataclass(frozen=True)
class ScoreShape:
    """What `overall_score` needs of a set of criteria, worked out once for a round's
    hundreds of proposals instead of once for each."""

    codes: tuple[str, ...]  # the scored criteria
    excluding: frozenset[str]  # pass/fail criteria whose "voldoet niet" excludes
    weights: dict[str, int]

    @classmethod
    def of(cls, criteria: Criteria) -> ScoreShape:
        return cls(
            tuple(c.code for c in scored(criteria)),
            frozenset(c.code for c in pass_fail(criteria) if c.excluding),
            {c.code: c.weight for c in scored(criteria)},
        )


def overall_score(
    scores: Iterable[Mapping[str, int | str | None]],
    criteria: Criteria = DEFAULT_CRITERIA,
    shape: ScoreShape | None = None,
) -> OverallScore:
    """`aggregate(reviews).overall_mean`, `.overall_spread` and `.excluded`, from the answers
    of the same submitted reviews (each a mapping of criterion code to its score or, for a
    pass/fail criterion, its answer), without the rest of the statistics.

    The round page ranks every proposal of a round and needs only these figures; the full
    aggregate of a few hundred proposals was a third of that page's time. Same arithmetic:
    the weighted mean of the criterion means that have data, rounded once; the largest
    criterion spread. Raises ValueError on a score outside 1..5 or an unknown criterion.
    """
    shape = shape or ScoreShape.of(criteria)
    codes, excluding = shape.codes, shape.excluding
    excluded = False
    # criterion -> [sum, count, lowest, highest] of its scores
    stats: dict[str, list[int]] = {}
    for review in scores:
        excluded = excluded or any(review.get(code) == "voldoet_niet" for code in excluding)
        numbers: dict[str, int | None] = {k: v for k, v in review.items() if not isinstance(v, str)}
        for criterion, score in _filled_scores(numbers, codes, strict=True).items():
            seen = stats.get(criterion)
            if seen is None:
                stats[criterion] = [score, 1, score, score]
                continue
            seen[0] += score
            seen[1] += 1
            seen[2] = min(seen[2], score)
            seen[3] = max(seen[3], score)
    if not stats:
        return OverallScore(overall_mean=None, overall_spread=None, excluded=excluded)
    # The weighted sum of the criterion means (sum / count each) over a common denominator,
    # in ints: Fraction arithmetic made this the page's costliest loop again.
    weights = shape.weights
    common = lcm(*(count for _, count, _, _ in stats.values()))
    numerator = sum(
        total * (common // count) * weights[code] for code, (total, count, _, _) in stats.items()
    )
    return OverallScore(
        overall_mean=_round_half_up(numerator, common * sum(weights[code] for code in stats), 2),
        overall_spread=max(highest - lowest for _, _, lowest, highest in stats.values()),
        excluded=excluded,
    )


def running_mean(
    scores: Mapping[str, int | None], criteria: Criteria = DEFAULT_CRITERIA
) -> Decimal | None:
    """Weighted mean of the filled-in scores of one review, 1 decimal, for the live display
    while scoring.

    Keys other than the set's scored criteria are ignored (a whole form may be passed); None
    means not filled in. None when nothing is filled in. Raises ValueError on a score outside
    1..5.
    """
    weights = {c.code: c.weight for c in scored(criteria)}
    filled = _filled_scores(scores, tuple(weights), strict=False)
    if not filled:
        return None
    total = sum(score * weights[code] for code, score in filled.items())
    return _quantize(Fraction(total, sum(weights[code] for code in filled)), 1)


def rank_theme(
    items: Sequence[tuple[int, str, int, Scored]],
    remaining_budget_cents: int,
    sort: str = "mean",
) -> list[RankedProposal]:
    """Rank the proposals of one theme and show which fit in its remaining guide budget.

    `items` are (proposal_id, title, requested_cents, aggregate); the aggregate may be an
    `OverallScore`, as only its overall mean and spread are read.

    The ranking is always by overall mean: highest first, proposals without a mean last, ties
    by the lower requested amount, then the lower proposal id. Walking down that ranking, a
    proposal fits when its requested amount fits in what is left of the budget after the
    proposals that fitted before it; only fitting proposals use up budget. So a proposal that
    does not fit does not stop a cheaper one further down from fitting. A proposal that failed
    an excluding criterion keeps its place in the ranking but never fits. `cumulative_cents` is
    the total requested by the fitting proposals up to and including this row (for a row that
    does not fit: up to the row before it).

    `sort` changes only the order of the returned list, never `fits`, `cumulative_cents` or
    `rank`: "mean" (the ranking), "spread" (largest spread first, none last) or "amount"
    (largest requested amount first); ties keep the ranking order.
    """
    if sort not in RANK_SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {RANK_SORTS}")
    for proposal_id, _, requested_cents, _ in items:
        if requested_cents < 0:
            raise ValueError(f"negative requested amount for proposal {proposal_id}")

    def by_mean(item: tuple[int, str, int, Scored]) -> tuple[bool, Decimal, int, int]:
        proposal_id, _, requested_cents, agg = item
        mean = agg.overall_mean
        return (mean is None, -(mean or Decimal(0)), requested_cents, proposal_id)

    ranked: list[RankedProposal] = []
    cumulative = 0
    for rank, (proposal_id, title, requested_cents, agg) in enumerate(
        sorted(items, key=by_mean), start=1
    ):
        fits = not agg.excluded and cumulative + requested_cents <= remaining_budget_cents
        if fits:
            cumulative += requested_cents
        ranked.append(
            RankedProposal(
                proposal_id=proposal_id,
                title=title,
                requested_cents=requested_cents,
                mean=agg.overall_mean,
                spread=agg.overall_spread,
                cumulative_cents=cumulative,
                fits=fits,
                rank=rank,
                excluded=agg.excluded,
            )
        )

    if sort == "spread":
        ranked.sort(key=lambda row: (row.spread is None, -(row.spread or 0)))
    elif sort == "amount":
        ranked.sort(key=lambda row: -row.requested_cents)
    return ranked


def _filled_scores(
    scores: Mapping[str, int | None], codes: Sequence[str], *, strict: bool
) -> dict[str, int]:
    """The filled-in scores of the criteria `codes`, checked to be 1..5; `strict` refuses
    unknown keys."""
    filled: dict[str, int] = {}
    for criterion, score in scores.items():
        if criterion not in codes:
            if strict:
                raise ValueError(f"unknown criterion {criterion!r}")
            continue
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValueError(f"score for {criterion} must be an integer, not {score!r}")
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ValueError(f"score for {criterion} must be {SCORE_MIN}-{SCORE_MAX}, not {score}")
        filled[criterion] = score
    return filled


def _stats(criterion: str, values: list[int]) -> CriterionStats:
    if not values:
        return CriterionStats(criterion, 0, None, None, None, None, None)
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        median = Fraction(ordered[middle])
    else:
        median = Fraction(ordered[middle - 1] + ordered[middle], 2)
    return CriterionStats(
        criterion=criterion,
        count=len(ordered),
        mean=_quantize(Fraction(sum(ordered), len(ordered)), 2),
        median=_quantize(median, 1),  # exact: a score or halfway between two
        minimum=ordered[0],
        maximum=ordered[-1],
        spread=ordered[-1] - ordered[0],
    )


def _quantize(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to `places` decimals like ROUND_HALF_UP (ties away from zero)."""
    return _round_half_up(value.numerator, value.denominator, places)


def _round_half_up(numerator: int, denominator: int, places: int) -> Decimal:
    """numerator / denominator (denominator > 0) rounded to `places` decimals like
    ROUND_HALF_UP (ties away from zero).

    Done in integers, so there is no intermediate rounding of a repeating decimal; and in plain
    ints rather than Fraction arithmetic, which made this the costliest line of the round page
    (four criteria for every proposal of a round).
    """
    scaled = abs(numerator) * 10**places
    digits = (2 * scaled + denominator) // (2 * denominator)  # floor(n/d + 1/2)
    return Decimal(digits if numerator >= 0 else -digits).scaleb(-places)
