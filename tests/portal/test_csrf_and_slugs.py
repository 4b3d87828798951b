"""CSRF is left out only for the bearer-token API, by its exact prefix; a network cannot take an
address that the portal's own routes use."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from portal.accounts.rules import RESERVED_SLUGS
from portal.accounts.tables import Network, Region, Role
from tests import factories
from tests.portal.test_access_matrix import http_routes
from tests.web import csrf_token, log_in


@pytest.fixture
async def api_network(database) -> int:
    """A network whose slug is "api", as an older portal let one be made."""
    network = await factories.network(slug="api", name="Netwerk API")
    await factories.member(network, Role.admin, email="beheer-api@example.org")
    return network


async def test_a_network_called_api_keeps_its_csrf_protection(
    api_network: int, client: httpx.AsyncClient
) -> None:
    await log_in(client, "beheer-api@example.org")
    token = await csrf_token(client)
    refused = await client.post("/beheer/api/regios/nieuw", data={"name": "Zonder token"})
    assert refused.status_code == 403
    assert not await Region.exists().where(Region.name == "Zonder token")
    accepted = await client.post(
        "/beheer/api/regios/nieuw", data={"name": "Met token", "_csrf_token": token}
    )
    assert accepted.status_code == 303, accepted.text
    assert await Region.exists().where(Region.name == "Met token")


async def test_the_api_needs_no_csrf_token_but_a_bearer_token(
    database, client: httpx.AsyncClient
) -> None:
    await factories.member(None, Role.admin, email="root@example.org")
    await log_in(client, "root@example.org")
    # A session cookie never opens the API, so there is nothing for a forged request to use.
    assert (await client.get("/api/v1/networks")).status_code == 401


@pytest.mark.parametrize("slug", ["api", "beheer", "static", "login", "n", "netwerken"])
async def test_a_slug_that_is_a_route_is_refused_with_the_form_kept(
    slug: str, database, client: httpx.AsyncClient
) -> None:
    await factories.member(None, Role.admin, email="root@example.org")
    await log_in(client, "root@example.org")
    form = {
        "name": "Nieuw netwerk",
        "slug": slug,
        "coordinating_municipality": "Venlo",
        "unforeseen_reserve": "10",
        "themes_reserve": "10",
        "_csrf_token": await csrf_token(client),
    }
    response = await client.post("/beheer/netwerken/nieuw", data=form)
    assert response.status_code == 422
    assert "al in gebruik door het portaal zelf" in response.text
    assert 'value="Venlo"' in response.text
    assert not await Network.exists().where(Network.slug == slug)


async def test_every_first_path_segment_of_the_app_is_reserved(app: Litestar) -> None:
    segments = set()
    for _, path in http_routes(app):
        parts = [p for p in path.split("/") if p and not p.startswith("{")]
        if parts:
            segments.add(parts[0])
        if path.startswith("/beheer/") and len(parts) > 1 and not path.startswith("/beheer/{"):
            segments.add(parts[1])
    assert segments - RESERVED_SLUGS == set()
