"""A conflict of interest closes the proposal for that reviewer: their review, the others'
reviews, the running mean, the proposal with its attachments, versions and print view, and its
questions; and the coordinator cannot reopen the review of a reviewer with a conflict.

Every test runs for the three conflicts the review domain knows: one the reviewer declared,
and one by region or organisation that arose after the assignment (the reviewer now sits for
the submitting region, or works for the lead organisation). The writes are also tried with the
conflict arising between loading the page and the write's transaction: the check inside the
transaction must see it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from litestar.datastructures import FormMultiDict

from portal.accounts.tables import AuditEvent, Membership, OutboxMessage, Role
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.files import store
from proposals import queries as proposal_queries
from proposals.criteria import DEFAULT_CRITERIA
from proposals.tables import Attachment
from review import forms, queries, question_services, services
from review.assignment import conflict_reason
from review.tables import ConflictDeclaration, Question, Review
from tests import factories
from tests.proposals.conftest import Zuidwest, principal
from tests.review.test_review_pages import SCORES, as_user, assign, review_id_of, review_url
from tests.web import post_form

KINDS = ["declared", "own_region", "own_organisation"]

# What the other reviewer writes: none of it may reach the reviewer with a conflict.
OTHER_REVIEW = {
    **SCORES,
    **{f"c{n}_motivation": f"MOTIVERING-VAN-DE-ANDER-C{n}" for n in range(1, 5)},
    "r4_explanation": "TOELICHTING-VAN-DE-ANDER-R4",
    "advice": "GEHEIM-ADVIES-VAN-DE-ANDER",
    "action": "submit",
}
HIDDEN = [v for k, v in OTHER_REVIEW.items() if k.endswith(("_motivation", "_explanation"))] + [
    OTHER_REVIEW["advice"]
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
QUESTION = "Hoe is de inkoop geregeld?"


def leaked(response: httpx.Response) -> list[str]:
    """What of the other reviewer's review a response shows."""
    found = [s for s in HIDDEN if s in response.text]
    if "Beoordelingen van de anderen" in response.text:
        found.append("Beoordelingen van de anderen")
    return found


def proposal_urls(proposal_id: int, attachment_id: int) -> list[str]:
    base = f"/n/zuid-west/voorstellen/{proposal_id}"
    return [
        base,
        f"{base}/afdrukken",
        f"{base}/versies/1",
        f"{base}/vergelijk?van=1&naar=1",
        f"{base}/bijlagen/{attachment_id}",
    ]


async def make_conflict(client: httpx.AsyncClient, zw: Zuidwest, reviewer: int, kind: str, p: int):
    """Give `reviewer` a conflict of `kind` with proposal `p` (of region A, led by org X)."""
    if kind == "declared":
        await as_user(client, reviewer)
        declared = await post_form(
            client,
            f"/n/zuid-west/beoordelingen/conflict/{p}",
            {"kind": "personal", "reason": "Mijn zus werkt bij de aanvrager."},
        )
        assert declared.status_code == 303
    else:
        await arise(zw, reviewer, kind, p)
    # The conflict as the coordinator's assignment works it out.
    pool = {r.id: r for r in await queries.reviewer_pool(zw.network)}
    (info,) = await queries.proposal_infos([await proposal_queries.proposal_row(zw.network, p)])
    assert conflict_reason(pool[reviewer], info) == kind


async def arise(zw: Zuidwest, reviewer: int, kind: str, p: int) -> None:
    """The conflict straight in the database, as another request would leave it."""
    if kind == "declared":
        await ConflictDeclaration.insert(
            ConflictDeclaration(
                proposal=p,
                reviewer=reviewer,
                kind="personal",
                reason="Zus",
                declared_at=clock.now(),
            )
        )
    elif kind == "own_region":
        # The reviewer now sits for the submitting region.
        await Membership.update({Membership.region: zw.region_a}).where(
            (Membership.user == reviewer) & (Membership.role == Role.reviewer.value)
        )
    else:
        # The reviewer now works for the lead organisation.
        await Membership.update({Membership.organisation: zw.org_x}).where(
            (Membership.user == reviewer) & (Membership.role == Role.reviewer.value)
        )


@pytest.fixture
def conflict_meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable:
    """Make the conflict arise the moment before the review service's write transaction
    begins: after everything the request checked, before anything is written."""

    def install(zw: Zuidwest, reviewer: int, kind: str, p: int) -> None:
        @asynccontextmanager
        async def racing() -> AsyncIterator[object]:
            await arise(zw, reviewer, kind, p)
            async with write_transaction() as transaction:
                yield transaction

        monkeypatch.setattr(services, "write_transaction", racing)
        monkeypatch.setattr(question_services, "write_transaction", racing)

    return install


@dataclass
class Conflicted:
    kind: str
    proposal: int
    mine: int  # the review of the reviewer with the conflict (ao_b), submitted
    other: int  # chair_b's, submitted
    attachment: int
    question: int
    reviewer: int
    other_reviewer: int


@pytest.fixture(params=KINDS)
async def conflicted(request, client, zw, reviewers, settings) -> Conflicted:
    """Two reviewers submitted and a question was asked; then the first gets a conflict. Before
    it, that reviewer saw the other's review and the proposal's pages, as designed."""
    kind = request.param
    proposal_id = await zw.proposal(state="submitted")
    attachment = (
        await Attachment.insert(
            Attachment(
                proposal=proposal_id,
                kind="other",
                display_name="bijlage.pdf",
                stored_name=store(settings.upload_dir, PDF),
                format="pdf",
                size=len(PDF),
                sha256="0" * 64,
                uploaded_by=zw.applicant_x,
            )
        ).returning(Attachment.id)
    )[0]["id"]
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await assign(client, zw, proposal_id, reviewers["chair_b"])
    asked = await post_form(
        client, f"/n/zuid-west/voorstellen/{proposal_id}/vragen", {"question": QUESTION}
    )
    assert asked.status_code == 303
    mine = await review_id_of(proposal_id, reviewers["ao_b"])
    other = await review_id_of(proposal_id, reviewers["chair_b"])
    await as_user(client, reviewers["chair_b"])
    await post_form(client, f"/n/zuid-west/beoordelingen/{other}", OTHER_REVIEW)
    await as_user(client, reviewers["ao_b"])
    await post_form(client, f"/n/zuid-west/beoordelingen/{mine}", {**SCORES, "action": "submit"})
    seen = await client.get(f"/n/zuid-west/beoordelingen/{mine}")
    # Before the conflict: the others' reviews (their scores and advice; the page does not
    # show their motivations).
    assert {OTHER_REVIEW["advice"], "Beoordelingen van de anderen"} <= set(leaked(seen))
    for url in proposal_urls(proposal_id, attachment):
        assert (await client.get(url)).status_code == 200, url
    await make_conflict(client, zw, reviewers["ao_b"], kind, proposal_id)
    await as_user(client, reviewers["ao_b"])
    question = await Question.select(Question.id).first()
    return Conflicted(
        kind=kind,
        proposal=proposal_id,
        mine=mine,
        other=other,
        attachment=attachment,
        question=question["id"],
        reviewer=reviewers["ao_b"],
        other_reviewer=reviewers["chair_b"],
    )


async def test_the_review_page_closes(client, conflicted) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        response = await client.get(
            f"/n/zuid-west/beoordelingen/{conflicted.mine}", headers=headers
        )
        assert response.status_code == 403
        assert leaked(response) == []
        assert "belangenconflict" in response.text


async def test_the_running_mean_closes(client, conflicted) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        mean = await post_form(
            client,
            f"/n/zuid-west/beoordelingen/{conflicted.mine}/gemiddelde",
            {"c1": "5", "c2": "1"},
            headers=headers,
        )
        assert mean.status_code == 403
        assert leaked(mean) == [] and "lopend-gemiddelde" not in mean.text


async def test_saving_a_submitted_review_is_refused(client, conflicted) -> None:
    before = await Review.select().where(Review.id == conflicted.mine).first()
    save = await post_form(
        client, f"/n/zuid-west/beoordelingen/{conflicted.mine}", {**SCORES, "c1": "1"}
    )
    assert save.status_code == 403 and leaked(save) == []
    assert await Review.select().where(Review.id == conflicted.mine).first() == before


async def test_the_list_of_reviews_says_so(client, conflicted) -> None:
    page = await client.get("/n/zuid-west/beoordelingen")
    assert page.status_code == 200 and leaked(page) == []
    assert "U beoordeelt dit voorstel niet." in page.text
    assert f'/beoordelingen/{conflicted.mine}"' not in page.text


async def test_the_proposal_its_attachments_versions_and_print_view_close(
    client, conflicted
) -> None:
    for url in proposal_urls(conflicted.proposal, conflicted.attachment):
        response = await client.get(url)
        assert response.status_code in (403, 404), url
        assert leaked(response) == [] and PDF not in response.content, url
        assert QUESTION not in response.text, url
    # The other reviewer, without a conflict, still reads them.
    await as_user(client, conflicted.other_reviewer)
    for url in proposal_urls(conflicted.proposal, conflicted.attachment):
        assert (await client.get(url)).status_code == 200, url


async def test_asking_and_answering_questions_are_refused(client, conflicted) -> None:
    asked = await post_form(
        client,
        f"/n/zuid-west/voorstellen/{conflicted.proposal}/vragen",
        {"question": "Nog een vraag?"},
    )
    assert asked.status_code in (403, 404) and leaked(asked) == []
    answered = await post_form(
        client,
        f"/n/zuid-west/voorstellen/{conflicted.proposal}/vragen/{conflicted.question}/antwoord",
        {"answer": "Een antwoord van de beoordelaar"},
    )
    assert answered.status_code in (403, 404) and leaked(answered) == []
    rows = await Question.select(Question.question, Question.answer)
    assert rows == [{"question": QUESTION, "answer": ""}]


async def test_the_coordinator_cannot_reopen_a_conflicted_review(client, zw, conflicted) -> None:
    await as_user(client, zw.coordinator)
    overview = await client.get(review_url(conflicted.proposal))
    assert "Niet te heropenen (belangenconflict)" in overview.text
    response = await post_form(
        client, review_url(conflicted.proposal, f"/heropenen/{conflicted.mine}"), {}
    )
    assert response.status_code == 303
    follow = await client.get(response.headers["location"])
    assert "belangenconflict" in follow.text and "De beoordeling blijft gesloten" in follow.text
    state = await Review.select(Review.state).where(Review.id == conflicted.mine).first()
    assert state["state"] == "submitted"
    # The other reviewer's review reopens as before.
    response = await post_form(
        client, review_url(conflicted.proposal, f"/heropenen/{conflicted.other}"), {}
    )
    state = await Review.select(Review.state).where(Review.id == conflicted.other).first()
    assert state["state"] == "draft"


@pytest.mark.parametrize("kind", KINDS)
async def test_saving_a_draft_is_refused(client, zw, reviewers, kind) -> None:
    """A draft of a reviewer with a conflict is neither saved nor submitted. (A declared
    conflict takes the unfinished review away; the others leave it, closed.)"""
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    mine = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    await post_form(client, f"/n/zuid-west/beoordelingen/{mine}", {**SCORES, "action": "draft"})
    await make_conflict(client, zw, reviewers["ao_b"], kind, proposal_id)
    await as_user(client, reviewers["ao_b"])
    before = await Review.select().where(Review.id == mine).first()
    for action in ("draft", "submit"):
        save = await post_form(
            client,
            f"/n/zuid-west/beoordelingen/{mine}",
            {**SCORES, "c1": "1", "advice": "Gewijzigd", "action": action},
        )
        assert save.status_code in (403, 404)
    assert await Review.select().where(Review.id == mine).first() == before


@pytest.mark.parametrize("kind", KINDS)
async def test_saving_when_the_conflict_arises_meanwhile(
    client, zw, reviewers, kind, conflict_meanwhile
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    mine = await review_id_of(proposal_id, reviewers["ao_b"])
    review = await queries.review_row(mine)
    values, errors = forms.parse_review(FormMultiDict(SCORES), DEFAULT_CRITERIA, True)
    assert not errors
    before = await Review.select().where(Review.id == mine).first()
    events = await AuditEvent.count()
    conflict_meanwhile(zw, reviewers["ao_b"], kind, proposal_id)
    with pytest.raises(services.ReviewRefused, match="belangenconflict"):
        await services.save_review(await principal(reviewers["ao_b"]), review, values, True)
    assert await Review.select().where(Review.id == mine).first() == before
    assert await AuditEvent.count() == events


@pytest.mark.parametrize("kind", KINDS)
async def test_asking_when_the_conflict_arises_meanwhile(
    client, zw, reviewers, settings, kind, conflict_meanwhile
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    proposal = await proposal_queries.proposal_row(zw.network, proposal_id)
    mails = await OutboxMessage.count()
    conflict_meanwhile(zw, reviewers["ao_b"], kind, proposal_id)
    with pytest.raises(services.ReviewRefused, match="belangenconflict"):
        await question_services.ask_question(
            await principal(reviewers["ao_b"]), proposal, "Een vraag?", settings
        )
    assert await Question.count() == 0
    assert await OutboxMessage.count() == mails


@pytest.mark.parametrize("kind", KINDS)
async def test_reopening_when_the_conflict_arises_meanwhile(
    client, zw, reviewers, kind, conflict_meanwhile
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    mine = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    await post_form(client, f"/n/zuid-west/beoordelingen/{mine}", {**SCORES, "action": "submit"})
    proposal = await proposal_queries.proposal_row(zw.network, proposal_id)
    conflict_meanwhile(zw, reviewers["ao_b"], kind, proposal_id)
    with pytest.raises(services.ReviewRefused, match="belangenconflict"):
        await services.reopen_review(await principal(zw.coordinator), proposal, mine)
    state = await Review.select(Review.state).where(Review.id == mine).first()
    assert state["state"] == "submitted"


async def test_a_reviewer_of_two_regions_is_kept_from_the_proposals_of_both(
    client, zw, reviewers
) -> None:
    """Conflicts come from every region a reviewer serves, not only the first listed."""
    await factories.member(
        zw.network,
        Role.reviewer,
        region_id=zw.region_a,
        reviewer_kind="chair",
        user_id=reviewers["chair_b"],
    )
    pool = {r.id: r for r in await queries.reviewer_pool(zw.network)}
    assert pool[reviewers["chair_b"]].regions == {zw.region_a, zw.region_b}
    proposal_id = await zw.proposal(state="submitted")  # of region A
    (info,) = await queries.proposal_infos(
        [await proposal_queries.proposal_row(zw.network, proposal_id)]
    )
    assert conflict_reason(pool[reviewers["chair_b"]], info) == "own_region"
    conflicts = await queries.conflicts_of_reviewer(
        reviewers["chair_b"],
        zw.network,
        [await proposal_queries.proposal_row(zw.network, proposal_id)],
    )
    assert conflicts == {proposal_id: "own_region"}
    await as_user(client, zw.coordinator)
    refused = await post_form(
        client,
        f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}/toewijzen",
        {"reviewer": str(reviewers["chair_b"])},
    )
    shown = await client.get(refused.headers["location"])
    assert "eigen regio" in shown.text.lower()
    assert await Review.count().where(Review.reviewer == reviewers["chair_b"]) == 0
