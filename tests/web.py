"""Helpers to use the portal as a browser would: CSRF cookie, forms, log-in."""

from __future__ import annotations

import httpx
import pyotp

from portal.accounts.tables import User
from portal.lib import clock
from tests.factories import PASSWORD, TOTP_SECRET


async def csrf_token(client: httpx.AsyncClient) -> str:
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return client.cookies["csrftoken"]


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict | None = None, **kwargs
) -> httpx.Response:
    payload = {**(data or {}), "_csrf_token": await csrf_token(client)}
    return await client.post(url, data=payload, **kwargs)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Log in as a user would, including the code from the authenticator app where the account
    has two-factor log-in (every coordinator and admin of the factories)."""
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    if response.headers["location"].startswith("/login/code"):
        response = await post_form(
            client, response.headers["location"], {"code": await fresh_code(email)}
        )
        assert response.status_code == 303, response.text
    return response


async def fresh_code(email: str, secret: str = TOTP_SECRET) -> str:
    """The app's current code. Tests log the same person in many times within one 30-second
    step, and the portal accepts each step's code once: forget the step used last, as if the
    previous log-in were half a minute ago. The replay rule has its own tests."""
    await User.update({User.totp_last_step: 0}).where(User.email == email)
    return pyotp.TOTP(secret).at(clock.now())
