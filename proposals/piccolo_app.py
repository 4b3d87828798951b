from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="proposals",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "proposals"),
    table_classes=[],
    migration_dependencies=["portal.piccolo_app"],
    commands=[],
)
