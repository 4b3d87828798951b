"""The start page as a work list (issue 17): per role what waits now, with counts, deadlines and
links to the object, never another region's or organisation's items; the recent activity names
and links its objects; the coordinator is not told to contact herself. Both databases."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

import httpx
import pytest

from ledger.books import services as ledger
from ledger.books.tables import Report, ReportState
from ledger.projects import changes
from ledger.projects import payment_requests as requests
from portal.accounts.tables import LoginThrottle, Membership, Role, User
from portal.lib import clock
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals.tables import Proposal
from review import question_services
from review import services as review
from review.tables import Question, Review
from tests import factories
from tests.proposals.conftest import Zuidwest, principal
from tests.review.conftest import reviewers as reviewers  # the fixtures
from tests.review.conftest import zw as zw
from tests.web import log_in

BASE = "/n/zuid-west"


@dataclass
class Scene:
    zw: Zuidwest
    reviewers: dict[str, int]
    draft_x: int
    draft_y: int
    returned_x: int
    ready_a: int
    ready_b: int
    reviewed_a: int
    unassigned_b: int
    review_id: int
    project_a: int
    project_b: int
    report_a: int
    report_b: int
    payment: int
    change: int
    invited: int
    locked: int


async def commit(zw: Zuidwest, title: str, region: int) -> int:
    return await ledger.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=None,
        title=title,
        region_id=region,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=1_000_000,
        decision_reference=f"B-{title}",
        decision_date=dt.date(2021, 11, 1),
    )


@pytest.fixture
async def scene(zw: Zuidwest, reviewers: dict[str, int], settings: Settings) -> Scene:
    coordinator = await principal(zw.coordinator)
    draft_x = await zw.proposal(title="Concept van X", complete=False)
    draft_y = await zw.proposal(
        author=zw.applicant_y, region=zw.region_b, title="Concept van Y", complete=False
    )
    returned_x = await zw.proposal(title="Terug naar X", complete=False)
    # As a "returned for revision" decision leaves it (review/services, tested there): a draft
    # of the next version.
    await Proposal.update({Proposal.version: 2}).where(Proposal.id == returned_x)
    ready_a = await zw.proposal(state="ready", title="Klaar in A")
    ready_b = await zw.proposal(
        author=zw.applicant_y, region=zw.region_b, state="ready", title="Klaar in B"
    )
    reviewed_a = await zw.proposal(state="submitted", title="Beoordeeld in A")
    unassigned_b = await zw.proposal(
        author=zw.applicant_y, region=zw.region_b, state="submitted", title="Zonder beoordelaar"
    )
    row = await proposal_queries.proposal_row(zw.network, reviewed_a)
    await review.assign(coordinator, row, reviewers["ao_b"], settings)
    review_id = (await Review.select(Review.id).where(Review.proposal == reviewed_a).first())["id"]
    row = await proposal_queries.proposal_row(zw.network, reviewed_a)
    await question_services.ask_question(
        await principal(reviewers["ao_b"]), row, "Hoe meet u de wachttijd?", settings
    )
    await question_services.ask_question(coordinator, row, "Wie trekt de kar?", settings)
    question = (
        await Question.select(Question.id).where(Question.question == "Wie trekt de kar?").first()
    )["id"]
    await question_services.answer_question(
        await principal(zw.applicant_x), row, question, "De kartrekker.", settings
    )
    # Projects of 2021 report before 1 March 2022: late by now.
    project_a = await commit(zw, "Project A", zw.region_a)
    project_b = await commit(zw, "Project B", zw.region_b)
    report_a = (await Report.select(Report.id).where(Report.project == project_a).first())["id"]
    report_b = (await Report.select(Report.id).where(Report.project == project_b).first())["id"]
    officer_a = await principal(zw.officer_a)
    payment = await requests.request_payment(
        officer_a,
        zw.network,
        requests.RequestInput(project_a, requests.PaymentRequestKind.advance, 500_000, "Start"),
    )
    change = await changes.request_change(
        officer_a,
        zw.network,
        changes.ChangeInput(
            project_a, changes.ChangeKind.period, dt.date(2022, 6, 30), None, "Later klaar"
        ),
    )
    # Invited, never chose a password; and a member locked out by the log-in throttle.
    invited = (
        await User.insert(
            User(email="nieuw@example.org", name="Nina Nieuw", password_hash="")
        ).returning(User.id)
    )[0]["id"]
    await Membership.insert(Membership(user=invited, network=zw.network, role=Role.applicant.value))
    locked = await factories.member(zw.network, Role.reviewer, email="slot@example.org")
    await LoginThrottle.insert(
        LoginThrottle(
            email="slot@example.org",
            failures=0,
            locked_until=clock.now() + dt.timedelta(minutes=15),
        )
    )
    return Scene(
        zw,
        reviewers,
        draft_x,
        draft_y,
        returned_x,
        ready_a,
        ready_b,
        reviewed_a,
        unassigned_b,
        review_id,
        project_a,
        project_b,
        report_a,
        report_b,
        payment,
        change,
        invited,
        locked,
    )


@dataclass
class Shown:
    count: int
    items: list[tuple[str, str]]  # (link text, href)
    text: str
    more: str | None


def work_lists(html: str) -> dict[str, Shown]:
    """The start page's lists by key: count, the linked items and the link to all of them."""
    found = {}
    for match in re.finditer(
        r'<article class="fp-card" data-work="([^"]+)".*?</article>', html, re.DOTALL
    ):
        block = match.group(0)
        count = int(re.search(r'data-count="(\d+)"', block).group(1))
        items = [
            (unescape(text), unescape(href))
            for href, text in re.findall(
                r'<li class="utrecht-unordered-list__item">\s*<a class="utrecht-link" '
                r'href="([^"]+)">([^<]*)</a>',
                block,
            )
        ]
        more = re.search(
            r'<p class="utrecht-paragraph"><a class="utrecht-link" href="([^"]+)"', block
        )
        found[match.group(1)] = Shown(
            count, items, unescape(re.sub(r"<[^>]+>", " ", block)), more and unescape(more.group(1))
        )
    return found


async def start_of(client: httpx.AsyncClient, user_id: int) -> str:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))
    response = await client.get(BASE)
    assert response.status_code == 200, response.text
    return response.text


def proposal(pid: int, anchor: str = "") -> str:
    return f"{BASE}/voorstellen/{pid}{anchor}"


async def test_applicant_sees_own_drafts_returns_questions_and_reports(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    zw = scene.zw
    html = await start_of(client, zw.applicant_x)
    lists = work_lists(html)
    assert lists["applicant-drafts"].items == [("Concept van X", proposal(scene.draft_x))]
    assert lists["applicant-drafts"].count == 1
    assert "ronde sluit" in lists["applicant-drafts"].text
    assert lists["applicant-drafts"].more == f"{BASE}/voorstellen?lijst=mijn&status=draft"
    assert lists["applicant-returned"].items == [("Terug naar X", proposal(scene.returned_x))]
    assert "versie 2" in lists["applicant-returned"].text
    questions = lists["applicant-questions"]
    # Two questions asked, one answered: one proposal with one open question.
    assert questions.items == [("Beoordeeld in A", proposal(scene.reviewed_a, "#vragen"))]
    assert "1 vraag open" in questions.text
    # Another organisation's drafts and proposals never show.
    for other in ("Concept van Y", "Klaar in B", "Zonder beoordelaar"):
        assert other not in html
    # No project came from X's proposals: nothing to report, and no list about it.
    assert "applicant-reports" not in lists
    assert 'data-start="applicant"' in html
    # The contact line names the coordinator.
    assert 'id="contact"' in html


async def test_applicant_follows_the_reports_of_own_projects(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    zw = scene.zw
    await Report.update({Report.state: ReportState.due}).where(Report.id == scene.report_a)
    from ledger.books.tables import Project

    await Project.update({Project.proposal_id: scene.reviewed_a}).where(
        Project.id == scene.project_a
    )
    await Project.update({Project.proposal_id: scene.unassigned_b}).where(
        Project.id == scene.project_b
    )
    lists = work_lists(await start_of(client, zw.applicant_x))
    reports = lists["applicant-reports"]
    assert reports.items == [("Project A, verslag 2021", f"{BASE}/verantwoording/{scene.report_a}")]
    assert "te laat" in reports.text
    y = work_lists(await start_of(client, zw.applicant_y))
    assert y["applicant-reports"].items == [
        ("Project B, verslag 2021", f"{BASE}/verantwoording/{scene.report_b}")
    ]


async def test_region_officer_sees_only_own_region(client: httpx.AsyncClient, scene: Scene) -> None:
    zw = scene.zw
    html = await start_of(client, zw.officer_a)
    lists = work_lists(html)
    assert lists["officer-ready"].items == [("Klaar in A", proposal(scene.ready_a))]
    assert lists["officer-ready"].more == f"{BASE}/voorstellen?lijst=regio&status=ready"
    assert lists["officer-reports"].items == [
        ("Project A, verslag 2021", f"{BASE}/verantwoording/{scene.report_a}")
    ]
    assert "te laat" in lists["officer-reports"].text
    for other in ("Klaar in B", "Project B", "Concept van X"):
        assert other not in html
    b = work_lists(await start_of(client, zw.officer_b))
    assert b["officer-ready"].items == [("Klaar in B", proposal(scene.ready_b))]
    assert [t for t, _ in b["officer-reports"].items] == ["Project B, verslag 2021"]


async def test_reviewer_sees_reviews_to_do_and_answers(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    html = await start_of(client, scene.reviewers["ao_b"])
    lists = work_lists(html)
    assert lists["reviewer-to-do"].items == [
        ("Beoordeeld in A", f"{BASE}/beoordelingen/{scene.review_id}")
    ]
    assert lists["reviewer-to-do"].more == f"{BASE}/beoordelingen"
    assert "nog niet begonnen" in lists["reviewer-to-do"].text
    # Their own question is not answered yet; the coordinator's answered one is not theirs.
    assert "reviewer-answers" not in lists
    idle = await start_of(client, scene.reviewers["chair_c"])
    assert "Er wacht nu niets op u." in idle
    assert not work_lists(idle)


async def test_reviewer_sees_the_answer_to_their_question(
    client: httpx.AsyncClient, scene: Scene, settings: Settings
) -> None:
    zw = scene.zw
    row = await proposal_queries.proposal_row(zw.network, scene.reviewed_a)
    question = (
        await Question.select(Question.id)
        .where(Question.asked_by == scene.reviewers["ao_b"])
        .first()
    )["id"]
    await question_services.answer_question(
        await principal(zw.applicant_x), row, question, "Met de wachtlijstmonitor.", settings
    )
    lists = work_lists(await start_of(client, scene.reviewers["ao_b"]))
    assert lists["reviewer-answers"].items == [
        ("Beoordeeld in A", proposal(scene.reviewed_a, "#vragen"))
    ]


async def test_coordinator_work_lists(client: httpx.AsyncClient, scene: Scene) -> None:
    zw = scene.zw
    html = await start_of(client, zw.coordinator)
    lists = work_lists(html)
    assert lists["coordinator-unassigned"].items == [
        ("Zonder beoordelaar", f"{BASE}/beoordeling/voorstellen/{scene.unassigned_b}")
    ]
    assert lists["coordinator-payments"].items == [
        ("Project A", f"{BASE}/betaalverzoeken#verzoek-{scene.payment}")
    ]
    assert "voorschot van € 5.000,00" in lists["coordinator-payments"].text
    assert lists["coordinator-changes"].items == [
        ("Project A", f"{BASE}/wijzigingen#wijziging-{scene.change}")
    ]
    deadlines = lists["coordinator-deadlines"]
    assert ("Project A, verslag 2021", f"{BASE}/verantwoording/{scene.report_a}") in (
        deadlines.items
    )
    assert (
        "SiSa-verantwoording 2021 aan het Rijk",
        f"{BASE}/begroting/{zw.budget_year}",
    ) in deadlines.items
    assert deadlines.count == 3
    assert deadlines.more == f"{BASE}/verantwoording"
    # Zuid-West's unforeseen reserve is exactly at its floor; the themes' reserve is well above.
    reserves = lists["coordinator-reserves"]
    assert reserves.items == [("Onvoorzien 2021", f"{BASE}/begroting/{zw.budget_year}")]
    assert "op de ondergrens" in reserves.text
    # Nothing handed in yet, nothing reviewed late, ready for advice or a decision.
    for key in (
        "coordinator-reports",
        "coordinator-overdue-reviews",
        "coordinator-advice",
        "coordinator-decision",
    ):
        assert key not in lists
    # She is not told to contact herself; drafts are no business of hers.
    assert 'id="contact"' not in html
    assert "Concept van X" not in html


async def test_coordinator_sees_reports_received_and_reviews_overdue_and_done(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    from proposals.tables import Round
    from review.tables import ReviewState

    zw = scene.zw
    await Report.update({Report.state: ReportState.submitted}).where(Report.id == scene.report_b)
    await Round.update({Round.review_deadline: clock.now() - dt.timedelta(days=2)}).where(
        Round.id == zw.round
    )
    lists = work_lists(await start_of(client, zw.coordinator))
    assert lists["coordinator-reports"].items == [
        ("Project B, verslag 2021", f"{BASE}/verantwoording/{scene.report_b}")
    ]
    overdue = lists["coordinator-overdue-reviews"]
    assert overdue.items == [
        ("Beoordeeld in A", f"{BASE}/beoordeling/voorstellen/{scene.reviewed_a}")
    ]
    assert "1 van 1 beoordelingen te laat" in overdue.text
    await Review.update({Review.state: ReviewState.submitted}).where(Review.id == scene.review_id)
    lists = work_lists(await start_of(client, zw.coordinator))
    assert "coordinator-overdue-reviews" not in lists
    assert [t for t, _ in lists["coordinator-advice"].items] == ["Beoordeeld in A"]


async def test_admin_sees_invitations_and_locked_accounts(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    admin = await factories.member(scene.zw.network, Role.admin, email="beheer@example.org")
    lists = work_lists(await start_of(client, admin))
    assert lists["admin-invitations"].items == [
        ("Nina Nieuw (nieuw@example.org)", f"/beheer/zuid-west/gebruikers/{scene.invited}")
    ]
    assert "geen geldige uitnodigingslink" in lists["admin-invitations"].text
    [(name, href)] = lists["admin-locked"].items
    assert name.endswith("(slot@example.org)")
    assert href == f"/beheer/zuid-west/gebruikers/{scene.locked}"
    assert "geblokkeerd na mislukte inlogpogingen, tot" in lists["admin-locked"].text


async def test_a_list_shows_ten_and_counts_all(client: httpx.AsyncClient, scene: Scene) -> None:
    zw = scene.zw
    for i in range(11):
        await zw.proposal(title=f"Extra concept {i}", complete=False)
    drafts = work_lists(await start_of(client, zw.applicant_x))["applicant-drafts"]
    assert drafts.count == 12
    assert len(drafts.items) == 10
    assert "Alle 12 bekijken" in drafts.text


async def test_recent_activity_names_and_links_its_object(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    html = await start_of(client, scene.zw.applicant_x)
    recent = html[html.index('id="recent"') :]
    # "Klaargezet voor de regio" several times before, without saying which proposal; now
    # each line says it and links to it.
    assert (
        f'Klaargezet voor de regio: <a class="utrecht-link" href="{proposal(scene.reviewed_a)}">'
        "voorstel Beoordeeld in A</a>"
    ) in recent
    assert "Verduidelijkingsvraag beantwoord: <a" in recent
    # The region officer's report work on a project links to its report, not the books.
    officer = await start_of(client, scene.zw.officer_a)
    assert f'href="{BASE}/verantwoording/{scene.report_a}">project Project A</a>' in officer


async def test_a_year_s_sums_are_kept_until_a_booking(
    client: httpx.AsyncClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reserves' sums of a year are read once per process while its entries stay the same
    (`budget_year.entries_stamp`); the next booking of the year shows at once."""
    from ledger.books import queries as ledger_queries

    zw = scene.zw
    read: list[int] = []
    original = ledger_queries.account_sums_of_year_query

    def counted(budget_year_id: int):
        read.append(budget_year_id)
        return original(budget_year_id)

    monkeypatch.setattr(ledger_queries, "account_sums_of_year_query", counted)
    first = work_lists(await start_of(client, zw.coordinator))
    assert first["coordinator-reserves"].items == [
        ("Onvoorzien 2021", f"{BASE}/begroting/{zw.budget_year}")
    ]
    again = work_lists(await start_of(client, zw.coordinator))
    assert again["coordinator-reserves"].items == first["coordinator-reserves"].items
    assert read.count(zw.budget_year) == 1  # the second view took the kept sums
    # Money moved into the unforeseen reserve: above its floor now, off the list at once.
    accounts = await ledger_queries.accounts_of(zw.budget_year)
    figures, _ = await ledger_queries.year_figures(zw.budget_year)
    free = {
        a["id"]: figures[a["id"]].budget - figures[a["id"]].committed if a["id"] in figures else 0
        for a in accounts
    }
    source = max((a["id"] for a in accounts if a["kind"] == "process"), key=free.__getitem__)
    (unforeseen,) = (a["id"] for a in accounts if a["kind"] == "unforeseen")
    await ledger.move(
        await principal(zw.coordinator),
        zw.network,
        zw.budget_year,
        "transfer",
        source,
        unforeseen,
        min(free[source], 10_000_000),
        "Buffer aangevuld",
        "AB-2021-1",
    )
    after = work_lists(await start_of(client, zw.coordinator))
    assert "coordinator-reserves" not in after
    assert read.count(zw.budget_year) == 2
