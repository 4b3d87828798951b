"""Issue 17: advice waits for the reviews (or records why not), its dates are in order, and no
review, question, answer, advice or decision text is cut: over its limit it is refused on its
field and comes back whole. Rules without a database; pages on both."""

from __future__ import annotations

import datetime as dt

from portal.lib import clock
from review.rules import advice_date_problem, decision_advice_date_problem, open_reviews_problem
from review.tables import Advice, ConflictDeclaration, Decision, Question, Review
from tests.review.test_review_pages import (
    SCORES,
    _scored,
    as_user,
    assign,
    review_id_of,
    review_url,
)
from tests.web import post_form

TOO_LONG = "Deze tekst is 10.001 tekens; er passen er ten hoogste 10.000 in. Maak hem korter."
DECISION = {
    "outcome": "granted",
    "amount": "8.000,00",
    "decision_date": "2021-11-01",
    "reference": "RTD-21-1",
    "advice_date": "2021-10-20",
    "advice_reference": "BA-2021-7",
}


def test_advice_waits_for_every_assigned_review_or_a_reason() -> None:
    assert open_reviews_problem(["submitted", "submitted"], "") is None
    open_one = open_reviews_problem(["submitted", "draft"], "")
    assert open_one and "(1 van 2)" in open_one
    none_in = open_reviews_problem(["assigned", "draft"], "")
    assert none_in and "Nog geen van de 2 beoordelingen" in none_in
    nobody = open_reviews_problem([], "")
    assert nobody and "geen beoordelaar toegewezen" in nobody
    assert open_reviews_problem(["assigned"], "Beoordelaar ziek; overleg kan niet wachten") is None
    assert open_reviews_problem(["assigned"], "   ") is not None


def test_advice_dates_run_from_advice_to_decision() -> None:
    today = dt.date(2021, 11, 5)
    assert advice_date_problem(today, today) is None
    future = advice_date_problem(dt.date(2021, 11, 6), today)
    assert future and "in de toekomst" in future and "5 november 2021" in future
    first = [("AO en voorzitters expertteams", dt.date(2021, 10, 14))]
    ok = decision_advice_date_problem(
        dt.date(2021, 10, 20), dt.date(2021, 11, 1), first, "ambassadeurs", today
    )
    assert ok is None
    on_the_day = decision_advice_date_problem(
        dt.date(2021, 11, 1), dt.date(2021, 11, 1), first, "ambassadeurs", today
    )
    assert on_the_day is None
    after = decision_advice_date_problem(
        dt.date(2021, 11, 2), dt.date(2021, 11, 1), first, "ambassadeurs", today
    )
    assert after and "na de datum van het besluit (1 november 2021)" in after
    before = decision_advice_date_problem(
        dt.date(2021, 10, 1), dt.date(2021, 11, 1), first, "ambassadeurs", today
    )
    assert before and "volgt op dat van AO en voorzitters expertteams (14 oktober 2021)" in before
    ahead = decision_advice_date_problem(
        dt.date(2021, 11, 6), dt.date(2021, 11, 10), first, "ambassadeurs", today
    )
    assert ahead and "in de toekomst" in ahead


async def test_advice_is_refused_while_reviews_are_open_and_kept(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await assign(client, zw, proposal_id, reviewers["chair_b"])
    page = await client.get(review_url(proposal_id))
    assert "Reden om zonder alle beoordelingen verder te gaan" in page.text
    assert "0 van de 2 beoordelingen zijn ingediend." in page.text
    refused = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"body": "ao_chairs", "meeting_date": "2021-10-14", "advice": "Positief-ADVIES-77"},
    )
    assert refused.status_code == 422
    assert "Nog geen van de 2 beoordelingen is ingediend." in refused.text
    assert 'id="veld-open_reviews_reason-fout"' in refused.text
    assert "Positief-ADVIES-77" in refused.text  # what was typed comes back
    assert await Advice.count() == 0
    assert (await _state(proposal_id)) == "in_review"
    # One review in, one open: still refused.
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    await post_form(
        client, f"/n/zuid-west/beoordelingen/{review_id}", {**SCORES, "action": "submit"}
    )
    await as_user(client, zw.coordinator)
    refused = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief"},
    )
    assert refused.status_code == 422 and "(1 van 2)" in refused.text
    assert await Advice.count() == 0
    # With the reason, it goes on, and the reason stays with the advice.
    reason = "Beoordelaar langdurig ziek; het overleg van 14 oktober kon niet wachten."
    accepted = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief", "open_reviews_reason": reason},
    )
    assert accepted.status_code == 303
    assert (await _state(proposal_id)) == "advised"
    advice = await Advice.select().first()
    assert advice["open_reviews_reason"] == reason
    page = await client.get(review_url(proposal_id))
    assert "Vastgelegd voordat alle beoordelingen binnen waren. Reden: " + reason in page.text


async def test_advice_after_every_review_needs_no_reason(client, zw, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}, {}])
    await as_user(client, zw.coordinator)
    page = await client.get(review_url(proposal_id))
    assert 'name="open_reviews_reason"' not in page.text
    accepted = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief", "open_reviews_reason": "niet nodig"},
    )
    assert accepted.status_code == 303
    # A reason that was not needed does not go into the file.
    assert (await Advice.select().first())["open_reviews_reason"] == ""


async def test_advice_is_not_dated_in_the_future(client, zw, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    refused = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": tomorrow, "advice": "Positief"},
    )
    assert refused.status_code == 422
    assert 'id="veld-meeting_date-fout"' in refused.text and "in de toekomst" in refused.text
    assert await Advice.count() == 0
    today = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": clock.today().isoformat(), "advice": "Positief"},
    )
    assert today.status_code == 303


async def test_the_advice_with_the_decision_sits_between_advice_and_decision(
    client, zw, reviewers
) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief"},
    )
    after = await post_form(
        client, review_url(proposal_id, "/besluit"), {**DECISION, "advice_date": "2021-11-02"}
    )
    assert after.status_code == 422
    assert 'id="veld-advice_date-fout"' in after.text
    assert "na de datum van het besluit (1 november 2021)" in after.text
    assert "BA-2021-7" in after.text  # the form keeps what was typed
    before = await post_form(
        client, review_url(proposal_id, "/besluit"), {**DECISION, "advice_date": "2021-10-01"}
    )
    assert before.status_code == 422 and "14 oktober 2021" in before.text
    assert await Decision.count() == 0 and await Advice.count() == 1
    assert (await _state(proposal_id)) == "advised"
    decided = await post_form(client, review_url(proposal_id, "/besluit"), DECISION)
    assert decided.status_code == 303 and await Decision.count() == 1


async def test_a_round_screen_decision_keeps_the_date_rule(client, zw, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Positief"},
    )
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}/besluiten"
    refused = await post_form(
        client,
        url,
        {
            "decision_date": "2021-11-01",
            "advice_date": "2021-11-05",
            "advice_reference": "BA",
            f"p{proposal_id}_outcome": "granted",
            f"p{proposal_id}_amount": "5.000,00",
        },
    )
    assert refused.status_code == 422
    assert 'id="veld-advice_date-fout"' in refused.text
    assert await Decision.count() == 0 and await Advice.count() == 1


async def test_long_review_advice_and_decision_texts_are_refused_whole(
    client, zw, reviewers
) -> None:
    long = "r" * 10_001
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {**SCORES, "c1_motivation": long, "action": "draft"},
    )
    assert refused.status_code == 422
    assert TOO_LONG in refused.text and long in refused.text
    assert (await Review.select(Review.state).where(Review.id == review_id).first())[
        "state"
    ] == "assigned"
    fits = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {**SCORES, "advice": "a" * 10_000, "action": "submit"},
    )
    assert fits.status_code == 303
    await as_user(client, zw.coordinator)
    refused = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": long},
    )
    assert refused.status_code == 422
    assert TOO_LONG in refused.text and long in refused.text and await Advice.count() == 0
    reason = "z" * 2001
    refused = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Kort", "open_reviews_reason": reason},
    )
    assert refused.status_code == 422 and "er passen er ten hoogste 2.000 in" in refused.text
    assert await Advice.count() == 0
    await post_form(
        client, review_url(proposal_id, "/advies"), {"meeting_date": "2021-10-14", "advice": "Ja"}
    )
    refused = await post_form(
        client, review_url(proposal_id, "/besluit"), {**DECISION, "shared_advice": long}
    )
    assert refused.status_code == 422
    assert TOO_LONG in refused.text and long in refused.text and await Decision.count() == 0
    refused = await post_form(
        client, review_url(proposal_id, "/besluit"), {**DECISION, "reference": "k" * 201}
    )
    assert refused.status_code == 422 and "ten hoogste 200 in" in refused.text


async def test_long_questions_and_answers_come_back_whole(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    question = "v" * 5001
    ask = f"/n/zuid-west/voorstellen/{proposal_id}/vragen/"
    refused = await post_form(client, ask, {"question": question})
    assert refused.status_code == 422
    assert "Deze tekst is 5.001 tekens; er passen er ten hoogste 5.000 in." in refused.text
    assert question in refused.text and await Question.count() == 0
    asked = await post_form(client, ask, {"question": "Wie trekt de kar?"})
    assert asked.status_code == 303
    question_id = (await Question.select(Question.id).first())["id"]
    await as_user(client, zw.applicant_x)
    answer = "a" * 10_001
    refused = await post_form(client, f"{ask}{question_id}/antwoord", {"answer": answer})
    assert refused.status_code == 422
    assert TOO_LONG in refused.text and answer in refused.text
    assert "Wie trekt de kar?" in refused.text
    assert (await Question.select(Question.answer).first())["answer"] == ""
    answered = await post_form(client, f"{ask}{question_id}/antwoord", {"answer": "a" * 10_000})
    assert answered.status_code == 303
    assert len((await Question.select(Question.answer).first())["answer"]) == 10_000


async def test_a_long_conflict_reason_is_refused_not_cut(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/conflict/{proposal_id}",
        {"kind": "personal", "reason": "m" * 2001},
    )
    # The form again, with the message on its field and the whole text as typed.
    assert refused.status_code == 422
    assert "Deze tekst is 2.001 tekens; er passen er ten hoogste 2.000 in." in refused.text
    assert "m" * 2001 in refused.text and 'value="personal" selected' in refused.text
    assert await ConflictDeclaration.count() == 0 and await Review.count() == 1


async def _state(proposal_id: int) -> str:
    from proposals.tables import Proposal

    row = await Proposal.select(Proposal.state).where(Proposal.id == proposal_id).first()
    return row["state"]
