from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T05:25:48:282385"
VERSION = "1.38.0"
DESCRIPTION = "Reviews keep their scores and motivations per criterion code"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="review", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Review",
        tablename="review",
        column_name="notes",
        db_column_name="notes",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
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

    manager.add_column(
        table_class_name="Review",
        tablename="review",
        column_name="scores",
        db_column_name="scores",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
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
