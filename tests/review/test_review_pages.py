"""Review and decision through the web, on both databases."""

from __future__ import annotations

import datetime as dt

import httpx

from ledger.books.tables import BudgetYear
from portal.accounts.reminders import send_due
from portal.accounts.tables import OutboxMessage, Role
from portal.lib import clock
from proposals.tables import BudgetLine, Proposal, ProposalVersion, Round
from review.reminders import register_review_reminders
from review.tables import Advice, ConflictDeclaration, Decision, Review
from tests import factories
from tests.factories import email_of
from tests.proposals.conftest import Zuidwest
from tests.web import log_in, post_form

SCORES = {
    "c1": "4",
    "c2": "2",
    "c3": "5",
    "c4": "3",
    "c1_motivation": "Goed",
    "c2_motivation": "Beperkt",
    "c3_motivation": "Sterk",
    "c4_motivation": "Redelijk",
    "r1": "voldoet",
    "r3": "voldoet",
    "r4": "voldoet_niet",
    "r4_explanation": "Geen inkoopadvies",
    "recommendation": "toekennen_onder_voorwaarden",
    "advice": "Toekennen als de inkoop is geregeld.",
}


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await email_of(user_id))


def review_url(proposal_id: int, rest: str = "") -> str:
    return f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}{rest}"


async def assign(client, zw: Zuidwest, proposal_id: int, reviewer: int) -> httpx.Response:
    await as_user(client, zw.coordinator)
    return await post_form(
        client, review_url(proposal_id, "/toewijzen"), {"reviewer": str(reviewer)}
    )


async def review_id_of(proposal_id: int, reviewer: int) -> int:
    row = (
        await Review.select(Review.id)
        .where((Review.proposal == proposal_id) & (Review.reviewer == reviewer))
        .first()
    )
    return row["id"]


async def state_of(proposal_id: int) -> str:
    return (await Proposal.select(Proposal.state).where(Proposal.id == proposal_id).first())[
        "state"
    ]


async def test_conflicts_by_region_and_organisation_are_refused(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted", region=zw.region_a)
    response = await assign(client, zw, proposal_id, reviewers["ao_a"])
    page = await client.get(response.headers["location"])
    assert "belangenconflict (eigen regio)" in page.text
    response = await assign(client, zw, proposal_id, reviewers["chair_c"])  # org X leads it
    page = await client.get(response.headers["location"])
    assert "belangenconflict (eigen organisatie)" in page.text
    assert await Review.count() == 0
    assert (await assign(client, zw, proposal_id, reviewers["ao_b"])).status_code == 303
    assert await Review.count() == 1
    assert await state_of(proposal_id) == "in_review"
    mail = await OutboxMessage.select().where(OutboxMessage.recipient == "ao-b@example.org")
    assert mail and "Beoordelingsverzoek" in mail[0]["subject"]


async def test_declared_conflict_removes_the_assignment_and_hides_the_proposal(
    client, zw, reviewers
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    assert (await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")).status_code == 200
    response = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/conflict/{proposal_id}",
        {"kind": "personal", "reason": "Mijn zus werkt er"},
    )
    assert response.status_code == 303
    assert await Review.count() == 0
    assert await ConflictDeclaration.count() == 1
    assert (await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")).status_code == 404
    # The coordinator sees it and cannot assign the reviewer again.
    response = await assign(client, zw, proposal_id, reviewers["ao_b"])
    page = await client.get(response.headers["location"])
    assert "belangenconflict" in page.text and "Mijn zus werkt er" in page.text
    assert await Review.count() == 0


async def test_a_conflict_is_declared_on_the_review_s_page_the_list_links_there(
    client, zw, reviewers
) -> None:
    proposal_id = await zw.proposal(state="submitted", title="Wachtlijstbrug")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = (await Review.select(Review.id).first())["id"]
    await as_user(client, reviewers["ao_b"])
    listed = await client.get("/n/zuid-west/beoordelingen")
    # No form per row: a link to the one form, beside the proposal.
    assert "beoordelingen/conflict/" not in listed.text
    assert f'href="/n/zuid-west/beoordelingen/{review_id}#belangenconflict"' in listed.text
    page = await client.get(f"/n/zuid-west/beoordelingen/{review_id}")
    assert 'id="belangenconflict"' in page.text
    assert f'action="/n/zuid-west/beoordelingen/conflict/{proposal_id}"' in page.text
    # Once submitted, there is nothing left to declare it for.
    await Review.update({Review.state: "submitted"}).where(Review.id == review_id)
    page = await client.get(f"/n/zuid-west/beoordelingen/{review_id}")
    assert 'id="belangenconflict"' not in page.text
    listed = await client.get("/n/zuid-west/beoordelingen")
    assert "#belangenconflict" not in listed.text


async def test_reviewer_never_sees_unassigned_proposals(client, zw, reviewers) -> None:
    assigned = await zw.proposal(state="submitted", title="Toegewezen")
    other = await zw.proposal(state="submitted", title="Niet toegewezen")
    await assign(client, zw, assigned, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    listing = await client.get("/n/zuid-west/beoordelingen")
    assert "Toegewezen" in listing.text and "Niet toegewezen" not in listing.text
    assert (await client.get(f"/n/zuid-west/voorstellen/{other}")).status_code == 404
    other_review = await client.get(review_url(assigned))
    assert other_review.status_code == 403  # the coordinator's overview is not theirs


async def test_reviewer_list_is_paged(client, zw, reviewers, monkeypatch) -> None:
    """A reviewer's list shows a page of reviews (two here instead of 50), the last assigned
    first, with the total and a pager."""
    from review.controllers import reviewer

    monkeypatch.setattr(reviewer, "REVIEWS_PER_PAGE", 2)
    proposals = [await zw.proposal(state="submitted", title=f"Voorstel {i}") for i in range(3)]
    for proposal_id in proposals:
        await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    first = await client.get("/n/zuid-west/beoordelingen")
    assert first.status_code == 200
    assert "3 beoordelingen, de laatst toegewezen eerst; pagina 1 van 2." in first.text
    assert '<nav aria-label="Paginering" class="fp-pagination">' in first.text
    assert 'href="/n/zuid-west/beoordelingen?pagina=2">Volgende</a>' in first.text
    assert ">Voorstel 2</a>" in first.text and ">Voorstel 1</a>" in first.text
    assert ">Voorstel 0</a>" not in first.text
    second = await client.get("/n/zuid-west/beoordelingen?pagina=2")
    assert "pagina 2 van 2." in second.text
    assert 'href="/n/zuid-west/beoordelingen?pagina=1">Vorige</a>' in second.text
    assert ">Voorstel 0</a>" in second.text and ">Voorstel 2</a>" not in second.text


async def test_reviewer_sees_other_reviews_only_after_submitting(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await assign(client, zw, proposal_id, reviewers["chair_b"])
    first = await review_id_of(proposal_id, reviewers["ao_b"])
    second = await review_id_of(proposal_id, reviewers["chair_b"])
    await as_user(client, reviewers["ao_b"])
    done = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{first}",
        {**SCORES, "advice": "GEHEIM-ADVIES-EEN", "action": "submit"},
    )
    assert done.status_code == 303
    await as_user(client, reviewers["chair_b"])
    before = await client.get(f"/n/zuid-west/beoordelingen/{second}")
    assert before.status_code == 200 and "GEHEIM-ADVIES-EEN" not in before.text
    # Someone else's review, by its number: not found.
    assert (await client.get(f"/n/zuid-west/beoordelingen/{first}")).status_code == 404
    await post_form(client, f"/n/zuid-west/beoordelingen/{second}", {**SCORES, "action": "submit"})
    after = await client.get(f"/n/zuid-west/beoordelingen/{second}")
    assert "GEHEIM-ADVIES-EEN" in after.text


async def test_review_form_keeps_input_and_locks_after_submission(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    draft = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {"c1": "4", "c1_motivation": "Half af", "action": "draft"},
    )
    assert draft.status_code == 303
    row = await Review.select().where(Review.id == review_id).output(load_json=True).first()
    assert row["state"] == "draft" and row["scores"] == {"C1": 4}
    assert row["notes"] == {"C1": "Half af"}
    incomplete = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}",
        {
            "c1": "4",
            "c1_motivation": "Half af",
            "c2": "9",
            "r4": "voldoet_niet",
            "action": "submit",
        },
    )
    assert incomplete.status_code == 422
    assert "Kies een score van 1 tot en met 5." in incomplete.text
    assert "Licht toe waarom het voorstel hier niet (zeker) voldoet." in incomplete.text
    assert "Half af" in incomplete.text
    await post_form(
        client, f"/n/zuid-west/beoordelingen/{review_id}", {**SCORES, "action": "submit"}
    )
    locked = await post_form(
        client, f"/n/zuid-west/beoordelingen/{review_id}", {**SCORES, "c1": "1", "action": "submit"}
    )
    # Refused on the form itself, with what was typed still there.
    assert locked.status_code == 422 and "ligt vast" in locked.text
    saved = (
        await Review.select(Review.scores)
        .where(Review.id == review_id)
        .output(load_json=True)
        .first()
    )
    assert saved["scores"]["C1"] == 4
    # The coordinator reopens it; the reviewer can change it again.
    await as_user(client, zw.coordinator)
    await post_form(client, review_url(proposal_id, f"/heropenen/{review_id}"))
    assert (await Review.select(Review.state).where(Review.id == review_id).first())[
        "state"
    ] == "draft"


async def test_running_mean_partial(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    review_id = await review_id_of(proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    response = await post_form(
        client,
        f"/n/zuid-west/beoordelingen/{review_id}/gemiddelde",
        {"c1": "4", "c2": "5"},
        headers={"HX-Request": "true"},
    )
    assert "4,5" in response.text


async def _scored(client, zw, reviewers, scores: list[dict]) -> int:
    proposal_id = await zw.proposal(state="submitted")
    for who, extra in zip(("ao_b", "chair_b", "ao_c"), scores, strict=False):
        await assign(client, zw, proposal_id, reviewers[who])
        review_id = await review_id_of(proposal_id, reviewers[who])
        await as_user(client, reviewers[who])
        await post_form(
            client,
            f"/n/zuid-west/beoordelingen/{review_id}",
            {**SCORES, **extra, "action": "submit"},
        )
    return proposal_id


async def test_coordinator_sees_statistics_and_warnings(client, zw, reviewers) -> None:
    proposal_id = await _scored(
        client,
        zw,
        reviewers,
        [{"c2": "2"}, {"c2": "4"}, {"c2": "5", "r4": "voldoet", "r4_explanation": ""}],
    )
    await as_user(client, zw.coordinator)
    page = await client.get(review_url(proposal_id))
    assert page.status_code == 200
    # C2: 2, 4, 5 -> mean 3.67, median 4, spread 3: disagreement.
    assert 'data-criterion="C2"' in page.text and "3,67" in page.text
    assert "verschil" in page.text
    assert "R4" in page.text and "niet voldoet" in page.text


async def test_whole_flow_to_a_grant(client, zw, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}, {}])
    await as_user(client, zw.coordinator)
    early = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "granted",
            "amount": "10.000,00",
            "decision_date": "2021-11-01",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-2021-7",
        },
    )
    # Not a flash on another page: the proposal's page, the reason where the form will be.
    assert early.status_code == 422
    assert "Eerst het advies vastleggen" in early.text
    advice = await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"body": "ao_chairs", "meeting_date": "2021-10-14", "advice": "Positief"},
    )
    assert advice.status_code == 303 and await state_of(proposal_id) == "advised"
    too_much = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "granted",
            "amount": "10.000,01",
            "decision_date": "2021-11-01",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-2021-7",
        },
    )
    assert too_much.status_code == 422
    assert "niet hoger zijn dan het gevraagde bedrag" in too_much.text
    assert await Decision.count() == 0
    # The budget runs into 2022 as much as in 2021: Zuid-West commits each year's part in that
    # year's budget, and the letter says so (ledger/books/projects.py).
    await BudgetLine.insert(
        BudgetLine(
            proposal=proposal_id,
            kind="material",
            year=2022,
            description="Evaluatie",
            amount_cents=1_000_000,
        )
    )
    granted = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "granted_with_conditions",
            "amount": "8.000,00",
            "conditions": "Inkoopadvies",
            "decision_date": "2021-11-01",
            "reference": "RTD-21-1",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-2021-7",
            "shared_advice": "Sterk voorstel.",
        },
    )
    assert granted.status_code == 303
    assert await state_of(proposal_id) == "granted"
    decision = await Decision.select().first()
    assert decision["amount_cents"] == 800_000 and decision["outcome"] == "granted_with_conditions"
    assert await Advice.count() == 2
    letter = await client.get(review_url(proposal_id, "/beschikking"))
    assert letter.status_code == 200
    assert "€ 8.000,00" in letter.text and "1 maart" in letter.text and "Rotterdam" in letter.text
    assert (
        "dat van dit bedrag € 4.000,00 ten laste van de begroting 2021 en € 4.000,00 ten laste "
        "van de begroting 2022 komt" in letter.text
    )
    # The network's auditor reads the grant letter too (and no proposal page).
    auditor = await factories.member(zw.network, Role.auditor, email="accountant@example.org")
    await as_user(client, auditor)
    assert (await client.get(review_url(proposal_id, "/beschikking"))).status_code == 200
    assert (await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")).status_code == 403
    # The applicant sees the decision and the shared advice, never who reviewed.
    await as_user(client, zw.applicant_x)
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert "Toegekend onder voorwaarden" in page.text and "Sterk voorstel." in page.text
    from portal.accounts.tables import User

    for who in ("ao_b", "chair_b"):
        reviewer = await User.select().where(User.id == reviewers[who]).first()
        assert reviewer["email"] not in page.text and reviewer["name"] not in page.text
    assert any(
        "Besluit" in m["subject"]
        for m in await OutboxMessage.select().where(OutboxMessage.recipient == "x@example.org")
    )


async def test_return_for_revision_makes_a_new_draft_version(client, zw, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"meeting_date": "2021-10-14", "advice": "Aanpassen"},
    )
    returned = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "returned",
            "reasons": "Maak de begroting concreter.",
            "decision_date": "2021-11-01",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-7",
        },
    )
    assert returned.status_code == 303
    row = await Proposal.select().where(Proposal.id == proposal_id).first()
    assert row["state"] == "draft" and row["version"] == 2
    assert await ProposalVersion.count().where(ProposalVersion.proposal == proposal_id) == 1
    await as_user(client, zw.applicant_x)
    saved = await post_form(
        client,
        f"/n/zuid-west/voorstellen/{proposal_id}/bewerken/algemeen",
        {
            "title": "Wachtlijstbrug, herzien",
            "theme": str(zw.themes[0]),
            "region": str(zw.region_a),
        },
    )
    assert saved.status_code == 303
    diff = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}/vergelijk?van=1")
    assert "Wachtlijstbrug, herzien" in diff.text


async def test_decisions_for_a_whole_round_are_all_or_nothing(client, zw, reviewers) -> None:
    first = await _scored(client, zw, reviewers, [{}])
    second = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    for proposal_id in (first, second):
        await post_form(
            client,
            review_url(proposal_id, "/advies"),
            {"meeting_date": "2021-10-14", "advice": "Positief"},
        )
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}/besluiten"
    assert (await client.get(url)).status_code == 200
    shared = {"decision_date": "2021-11-01", "advice_date": "2021-10-20", "advice_reference": "BA"}
    bad = await post_form(
        client,
        url,
        {
            **shared,
            f"p{first}_outcome": "granted",
            f"p{first}_amount": "5.000,00",
            f"p{second}_outcome": "granted",
            f"p{second}_amount": "99.999,00",
        },
    )
    assert bad.status_code == 422 and await Decision.count() == 0
    good = await post_form(
        client,
        url,
        {
            **shared,
            f"p{first}_outcome": "granted",
            f"p{first}_amount": "5.000,00",
            f"p{second}_outcome": "rejected",
            f"p{second}_conditions": "Past niet in het thema",
        },
    )
    assert good.status_code == 303
    assert await state_of(first) == "granted" and await state_of(second) == "rejected"
    rejected = await Decision.select().where(Decision.proposal == second).first()
    assert rejected["reasons"] == "Past niet in het thema"


async def test_automatic_assignment_and_progress(client, zw, reviewers) -> None:
    proposals = [await zw.proposal(state="submitted", title=f"Voorstel {i}") for i in range(3)]
    await as_user(client, zw.coordinator)
    response = await post_form(client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/toewijzen")
    assert response.status_code == 303
    for proposal_id in proposals:
        reviews = await Review.select(Review.reviewer).where(Review.proposal == proposal_id)
        assigned = {r["reviewer"] for r in reviews}
        assert len(assigned) == 3
        # Region A submitted them: its AO member is never assigned; org X's chair neither.
        assert reviewers["ao_a"] not in assigned and reviewers["chair_c"] not in assigned
    page = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}")
    assert "toegewezen" in page.text and "conflict" in page.text


async def test_round_progress_is_paged(client, zw, reviewers, monkeypatch) -> None:
    """The progress matrix shows a page of proposals (two here instead of 50); the load per
    reviewer under it and the rankings still cover the whole round."""
    import re

    from review.controllers import rounds

    monkeypatch.setattr(rounds, "MATRIX_PER_PAGE", 2)
    proposals = [await zw.proposal(state="submitted", title=f"Voorstel {i}") for i in range(3)]
    await as_user(client, zw.coordinator)
    await post_form(client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/toewijzen")
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}"

    def matrix_rows(html: str) -> list[int]:
        return [
            proposal_id
            for proposal_id in proposals
            if f'scope="row"><a class="utrecht-link" href="/n/zuid-west/beoordeling/voorstellen/'
            f'{proposal_id}">' in html
        ]

    def load_row(html: str) -> str:
        return re.search(r'<tr class="utrecht-table__row fp-total-row">.*?</tr>', html).group(0)

    first = await client.get(url)
    assert first.status_code == 200
    assert "3 voorstellen, pagina 1 van 2." in first.text
    assert '<nav aria-label="Paginering voortgang" class="fp-pagination">' in first.text
    assert f'href="{url}?sorteer=mean&amp;pagina=2#voortgang">Volgende</a>' in first.text
    assert matrix_rows(first.text) == proposals[:2]
    second = await client.get(f"{url}?sorteer=amount&pagina=2")
    assert "3 voorstellen, pagina 2 van 2." in second.text
    assert matrix_rows(second.text) == proposals[2:]
    assert f'href="{url}?sorteer=amount&amp;pagina=1#voortgang">Vorige</a>' in second.text
    # The sort links keep the page; the load row counts all three proposals on either page.
    assert f'href="{url}?sorteer=spread&amp;pagina=2#rangorde"' in second.text
    assert load_row(first.text) == load_row(second.text)
    loads = re.findall(r'<td class="utrecht-table__cell">(\d+)</td>', load_row(first.text))
    assert sum(int(n) for n in loads) == 9
    # Every proposal is still ranked, whatever the page of the matrix.
    for i in range(3):
        assert second.text.count(f">Voorstel {i}</a>") == 1 + (i == 2)


async def test_impossible_assignment_is_explained(client, zw, reviewers) -> None:
    await zw.proposal(state="submitted", title="Onmogelijk")
    await Round.update({Round.reviewers_per_proposal: 5}).where(Round.id == zw.round)
    await as_user(client, zw.coordinator)
    response = await post_form(client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/toewijzen")
    assert response.status_code == 200
    assert "Onmogelijk" in response.text and "nodig" in response.text


async def test_assignment_is_fixed_after_the_review_deadline(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await Round.update({Round.review_deadline: clock.now() - dt.timedelta(days=1)}).where(
        Round.id == zw.round
    )
    response = await assign(client, zw, proposal_id, reviewers["ao_b"])
    page = await client.get(response.headers["location"])
    assert "beoordelingstermijn is verstreken" in page.text
    assert await Review.count() == 0


async def test_questions_reach_the_authors_and_back(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await as_user(client, reviewers["ao_b"])
    await post_form(
        client,
        f"/n/zuid-west/voorstellen/{proposal_id}/vragen",
        {"question": "Hoe lang duurt de overbrugging?"},
    )
    assert await OutboxMessage.count().where(OutboxMessage.recipient == "x@example.org") >= 1
    await as_user(client, zw.applicant_y)  # not an author: cannot answer (cannot even see it)
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert page.status_code == 404
    await as_user(client, zw.applicant_x)
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert "Hoe lang duurt de overbrugging?" in page.text
    assert "ao-b@example.org" not in page.text
    from review.tables import Question

    question = await Question.select().first()
    await post_form(
        client,
        f"/n/zuid-west/voorstellen/{proposal_id}/vragen/{question['id']}/antwoord",
        {"answer": "Zes weken."},
    )
    assert await OutboxMessage.count().where(OutboxMessage.recipient == "ao-b@example.org") == 2
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert "Zes weken." in page.text


async def test_applicants_cannot_reach_the_review_screens(client, zw, reviewers) -> None:
    proposal_id = await zw.proposal(state="submitted")
    for user in (zw.applicant_x, zw.officer_a, reviewers["ao_b"]):
        await as_user(client, user)
        assert (await client.get(review_url(proposal_id))).status_code == 403
        assert (await post_form(client, review_url(proposal_id, "/besluit"), {})).status_code == 403


async def test_review_reminders_are_sent_once(client, zw, reviewers) -> None:
    register_review_reminders()
    # The world's 2021 SiSa is long overdue: recorded, so that only review reminders are due.
    await BudgetYear.update({BudgetYear.sisa_submitted_on: dt.date(2022, 7, 1)}).where(
        BudgetYear.id == zw.budget_year
    )
    proposal_id = await zw.proposal(state="submitted")
    await assign(client, zw, proposal_id, reviewers["ao_b"])
    await Round.update({Round.review_deadline: clock.now() + dt.timedelta(days=10)}).where(
        Round.id == zw.round
    )
    assert await send_due(clock.now(), "http://testserver") == 0
    clock.travel(dt.timedelta(days=4))
    assert await send_due(clock.now(), "http://testserver") == 1
    assert await send_due(clock.now(), "http://testserver") == 0
    clock.travel(dt.timedelta(days=7))
    assert await send_due(clock.now(), "http://testserver") == 1
    assert await send_due(clock.now(), "http://testserver") == 0
    subjects = [
        m["subject"]
        for m in await OutboxMessage.select().where(OutboxMessage.recipient == "ao-b@example.org")
    ]
    assert sum("binnenkort" in s for s in subjects) == 1
    assert sum("verstreken" in s for s in subjects) == 1


# --- the ranking per theme on the round page --------------------------------------------------


def ranked_titles(html: str) -> list[str]:
    """The proposal titles of the ranking tables in `html`, in order."""
    import re

    section = html[html.index('id="rangorde"') :] if 'id="rangorde"' in html else html
    return re.findall(
        r'<tr class="utrecht-table__row" data-fits="(?:ja|nee)">\s*<td class="utrecht-table__cell">'
        r'<a class="utrecht-link" href="/n/zuid-west/beoordeling/voorstellen/\d+">([^<]+)</a>',
        section,
    )


def fits_cues(html: str) -> list[str]:
    import re

    return re.findall(r'data-fits="(ja|nee)"', html)


async def _ranked_theme(client, zw: Zuidwest, reviewers) -> int:
    """Four proposals in the first theme (guide budget € 50.000): "Gescoord" (€ 10.000) scored
    by two reviewers, mean 3,75, spread 2; then unscored ones of € 40.000, € 30.000, € 20.000.
    Ranked: Gescoord, € 20.000 (together € 30.000: both fit), € 30.000 and € 40.000 (neither
    fits)."""
    scored = await _scored(client, zw, reviewers, [{}, {"c2": "4"}])
    await Proposal.update({Proposal.title: "Gescoord"}).where(Proposal.id == scored)
    for euros in (40_000, 30_000, 20_000):
        await zw.proposal(state="submitted", title=f"Voorstel {euros}", requested_cents=euros * 100)
    await as_user(client, zw.coordinator)
    return zw.themes[0]


RANKED = ["Gescoord", "Voorstel 20000", "Voorstel 30000", "Voorstel 40000"]


async def test_round_page_shows_the_top_of_each_theme(client, zw, reviewers, monkeypatch) -> None:
    """Each theme shows its first RANKING_TOP rows (two here instead of ten), how many it holds
    and how many fit, and a link to all of them: htmx fetches the partial, the plain link opens
    the page with that theme in full."""
    from review.controllers import common, rounds

    monkeypatch.setattr(common, "RANKING_TOP", 2)
    monkeypatch.setattr(rounds, "RANKING_TOP", 2)
    theme = await _ranked_theme(client, zw, reviewers)
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}"
    page = await client.get(url)
    assert page.status_code == 200
    assert ranked_titles(page.text) == RANKED[:2]
    assert fits_cues(page.text) == ["ja", "ja"]
    assert '<td class="utrecht-table__cell">3,75</td>' in page.text  # the mean, as before
    assert (
        "4 voorstellen, waarvan 2 binnen het richtinggevend budget passen (samen € 30.000,00). "
        "Hieronder de eerste 2 in deze volgorde." in page.text
    )
    link = (
        f'<a class="utrecht-link" href="{url}?sorteer=mean&amp;pagina=1&amp;thema={theme}'
        f'#thema-{theme}" hx-get="{url}/rangorde?sorteer=mean&amp;pagina=1&amp;thema={theme}" '
        f'hx-target="#rangorde-thema-{theme}" hx-swap="outerHTML">Toon alle 4 voorstellen'
        '<span class="fp-visually-hidden"> van thema Wachtlijsten</span></a>'
    )
    assert link in page.text
    assert f'<div class="fp-ranking" id="rangorde-thema-{theme}">' in page.text
    assert f'id="thema-{theme}">Wachtlijsten' in page.text
    # The other theme has nothing to rank and no link.
    assert "Geen ingediende voorstellen in dit thema." in page.text
    assert page.text.count("Toon alle ") == 1

    # Without JavaScript: the same page with this theme in full, in the same order.
    full = await client.get(f"{url}?sorteer=mean&pagina=1&thema={theme}")
    assert full.status_code == 200
    assert ranked_titles(full.text) == RANKED
    assert fits_cues(full.text) == ["ja", "ja", "nee", "nee"]
    assert "Toon alle " not in full.text
    assert f'href="{url}?sorteer=mean&amp;pagina=1#thema-{theme}">Toon alleen de eerste 2' in (
        full.text
    )
    # The sort links keep the theme open.
    assert f'href="{url}?sorteer=amount&amp;pagina=1&amp;thema={theme}#rangorde"' in full.text


async def test_ranking_partial_swaps_in_every_row(client, zw, reviewers, monkeypatch) -> None:
    from review.controllers import common, rounds

    monkeypatch.setattr(common, "RANKING_TOP", 2)
    monkeypatch.setattr(rounds, "RANKING_TOP", 2)
    theme = await _ranked_theme(client, zw, reviewers)
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}"
    htmx = {"HX-Request": "true"}
    fragment = await client.get(f"{url}/rangorde?thema={theme}&sorteer=mean", headers=htmx)
    assert fragment.status_code == 200
    html = fragment.text
    # Only the fragment, with its stable root, the same table headers and every row in order.
    assert html.lstrip().startswith(f'<div class="fp-ranking" id="rangorde-thema-{theme}">')
    assert "<html" not in html and "<h1" not in html
    for header in ("Voorstel", "Gemiddelde", "Spreiding", "Gevraagd", "Opgeteld", "Past"):
        assert f'scope="col">{header}</th>' in html
    assert ranked_titles(html) == RANKED
    assert fits_cues(html) == ["ja", "ja", "nee", "nee"]
    assert '<td class="utrecht-table__cell">3,75</td>' in html
    assert '<td class="utrecht-table__cell">2</td>' in html  # the spread
    assert "Toon alle " not in html and "Toon alleen de eerste 2" in html
    # Another order changes the order only, never what fits.
    by_amount = await client.get(f"{url}/rangorde?thema={theme}&sorteer=amount", headers=htmx)
    assert ranked_titles(by_amount.text) == list(reversed(RANKED))
    assert fits_cues(by_amount.text) == ["nee", "nee", "ja", "ja"]
    # Without htmx the partial sends to the page with this theme in full.
    plain = await client.get(f"{url}/rangorde?thema={theme}&sorteer=spread&pagina=3")
    assert plain.status_code == 303
    assert plain.headers["location"] == (
        f"{url}?sorteer=spread&pagina=3&thema={theme}#thema-{theme}"
    )
    # A theme that is not one of this round's, or none at all.
    for query in (f"?thema={theme + 999}", "?thema=x", ""):
        missing = await client.get(f"{url}/rangorde{query}", headers=htmx)
        assert missing.status_code == 404


async def test_ranking_partial_is_the_own_networks_coordinators(client, zw, reviewers) -> None:
    from portal.accounts.tables import Role
    from tests import factories

    theme = zw.themes[0]
    await zw.proposal(state="submitted")
    limburg = await factories.network(slug="limburg", name="Limburg")
    other = await factories.member(limburg, Role.coordinator, email="coord-li@example.org")
    htmx = {"HX-Request": "true"}
    await as_user(client, other)
    for network in ("zuid-west", "limburg"):
        url = f"/n/{network}/beoordeling/rondes/{zw.round}/rangorde?thema={theme}"
        response = await client.get(url, headers=htmx)
        assert response.status_code in (403, 404), (network, response.status_code)
        assert "Wachtlijstbrug" not in response.text
    for user in (reviewers["ao_b"], zw.applicant_x):
        await as_user(client, user)
        response = await client.get(
            f"/n/zuid-west/beoordeling/rondes/{zw.round}/rangorde?thema={theme}", headers=htmx
        )
        assert response.status_code == 403


def test_ranking_scores_are_those_of_the_full_statistics() -> None:
    """The round page ranks on `overall_score`, the proposal page shows `aggregate`: the same
    mean and spread for any set of reviews (a pure test, no database)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from review.aggregate import SCORE_CRITERIA, ReviewScores, aggregate, overall_score

    score = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
    review = st.fixed_dictionaries({c: score for c in SCORE_CRITERIA})

    @settings(max_examples=300, deadline=None)
    @given(st.lists(review, max_size=7))
    def same(scores: list[dict]) -> None:
        full = aggregate([ReviewScores(i, s, {}, None) for i, s in enumerate(scores)])
        lean = overall_score(scores)
        assert (lean.overall_mean, lean.overall_spread) == (
            full.overall_mean,
            full.overall_spread,
        )

    same()


async def test_a_reviewer_of_another_kind_is_not_called_a_chair(client, zw, reviewers) -> None:
    """Limburg's projectgroep members are neither AO members nor chairs: the pool says
    'beoordelaar', not 'Voorzitter expertteam'."""
    await factories.member(zw.network, Role.reviewer, email="pg@example.org")
    proposal_id = await zw.proposal(state="submitted")
    await as_user(client, zw.coordinator)
    page = await client.get(review_url(proposal_id))
    assert "(beoordelaar)" in page.text and "(AO-lid)" in page.text
    assert page.text.count("(Voorzitter expertteam)") == sum(
        1 for who in reviewers if who.startswith("chair")
    )
