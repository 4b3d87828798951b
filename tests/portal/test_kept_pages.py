"""Kept pages (portal/lib/kept_pages.py) and the data version they are kept under
(portal/lib/data_version.py), on both databases.

A kept page must be what rendering it now would give: after any write, another minute, for
another user, with another session's CSRF token, it is rendered afresh or filled in anew.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
from litestar import Litestar
from piccolo.engine.base import Engine

from portal.accounts.tables import Membership, Network, Role
from portal.app import KEPT_ROUTES
from portal.lib import clock, data_version, db, once
from portal.lib.flash import flash_cookie
from portal.lib.kept_pages import KeptPages
from portal.lib.settings import Settings
from tests import factories
from tests.portal.test_access_matrix import (
    EXPECTED,
    REFUSED_BY_HANDLER,
    World,
    allowed,
    concrete,
    http_routes,
)
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import Zuidwest
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import csrf_token, log_in

FORM_KEY = re.compile(rf'name="{once.FIELD}" value="([A-Za-z0-9_-]+)"')


@pytest.fixture(autouse=True)
def early_in_a_minute(request: pytest.FixtureRequest) -> None:
    """Pages are kept within a minute: a test that reads a page twice starts a second into
    one, so that no minute turns between its two reads (the tests take seconds, not 59)."""
    if "database" in request.fixturenames:
        request.getfixturevalue("database")  # it sets the clock back first
    clock.travel(dt.timedelta(seconds=61 - clock.now().second))


def kept_of(app: Litestar) -> KeptPages:
    return app.state.kept_pages


def without_keys(html: str) -> str:
    return FORM_KEY.sub("KEY", html)


def no_placeholders(kept: KeptPages, html: str) -> bool:
    return kept.csrf_placeholder.decode() not in html and kept.form_key_placeholder not in html


@asynccontextmanager
async def logged_in(app: Litestar, *emails: str) -> AsyncIterator[list[httpx.AsyncClient]]:
    """A browser of its own (a session and a CSRF cookie) per e-mail address, each logged in."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncExitStack() as stack:
        clients = []
        for email in emails:
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
            await log_in(client, email)
            clients.append(client)
        yield clients


def kept_templates(app: Litestar) -> dict[str, str]:
    """Route name -> path template of each kept page."""
    names = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.name in KEPT_ROUTES and "GET" in handler.http_methods:
                names[handler.name] = route.path
    return names


async def test_every_kept_page_is_read_twice_the_same_without_writing(
    app: Litestar, client: httpx.AsyncClient, world: World, database: Engine
) -> None:
    """Each kept page, as every role that may open it: the second answer comes from the store,
    is the first one (but for the forms' fresh keys), and reading wrote nothing."""
    kept = kept_of(app)
    templates = kept_templates(app)
    assert set(templates) == KEPT_ROUTES, "a kept route that is not a GET page"
    rules = http_routes(app)
    served: set[str] = set()
    for role, user_id in world.users.items():
        client.cookies.clear()
        await log_in(client, await factories.email_of(user_id))
        for name, template in sorted(templates.items()):
            rule = EXPECTED[("GET", template)]
            assert ("GET", template) in rules
            if not allowed(role, rule) or role in REFUSED_BY_HANDLER.get(("GET", template), ()):
                continue
            url = concrete(template, world)
            first = await client.get(url)
            if first.status_code != 200:
                continue
            version = await data_version.current(database)
            hits = kept.hits
            second = await client.get(url)
            assert second.status_code == 200, f"{role} {url}"
            assert kept.hits == hits + 1, f"{role} {url}: not served from the store"
            assert await data_version.current(database) == version, f"{role} {url} wrote"
            assert without_keys(second.text) == without_keys(first.text), f"{role} {url}"
            assert no_placeholders(kept, second.text), f"{role} {url}"
            assert second.headers["content-type"] == first.headers["content-type"]
            assert second.headers["vary"] == first.headers["vary"]
            assert "content-security-policy" in second.headers
            assert len(second.headers.get_list("x-request-id")) == 1
            assert second.headers["x-request-id"] != first.headers["x-request-id"]
            served.add(name)
    assert served == KEPT_ROUTES, f"never opened by anyone: {sorted(KEPT_ROUTES - served)}"


async def test_every_table_has_the_trigger_of_the_version(database: Engine) -> None:
    tables = await data_version.versioned_tables(database)
    ours = {t._meta.tablename for t in db.all_tables()} - data_version.UNVERSIONED
    assert ours <= set(tables)
    assert set(tables) <= await data_version.tables_with_trigger(database)


async def test_a_committed_write_changes_the_version_a_rolled_back_one_does_not(
    zw: Zuidwest, database: Engine
) -> None:
    before = await data_version.current(database)
    await Network.update({Network.name: "Zuid-West Nederland"}).where(Network.id == zw.network)
    after = await data_version.current(database)
    assert after != before
    assert after.split(".")[0] == before.split(".")[0], "the epoch stays"

    class Refused(Exception):
        pass

    with pytest.raises(Refused):
        async with db.write_transaction():
            await Network.update({Network.name: "Anders"}).where(Network.id == zw.network)
            raise Refused
    assert await data_version.current(database) == after


async def test_many_rows_in_one_transaction_count_as_one_change(
    zw: Zuidwest, database: Engine
) -> None:
    before = int((await data_version.current(database)).split(".")[1])
    async with db.write_transaction():
        for name in ("Een", "Twee", "Drie"):
            await Network.update({Network.name: name}).where(Network.id == zw.network)
    after = int((await data_version.current(database)).split(".")[1])
    # PostgreSQL adds one per transaction; SQLite one per row: either way it changed.
    assert after - before == (3 if db.is_sqlite(database) else 1)


async def test_a_write_by_someone_else_shows_at_once(
    app: Litestar, client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    admin = await factories.member(zw.network, Role.admin, email="beheer@example.org")
    await log_in(client, await factories.email_of(admin))
    url = "/beheer/zuid-west/gebruikers"
    assert (await client.get(url)).status_code == 200
    hits = kept_of(app).hits
    assert "nieuwkomer@example.org" not in (await client.get(url)).text
    assert kept_of(app).hits == hits + 1
    await factories.member(zw.network, Role.applicant, email="nieuwkomer@example.org")
    assert "nieuwkomer@example.org" in (await client.get(url)).text
    assert kept_of(app).hits == hits + 1, "served from the store after a write"


async def test_a_membership_taken_away_ends_the_kept_page_at_once(
    app: Litestar, client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    await log_in(client, "coord@example.org")
    url = "/n/zuid-west/voorstellen"
    assert (await client.get(url)).status_code == 200
    assert (await client.get(url)).status_code == 200
    await Membership.delete().where(
        (Membership.user == zw.coordinator) & (Membership.role == Role.coordinator.value)
    )
    assert (await client.get(url)).status_code in (403, 404)


async def test_each_answer_carries_its_own_session_token_and_fresh_keys(
    app: Litestar, zw: Zuidwest, settings: Settings
) -> None:
    kept = kept_of(app)
    proposal_id = await zw.proposal(state="submitted", region=zw.region_a)
    url = f"/n/zuid-west/voorstellen/{proposal_id}"
    async with logged_in(app, "coord@example.org", "coord@example.org") as (one, two):
        first = await one.get(url)
        hits = kept.hits
        again, other = await one.get(url), await two.get(url)
        assert kept.hits == hits + 2
        assert one.cookies["csrftoken"] != two.cookies["csrftoken"]
        keys: list[str] = []
        for answer, client in ((first, one), (again, one), (other, two)):
            assert answer.status_code == 200
            assert no_placeholders(kept, answer.text)
            token = client.cookies["csrftoken"]
            assert f'name="_csrf_token" value="{token}"' in answer.text
            assert f'"x-csrftoken": "{token}"' in answer.text
            page_keys = FORM_KEY.findall(answer.text)
            assert page_keys, "the coordinator's proposal page has forms"
            keys += page_keys
        assert len(set(keys)) == len(keys), "a one-time key served twice"
        # The kept page's forms work: its token passes the CSRF check.
        token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', other.text)
        assert token
        logout = await two.post("/logout", data={"_csrf_token": token.group(1)})
        assert logout.status_code == 303


async def test_one_users_page_is_never_anothers(app: Litestar, zw: Zuidwest) -> None:
    """Both logged in first, so that nothing is written between the two views: the same
    address, the same data version, another user."""
    mine = await zw.proposal(state="draft", region=zw.region_a, title="Concept van X")
    url = "/n/zuid-west/voorstellen"
    async with logged_in(app, "x@example.org", "y@example.org") as (x, y):
        assert "Concept van X" in (await x.get(url)).text
        hits = kept_of(app).hits
        assert "Concept van X" in (await x.get(url)).text
        assert kept_of(app).hits == hits + 1
        page = await y.get(url)
        assert page.status_code == 200
        assert "Concept van X" not in page.text
        assert kept_of(app).hits == hits + 1
        assert (await y.get(f"/n/zuid-west/voorstellen/{mine}")).status_code == 404


async def test_flash_htmx_and_the_next_minute_render_afresh(
    app: Litestar, client: httpx.AsyncClient, zw: Zuidwest, settings: Settings
) -> None:
    kept = kept_of(app)
    await log_in(client, "coord@example.org")
    url = "/n/zuid-west/voorstellen"
    await client.get(url)
    hits = kept.hits
    cookie = flash_cookie(settings.secret_key, "ok", "Opgeslagen, één keer te zien.")
    client.cookies.set(cookie.key, str(cookie.value))
    flashed = await client.get(url)
    assert "Opgeslagen, één keer te zien." in flashed.text
    client.cookies.delete(cookie.key)
    assert "Opgeslagen" not in (await client.get(url)).text
    assert kept.hits == hits + 1
    await client.get(url, headers={"HX-Request": "true"})
    assert kept.hits == hits + 1
    clock.travel(dt.timedelta(minutes=1))
    await client.get(url)
    assert kept.hits == hits + 1, "a page of the minute before"
    await client.get(url)
    assert kept.hits == hits + 2


async def test_a_cookie_token_the_portal_did_not_make_is_not_kept(
    app: Litestar, client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    await log_in(client, "coord@example.org")
    client.cookies.set("csrftoken", "kort")
    url = "/n/zuid-west/voorstellen"
    for _ in range(2):
        page = await client.get(url)
        assert page.status_code == 200
        assert no_placeholders(kept_of(app), page.text)
    assert kept_of(app).hits == 0


async def test_no_pages_kept_when_switched_off(
    client: httpx.AsyncClient, zw: Zuidwest, settings: Settings
) -> None:
    from dataclasses import replace

    from portal.app import create_app

    app = create_app(replace(settings, kept_pages_mb=0), manage_engine=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as off:
        await log_in(off, "coord@example.org")
        for _ in range(3):
            page = await off.get("/n/zuid-west/voorstellen")
            assert page.status_code == 200
            assert no_placeholders(kept_of(app), page.text)
        assert kept_of(app).hits == 0


def test_an_older_version_neither_reads_nor_keeps_and_the_store_has_a_ceiling() -> None:
    kept = KeptPages({"x"}, max_bytes=8 * 100)
    assert kept._is_current(("e", 5, "m1"))
    assert not kept._is_current(("e", 4, "m1")), "read before a commit that is seen already"
    assert kept._is_current(("f", 1, "m1")), "a new epoch: a database rebuilt or restored"
    from portal.lib.kept_pages import _Kept, _Pending

    for i in range(12):
        kept._store(_Pending((i,), ("f", 1, "m1"), b""), _Kept(b"x" * 100, ()))
    assert len(kept) == 8
    assert kept._bytes <= kept.max_bytes
    kept._store(_Pending(("big",), ("f", 1, "m1"), b""), _Kept(b"x" * 101, ()))
    assert ("big",) not in kept._pages, "a page over an eighth of the store"
    assert kept._is_current(("f", 2, "m1"))
    assert len(kept) == 0, "a new version drops what was kept"


async def test_csrf_token_is_made_for_a_first_visit(
    app: Litestar, client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    """A kept page answered to a browser without a CSRF cookie still sets one, and its forms
    carry that one."""
    await log_in(client, "coord@example.org")
    url = "/n/zuid-west/voorstellen"
    await client.get(url)
    session = client.cookies["fp_session"]
    client.cookies.clear()
    client.cookies.set("fp_session", session)
    page = await client.get(url)
    assert page.status_code == 200
    token = client.cookies.get("csrftoken")
    assert token and f'"x-csrftoken": "{token}"' in page.text
    assert await csrf_token(client) == token


async def test_a_kept_page_costs_the_sessions_statement_only(
    app: Litestar,
    client: httpx.AsyncClient,
    zw: Zuidwest,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.portal.test_query_counts import counting

    await log_in(client, "coord@example.org")
    url = "/n/zuid-west/voorstellen"
    assert (await client.get(url)).status_code == 200
    with counting(database, monkeypatch) as counter:
        assert (await client.get(url)).status_code == 200
    assert kept_of(app).hits == 1
    assert counter.count == 1, counter.statements
    assert "data_version" in counter.statements[0]
