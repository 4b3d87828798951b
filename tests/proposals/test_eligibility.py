"""Each eligibility rule, holding and failing, on facts built without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from proposals.eligibility import RULES, Facts, blocking_failures, checklist, settings_problems

NOW = dt.datetime(2021, 9, 15, 12, tzinfo=dt.UTC)


def complete(**changes) -> Facts:
    """A proposal that meets every rule; each test breaks one thing."""
    facts = Facts(
        now=NOW,
        round_opens_at=dt.datetime(2021, 7, 1, tzinfo=dt.UTC),
        round_closes_at=dt.datetime(2021, 10, 1, tzinfo=dt.UTC),
        round_theme_ids=frozenset({1, 2}),
        network_region_ids=frozenset({10, 11, 12}),
        title="Wachtlijstbrug",
        summary="Overbruggingszorg",
        theme_id=1,
        region_id=10,
        functions=("consultation",),
        transformation_goals={"earlier_help": "Sneller hulp"},
        goals="Doel",
        results="Resultaat",
        activities="Activiteit",
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2022, 12, 31),
        participating_region_ids=frozenset({10, 11}),
        supra_regional_reason="Speelt overal",
        innovation="Nieuw",
        requested_amount_cents=10_000_00,
        budget_line_total_cents=10_000_00,
        budget_line_count=2,
        budget_line_years=frozenset({2021, 2022}),
        theme_guide_budget_cents=50_000_00,
        theme_claimed_by_others_cents=30_000_00,
        extends_offer="no",
        procurement_expert_name="Ingrid Inkoop",
        estimated_contract_value_cents=100_000_00,
    )
    return dataclasses.replace(facts, **changes)


def status(facts: Facts, code: str) -> str:
    return next(c for c in checklist(facts) if c.code == code).status


def test_the_complete_proposal_meets_every_rule() -> None:
    checks = checklist(complete())
    assert [c.code for c in checks if not c.holds] == []
    assert {c.code for c in checks} == {r.code for r in RULES}


BREAKS = [
    ("round_open", {"now": dt.datetime(2021, 6, 30, tzinfo=dt.UTC)}, "nog niet open"),
    ("round_open", {"now": dt.datetime(2021, 10, 1, tzinfo=dt.UTC)}, "verstreken"),
    ("title_summary", {"summary": "  "}, "samenvatting"),
    ("theme_in_round", {"theme_id": None}, "Kies het thema"),
    ("theme_in_round", {"theme_id": 99}, "hoort niet bij deze ronde"),
    ("region_in_network", {"region_id": None}, "Kies de jeugdhulpregio"),
    ("region_in_network", {"region_id": 99}, "hoort niet bij dit netwerk"),
    ("function", {"functions": ()}, "drie functies"),
    ("function", {"functions": ("unknown",)}, "drie functies"),
    ("transformation_goal", {"transformation_goals": {}}, "minstens één transformatiedoel"),
    ("transformation_goal", {"transformation_goals": {"earlier_help": " "}}, "Licht kort toe"),
    ("goals_results_activities", {"results": ""}, "resultaten"),
    ("period", {"end_date": None}, "begin- en einddatum"),
    ("period", {"end_date": dt.date(2021, 9, 1)}, "vóór de einddatum"),
    (
        "spend_window",
        {"budget_year": 2021, "spend_until": dt.date(2022, 6, 30), "end_date": dt.date(2022, 7, 1)},
        "mag besteed worden tot en met 30 juni 2022",
    ),
    ("supra_regional", {"participating_region_ids": frozenset({10})}, "minstens twee regio"),
    ("supra_regional", {"supra_regional_reason": ""}, "hele netwerk"),
    ("innovation", {"innovation": ""}, "vernieuwend"),
    ("budget_total", {"requested_amount_cents": 0}, "groter zijn dan nul"),
    ("budget_total", {"budget_line_count": 0}, "begrotingsregels toe"),
    ("budget_total", {"budget_line_total_cents": 9_999_99}, "€ 9.999,99"),
    ("budget_years", {"budget_line_years": frozenset({2023})}, "2023"),
    ("theme_budget", {"theme_claimed_by_others_cents": 45_000_00}, "€ 5.000,00"),
    ("own_region_extension", {"extends_offer": "own_region"}, "eigen jeugdhulpregio"),
    (
        "consent_letter",
        {"extends_offer": "other_region", "extension_region_id": 11},
        "akkoordverklaring",
    ),
    (
        "consent_letter",
        {"extends_offer": "other_region", "extension_region_id": None},
        "Kies naar welke",
    ),
    (
        "consent_letter",
        {"extends_offer": "other_region", "extension_region_id": 10},
        "eigen jeugdhulpregio",
    ),
    ("procurement_expert", {"procurement_expert_name": ""}, "inkoopexpert"),
    ("procurement_threshold", {"estimated_contract_value_cents": 750_000_01}, "Europese procedure"),
    (
        "procurement_threshold",
        {"procurement_service_kind": "other", "estimated_contract_value_cents": 221_000_01},
        "€ 221.000,00",
    ),
    ("procurement_policy", {"procurement_policy_fit": "no"}, "inkoopbeleid van de regio"),
    ("vierkant", {"vierkant_missing": ("Cliëntperspectief",)}, "Cliëntperspectief"),
    (
        "client_data",
        {"client_data": ("Doelen: een geboortedatum (geboren op 1-2-2010)",)},
        "Doelen: een geboortedatum",
    ),
]


def test_a_proposal_that_does_not_fit_the_procurement_policy_is_warned_not_blocked() -> None:
    checks = checklist(complete(procurement_policy_fit="no"))
    (check,) = [c for c in checks if c.code == "procurement_policy"]
    assert not check.holds and not check.blocking
    assert status(complete(procurement_policy_fit="yes"), "procurement_policy") == "ok"
    assert status(complete(procurement_policy_fit=""), "procurement_policy") == "ok"


@pytest.mark.parametrize(
    ("code", "changes", "explanation"),
    BREAKS,
    ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BREAKS)],
)
def test_each_rule_fails_with_a_dutch_reason(code: str, changes: dict, explanation: str) -> None:
    check = next(c for c in checklist(complete(**changes)) if c.code == code)
    assert not check.holds
    assert explanation in check.why_not
    others = [c.code for c in checklist(complete(**changes)) if not c.holds and c.code != code]
    assert others in ([], ["budget_years"], ["consent_letter"]), others


def test_every_rule_has_a_breaking_case() -> None:
    assert {code for code, _, _ in BREAKS} == {r.code for r in RULES}


def test_consent_letter_of_the_other_region_satisfies_the_rule() -> None:
    facts = complete(
        extends_offer="other_region",
        extension_region_id=11,
        consent_letter_region_ids=frozenset({11}),
    )
    assert status(facts, "consent_letter") == "ok"
    wrong_region = complete(
        extends_offer="other_region",
        extension_region_id=11,
        consent_letter_region_ids=frozenset({12}),
    )
    assert status(wrong_region, "consent_letter") == "fail"


def test_thresholds_are_exclusive_and_settings() -> None:
    at_threshold = complete(estimated_contract_value_cents=750_000_00)
    assert status(at_threshold, "procurement_threshold") == "ok"
    lower = complete(
        estimated_contract_value_cents=500_000_00,
        thresholds_cents={"social": 400_000_00, "other": 100_000_00},
    )
    assert status(lower, "procurement_threshold") == "warn"


def test_warnings_do_not_block_but_hard_rules_do() -> None:
    warned = complete(theme_claimed_by_others_cents=49_000_00, vierkant_missing=("Expertteam",))
    assert blocking_failures(checklist(warned)) == []
    assert status(warned, "theme_budget") == "warn"
    blocked = complete(extends_offer="own_region")
    assert [c.code for c in blocking_failures(checklist(blocked))] == ["own_region_extension"]


def test_the_spending_window_holds_up_to_its_last_day_and_without_one() -> None:
    last_day = {"budget_year": 2021, "spend_until": dt.date(2022, 6, 30)}
    assert status(complete(**last_day, end_date=dt.date(2022, 6, 30)), "spend_window") == "ok"
    assert status(complete(end_date=dt.date(2030, 1, 1)), "spend_window") == "ok"
    assert status(complete(**last_day, end_date=dt.date(2022, 7, 1)), "spend_window") == "warn"


def test_a_network_applies_a_rule_its_own_way() -> None:
    failing = complete(procurement_policy_fit="no", vierkant_missing=("Onderzoek",))
    blocked = checklist(
        dataclasses.replace(
            failing, rule_settings={"procurement_policy": "block", "vierkant": "off"}
        )
    )
    (policy,) = [c for c in blocked if c.code == "procurement_policy"]
    assert policy.blocking and not policy.holds
    assert "vierkant" not in {c.code for c in blocked}
    assert [c.code for c in blocking_failures(blocked)] == ["procurement_policy"]
    # The rules that make a proposal a proposal of the round apply everywhere.
    essential = checklist(
        dataclasses.replace(complete(summary=""), rule_settings={"title_summary": "off"})
    )
    assert [c.code for c in blocking_failures(essential)] == ["title_summary"]
    assert settings_problems({"title_summary": "off", "vierkant": "nooit"}) == {
        "title_summary": "Kies standaard, blokkeert, waarschuwing of niet van toepassing.",
        "vierkant": "Kies standaard, blokkeert, waarschuwing of niet van toepassing.",
    }
