"""Real `portal serve` processes for the reliability tests, on SQLite and on PostgreSQL.

Unlike the rest of the suite these tests do not call the app in-process: a crash or a second
worker only means something for a real server with its own database connections. Each test
gets a fresh database of its own (a temporary SQLite file or a throw-away PostgreSQL database),
migrated and filled with the demo data by the installed `portal` command.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx
import pyotp
import pytest

from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

# The installed command, as an operator runs it; not `python -m` from the repository.
PORTAL = str(Path(sys.executable).with_name("portal"))
POSTGRES_SERVER = urlparse(
    os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
)
# Not `fondsportaal_test_<pid>`: tests/conftest.py drops and recreates that one for itself.
DATABASE_PREFIX = "fondsportaal_reliability_"
READY_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database each test runs against --------------------------------------------------


async def _postgres_admin(*statements: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(
        host=POSTGRES_SERVER.hostname or "127.0.0.1",
        port=POSTGRES_SERVER.port or 5432,
        user=POSTGRES_SERVER.username or "postgres",
        password=POSTGRES_SERVER.password or None,
        database="postgres",
        timeout=5,
    )
    try:
        rows: list[asyncpg.Record] = []
        for statement in statements:
            rows = await connection.fetch(statement)
        return rows
    finally:
        await connection.close()


async def _drop_stale_databases() -> None:
    """Databases of reliability runs that were killed: their pytest process is gone."""
    rows = await _postgres_admin(
        f"SELECT datname FROM pg_database WHERE datname LIKE '{DATABASE_PREFIX}%'"
    )
    for row in rows:
        match = re.fullmatch(rf"{DATABASE_PREFIX}(\d+)_[0-9a-f]+", row["datname"])
        if match and not Path(f"/proc/{match.group(1)}").exists():
            await _postgres_admin(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')


@dataclass
class Backend:
    """One fresh database with the demo data, and the environment a server needs to use it."""

    engine: str
    database_url: str
    var_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    async def fetch(self, sql: str) -> list[dict[str, Any]]:
        """Rows straight from the database, not through the portal's code."""
        if self.engine == "sqlite":
            return await asyncio.to_thread(self._fetch_sqlite, sql)
        connection = await asyncpg.connect(self.database_url, timeout=5)
        try:
            return [dict(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()

    def _fetch_sqlite(self, sql: str) -> list[dict[str, Any]]:
        path = self.database_url.removeprefix("sqlite:///")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in connection.execute(sql).fetchall()]
        finally:
            connection.close()

    async def run_portal(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            PORTAL,
            *args,
            cwd=self.var_dir,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        text = output.decode(errors="replace")
        assert process.returncode == 0, f"portal {' '.join(args)} failed:\n{text}"
        return text


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    var_dir = Path(tempfile.mkdtemp(prefix="fondsportaal-reliability-"))
    database_name = ""
    if request.param == "sqlite":
        url = f"sqlite:///{var_dir / 'fondsportaal.sqlite'}"
    else:
        database_name = f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
        try:
            await _drop_stale_databases()
            await _postgres_admin(f'CREATE DATABASE "{database_name}"')
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            shutil.rmtree(var_dir, ignore_errors=True)
            message = f"PostgreSQL is not reachable at {POSTGRES_SERVER.netloc} ({error})"
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true: {message}")
            pytest.skip(f"{message}; its reliability tests are skipped")
        server = POSTGRES_SERVER
        credentials = server.username or "postgres"
        if server.password:
            credentials += f":{server.password}"
        url = (
            f"postgresql://{credentials}@{server.hostname or '127.0.0.1'}:{server.port or 5432}"
            f"/{database_name}"
        )
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(var_dir),
        "PORTAL_ENV": "development",
        "DATABASE_URL": url,
        # Every process of one installation must sign with the same key (docs/reliability.md).
        "SECRET_KEY": secrets.token_urlsafe(48),
        "UPLOAD_DIR": str(var_dir / "uploads"),
    }
    backend = Backend(request.param, url, var_dir, env)
    try:
        await backend.run_portal("migrate")
        await backend.run_portal("demo")
        yield backend
    finally:
        if database_name:
            await _postgres_admin(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


# --- servers ----------------------------------------------------------------------------


class Server:
    """One `portal serve` in a process group of its own, so that the uvicorn workers it may
    spawn can never outlive the test."""

    def __init__(self, backend: Backend, name: str, workers: int = 1) -> None:
        self.backend = backend
        self.name = name
        self.workers = workers
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = backend.var_dir / f"{name}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _spawn(self) -> None:
        self.port = free_port()
        command = [PORTAL, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("a") as log:
            log.write(f"--- {' '.join(command[1:])}\n")
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=self.backend.var_dir,
                env=self.backend.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start(self) -> str:
        self._spawn()
        assert self.process is not None
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_SECONDS
        async with httpx.AsyncClient(timeout=2) as client:
            while asyncio.get_running_loop().time() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(f"{self.name} exited at start:\n{self.log()}")
                try:
                    response = await client.get(f"{self.base_url}/healthz")
                    if response.status_code == 200:
                        return self.base_url
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        pytest.fail(f"{self.name} not ready in {READY_TIMEOUT_SECONDS} s:\n{self.log()}")

    def crash(self) -> None:
        """SIGKILL: no shutdown handler, no rollback by the server, no flush: a power cut for
        the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def wait_exit(self, seconds: float = 15) -> int | None:
        assert self.process is not None
        for _ in range(int(seconds / 0.05)):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        return self.process.poll()

    async def stop(self) -> None:
        """Always safe to call: ends the server and every worker of its process group."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the group id is the leader's pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGCONT)  # a paused worker would never see SIGTERM
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            if await self.wait_exit(10) is not None and not _group_alive(group):
                break
        self.process = None


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


# --- a person using the portal ------------------------------------------------------------


async def log_in(
    client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD
) -> httpx.Response:
    """Log in through the forms, with the second step when the portal asks for it (the demo
    coordinator and admin have two-factor log-in with the fixed demo secret)."""
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    if urlparse(location).path.startswith("/login/code"):
        code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
        response = await client.post(
            location, data={"code": code, "_csrf_token": client.cookies["csrftoken"]}
        )
        assert response.status_code == 303, response.text
        assert not urlparse(response.headers["location"]).path.startswith("/login"), (
            "the TOTP step did not log in"
        )
    return response


def load_json(value: Any) -> Any:
    """JSON columns come back as text from both drivers."""
    return json.loads(value) if isinstance(value, str | bytes) else value
