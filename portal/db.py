"""One engine for the whole process, chosen by DATABASE_URL: SQLite or PostgreSQL.

Piccolo finds its engine through `piccolo_conf.DB`; tables cache it on first use. `use_engine`
sets both, so the app, the migrations and the tests always talk to the same database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def engine_from_url(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif url.startswith("sqlite:///"):
            path = path[1:] if path.startswith("/") else path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(path)
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or ""),
                "database": parsed.path.lstrip("/") or "fondsportaal",
            }
        )
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgres://, got {url!r}")


def _enable_wal(path: str) -> None:
    # WAL is a property of the file: set once, it holds for every later connection, and it
    # lets readers go on while one writer commits.
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


def current_engine() -> Engine:
    from portal import piccolo_conf

    return piccolo_conf.DB


def use_engine(engine: Engine) -> None:
    from portal import piccolo_conf

    piccolo_conf.DB = engine
    for table in all_tables():
        table._meta.db = engine


def all_tables() -> list:
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    return [*Finder().get_table_classes(), Migration]


@asynccontextmanager
async def write_transaction() -> AsyncIterator[object]:
    """A transaction for writes: IMMEDIATE on SQLite so that concurrent writers queue on the
    busy timeout instead of failing with "database is locked" when they upgrade a read lock."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction
    else:
        async with engine.transaction() as transaction:
            yield transaction


async def start(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def ping() -> bool:
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


def contains(column, text: str):
    """Case-insensitive substring match: ILIKE on PostgreSQL; SQLite's LIKE already ignores case."""
    term = (
        "%"
        + text.replace("\x00", "").replace("\\", "").replace("%", "").replace("_", "")[:100]
        + "%"
    )
    return column.like(term) if is_sqlite() else column.ilike(term)
