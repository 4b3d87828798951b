"""How long the portal keeps personal data, and who removes it when that time is over.

The kinds of record, their default periods and the rule "is this past its period" are pure and
live here. Each domain that owns such records says what removing them means for its own tables
and registers that with `register` (from `portal/app.register_domain_hooks`, as the reminders
do); `portal retention` (run daily from cron, `retention_services.run`) asks every registered
keeper which of its records are past their period and anonymises them one by one.

Anonymising overwrites names, e-mail addresses, phone numbers and free text that may identify
people with `MARKER` (e-mail addresses and phone numbers become empty), deletes the stored
files of attachments and marks the record as done, so that a second run finds nothing. It never
touches the books: ledger entries, amounts, references, dates and the titles the SPUK workbook
shows stay as they were.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from portal.lib.forms import whole_number

MARKER = "[geanonimiseerd]"
MIN_MONTHS = 1
MAX_MONTHS = 600


class RetentionKind(StrEnum):
    financial = "financial"
    closed_proposal = "closed_proposal"
    account = "account"


@dataclass(frozen=True)
class KindInfo:
    label: str  # the beheerder's name for it
    covers: str  # what it removes, in Dutch
    counted_from: str  # from when the period runs, in Dutch
    default_months: int


KINDS: dict[RetentionKind, KindInfo] = {
    RetentionKind.financial: KindInfo(
        "Financiële stukken van een afgerond project",
        "De contactgegevens en namen in het voorstel, de bijlagen van voorstel en "
        "verantwoording, de brieven en de vrije tekst van verslagen, betaalverzoeken en "
        "wijzigingen. Boekingen, bedragen, kenmerken en titels blijven.",
        "de vaststelling van het project",
        84,
    ),
    RetentionKind.closed_proposal: KindInfo(
        "Afgewezen en ingetrokken voorstellen",
        "Het hele voorstel op de titel na (contactgegevens, bouwteam, teksten), de bijlagen "
        "en de vragen en antwoorden erover.",
        "het besluit of het intrekken",
        24,
    ),
    RetentionKind.account: KindInfo(
        "Gedeactiveerde accounts",
        "Naam, e-mailadres, wachtwoord, tweestapsverificatie, sessies, sleutels en rollen. "
        "Wat de persoon deed (beoordelingen, besluiten, boekingen) blijft, onder een "
        "gewiste naam.",
        "de laatste log-in, of het aanmaken als er nooit is ingelogd",
        12,
    ),
}

MONTHS_PROBLEM = (
    f"Vul een bewaartermijn in hele maanden in, van {MIN_MONTHS} tot en met {MAX_MONTHS}."
)


def parse_months(raw: str) -> tuple[int | None, str | None]:
    """The months typed for a period, or the Dutch reason it is not one."""
    months = whole_number(raw, minimum=MIN_MONTHS, maximum=MAX_MONTHS)
    if months is None:
        return None, MONTHS_PROBLEM
    return months, None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier; the month's last day where it is shorter."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def cutoff(today: dt.date, months: int) -> dt.date:
    """The last day a record may have been closed on to be past its period today."""
    return months_before(today, months)


def is_past(anchor: dt.date, months: int, today: dt.date) -> bool:
    """Whether a record closed on `anchor` is past a period of `months` on `today`: its period
    ends once as many months have gone by (1 March + 12 months: on 1 March a year later)."""
    return anchor <= cutoff(today, months)


def periods_with(overrides: Mapping[str, int]) -> dict[RetentionKind, int]:
    """Each kind's period: the beheerder's where set and valid, else the default."""
    periods = {}
    for kind, info in KINDS.items():
        months = overrides.get(kind.value)
        valid = isinstance(months, int) and MIN_MONTHS <= months <= MAX_MONTHS
        periods[kind] = months if valid and months is not None else info.default_months
    return periods


# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A record past its period, not yet anonymised."""

    kind: RetentionKind
    object_type: str  # as the audit log names it: "project", "proposal", "user"
    object_id: int
    network_id: int | None
    label: str  # what a person recognises it by, for the summary ("Project 12")


@dataclass
class Removed:
    """What anonymising one record did, by kind of data (never the values removed)."""

    fields: list[str] = field(default_factory=list)  # "contact", "bouwteam", "report_text", …
    counts: dict[str, int] = field(default_factory=dict)  # "attachments": 2, "letters": 1, …
    # Stored files to delete once the transaction has committed (a rollback keeps them).
    files: list[str] = field(default_factory=list)

    def add(self, name: str, count: int = 1) -> None:
        if count <= 0:
            return
        if name not in self.fields:
            self.fields.append(name)
        self.counts[name] = self.counts.get(name, 0) + count

    def merge(self, other: Removed) -> None:
        for name in other.fields:
            self.add(name, other.counts.get(name, 1))
        self.files.extend(other.files)

    def details(self) -> dict[str, object]:
        return {"removed": list(self.fields), "counts": dict(self.counts)}


# Which records of its kind are past the day given (the cutoff), not yet anonymised.
FindDue = Callable[[dt.date], Awaitable[list[Due]]]
# Anonymise one record inside the caller's write transaction; None when there was nothing left
# to do (it was done meanwhile, or it is no longer past its period: reopened, reactivated).
Anonymise = Callable[[int, dt.date, dt.datetime], Awaitable[Removed | None]]


@dataclass(frozen=True)
class Keeper:
    kind: RetentionKind
    find: FindDue
    # Gets the record's id, the cutoff and the moment of the run.
    anonymise: Anonymise


KEEPERS: list[Keeper] = []
# Higher domains add to what anonymising a lower domain's record removes (review's questions
# on a closed proposal): per object type, called in the same transaction after the keeper.
EXTRAS: dict[str, list[Callable[[int], Awaitable[Removed]]]] = {}


def register(keeper: Keeper) -> None:
    if all(k.kind != keeper.kind or k.find != keeper.find for k in KEEPERS):
        KEEPERS.append(keeper)


def register_extra(object_type: str, extra: Callable[[int], Awaitable[Removed]]) -> None:
    extras = EXTRAS.setdefault(object_type, [])
    if extra not in extras:
        extras.append(extra)
