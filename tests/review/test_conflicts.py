"""A conflict of interest closes the proposal for that reviewer: their review, the others'
reviews, the running mean, the proposal and its questions; and the coordinator cannot reopen
the review of a reviewer with a conflict."""

from __future__ import annotations

import pytest

from review.tables import ConflictDeclaration, Review
from tests.review.test_review_pages import SCORES, as_user, assign, review_id_of, review_url
from tests.web import post_form

SECRET = "GEHEIM-ADVIES-VAN-DE-ANDER"


@pytest.fixture
async def conflicted(client, zw, reviewers) -> dict[str, int]:
    """Two reviewers submitted; then the first declares a conflict."""
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await assign(client, zw, proposal_id, reviewers["chair_b"])
    mine = await review_id_of(proposal_id, reviewers["ao_b"])
    other = await review_id_of(proposal_id, reviewers["chair_b"])
    await as_user(client, reviewers["chair_b"])
    await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{other}",
        {**SCORES, "advice": SECRET, "action": "submit"},
    )
    await as_user(client, reviewers["ao_b"])
    await post_form(client, f"/n/zuid-west/beoordelingen/{mine}", {**SCORES, "action": "submit"})
    seen = await client.get(f"/n/zuid-west/beoordelingen/{mine}")
    assert SECRET in seen.text  # before the conflict: the others' reviews, as designed
    declared = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/conflict/{proposal_id}",
        {"kind": "personal", "reason": "Mijn zus werkt bij de aanvrager."},
    )
    assert declared.status_code == 303
    assert await ConflictDeclaration.count() == 1
    return {"proposal": proposal_id, "mine": mine, "other": other, **reviewers}


async def test_the_review_page_closes(client, conflicted) -> None:
    response = await client.get(f"/n/zuid-west/beoordelingen/{conflicted['mine']}")
    assert response.status_code == 403
    assert SECRET not in response.text
    assert "belangenconflict" in response.text


async def test_saving_the_review_and_its_running_mean_are_refused(client, conflicted) -> None:
    before = await Review.select().where(Review.id == conflicted["mine"]).first()
    save = await post_form(
        client, f"/n/zuid-west/beoordelingen/{conflicted['mine']}", {**SCORES, "c1": "1"}
    )
    assert save.status_code == 403
    mean = await post_form(
        client, f"/n/zuid-west/beoordelingen/{conflicted['mine']}/gemiddelde", {"c1": "5"}
    )
    assert mean.status_code == 403
    assert await Review.select().where(Review.id == conflicted["mine"]).first() == before


async def test_the_proposal_and_its_questions_close(client, conflicted) -> None:
    page = await client.get(f"/n/zuid-west/voorstellen/{conflicted['proposal']}")
    assert page.status_code in (403, 404)
    assert SECRET not in page.text
    question = await post_form(
        client,
        f"/n/zuid-west/voorstellen/{conflicted['proposal']}/vragen",
        {"question": "Nog een vraag?"},
    )
    assert question.status_code in (403, 404)


async def test_the_coordinator_cannot_reopen_a_conflicted_review(client, zw, conflicted) -> None:
    await as_user(client, zw.coordinator)
    response = await post_form(
        client, review_url(conflicted["proposal"], f"/heropenen/{conflicted['mine']}"), {}
    )
    assert response.status_code in (303, 422)
    follow = await client.get(response.headers.get("location", review_url(conflicted["proposal"])))
    assert "belangenconflict" in follow.text
    state = await Review.select(Review.state).where(Review.id == conflicted["mine"]).first()
    assert state["state"] == "submitted"
