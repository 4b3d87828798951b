from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T17:40:01:819611"
VERSION = "1.38.0"
DESCRIPTION = "the auditor role"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="portal", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Membership",
        tablename="membership",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "applicant": "applicant",
                    "region_officer": "region_officer",
                    "reviewer": "reviewer",
                    "coordinator": "coordinator",
                    "admin": "admin",
                    "auditor": "auditor",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Role",
                {
                    "applicant": "applicant",
                    "region_officer": "region_officer",
                    "reviewer": "reviewer",
                    "coordinator": "coordinator",
                    "admin": "admin",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
