from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T04:44:03:383293"
VERSION = "1.38.0"
DESCRIPTION = "Multi-year grants: where a network commits them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="portal", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Network",
        tablename="network",
        column_name="grant_booking",
        db_column_name="grant_booking",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "per_year",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "GrantBooking",
                {"per_year": "per_year", "grant_year": "grant_year"},
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
