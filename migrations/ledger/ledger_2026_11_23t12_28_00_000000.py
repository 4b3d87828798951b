"""Full-text search for the projectenbank: FTS5 on SQLite (over Dutch stems the portal computes),
a GIN index over a Dutch tsvector on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T12:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue full text"

POSTGRES_DOCUMENT = (
    "to_tsvector('dutch', coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || "
    "coalesce(results_text, '') || ' ' || coalesce(lessons_text, ''))"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(
                "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_fts USING fts5(stems)"
            )
        else:
            await engine.run_ddl(
                "CREATE INDEX IF NOT EXISTS catalogue_entry_fulltext ON catalogue_entry "
                f"USING GIN ({POSTGRES_DOCUMENT})"
            )

    async def drop_index():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("DROP TABLE IF EXISTS catalogue_fts")
        else:
            await engine.run_ddl("DROP INDEX IF EXISTS catalogue_entry_fulltext")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
