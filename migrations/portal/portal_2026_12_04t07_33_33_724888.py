from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T07:33:33:724888"
VERSION = "1.38.0"
DESCRIPTION = "Panels: a network's reviewer kinds (Network.panel); a reviewer kind is any code of it"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="portal", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Network",
        tablename="network",
        column_name="panel",
        db_column_name="panel",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "[]",
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

    manager.alter_column(
        table_class_name="Membership",
        tablename="membership",
        column_name="reviewer_kind",
        db_column_name="reviewer_kind",
        params={"length": 20, "choices": None},
        old_params={
            "length": 10,
            "choices": Enum(
                "ReviewerKind", {"none": "", "ao": "ao", "chair": "chair"}
            ),
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
