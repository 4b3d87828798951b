"""Scores per proposal, the live mean while scoring, and the ranking per theme."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.aggregate import (
    PRECONDITIONS,
    RECOMMENDATIONS,
    SCORE_CRITERIA,
    ProposalAggregate,
    ReviewScores,
    aggregate,
    rank_theme,
    running_mean,
)


def review(
    reviewer_id: int,
    scores: dict[str, int] | None = None,
    preconditions: dict[str, str] | None = None,
    recommendation: str | None = None,
) -> ReviewScores:
    return ReviewScores(reviewer_id, scores or {}, preconditions or {}, recommendation)


def on_c1(*scores: int) -> list[ReviewScores]:
    return [review(i, {"C1": s}) for i, s in enumerate(scores, start=1)]


# --- aggregate ----------------------------------------------------------------------------


def test_three_scores_with_disagreement() -> None:
    stats = aggregate(on_c1(4, 2, 5)).criteria["C1"]
    assert stats.count == 3
    assert stats.mean == Decimal("3.67")
    assert str(stats.mean) == "3.67"
    assert stats.median == Decimal(4)
    assert (stats.minimum, stats.maximum, stats.spread) == (2, 5, 3)
    assert stats.disagreement


def test_two_scores_close_together() -> None:
    stats = aggregate(on_c1(3, 4)).criteria["C1"]
    assert stats.mean == Decimal("3.5")
    assert str(stats.mean) == "3.50"
    assert stats.median == Decimal("3.5")
    assert stats.spread == 1
    assert not stats.disagreement


def test_spread_of_exactly_two_is_disagreement() -> None:
    agg = aggregate([review(1, {"C2": 2}), review(2, {"C2": 4}), review(3, {"C2": 3})])
    assert agg.criteria["C2"].disagreement
    assert agg.warnings == ["Beoordelaars verschillen 2 punten of meer op C2 (2 tot 4)."]


def test_mean_rounds_half_up() -> None:
    # (2 + 3 + 3 + 3 + 3 + 3 + 3 + 5) / 8 = 3.125 -> 3.13 (half-even would give 3.12).
    assert aggregate(on_c1(2, 3, 3, 3, 3, 3, 3, 5)).criteria["C1"].mean == Decimal("3.13")


def test_median_of_an_even_count_is_halfway() -> None:
    assert aggregate(on_c1(1, 2, 4, 5)).criteria["C1"].median == Decimal("3.0")
    assert aggregate(on_c1(1, 2, 3, 5)).criteria["C1"].median == Decimal("2.5")


def test_overall_mean_and_spread() -> None:
    agg = aggregate(
        [
            review(1, {"C1": 4, "C2": 3, "C3": 5, "C4": 2}),
            review(2, {"C1": 2, "C2": 3, "C3": 4, "C4": 2}),
            review(3, {"C1": 5, "C2": 3, "C3": 4}),  # C4 left open
        ]
    )
    # Criterion means: 11/3, 3, 13/3, 2 -> (11/3 + 3 + 13/3 + 2) / 4 = 13/4.
    assert agg.overall_mean == Decimal("3.25")
    assert agg.overall_spread == 3
    assert agg.criteria["C4"].count == 2


def test_overall_mean_uses_exact_criterion_means() -> None:
    # C1 mean 11/3, C2 mean 3: exactly 10/3 -> 3.33; from the rounded 3.67 it would be 3.34.
    agg = aggregate([review(1, {"C1": 4, "C2": 3}), review(2, {"C1": 2}), review(3, {"C1": 5})])
    assert agg.overall_mean == Decimal("3.33")


def test_criteria_without_scores_are_left_out_of_the_overall_mean() -> None:
    agg = aggregate([review(1, {"C3": 4}), review(2, {"C3": 5})])
    assert agg.overall_mean == Decimal("4.50")
    assert agg.criteria["C1"].mean is None


def test_precondition_not_met_is_a_warning() -> None:
    agg = aggregate(
        [
            review(7, preconditions={"R1": "voldoet", "R4": "voldoet_niet"}),
            review(3, preconditions={"R1": "onduidelijk", "R3": "voldoet", "R4": "voldoet"}),
            review(5, preconditions={"R3": "voldoet_niet", "R4": "voldoet_niet"}),
        ]
    )
    assert agg.precondition_failures == {"R1": [], "R3": [5], "R4": [5, 7]}
    assert agg.warnings == [
        "R3: 1 beoordelaar vindt dat het voorstel niet voldoet.",
        "R4: 2 beoordelaars vinden dat het voorstel niet voldoet.",
    ]


def test_recommendations_are_counted() -> None:
    agg = aggregate(
        [
            review(1, recommendation="toekennen"),
            review(2, recommendation="afwijzen"),
            review(3, recommendation="toekennen"),
            review(4, recommendation=None),
            review(5, recommendation=""),
        ]
    )
    assert agg.recommendations == {
        "toekennen": 2,
        "toekennen_onder_voorwaarden": 0,
        "aanpassen": 0,
        "afwijzen": 1,
    }
    assert list(agg.recommendations) == list(RECOMMENDATIONS)


def test_no_reviews() -> None:
    agg = aggregate([])
    assert list(agg.criteria) == list(SCORE_CRITERIA)
    for stats in agg.criteria.values():
        assert stats.count == 0
        assert stats.mean is stats.median is stats.minimum is stats.maximum is None
        assert stats.spread is None
        assert not stats.disagreement
    assert agg.overall_mean is None
    assert agg.overall_spread is None
    assert agg.precondition_failures == {p: [] for p in PRECONDITIONS}
    assert sum(agg.recommendations.values()) == 0
    assert agg.warnings == []


def test_unanswered_precondition_is_skipped() -> None:
    agg = aggregate([review(1, preconditions={"R1": ""})])
    assert agg.precondition_failures["R1"] == []


@pytest.mark.parametrize(
    "bad",
    [
        review(1, {"C1": 0}),
        review(1, {"C1": 6}),
        review(1, {"C5": 3}),
        review(1, preconditions={"R2": "voldoet"}),
        review(1, preconditions={"R1": "ja"}),
        review(1, recommendation="misschien"),
    ],
)
def test_refuses_bad_reviews(bad: ReviewScores) -> None:
    with pytest.raises(ValueError):
        aggregate([bad])


def test_refuses_two_reviews_by_one_reviewer() -> None:
    with pytest.raises(ValueError):
        aggregate([review(1, {"C1": 3}), review(1, {"C1": 4})])


@given(st.lists(st.integers(1, 5), min_size=1, max_size=12))
def test_statistics_stay_within_the_scores(scores: list[int]) -> None:
    stats = aggregate(on_c1(*scores)).criteria["C1"]
    assert stats.minimum is not None and stats.maximum is not None
    assert stats.mean is not None and stats.median is not None
    assert stats.minimum <= stats.mean <= stats.maximum
    assert stats.minimum <= stats.median <= stats.maximum
    assert stats.spread == stats.maximum - stats.minimum
    assert stats.mean.as_tuple().exponent == -2
    assert abs(stats.mean * len(scores) - sum(scores)) <= Decimal("0.005") * len(scores)


# --- running_mean -------------------------------------------------------------------------


def test_running_mean_of_filled_scores() -> None:
    assert running_mean({"C1": 4, "C2": None, "C3": 3, "C4": None}) == Decimal("3.5")
    assert running_mean({"C1": 4, "C2": 4, "C3": 5}) == Decimal("4.3")
    assert str(running_mean({"C1": 4})) == "4.0"


def test_running_mean_rounds_half_up() -> None:
    # (3 + 4 + 4 + 4) / 4 = 3.75 -> 3.8
    assert running_mean({"C1": 3, "C2": 4, "C3": 4, "C4": 4}) == Decimal("3.8")


def test_running_mean_without_scores() -> None:
    assert running_mean({}) is None
    assert running_mean({"C1": None, "C2": None}) is None


def test_running_mean_ignores_other_fields_but_refuses_bad_scores() -> None:
    assert running_mean({"C1": 2, "advice": 3}) == Decimal("2.0")
    with pytest.raises(ValueError):
        running_mean({"C1": 9})


# --- rank_theme ---------------------------------------------------------------------------


def scored(mean: str | None, spread: int | None = None) -> ProposalAggregate:
    """An aggregate with only the fields the ranking reads."""
    return ProposalAggregate(
        criteria={},
        overall_mean=None if mean is None else Decimal(mean),
        overall_spread=spread,
        precondition_failures={},
        recommendations={},
        warnings=[],
    )


THEME = [
    (1, "Wachtlijstbrug", 40_000_00, scored("4.20", 1)),
    (2, "Crisisbedden", 70_000_00, scored("3.90", 3)),  # does not fit after 1
    (3, "Gezinshuis", 25_000_00, scored("3.50", 0)),  # cheaper: still fits
    (4, "Kennisdag", 10_000_00, scored(None)),  # not scored yet: last, nothing left
    (5, "Matchingstafel", 30_000_00, scored("3.90", 2)),  # tie with 2: cheaper first
]


def test_ranking_and_what_fits() -> None:
    rows = rank_theme(THEME, remaining_budget_cents=100_000_00)
    assert [(r.proposal_id, r.rank, r.fits, r.cumulative_cents) for r in rows] == [
        (1, 1, True, 40_000_00),
        (5, 2, True, 70_000_00),
        (2, 3, False, 70_000_00),
        (3, 4, True, 95_000_00),
        (4, 5, False, 95_000_00),
    ]
    assert rows[0].mean == Decimal("4.20")
    assert rows[0].spread == 1
    assert rows[0].title == "Wachtlijstbrug"


def test_exactly_the_remaining_budget_fits() -> None:
    rows = rank_theme(THEME[:1], remaining_budget_cents=40_000_00)
    assert rows[0].fits
    assert not rank_theme(THEME[:1], remaining_budget_cents=40_000_00 - 1)[0].fits


def test_ties_on_mean_and_amount_go_by_id() -> None:
    rows = rank_theme([(9, "B", 100, scored("3.00")), (8, "A", 100, scored("3.00"))], 100)
    assert [(r.proposal_id, r.fits) for r in rows] == [(8, True), (9, False)]


@pytest.mark.parametrize(
    ("sort", "order"),
    [("mean", [1, 5, 2, 3, 4]), ("spread", [2, 5, 1, 3, 4]), ("amount", [2, 1, 5, 3, 4])],
)
def test_sort_changes_only_the_display_order(sort: str, order: list[int]) -> None:
    by_mean = {r.proposal_id: r for r in rank_theme(THEME, 100_000_00)}
    rows = rank_theme(THEME, 100_000_00, sort=sort)
    assert [r.proposal_id for r in rows] == order
    assert all(r == by_mean[r.proposal_id] for r in rows)


def test_rank_refuses_unknown_sort_and_negative_amounts() -> None:
    with pytest.raises(ValueError):
        rank_theme(THEME, 0, sort="title")
    with pytest.raises(ValueError):
        rank_theme([(1, "A", -1, scored("3.00"))], 0)


def test_empty_theme() -> None:
    assert rank_theme([], 100) == []


@given(
    st.lists(
        st.tuples(st.integers(0, 10**7), st.one_of(st.none(), st.integers(100, 500))),
        max_size=15,
    ),
    st.integers(-(10**6), 5 * 10**7),
)
def test_fitting_proposals_never_exceed_the_budget(
    rows: list[tuple[int, int | None]], budget: int
) -> None:
    items = [
        (i, f"V{i}", amount, scored(None if mean is None else str(Decimal(mean) / 100)))
        for i, (amount, mean) in enumerate(rows)
    ]
    ranked = rank_theme(items, budget)
    total = 0
    for row in ranked:
        if row.fits:
            total += row.requested_cents
        else:
            assert total + row.requested_cents > budget
        assert row.cumulative_cents == total
    assert total <= budget or total == 0
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
