from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T17:07:43:298091"
VERSION = "1.38.0"
DESCRIPTION = "states and kinds as enums (choices), no schema change"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="ledger", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Account",
        tablename="ledger_account",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "AccountKind",
                {
                    "process": "process",
                    "theme": "theme",
                    "themes_reserve": "themes_reserve",
                    "learning": "learning",
                    "unforeseen": "unforeseen",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Entry",
        tablename="ledger_entry",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "EntryKind",
                {
                    "budget": "budget",
                    "commitment": "commitment",
                    "advance_payment": "advance_payment",
                    "final_payment": "final_payment",
                    "realised": "realised",
                    "release": "release",
                    "recovery": "recovery",
                    "reserve_release": "reserve_release",
                    "transfer": "transfer",
                    "carry_over": "carry_over",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="ledger_report",
        column_name="state",
        db_column_name="state",
        params={
            "choices": Enum(
                "ReportState",
                {
                    "due": "due",
                    "submitted": "submitted",
                    "returned": "returned",
                    "accepted": "accepted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
