"""Who looked at sensitive documents: a proposal's attachments, an accountability report and
its attachments (BIO: access to sensitive data is logged and can be checked).

One small row per view, written by the page or download that shows the document, kept apart
from the audit log so that reading does not flood the log of changes. The coordinator (and the
beheerder) sees the latest views on the proposal's or the report's page ("Ingezien door").
Writing on a GET is one plain insert: ten views at once are ten rows, nothing to collide on.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.principal import ROLE_LABELS, Principal
from portal.accounts.tables import Network, Role, User
from portal.lib import clock
from portal.lib.db import write_transaction

# How many views a page shows, newest first.
SHOWN_VIEWS = 50
LABEL_LENGTH = 200


class ViewSubject(StrEnum):
    """What a view is filed under: the page that shows the list."""

    proposal = "proposal"
    report = "report"


class ViewedItem(StrEnum):
    proposal_attachment = "proposal_attachment"
    report = "report"
    report_attachment = "report_attachment"


ITEM_LABELS: dict[str, str] = {
    ViewedItem.proposal_attachment: "Bijlage",
    ViewedItem.report: "Verslag",
    ViewedItem.report_attachment: "Bijlage bij het verslag",
}

# The roles a view is shown with, most telling first.
_ROLE_ORDER = (
    Role.coordinator,
    Role.admin,
    Role.auditor,
    Role.region_officer,
    Role.reviewer,
    Role.applicant,
)


class ViewEvent(Table, tablename="portal_view_event"):
    id: Serial
    at = Timestamptz(default=TimestamptzNow())
    # Kept when the person is erased later: that a document was seen stays on record.
    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    network = ForeignKey(Network, null=True, on_delete=OnDelete.cascade)
    subject_type = Varchar(length=20, choices=ViewSubject)
    subject_id = Integer(index=True)
    item = Varchar(length=30, choices=ViewedItem)
    item_id = Integer(null=True, default=None)
    # The document's name when it was seen ("begroting.pdf"; a display name, at most as
    # long as the attachments' column), so the list needs no join.
    item_label = Varchar(length=LABEL_LENGTH, default="")
    # The viewer's roles in the network at that moment, comma-separated Role values.
    roles = Varchar(length=120, default="")


def roles_of(principal: Principal, network_id: int) -> list[Role]:
    held = principal.roles_in(network_id)
    return [role for role in _ROLE_ORDER if role in held]


async def record_view(
    principal: Principal,
    network_id: int,
    subject: ViewSubject,
    subject_id: int,
    item: ViewedItem,
    item_id: int | None = None,
    item_label: str = "",
) -> None:
    """Note that `principal` saw the item now: one insert in its own short transaction."""
    async with write_transaction():
        await ViewEvent.insert(
            ViewEvent(
                at=clock.now(),
                user=principal.user_id,
                network=network_id,
                subject_type=subject.value,
                subject_id=subject_id,
                item=item.value,
                item_id=item_id,
                item_label=item_label,
                roles=",".join(r.value for r in roles_of(principal, network_id)),
            )
        )


def may_see_views(principal: Principal, network_id: int) -> bool:
    """The coordinator checks who read what; the beheerder may too."""
    return principal.has_role(network_id, Role.coordinator, Role.admin)


async def views_of(subject: ViewSubject, subject_id: int, limit: int = SHOWN_VIEWS) -> list[dict]:
    """The latest views filed under a proposal or a report, newest first (one statement)."""
    rows = (
        await ViewEvent.select(
            ViewEvent.at,
            ViewEvent.item,
            ViewEvent.item_label,
            ViewEvent.roles,
            ViewEvent.user.name.as_alias("user_name"),
        )
        .where((ViewEvent.subject_type == subject.value) & (ViewEvent.subject_id == subject_id))
        .order_by(ViewEvent.at, ascending=False)
        .order_by(ViewEvent.id, ascending=False)
        .limit(limit)
    )
    for row in rows:
        row["role_labels"] = ", ".join(
            ROLE_LABELS[Role(value)] for value in row["roles"].split(",") if value
        )
        row["item_name"] = ITEM_LABELS.get(row["item"], row["item"])
    return repeats_together(rows)


def repeats_together(rows: list[dict]) -> list[dict]:
    """One line for views of the same item by the same person right after each other (a
    coordinator opening a report page five times is one line, "5×"), with the first and the
    last moment; newest first, as `rows`."""
    lines: list[dict] = []
    for row in rows:
        last = lines[-1] if lines else None
        same = ("user_name", "item", "item_label", "roles")
        if last is not None and all(last[key] == row[key] for key in same):
            last["times"] += 1
            last["first_at"] = row["at"]
        else:
            lines.append({**row, "times": 1, "first_at": row["at"]})
    return lines


async def views_by(user_id: int) -> list[dict]:
    """What a person looked at (their own data download)."""
    return (
        await ViewEvent.select(
            ViewEvent.at,
            ViewEvent.subject_type,
            ViewEvent.subject_id,
            ViewEvent.item,
            ViewEvent.item_label,
            ViewEvent.network.name.as_alias("network_name"),
        )
        .where(ViewEvent.user == user_id)
        .order_by(ViewEvent.at)
        .order_by(ViewEvent.id)
    )
