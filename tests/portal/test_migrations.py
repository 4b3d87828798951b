"""The schema comes only from migrations: a table change without one fails here."""

from __future__ import annotations

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.columns import Varchar
from piccolo.conf.apps import AppConfig, Finder
from piccolo.table import Table


async def pending_statements(app_config: AppConfig) -> list[str]:
    alter = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=app_config)
    return [statement for group in alter for statement in group.statements]


async def test_every_table_change_has_a_migration() -> None:
    for app_config in Finder().get_app_registry().app_configs.values():
        statements = await pending_statements(app_config)
        assert statements == [], (
            f"{app_config.app_name}: tables differ from its migrations; run "
            f"`piccolo migrations new {app_config.app_name} --auto`:\n" + "\n".join(statements)
        )


async def test_the_check_notices_a_table_without_migration() -> None:
    portal = Finder().get_app_config("portal")

    class UnmigratedProbe(Table):
        note = Varchar()

    probe = AppConfig(
        app_name="portal",
        migrations_folder_path=portal.migrations_folder_path,
        table_classes=[*portal.table_classes, UnmigratedProbe],
    )
    statements = await pending_statements(probe)
    assert any("UnmigratedProbe" in s for s in statements)
