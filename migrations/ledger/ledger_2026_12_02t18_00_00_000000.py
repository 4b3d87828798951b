"""Two absolute rules of the ledger said by the schema too, so that no writer can break them
however it races: an entry is reversed at most once (unique `reverses`; NULLs, the entries that
reverse nothing, do not collide), and a budget year is divided once (an account code once per
year). The services ask the same inside their transaction and answer in Dutch; these indexes
are the last word for any other writer."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique indexes: one reversal per entry, one division per budget year"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS ledger_entry_reversed_once "
            "ON ledger_entry (reverses)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS ledger_account_code_once_a_year "
            "ON ledger_account (budget_year, code)"
        )

    async def drop_indexes():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS ledger_entry_reversed_once")
        await engine.run_ddl("DROP INDEX IF EXISTS ledger_account_code_once_a_year")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
