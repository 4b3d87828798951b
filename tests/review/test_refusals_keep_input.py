"""A refusal from a reviewer's or an applicant's service brings the form back with what was
typed and why, on the field it is about: never a message on another page with the text lost.
(The same holds for a correction of a ledger entry: tests/ledger/test_entry_reverse_page.py.)"""

from __future__ import annotations

from proposals.tables import Proposal
from review.tables import ConflictDeclaration, Question, Review
from tests.review.test_review_pages import as_user, assign, review_id_of
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
