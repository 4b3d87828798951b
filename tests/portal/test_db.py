"""The SQLite engine's pool of long-lived connections (portal/lib/db.py, PooledSQLiteEngine).

What must hold while statements share connections: each statement sees what was committed
before it (also by a transaction on another connection), foreign keys are enforced, errors
reach the caller, and `stop` closes every connection it opened.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from portal.lib import db

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def engine(tmp_path: Path):
    engine = db.engine_from_url(f"sqlite:///{tmp_path / 'pool.sqlite'}")
    assert isinstance(engine, db.PooledSQLiteEngine)
    await engine.run_ddl("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await engine.run_ddl(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id))"
    )
    await db.start(engine)
    yield engine
    await db.stop(engine)


async def test_statements_reuse_a_few_connections(engine: db.PooledSQLiteEngine) -> None:
    results = await asyncio.gather(*(engine.run_ddl(f"SELECT {n} AS n") for n in range(200)))
    assert [r[0]["n"] for r in results] == list(range(200))
    assert 1 <= len(engine._connections) <= db.SQLITE_READ_THREADS


async def test_a_read_sees_what_a_transaction_committed(engine: db.PooledSQLiteEngine) -> None:
    await engine.run_ddl("SELECT count(*) AS n FROM parent")  # warm a pooled connection
    async with engine.transaction():
        await engine.run_ddl("INSERT INTO parent (id) VALUES (1)")
    rows = await engine.run_ddl("SELECT count(*) AS n FROM parent")
    assert rows == [{"n": 1}]


async def test_a_rolled_back_transaction_leaves_nothing(engine: db.PooledSQLiteEngine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await engine.run_ddl("INSERT INTO parent (id) VALUES (2)")
            raise RuntimeError("afgebroken")
    assert await engine.run_ddl("SELECT count(*) AS n FROM parent") == [{"n": 0}]


async def test_foreign_keys_hold_on_pooled_connections(engine: db.PooledSQLiteEngine) -> None:
    for _ in range(db.SQLITE_READ_THREADS * 2):
        with pytest.raises(sqlite3.IntegrityError):
            await engine.run_ddl("INSERT INTO child (id, parent) VALUES (1, 999)")
    assert await engine.run_ddl("SELECT count(*) AS n FROM child") == [{"n": 0}]


async def test_a_write_outside_a_transaction_is_committed(engine: db.PooledSQLiteEngine) -> None:
    await engine.run_ddl("INSERT INTO parent (id) VALUES (7)")
    with sqlite3.connect(engine.path) as other:
        assert other.execute("SELECT id FROM parent").fetchall() == [(7,)]


async def test_stop_closes_every_connection(tmp_path: Path) -> None:
    engine = db.engine_from_url(f"sqlite:///{tmp_path / 'stop.sqlite'}")
    await db.start(engine)
    await asyncio.gather(*(engine.run_ddl("SELECT 1") for _ in range(50)))
    opened = list(engine._connections)
    assert opened
    await db.stop(engine)
    assert engine._connections == []
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    # Without the pool a statement still runs, on a connection of its own (Piccolo's way).
    assert await engine.run_ddl("SELECT 2 AS n") == [{"n": 2}]
    assert engine._connections == []


async def test_start_gives_the_planner_statistics(tmp_path: Path) -> None:
    engine = db.engine_from_url(f"sqlite:///{tmp_path / 'stats.sqlite'}")
    await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, kind TEXT)")
    await engine.run_ddl("CREATE INDEX item_kind ON item (kind)")
    await engine.run_ddl("INSERT INTO item (kind) VALUES ('a'), ('a'), ('b')")
    await db.start(engine)
    try:
        rows = await engine.run_ddl("SELECT tbl, idx FROM sqlite_stat1")
    finally:
        await db.stop(engine)
    assert {"tbl": "item", "idx": "item_kind"} in rows


async def test_integers_read_as_int_also_the_odd_ones(engine: db.PooledSQLiteEngine) -> None:
    await engine.run_ddl("CREATE TABLE money (cents INTEGER)")
    # The largest BigInt, a fraction SQLite keeps as a REAL in an INTEGER column (read as
    # Piccolo reads it), and an ordinary amount.
    await engine.run_ddl("INSERT INTO money (cents) VALUES (9223372036854775807), (1.5), (123456)")
    rows = await engine.run_ddl("SELECT cents FROM money ORDER BY cents")
    assert rows == [{"cents": 1}, {"cents": 123456}, {"cents": 9223372036854775807}]
    assert all(type(r["cents"]) is int for r in rows)
    assert sqlite3.converters["INTEGER"] is db._integer_out
