"""CSRF protection holds on every page path, also those of a network whose slug is "api"; only
the bearer-token API under /api/v1/ goes without, and that API never takes the session cookie.

An older portal let a network be called "api" (new ones cannot, tests/portal/
test_csrf_and_slugs.py); its pages must keep their protection, whatever a slug is.
"""

from __future__ import annotations

import httpx
import pytest

from portal.accounts.api_tokens import ApiToken, create_token
from portal.accounts.tables import Region, Role, User
from tests import factories
from tests.web import csrf_token, log_in

COORDINATOR = "coord-api@example.org"
ADMIN = "beheer-api@example.org"


@pytest.fixture
async def api_network(database) -> int:
    network = await factories.network(slug="api", name="Netwerk API")
    await factories.member(network, Role.coordinator, email=COORDINATOR)
    await factories.member(network, Role.admin, email=ADMIN)
    return network


async def _another_browsers_token(client: httpx.AsyncClient) -> str:
    """A token the portal signed, but for another browser: what an attacker has of their own."""
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as other:
        await other.get("/login")
        return other.cookies["csrftoken"]


# (who, the path posted to, the form, how to tell it had its effect)
WRITES = {
    "n-api": (COORDINATOR, "/n/api/api-sleutels", {"name": "Boekhouding"}),
    "beheer-api": (ADMIN, "/beheer/api/regios/nieuw", {"name": "Regio Noord"}),
}


async def _effects() -> tuple[int, int]:
    return await ApiToken.count(), await Region.count()


@pytest.mark.parametrize("route", WRITES, ids=list(WRITES))
async def test_pages_of_a_network_called_api_need_the_csrf_token(
    route: str, api_network: int, client: httpx.AsyncClient
) -> None:
    email, path, form = WRITES[route]
    await log_in(client, email)
    token = await csrf_token(client)
    before = await _effects()
    refusals = [
        await client.post(path, data=form),  # no token at all
        await client.post(path, data={**form, "_csrf_token": "x" * 128}),  # a made-up one
        # A token signed by the portal, but not this browser's (the cookie does not match it).
        await client.post(
            path, data={**form, "_csrf_token": await _another_browsers_token(client)}
        ),
        await client.post(path, data=form, headers={"x-csrftoken": ""}),
    ]
    assert [response.status_code for response in refusals] == [403] * 4
    assert await _effects() == before
    accepted = await client.post(path, data={**form, "_csrf_token": token})
    assert accepted.status_code in (200, 303), accepted.text
    assert await _effects() != before


async def test_the_htmx_header_carries_the_token_too(
    api_network: int, client: httpx.AsyncClient
) -> None:
    await log_in(client, COORDINATOR)
    token = await csrf_token(client)
    response = await client.post(
        "/n/api/api-sleutels",
        data={"name": "Via htmx"},
        headers={"x-csrftoken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    assert await ApiToken.exists().where(ApiToken.name == "Via htmx")


async def test_a_dot_segment_does_not_lend_a_page_the_apis_exemption(
    api_network: int, client: httpx.AsyncClient
) -> None:
    """/api/v1/../beheer/… is routed (if at all) inside the API, never to the page."""
    await log_in(client, ADMIN)
    for path in (
        "/api/v1/%2E%2E/beheer/api/regios/nieuw",
        "/api/v1/%2e%2e/%2e%2e/beheer/api/regios/nieuw",
        "/api/v1%2F..%2Fbeheer/api/regios/nieuw",
    ):
        response = await client.post(path, data={"name": "Langs de API"})
        assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
    assert not await Region.exists().where(Region.name == "Langs de API")


async def test_the_api_takes_a_bearer_token_and_never_the_session_cookie(
    api_network: int, client: httpx.AsyncClient
) -> None:
    coordinator = await User.select(User.id).where(User.email == COORDINATOR).first()
    _, secret = await create_token(coordinator["id"], "Financieel systeem", actor_id=None)
    bearer = {"Authorization": f"Bearer {secret}"}

    # Without a CSRF token or cookie: a bearer token is all the API asks.
    response = await client.get("/api/v1/networks", headers=bearer)
    assert response.status_code == 200
    assert [network["slug"] for network in response.json()] == ["api"]
    assert (await client.get("/api/v1/networks/api/proposals", headers=bearer)).status_code == 200

    # A logged-in browser gets nothing from it: the session cookie counts for nothing, so a
    # forged cross-site request has no credentials to borrow, and the API has no writes.
    await log_in(client, COORDINATOR)
    assert "fp_session" in client.cookies
    assert (await client.get("/api/v1/networks")).status_code == 401
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/api/v1/networks", data={"name": "x"})
        assert response.status_code in (401, 405), method
        response = await client.request(method, "/api/v1/networks", headers=bearer)
        assert response.status_code == 405, method
