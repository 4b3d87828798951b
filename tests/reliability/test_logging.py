"""The log of a real server: one structured line per request with its request id, and the
traceback of a failure with the same id. In-process tests capture log records whatever the
handlers; only a real `portal serve` shows what an operator gets to read."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.reliability.conftest import Backend, Server


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_real_server_logs_structured_lines_with_request_ids(backend: Backend) -> None:
    server = Server(backend, "logging")
    try:
        base = await server.start()
        async with httpx.AsyncClient(base_url=base) as client:
            page = await client.get("/login")
            gone = await client.get("/wachtwoord-herstellen/onbekend")
        assert page.status_code == 200 and gone.status_code == 410
    finally:
        await server.stop()
    log = server.log()
    for response, path in ((page, "/login"), (gone, "/wachtwoord-herstellen/onbekend")):
        rid = response.headers["x-request-id"]
        line = next((ln for ln in log.splitlines() if f"path={path} " in ln), "")
        assert re.search(rf"request_id={re.escape(rid)}\b", line), log
        assert "logger=portal.requests" in line and f"status={response.status_code}" in line
