"""The outbox: stored with the event, delivered through SMTP when configured, retried on error."""

from __future__ import annotations

import dataclasses
import smtplib

from portal.accounts import events
from portal.accounts.mail import deliver_pending
from portal.accounts.tables import AuditEvent, OutboxMessage
from portal.lib.db import write_transaction
from portal.lib.settings import SmtpSettings


async def _queue(to: str = "a@example.org") -> None:
    async with write_transaction():
        await events.record(
            actor_id=None,
            action="test",
            object_type="x",
            object_id=1,
            summary="Test",
            mails=[events.Mail(to, "Onderwerp", "Tekst")],
        )


async def test_event_and_mail_are_written_together(database) -> None:
    await _queue()
    assert await AuditEvent.count() == 1 and await OutboxMessage.count() == 1


async def test_without_smtp_mail_stays_in_the_outbox(settings) -> None:
    await _queue()
    assert await deliver_pending(settings) == 0
    row = await OutboxMessage.select().first()
    assert row["sent_at"] is None and row["attempts"] == 1


async def test_smtp_delivery_and_retry(settings, monkeypatch) -> None:
    sent: list[str] = []

    class FakeSMTP:
        fail = True

        def __init__(self, host, port, timeout):
            assert (host, port) == ("smtp.example.org", 25)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            if FakeSMTP.fail:
                raise smtplib.SMTPServerDisconnected("weg")
            sent.append(message["To"])

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    smtp_settings = dataclasses.replace(
        settings, smtp=SmtpSettings(host="smtp.example.org", port=25, use_tls=False)
    )
    await _queue("ontvanger@example.org")
    assert await deliver_pending(smtp_settings) == 0
    failed = await OutboxMessage.select().first()
    assert failed["sent_at"] is None and "weg" in failed["last_error"]
    FakeSMTP.fail = False
    assert await deliver_pending(smtp_settings) == 1
    assert sent == ["ontvanger@example.org"]
    assert await deliver_pending(smtp_settings) == 0  # never twice
