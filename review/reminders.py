"""Reminders to reviewers: a week before the review deadline and once it has passed."""

from __future__ import annotations

import datetime as dt

from portal.accounts import reminders
from portal.accounts.events import Mail
from portal.lib import clock
from portal.lib.formatting import datum
from review.tables import Review

SOON = dt.timedelta(days=7)


async def review_reminders(now: dt.datetime, base_url: str) -> list[reminders.Reminder]:
    rows = await Review.select(
        Review.id,
        Review.proposal,
        Review.reviewer.email.as_alias("email"),
        Review.reviewer.name.as_alias("name"),
        Review.proposal.title.as_alias("title"),
        Review.proposal.network.as_alias("network"),
        Review.proposal._.network._.slug.as_alias("slug"),
        Review.proposal._.round._.review_deadline.as_alias("deadline"),
    ).where(
        (Review.state != "submitted")
        & (Review.proposal._.round._.review_deadline.is_not_null())
        & (Review.proposal.state == "in_review")
    )
    due = []
    for row in rows:
        deadline = clock.as_utc(row["deadline"])
        if now >= deadline:
            key, subject = f"review-overdue:{row['id']}", "De beoordelingstermijn is verstreken"
            text = (
                f"de termijn voor uw beoordeling van '{row['title']}' is op "
                f"{datum(deadline)} verstreken. Dient u uw beoordeling zo snel mogelijk in?"
            )
        elif deadline - now <= SOON:
            key, subject = f"review-soon:{row['id']}", "Herinnering: beoordeling binnenkort"
            text = (
                f"uw beoordeling van '{row['title']}' wordt uiterlijk {datum(deadline)} verwacht."
            )
        else:
            continue
        due.append(
            reminders.Reminder(
                key=key,
                network_id=row["network"],
                object_type="proposal",
                object_id=row["proposal"],
                summary=f"Herinnering verstuurd aan {row['name']}: {subject.lower()}",
                mail=Mail(
                    to=row["email"],
                    subject=f"{subject}: {row['title']}",
                    body=f"Beste {row['name']},\n\n{text}\n\n"
                    f"{base_url}/n/{row['slug']}/beoordelingen\n",
                ),
            )
        )
    return due


def register_review_reminders() -> None:
    reminders.register(review_reminders)
