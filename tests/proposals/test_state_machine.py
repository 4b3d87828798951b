"""The proposal state machine, tested from its own table: every allowed transition works for the
actors it names, every other state/action/actor combination is refused."""

from __future__ import annotations

import itertools

import pytest

from proposals.rules import (
    STATE_LABELS,
    TRANSITIONS,
    Actor,
    TransitionRefused,
    allowed_actions,
    apply_transition,
    diff_snapshots,
)

ACTIONS = sorted({action for _, action in TRANSITIONS})
CASES = list(itertools.product(sorted(STATE_LABELS), ACTIONS, list(Actor)))


@pytest.mark.parametrize(("state", "action", "actor"), CASES)
def test_transition_table(state: str, action: str, actor: Actor) -> None:
    transition = TRANSITIONS.get((state, action))
    if transition is not None and actor in transition.actors:
        assert apply_transition(state, action, {actor}).to_state == transition.to_state
    else:
        with pytest.raises(TransitionRefused):
            apply_transition(state, action, {actor})


def test_only_a_region_officer_submits() -> None:
    assert apply_transition("ready", "submit", {Actor.region_officer}).to_state == "submitted"
    with pytest.raises(TransitionRefused, match="niet zetten"):
        apply_transition("ready", "submit", {Actor.author, Actor.coordinator})
    with pytest.raises(TransitionRefused, match="Concept"):
        apply_transition("draft", "submit", {Actor.region_officer})


def test_allowed_actions_lists_the_buttons() -> None:
    assert [a for a, _ in allowed_actions("draft", {Actor.author})] == ["mark_ready", "withdraw"]
    assert [a for a, _ in allowed_actions("ready", {Actor.region_officer})] == [
        "back_to_draft",
        "submit",
        "withdraw",
    ]
    assert allowed_actions("withdrawn", set(Actor)) == []


def test_version_diff_names_what_changed() -> None:
    before = {"title": "Oud", "goals": "Doel", "budget_lines": ["2021 · A · € 1,00"]}
    after = {"title": "Nieuw", "goals": "Doel", "budget_lines": ["2021 · A · € 2,00"]}
    changes = diff_snapshots(before, after)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("title", "Oud", "Nieuw"),
        ("budget_lines", "2021 · A · € 1,00", "2021 · A · € 2,00"),
    ]
    assert diff_snapshots(after, after) == []
