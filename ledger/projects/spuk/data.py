"""What the SPUK workbook shows, as data: the year's accounts, projects, entries and grants
(`reads.gather` fills them from the database), and the SiSa wording of each year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ledger.books.rules import ACCOUNT_CATEGORY, CATEGORY_LABELS

# --- the SiSa wording, per year -------------------------------------------------------------


@dataclass(frozen=True)
class SisaWording:
    """How the SiSa annex of one year names the regulation and its indicators. `{year}` is
    replaced by the year of the accounts (jaar T)."""

    regulation: str
    decision: str = "Beschikkingsnummer"
    spending: str = "Besteding {year} ten laste van rijksmiddelen"
    cumulative: str = "Cumulatieve besteding ten laste van rijksmiddelen tot en met {year}"
    final: str = "Eindverantwoording Ja/Nee"
    explanation: str = "Toelichting afwijking"


_BEFORE_2023 = SisaWording(
    regulation="Specifieke uitkering bovenregionale expertisenetwerken jeugd (BWBR0044990)"
)
_FROM_2023 = SisaWording(
    regulation="Regeling specifieke uitkering randvoorwaardelijke functies jeugdhulp"
)
# The wording changes from year to year; this table is the setting until it is configurable.
# A year not in it uses the wording of the nearest earlier year (or the first one).
SISA_WORDING: dict[int, SisaWording] = {2020: _BEFORE_2023, 2023: _FROM_2023}


@dataclass(frozen=True)
class BudgetLine:
    youth_region: str
    project: str
    cents: int
    settled_cents: int | None = None  # the final amount, once the project is settled


class SpukYearMissing(LookupError):
    """The network has no budget year with this number."""


# --- what the workbook shows ----------------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    """A line of the year's budget with the ledger's figures."""

    code: str
    name: str
    kind: str
    budget: int
    committed: int
    paid: int
    realised: int
    released: int
    recovered: int
    reserve_released_out: int
    floor: int | None

    @property
    def category(self) -> str:
        return CATEGORY_LABELS[ACCOUNT_CATEGORY[self.kind]]


@dataclass(frozen=True)
class ProjectLine:
    id: int
    region: str
    recipient: str
    title: str
    account_code: str
    account_name: str
    account_kind: str
    functions: tuple[str, ...]
    decision_date: dt.date | None
    decision_reference: str
    granted: int  # every commitment booked: what is committed now plus what was released
    paid: int
    realised: int
    released: int
    recovered: int
    final_amount: int | None
    settled_on: dt.date | None
    report_year: int | None = None
    report_due: dt.date | None = None
    report_state: str = ""  # due / submitted / returned / accepted; "" without a report

    @property
    def committed(self) -> int:
        return self.granted - self.released

    @property
    def youth_region(self) -> str:
        """The first column of Bijlage 4: who carries it out, else the youth region."""
        return self.recipient or self.region


@dataclass(frozen=True)
class EntryLine:
    id: int
    booked_on: dt.date
    kind: str
    account_code: str
    account_name: str
    counter_code: str
    counter_name: str
    project_id: int | None
    project_title: str
    amount: int  # signed: a reversal is negative
    reverses: int | None
    reason: str
    document_reference: str
    created_by: str
    created_at: dt.datetime | None
    period_year: int | None = None  # the year the money belongs to (the booking's if None)


@dataclass(frozen=True)
class GrantLine:
    """One state grant decision (beschikking) as SiSa asks for it."""

    reference: str
    years: tuple[int, ...]
    granted: int
    spent_in_year: int
    spent_cumulative: int
    multi_year: bool
    final: bool
    explanation: str
    # Only this budget year carries the decision: the Controles can check it against Mutaties.
    this_year_only: bool = False


@dataclass(frozen=True)
class SpukData:
    network_name: str
    network_slug: str
    municipality: str
    year: int
    spuk_cents: int
    grant_reference: str
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    accounts: tuple[AccountLine, ...]
    projects: tuple[ProjectLine, ...]
    entries: Sequence[EntryLine]
    grants: tuple[GrantLine, ...]
    wording: SisaWording = field(default_factory=lambda: _BEFORE_2023)


# --- reading ----------------------------------------------------------------------------------
