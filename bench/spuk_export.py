"""Benchmark of the SPUK workbook: a budget year with 1.000 projects and 20.000 entries.

Builds the year in a temporary SQLite database (rows inserted directly, in bulk, respecting the
ledger's invariants, which are checked before timing), then times `ledger.projects.spuk.gather` and
`ledger.projects.spuk.build_workbook` and reports their peak memory.

    .venv/bin/python bench/spuk_export.py [--projects 1000] [--entries 20000] [--output FILE]

Each phase runs twice: once plainly for the time, once under tracemalloc for the peak of
Python allocations (tracemalloc slows the code down, so its run is not timed). The process's
peak resident size (getrusage) covers everything, the interpreter and the database included.
Beside the elapsed time it prints the CPU time of the process (database thread included): on a
machine that is busy with other work the elapsed time varies a lot, the CPU time much less.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

EPOCH = dt.datetime(2021, 12, 31, 12, tzinfo=dt.UTC)
THEMES = 10
PROCESS = ("process_a", "process_b", "process_c", "process_d", "process_e")
PROCESS_CENTS = 200_000_000  # € 2.000.000 per process-cost line
THEME_CENTS = 420_000_000  # € 4.200.000 per theme: room for 100 projects of € 40.000
THEMES_RESERVE_CENTS = 500_000_000
LEARNING_CENTS = 600_000_000
UNFORESEEN_CENTS = 700_000_000  # exactly 10 % of the SPUK amount
SPUK_CENTS = (
    len(PROCESS) * PROCESS_CENTS
    + THEMES * THEME_CENTS
    + THEMES_RESERVE_CENTS
    + LEARNING_CENTS
    + UNFORESEEN_CENTS
)
GRANT_CENTS = 4_000_000  # € 40.000 per project


def budget(projects: int) -> dict[str, int]:
    """The year's division: the constants above for up to 1.000 projects; for more, themes big
    enough for their grants and both reserves grown to stay at (at least) their 10 % floors."""
    per_theme = -(-projects // THEMES) * GRANT_CENTS
    theme = max(THEME_CENTS, per_theme + 20_000_000)
    reserve = max(THEMES_RESERVE_CENTS, -(-THEMES * theme // 9))  # ≥ 10 % of themes + reserve
    rest = len(PROCESS) * PROCESS_CENTS + THEMES * theme + reserve + LEARNING_CENTS
    unforeseen = max(UNFORESEEN_CENTS, -(-rest // 9))  # ≥ 10 % of the whole
    return {
        "theme": theme,
        "themes_reserve": reserve,
        "unforeseen": unforeseen,
        "spuk": rest + unforeseen,
    }


PAYMENTS, PAYMENT_CENTS = 10, 300_000  # ten instalments: € 30.000 paid of € 40.000
REALISED, REALISED_CENTS = 8, 250_000  # eight reports of spending: € 20.000 realised
BATCH = 1000


async def build_year(projects: int, entries: int) -> tuple[int, int]:
    """The network and the budget year, with `projects` projects and `entries` entries."""
    from ledger.books.booking import check_year
    from ledger.books.tables import Account, BudgetYear, Entry, Project, Report
    from portal.accounts.tables import Network, Region, User

    amounts = budget(projects)
    network = (
        await Network.insert(
            Network(name="Benchnetwerk", slug="bench", coordinating_municipality="Rotterdam")
        ).returning(Network.id)
    )[0]["id"]
    regions = [
        (await Region.insert(Region(network=network, name=f"Regio {i}")).returning(Region.id))[0][
            "id"
        ]
        for i in range(1, 6)
    ]
    user = (
        await User.insert(User(email="bench@example.org", name="Bea Bench")).returning(User.id)
    )[0]["id"]
    year = (
        await BudgetYear.insert(
            BudgetYear(
                network=network,
                year=2021,
                spuk_amount_cents=amounts["spuk"],
                grant_reference="VWS-BENCH-2021",
            )
        ).returning(BudgetYear.id)
    )[0]["id"]
    plan = [
        *(("process", code, f"Proceskosten {code[-1]}", None, PROCESS_CENTS) for code in PROCESS),
        *(("theme", f"theme_{t}", f"Thema {t}", t, amounts["theme"]) for t in range(1, THEMES + 1)),
        (
            "themes_reserve",
            "themes_reserve",
            "Onvoorzien binnen de thema's",
            None,
            amounts["themes_reserve"],
        ),
        ("learning", "learning", "Leren en ontwikkelen", None, LEARNING_CENTS),
        ("unforeseen", "unforeseen", "Onvoorzien", None, amounts["unforeseen"]),
    ]
    accounts = {}
    for position, (kind, code, name, theme, _cents) in enumerate(plan):
        accounts[code] = (
            await Account.insert(
                Account(
                    budget_year=year,
                    kind=kind,
                    code=code,
                    name=name,
                    theme_id=theme,
                    position=position,
                )
            ).returning(Account.id)
        )[0]["id"]

    def entry(kind, account, cents, *, project=None, sign=1, reverses=None, reference=""):
        return Entry(
            budget_year=year,
            kind=kind,
            account=account,
            project=project,
            amount_cents=cents,
            sign=sign,
            reverses=reverses,
            reason=f"{kind} {project or ''}".strip(),
            document_reference=reference,
            booked_on=EPOCH.date(),
            created_by=user,
            created_at=EPOCH,
        )

    rows = [entry("budget", accounts[code], cents) for _k, code, _n, _t, cents in plan]
    project_ids = []
    for batch in range(0, projects, BATCH):
        inserted = await Project.insert(
            *(
                Project(
                    budget_year=year,
                    account=accounts[f"theme_{i % THEMES + 1}"],
                    network=network,
                    title=f"Project {i + 1}: bovenregionale aanpak voor jongeren met complexe "
                    "hulpvragen",
                    region_id=regions[i % len(regions)],
                    start_date=dt.date(2021, 3, 1),
                    end_date=dt.date(2022, 6, 30) if i % 3 == 0 else dt.date(2021, 12, 31),
                    decision_reference=f"B-2021-{i + 1:04d}",
                    decision_date=dt.date(2021, 3, 1),
                )
                for i in range(batch, min(batch + BATCH, projects))
            )
        ).returning(Project.id, Project.account)
        project_ids += [(r["id"], r["account"]) for r in inserted]
    for start in range(0, len(project_ids), BATCH):
        await Report.insert(
            *(
                Report(project=p, year=2021, due_date=dt.date(2022, 3, 1), final=True)
                for p, _ in project_ids[start : start + BATCH]
            )
        )
    for project, account in project_ids:
        rows.append(entry("commitment", account, GRANT_CENTS, project=project))
        rows += [
            entry("advance_payment", account, PAYMENT_CENTS, project=project)
            for _ in range(PAYMENTS)
        ]
        rows += [
            entry("realised", account, REALISED_CENTS, project=project) for _ in range(REALISED)
        ]
    # The rest: a wrong payment and its reversal, project after project, until `entries`.
    wrong = []
    for project, account in project_ids:
        if len(rows) + 2 * (len(wrong) + 1) > entries:
            break
        wrong.append(
            entry("final_payment", account, 100_000, project=project, reference=f"R-{project}")
        )
    rows += wrong
    for start in range(0, len(rows), BATCH):
        await Entry.insert(*rows[start : start + BATCH])
    reversals = [
        entry(
            "final_payment",
            r["account"],
            r["amount_cents"],
            project=r["project"],
            sign=-1,
            reverses=r["id"],
            reference=r["document_reference"],
        )
        for r in await Entry.select(
            Entry.id, Entry.account, Entry.project, Entry.amount_cents, Entry.document_reference
        ).where(Entry.document_reference.like("R-%"))
    ]
    for start in range(0, len(reversals), BATCH):
        await Entry.insert(*reversals[start : start + BATCH])
    await check_year(year)  # the same invariants every booking must pass
    return network, year


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(args) -> bytes:
    from ledger.books.tables import Entry, Project
    from ledger.projects import spuk
    from portal.cli import migrate
    from portal.lib import db

    engine = db.engine_from_url(f"sqlite:///{args.directory / 'bench.sqlite'}")
    db.use_engine(engine)
    with contextlib.redirect_stdout(io.StringIO()):
        assert await migrate()
    started = time.perf_counter()
    network, _ = await build_year(args.projects, args.entries)
    print(
        f"Jaar opgebouwd in {time.perf_counter() - started:.1f} s: "
        f"{await Project.count()} projecten, {await Entry.count()} boekingen."
    )

    rss_before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    data = await spuk.gather(network, 2021)
    gather_seconds = time.perf_counter() - started
    gather_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    content = spuk.build_workbook(data, exported_at=EPOCH)
    build_seconds = time.perf_counter() - started
    build_cpu = time.process_time() - cpu
    rss_after = _rss_mb()

    tracemalloc.start()
    data = await spuk.gather(network, 2021)
    _, gather_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    current, _ = tracemalloc.get_traced_memory()
    spuk.build_workbook(data, exported_at=EPOCH)
    _, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    build_peak -= current  # what building added on top of the gathered data

    print(f"Python {sys.version.split()[0]}, SQLite, {os.cpu_count()} CPU's")
    mb = 2**20
    print(
        f"gather:          {gather_seconds:6.2f} s  (CPU {gather_cpu:5.2f} s)  "
        f"piek geheugen {gather_peak / mb:6.1f} MB"
    )
    print(
        f"build_workbook:  {build_seconds:6.2f} s  (CPU {build_cpu:5.2f} s)  "
        f"piek geheugen {build_peak / mb:6.1f} MB"
    )
    print(
        f"samen:           {gather_seconds + build_seconds:6.2f} s  "
        f"(CPU {gather_cpu + build_cpu:5.2f} s)"
    )
    print(f"werkmap:         {len(content) / 2**20:6.2f} MB ({len(data.entries)} mutaties)")
    print(f"proces (RSS):    {rss_before:6.1f} MB vóór, {rss_after:6.1f} MB na export (piek)")
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--output", help="also write the workbook to this .xlsx file")
    args = parser.parse_args()
    minimum = 18 + args.projects * (1 + PAYMENTS + REALISED)
    if args.entries < minimum:
        parser.error(f"{args.projects} projects need at least {minimum} entries")
    with tempfile.TemporaryDirectory(prefix="spuk-bench-") as directory:
        os.environ["PORTAL_VAR_DIR"] = directory
        args.directory = Path(directory)
        content = asyncio.run(run(args))
    if args.output:
        Path(args.output).write_bytes(content)


if __name__ == "__main__":
    main()
