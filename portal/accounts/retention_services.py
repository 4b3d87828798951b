"""The retention periods as the beheerder sets them, and the run of `portal retention`.

A run asks each registered keeper (portal/accounts/retention.py) for its records past their
period and anonymises each in a write transaction of its own, with an audit event that says
what kinds of data went (never the values). The stored files go after the commit. A record
done is marked by its keeper, so a second run finds nothing; a dry run only asks.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from portal.accounts import events
from portal.accounts.principal import Principal
from portal.accounts.retention import (
    EXTRAS,
    KEEPERS,
    KINDS,
    Due,
    RetentionKind,
    cutoff,
    periods_with,
)
from portal.accounts.tables import RetentionPeriod
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.files import delete_stored

log = logging.getLogger(__name__)


async def periods() -> dict[RetentionKind, int]:
    rows = await RetentionPeriod.select(RetentionPeriod.kind, RetentionPeriod.months)
    return periods_with({r["kind"]: r["months"] for r in rows})


async def set_periods(actor: Principal, months: dict[RetentionKind, int]) -> list[RetentionKind]:
    """Store the beheerder's periods; returns the kinds that changed."""
    changed = []
    async with write_transaction():
        current = await periods()
        for kind, value in months.items():
            if current[kind] == value:
                continue
            updated = (
                await RetentionPeriod.update(
                    {
                        RetentionPeriod.months: value,
                        RetentionPeriod.updated_at: clock.now(),
                        RetentionPeriod.updated_by: actor.user_id,
                    }
                )
                .where(RetentionPeriod.kind == kind.value)
                .returning(RetentionPeriod.id)
            )
            if not updated:
                await RetentionPeriod.insert(
                    RetentionPeriod(kind=kind.value, months=value, updated_by=actor.user_id)
                )
            await events.record(
                actor_id=actor.user_id,
                action="retention_period_set",
                object_type="retention_period",
                object_id=kind.value,
                summary=f"Bewaartermijn '{KINDS[kind].label}' op {value} maanden gezet "
                f"(was {current[kind]})",
                details={"kind": kind.value, "months": value, "was": current[kind]},
            )
            changed.append(kind)
    return changed


@dataclass
class RunSummary:
    dry_run: bool
    # Per kind the records anonymised (or, in a dry run, that would be).
    done: dict[RetentionKind, list[Due]] = field(default_factory=dict)
    files_deleted: int = 0

    def lines(self) -> list[str]:
        verb = "zou worden geanonimiseerd" if self.dry_run else "geanonimiseerd"
        out = []
        for kind, info in KINDS.items():
            records = self.done.get(kind, [])
            ids = ", ".join(f"{d.object_type} {d.object_id}" for d in records) or "niets"
            out.append(f"{info.label}: {len(records)} {verb} ({ids})")
        if not self.dry_run:
            out.append(f"{self.files_deleted} bestand(en) verwijderd.")
        return out


async def run(today: dt.date, upload_dir: Path, *, dry_run: bool = False) -> RunSummary:
    """Anonymise every record past its period on `today`."""
    summary = RunSummary(dry_run=dry_run)
    months = await periods()
    for keeper in KEEPERS:
        day = cutoff(today, months[keeper.kind])
        for due in await keeper.find(day):
            if dry_run:
                summary.done.setdefault(keeper.kind, []).append(due)
                continue
            async with write_transaction():
                removed = await keeper.anonymise(due.object_id, day, clock.now())
                if removed is None:
                    continue
                for extra in EXTRAS.get(due.object_type, []):
                    removed.merge(await extra(due.object_id))
                await events.record(
                    actor_id=None,
                    network_id=due.network_id,
                    action="retention_anonymised",
                    object_type=due.object_type,
                    object_id=due.object_id,
                    summary=f"Geanonimiseerd na de bewaartermijn ({KINDS[keeper.kind].label})",
                    details={
                        "kind": keeper.kind.value,
                        "months": months[keeper.kind],
                        **removed.details(),
                    },
                )
            summary.done.setdefault(keeper.kind, []).append(due)
            for stored_name in removed.files:
                try:
                    delete_stored(upload_dir, stored_name)
                except OSError:
                    # The row is gone already, so nothing shows the file again; it stays on
                    # disk until someone removes it by hand, which the log asks for.
                    log.exception("deleting a stored file failed")
                    continue
                summary.files_deleted += 1
    return summary
