"""Reminders to region officers about accountability reports: 30 days ahead, on the due date
and weekly after it (keys from ledger/books/deadlines.py, each sent once)."""

from __future__ import annotations

import datetime as dt

from ledger.books.deadlines import format_due, reminder_keys
from ledger.books.tables import Report
from portal.accounts import reminders
from portal.accounts.events import Mail
from portal.accounts.tables import Membership, Role

TEXTS = {
    "ahead": (
        "Herinnering: verantwoordingsverslag binnenkort",
        "het verantwoordingsverslag {year} van '{title}' moet {due} binnen zijn.",
    ),
    "due": (
        "Verantwoordingsverslag vandaag te laat",
        "het verantwoordingsverslag {year} van '{title}' moest {due} binnen zijn.",
    ),
    "late": (
        "Verantwoordingsverslag te laat",
        "het verantwoordingsverslag {year} van '{title}' moest {due} binnen zijn en is er "
        "nog niet. Wilt u het zo snel mogelijk indienen?",
    ),
}


async def report_reminders(now: dt.datetime, base_url: str) -> list[reminders.Reminder]:
    rows = await Report.select(
        Report.id,
        Report.year,
        Report.due_date,
        Report.project,
        Report.project.title.as_alias("title"),
        Report.project.region_id.as_alias("region_id"),
        Report.project.network.as_alias("network"),
        Report.project._.network._.slug.as_alias("slug"),
    ).where(Report.state.is_in(["due", "returned"]))
    officers = await Membership.select(
        Membership.network,
        Membership.region,
        Membership.user.email.as_alias("email"),
        Membership.user.name.as_alias("name"),
    ).where((Membership.role == Role.region_officer.value) & (Membership.user.active == True))  # noqa: E712
    due = []
    today = now.date()
    for row in rows:
        for key, kind in reminder_keys(row["id"], row["due_date"], today):
            subject, text = TEXTS[kind]
            body = text.format(
                year=row["year"], title=row["title"], due=format_due(row["due_date"])
            )
            link = f"{base_url}/n/{row['slug']}/verantwoording/{row['id']}"
            for officer in officers:
                if officer["network"] != row["network"] or officer["region"] != row["region_id"]:
                    continue
                due.append(
                    reminders.Reminder(
                        key=f"{key}:{officer['email']}",
                        network_id=row["network"],
                        object_type="project",
                        object_id=row["project"],
                        summary=f"Herinnering verstuurd aan {officer['name']}: {subject.lower()}",
                        mail=Mail(
                            to=officer["email"],
                            subject=f"{subject}: {row['title']}",
                            body=f"Beste {officer['name']},\n\n{body}\n\n{link}\n",
                        ),
                    )
                )
    return due


def register_report_reminders() -> None:
    reminders.register(report_reminders)
