"""Each network its own criteria set (issue 16): the set as data, checked; a round keeps the set
it opened with; the review form, the statistics (weights), the ranking (excluding criteria) and
the score export follow the round's set. The rules without a database; the pages on both."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from litestar.datastructures import FormMultiDict

from portal.accounts.tables import Network
from portal.lib.db import required
from proposals import round_services
from proposals.criteria import (
    DEFAULT_CRITERIA,
    Criterion,
    Scale,
    from_json,
    set_problems,
    to_json,
)
from proposals.tables import Round
from review import criteria_services
from review.aggregate import ReviewScores, aggregate, overall_score, rank_theme, running_mean
from review.tables import Review
from tests.proposals.conftest import Zuidwest, principal
from tests.review.test_review_pages import as_user, assign, review_id_of, review_url
from tests.web import post_form

# Limburg's principles (seed 002) as a set: the questions of children and parents lead (counts
# twice), supra-regional, and a pass/fail that excludes.
LIMBURG = (
    Criterion("V1", "Vragen van kinderen en ouders leiden", weight=2),
    Criterion("V2", "Kennis wordt gedeeld"),
    Criterion("B1", "Tijdelijke aanvulling op de regio", scale=Scale.pass_fail, excluding=True),
)


# --- the set, pure ----------------------------------------------------------------------------


def test_an_empty_set_is_zuid_wests_and_a_set_survives_its_json() -> None:
    assert from_json([]) == from_json(None) == from_json("[]") == DEFAULT_CRITERIA
    assert from_json(to_json(LIMBURG)) == LIMBURG
    assert from_json(json.dumps(to_json(LIMBURG))) == LIMBURG


def test_a_round_of_the_first_format_reads_as_the_default_set() -> None:
    first = [
        {"code": "C1", "kind": "score", "label": "Draagt bij aan een duurzame transformatie"},
        {"code": "R3", "kind": "precondition", "label": "Verantwoording"},
    ]
    c1, r3 = from_json(first)
    assert (c1.code, c1.is_score, r3.code, r3.is_score) == ("C1", True, "R3", False)


def test_each_problem_of_a_set_on_its_row() -> None:
    assert set_problems(LIMBURG) == {}
    problems = set_problems(
        (
            Criterion("c1", "Kleine letter"),
            Criterion("V2", ""),
            Criterion("V2", "Dubbel", weight=11),
        )
    )
    assert set(problems) == {"code1", "name2", "code3", "weight3"}
    assert (
        "minstens één criterium krijgt een score"
        in set_problems((Criterion("B1", "Alleen voldoet", scale=Scale.pass_fail),))[
            "criteria"
        ].lower()
    )


def test_the_form_reads_the_rows_and_skips_empty_ones() -> None:
    form = FormMultiDict(
        {
            "code1": "v1",
            "name1": "Vragen leiden",
            "weight1": "2",
            "code2": "",
            "name2": "",
            "code3": "B1",
            "name3": "Tijdelijk",
            "scale3": "pass_fail",
            "excluding3": "1",
            "code4": "V9",
            "name4": "",
            "weight4": "twee",
        }
    )
    criteria, problems = criteria_services.parse_set(form)
    assert [c.code for c in criteria] == ["V1", "B1", "V9"]
    assert criteria[0].weight == 2 and criteria[1].excluding
    # Problems on the row numbers of the form, not of the set.
    assert set(problems) == {"weight4", "name4"}


def test_weights_count_in_the_overall_mean() -> None:
    reviews = [
        ReviewScores(1, {"V1": 4, "V2": 1}, {"B1": "voldoet"}, None),
        ReviewScores(2, {"V1": 4, "V2": 1}, {"B1": "voldoet"}, None),
    ]
    stats = aggregate(reviews, LIMBURG)
    assert list(stats.criteria) == ["V1", "V2"]
    assert stats.overall_mean == Decimal("3.00")  # (4 × 2 + 1) / 3
    quick = overall_score([{"V1": 4, "V2": 1, "B1": "voldoet"}] * 2, LIMBURG)
    assert quick.overall_mean == stats.overall_mean and not quick.excluded
    assert running_mean({"V1": 5, "V2": 2}, LIMBURG) == Decimal("4.0")


def test_failing_an_excluding_criterion_takes_a_proposal_out_of_the_budget() -> None:
    failed = aggregate([ReviewScores(1, {"V1": 5, "V2": 5}, {"B1": "voldoet_niet"}, None)], LIMBURG)
    assert failed.excluded_by == ("B1",)
    fine = overall_score([{"V1": 3, "V2": 3, "B1": "voldoet"}], LIMBURG)
    ranked = rank_theme([(1, "Hoog", 100, failed), (2, "Lager", 100, fine)], 1_000)
    assert [(r.title, r.fits, r.excluded) for r in ranked] == [
        ("Hoog", False, True),
        ("Lager", True, False),
    ]


# --- on both databases ----------------------------------------------------------------------


async def test_a_round_keeps_the_set_it_opened_with(client, zw: Zuidwest) -> None:
    await as_user(client, zw.coordinator)
    page = await client.get("/n/zuid-west/beoordeling/criteria")
    assert page.status_code == 200 and 'value="C1"' in page.text
    typed = {
        "code1": "V1",
        "name1": "Vragen van kinderen en ouders leiden",
        "weight1": "2",
        "code2": "V2",
        "name2": "",
    }
    refused = await post_form(client, "/n/zuid-west/beoordeling/criteria", typed)
    assert refused.status_code == 422
    assert "Geef het criterium een naam." in refused.text
    assert 'value="Vragen van kinderen en ouders leiden"' in refused.text
    saved = await post_form(
        client, "/n/zuid-west/beoordeling/criteria", {**typed, "name2": "Kennis gedeeld"}
    )
    assert saved.status_code == 303
    network = required(await Network.select().where(Network.id == zw.network).first())
    assert [c.code for c in from_json(network["criteria"])] == ["V1", "V2"]
    # The round that was open keeps Zuid-West's set; a new one takes the network's.
    old = required(await Round.select(Round.criteria).where(Round.id == zw.round).first())
    assert from_json(old["criteria"]) == DEFAULT_CRITERIA
    round_id, problems = await round_services.save_round(
        await principal(zw.coordinator),
        zw.network,
        round_services.RoundInput(
            budget_year_id=zw.budget_year,
            title="Ronde 2022",
            opens_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2022, 3, 1, tzinfo=dt.UTC),
            attachment_limit_mb=10,
            themes=[round_services.ThemeInput(None, "Thema", "", 1_000_000)],
        ),
    )
    assert round_id is not None, problems
    new = required(await Round.select(Round.criteria).where(Round.id == round_id).first())
    assert [c.code for c in from_json(new["criteria"])] == ["V1", "V2"]
    # Changing the network's set again changes neither round.
    await criteria_services.save_set(
        await principal(zw.coordinator), zw.network, (Criterion("X1", "Iets anders"),)
    )
    new = required(await Round.select(Round.criteria).where(Round.id == round_id).first())
    assert [c.code for c in from_json(new["criteria"])] == ["V1", "V2"]


async def test_reviews_rankings_and_exports_follow_the_rounds_set(
    client, zw: Zuidwest, reviewers
) -> None:
    await Round.update({Round.criteria: to_json(LIMBURG)}).where(Round.id == zw.round)
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    form = await client.get(f"/n/zuid-west/beoordelingen/{review_id}")
    assert "V1 Vragen van kinderen en ouders leiden" in form.text
    assert "(telt 2× mee)" in form.text and 'name="c1"' not in form.text
    answers = {
        "v1": "5",
        "v1_motivation": "Ouders aan tafel",
        "v2": "2",
        "v2_motivation": "Nog niet gedeeld",
        "b1": "voldoet_niet",
        "recommendation": "afwijzen",
        "advice": "Geen tijdelijke aanvulling.",
        "action": "submit",
    }
    missing = await post_form(client, f"/n/zuid-west/beoordelingen/{review_id}", answers)
    assert missing.status_code == 422
    assert "Licht toe waarom het voorstel hier niet (zeker) voldoet." in missing.text
    done = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {**answers, "b1_explanation": "Structureel aanbod"},
    )
    assert done.status_code == 303
    row = required(
        await Review.select(Review.scores, Review.notes)
        .where(Review.id == review_id)
        .output(load_json=True)
        .first()
    )
    assert row["scores"] == {"V1": 5, "V2": 2, "B1": "voldoet_niet"}
    assert row["notes"]["B1"] == "Structureel aanbod"

    await as_user(client, zw.coordinator)
    page = await client.get(review_url(proposal_id))
    assert "V1 Vragen van kinderen en ouders leiden (2×)" in page.text
    assert "4,00" in page.text  # (5 × 2 + 2) / 3
    assert "Het voorstel valt af" in page.text and "B1" in page.text
    ranking = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}")
    assert "valt af" in ranking.text
    scores = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}/scores.csv")
    header = scores.content.decode("utf-8-sig").splitlines()[0]
    assert "V1 Vragen van kinderen en ouders leiden" in header
    assert "B1 Tijdelijke aanvulling op de regio" in header and "C1" not in header
    # The API gives the same statistics on the round's set, decimals as exact text.
    from portal.accounts.api_tokens import create_token

    _, token = await create_token(zw.coordinator, "Financieel systeem", actor_id=zw.coordinator)
    api = await client.get(
        f"/api/v1/networks/zuid-west/rounds/{zw.round}/scores",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200
    body = api.json()
    assert [c["code"] for c in body["criteria"]] == ["V1", "V2", "B1"]
    assert body["criteria"][0]["weight"] == 2 and body["criteria"][2]["excluding"] is True
    (mine,) = [p for p in body["proposals"] if p["id"] == proposal_id]
    assert mine["reviews_submitted"] == 1 and mine["overall_mean"] == "4.00"
    assert [c["code"] for c in mine["criteria"]] == ["V1", "V2"]
    assert mine["failing"] == {"B1": 1} and mine["excluded_by"] == ["B1"]
    other_round = await client.get(
        "/api/v1/networks/zuid-west/rounds/987654/scores",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert other_round.status_code == 404
