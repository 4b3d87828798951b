"""Pure rules of the ledger: entry kinds, balances from summed entries, and the invariants.

Balances are never stored; they are sums of entries (ledger/books/queries.py does the SQL).
This module turns those sums into figures and says, in Dutch, which rule a set of figures breaks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ledger.books.tables import AccountKind, EntryKind, ReportState
from portal.lib.formatting import datum
from portal.lib.money import format_euros

PROCESS_LINES: dict[str, str] = {
    "process_a": "a. Projectleider",
    "process_b": "b. Uren voorzitters expertteams",
    "process_c": "c. Uren deelnemers bouwteams",
    "process_d": "d. Uren in te zetten experts (vacatiegeldregeling)",
    "process_e": "e. Communicatie",
}
CATEGORY_LABELS: dict[str, str] = {
    "process": "1. Proceskosten",
    "themes": "2. Thema's",
    "learning": "3. Leren en ontwikkelen",
    "unforeseen": "4. Onvoorzien",
}
ACCOUNT_CATEGORY: dict[str, str] = {
    AccountKind.process: "process",
    AccountKind.theme: "themes",
    AccountKind.themes_reserve: "themes",
    AccountKind.learning: "learning",
    AccountKind.unforeseen: "unforeseen",
    # Later years' parts of theme grants: still theme money, outside the themes' reserve base.
    AccountKind.continuing: "themes",
}
CONTINUING_LINE = ("continuing", "Doorlopende toekenningen uit eerdere jaren")
RESERVE_KINDS = frozenset({AccountKind.unforeseen, AccountKind.themes_reserve})

# A report's state as the pages say it (every page: a Jinja global, portal/app.py).
REPORT_STATE_LABELS: dict[str, str] = {
    ReportState.due: "nog niet ingediend",
    ReportState.submitted: "ingediend",
    ReportState.returned: "teruggestuurd",
    ReportState.accepted: "goedgekeurd",
}

ENTRY_KINDS: dict[str, str] = {
    EntryKind.budget: "Begroting (opening uit de SPUK)",
    EntryKind.commitment: "Verplichting (verleningsbeschikking)",
    EntryKind.advance_payment: "Voorschot",
    EntryKind.final_payment: "Nabetaling",
    EntryKind.realised: "Gerealiseerde besteding",
    EntryKind.release: "Vrijval",
    EntryKind.recovery: "Terugvordering",
    EntryKind.reserve_release: "Inzet onvoorzien",
    EntryKind.transfer: "Herschikking",
    EntryKind.carry_over: "Overheveling naar ander jaar",
}
# The kinds as one Dutch word or two: what the SPUK workbook's auditor reads and filters on
# (its checks sum per kind over these), instead of the code's names.
ENTRY_KIND_SHORT: dict[str, str] = {
    EntryKind.budget: "begroting",
    EntryKind.commitment: "verplichting",
    EntryKind.advance_payment: "voorschot",
    EntryKind.final_payment: "nabetaling",
    EntryKind.realised: "besteding",
    EntryKind.release: "vrijval",
    EntryKind.recovery: "terugvordering",
    EntryKind.reserve_release: "inzet onvoorzien",
    EntryKind.transfer: "herschikking",
    EntryKind.carry_over: "overheveling",
}


def process_names_problems(names: dict[str, str]) -> dict[str, str]:
    """A network names its process lines itself (a–e are Zuid-West's words); each needs one."""
    return {
        f"name_{code}": "Geef deze post een naam."
        for code in PROCESS_LINES
        if code in names and not names[code].strip()
    }


def line_number(kind: str, code: str, position: int) -> str:
    """The number of a budget line as the plan counts its categories (§6.4): 1a–1e the process
    costs, 2.1, 2.2 … the themes in their order, 2.R the themes' reserve, 2.D the continuing
    grants, 3 learning and development, 4 unforeseen. The workbook shows it instead of the
    code's names (process_a, theme_1234)."""
    if kind == AccountKind.process and code in PROCESS_LINES:
        return "1" + code.removeprefix("process_")
    if kind == AccountKind.theme:
        return f"2.{max(1, position - len(PROCESS_LINES) + 1)}"
    numbers: dict[str, str] = {
        AccountKind.themes_reserve: "2.R",
        AccountKind.continuing: "2.D",
        AccountKind.learning: "3",
        AccountKind.unforeseen: "4",
    }
    return numbers.get(kind, code)


# Kinds that move budget between two accounts: `counter_account` gives, `account` receives.
MOVING_KINDS = frozenset({EntryKind.transfer, EntryKind.reserve_release, EntryKind.carry_over})
PROJECT_KINDS = frozenset(
    {
        EntryKind.commitment,
        EntryKind.advance_payment,
        EntryKind.final_payment,
        EntryKind.realised,
        EntryKind.release,
        EntryKind.recovery,
    }
)


def floor_cents(base_cents: int, basis_points: int) -> int:
    """A reserve's floor: a share of a base, rounded up to the cent so the floor is never short."""
    return -(-base_cents * basis_points // 10_000)


@dataclass
class AccountFigures:
    budget: int = 0
    committed: int = 0  # commitments minus releases
    released: int = 0
    paid: int = 0
    realised: int = 0
    recovered: int = 0
    reserve_released_out: int = 0
    # Budget moved in by transfers or carry-overs: it first refills what a release took out.
    moved_in: int = 0
    # The year's opening from the SPUK grant alone (budget entries), without later moves.
    opening: int = 0

    @property
    def floor_allowance(self) -> int:
        """How far below its floor a reserve may be: what reserve releases took out and no
        later transfer has brought back."""
        return max(0, self.reserve_released_out - self.moved_in)

    @property
    def available(self) -> int:
        return self.budget - self.committed


@dataclass
class ProjectFigures:
    committed: int = 0
    paid: int = 0
    realised: int = 0
    released: int = 0
    recovered: int = 0

    @property
    def open_commitment(self) -> int:
        return self.committed - self.paid


@dataclass(frozen=True)
class Sum:
    """One row of the SQL aggregate: the signed total of one kind on one account (and project)."""

    kind: str
    account: int
    counter_account: int | None
    project: int | None
    total: int


def account_figures(sums: Iterable[Sum]) -> dict[int, AccountFigures]:
    figures: dict[int, AccountFigures] = defaultdict(AccountFigures)
    for s in sums:
        target = figures[s.account]
        if s.kind == "budget":
            target.budget += s.total
            target.opening += s.total
        elif s.kind in MOVING_KINDS:
            target.budget += s.total
            if s.kind != "reserve_release":
                target.moved_in += s.total
            if s.counter_account is not None:
                source = figures[s.counter_account]
                source.budget -= s.total
                if s.kind == "reserve_release":
                    source.reserve_released_out += s.total
        elif s.kind == "commitment":
            target.committed += s.total
        elif s.kind == "release":
            target.committed -= s.total
            target.released += s.total
        elif s.kind in ("advance_payment", "final_payment"):
            target.paid += s.total
        elif s.kind == "recovery":
            target.paid -= s.total
            target.recovered += s.total
        elif s.kind == "realised":
            target.realised += s.total
    return dict(figures)


def project_figures(sums: Iterable[Sum]) -> dict[int, ProjectFigures]:
    figures: dict[int, ProjectFigures] = defaultdict(ProjectFigures)
    for s in sums:
        if s.project is None:
            continue
        p = figures[s.project]
        if s.kind == "commitment":
            p.committed += s.total
        elif s.kind == "release":
            p.committed -= s.total
            p.released += s.total
        elif s.kind in ("advance_payment", "final_payment"):
            p.paid += s.total
        elif s.kind == "recovery":
            p.paid -= s.total
            p.recovered += s.total
        elif s.kind == "realised":
            p.realised += s.total
    return dict(figures)


@dataclass(frozen=True)
class AccountInfo:
    id: int
    kind: str
    name: str


@dataclass(frozen=True)
class YearInfo:
    spuk_cents: int
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    accounts: tuple[AccountInfo, ...] = field(default_factory=tuple)


def floors(year: YearInfo, figures: dict[int, AccountFigures]) -> dict[int, int]:
    """The floor of each reserve account: 10 % (setting) of the year's total for the unforeseen
    reserve, 10 % (setting) of the themes pot for the themes' reserve."""
    themes_pot = sum(
        figures.get(a.id, AccountFigures()).budget
        for a in year.accounts
        if a.kind in ("theme", "themes_reserve")
    )
    result = {}
    for a in year.accounts:
        if a.kind == "unforeseen":
            result[a.id] = floor_cents(year.spuk_cents, year.unforeseen_reserve_bp)
        elif a.kind == "themes_reserve":
            result[a.id] = floor_cents(themes_pot, year.themes_reserve_bp)
    return result


def violations(
    year: YearInfo,
    accounts: dict[int, AccountFigures],
    projects: dict[int, ProjectFigures],
    project_titles: dict[int, str],
) -> list[str]:
    """Every invariant these figures break, in Dutch, with the rule and the figures."""
    problems = []
    names = {a.id: a for a in year.accounts}
    if year.accounts:
        # Once a year is divided its opening is the state's grant, to the cent: money comes
        # into a year only from the SPUK decision or by a carry-over, which is booked as such.
        opening = sum(accounts.get(a.id, AccountFigures()).opening for a in year.accounts)
        if opening != year.spuk_cents:
            problems.append(
                f"De opening van het jaar ({format_euros(opening)}) moet gelijk zijn aan het "
                f"SPUK-bedrag ({format_euros(year.spuk_cents)})."
            )
    year_floors = floors(year, accounts)
    for account_id, f in accounts.items():
        info = names.get(account_id)
        if info is None:
            continue
        if f.committed < 0:
            problems.append(
                f"{info.name}: er wordt meer vrijgegeven ({format_euros(f.released)}) dan er "
                "verplicht is."
            )
        if f.available < 0:
            problems.append(
                f"{info.name}: er is niet genoeg beschikbaar. Begroot {format_euros(f.budget)}, "
                f"verplicht {format_euros(f.committed)}, tekort {format_euros(-f.available)}."
            )
        floor = year_floors.get(account_id)
        if floor is not None and f.budget < floor - f.floor_allowance:
            problems.append(
                f"{info.name}: de reserve mag niet onder de ondergrens van {format_euros(floor)} "
                f"komen (zou {format_euros(f.budget)} worden). Alleen een inzet onvoorzien met "
                "reden en besluit mag dat."
            )
    for project_id, p in projects.items():
        title = project_titles.get(project_id, f"project {project_id}")
        if p.committed < 0:
            problems.append(f"{title}: er wordt meer vrijgegeven dan er verplicht is.")
        if p.paid > p.committed:
            problems.append(
                f"{title}: betalingen ({format_euros(p.paid)}) mogen de verplichting "
                f"({format_euros(p.committed)}) niet overschrijden."
            )
        if p.paid < 0:
            problems.append(f"{title}: er wordt meer teruggevorderd dan er betaald is.")
        if p.realised > p.committed:
            problems.append(
                f"{title}: de gerealiseerde besteding ({format_euros(p.realised)}) is hoger dan "
                f"de verplichting ({format_euros(p.committed)}); daarvoor is eerst een besluit "
                "over een hogere verplichting nodig."
            )
    return problems


def division_violations(
    projects: dict[int, ProjectFigures],
    parts: dict[int, int],
    claims: dict[int, int],
    project_titles: dict[int, str],
) -> list[str]:
    """What a project's commitment carries besides its own entries must stay within it: the
    parts of an umbrella allocation and the expert-fee claims of a scheme. A release or a
    reversal that would leave them larger than the commitment is refused."""
    problems = []
    for project_id in sorted(set(parts) | set(claims)):
        committed = projects[project_id].committed if project_id in projects else 0
        title = project_titles.get(project_id, f"Project {project_id}")
        for what, cents in (
            ("de deelprojecten", parts.get(project_id, 0)),
            ("de declaraties vacatiegeld", claims.get(project_id, 0)),
        ):
            if cents > committed:
                problems.append(
                    f"{title}: {what} ({format_euros(cents)}) zijn samen meer dan de "
                    f"verplichting ({format_euros(committed)})."
                )
    return problems


def spend_window_problem(
    end_date: dt.date | None, spend_until: dt.date | None, year: int
) -> str | None:
    """Why a project ending on `end_date` does not fit the spending window of budget year
    `year`, in Dutch; None when it fits or the year has no window."""
    if end_date is None or spend_until is None or end_date <= spend_until:
        return None
    return (
        f"Het project loopt tot {datum(end_date)}, maar het geld van begrotingsjaar {year} mag "
        f"besteed worden tot en met {datum(spend_until)}. Kort de looptijd in, of verdeel het "
        "over de jaren."
    )


def split_by_year(
    amount_cents: int, requested_by_year: dict[int, int], grant_year: int
) -> dict[int, int]:
    """What a grant commits in each budget year: the granted amount shared over the years as
    the budget's lines ask for it, to the cent (the largest remainders get the leftover cents,
    the earliest year first on a tie). Lines of the grant year or before count for the grant
    year. A budget with nothing in the grant year or before is committed whole in the grant
    year: its project starts there, and the money can be carried over explicitly."""
    asked = {year: cents for year, cents in requested_by_year.items() if cents > 0}
    folded: dict[int, int] = defaultdict(int)
    for year, cents in asked.items():
        folded[max(year, grant_year)] += cents
    total = sum(folded.values())
    if total == 0 or folded.get(grant_year, 0) == 0:
        return {grant_year: amount_cents}
    shares = {year: amount_cents * cents // total for year, cents in folded.items()}
    left = amount_cents - sum(shares.values())
    by_remainder = sorted(folded, key=lambda y: (-(amount_cents * folded[y] % total), y))
    for year in by_remainder[:left]:
        shares[year] += 1
    if shares[grant_year] == 0:  # a grant year's share too small to be a cent
        return {grant_year: amount_cents}
    return {year: cents for year, cents in sorted(shares.items()) if cents > 0}


def year_period(
    start: dt.date | None, end: dt.date | None, year: int, grant_year: int, last_year: int
) -> tuple[dt.date | None, dt.date | None]:
    """The period of one year's project of a multi-year grant: the grant's own period cut at
    the year's bounds (the grant year keeps the grant's start, the last year its end)."""
    first = start if year == grant_year else dt.date(year, 1, 1)
    last = end if year == last_year else dt.date(year, 12, 31)
    if first is not None and last is not None and last < first:
        # A budget with money in a year the period does not reach: that year whole.
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return first, last
