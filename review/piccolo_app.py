from pathlib import Path

from piccolo.conf.apps import AppConfig

from review.tables import Advice, ConflictDeclaration, Decision, Question, Review

APP_CONFIG = AppConfig(
    app_name="review",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "review"),
    table_classes=[Review, ConflictDeclaration, Question, Advice, Decision],
    migration_dependencies=["portal.piccolo_app", "proposals.piccolo_app"],
    commands=[],
)
