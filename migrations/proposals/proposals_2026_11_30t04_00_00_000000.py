"""An index on proposal.round under a name of its own: Piccolo's `index=True` would call it
"proposal_round", the name of the round table, and fail. The review pages find a round's
proposals by it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="proposals", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS proposal_by_round ON proposal (round)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS proposal_by_round")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
