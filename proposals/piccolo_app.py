from pathlib import Path

from piccolo.conf.apps import AppConfig

from proposals.tables import (
    Attachment,
    BouwteamMember,
    BudgetLine,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Round,
    Theme,
)

APP_CONFIG = AppConfig(
    app_name="proposals",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "proposals"),
    table_classes=[
        Round,
        Theme,
        Proposal,
        ProposalAuthor,
        BouwteamMember,
        BudgetLine,
        Attachment,
        ProposalVersion,
    ],
    migration_dependencies=["portal.piccolo_app", "ledger.piccolo_app"],
    commands=[],
)
