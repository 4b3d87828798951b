from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T17:07:42:256985"
VERSION = "1.38.0"
DESCRIPTION = "states and kinds as enums (choices), no schema change"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="proposals", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Proposal",
        tablename="proposal",
        column_name="state",
        db_column_name="state",
        params={
            "choices": Enum(
                "ProposalState",
                {
                    "draft": "draft",
                    "ready": "ready",
                    "submitted": "submitted",
                    "in_review": "in_review",
                    "advised": "advised",
                    "granted": "granted",
                    "rejected": "rejected",
                    "withdrawn": "withdrawn",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
