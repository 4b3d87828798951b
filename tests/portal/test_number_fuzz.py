"""No number from a request can break a page: every path and query parameter of every route,
sent odd numbers as every kind of user, answers with a 4xx or a page, never a 5xx.

The odd numbers are the ones that broke pages before: a superscript two (`str.isdigit()` says
yes, `int()` says no), Arabic-Indic digits (`int()` reads them as 100), thirty digits and
2⁶³ (beyond PostgreSQL's integers and SQLite's). The routes come from the app's route table,
so a new route is tried without anyone adding it here.
"""

from __future__ import annotations

import inspect
import re
from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar

from portal.lib.forms import MAX_ID, query_int, whole_number
from portal.lib.money import MAX_CENTS, MoneyError, parse_euros
from tests import factories
from tests.portal.test_access_matrix import MISSING, ROLES, World, concrete, http_routes
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import csrf_token, log_in

ODD_NUMBERS = ["²", "١٠٠", "9" * 30, str(2**63)]
# Handler arguments that are not query parameters.
NOT_QUERY = {"self", "request", "data", "network", "principal", "state", "scope", "headers"}
PATH_INT = re.compile(r"\{(\w+):int\}")


def query_names(handler) -> list[str]:
    in_path = set(re.findall(r"\{(\w+):\w+\}", " ".join(handler.paths)))
    return [
        name
        for name in inspect.signature(handler.fn).parameters
        if name not in NOT_QUERY and name not in in_path
    ]


def filled(template: str, world: World) -> str:
    """The path with the world's values; a parameter the world has no value for gets an id
    that exists nowhere (the page answers 404, which is what this test allows)."""
    known = set(world.values)
    for name in set(re.findall(r"\{(\w+):\w+\}", template)) - known:
        if not (name == "entry_id" and "/projectenbank/" in template):
            template = re.sub(rf"\{{{name}:\w+\}}", str(MISSING), template)
    return concrete(template, world)


def odd_urls(template: str, handler, world: World) -> list[str]:
    urls = []
    for name in PATH_INT.findall(template):
        for odd in ODD_NUMBERS:
            path = template.replace(f"{{{name}:int}}", quote(odd.strip()))
            urls.append(filled(path, world))
    base = filled(template, world)
    for name in query_names(handler):
        urls += [f"{base}?{name}={quote(odd)}" for odd in ODD_NUMBERS]
    return urls


@pytest.mark.parametrize("role", ROLES)
async def test_odd_numbers_in_paths_and_queries_never_break_a_page(
    role: str, app: Litestar, client: httpx.AsyncClient, world: World
) -> None:
    if role != "anonymous":
        await log_in(client, await factories.email_of(world.users[role]))
    token = await csrf_token(client)
    broken = []
    tried = 0
    for (method, template), handler in sorted(http_routes(app).items()):
        if template.startswith(("/static/", "/api/docs")) or method == "HEAD":
            continue
        if method == "POST" and template in ("/logout", "/login/annuleren"):
            continue  # would end the session the rest of the test needs
        for url in odd_urls(template, handler, world):
            tried += 1
            if method == "GET":
                response = await client.get(url)
            else:
                response = await client.post(url, data={"_csrf_token": token})
            if response.status_code >= 500 or "Traceback" in response.text:
                broken.append(f"{method} {url}: {response.status_code}")
    assert tried > 300
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12),
        ("0", 0),
        (" 12 ", 12),
        ("²", None),
        ("١٠٠", None),
        ("9" * 30, None),
        (str(2**63), None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_one_reader_of_whole_numbers(typed: str | None, expected: int | None) -> None:
    assert query_int(typed) == expected
    assert whole_number(typed, maximum=MAX_ID) == expected


@pytest.mark.parametrize("typed", ["١٠٠", "١٠٠,٠٠", "²", "1" * 22, "1.000.000.000,01"])
def test_money_takes_ascii_digits_within_a_sane_maximum(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_euros(typed)


def test_money_at_the_maximum_is_read() -> None:
    assert parse_euros("1.000.000.000,00") == MAX_CENTS


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        (
            "/n/zuid-west/begrotingsjaren",
            {"year": "2030", "spuk_amount": "1" * 22},
            "Een bedrag is hoogstens",
        ),
        (
            "/n/zuid-west/begrotingsjaren",
            {"year": "٢٠٣٠", "spuk_amount": "1.000,00"},
            "Vul een jaartal in",
        ),
        (
            "/n/zuid-west/begroting/projecten/{project_id}/betalen",
            {"amount": "9" * 22, "kind": "advance_payment", "document_reference": "B"},
            "Een bedrag is hoogstens",
        ),
        (
            "/n/zuid-west/begroting/projecten/{project_id}/betalen",
            {"amount": "١٠٠", "kind": "advance_payment", "document_reference": "B"},
            "Schrijf het bedrag als 1.234,56",
        ),
    ],
)
async def test_odd_amounts_in_forms_get_a_dutch_message_and_keep_what_was_typed(
    path: str, form: dict[str, str], message: str, client: httpx.AsyncClient, world: World
) -> None:
    await log_in(client, await factories.email_of(world.users["coordinator"]))
    url = path.format(project_id=world.values["project_id"])
    response = await client.post(url, data={**form, "_csrf_token": await csrf_token(client)})
    assert response.status_code == 422
    assert message in response.text
    for typed in form.values():
        assert f'value="{typed}"' in response.text, f"{typed!r} is not kept in the form"


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("{proposal_id}", 200),
        ("000{proposal_id}", 200),  # leading zeros are still the number
        ("{proposal_id}_0", 404),  # int() reads "1_0" as 10
        ("%20{proposal_id}", 404),  # and " 1" as 1
        ("%D9%A3", 404),  # Arabic-Indic three
        ("9" * 25, 404),
    ],
)
async def test_a_number_in_a_path_is_ascii_digits_within_range(
    client: httpx.AsyncClient, world: World, written: str, status: int
) -> None:
    await log_in(client, await factories.email_of(world.users["coordinator"]))
    path = "/n/zuid-west/voorstellen/" + written.format(proposal_id=world.values["proposal_id"])
    response = await client.get(path)
    assert response.status_code == status, path


async def test_a_long_or_foreign_segment_beside_a_number_breaks_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    """The other segments (a network's slug) are not numbers: digits beyond what `int` reads,
    or another script, are the slug's handler's to judge (404 there; 404 in the API too)."""
    await log_in(client, await factories.email_of(world.users["coordinator"]))
    for slug in ("1" * 5000, "%D9%A3", "zuid-west%C2%B2"):
        response = await client.get(f"/n/{slug}/voorstellen/{world.values['proposal_id']}")
        assert response.status_code == 404, slug
        api = await client.get(f"/api/v1/networks/{slug}/years/2021")
        assert api.status_code in (401, 404), (slug, api.status_code)
