"""The number of SQL statements behind each list page does not grow with its rows.

Every statement the portal sends goes through the engine's `run_querystring` (Piccolo queries
and `Table.raw`) or `run_ddl`; both are wrapped on the engine's class for the duration of one
request and counted. Each page is measured with N rows and again with 3N rows of what it lists
(proposals, rounds, reviews, projects, ledger entries, reports, catalogue entries, users); the
counts must be equal. A page that runs one query per row would differ by 2N. Both databases.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import httpx
import pytest
from piccolo.engine.base import Engine

from ledger.books import services as ledger
from portal.accounts import events
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from review import services as review
from tests import factories
from tests.factories import email_of
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

N = 3


@dataclass
class Counter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """Count every statement sent to `engine` (queries, raw SQL and DDL) while inside."""
    counter = Counter()
    cls = type(engine)
    run_querystring, run_ddl = cls.run_querystring, cls.run_ddl

    async def counted_querystring(self, querystring, *args, **kwargs):
        counter.statements.append(str(querystring))
        return await run_querystring(self, querystring, *args, **kwargs)

    async def counted_ddl(self, ddl, *args, **kwargs):
        counter.statements.append(ddl)
        return await run_ddl(self, ddl, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(cls, "run_querystring", counted_querystring)
        patch.setattr(cls, "run_ddl", counted_ddl)
        yield counter


@dataclass
class World:
    zw: Zuidwest
    settings: Settings
    reviewer: int
    admin: int
    grown: int = 0

    async def grow(self, k: int, kinds: set[str]) -> None:
        """Add k rows of each of `kinds`: proposals, rounds, grants, users."""
        coordinator = await principal(self.zw.coordinator)
        for _ in range(k):
            i = self.grown = self.grown + 1
            if "proposals" in kinds:
                # Submitted (coordinator's list, review overview) with a review assigned ...
                proposal_id = await self.zw.proposal(state="submitted", title=f"Voorstel {i}")
                row = await proposal_queries.proposal_row(self.zw.network, proposal_id)
                await review.assign(coordinator, row, self.reviewer, self.settings)
                # ... and a draft (only on the applicant's own list).
                await self.zw.proposal(state="draft", title=f"Concept {i}", complete=False)
            if "rounds" in kinds:
                now = clock.now()
                _, problems = await proposal_services.save_round(
                    coordinator,
                    self.zw.network,
                    proposal_services.RoundInput(
                        budget_year_id=self.zw.budget_year,
                        title=f"Extra ronde {i}",
                        opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30),
                        attachment_limit_mb=1,
                        themes=[proposal_services.ThemeInput(None, f"Thema {i}", "", 1_000_000)],
                    ),
                )
                assert not problems, problems
            if "grants" in kinds:
                # A project: its ledger entries, its report and its catalogue entry.
                await ledger.commit_grant(
                    coordinator,
                    network_id=self.zw.network,
                    budget_year_id=self.zw.budget_year,
                    theme_id=self.zw.themes[i % 2],
                    proposal_id=None,
                    title=f"Project {i}",
                    region_id=self.zw.region_a if i % 2 else self.zw.region_b,
                    start_date=dt.date(2021, 9, 1),
                    end_date=dt.date(2021, 12, 31),
                    amount_cents=100_000,
                    decision_reference=f"B-{i}",
                    decision_date=dt.date(2021, 11, 1),
                )
            if "users" in kinds:
                await factories.member(
                    self.zw.network, Role.applicant, organisation_id=self.zw.org_y
                )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """What rendering a page costs is pinned here: a page served as kept (portal/lib/
    kept_pages.py) runs only the session's statement (tests/portal/test_kept_pages.py)."""
    return replace(settings, kept_pages_mb=0)


@pytest.fixture
async def world(zw: Zuidwest, settings: Settings) -> World:
    reviewer = await factories.member(
        zw.network, Role.reviewer, email="ao@example.org", region_id=zw.region_b, reviewer_kind="ao"
    )
    admin = await factories.member(zw.network, Role.admin, email="beheer@example.org")
    return World(zw, settings, reviewer, admin)


def page(url: str, who: str, kinds: str, bug: str = "") -> object:
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    # The start page is one URL for every role: its ids name the role.
    name = f"{url} {who}" if url == "/n/zuid-west" else url
    return pytest.param(url, who, set(kinds.split()), marks=marks, id=f"{name} +{kinds}")


# (page, who looks at it, what grows); `{round}` and `{year}` are filled in from the world.
PAGES = [
    page("/n/zuid-west/voorstellen", "coordinator", "proposals"),
    page("/n/zuid-west/voorstellen", "coordinator", "rounds"),
    page("/n/zuid-west/voorstellen?lijst=mijn", "applicant", "proposals"),
    page("/n/zuid-west/rondes", "coordinator", "rounds"),
    page("/n/zuid-west/beoordeling/rondes/{round}", "coordinator", "proposals"),
    page("/n/zuid-west/beoordelingen", "reviewer", "proposals"),
    page("/n/zuid-west/begroting/{year}", "coordinator", "grants"),
    page("/n/zuid-west/begroting/{year}/mutaties", "coordinator", "grants"),
    page("/n/zuid-west/verantwoording", "coordinator", "grants"),
    page("/n/zuid-west/projectenbank", "coordinator", "grants"),
    page("/beheer/zuid-west/gebruikers", "admin", "users"),
    # The start page's work lists (portal/accounts/worklist.py), per role.
    page("/n/zuid-west", "coordinator", "proposals grants"),
    page("/n/zuid-west", "applicant", "proposals"),
    page("/n/zuid-west", "officer", "proposals grants"),
    page("/n/zuid-west", "reviewer", "proposals"),
    page("/n/zuid-west", "admin", "users"),
]


async def measure(
    client: httpx.AsyncClient, engine: Engine, monkeypatch: pytest.MonkeyPatch, url: str
) -> Counter:
    # The services the test called directly set "mail queued" in the test's context, which the
    # in-process app inherits; without resetting it, each request would also flush the outbox.
    events.mail_queued.set(False)
    # A first request fills whatever the app caches; the second one is counted.
    assert (await client.get(url)).status_code == 200
    with counting(engine, monkeypatch) as counter:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    return counter


def user_of(world: World, who: str) -> int:
    return {
        "coordinator": world.zw.coordinator,
        "applicant": world.zw.applicant_x,
        "officer": world.zw.officer_a,
        "reviewer": world.reviewer,
        "admin": world.admin,
    }[who]


@pytest.mark.parametrize(("url", "who", "kinds"), PAGES)
async def test_queries_do_not_grow_with_rows(
    world: World,
    client: httpx.AsyncClient,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    who: str,
    kinds: set[str],
) -> None:
    url = url.format(round=world.zw.round, year=world.zw.budget_year)
    await log_in(client, await email_of(user_of(world, who)))
    await world.grow(N, kinds)
    few = await measure(client, database, monkeypatch, url)
    await world.grow(2 * N, kinds)
    many = await measure(client, database, monkeypatch, url)
    assert few.count > 0
    assert many.count == few.count, (
        f"{url}: {few.count} statements with {N} rows, {many.count} with {3 * N}:\n"
        + "\n".join(s[:200] for s in many.statements)
    )


async def test_counter_sees_every_statement(
    world: World, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counter itself: a Piccolo query, a raw query and DDL are each one statement."""
    from portal.accounts.tables import Network

    with counting(database, monkeypatch) as counter:
        await Network.select(Network.id)
        await Network.raw("SELECT 1")
        await database.run_ddl("SELECT 1")
    assert counter.count == 3


async def test_year_page_project_rows_do_not_grow_with_projects(
    world: World, client: httpx.AsyncClient, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget year page with one account's projects open (`?rekening=`, the fallback without
    JavaScript) and the htmx partial that fetches them: their URLs need the account's id."""
    account = (await ledger.theme_account(world.zw.budget_year, world.zw.themes[0]))["id"]
    base = f"/n/zuid-west/begroting/{world.zw.budget_year}"
    urls = {
        f"{base}?rekening={account}": {},
        f"{base}/projecten?rekening={account}": {"HX-Request": "true"},
    }
    await log_in(client, await email_of(world.zw.coordinator))
    counts: dict[str, list[int]] = {url: [] for url in urls}
    for k in (N, 2 * N):
        await world.grow(k, {"grants"})
        for url, headers in urls.items():
            client.headers.update(headers)
            try:
                counts[url].append((await measure(client, database, monkeypatch, url)).count)
            finally:
                for name in headers:
                    del client.headers[name]
    for url, (few, many) in counts.items():
        assert 0 < few == many, f"{url}: {few} statements with {N} projects, {many} with {3 * N}"


@pytest.mark.parametrize("htmx", [True, False], ids=["rangorde partial", "ronde ?thema="])
async def test_theme_ranking_queries_do_not_grow_with_rows(
    world: World,
    client: httpx.AsyncClient,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
    htmx: bool,
) -> None:
    """One theme's whole ranking, as htmx fetches it (with the HX-Request header) and as the
    round page shows it without JavaScript; not in PAGES, as the URL needs the theme's id."""
    base = f"/n/zuid-west/beoordeling/rondes/{world.zw.round}"
    query = f"?thema={world.zw.themes[0]}"
    url = f"{base}/rangorde{query}" if htmx else f"{base}{query}"
    await log_in(client, await email_of(world.zw.coordinator))
    if htmx:
        client.headers["HX-Request"] = "true"
    await world.grow(N, {"proposals"})
    few = await measure(client, database, monkeypatch, url)
    await world.grow(2 * N, {"proposals"})
    many = await measure(client, database, monkeypatch, url)
    assert few.count > 0
    assert many.count == few.count, (
        f"{url}: {few.count} statements with {N} rows, {many.count} with {3 * N}:\n"
        + "\n".join(s[:200] for s in many.statements)
    )


# The statements behind each main page of each role, counted with rows of everything it lists
# (issue 19: at most 5, whatever the data size). Each page reads its parts together
# (`portal.lib.together`): the session with its memberships (1), then one statement per round of
# reads. A change here is a change in what the page costs: look at the statements.
MAX_STATEMENTS = 5
MAIN_PAGE_STATEMENTS = {
    # session, the list with its count and its filters' rounds, themes and regions
    ("/n/zuid-west/voorstellen", "coordinator"): 2,
    ("/n/zuid-west/voorstellen?lijst=mijn", "applicant"): 2,
    ("/n/zuid-west/voorstellen?lijst=regio", "officer"): 2,
    # session, the proposal and the person's relation to it, its parts (lines, attachments,
    # bouwteam, regions, themes, round, theme claims, authors, versions, timeline), review's
    # section (decision, questions); the coordinator also reads who viewed its attachments
    ("/n/zuid-west/voorstellen/{proposal}", "applicant"): 4,
    ("/n/zuid-west/voorstellen/{proposal}", "coordinator"): 5,
    # session, the review and everything around it, the proposal's parts
    ("/n/zuid-west/beoordelingen/{review}", "reviewer"): 3,
    # session, the page of reviews with their count, the reviewer's memberships and conflicts
    ("/n/zuid-west/beoordelingen", "reviewer"): 2,
    # session, the proposal with its relation, the review page's parts
    ("/n/zuid-west/beoordeling/voorstellen/{proposal}", "coordinator"): 3,
    # session, the rounds with their proposals and reviews counted
    ("/n/zuid-west/beoordeling", "coordinator"): 2,
    # session, the round page's parts
    ("/n/zuid-west/beoordeling/rondes/{round}", "coordinator"): 2,
    ("/n/zuid-west/rondes", "coordinator"): 5,
    # session, the year, its accounts, its projects per account (the entries' sums are kept
    # under the year's stamp: a fifth statement on the first view after a booking)
    ("/n/zuid-west/begroting/{year}", "coordinator"): 4,
    # session, the entries with their count, marks and filters
    ("/n/zuid-west/begroting/{year}/mutaties", "coordinator"): 2,
    # session, the reports counted per group with the years, the rows of each group's page
    ("/n/zuid-west/verantwoording", "coordinator"): 3,
    ("/n/zuid-west/verantwoording", "officer"): 3,
    ("/n/zuid-west/projectenbank", "coordinator"): 5,
    ("/n/zuid-west/projectenbank?zoek=project", "applicant"): 5,
}


@pytest.mark.parametrize(("url", "who"), sorted(MAIN_PAGE_STATEMENTS))
async def test_main_page_statements_are_pinned(
    world: World,
    client: httpx.AsyncClient,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    who: str,
) -> None:
    from review.tables import Review

    await log_in(client, await email_of(user_of(world, who)))
    await world.grow(N, {"proposals", "grants", "users"})
    review = await Review.select(Review.id, Review.proposal).first()
    page = url.format(
        round=world.zw.round,
        year=world.zw.budget_year,
        proposal=review["proposal"],
        review=review["id"],
    )
    counted = await measure(client, database, monkeypatch, page)
    assert counted.count <= MAX_STATEMENTS
    assert counted.count == MAIN_PAGE_STATEMENTS[(url, who)], "\n".join(
        s[:200] for s in counted.statements
    )


# The statements behind each role's start page, counted with rows of everything it lists: the
# session with its memberships (1), the contact line (1, not for a coordinator), the recent
# activity (1, and 1 per kind of object it names) and each domain's work lists (see their
# docstrings). A change here is a change in what the page costs: look at the statements.
# The session (1), then one statement per round of the sources' reads, all sources together
# (portal.lib.together.Batch): the first round holds the contact line, every domain's lists and
# the recent activity; the second what some read after it (a year's sums for its reserves, the
# names of the objects in the recent activity).
START_PAGE_STATEMENTS = {
    "coordinator": 3,
    "applicant": 3,
    "officer": 3,
    "reviewer": 3,
    "admin": 2,
}


@pytest.mark.parametrize("who", sorted(START_PAGE_STATEMENTS))
async def test_start_page_statements_are_pinned(
    world: World,
    client: httpx.AsyncClient,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
    who: str,
) -> None:
    await log_in(client, await email_of(user_of(world, who)))
    await world.grow(N, {"proposals", "grants", "users"})
    counted = await measure(client, database, monkeypatch, "/n/zuid-west")
    assert counted.count == START_PAGE_STATEMENTS[who], "\n".join(
        s[:200] for s in counted.statements
    )
