"""Delivery of the e-mail outbox: through SMTP when configured, otherwise kept and logged."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import anyio.to_thread

from portal.accounts.tables import OutboxMessage
from portal.lib import clock
from portal.lib.settings import Settings

log = logging.getLogger("portal.mail")
MAX_ATTEMPTS = 5


async def deliver_pending(settings: Settings, limit: int = 100) -> int:
    """Send what waits in the outbox; returns how many were sent. Without SMTP the messages
    stay in the outbox (visible to the beheerder) and are written to the log once."""
    pending = await (
        OutboxMessage.select()
        .where((OutboxMessage.sent_at.is_null()) & (OutboxMessage.attempts < MAX_ATTEMPTS))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    sent = 0
    for message in pending:
        if not settings.smtp.configured:
            if message["attempts"] == 0:
                log.info(
                    "e-mail kept in outbox (no SMTP_HOST) to=%s subject=%s\n%s",
                    message["recipient"],
                    message["subject"],
                    message["body"],
                )
                await OutboxMessage.update({OutboxMessage.attempts: 1}).where(
                    OutboxMessage.id == message["id"]
                )
            continue
        try:
            await anyio.to_thread.run_sync(_send, settings, message)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("e-mail to %s failed: %s", message["recipient"], error)
            await OutboxMessage.update(
                {
                    OutboxMessage.attempts: OutboxMessage.attempts + 1,
                    OutboxMessage.last_error: str(error)[:500],
                }
            ).where(OutboxMessage.id == message["id"])
            continue
        await OutboxMessage.update(
            {OutboxMessage.sent_at: clock.now(), OutboxMessage.attempts: OutboxMessage.attempts + 1}
        ).where(OutboxMessage.id == message["id"])
        sent += 1
    return sent


def _send(settings: Settings, message: dict) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp.sender
    email["To"] = message["recipient"]
    email["Subject"] = message["subject"]
    email.set_content(message["body"])
    with smtplib.SMTP(settings.smtp.host, settings.smtp.port, timeout=20) as smtp:
        if settings.smtp.use_tls:
            smtp.starttls()
        if settings.smtp.username:
            smtp.login(settings.smtp.username, settings.smtp.password)
        smtp.send_message(email)
