from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.tables import BudgetYear

APP_CONFIG = AppConfig(
    app_name="ledger",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "ledger"),
    table_classes=[BudgetYear],
    migration_dependencies=["portal.piccolo_app"],
    commands=[],
)
