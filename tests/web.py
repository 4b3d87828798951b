"""Helpers to use the portal as a browser would: CSRF cookie, forms, log-in."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD


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
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response
