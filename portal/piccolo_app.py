from pathlib import Path

from piccolo.conf.apps import AppConfig

from portal.accounts.api_tokens import ApiToken
from portal.accounts.reminders import SentReminder
from portal.accounts.tables import (
    AccountToken,
    AuditEvent,
    FormSubmission,
    Letter,
    LoginThrottle,
    Membership,
    Network,
    Organisation,
    OutboxMessage,
    RecoveryCode,
    Region,
    RetentionPeriod,
    User,
    UserSession,
)
from portal.accounts.view_log import ViewEvent

APP_CONFIG = AppConfig(
    app_name="portal",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "portal"),
    table_classes=[
        Network,
        Region,
        Organisation,
        User,
        Membership,
        RecoveryCode,
        FormSubmission,
        UserSession,
        LoginThrottle,
        AccountToken,
        AuditEvent,
        OutboxMessage,
        SentReminder,
        ApiToken,
        Letter,
        RetentionPeriod,
        ViewEvent,
    ],
    migration_dependencies=[],
    commands=[],
)
