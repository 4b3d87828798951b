"""Security headers on every kind of response, and the cookie flags."""

from __future__ import annotations

import dataclasses

import httpx

from portal.accounts.tables import Role
from portal.app import create_app
from tests import factories
from tests.factories import PASSWORD
from tests.web import fresh_code


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
        # The CSRF cookie carries the __Host- prefix: a browser takes it only from this host,
        # over HTTPS, for the whole site, so no sibling subdomain can plant one.
        csrf = page.headers["set-cookie"]
        assert csrf.startswith("__Host-csrftoken=")
        assert "Secure" in csrf and "HttpOnly" in csrf and "Path=/" in csrf
        assert "SameSite=lax" in csrf and "domain" not in csrf.lower()
        token = client.cookies["__Host-csrftoken"]
        # The templates' helpers give the same token: the form field and the htmx header.
        assert f'name="_csrf_token" value="{token}"' in page.text
        assert f'"x-csrftoken": "{token}"' in page.text
        # Log-in works with it, as a browser does it: the form field, then the header (htmx).
        response = await client.post(
            "/login",
            data={"email": "carla@example.org", "password": PASSWORD, "_csrf_token": token},
        )
        assert response.status_code == 303, response.text
        response = await client.post(
            response.headers["location"],
            data={"code": await fresh_code("carla@example.org")},
            headers={"x-csrftoken": token},
        )
        assert response.status_code == 303, response.text
        session_cookie = response.headers["set-cookie"]
        assert "HttpOnly" in session_cookie and "Secure" in session_cookie
        assert "SameSite=lax" in session_cookie
        # Without the token a logged-in post is refused.
        assert (await client.post("/account/wachtwoord", data={})).status_code == 403


async def test_csrf_cookie_is_http_only(client: httpx.AsyncClient, database) -> None:
    response = await client.get("/login")
    csrf = next(c for c in response.headers.get_list("set-cookie") if c.startswith("csrftoken"))
    assert "HttpOnly" in csrf and "SameSite=lax" in csrf
