from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="review",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "review"),
    table_classes=[],
    migration_dependencies=["portal.piccolo_app"],
    commands=[],
)
