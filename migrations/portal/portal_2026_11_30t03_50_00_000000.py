"""An index on audit_event.actor: every start page shows the person's own last events, which
was a scan of the whole audit log. Raw SQL under its own name, so the table definition (and
its owner's auto migrations) stay as they are."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T03:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS audit_event_by_actor ON audit_event (actor)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS audit_event_by_actor")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
