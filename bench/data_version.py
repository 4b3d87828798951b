"""What the data version's triggers (portal/lib/data_version.py) cost a write, on SQLite and
PostgreSQL: write transactions timed with the triggers and again with them dropped.

    .venv/bin/python bench/data_version.py            # both databases
    .venv/bin/python bench/data_version.py --db sqlite

Three shapes: one row updated per transaction, 100 rows inserted in one transaction, and on
PostgreSQL 16 writers at once, each updating rows of its own (they share no row but the
version's, which each takes at its commit). A fresh database each run, migrated as
`portal migrate` does; nothing else runs meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import asyncpg  # noqa: E402

from portal.lib import data_version, db  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NAME = "bench_data_version"


async def _drop_triggers(engine) -> None:
    if db.is_sqlite(engine):
        rows = await engine.run_ddl("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for row in rows:
            if row["name"].startswith(data_version.TRIGGER):
                await engine.run_ddl(f'DROP TRIGGER "{row["name"]}"')
    else:
        for table in await data_version.tables_with_trigger(engine):
            await engine.run_ddl(f'DROP TRIGGER {data_version.TRIGGER} ON "{table}"')


async def _timed(work, repeat: int) -> float:
    """Median milliseconds of `work()` over `repeat` runs (after two unmeasured)."""
    for _ in range(2):
        await work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _figures(engine, networks: list[int]) -> dict[str, float]:
    from portal.accounts.tables import AuditEvent, Network

    async def one_update() -> None:
        async with db.write_transaction():
            await Network.update({Network.name: f"N {time.perf_counter()}"}).where(
                Network.id == networks[0]
            )

    async def hundred_inserts() -> None:
        async with db.write_transaction():
            await AuditEvent.insert(
                *[AuditEvent(action="bench", summary=str(i)) for i in range(100)]
            )

    figures = {
        "1 row updated (ms/transaction)": await _timed(one_update, 200),
        "100 rows inserted (ms/transaction)": await _timed(hundred_inserts, 50),
    }
    if not db.is_sqlite(engine):

        async def writer(network_id: int) -> None:
            for _ in range(25):
                async with db.write_transaction():
                    await Network.update({Network.name: f"W {time.perf_counter()}"}).where(
                        Network.id == network_id
                    )

        started = time.perf_counter()
        await asyncio.gather(*(writer(n) for n in networks))
        seconds = time.perf_counter() - started
        figures["16 writers at once (transactions/s)"] = 16 * 25 / seconds
    return figures


async def measure(url: str) -> list[tuple[str, float, float]]:
    from portal.accounts.tables import Network
    from portal.cli import migrate

    engine = db.engine_from_url(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        assert await migrate()
        networks = []
        for i in range(16):
            network = Network(name=f"Netwerk {i}", slug=f"netwerk-{i}")
            await network.save()
            networks.append(network.id)
        with_triggers = await _figures(engine, networks)
        await _drop_triggers(engine)
        without = await _figures(engine, networks)
    finally:
        await db.stop(engine)
    return [(k, with_triggers[k], without[k]) for k in with_triggers]


async def _postgres_url() -> str:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{NAME}"')
    finally:
        await connection.close()
    return f"postgres://postgres@127.0.0.1:5432/{NAME}"


async def _drop_postgres() -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    for engine in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as work:
                rows = asyncio.run(measure(f"sqlite:///{Path(work) / 'bench.sqlite'}"))
        else:
            url = asyncio.run(_postgres_url())
            try:
                rows = asyncio.run(measure(url))
            finally:
                asyncio.run(_drop_postgres())
        print(f"\n{engine}: with the triggers / without")
        for label, with_triggers, without in rows:
            print(f"  {label:38} {with_triggers:9.2f} / {without:9.2f}")


if __name__ == "__main__":
    main()
