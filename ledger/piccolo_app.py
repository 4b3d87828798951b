from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.books.tables import (
    Account,
    BudgetYear,
    CatalogueEntry,
    ChangeRequest,
    Entry,
    ExpertClaim,
    Instalment,
    LaterYearPart,
    PaymentRequest,
    Project,
    ProjectPart,
    Report,
    ReportAttachment,
    SisaText,
)

APP_CONFIG = AppConfig(
    app_name="ledger",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "ledger"),
    table_classes=[
        BudgetYear,
        Account,
        Project,
        Entry,
        Report,
        ReportAttachment,
        CatalogueEntry,
        ExpertClaim,
        ProjectPart,
        LaterYearPart,
        Instalment,
        PaymentRequest,
        ChangeRequest,
        SisaText,
    ],
    migration_dependencies=["portal.piccolo_app"],
    commands=[],
)
