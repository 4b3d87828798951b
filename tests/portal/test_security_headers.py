"""Security headers on every kind of response, and the cookie flags."""

from __future__ import annotations

import dataclasses

import httpx

from portal.app import create_app
from portal.tables import Role
from tests import factories
from tests.web import log_in


async def test_pages_carry_a_strict_policy(client: httpx.AsyncClient, database) -> None:
    for path in ("/login", "/bestaat-niet", "/healthz", "/static/css/fondsportaal.css"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # development


async def test_production_adds_hsts_and_secure_cookies(settings, database) -> None:
    production = dataclasses.replace(settings, environment="production")
    app = create_app(production, manage_engine=False)
    network = await factories.network(slug="zuid-west")
    await factories.member(network, Role.coordinator, email="carla@example.org")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as client:
        page = await client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
        response = await log_in(client, "carla@example.org")
        session_cookie = response.headers["set-cookie"]
        assert "HttpOnly" in session_cookie and "Secure" in session_cookie
        assert "SameSite=lax" in session_cookie


async def test_csrf_cookie_is_http_only(client: httpx.AsyncClient, database) -> None:
    response = await client.get("/login")
    csrf = next(c for c in response.headers.get_list("set-cookie") if c.startswith("csrftoken"))
    assert "HttpOnly" in csrf and "SameSite=lax" in csrf
