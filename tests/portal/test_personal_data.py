"""Mijn gegevens (the download of everything the portal holds about a person) and the view log
(who opened a proposal's attachments, a report and its attachments), on both databases.

The proof the issue asks for: the download contains what it must and nothing of another
person, and no secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import httpx
import pytest
from litestar.datastructures import FormMultiDict

from portal.accounts.tables import AuditEvent, Role, User
from portal.accounts.view_log import ViewEvent
from portal.lib.settings import Settings
from proposals import queries
from proposals import services as proposal_services
from proposals.criteria import DEFAULT_CRITERIA
from proposals.rules import Actor
from proposals.tables import Proposal
from review import forms as review_forms
from review import queries as review_queries
from review import question_services
from review import services as review
from review.tables import Review
from tests import factories
from tests.portal.test_access_matrix import PDF, build_world
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

ANNA = "Anna Aanvrager"
BERT = "Bert Bezwaar"
ANNA_PHONE = "010-1112233"
BERT_PHONE = "06-99887766"
ANNA_ADVICE = "Anna vindt de aanpak overtuigend"
DIRK = "Dirk Dubbel"
DIRK_ADVICE = "Dirk twijfelt aan de begroting"
ANNA_QUESTION = "Anna vraagt hoe de wachtlijst wordt gemeten"
BERT_ANSWER = "Bert antwoordt met de wachtlijstcijfers"
BERT_SUMMARY = "Bert schreef deze samenvatting zelf"

DIRKS = (DIRK, "d@example.org", DIRK_ADVICE)
JSON_URL = "/account/gegevens/mijn-gegevens.json"
HTML_URL = "/account/gegevens/mijn-gegevens.html"


def review_values(advice: str) -> dict:
    form = {
        **{f"c{n}": "4" for n in range(1, 5)},
        **{f"c{n}_motivation": f"{advice} (C{n})" for n in range(1, 5)},
        **{r: "voldoet" for r in ("r1", "r3", "r4")},
        "recommendation": "toekennen",
        "advice": advice,
    }
    values, errors = review_forms.parse_review(FormMultiDict(form), DEFAULT_CRITERIA, True)
    assert not errors, errors
    return values


async def build(zw: Zuidwest, settings: Settings, client: httpx.AsyncClient) -> dict[str, int]:
    """Anna (applicant x, also a reviewer) and Bert (applicant y): each has a proposal with
    themselves as contact; Anna adds Bert as co-author of hers; Anna and Dirk review Bert's;
    Anna asks Bert a question and Bert answers it; Anna and Bert have logged in."""
    anna, bert = zw.applicant_x, zw.applicant_y
    await User.update({User.name: ANNA}).where(User.id == anna)
    await User.update({User.name: BERT}).where(User.id == bert)
    await factories.member(
        zw.network, Role.reviewer, region_id=zw.region_b, reviewer_kind="ao", user_id=anna
    )
    dirk = await factories.member(
        zw.network, Role.reviewer, email="d@example.org", region_id=zw.region_b, reviewer_kind="ao"
    )
    await User.update({User.name: DIRK}).where(User.id == dirk)
    plan_a = await zw.proposal(author=anna, title="Plan van Anna")
    plan_b = await zw.proposal(author=bert, title="Plan B")
    await Proposal.update(
        {
            Proposal.contact_name: ANNA,
            Proposal.contact_email: "x@example.org",
            Proposal.contact_phone: ANNA_PHONE,
        }
    ).where(Proposal.id == plan_a)
    await Proposal.update(
        {
            Proposal.contact_name: BERT,
            Proposal.contact_email: "y@example.org",
            Proposal.contact_phone: BERT_PHONE,
            Proposal.summary: BERT_SUMMARY,
        }
    ).where(Proposal.id == plan_b)
    problems = await proposal_services.add_coauthor(
        await principal(anna),
        await queries.proposal_row(zw.network, plan_a),
        {Actor.author},
        "y@example.org",
        settings,
    )
    assert not problems, problems
    for plan, author in ((plan_a, anna), (plan_b, bert)):
        await zw.step(plan, "mark_ready", author, Actor.author)
        await zw.step(plan, "submit", zw.officer_a, Actor.region_officer)
    coordinator = await principal(zw.coordinator)
    for reviewer, advice in ((anna, ANNA_ADVICE), (dirk, DIRK_ADVICE)):
        row_b = await queries.proposal_row(zw.network, plan_b)
        await review.assign(coordinator, row_b, reviewer, settings)
        assigned = await Review.select(Review.id).where(Review.reviewer == reviewer).first()
        await review.save_review(
            await principal(reviewer),
            await review_queries.review_row(assigned["id"]),
            review_values(advice),
            True,
        )
    row_b = await queries.proposal_row(zw.network, plan_b)
    await question_services.ask_question(await principal(anna), row_b, ANNA_QUESTION, settings)
    question = await review_queries.questions_of(plan_b)
    await question_services.answer_question(
        await principal(bert), row_b, question[0]["id"], BERT_ANSWER, settings
    )
    for email in ("y@example.org", "x@example.org"):
        client.cookies.clear()
        await log_in(client, email)
    return {"anna": anna, "bert": bert, "dirk": dirk, "plan_a": plan_a, "plan_b": plan_b}


@pytest.fixture
async def people(zw: Zuidwest, settings: Settings, client: httpx.AsyncClient) -> dict[str, int]:
    return await build(zw, settings, client)


async def test_json_download_holds_the_persons_data_and_nobody_elses(
    client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    response = await client.get(JSON_URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["content-disposition"].startswith("attachment;")
    text = response.text
    data = json.loads(text)
    parts = {p["sleutel"]: p["gegevens"] for p in data["onderdelen"]}

    assert data["persoon"]["Naam"] == ANNA
    assert data["persoon"]["E-mailadres"] == "x@example.org"
    assert data["persoon"]["Laatst ingelogd"]
    assert data["persoon"]["Tweestapsverificatie aan sinds"] is None
    roles = {(r["Rol"], r["Netwerk"]) for r in parts["rollen"]}
    assert roles == {("Aanvrager", "Zuid-West"), ("Beoordelaar", "Zuid-West")}
    assert parts["sessies"], "the log-in's session"
    assert any(
        e["Code"] == "login" and e["Waarover"] == "uw account" and e["Door u"]
        for e in parts["logboek"]
    )
    # Her proposal with her contact details; Bert's proposal is not hers.
    (plan,) = parts["voorstellen"]
    assert plan["Titel"] == "Plan van Anna"
    assert plan["Telefoon contactpersoon"] == ANNA_PHONE
    assert plan["Status"] == "Ingediend"
    assert "auteur" in plan["Uw rol"]
    # Her review, her question.
    (written,) = parts["beoordelingen"]
    assert written["Advies"] == ANNA_ADVICE
    assert "C1: 4" in written["Scores"]
    (asked,) = parts["vragen"]
    assert asked["Uw vraag"] == ANNA_QUESTION
    assert asked["Uw antwoord"] == ""

    # Nothing of Bert (he co-authors her proposal, is named in her audit events, answered her
    # question): not his name, address, phone, answer or proposal text; nothing of Dirk, who
    # reviewed beside her.
    for theirs in (BERT, "y@example.org", BERT_PHONE, BERT_ANSWER, BERT_SUMMARY, *DIRKS):
        assert theirs not in text, theirs
    assert "[andere persoon] toegevoegd als mede-auteur" in text
    # No secrets.
    user = await User.select().where(User.id == people["anna"]).first()
    for secret in ("password_hash", "totp_secret", "token_hash", "code_hash", "$argon2"):
        assert secret not in text
    assert user["password_hash"] not in text


async def test_html_download_has_the_same_essentials(
    client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    response = await client.get(HTML_URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "no-store" in response.headers["cache-control"]
    assert "mijn-gegevens-fondsportaal-" in response.headers["content-disposition"]
    html = response.text
    for mine in (ANNA, "x@example.org", "Plan van Anna", ANNA_PHONE, ANNA_ADVICE, ANNA_QUESTION):
        assert mine in html, mine
    for theirs in (BERT, "y@example.org", BERT_PHONE, BERT_ANSWER, BERT_SUMMARY, *DIRKS):
        assert theirs not in html, theirs
    assert "$argon2" not in html


async def test_the_other_person_gets_their_own(
    client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    client.cookies.clear()
    await log_in(client, "y@example.org")
    text = (await client.get(JSON_URL)).text
    data = json.loads(text)
    parts = {p["sleutel"]: p["gegevens"] for p in data["onderdelen"]}
    assert BERT_ANSWER in text and BERT_PHONE in text
    # He co-authors Anna's proposal: it is there, without her as its contact.
    co_authored = next(p for p in parts["voorstellen"] if p["Titel"] == "Plan van Anna")
    assert co_authored["U bent contactpersoon"] is False
    assert co_authored["Telefoon contactpersoon"] == ""
    for theirs in (ANNA, "x@example.org", ANNA_PHONE, ANNA_ADVICE, ANNA_QUESTION, *DIRKS):
        assert theirs not in text, theirs


async def test_the_download_is_logged_and_the_page_explains_it(
    client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    page = await client.get("/account/gegevens")
    assert page.status_code == 200
    assert "Wat erin staat" in page.text and "mijn-gegevens.json" in page.text
    account = await client.get("/account")
    assert "/account/gegevens" in account.text
    await client.get(JSON_URL)
    await client.get(HTML_URL)
    logged = await AuditEvent.select(AuditEvent.actor, AuditEvent.details).where(
        AuditEvent.action == "personal_data_downloaded"
    )
    assert [(e["actor"], json.loads(e["details"])["format"]) for e in logged] == [
        (people["anna"], "json"),
        (people["anna"], "html"),
    ]


@pytest.mark.parametrize("url", ["/account/gegevens", JSON_URL, HTML_URL])
async def test_an_anonymous_request_is_refused(
    client: httpx.AsyncClient, database: object, url: str
) -> None:
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# The view log.


async def test_an_attachment_download_is_logged_and_shown_to_the_coordinator_only(
    client: httpx.AsyncClient, zw: Zuidwest, settings: Settings
) -> None:
    anna = zw.applicant_x
    await User.update({User.name: ANNA}).where(User.id == anna)
    plan = await zw.proposal(author=anna, title="Plan van Anna")
    await log_in(client, "x@example.org")
    upload = await client.post(
        f"/n/zuid-west/voorstellen/{plan}/bijlagen",
        files={"file": ("plan.pdf", PDF, "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"], "kind": "other", "region": ""},
    )
    assert upload.status_code == 303, upload.text
    await zw.step(plan, "mark_ready", anna, Actor.author)
    await zw.step(plan, "submit", zw.officer_a, Actor.region_officer)
    (attachment,) = await queries.attachments_of(plan)
    url = f"/n/zuid-west/voorstellen/{plan}/bijlagen/{attachment['id']}"
    # Ten at once: ten plain inserts, nothing to collide on.
    answers = await asyncio.gather(*[client.get(url) for _ in range(10)])
    assert [a.status_code for a in answers] == [200] * 10
    views = await ViewEvent.select().where(ViewEvent.subject_id == plan)
    assert len(views) == 10
    assert {(v["user"], v["item"], v["item_label"], v["roles"]) for v in views} == {
        (anna, "proposal_attachment", "plan.pdf", "applicant")
    }
    # The author sees no "Ingezien door"; nor does a reviewer.
    page = await client.get(f"/n/zuid-west/voorstellen/{plan}")
    assert page.status_code == 200
    assert "Ingezien door" not in page.text
    reviewer = await factories.member(
        zw.network, Role.reviewer, email="ao@example.org", region_id=zw.region_b, reviewer_kind="ao"
    )
    await review.assign(
        await principal(zw.coordinator),
        await queries.proposal_row(zw.network, plan),
        reviewer,
        settings,
    )
    client.cookies.clear()
    await log_in(client, "ao@example.org")
    page = await client.get(f"/n/zuid-west/voorstellen/{plan}")
    assert page.status_code == 200
    assert "Ingezien door" not in page.text
    # The coordinator does: who, as what, which file.
    client.cookies.clear()
    await log_in(client, "coord@example.org")
    page = await client.get(f"/n/zuid-west/voorstellen/{plan}")
    assert "Ingezien door" in page.text
    section = page.text[page.text.index('id="ingezien-door"') :]
    assert ANNA in section and "Aanvrager" in section and "plan.pdf" in section


async def test_a_report_and_its_attachment_are_logged_and_shown_to_the_coordinator(
    client: httpx.AsyncClient, zw: Zuidwest, settings: Settings
) -> None:
    world = await build_world(zw, client, settings)
    report_id = world.values["report_id"]
    await User.update({User.name: "Rita Regio"}).where(User.id == zw.officer_a)
    await log_in(client, "regio-a@example.org")
    report_url = f"/n/zuid-west/verantwoording/{report_id}"
    page = await client.get(report_url)
    assert page.status_code == 200
    assert "Ingezien door" not in page.text
    proof = await client.get(f"{report_url}/bijlagen/{world.report_attachment}")
    assert proof.status_code == 200
    views = await ViewEvent.select(ViewEvent.item, ViewEvent.item_label).where(
        (ViewEvent.subject_type == "report") & (ViewEvent.subject_id == int(report_id))
    )
    assert sorted((v["item"], v["item_label"]) for v in views) == [
        ("report", ""),
        ("report_attachment", "factuur.pdf"),
    ]
    client.cookies.clear()
    await log_in(client, "coord@example.org")
    page = await client.get(report_url)
    section = page.text[page.text.index('id="ingezien-door"') :]
    assert "Rita Regio" in section and "Regio-indiener" in section and "factuur.pdf" in section


def test_repeated_views_are_one_line() -> None:
    """The coordinator opening a report page five times is one line, with how often."""
    from portal.accounts.view_log import repeats_together

    def view(minute: int, who: str, item: str = "report") -> dict:
        at = dt.datetime(2026, 12, 4, 16, minute, tzinfo=dt.UTC)
        return {"at": at, "user_name": who, "item": item, "item_label": "", "roles": "coordinator"}

    newest_first = [view(59 - i, "Cora") for i in range(5)]
    newest_first += [view(40, "Rita"), view(39, "Cora"), view(38, "Cora", "report_attachment")]
    lines = repeats_together(newest_first)
    assert [(line["user_name"], line["item"], line["times"]) for line in lines] == [
        ("Cora", "report", 5),
        ("Rita", "report", 1),
        ("Cora", "report", 1),
        ("Cora", "report_attachment", 1),
    ]
    assert lines[0]["at"].minute == 59 and lines[0]["first_at"].minute == 55
