"""The start page's "your last events" index on (actor, id) instead of (actor): with ORDER BY
id DESC LIMIT 8, PostgreSQL preferred walking the primary key backwards and filtering, which for
someone with few events read the whole audit log (60 ms at 160.000 events)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T04:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS audit_event_by_actor")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS audit_event_by_actor_id ON audit_event (actor, id)"
        )

    async def drop_index():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS audit_event_by_actor_id")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS audit_event_by_actor ON audit_event (actor)"
        )

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
