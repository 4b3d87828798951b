"""Reviewer assignment: conflicts, the hard rules (property-based), balance, messages."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.assignment import (
    CONFLICT_REASONS,
    AssignmentPlan,
    ProposalInfo,
    ReviewerInfo,
    conflict_reason,
    propose_assignment,
)


def reviewer(id_: int, kind: str = "ao", region: int | None = None, orgs=()) -> ReviewerInfo:
    return ReviewerInfo(id_, f"Beoordelaar {id_}", kind, region, frozenset(orgs))


def proposal(
    id_: int,
    title: str = "Wachtlijstbrug",
    region: int | None = None,
    org: int | None = None,
    declared=(),
    assigned=(),
) -> ProposalInfo:
    return ProposalInfo(id_, title, region, org, frozenset(declared), frozenset(assigned))


# --- conflict_reason ----------------------------------------------------------------------


def test_own_region_is_a_conflict() -> None:
    assert conflict_reason(reviewer(1, region=7), proposal(1, region=7)) == "own_region"


def test_own_organisation_is_a_conflict() -> None:
    assert conflict_reason(reviewer(1, orgs={3, 4}), proposal(1, org=4)) == "own_organisation"


def test_declared_conflict() -> None:
    assert conflict_reason(reviewer(5), proposal(1, declared={5})) == "declared"


def test_no_conflict() -> None:
    assert conflict_reason(reviewer(1, region=7, orgs={3}), proposal(1, region=8, org=4)) is None


def test_unknown_region_or_organisation_is_no_conflict() -> None:
    assert conflict_reason(reviewer(1, region=None), proposal(1, region=None)) is None
    assert conflict_reason(reviewer(1, orgs=set()), proposal(1, org=None)) is None


def test_region_is_reported_before_organisation_and_declaration() -> None:
    both = conflict_reason(reviewer(1, region=7, orgs={3}), proposal(1, region=7, org=3))
    assert both == "own_region"
    declared_too = conflict_reason(reviewer(1, orgs={3}), proposal(1, org=3, declared={1}))
    assert declared_too == "own_organisation"


def test_every_reason_has_a_label() -> None:
    assert set(CONFLICT_REASONS) == {"own_region", "own_organisation", "declared"}


# --- examples -----------------------------------------------------------------------------


def test_simple_round() -> None:
    pool = [reviewer(1, "ao", 1), reviewer(2, "ao", 2), reviewer(3, "chair", 3)]
    plan = propose_assignment([proposal(10, region=4)], pool)
    assert plan.assignments == {10: (1, 2, 3)}
    assert plan.problems == []
    assert plan.load == {1: 1, 2: 1, 3: 1}


def test_no_chair_without_conflict_names_the_title() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "ao"), reviewer(3, "ao"), reviewer(4, "chair", 5)]
    plan = propose_assignment([proposal(10, "Wachtlijstbrug", region=5)], pool)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: geen voorzitter van een expertteam zonder belangenconflict."
    ]
    assert plan.assignments == {10: ()}
    assert plan.load == {1: 0, 2: 0, 3: 0, 4: 0}


def test_no_ao_member_without_conflict() -> None:
    pool = [reviewer(1, "ao", orgs={9}), reviewer(2, "chair"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10, "Crisisbedden", org=9)], pool, per_proposal=2)
    assert [p.message for p in plan.problems] == [
        "Crisisbedden: geen AO-lid zonder belangenconflict."
    ]


def test_too_few_reviewers_without_conflict() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "chair"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10, declared={3})], pool)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: maar 2 beoordelaars zonder belangenconflict beschikbaar; "
        "er zijn er 3 nodig."
    ]


def test_several_reasons_give_several_problems() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "ao", region=1)]
    plan = propose_assignment([proposal(10, region=1)], pool)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: maar 1 beoordelaar zonder belangenconflict beschikbaar; "
        "er zijn er 3 nodig.",
        "Wachtlijstbrug: geen voorzitter van een expertteam zonder belangenconflict.",
    ]
    assert plan.proposals_with_problems == {10}


def test_one_reviewer_per_proposal_needs_no_kind_mix() -> None:
    plan = propose_assignment([proposal(10)], [reviewer(1, "chair")], per_proposal=1)
    assert plan.assignments == {10: (1,)}
    assert plan.problems == []
    empty = propose_assignment([proposal(10, declared={1})], [reviewer(1)], per_proposal=1)
    assert [p.message for p in empty.problems] == [
        "Wachtlijstbrug: geen beoordelaars zonder belangenconflict beschikbaar; er is er 1 nodig."
    ]


def test_hand_assigned_reviewers_are_kept() -> None:
    pool = [reviewer(i, "ao" if i <= 3 else "chair") for i in range(1, 7)]
    plan = propose_assignment([proposal(10, assigned={6})], pool)
    assert 6 in plan.assignments[10]
    assert plan.dropped == {}


def test_conflicted_or_unknown_hand_assigned_reviewers_are_dropped() -> None:
    pool = [reviewer(1, "ao", region=2), reviewer(2, "ao"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10, region=2, assigned={1, 99})], pool, per_proposal=2)
    assert plan.assignments == {10: (2, 3)}
    assert plan.dropped == {10: (1, 99)}


def test_hand_assignments_that_fill_every_place_without_a_chair() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "ao"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10, assigned={1, 2})], pool, per_proposal=2)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: de met de hand toegewezen beoordelaars vullen alle 2 plaatsen, "
        "maar er zit geen voorzitter van een expertteam bij."
    ]
    assert plan.assignments == {10: (1, 2)}


def test_more_hand_assignments_than_places() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "chair"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10, assigned={1, 2, 3})], pool, per_proposal=2)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: 3 beoordelaars met de hand toegewezen; er zijn er 2 nodig."
    ]
    assert plan.assignments == {10: (1, 2, 3)}
    assert plan.load == {1: 1, 2: 1, 3: 1}


def test_prefers_a_region_not_yet_on_the_proposal() -> None:
    pool = [reviewer(1, "ao", 1), reviewer(2, "chair", 1), reviewer(3, "chair", 2)]
    plan = propose_assignment([proposal(10)], pool, per_proposal=2)
    assert plan.assignments == {10: (1, 3)}


def test_prefers_the_least_loaded_reviewer() -> None:
    pool = [reviewer(1, "ao"), reviewer(2, "ao"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10)], pool, per_proposal=2, existing_load={1: 4})
    assert plan.assignments == {10: (2, 3)}
    assert plan.load == {1: 0, 2: 1, 3: 1}


def test_most_constrained_proposal_is_served_first() -> None:
    # Proposal 20 can only have reviewer 2 as its AO member; proposal 10 can have either.
    # Handled first, 20 takes 2, and the balance then gives 10 reviewer 1.
    pool = [reviewer(1, "ao", region=5), reviewer(2, "ao"), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10), proposal(20, region=5)], pool, per_proposal=2)
    assert plan.assignments == {10: (1, 3), 20: (2, 3)}


def test_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        propose_assignment([proposal(1)], [reviewer(1), reviewer(1)])
    with pytest.raises(ValueError):
        propose_assignment([proposal(1), proposal(1)], [reviewer(1)])
    with pytest.raises(ValueError):
        propose_assignment([proposal(1)], [reviewer(1)], needs={"ao": -1})
    with pytest.raises(ValueError):
        propose_assignment([proposal(1)], [reviewer(1)], per_proposal=0)


# --- properties ---------------------------------------------------------------------------

REGIONS = st.one_of(st.none(), st.integers(1, 4))


@st.composite
def rounds(draw):
    """A random pool of reviewers, proposals and per_proposal."""
    count = draw(st.integers(1, 15))
    reviewers = [
        ReviewerInfo(
            id=id_,
            name=f"R{id_}",
            kind=draw(st.sampled_from(["ao", "chair"])),
            region_id=draw(REGIONS),
            organisation_ids=draw(st.frozensets(st.integers(1, 5), max_size=2)),
        )
        for id_ in range(1, count + 1)
    ]
    ids = st.integers(1, count + 2)  # a few ids outside the pool too
    proposals = [
        ProposalInfo(
            id=100 + n,
            title=f"Voorstel {n}",
            region_id=draw(REGIONS),
            lead_organisation_id=draw(st.one_of(st.none(), st.integers(1, 5))),
            declared_conflicts=draw(st.frozensets(ids, max_size=3)),
            already_assigned=draw(st.frozensets(ids, max_size=3)),
        )
        for n in range(draw(st.integers(1, 20)))
    ]
    per_proposal = draw(st.integers(1, 4))
    existing_load = draw(st.dictionaries(st.integers(1, count), st.integers(0, 5), max_size=count))
    return proposals, reviewers, per_proposal, existing_load


# Panels of other networks: Limburg's projectgroep with kinds Zuid-West does not have, a kind
# that needs two, a reviewer without a kind.
PANEL_KINDS = ["chair", "ervaring", "gemeente", ""]


@st.composite
def panel_rounds(draw):
    proposals, reviewers, per_proposal, existing_load = draw(rounds())
    reviewers = [
        ReviewerInfo(
            r.id, r.name, draw(st.sampled_from(PANEL_KINDS)), r.region_id, r.organisation_ids
        )
        for r in reviewers
    ]
    needs = draw(st.dictionaries(st.sampled_from(PANEL_KINDS[:3]), st.integers(0, 2), max_size=3))
    return proposals, reviewers, per_proposal, existing_load, needs


def kinds_ok(team: list[ReviewerInfo], per_proposal: int, needs: dict[str, int] | None) -> bool:
    if needs is None:
        kinds = {r.kind for r in team}
        return per_proposal < 2 or kinds >= {"ao", "chair"}
    have = Counter(r.kind for r in team)
    return all(have[kind] >= n for kind, n in needs.items())


def completable(
    p: ProposalInfo,
    reviewers: list[ReviewerInfo],
    per_proposal: int,
    needs: dict[str, int] | None = None,
) -> bool:
    """Brute force: is there a conflict-free team of the right size that keeps the kept?"""
    eligible = [r for r in reviewers if conflict_reason(r, p) is None]
    kept = [r for r in eligible if r.id in p.already_assigned]
    others = [r for r in eligible if r.id not in p.already_assigned]
    if len(kept) > per_proposal:
        return False
    return any(
        kinds_ok(kept + list(extra), per_proposal, needs)
        for extra in itertools.combinations(others, per_proposal - len(kept))
    )


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_plan_keeps_the_hard_rules(round_) -> None:
    check_hard_rules(*round_, None)


@settings(max_examples=300, deadline=None)
@given(panel_rounds())
def test_plan_keeps_any_networks_panel(round_) -> None:
    check_hard_rules(*round_)


def check_hard_rules(proposals, reviewers, per_proposal, existing_load, needs) -> None:
    plan = propose_assignment(proposals, reviewers, per_proposal, existing_load, needs)
    by_id = {r.id: r for r in reviewers}
    with_problems = plan.proposals_with_problems

    assert set(plan.assignments) == {p.id for p in proposals}
    for p in proposals:
        ids = plan.assignments[p.id]
        team = [by_id[i] for i in ids]
        kept = {r.id for r in reviewers if r.id in p.already_assigned}
        kept = {i for i in kept if conflict_reason(by_id[i], p) is None}
        assert len(set(ids)) == len(ids)
        assert all(conflict_reason(r, p) is None for r in team)
        if p.id in with_problems:
            assert not completable(p, reviewers, per_proposal, needs), p
            assert set(ids) == kept  # no new reviewers
            assert all(
                m.message.startswith(f"{p.title}: ") for m in plan.problems if m.proposal_id == p.id
            )
        else:
            assert completable(p, reviewers, per_proposal, needs), p
            assert len(ids) == per_proposal
            assert kinds_ok(team, per_proposal, needs)
            assert kept <= set(ids)
        assert set(plan.dropped.get(p.id, ())) == p.already_assigned - kept

    counted = Counter(i for ids in plan.assignments.values() for i in ids)
    assert plan.load == {r.id: counted[r.id] for r in reviewers}


@settings(max_examples=100, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_plan_does_not_depend_on_input_order(round_, rnd: random.Random) -> None:
    proposals, reviewers, per_proposal, existing_load = round_
    plan = propose_assignment(proposals, reviewers, per_proposal, existing_load)
    assert plan == propose_assignment(proposals, reviewers, per_proposal, existing_load)
    shuffled_proposals, shuffled_reviewers = list(proposals), list(reviewers)
    rnd.shuffle(shuffled_proposals)
    rnd.shuffle(shuffled_reviewers)
    other = propose_assignment(shuffled_proposals, shuffled_reviewers, per_proposal, existing_load)
    assert other.assignments == plan.assignments
    assert other.load == plan.load
    assert set(other.problems) == set(plan.problems)


@settings(max_examples=300, deadline=None)
@given(
    per_kind=st.integers(1, 6),
    per_proposal=st.integers(1, 4),
    proposal_count=st.integers(1, 20),
    regions=st.lists(REGIONS, min_size=12, max_size=12),
)
def test_work_is_spread_evenly_when_everyone_is_eligible(
    per_kind: int, per_proposal: int, proposal_count: int, regions: list[int | None]
) -> None:
    kinds = ["ao"] * per_kind + ["chair"] * per_kind
    reviewers = [
        ReviewerInfo(i + 1, f"R{i + 1}", kind, regions[i], frozenset())
        for i, kind in enumerate(kinds)
    ]
    per_proposal = min(per_proposal, len(reviewers))
    proposals = [proposal(100 + n) for n in range(proposal_count)]
    plan: AssignmentPlan = propose_assignment(proposals, reviewers, per_proposal)
    assert plan.problems == []
    assert max(plan.load.values()) - min(plan.load.values()) <= 1
    assert sum(plan.load.values()) == per_proposal * proposal_count


@pytest.mark.parametrize(
    ("kinds", "regions", "per_proposal", "proposal_count"),
    [
        # Picking by id alone filled the first proposals with AO members and later had to
        # pull in a busy AO member for the kind rule.
        (["ao"] * 5 + ["chair"] * 5, [None] * 10, 4, 5),
        # Preferring a new region over the kind balance did the same.
        (
            [{"a": "ao", "c": "chair"}[letter] for letter in "ccaaacaccaac"],
            [5, 4, 4, 2, 2, 4, 1, 4, 4, None, 1, 4],
            4,
            3,
        ),
    ],
)
def test_balance_regressions(
    kinds: list[str], regions: list[int | None], per_proposal: int, proposal_count: int
) -> None:
    reviewers = [
        ReviewerInfo(i + 1, f"R{i + 1}", kind, region, frozenset())
        for i, (kind, region) in enumerate(zip(kinds, regions, strict=True))
    ]
    proposals = [proposal(100 + n) for n in range(proposal_count)]
    plan = propose_assignment(proposals, reviewers, per_proposal)
    assert max(plan.load.values()) - min(plan.load.values()) <= 1


def test_a_reviewer_serving_two_regions_has_a_conflict_with_both() -> None:
    # A chair for Haaglanden (5) and Midden-Holland (6): listed first for 5.
    chair = ReviewerInfo(1, "Voorzitter", "chair", 5, frozenset(), frozenset({5, 6}))
    assert conflict_reason(chair, proposal(1, region=5)) == "own_region"
    assert conflict_reason(chair, proposal(2, region=6)) == "own_region"
    assert conflict_reason(chair, proposal(3, region=7)) is None
    plan = propose_assignment(
        [proposal(2, region=6)], [chair, reviewer(2, "ao", 7), reviewer(3, "chair", 8)], 2
    )
    assert 1 not in plan.assignments[2]


def test_limburgs_panel_needs_an_ervaringsdeskundige_and_a_chair() -> None:
    names = {"ervaring": "ervaringsdeskundige", "chair": "voorzitter regionaal expertteam"}
    pool = [
        reviewer(1, "chair", region=1),
        reviewer(2, "chair", region=2),
        reviewer(3, "gemeente"),
        reviewer(4, "ervaring"),
        reviewer(5, ""),
    ]
    needs = {"ervaring": 1, "chair": 1}
    plan = propose_assignment([proposal(10, region=1)], pool, 3, None, needs, names)
    assert plan.problems == []
    assert {4, 2} <= set(plan.assignments[10]) and 1 not in plan.assignments[10]
    # Without a conflict-free ervaringsdeskundige the network's own words say what lacks.
    plan = propose_assignment([proposal(10, declared={4})], pool, 3, None, needs, names)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: geen ervaringsdeskundige zonder belangenconflict."
    ]
    # Two of a kind: one is not enough.
    plan = propose_assignment([proposal(10, region=1)], pool, 3, None, {"chair": 2}, names)
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: maar 1 × voorzitter regionaal expertteam zonder belangenconflict; "
        "het panel vraagt er 2."
    ]
    plan = propose_assignment([proposal(10)], pool, 2, None, {"chair": 2, "ervaring": 1}, names)
    assert plan.problems[0].message.startswith("Wachtlijstbrug: het panel vraagt 2 × voorzitter")


def test_a_reviewer_without_a_kind_only_fills_a_free_place() -> None:
    pool = [reviewer(1, ""), reviewer(2, ""), reviewer(3, "chair")]
    plan = propose_assignment([proposal(10)], pool, 2, None, {"chair": 1})
    assert plan.assignments == {10: (1, 3)}
    plan = propose_assignment([proposal(10, assigned={1, 2})], pool, 2, None, {"chair": 1})
    assert [p.message for p in plan.problems] == [
        "Wachtlijstbrug: de met de hand toegewezen beoordelaars vullen alle 2 plaatsen, "
        "maar er zit geen voorzitter van een expertteam bij."
    ]
