"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432). Under
CI=true it is required; elsewhere its tests are skipped with a message when no server answers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from piccolo.engine.base import Engine
from piccolo.table import sort_table_classes

from portal.app import create_app, register_domain_hooks
from portal.lib import clock, db
from portal.lib.passwords import use_fast_hashing
from portal.lib.settings import Settings

use_fast_hashing()

TMP = Path(tempfile.mkdtemp(prefix="fondsportaal-tests-"))
os.environ.setdefault("PORTAL_VAR_DIR", str(TMP))
# Every use of a query's cached SQL is compared with what Piccolo builds (portal/lib/compiled.py).
os.environ.setdefault("PORTAL_CHECK_COMPILED", "1")
# One database per test process, so that two suites running at once never share (or drop)
# each other's data.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/fondsportaal_test_{os.getpid()}"
)
# The domains' hooks, as the app registers them, for the tests that call services directly.
register_domain_hooks()

ENGINES = ["sqlite", "postgres"]


def test_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 40,
        upload_dir=TMP / "uploads",
        base_url="http://testserver",
        environment="test",
    )


async def _postgres_admin(url: str, *statements: str) -> None:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = await asyncpg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        database="postgres",
        timeout=5,
    )
    try:
        for statement in statements:
            await admin.execute(statement.format(name=name))
    finally:
        await admin.close()


async def _drop_stale_test_databases(url: str) -> None:
    """Databases left by test runs that were killed: their process is gone."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    admin = await asyncpg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        database="postgres",
        password=parsed.password or None,
        timeout=5,
    )
    try:
        for row in await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname ~ '^fondsportaal_test_[0-9]+$'"
        ):
            pid = int(row["datname"].rsplit("_", 1)[1])
            if not Path(f"/proc/{pid}").exists():
                await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await admin.close()


async def _fresh_postgres_database(url: str) -> None:
    if "TEST_POSTGRES_URL" not in os.environ:
        await _drop_stale_test_databases(url)
    await _postgres_admin(
        url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"'
    )


@pytest.fixture(scope="session", params=ENGINES)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{TMP / 'test.sqlite'}"
    else:
        url = POSTGRES_URL
        try:
            await _fresh_postgres_database(url)
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true and not reachable: {error}")
            pytest.skip(f"PostgreSQL not reachable at {url} ({error}); its tests are skipped")
    engine = db.engine_from_url(url)
    db.use_engine(engine)
    await db.start(engine)
    from portal.cli import migrate

    assert await migrate()
    yield engine
    await db.stop(engine)
    if request.param == "postgres" and "TEST_POSTGRES_URL" not in os.environ:
        await _postgres_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _empty_all_tables(engine: Engine) -> None:
    tables = [t for t in sort_table_classes(db.all_tables()[:-1])]
    if db.is_sqlite(engine):
        for table in reversed(tables):
            name = table._meta.tablename
            # A self-reference (a reversal pointing at its entry) is RESTRICT: children first.
            for fk in table._meta.foreign_key_columns:
                if fk._foreign_key_meta.resolved_references is table:
                    await engine.run_ddl(
                        f'DELETE FROM "{name}" WHERE "{fk._meta.db_column_name}" IS NOT NULL'
                    )
            await engine.run_ddl(f'DELETE FROM "{name}"')
        # The projectenbank's full-text index is a virtual table outside Piccolo's tables.
        await engine.run_ddl("DELETE FROM catalogue_fts")
    else:
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def database(engine: Engine) -> AsyncIterator[Engine]:
    """A clean database on the engine of this run; the clock back at real time."""
    db.use_engine(engine)
    await _empty_all_tables(engine)
    clock.reset()
    yield engine
    clock.reset()


@pytest.fixture
def settings(database: Engine) -> Settings:
    return test_settings("sqlite:///unused" if db.is_sqlite(database) else POSTGRES_URL)


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings, manage_engine=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        yield client


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop of its own running while
    its browser is open, which the async database tests must not meet."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
