"""The projectenbank's SQLite index also knows who may see each entry.

The search joined every full-text match to its entry to keep those of the network and the
shared ones: a common word matches most of all networks' entries (4.000 of 5.200 in the bench
data set, 500 of them visible), and reading each entry's row was most of the search's 15 ms.
A second FTS5 column `scope` holds the tokens `n<network>` and, when shared, `gedeeld`; the
search asks `scope : ("n1" OR "gedeeld")` in the same MATCH, so the index intersects its own
lists. bm25 weighs the scope column 0. Rebuilt from catalogue_entry (its `stems` column holds
what the index held). PostgreSQL's GIN index is left as it is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-04T19:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue_fts with a scope column (network, shared)"

SCOPE = "'n' || network || CASE WHEN shared THEN ' gedeeld' ELSE '' END"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def rebuild(columns: str, select: str) -> None:
        engine = engine_finder()
        if not isinstance(engine, SQLiteEngine):
            return
        await engine.run_ddl("DROP TABLE IF EXISTS catalogue_fts")
        await engine.run_ddl(f"CREATE VIRTUAL TABLE catalogue_fts USING fts5({columns})")
        await engine.run_ddl(f"INSERT INTO catalogue_fts (rowid, {columns}) {select}")

    async def with_scope():
        await rebuild("stems, scope", f"SELECT id, stems, {SCOPE} FROM catalogue_entry")

    async def without_scope():
        await rebuild("stems", "SELECT id, stems FROM catalogue_entry")

    manager.add_raw(with_scope)
    manager.add_raw_backwards(without_scope)
    return manager
