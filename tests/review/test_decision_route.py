"""Each network its own decision route (issue 16): who advises in which order and who decides,
in the network's words on the pages, in the timeline and in the grant letter. The route without
a database; the pages on both."""

from __future__ import annotations

import html

from portal.lib.formatting import joined
from review.route import (
    DEFAULT_ROUTE,
    DecisionRoute,
    Step,
    route_from_json,
    route_problems,
    route_to_json,
    with_names,
)
from review.tables import Advice
from tests.review.test_review_pages import _scored, as_user, review_url
from tests.web import post_form

LIMBURG = {
    "step1": "Projectgroep",
    "step2": "Ambtelijk overleg",
    "decider": "het bestuurlijk overleg van de vier jeugdhulpregio's",
    "address": "Postbus 900\n6040 AX Roermond",
    "signatory": "L. Limburg",
    "function": "Secretaris bestuurlijk overleg",
}


def test_an_empty_route_is_zuid_wests_and_a_route_survives_its_json() -> None:
    assert route_from_json(None) == route_from_json("{}") == DEFAULT_ROUTE
    route = DecisionRoute((Step("advies1", "Projectgroep"),), "het bestuurlijk overleg")
    assert route_from_json(route_to_json(route)) == route
    assert route.with_decision is None and route.on_their_own == route.advice


def test_renamed_steps_keep_their_codes_and_new_ones_get_their_own() -> None:
    route = with_names(DEFAULT_ROUTE, ["Projectgroep", "Ambtelijk overleg", "Bestuur"], "X")
    assert [s.code for s in route.advice] == ["ao_chairs", "ambassadors", "advies3"]
    assert route.with_decision == Step("advies3", "Bestuur")
    assert route_problems([], "") == {"step1": "Vul minstens één adviserend orgaan in."}
    assert joined(["A"]) == "A" and joined(["A", "B", "C"]) == "A, B en C"


async def test_limburgs_route_on_the_pages_and_in_the_letter(client, zw, reviewers) -> None:
    await as_user(client, zw.coordinator)
    refused = await post_form(client, "/n/zuid-west/beoordeling/besluitvorming", {"step1": ""})
    assert refused.status_code == 422 and "Vul minstens één adviserend orgaan in." in refused.text
    saved = await post_form(client, "/n/zuid-west/beoordeling/besluitvorming", LIMBURG)
    assert saved.status_code == 303
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    page = await client.get(review_url(proposal_id))
    assert "Datum van het overleg van Projectgroep" in page.text
    assert "ambassadeurs" not in page.text
    advised = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"body": "ao_chairs", "meeting_date": "2021-10-14", "advice": "Positief"},
    )
    assert advised.status_code == 303
    page = await client.get(review_url(proposal_id))
    assert "<strong>Projectgroep</strong>" in page.text
    assert "Datum advies Ambtelijk overleg" in page.text
    decided = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "granted",
            "amount": "8.000,00",
            "decision_date": "2021-11-01",
            "reference": "BO-2021-3",
            "advice_date": "2021-10-25",
            "advice_reference": "AMB-7",
        },
    )
    assert decided.status_code == 303
    letter = html.unescape((await client.get(review_url(proposal_id, "/beschikking"))).text)
    assert (
        "na advies van Projectgroep en Ambtelijk overleg, besluit het bestuurlijk overleg van de "
        "vier jeugdhulpregio's:" in letter
    )
    assert "Advies van Ambtelijk overleg: zie het dossier" in letter
    assert "ambassadeurs" not in letter.lower()
    # The network's letterhead and who signs, with the closing on the same page.
    assert "Postbus 900<br>6040 AX Roermond" in letter
    assert 'class="fp-letter__signature"' in letter
    assert "L. Limburg<br>Secretaris bestuurlijk overleg" in letter


async def test_a_route_of_one_step_decides_without_a_second_advice(client, zw, reviewers) -> None:
    await as_user(client, zw.coordinator)
    await post_form(client, "/n/zuid-west/beoordeling/besluitvorming", {"step1": "Projectgroep"})
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief"},
    )
    page = await client.get(review_url(proposal_id))
    assert 'name="advice_reference"' not in page.text
    decided = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {"outcome": "rejected", "reasons": "Past niet", "decision_date": "2021-11-01"},
    )
    assert decided.status_code == 303
    assert await Advice.count().where(Advice.proposal == proposal_id) == 1
    letter_free = await client.get(review_url(proposal_id))
    assert "Projectgroep" in letter_free.text
