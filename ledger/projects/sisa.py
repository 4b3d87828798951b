"""The deadlines of a budget year. Until when its money may be spent (a project that runs longer
is refused when money is committed). And its SiSa accountability, due with the state before
15 July of the year after (T+1): the deadlines page shows it, the coordinator records when it
was handed in, and `portal remind` reminds the coordinators until then (30 days ahead, on the
day, weekly after)."""

from __future__ import annotations

import datetime as dt

from piccolo.query import Select

from ledger.books.booking import LedgerRefused
from ledger.books.deadlines import format_due, reminder_keys, sisa_due_date, status_of
from ledger.books.tables import BudgetYear, Project
from portal.accounts import events, reminders
from portal.accounts.events import Mail
from portal.accounts.principal import Principal
from portal.accounts.tables import Membership, Role
from portal.lib.compiled import compiled
from portal.lib.db import lock_row, write_transaction

TEXTS = {
    "ahead": ("Herinnering: SiSa-verantwoording binnenkort", "moet {due} bij het Rijk zijn"),
    "due": ("SiSa-verantwoording vandaag", "moest {due} bij het Rijk zijn"),
    "late": (
        "SiSa-verantwoording te laat",
        "moest {due} bij het Rijk zijn en is in het portaal nog niet als ingediend vastgelegd",
    ),
}


@compiled()
def sisa_years_query(network_id: int) -> Select:
    return (
        BudgetYear.select(
            BudgetYear.id, BudgetYear.year, BudgetYear.sisa_submitted_on, BudgetYear.sisa_reference
        )
        .where(BudgetYear.network == network_id)
        .order_by(BudgetYear.year, ascending=False)
    )


async def deadlines_of(network_id: int, today: dt.date) -> list[dict]:
    """Each budget year of the network with its SiSa due date and status, newest first."""
    return deadlines_from(await sisa_years_query(network_id), today)


def deadlines_from(rows: list[dict], today: dt.date) -> list[dict]:
    """`deadlines_of` from the rows of `sisa_years_query`."""
    for r in rows:
        r["due_date"] = sisa_due_date(r["year"])
        r["status"] = status_of(
            r["due_date"], today, received=r["sisa_submitted_on"] is not None, accepted=False
        )
    return rows


async def mark_submitted(
    actor: Principal, network_id: int, year_id: int, submitted_on: dt.date, reference: str
) -> None:
    async with write_transaction():
        await lock_row(BudgetYear, year_id)
        year = await (
            BudgetYear.select(BudgetYear.year, BudgetYear.sisa_submitted_on)
            .where((BudgetYear.id == year_id) & (BudgetYear.network == network_id))
            .first()
        )
        if year is None:
            raise LedgerRefused("Dit begrotingsjaar bestaat niet in dit netwerk.")
        if year["sisa_submitted_on"] is not None:
            raise LedgerRefused(f"De SiSa-verantwoording over {year['year']} is al vastgelegd.")
        if submitted_on.year <= year["year"]:
            raise LedgerRefused(
                f"De SiSa-verantwoording over {year['year']} gaat na afloop van het jaar naar "
                "het Rijk; kies een datum daarna."
            )
        await BudgetYear.update(
            {BudgetYear.sisa_submitted_on: submitted_on, BudgetYear.sisa_reference: reference}
        ).where(BudgetYear.id == year_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="sisa_submitted",
            object_type="budget_year",
            object_id=year_id,
            summary=f"SiSa-verantwoording {year['year']} ingediend op {format_due(submitted_on)}",
        )


async def sisa_reminders(now: dt.datetime, base_url: str) -> list[reminders.Reminder]:
    years = await BudgetYear.select(
        BudgetYear.id,
        BudgetYear.year,
        BudgetYear.network,
        BudgetYear.network.slug.as_alias("slug"),
    ).where(BudgetYear.sisa_submitted_on.is_null())
    coordinators = await Membership.select(
        Membership.network,
        Membership.user.email.as_alias("email"),
        Membership.user.name.as_alias("name"),
    ).where((Membership.role == Role.coordinator.value) & (Membership.user.active == True))  # noqa: E712
    due = []
    today = now.date()
    for year in years:
        due_date = sisa_due_date(year["year"])
        for key, kind in reminder_keys(year["id"], due_date, today, prefix="sisa"):
            subject, text = TEXTS[kind]
            what = text.format(due=format_due(due_date))
            body = f"De SiSa-verantwoording over {year['year']} {what}."
            link = f"{base_url}/n/{year['slug']}/verantwoording"
            for person in coordinators:
                if person["network"] != year["network"]:
                    continue
                due.append(
                    reminders.Reminder(
                        key=f"{key}:{person['email']}",
                        network_id=year["network"],
                        object_type="budget_year",
                        object_id=year["id"],
                        summary=f"Herinnering verstuurd aan {person['name']}: {subject.lower()}",
                        mail=Mail(
                            to=person["email"],
                            subject=f"{subject} ({year['year']})",
                            body=f"Beste {person['name']},\n\n{body}\n\n{link}\n",
                        ),
                    )
                )
    return due


def register_sisa_reminders() -> None:
    reminders.register(sisa_reminders)


async def set_spend_until(
    actor: Principal, network_id: int, year_id: int, spend_until: dt.date
) -> None:
    """The last day the year's money may be spent, as the state's grant letter says. Not before
    the year ends, and not before a project already committed on it ends."""
    async with write_transaction():
        await lock_row(BudgetYear, year_id)
        year = await (
            BudgetYear.select(BudgetYear.year)
            .where((BudgetYear.id == year_id) & (BudgetYear.network == network_id))
            .first()
        )
        if year is None:
            raise LedgerRefused("Dit begrotingsjaar bestaat niet in dit netwerk.")
        if spend_until < dt.date(year["year"], 12, 31):
            raise LedgerRefused(
                f"Het geld van {year['year']} mag minstens dat hele jaar worden besteed."
            )
        longer = await Project.select(Project.title, Project.end_date).where(
            (Project.budget_year == year_id) & (Project.end_date > spend_until)
        )
        if longer:
            names = ", ".join(f"{p['title']} (tot {format_due(p['end_date'])})" for p in longer)
            raise LedgerRefused(
                f"Deze projecten lopen langer en zijn al verleend: {names}. Kies een latere datum "
                "of wijzig eerst hun looptijd."
            )
        await BudgetYear.update({BudgetYear.spend_until: spend_until}).where(
            BudgetYear.id == year_id
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="spend_until_set",
            object_type="budget_year",
            object_id=year_id,
            summary=f"Geld van {year['year']} te besteden tot en met {format_due(spend_until)}",
        )
