"""More than one process: what one server process hands out (a session, a CSRF token, an
uploaded file) works on another one that shares its database, upload folder and SECRET_KEY.

Two ways to run several processes are covered: two separate `portal serve` (as behind a load
balancer, or granian/uvicorn instances on several machines) and one `portal serve --workers 2`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from portal.accounts.sessions import SESSION_COOKIE
from tests.reliability.conftest import READY_TIMEOUT_SECONDS, Backend, Server, log_in

APPLICANT = "aanvrager@example.org"


def _pdf() -> bytes:
    # A different file every time, so that a download can only match its own upload.
    return (
        b"%PDF-1.4\n%" + secrets.token_hex(256).encode() + b"\n"
        b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


async def _draft_proposal(backend: Backend) -> str:
    """The demo draft of the applicant, as a path."""
    rows = await backend.fetch("SELECT id FROM proposal WHERE state = 'draft' ORDER BY id")
    return f"/n/zuid-west/voorstellen/{rows[0]['id']}"


async def _upload(
    client: httpx.AsyncClient, backend: Backend, proposal: str, content: bytes, csrf: str
) -> int:
    """Upload through the form; the attachment's id, found by the file's fingerprint."""
    response = await client.post(
        f"{proposal}/bijlagen",
        files={"file": ("verslag.pdf", content, "application/pdf")},
        data={"_csrf_token": csrf, "kind": "other", "region": ""},
    )
    assert response.status_code == 303, response.text
    digest = hashlib.sha256(content).hexdigest()
    rows = await backend.fetch(f"SELECT id FROM attachment WHERE sha256 = '{digest}'")
    assert len(rows) == 1, f"the upload was not stored: {response.headers.get('location')}"
    return rows[0]["id"]


async def _download(client: httpx.AsyncClient, proposal: str, attachment_id: int) -> bytes:
    response = await client.get(f"{proposal}/bijlagen/{attachment_id}")
    assert response.status_code == 200, response.status_code
    return response.content


def _sent_to_log_in(response: httpx.Response) -> bool:
    location = response.headers.get("location", "")
    return response.status_code == 401 or (
        response.status_code == 303 and location.startswith("/login")
    )


def _copy_cookies(source: httpx.AsyncClient, target: httpx.AsyncClient) -> None:
    for cookie in source.cookies.jar:
        target.cookies.jar.set_cookie(cookie)


async def test_two_servers_share_sessions_csrf_tokens_and_uploads(backend: Backend) -> None:
    one, two = Server(backend, "server1"), Server(backend, "server2")
    try:
        url_one, url_two = await asyncio.gather(one.start(), two.start())
        proposal = await _draft_proposal(backend)
        async with (
            httpx.AsyncClient(base_url=url_one, timeout=30) as first,
            httpx.AsyncClient(base_url=url_two, timeout=30) as second,
        ):
            # Without the cookies the second server does not know this person.
            assert _sent_to_log_in(await second.get(proposal))

            await log_in(first, APPLICANT)  # session and CSRF cookie made by server 1
            csrf = first.cookies["csrftoken"]
            _copy_cookies(first, second)

            page = await second.get(proposal)
            assert page.status_code == 200 and "Kleinschalige woonplekken" in page.text

            uploaded_on_one = _pdf()
            attachment = await _upload(first, backend, proposal, uploaded_on_one, csrf)
            assert await _download(second, proposal, attachment) == uploaded_on_one

            # The CSRF token from server 1 is accepted by a POST to server 2 ...
            uploaded_on_two = _pdf()
            attachment = await _upload(second, backend, proposal, uploaded_on_two, csrf)
            assert await _download(first, proposal, attachment) == uploaded_on_two
            # ... because it is checked there: a made-up one is refused.
            forged = await second.post(
                f"{proposal}/bijlagen",
                files={"file": ("x.pdf", _pdf(), "application/pdf")},
                data={"_csrf_token": secrets.token_hex(32), "kind": "other", "region": ""},
            )
            assert forged.status_code == 403

            # Logging out on server 2 ends the session on server 1 too: it lives in the database.
            out = await second.post("/logout", data={"_csrf_token": csrf})
            assert out.status_code == 303
            assert _sent_to_log_in(await first.get(proposal))
    finally:
        await asyncio.gather(one.stop(), two.stop())


@asynccontextmanager
async def _only(pid: int, others: list[int]) -> AsyncIterator[None]:
    """Let only worker `pid` accept connections: the others are paused (SIGSTOP), so the kernel
    hands every new connection on the shared socket to `pid`. Kept short: uvicorn's supervisor
    replaces a worker that does not answer its health check within 5 s."""
    for other in others:
        os.kill(other, signal.SIGSTOP)
    try:
        yield
    finally:
        for other in others:
            os.kill(other, signal.SIGCONT)


async def _worker_pids(server: Server) -> list[int]:
    """The worker processes, once each has finished starting the app."""
    for _ in range(READY_TIMEOUT_SECONDS * 10):
        log = server.log()
        pids = [int(p) for p in re.findall(r"Started server process \[(\d+)\]", log)]
        if len(pids) == 2 and log.count("Application startup complete.") == 2:
            return pids
        await asyncio.sleep(0.1)
    raise AssertionError(f"two workers did not start:\n{server.log()}")


async def test_serve_with_two_workers(backend: Backend) -> None:
    pool = Server(backend, "pool", workers=2)
    try:
        base_url = await pool.start()
        worker_a, worker_b = await _worker_pids(pool)
        assert pool.process is not None and pool.process.pid not in (worker_a, worker_b)
        proposal = await _draft_proposal(backend)
        content = _pdf()
        # A fresh client (connection) per phase, so no kept-alive connection of a paused worker.
        async with _only(worker_a, [worker_b]), httpx.AsyncClient(base_url=base_url) as on_a:
            await log_in(on_a, APPLICANT)
            attachment = await _upload(on_a, backend, proposal, content, on_a.cookies["csrftoken"])
            cookies = on_a.cookies
        async with _only(worker_b, [worker_a]), httpx.AsyncClient(base_url=base_url) as on_b:
            assert _sent_to_log_in(await on_b.get(proposal))
            on_b.cookies = httpx.Cookies(cookies)
            assert SESSION_COOKIE in on_b.cookies
            assert await _download(on_b, proposal, attachment) == content
            second = _pdf()
            attachment = await _upload(on_b, backend, proposal, second, cookies["csrftoken"])
            assert await _download(on_b, proposal, attachment) == second
        assert (await pool.wait_exit(0)) is None, "the supervisor died"
        assert "died" not in pool.log(), "the supervisor replaced a paused worker"
    finally:
        await pool.stop()
