"""An index for the reports a coordinator has to act on: handed in, or due soon.

The start page asks for the reports in state submitted, or due/returned with a due date before
a horizon. Without an index on state both engines read every report of every network (6.500
rows with their texts at full size: 2,6 ms on PostgreSQL); (state, due_date) finds the few
hundred.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T20:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index ledger_report (state, due_date) for the reports to act on"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS ledger_report_state_due ON ledger_report (state, due_date)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS ledger_report_state_due")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
