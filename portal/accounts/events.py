"""The one path for side effects: a service records what happened and who is told in the
same transaction, so the audit log and the e-mail outbox never drift apart."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from piccolo.query import Select

from portal.accounts.tables import AuditEvent, OutboxMessage
from portal.lib import clock

# Set when a request queued e-mail, so that the app delivers it once the response is sent.
mail_queued: ContextVar[bool] = ContextVar("mail_queued", default=False)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


async def record(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    summary: str,
    network_id: int | None = None,
    details: dict[str, Any] | None = None,
    mails: list[Mail] | tuple[Mail, ...] = (),
) -> None:
    """Write one audit event and queue its e-mails. Call inside the service's transaction."""
    now = clock.now()
    await AuditEvent.insert(
        AuditEvent(
            at=now,
            actor=actor_id,
            network=network_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary,
            details=details or {},
        )
    )
    if mails:
        await OutboxMessage.insert(
            *[
                OutboxMessage(created_at=now, recipient=m.to, subject=m.subject, body=m.body)
                for m in mails
            ]
        )
        mail_queued.set(True)


def timeline_query(object_type: str, object_id: int | str, limit: int = 200) -> Select:
    return (
        AuditEvent.select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.summary,
            AuditEvent.actor.name.as_alias("actor_name"),
        )
        .where((AuditEvent.object_type == object_type) & (AuditEvent.object_id == str(object_id)))
        .order_by(AuditEvent.at, ascending=False)
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
    )


async def timeline(object_type: str, object_id: int | str, limit: int = 200) -> list[dict]:
    return await timeline_query(object_type, object_id, limit)
