from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T17:21:51:709080"
VERSION = "1.38.0"
DESCRIPTION = "budget_year.entries_stamp: renewed by every booking of the year, so a process may keep the year's sums"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    manager.add_column(
        table_class_name="BudgetYear",
        tablename="budget_year",
        column_name="entries_stamp",
        db_column_name="entries_stamp",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
