"""A refusal from a reviewer's or an applicant's service brings the form back with what was
typed and why, on the field it is about: never a message on another page with the text lost.
(The same holds for a correction of a ledger entry: tests/ledger/test_entry_reverse_page.py.)"""

from __future__ import annotations

import pytest

from proposals.tables import Proposal
from review import services
from review.services import ReviewRefused
from review.tables import Advice, ConflictDeclaration, Decision, Question, Review
from tests.review.test_review_pages import _scored, as_user, assign, review_id_of
from tests.web import post_form


async def test_a_refused_conflict_declaration_keeps_its_kind_and_reason(
    client, zw, reviewers
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    refused = await post_form(
        client, f"/n/zuid-west/beoordelingen/conflict/{proposal_id}", {"kind": "other"}
    )
    assert refused.status_code == 422
    assert "Licht het belangenconflict kort toe." in refused.text
    assert 'id="veld-reason-fout"' in refused.text
    assert 'value="other" selected' in refused.text
    assert await ConflictDeclaration.count() == 0 and await Review.count() == 1


async def test_a_refused_review_keeps_its_scores_and_notes(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    # Decided while the reviewer was typing: saving is refused, the typing is not lost.
    await Proposal.update({Proposal.state: "rejected"}).where(Proposal.id == proposal_id)
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {"c1": "4", "c1_motivation": "Een lange motivering", "action": "draft"},
    )
    assert refused.status_code == 422
    assert "Dit voorstel is niet meer in beoordeling." in refused.text
    assert "Een lange motivering" in refused.text
    row = await Review.select(Review.scores).where(Review.id == review_id).first()
    assert row["scores"] in ({}, "{}")


async def test_an_empty_question_is_refused_on_its_field(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    refused = await post_form(
        client, f"/n/zuid-west/voorstellen/{proposal_id}/vragen", {"question": "   "}
    )
    assert refused.status_code == 422
    assert "Schrijf uw vraag." in refused.text and 'id="veld-question-fout"' in refused.text
    assert await Question.count() == 0


async def test_a_second_answer_comes_back_with_its_text(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    await post_form(
        client, f"/n/zuid-west/voorstellen/{proposal_id}/vragen", {"question": "Hoe lang?"}
    )
    question = await Question.select(Question.id).first()
    answer_url = f"/n/zuid-west/voorstellen/{proposal_id}/vragen/{question['id']}/antwoord"
    await as_user(client, zw.applicant_x)
    first = await post_form(client, answer_url, {"answer": "Zes weken."})
    assert first.status_code == 303
    # A second tab, answered after the first: refused, with its own text still there.
    second = await post_form(client, answer_url, {"answer": "Acht weken, denk ik."})
    assert second.status_code == 422
    assert "Deze vraag is al beantwoord." in second.text
    assert "Acht weken, denk ik." in second.text
    assert (await Question.select(Question.answer).first())["answer"] == "Zes weken."


DECISION = {
    "outcome": "granted",
    "amount": "8.000,00",
    "decision_date": "2021-11-01",
    "advice_date": "2021-10-20",
    "advice_reference": "BA-2021-7",
    "shared_advice": "Een sterk voorstel, met zorg geschreven.",
}


async def _advised(client, zw, reviewers) -> int:
    proposal_id = await _scored(client, zw, reviewers, [{}, {}])
    await as_user(client, zw.coordinator)
    advice = await post_form(
        client,
        f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}/advies",
        {"body": "ao_chairs", "meeting_date": "2021-10-14", "advice": "Positief"},
    )
    assert advice.status_code == 303
    return proposal_id


async def test_a_decision_refused_as_a_whole_keeps_what_was_typed(client, zw, reviewers) -> None:
    proposal_id = await _advised(client, zw, reviewers)
    # A rule about the decision as a whole (no theme to book a grant on), not about a field.
    await Proposal.update({Proposal.theme: None}).where(Proposal.id == proposal_id)
    refused = await post_form(
        client, f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}/besluit", DECISION
    )
    assert refused.status_code == 422
    assert "geen thema" in refused.text
    assert "Een sterk voorstel, met zorg geschreven." in refused.text
    assert 'value="8.000,00"' in refused.text
    assert await Decision.count() == 0


async def test_a_decision_on_a_proposal_decided_meanwhile_says_so_on_its_page(
    client, zw, reviewers
) -> None:
    proposal_id = await _advised(client, zw, reviewers)
    url = f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}/besluit"
    assert (await post_form(client, url, DECISION)).status_code == 303
    # The same decision from a second tab, opened before the first was taken.
    again = await post_form(client, url, {**DECISION, "amount": "7.000,00"})
    assert again.status_code == 422
    assert "Eerst het advies vastleggen" in again.text
    assert 'data-outcome="granted"' in again.text, "the decision taken is on the page"
    assert await Decision.count() == 1


async def test_an_advice_refused_as_a_whole_keeps_its_text(
    client, zw, reviewers, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}, {}])
    await as_user(client, zw.coordinator)

    async def refused_meanwhile(*args, **kwargs) -> None:
        raise ReviewRefused("Dit voorstel is intussen verder gegaan.")

    monkeypatch.setattr(services, "record_advice", refused_meanwhile)
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}/advies",
        {"body": "ao_chairs", "meeting_date": "2021-10-14", "advice": "Positief, met zorg"},
    )
    assert refused.status_code == 422
    assert "Dit voorstel is intussen verder gegaan." in refused.text
    assert "Positief, met zorg" in refused.text
    assert await Advice.count() == 0


async def test_a_round_screen_refused_for_one_proposal_keeps_the_whole_screen(
    client, zw, reviewers
) -> None:
    first = await _advised(client, zw, reviewers)
    second = await _advised(client, zw, reviewers)
    await Proposal.update({Proposal.theme: None}).where(Proposal.id == second)
    title = (await Proposal.select(Proposal.title).where(Proposal.id == second).first())["title"]
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordeling/rondes/{zw.round}/besluiten",
        {
            "decision_date": "2021-11-01",
            "reference": "RTD-RONDE-7",
            "advice_date": "2021-10-20",
            "advice_reference": "BA",
            f"p{first}_outcome": "granted",
            f"p{first}_amount": "5.000,00",
            f"p{second}_outcome": "granted",
            f"p{second}_amount": "6.000,00",
        },
    )
    assert refused.status_code == 422
    assert f"{title}: " in refused.text and "geen thema" in refused.text
    assert 'value="RTD-RONDE-7"' in refused.text and 'value="6.000,00"' in refused.text
    assert await Decision.count() == 0, "all or nothing"
