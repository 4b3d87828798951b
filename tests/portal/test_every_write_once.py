"""Every write happens once: each state-changing route of the app, posted ten times at once with
the same form (one one-time key, as a double-click or a browser retry sends it), has the effect
of one post, on SQLite and PostgreSQL.

The routes come from the app's route table: a new POST route fails
`test_every_write_route_has_a_scenario` until it has a scenario below (or a reason in
NOT_A_WRITE). A scenario builds what the route needs in the access matrix's world and says who
posts what. The test then builds that world twice: once to post the form a single time, once to
post it ten times at once; the rows added to every table must be the same both times, and must
not be none. Nine of the ten answers are "Dit was al verwerkt", none is an error.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from litestar import Litestar
from piccolo.engine.base import Engine

from ledger import services as ledger
from ledger.tables import Account, Entry
from portal import db, once
from portal.flash import FLASH_COOKIE
from portal.settings import Settings
from tests import factories
from tests.conftest import _empty_all_tables
from tests.portal.test_access_matrix import World, build_world, concrete, http_routes
from tests.proposals.conftest import make_zuidwest, principal
from tests.web import csrf_token, log_in

# Tables whose rows are not the effect of a form: the log-ins of the test itself, the keys.
NOT_EFFECTS = {"portal_session", "login_throttle", "form_submission", "piccolo_migration"}


@dataclass(frozen=True)
class Post:
    role: str  # a key of World.users
    url: str
    data: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None


Scenario = Callable[[World], Awaitable[Post]]


# --- scenarios: what each route needs, and who posts what -------------------------------------


async def _reverse_entry(world: World) -> Post:
    entry = await Entry.select(Entry.id).where(Entry.kind == "commitment").first()
    return Post(
        "coordinator",
        concrete("/n/{network:str}/begroting/{year_id:int}/mutaties/", world)
        + f"{entry['id']}/corrigeren",
        {"reason": "Verkeerd geboekt"},
    )


async def _divide_year(world: World) -> Post:
    coordinator = await principal(world.users["coordinator"])
    network = await _network_id(world)
    year_id, problems = await ledger.create_budget_year(coordinator, network, 2022, 10_000_000)
    assert not problems, problems
    return Post(
        "coordinator",
        concrete("/n/{network:str}/begroting/", world) + f"{year_id}/indelen",
        {
            "process_a": "20.000,00",
            "themes_reserve_amount": "60.000,00",
            "learning": "10.000,00",
            "unforeseen": "10.000,00",
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
        },
    )


async def _pay(world: World) -> Post:
    return Post(
        "coordinator",
        concrete("/n/{network:str}/begroting/projecten/{project_id:int}/betalen", world),
        {"amount": "100,00", "kind": "advance_payment", "document_reference": "BET-1"},
    )


async def _new_budget_year(world: World) -> Post:
    return Post(
        "coordinator",
        concrete("/n/{network:str}/begrotingsjaren", world),
        {"year": "2023", "spuk_amount": "1.000.000,00", "grant_reference": "SPUK-2023"},
    )


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("POST", "/n/{network:str}/begroting/{year_id:int}/mutaties/{entry_id:int}/corrigeren"): (
        _reverse_entry
    ),
    ("POST", "/n/{network:str}/begroting/{year_id:int}/indelen"): _divide_year,
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/betalen"): _pay,
    ("POST", "/n/{network:str}/begrotingsjaren"): _new_budget_year,
}

# Routes that post but change nothing that a repeat could double, and why.
NOT_A_WRITE: dict[tuple[str, str], str] = {
    # The log-in steps make a session that only their own answer carries (see portal/app.py);
    # their repeats are judged on their own (a code is accepted once, lockout counts each).
    ("POST", "/login"): "log-in",
    ("POST", "/login/code"): "log-in",
    ("POST", "/login/tweestaps-instellen"): "log-in",
    ("POST", "/login/annuleren"): "log-in",
    ("POST", "/logout"): "ends the session; a second log-out ends nothing more",
    ("POST", "/wachtwoord-herstellen/{token:str}"): "log-in: a single-use link that sets a session",
    ("POST", "/uitnodiging/{token:str}"): "log-in: a single-use link that sets a session",
    # Live figures that htmx asks for while a form is filled in; nothing is stored.
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/totalen"): "a preview",
    ("POST", "/n/{network:str}/beoordelingen/{review_id:int}/gemiddelde"): "a preview",
}


async def _network_id(world: World) -> int:
    from portal.tables import Network

    row = await Network.select(Network.id).where(Network.slug == world.values["network"]).first()
    return row["id"]


# --- the harness ------------------------------------------------------------------------------


def write_routes(app: Litestar) -> set[tuple[str, str]]:
    return {key for key in http_routes(app) if key[0] not in ("GET", "HEAD")}


async def test_every_write_route_has_a_scenario(app: Litestar) -> None:
    routes = write_routes(app)
    missing = sorted(routes - set(SCENARIOS) - set(NOT_A_WRITE))
    assert not missing, (
        "State-changing routes without a scenario in tests/portal/test_every_write_once.py: "
        + ", ".join(f"{m} {p}" for m, p in missing)
    )
    stale = sorted((set(SCENARIOS) | set(NOT_A_WRITE)) - routes)
    assert not stale, "Scenarios for routes the app no longer has: " + ", ".join(
        f"{m} {p}" for m, p in stale
    )


async def row_counts(engine: Engine) -> dict[str, int]:
    counts = {}
    for table in db.all_tables():
        name = table._meta.tablename
        if name not in NOT_EFFECTS:
            counts[name] = await table.count()
    return counts


def added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def already_processed(response: httpx.Response) -> bool:
    """The answer to a repeat: sent on to where the first post went ("Dit was al verwerkt")."""
    location = response.headers.get("location") or response.headers.get("hx-redirect") or ""
    return location.startswith("/al-verwerkt?")


async def _follow(client: httpx.AsyncClient, response: httpx.Response) -> tuple[str, str]:
    """Where a repeat's answer leads, and the flash it shows there."""
    onward = await client.get(response.headers["location"])
    assert onward.status_code == 303
    flashes = []
    for header in onward.headers.get_list("set-cookie"):
        if header.startswith(f"{FLASH_COOKIE}="):
            payload = header.split("=", 1)[1].split(";", 1)[0].rsplit(".", 1)[0]
            flashes += [text for _, text in json.loads(base64.urlsafe_b64decode(payload))]
    return onward.headers["location"], " ".join(flashes)


async def _post_times(
    app: Litestar, world: World, post: Post, times: int
) -> tuple[list[httpx.Response], dict[str, int], list[tuple[str, str]]]:
    """Post one form `times` times at once; the answers, the rows added, and where each
    repeat's answer leads."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        await log_in(client, await factories.email_of(world.users[post.role]))
        data = {**post.data, "_csrf_token": await csrf_token(client), once.FIELD: once.new_key()}
        before = await row_counts(db.current_engine())

        async def send() -> httpx.Response:
            return await client.post(post.url, data=data, files=post.files)

        responses = list(await asyncio.gather(*(send() for _ in range(times))))
        effect = added(before, await row_counts(db.current_engine()))
        onward = [await _follow(client, r) for r in responses if already_processed(r)]
        return responses, effect, onward


async def _fresh_world(engine: Engine, app: Litestar, settings: Settings) -> World:
    await _empty_all_tables(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        return await build_world(await make_zuidwest(), client, settings)


@pytest.mark.parametrize("route", sorted(SCENARIOS), ids=lambda r: f"{r[0]} {r[1]}")
async def test_posted_ten_times_at_once_has_one_effect(
    route: tuple[str, str], database: Engine, app: Litestar, settings: Settings
) -> None:
    scenario = SCENARIOS[route]

    world = await _fresh_world(database, app, settings)
    post = await scenario(world)
    [single], one_effect, _ = await _post_times(app, world, post, 1)
    assert single.status_code < 400, f"the form itself is refused: {single.status_code}"
    assert one_effect, f"{route}: one post changed nothing; the scenario does not write"

    world = await _fresh_world(database, app, settings)
    post = await scenario(world)
    responses, effect, onward = await _post_times(app, world, post, 10)

    errors = [r.status_code for r in responses if r.status_code >= 500]
    assert not errors, f"server errors: {errors}"
    assert effect == one_effect, f"ten posts at once added {effect}, one post {one_effect}"
    firsts = [r for r in responses if not already_processed(r)]
    assert len(firsts) == 1, (
        f"{len(firsts)} of 10 posts were processed; statuses {[r.status_code for r in responses]}"
    )
    for location, flash in onward:
        assert "Dit was al verwerkt" in flash
        if firsts[0].status_code == 303:
            # A repeat ends where the first post went.
            assert location == firsts[0].headers["location"]


async def test_a_refused_form_leaves_its_key_for_the_repeat(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """A post that a rule refuses (here: a payment above the commitment) writes nothing and
    uses up nothing: its repeat is judged afresh and refused the same way, not 'al verwerkt'."""
    world = await _fresh_world(database, app, settings)
    post = await _pay(world)
    post = Post(post.role, post.url, {**post.data, "amount": "999.999,00"})
    responses, effect, _ = await _post_times(app, world, post, 3)
    assert effect == {}
    assert [r.status_code for r in responses] == [422, 422, 422]


async def test_two_different_forms_of_one_reversal_book_it_once(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """Two tabs (two keys) reversing one entry at once: the check runs inside the transaction
    and the schema allows one reversal per entry."""
    world = await _fresh_world(database, app, settings)
    post = await _reverse_entry(world)
    entry_id = int(post.url.rsplit("/", 2)[1])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        await log_in(client, await factories.email_of(world.users[post.role]))
        token = await csrf_token(client)

        async def one_tab() -> httpx.Response:
            data = {**post.data, "_csrf_token": token, once.FIELD: once.new_key()}
            return await client.post(post.url, data=data)

        answers = await asyncio.gather(*(one_tab() for _ in range(5)))
    assert all(r.status_code < 500 for r in answers)
    assert await Entry.count().where(Entry.reverses == entry_id) == 1


async def test_the_schema_allows_one_reversal_per_entry_and_one_division_per_year(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """The last word for any writer that skips the services."""
    await _fresh_world(database, app, settings)
    entry = await Entry.select().where(Entry.kind == "commitment").first()
    copy = {k: v for k, v in entry.items() if k != "id"}
    await Entry.insert(Entry(**{**copy, "reverses": entry["id"], "sign": -1}))
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Entry.insert(Entry(**{**copy, "reverses": entry["id"], "sign": -1}))
    account = await Account.select().first()
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Account.insert(Account(**{k: v for k, v in account.items() if k != "id"}))
