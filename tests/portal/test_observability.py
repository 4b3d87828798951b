"""Request ids, structured request logs, a Dutch page when the database is unreachable."""

from __future__ import annotations

import logging

import httpx
import pytest

from portal.accounts import sessions
from portal.lib.observability import RequestIdFilter


async def test_every_response_carries_a_request_id(
    client: httpx.AsyncClient, database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portal.requests")
    response = await client.get("/login")
    rid = response.headers["x-request-id"]
    assert len(rid) >= 6
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    assert any("path=/login" in line and "status=200" in line for line in lines)
    # A sane id from a proxy is kept; anything else is replaced.
    kept = await client.get("/login", headers={"X-Request-ID": "proxy-1234"})
    assert kept.headers["x-request-id"] == "proxy-1234"
    replaced = await client.get("/login", headers={"X-Request-ID": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"


async def test_a_newline_in_the_url_cannot_forge_a_log_line(
    client: httpx.AsyncClient, database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portal.requests")
    await client.get("/wachtwoord-herstellen/nergens%0Astatus=200%20method=GET")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    line = next(line for line in lines if "nergens" in line)
    assert "\n" not in line and "%0A" in line
    assert line.count(" status=") == 1 and " " not in line.split("path=")[1].split(" status=")[0]


def test_log_lines_name_the_request() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hallo", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"


async def test_unreachable_database_gives_a_dutch_try_again_page(
    client: httpx.AsyncClient, database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*args, **kwargs):
        raise ConnectionRefusedError("database weg")

    monkeypatch.setattr(sessions, "load_session", down)
    client.cookies.set("fp_session", "iets", domain="testserver.local")
    response = await client.get("/account")
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in response.text and "Traceback" not in response.text
    assert response.headers["retry-after"] == "60"


async def test_health_check_reports_the_database(
    client: httpx.AsyncClient, database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.lib import db

    assert (await client.get("/healthz")).json()["database"] == "bereikbaar"

    async def unreachable() -> bool:
        return False

    monkeypatch.setattr(db, "ping", unreachable)
    response = await client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "onbereikbaar"
