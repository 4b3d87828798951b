"""A stateful property test of the ledger, on SQLite and on PostgreSQL.

Hypothesis runs random sequences of bookings on a set-up year with two granted projects and a
direct allocation (whose parts are decided along the way):
commitments, releases, payments, recoveries, realised spending, transfers, reserve releases,
changes of a grant's amount after award, grants over two years (the year's share committed,
the next year's waiting), reversals of earlier entries, and bookings that must be refused (over-commitment, paying more
than is committed, draining a reserve below its floor). A model in the state machine predicts,
independently of `ledger.books.rules`, whether each booking may be accepted, and is updated only when
the ledger accepted it. After every step:

1. the figures of `queries.year_figures` break no invariant of `rules.violations`;
2. every balance is the sum of its entries, recomputed in Python from the `Entry` rows;
3. the database equals the model: the same entries and the same figures, so a refused booking
   left nothing behind (no entry, no audit event).

Async: hypothesis's state machines are synchronous and the ledger's services are bound to the
session's event loop (and, on PostgreSQL, to its connection pool). The test is an async test on
that loop which hands the machine to a worker thread (`asyncio.to_thread`); each step sends its
coroutine back to the session loop with `asyncio.run_coroutine_threadsafe` and waits for it. The
loop is free meanwhile (the test only awaits the thread), so the fixture's engine is used as it
is: no second engine, no rebinding of the tables, no second loop.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from piccolo.engine.base import Engine

from ledger.books import queries, services
from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.projects import later_parts_of
from ledger.books.rules import AccountFigures, ProjectFigures, YearInfo, violations
from ledger.books.tables import ChangeKind, ChangeRequest, Entry
from ledger.projects import allocations, changes, umbrella
from ledger.projects.allocation_forms import AllocationInput
from ledger.projects.umbrella import PartInput
from portal.accounts.principal import Principal
from portal.accounts.tables import AuditEvent
from portal.lib import clock
from tests.conftest import _empty_all_tables
from tests.ledger.conftest import Year, make_year

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
STEP_TIMEOUT_SECONDS = 60

# make_year(): process a € 20.000 (b … e € 0), two themes of € 25.000, themes' reserve € 10.000
# (floor: 10 % of the € 60.000 themes pot), learning € 10.000, unforeseen € 10.000 (floor: 10 %
# of the € 100.000 year, so not a cent may be transferred out of it, only released).
THEME_1, THEME_2 = f"theme_{9000 + 2021 * 10}", f"theme_{9000 + 2021 * 10 + 1}"
COMMIT_CODES = ["process_a", "process_b", THEME_1, THEME_2, "learning"]
ALL_CODES = [*COMMIT_CODES, "themes_reserve", "unforeseen"]
RESERVES = ["themes_reserve", "unforeseen"]
THEME_IDS = {THEME_1: 9000 + 2021 * 10, THEME_2: 9000 + 2021 * 10 + 1}
PROJECT_THEMES = [THEME_1, THEME_1, THEME_2]  # the account of each granted project
PROJECTS = st.sampled_from(range(len(PROJECT_THEMES)))
# Small amounts, so that both accepted and refused bookings happen often: round sums of € 500
# up to € 25.000 (a whole theme), and any sum up to € 26.000 to the cent.
AMOUNTS = st.one_of(
    st.integers(1, 50).map(lambda n: n * 50_000),
    st.integers(1, 2_600_000),
)
DELTAS = st.integers(-2, 3)  # around a limit: below, exactly at it, just over it
PAYMENTS = st.sampled_from(["advance_payment", "final_payment"])

STATS: Counter[str] = Counter()  # accepted / refused per kind of step, over a whole run


@dataclass(frozen=True)
class Expected:
    """An entry as the model expects it in the database."""

    kind: str
    account: int
    amount_cents: int
    counter_account: int | None = None
    project: int | None = None
    sign: int = 1
    reverses: int | None = None

    @classmethod
    def of_row(cls, row: dict) -> Expected:
        return cls(
            kind=row["kind"],
            account=row["account"],
            amount_cents=int(row["amount_cents"]),
            counter_account=row["counter_account"],
            project=row["project"],
            sign=int(row["sign"]),
            reverses=row["reverses"],
        )


def apply(
    accounts: dict[int, AccountFigures], projects: dict[int, ProjectFigures], e: Expected
) -> None:
    """The model's own bookkeeping of one entry (written apart from `rules.account_figures`)."""
    total = e.sign * e.amount_cents
    target = accounts.setdefault(e.account, AccountFigures())
    if e.kind == "budget":
        target.budget += total
        target.opening += total
        return
    if e.kind in ("transfer", "reserve_release", "carry_over"):
        assert e.counter_account is not None
        source = accounts.setdefault(e.counter_account, AccountFigures())
        target.budget += total
        source.budget -= total
        if e.kind == "reserve_release":
            source.reserve_released_out += total
        else:
            target.moved_in += total
        return
    holders: list[Any] = [target]
    if e.project is not None:
        holders.append(projects.setdefault(e.project, ProjectFigures()))
    for holder in holders:
        if e.kind == "commitment":
            holder.committed += total
        elif e.kind == "release":
            holder.committed -= total
            holder.released += total
        elif e.kind in ("advance_payment", "final_payment"):
            holder.paid += total
        elif e.kind == "recovery":
            holder.paid -= total
            holder.recovered += total
        elif e.kind == "realised":
            holder.realised += total
        else:  # pragma: no cover - the machine books no other kinds
            raise AssertionError(f"unexpected kind {e.kind}")


def figures_of(
    entries: list[Expected],
) -> tuple[dict[int, AccountFigures], dict[int, ProjectFigures]]:
    accounts: dict[int, AccountFigures] = {}
    projects: dict[int, ProjectFigures] = {}
    for e in entries:
        apply(accounts, projects, e)
    return accounts, projects


def nonzero(figures: dict) -> dict:
    """Figures without the all-zero ones (an account whose entries cancel out may or may not be
    listed; it makes no difference)."""
    return {k: v for k, v in figures.items() if v != type(v)()}


def share_rounded_up(base_cents: int, basis_points: int) -> int:
    return -(-base_cents * basis_points // 10_000)


@dataclass
class Snapshot:
    accounts: dict[int, AccountFigures]
    projects: dict[int, ProjectFigures]
    rows: list[dict]
    bookings: int


class LedgerMachine(RuleBasedStateMachine):
    """Bound to a database and a loop by `machine_for`."""

    engine: ClassVar[Engine]
    run: ClassVar[Callable[[Coroutine[Any, Any, Any]], Any]]

    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        self.year: Year
        self.actor: Principal
        self.info: YearInfo
        self.kinds: dict[int, str] = {}
        self.project_rows: list[dict] = []
        self.titles: dict[int, str] = {}
        # The model: the entries the ledger accepted, their figures, and the audit events.
        self.expected: dict[int, Expected] = {}
        self.reversed: set[int] = set()
        self.accounts: dict[int, AccountFigures] = {}
        self.projects: dict[int, ProjectFigures] = {}
        self.bookings = 0
        self.last_id = 0
        self.parts: dict[int, int] = {}  # the parts decided per allocation, in cents
        self.grants = 0  # multi-year grants made by the machine

    # --- plumbing --------------------------------------------------------------------------

    def account(self, code: str) -> int:
        return self.year.accounts[code]

    def project(self, index: int) -> dict:
        return self.project_rows[index]

    def broken(
        self, accounts: dict[int, AccountFigures], projects: dict[int, ProjectFigures]
    ) -> list[str]:
        """The invariants as the model reads the rules: no account over-committed, no reserve
        below its floor (less what was released from it with a decision), and per project no
        more released, paid or realised than committed, and no more recovered than paid."""
        problems = []
        if accounts and sum(f.opening for f in accounts.values()) != self.info.spuk_cents:
            problems.append("the opening differs from the SPUK amount")
        pot = sum(
            f.budget
            for a, f in accounts.items()
            if self.kinds.get(a) in ("theme", "themes_reserve")
        )
        for account_id, f in accounts.items():
            if f.committed < 0:
                problems.append(f"account {account_id} released more than committed")
            if f.budget - f.committed < 0:
                problems.append(f"account {account_id} over-committed")
            kind = self.kinds.get(account_id)
            if kind == "unforeseen":
                floor = share_rounded_up(self.info.spuk_cents, self.info.unforeseen_reserve_bp)
            elif kind == "themes_reserve":
                floor = share_rounded_up(pot, self.info.themes_reserve_bp)
            else:
                continue
            allowance = max(0, f.reserve_released_out - f.moved_in)
            if f.budget + allowance < floor:
                problems.append(f"reserve {account_id} below its floor {floor}")
        for project_id, p in projects.items():
            if p.committed < 0:
                problems.append(f"project {project_id} released more than committed")
            if p.paid > p.committed:
                problems.append(f"project {project_id} paid more than committed")
            if p.paid < 0:
                problems.append(f"project {project_id} recovered more than paid")
            if p.realised > p.committed:
                problems.append(f"project {project_id} realised more than committed")
        for project_id, cents in self.parts.items():
            committed = projects[project_id].committed if project_id in projects else 0
            if cents > committed:
                problems.append(f"project {project_id} divided more than committed")
        return problems

    def acceptable(self, drafts: list[Expected]) -> bool:
        accounts, projects = copy.deepcopy(self.accounts), copy.deepcopy(self.projects)
        for e in drafts:
            apply(accounts, projects, e)
        return not self.broken(accounts, projects)

    def attempt(
        self,
        label: str,
        drafts: list[Expected],
        call: Callable[[], Coroutine[Any, Any, Any]],
        *,
        valid: bool = True,
        must_refuse: bool = False,
    ):
        """Run one booking; the ledger must accept it exactly when the model does (`valid`:
        whether it passes the checks that do not depend on the figures)."""
        predicted = valid and all(d.amount_cents > 0 for d in drafts) and self.acceptable(drafts)
        if must_refuse:
            assert not predicted, f"test error: {label} {drafts} was meant to be refused"
        try:
            self.run(call())
        except LedgerRefused as refusal:
            accepted, why = False, str(refusal)
        else:
            accepted, why = True, ""
        STATS[f"{label}: {'accepted' if accepted else 'refused'}"] += 1
        assert accepted == predicted, (
            f"{label} {drafts}: the model says {'accept' if predicted else 'refuse'}, "
            f"the ledger {'accepted' if accepted else 'refused'} {why!r}"
        )
        if not accepted:
            return multiple()
        rows = self.run(_rows_after(self.last_id))
        assert [Expected.of_row(r) for r in rows] == drafts, (label, rows, drafts)
        ids = [r["id"] for r in rows]
        for entry_id, e in zip(ids, drafts, strict=True):
            self.expected[entry_id] = e
            apply(self.accounts, self.projects, e)
            if e.reverses is not None:
                self.reversed.add(e.reverses)
        self.last_id = max(ids)
        self.bookings += 1
        return multiple(*ids)

    def book(self, drafts: list[EntryDraft]) -> Callable[[], Coroutine[Any, Any, Any]]:
        return lambda: book(
            self.actor,
            self.year.budget_year,
            drafts,
            network_id=self.year.network,
            summary="stateful test",
        )

    def move(
        self, kind: str, source: int, target: int, cents: int, reference: str
    ) -> Callable[[], Coroutine[Any, Any, Any]]:
        return lambda: services.move(
            self.actor,
            self.year.network,
            self.year.budget_year,
            kind,
            source,
            target,
            cents,
            "Herschikking in de test",
            reference,
        )

    # --- a clean, set-up year with three granted projects -----------------------------------

    @initialize(
        target=entries,
        grants=st.lists(
            st.integers(1, 12).map(lambda n: n * 100_000),
            min_size=len(PROJECT_THEMES),
            max_size=len(PROJECT_THEMES),
        ),
    )
    def set_up_year(self, grants: list[int]):
        clock.reset()
        self.year, self.actor, self.project_rows = self.run(_fresh_year(self.engine, grants))
        self.info = self.run(queries.year_info(self.year.budget_year))
        self.kinds = {a.id: a.kind for a in self.info.accounts}
        self.titles = {p["id"]: p["title"] for p in self.project_rows}
        snapshot = self.run(_snapshot(self.year.budget_year))
        for row in snapshot.rows:
            e = Expected.of_row(row)
            self.expected[row["id"]] = e
            apply(self.accounts, self.projects, e)
        self.bookings = snapshot.bookings
        self.last_id = max(self.expected)
        assert sum(f.budget for f in self.accounts.values()) == self.info.spuk_cents
        assert [self.projects[p["id"]].committed for p in self.project_rows] == grants
        return multiple(*self.expected)

    # --- commitments ------------------------------------------------------------------------

    @rule(target=entries, code=st.sampled_from(COMMIT_CODES), amount=AMOUNTS)
    def commit(self, code: str, amount: int):
        draft = Expected("commitment", self.account(code), amount)
        return self.attempt(
            "commitment", [draft], self.book([EntryDraft("commitment", draft.account, amount)])
        )

    @rule(target=entries, project=PROJECTS, amount=AMOUNTS)
    def commit_to_project(self, project: int, amount: int):
        p = self.project(project)
        draft = Expected("commitment", p["account"], amount, project=p["id"])
        return self.attempt(
            "project commitment",
            [draft],
            self.book([EntryDraft("commitment", p["account"], amount, project_id=p["id"])]),
        )

    @rule(
        target=entries,
        code=st.sampled_from(COMMIT_CODES),
        project=st.none() | PROJECTS,
        delta=DELTAS,
    )
    def commit_near_the_limit(self, code: str, project: int | None, delta: int):
        """What is still available plus `delta`: over-commitment when delta > 0. With a project,
        on the project's account (`code` then plays no part)."""
        p = self.project(project) if project is not None else None
        account = p["account"] if p else self.account(code)
        amount = self.accounts[account].available + delta if account in self.accounts else delta
        draft = Expected("commitment", account, amount, project=p["id"] if p else None)
        return self.attempt(
            "commitment at the limit",
            [draft],
            self.book([EntryDraft("commitment", account, amount, project_id=draft.project)]),
            must_refuse=delta > 0,
        )

    @rule(target=entries, code=st.sampled_from(COMMIT_CODES), first=AMOUNTS, second=AMOUNTS)
    def commit_twice_in_one_booking(self, code: str, first: int, second: int):
        """Both or neither: the invariants are checked after all drafts of a booking."""
        account = self.account(code)
        drafts = [Expected("commitment", account, first), Expected("commitment", account, second)]
        return self.attempt(
            "two commitments",
            drafts,
            self.book([EntryDraft("commitment", account, d.amount_cents) for d in drafts]),
        )

    @rule(target=entries, project=PROJECTS, amount=AMOUNTS)
    def release(self, project: int, amount: int):
        p = self.project(project)
        return self.attempt(
            "release",
            [Expected("release", p["account"], amount, project=p["id"])],
            self.book([EntryDraft("release", p["account"], amount, project_id=p["id"])]),
        )

    @rule(project=PROJECTS, amount=AMOUNTS)
    def divide(self, project: int, amount: int):
        """A part of an allocation decided: only a direct allocation has parts, and they never
        add up to more than its commitment (a release below them is refused in turn)."""
        p = self.project(project)
        done = self.parts.get(p["id"], 0)
        predicted = p["proposal_id"] is None and done + amount <= self.projects[p["id"]].committed
        part = PartInput("Deel", amount, "BW-1", dt.date(2021, 12, 1))
        try:
            self.run(umbrella.add_part(self.actor, self.year.network, p["id"], part))
        except LedgerRefused as refusal:
            accepted, why = False, str(refusal)
        else:
            accepted, why = True, ""
        STATS[f"part: {'accepted' if accepted else 'refused'}"] += 1
        assert accepted == predicted, (amount, done, why)
        if accepted:
            self.parts[p["id"]] = done + amount

    @rule(share=st.integers(1, 100), delta=DELTAS)
    def divide_the_allocation(self, share: int, delta: int):
        """A share of what the allocation has left to divide, or all of it and `delta` more."""
        allocation = len(PROJECT_THEMES) - 1
        p = self.project(allocation)
        left = self.projects[p["id"]].committed - self.parts.get(p["id"], 0)
        amount = left * share // 100 if delta == 0 else left + delta
        if amount > 0:
            self.divide(allocation, amount)

    # --- payments, recoveries, realised spending ---------------------------------------------

    @rule(target=entries, project=PROJECTS, kind=PAYMENTS, amount=AMOUNTS)
    def pay(self, project: int, kind: str, amount: int):
        p = self.project(project)
        return self.attempt(
            kind,
            [Expected(kind, p["account"], amount, project=p["id"])],
            lambda: services.pay(self.actor, p, kind, amount, "F-1"),
        )

    @rule(target=entries, project=PROJECTS, kind=PAYMENTS, delta=DELTAS)
    def pay_near_the_open_commitment(self, project: int, kind: str, delta: int):
        """The open commitment plus `delta`: paying more than committed when delta > 0."""
        p = self.project(project)
        figures = self.projects.get(p["id"], ProjectFigures())
        amount = figures.open_commitment + delta
        return self.attempt(
            f"{kind} at the limit",
            [Expected(kind, p["account"], amount, project=p["id"])],
            lambda: services.pay(self.actor, p, kind, amount, "F-2"),
            must_refuse=delta > 0,
        )

    @rule(target=entries, project=PROJECTS, amount=AMOUNTS)
    def recover(self, project: int, amount: int):
        p = self.project(project)
        return self.attempt(
            "recovery",
            [Expected("recovery", p["account"], amount, project=p["id"])],
            self.book([EntryDraft("recovery", p["account"], amount, project_id=p["id"])]),
        )

    @rule(target=entries, project=PROJECTS, delta=DELTAS)
    def recover_near_what_was_paid(self, project: int, delta: int):
        """What was paid plus `delta`: recovering more than was paid when delta > 0."""
        p = self.project(project)
        amount = self.projects.get(p["id"], ProjectFigures()).paid + delta
        return self.attempt(
            "recovery at the limit",
            [Expected("recovery", p["account"], amount, project=p["id"])],
            self.book([EntryDraft("recovery", p["account"], amount, project_id=p["id"])]),
            must_refuse=delta > 0,
        )

    @precondition(lambda self: any(p.paid > 0 for p in self.projects.values()))
    @rule(target=entries, project=PROJECTS, percent=st.integers(1, 100))
    def recover_part_of_what_was_paid(self, project: int, percent: int):
        """A share of what was paid to the project (or, when nothing was, to the first project
        that was paid): recoveries that may be accepted."""
        paid = [p for p in self.project_rows if self.projects.get(p["id"], ProjectFigures()).paid]
        p = self.project(project)
        p = p if p in paid else paid[0]
        amount = max(1, self.projects[p["id"]].paid * percent // 100)
        return self.attempt(
            "recovery of a part",
            [Expected("recovery", p["account"], amount, project=p["id"])],
            self.book([EntryDraft("recovery", p["account"], amount, project_id=p["id"])]),
        )

    @rule(target=entries, project=PROJECTS, amount=AMOUNTS)
    def realise(self, project: int, amount: int):
        p = self.project(project)
        return self.attempt(
            "realised",
            [Expected("realised", p["account"], amount, project=p["id"])],
            self.book([EntryDraft("realised", p["account"], amount, project_id=p["id"])]),
        )

    # --- moving budget -----------------------------------------------------------------------

    @rule(
        target=entries,
        source=st.sampled_from(ALL_CODES),
        target_code=st.sampled_from(ALL_CODES),
        amount=AMOUNTS,
    )
    def transfer(self, source: str, target_code: str, amount: int):
        from_id, to_id = self.account(source), self.account(target_code)
        return self.attempt(
            "transfer",
            [Expected("transfer", to_id, amount, counter_account=from_id)],
            self.move("transfer", from_id, to_id, amount, ""),
            valid=from_id != to_id,
        )

    @rule(
        target=entries,
        reserve=st.sampled_from(RESERVES),
        target_code=st.sampled_from([THEME_1, THEME_2, "learning"]),
        delta=DELTAS,
    )
    def transfer_near_the_floor(self, reserve: str, target_code: str, delta: int):
        """A transfer that leaves the reserve `delta` below its floor (as it stands now). Into a
        theme the themes pot, and so the floor, stays the same: refused when delta > 0."""
        from_id, to_id = self.account(reserve), self.account(target_code)
        f = self.accounts[from_id]
        if reserve == "unforeseen":
            floor = share_rounded_up(self.info.spuk_cents, self.info.unforeseen_reserve_bp)
        else:
            pot = sum(
                fig.budget
                for a, fig in self.accounts.items()
                if self.kinds[a] in ("theme", "themes_reserve")
            )
            floor = share_rounded_up(pot, self.info.themes_reserve_bp)
        amount = f.budget - (floor - max(0, f.reserve_released_out - f.moved_in)) + delta
        return self.attempt(
            "transfer at the floor",
            [Expected("transfer", to_id, amount, counter_account=from_id)],
            self.move("transfer", from_id, to_id, amount, ""),
            must_refuse=delta > 0 and (reserve == "unforeseen" or target_code != "learning"),
        )

    @rule(
        target=entries,
        source=st.sampled_from(RESERVES) | st.sampled_from(ALL_CODES),
        target_code=st.sampled_from(ALL_CODES),
        amount=AMOUNTS,
    )
    def release_reserve(self, source: str, target_code: str, amount: int):
        """An inzet onvoorzien with reason and decision: may go below the floor, only out of a
        reserve."""
        from_id, to_id = self.account(source), self.account(target_code)
        return self.attempt(
            "reserve release",
            [Expected("reserve_release", to_id, amount, counter_account=from_id)],
            self.move("reserve_release", from_id, to_id, amount, "Besluit B&W 2021/77"),
            valid=from_id != to_id and source in RESERVES,
        )

    @rule(
        target=entries,
        source=st.sampled_from(RESERVES),
        target_code=st.sampled_from(COMMIT_CODES),
        amount=AMOUNTS,
    )
    def release_reserve_without_a_decision(self, source: str, target_code: str, amount: int):
        from_id, to_id = self.account(source), self.account(target_code)
        return self.attempt(
            "reserve release without decision",
            [Expected("reserve_release", to_id, amount, counter_account=from_id)],
            self.book(
                [
                    EntryDraft(
                        "reserve_release",
                        to_id,
                        amount,
                        counter_account_id=from_id,
                        reason="Nood",
                    )
                ]
            ),
            valid=False,
        )

    # --- changes after award and multi-year grants --------------------------------------------

    @rule(target=entries, project=PROJECTS, delta=st.integers(-300_000, 300_000))
    def change_the_amount(self, project: int, delta: int):
        """An approved change of a grant's amount to what it has now plus `delta`: the decision
        books the extra commitment or the release; refused without a difference, below what
        was paid, or when the line, the parts or the realised spending would not hold."""
        p = self.project(project)
        f = self.projects.get(p["id"], ProjectFigures())
        new = max(0, f.committed + delta)
        kind = "commitment" if new > f.committed else "release"
        return self.attempt(
            "change of amount",
            [Expected(kind, p["account"], abs(new - f.committed), project=p["id"])],
            lambda: _approve_change(self.actor, self.year.network, p["id"], new),
            valid=new != f.committed and new >= f.paid,
        )

    @rule(target=entries, first=AMOUNTS, later=AMOUNTS, theme=st.sampled_from([THEME_1, THEME_2]))
    def grant_over_two_years(self, first: int, later: int, theme: str):
        """A grant whose budget runs into 2022: only its 2021 share is committed in this year's
        books, on a new project; the 2022 share waits for a year the machine never divides."""
        self.grants += 1
        account = self.account(theme)
        predicted = self.acceptable([Expected("commitment", account, first)])
        try:
            self.run(
                services.commit_grant(
                    self.actor,
                    network_id=self.year.network,
                    budget_year_id=self.year.budget_year,
                    theme_id=THEME_IDS[theme],
                    proposal_id=1000 + self.grants,
                    title=f"Meerjarig {self.grants}",
                    region_id=None,
                    start_date=dt.date(2021, 9, 1),
                    end_date=dt.date(2022, 12, 31),
                    amount_cents=first + later,
                    decision_reference=f"M-{self.grants}",
                    decision_date=dt.date(2021, 11, 1),
                    requested_by_year={2021: first, 2022: later},
                )
            )
        except LedgerRefused as refusal:
            accepted, why = False, str(refusal)
        else:
            accepted, why = True, ""
        STATS[f"multi-year grant: {'accepted' if accepted else 'refused'}"] += 1
        assert accepted == predicted, (first, later, why)
        if not accepted:
            return multiple()
        (row,) = self.run(_rows_after(self.last_id))
        e = Expected.of_row(row)
        assert (e.kind, e.account, e.amount_cents) == ("commitment", account, first)
        waiting = self.run(later_parts_of(row["project"]))
        assert [(w["year"], w["amount_cents"], w["booked_project"]) for w in waiting] == [
            (2022, later, None)
        ]
        self.expected[row["id"]] = e
        apply(self.accounts, self.projects, e)
        self.last_id = row["id"]
        self.bookings += 1
        return multiple(row["id"])

    # --- corrections -------------------------------------------------------------------------

    @rule(target=entries, entry=entries)
    def reverse(self, entry: int):
        """A reversal of any earlier entry: refused for a reversal or an entry already reversed,
        otherwise accepted when the figures without the entry still hold."""
        e = self.expected[entry]
        draft = Expected(
            e.kind,
            e.account,
            e.amount_cents,
            counter_account=e.counter_account,
            project=e.project,
            sign=-e.sign,
            reverses=entry,
        )
        return self.attempt(
            "reversal",
            [draft],
            lambda: services.reverse(self.actor, self.year.network, entry, "Correctie"),
            valid=e.reverses is None and entry not in self.reversed,
        )

    @rule(target=entries)
    def reverse_the_last_entry(self):
        """Reversals of recent bookings (commitments, payments, moves) rather than of the
        set-up, which `reverse` mostly draws."""
        return self.reverse(max(self.expected))

    # --- after every step --------------------------------------------------------------------

    @invariant()
    def figures_hold_and_match(self) -> None:
        now = self.run(_snapshot(self.year.budget_year))
        # 1. No invariant of the ledger is broken.
        assert violations(self.info, now.accounts, now.projects, self.titles) == []
        # 2. Every balance is the sum of its entries.
        assert all(r["budget_year"] == self.year.budget_year for r in now.rows)
        from_rows = figures_of([Expected.of_row(r) for r in now.rows])
        assert nonzero(now.accounts) == nonzero(from_rows[0])
        assert nonzero(now.projects) == nonzero(from_rows[1])
        # 3. The database is the model: nothing of a refused booking stayed behind.
        assert {r["id"]: Expected.of_row(r) for r in now.rows} == self.expected
        assert now.bookings == self.bookings
        assert nonzero(now.accounts) == nonzero(self.accounts)
        assert nonzero(now.projects) == nonzero(self.projects)
        assert self.broken(self.accounts, self.projects) == []
        parts, _ = self.run(queries.divided_of_year(self.year.budget_year))
        assert parts == {k: v for k, v in self.parts.items() if v}


async def _fresh_year(engine: Engine, grants: list[int]) -> tuple[Year, Principal, list[dict]]:
    await _empty_all_tables(engine)
    year = await make_year()
    actor = await year.actor()
    theme_ids = THEME_IDS
    rows = []
    for number, (code, cents) in enumerate(zip(PROJECT_THEMES, grants, strict=True), 1):
        if number == len(PROJECT_THEMES):  # the last one a direct allocation, to divide
            project_id = await allocations.allocate(
                actor,
                year.network,
                year.budget_year,
                AllocationInput(
                    title=f"Project {number}",
                    account_id=year.accounts[code],
                    organisation_id=None,
                    region_id=None,
                    recipient="Timon",
                    recipient_kvk="",
                    amount_cents=cents,
                    start_date=dt.date(2021, 1, 1),
                    end_date=dt.date(2021, 12, 31),
                    decision_reference=f"B-{number}",
                    decision_date=dt.date(2021, 11, 1),
                    decided_by="College van B&W",
                ),
            )
            rows.append(await queries.project_row(year.network, project_id))
            continue
        project_id = await services.commit_grant(
            actor,
            network_id=year.network,
            budget_year_id=year.budget_year,
            theme_id=theme_ids[code],
            proposal_id=number,
            title=f"Project {number}",
            region_id=None,
            start_date=None,
            end_date=None,
            amount_cents=cents,
            decision_reference=f"B-{number}",
            decision_date=dt.date(2021, 11, 1),
        )
        rows.append(await queries.project_row(year.network, project_id))
    return year, actor, rows


async def _approve_change(
    actor: Principal, network_id: int, project_id: int, new_amount_cents: int
) -> None:
    """The region's request (its own rules are tested in test_changes.py) and its approval."""
    row = await ChangeRequest.insert(
        ChangeRequest(
            project=project_id,
            kind=ChangeKind.amount,
            new_amount_cents=new_amount_cents,
            reason="Meer jongeren",
        )
    ).returning(ChangeRequest.id)
    await changes.decide(actor, network_id, row[0]["id"], changes.APPROVE, "WB-1", "")


async def _rows_after(entry_id: int) -> list[dict]:
    return await Entry.select().where(Entry.id > entry_id).order_by(Entry.id)


async def _snapshot(budget_year_id: int) -> Snapshot:
    accounts, projects = await queries.year_figures(budget_year_id)
    rows = await Entry.select().order_by(Entry.id)
    bookings = await AuditEvent.count().where(AuditEvent.action == "ledger_booked")
    return Snapshot(accounts, projects, rows, bookings)


def machine_for(engine: Engine, loop: asyncio.AbstractEventLoop) -> type[LedgerMachine]:
    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(STEP_TIMEOUT_SECONDS)

    return type("LedgerMachine", (LedgerMachine,), {"engine": engine, "run": staticmethod(run)})


async def test_random_bookings_keep_every_invariant(database: Engine) -> None:
    STATS.clear()
    machine = machine_for(database, asyncio.get_running_loop())
    try:
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=SETTINGS)
    finally:
        await _empty_all_tables(database)
    print(dict(sorted(STATS.items())))
