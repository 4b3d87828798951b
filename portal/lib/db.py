"""One engine for the whole process, chosen by DATABASE_URL: SQLite or PostgreSQL.

Piccolo finds its engine through `piccolo_conf.DB`; tables cache it on first use. `use_engine`
sets both, so the app, the migrations and the tests always talk to the same database.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, closing
from pathlib import Path
from types import ModuleType
from typing import TypeVar
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, convert_int_out, dict_factory
from piccolo.query.mixins import LockStrength
from piccolo.table import Table

from portal.lib import once

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Threads, each holding one long-lived connection, for the statements outside a transaction.
# sqlite3 lets go of the GIL while SQLite works, so a few readers overlap even on two cores.
SQLITE_READ_THREADS = 4
SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index by ANALYZE


def _integer_out(value: bytes) -> int:
    """Piccolo reads every INTEGER value through Decimal, to accept a stray '1.0' (SQLite does
    not check a column's type); that is most of the cost of reading a few hundred rows of ids
    and cents. `int` reads the usual digits directly; anything else goes Piccolo's way."""
    try:
        return int(value)
    except ValueError:
        return convert_int_out(value)


sqlite3.register_converter("INTEGER", _integer_out)


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
        return PooledSQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
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


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, but a statement outside a transaction reuses a connection.

    Piccolo opens a new connection, in a new aiosqlite thread, for each such statement: 2,3 ms
    of CPU each on this machine, and a proposal page runs 15 of them (docs/performance.md).
    Between `start()` and `stop()` these statements run instead on a small pool of threads
    that each keep one connection open, in autocommit as Piccolo's are, so every statement
    still sees what was committed before it began (WAL). Transactions keep their own
    connection, as before. Outside `start()`/`stop()` (a one-off script) nothing changes.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()

    def open_pool(self, threads: int = SQLITE_READ_THREADS) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(threads, thread_name_prefix="sqlite")

    def refresh_statistics(self) -> None:
        """Give SQLite's planner statistics, as PostgreSQL's autovacuum does for its own.

        Without them SQLite guesses, and with two indexes on a table it can take the one that
        reads thousands of rows (measured: 0,2 ms or 7 ms for the same count of proposals).
        `analysis_limit` samples each index instead of reading it whole: 26 ms for the
        50.000-entry bench data set. Run when the server starts, so a restart refreshes them.
        """
        # closing(): sqlite3's own `with` only commits; the connection would stay open.
        with closing(sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as connection:
            connection.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            connection.execute("ANALYZE")

    def close_pool(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        # The pool's threads are gone; a later pool must not find their connections.
        self._local = threading.local()

    async def _run_in_new_connection(
        self, query: str, args: list | None = None, query_type: str = "generic", table=None
    ):
        executor = self._executor
        if executor is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, self._run_in_pool, query, args or [])

    def _run_in_pool(self, query: str, args: list) -> list[dict]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        cursor = connection.execute(query, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False only so that `close_pool` can close it from another thread
        # once its own thread has ended; while it lives, only its thread uses it.
        connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        connection.row_factory = dict_factory
        connection.execute("PRAGMA foreign_keys = 1")
        with self._connections_lock:
            self._connections.append(connection)
        return connection


def _enable_wal(path: str) -> None:
    # WAL is a property of the file: set once, it holds for every later connection, and it
    # lets readers go on while one writer commits.
    with closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


def _piccolo_conf() -> ModuleType:
    # Found by name as Piccolo finds it (PICCOLO_CONF, set in portal/__init__.py): the
    # configuration belongs to the assembly, which the library does not import.
    return importlib.import_module(os.environ.get("PICCOLO_CONF", "piccolo_conf"))


def current_engine() -> Engine:
    return _piccolo_conf().DB


def use_engine(engine: Engine) -> None:
    vars(_piccolo_conf())["DB"] = engine
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
    transaction = (
        engine.transaction(transaction_type=TransactionType.immediate)
        if isinstance(engine, SQLiteEngine)
        else engine.transaction()
    )
    async with transaction as active:
        # The form's one-time key first: a repeated post stops here, before any write.
        claimed = await once.claim(engine)
        try:
            yield active
        except BaseException:
            if claimed:  # rolled back with the write: a repeat is judged afresh
                once.unclaim()
            raise


async def lock_row(table: type[Table], row_id: int) -> None:
    """Inside a write transaction: serialise the writers that hang on this row (e.g. the
    regions of one network), so that a check for a duplicate and the insert after it are one
    step. SQLite's IMMEDIATE transaction already holds the database's write lock."""
    if not is_sqlite():
        key = table._meta.primary_key  # `id` on every table of the portal
        await table.select(key).where(key == row_id).lock_rows(LockStrength.update)


_Row = TypeVar("_Row")


def required(row: _Row | None) -> _Row:
    """A row the caller knows is there: read before in this request, just written, or held by
    a foreign key. Piccolo's `first()` (and every query built on it) may answer None; this says
    it did not, and if it did after all, the request fails here rather than on the first look
    into the row."""
    if row is None:
        raise LookupError("a row that must be there is missing")
    return row


def unique_violation(error: BaseException) -> bool:
    """A write refused by a unique index (on either engine): a race that a check inside the
    transaction could not see, on PostgreSQL where a second insert waits for the first."""
    name = type(error).__name__
    return name == "UniqueViolationError" or (
        name == "IntegrityError" and "UNIQUE constraint failed" in str(error)
    )


async def start(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    elif isinstance(engine, PooledSQLiteEngine):
        await asyncio.to_thread(engine.refresh_statistics)
        engine.open_pool()


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await asyncio.to_thread(engine.close_pool)


async def ping() -> bool:
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


def substring_pattern(text: str) -> str:
    """The LIKE pattern of a case-insensitive substring search for `text` (its wildcards and
    escapes dropped, at most 100 characters): for `like_pattern` below."""
    return (
        "%"
        + text.replace("\x00", "").replace("\\", "").replace("%", "").replace("_", "")[:100]
        + "%"
    )


def like_pattern(column, pattern: str):
    """Case-insensitive LIKE: ILIKE on PostgreSQL; SQLite's LIKE already ignores case. Takes a
    pattern made by `substring_pattern`, so that a compiled query receives it as an argument."""
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)
