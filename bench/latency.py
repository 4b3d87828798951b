"""Latency and throughput of the main pages on the large data set (issue 8), on SQLite and
PostgreSQL, next to a bare Litestar page of the same size; and the SPUK export at that size.

    .venv/bin/python bench/latency.py --db sqlite        # or postgres, or both
    .venv/bin/python bench/latency.py --db both --quick  # a smaller data set, fewer requests

For each database: a fresh database (a temporary SQLite file, or `fondsportaal_bench` on the
PostgreSQL server at 127.0.0.1:5432, created and dropped again), filled by
`bench/large_data.py`; the real server started as `portal serve` in a subprocess (one uvicorn
worker, PORTAL_VAR_DIR in a temporary folder, as tests/browser/conftest.py does); one log-in
per role (with the TOTP code step for coordinators and admins when the portal asks for it);
then every page is requested by 1 and by 16 concurrent clients (httpx, keep-alive), and the
same number of requests goes to a bare Litestar app served the same way by uvicorn, answering
a page of the same number of bytes. The figures: median and 95th percentile latency, and
requests per second over the wall-clock time of the run.

The load generator runs on the same 2 cores as the server, so the absolute rps figures are
lower than a separate client machine would measure; the bare page carries the same handicap,
which is why it is the yardstick. Nothing here asserts a timing: it prints the table.

`--database URL` measures an existing data set (made by large_data.py) and leaves it alone;
`--keep` keeps the database this run made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PORTAL = str(Path(sys.executable).with_name("portal"))
PASSWORD = "bench-wachtwoord-42"  # large_data.PASSWORD
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fondsportaal_bench"
SLUG = "netwerk-1"
MEASURED_YEAR = 2025  # the busiest year: granted projects, payments, reports under way
REVIEW_YEAR = 2027  # the open round: proposals in review
CLIENTS = (1, 16)
GOALS = {1: 100.0, 16: 300.0}  # p95 in ms
FULL = {"requests": {1: 60, 16: 192}, "large_data": []}
QUICK = {
    "requests": {1: 20, 16: 64},
    "large_data": ["--networks", "2", "--proposals", "100", "--entries", "8000"],
}

BARE_APP = '''
"""A bare Litestar app: one handler answering `n` bytes of HTML, nothing else."""
from litestar import Litestar, MediaType, get


@get("/bytes/{n:int}", media_type=MediaType.HTML)
async def page(n: int) -> str:
    return "x" * n


app = Litestar([page])
'''


@dataclass
class Page:
    role: str
    label: str
    path: str
    size: int = 0


@dataclass
class Result:
    page: Page
    clients: int
    median_ms: float
    p95_ms: float
    rps: float
    bare_median_ms: float = 0.0
    bare_p95_ms: float = 0.0
    bare_rps: float = 0.0
    errors: int = 0

    @property
    def misses(self) -> list[str]:
        out = []
        if self.p95_ms > GOALS[self.clients]:
            out.append(f"p95>{GOALS[self.clients]:.0f}ms")
        if self.bare_rps and self.rps < self.bare_rps / 10:
            out.append("rps<bare/10")
        if self.errors:
            out.append(f"{self.errors} errors")
        return out


@dataclass
class EngineRun:
    engine: str
    results: list[Result] = field(default_factory=list)
    export: dict[str, float] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], cwd: Path, port: int, probe: str) -> Iterator:
    log_path = cwd / f"server-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}{probe}", timeout=1
                    ) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"server did not start: {log_path.read_text()[-2000:]}")
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


# --- the database -----------------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_database(
    engine: str, work: Path, args: argparse.Namespace, pg_name: str = PG_BENCH_DB
) -> str:
    """A fresh database filled by large_data.py (`args.size` its options); its URL."""
    if engine == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite'}"
    else:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{pg_name}"'))
        url = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "large_data.py"), "--database", url, *args.size],
        check=True,
        cwd=work,
        env={**os.environ, "PORTAL_VAR_DIR": str(work)},
    )
    print(f"[{engine}] data set built in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def drop_database(engine: str, pg_name: str = PG_BENCH_DB) -> None:
    if engine == "postgres":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"'))


async def _targets(url: str) -> dict[str, Any]:
    """The people and rows the pages are measured with, all in network 1."""
    from ledger.books.tables import BudgetYear
    from portal.accounts.tables import Membership, Network, User
    from portal.lib import db
    from proposals.tables import Proposal, ProposalAuthor, Round
    from review.tables import Review

    engine = db.engine_from_url(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        network = await Network.select().where(Network.slug == SLUG).first()
        nid = network["id"]

        async def email(user_id: int) -> str:
            return (await User.select(User.email).where(User.id == user_id).first())["email"]

        async def member(role: str) -> dict:
            return (
                await Membership.select()
                .where((Membership.network == nid) & (Membership.role == role))
                .order_by(Membership.id)
                .first()
            )

        year = (
            await BudgetYear.select()
            .where((BudgetYear.network == nid) & (BudgetYear.year == MEASURED_YEAR))
            .first()
        )
        review_year = (
            await BudgetYear.select()
            .where((BudgetYear.network == nid) & (BudgetYear.year == REVIEW_YEAR))
            .first()
        )
        review_round = (
            await Round.select(Round.id).where(Round.budget_year == review_year["id"]).first()
        )
        year_round = await Round.select(Round.id).where(Round.budget_year == year["id"]).first()
        applicant, officer = await member("applicant"), await member("region_officer")
        reviewer, coordinator = await member("reviewer"), await member("coordinator")
        admin = await member("admin")
        superadmin = (
            await Membership.select(Membership.user)
            .where((Membership.network.is_null()) & (Membership.role == "admin"))
            .first()
        )
        granted = (
            Proposal.select(Proposal.id)
            .where((Proposal.network == nid) & (Proposal.state == "granted"))
            .where(Proposal.round == year_round["id"])
            .order_by(Proposal.id)
        )
        own = await ProposalAuthor.select(ProposalAuthor.proposal).where(
            ProposalAuthor.user == applicant["user"]
        )
        own_ids = [r["proposal"] for r in own]
        applicant_proposal = (await granted.where(Proposal.id.is_in(own_ids)).first())["id"]
        officer_proposal = (
            await Proposal.select(Proposal.id)
            .where(
                (Proposal.network == nid)
                & (Proposal.state == "granted")
                & (Proposal.round == year_round["id"])
                & (Proposal.region == officer["region"])
            )
            .first()
        )["id"]
        coordinator_proposal = (
            await Proposal.select(Proposal.id)
            .where(
                (Proposal.network == nid)
                & (Proposal.state == "granted")
                & (Proposal.round == year_round["id"])
            )
            .order_by(Proposal.id)
            .first()
        )["id"]
        review = (
            await Review.select(Review.id)
            .where((Review.reviewer == reviewer["user"]) & (Review.state == "submitted"))
            .order_by(Review.id, ascending=False)
            .first()
        )
        return {
            "emails": {
                "aanvrager": await email(applicant["user"]),
                "regio-indiener": await email(officer["user"]),
                "beoordelaar": await email(reviewer["user"]),
                "coördinator": await email(coordinator["user"]),
                "beheerder": await email(admin["user"]),
                "hoofdbeheerder": await email(superadmin["user"]),
            },
            "year_id": year["id"],
            "review_round": review_round["id"],
            "applicant_proposal": applicant_proposal,
            "officer_proposal": officer_proposal,
            "coordinator_proposal": coordinator_proposal,
            "review": review["id"],
        }
    finally:
        await db.stop(engine)


def pages(t: dict[str, Any]) -> list[Page]:
    n = f"/n/{SLUG}"
    return [
        Page("aanvrager", "start", n),
        Page("aanvrager", "voorstellen", f"{n}/voorstellen"),
        Page("aanvrager", "voorstel", f"{n}/voorstellen/{t['applicant_proposal']}"),
        Page("regio-indiener", "start", n),
        Page("regio-indiener", "voorstellen", f"{n}/voorstellen"),
        Page("regio-indiener", "voorstel", f"{n}/voorstellen/{t['officer_proposal']}"),
        Page("beoordelaar", "start", n),
        Page("beoordelaar", "beoordelingen", f"{n}/beoordelingen"),
        Page("beoordelaar", "beoordeling", f"{n}/beoordelingen/{t['review']}"),
        Page("coördinator", "start", n),
        Page("coördinator", "voorstellen", f"{n}/voorstellen"),
        Page("coördinator", "voorstel", f"{n}/voorstellen/{t['coordinator_proposal']}"),
        Page("coördinator", "beoordeling", f"{n}/beoordeling"),
        Page("coördinator", "beoordeling ronde", f"{n}/beoordeling/rondes/{t['review_round']}"),
        Page(
            "coördinator",
            "beoordeling voorstel",
            f"{n}/beoordeling/voorstellen/{t['coordinator_proposal']}",
        ),
        Page("coördinator", "begroting", f"{n}/begroting"),
        Page("coördinator", "begrotingsjaar", f"{n}/begroting/{t['year_id']}"),
        Page("coördinator", "mutaties", f"{n}/begroting/{t['year_id']}/mutaties"),
        Page("coördinator", "verantwoording", f"{n}/verantwoording"),
        Page("coördinator", "projectenbank zoeken", f"{n}/projectenbank?zoek=wachtlijst"),
        Page("beheerder", "start", n),
        Page("beheerder", "gebruikers", f"/beheer/{SLUG}/gebruikers"),
        Page("hoofdbeheerder", "start (beheer)", "/beheer"),
    ]


# --- log-in and measuring ---------------------------------------------------------------------


def csrf_token(cookies: Any) -> str:
    """The CSRF cookie's value: `__Host-csrftoken` in production, `csrftoken` otherwise."""
    for name in ("__Host-csrftoken", "csrftoken"):
        if name in cookies:
            return cookies[name]
    raise RuntimeError(f"no CSRF cookie among {list(cookies)}")


def log_in(base: str, email: str) -> dict[str, str]:
    """The cookies of a logged-in session; the code step when the portal asks for one.

    The server runs as in production, so its cookies are `Secure`, and httpx (rightly) sends no
    Secure cookie over plain http to 127.0.0.1. The cookies are kept here by hand instead; the
    measuring clients get them as plain cookies."""
    jar: dict[str, str] = {}
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:

        def send(method: str, path: str, data: dict | None = None) -> httpx.Response:
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            response = client.request(method, path, data=data, headers={"cookie": cookie})
            for item in response.cookies.jar:
                jar[item.name] = item.value
            client.cookies.clear()
            return response

        send("GET", "/login")
        response = send(
            "POST",
            "/login",
            {"email": email, "password": PASSWORD, "_csrf_token": csrf_token(jar)},
        )
        if response.status_code != 303:
            raise RuntimeError(f"log-in of {email} failed: {response.status_code}")
        if response.headers["location"].startswith("/login/code"):
            import pyotp
            from large_data import totp_secret

            for attempt in range(2):
                code = pyotp.TOTP(totp_secret()).now()
                response = send(
                    "POST", "/login/code", {"code": code, "_csrf_token": csrf_token(jar)}
                )
                if response.status_code == 303 and not response.headers["location"].startswith(
                    "/login"
                ):
                    break
                if attempt == 0:
                    # A code counts once: a log-in of this user moments ago (an earlier run on
                    # the same database) used it. Wait for the next one.
                    time.sleep(30.5 - time.time() % 30)
            else:
                raise RuntimeError(f"code step of {email} failed: {response.status_code}")
        # Logged in for real: the start page answers instead of sending back to /login.
        response = send("GET", "/")
        if response.headers.get("location", "").startswith("/login"):
            raise RuntimeError(f"{email} is not logged in: {response.headers['location']}")
        return jar


async def measure(
    base: str, path: str, cookies: dict[str, str], clients: int, requests: int, warm: bool = True
) -> tuple[list[float], float, int, int]:
    """Latencies (ms), wall seconds, errors and the body size of `requests` GETs of `path`
    by `clients` concurrent keep-alive connections.

    `warm` first sends 6 × `clients` requests at that concurrency, unmeasured: a server that
    has run for a while has long since filled its caches, and on PostgreSQL every pooled
    connection plans a prepared statement anew for its first five runs (3 ms for the proposal
    row's eight joins) before settling on a generic plan (0,3 ms). Without it, the 16-client
    figures carry the first minutes of a fresh server (`--cold`)."""
    latencies: list[float] = []
    errors = 0
    size = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, limits=limits, timeout=60, follow_redirects=False
    ) as client:
        for _ in range(min(3, requests)):  # warm-up: connections, template caches
            await client.get(path)
        if warm:
            await asyncio.gather(*(client.get(path) for _ in range(6 * clients)))
        remaining = requests

        async def worker() -> None:
            nonlocal remaining, errors, size
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors += 1
                size = len(response.content)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - started
    return latencies, wall, errors, size


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def portal_env(url: str, work: Path, secret_key: str | None = None) -> dict[str, str]:
    """The environment of `portal serve` on `url`: as in production (templates not re-read
    from disk, Secure cookies: see log_in), with a key of its own, as production requires one;
    this checkout's code first on the path, whichever checkout installed the venv."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(work),
        "PORTAL_ENV": "production",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def portal_command(port: int, workers: int) -> list[str]:
    return [PORTAL, "serve", "--port", str(port), "--workers", str(workers)]


def bare_command(work: Path, port: int, workers: int) -> list[str]:
    """The bare app (written to `work`, the server's cwd) under uvicorn as `portal serve` runs
    the portal (portal/cli.py): proxy headers, an access log line per request."""
    (work / "bare_app.py").write_text(textwrap.dedent(BARE_APP))
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bare_app:app",
        "--port",
        str(port),
        "--log-level",
        "info",
        "--proxy-headers",
        "--workers",
        str(workers),
    ]


def run_pages(
    engine: str, url: str, work: Path, args: argparse.Namespace, targets: dict[str, Any]
) -> list[Result]:
    port, bare_port = free_port(), free_port()
    env = portal_env(url, work)
    results = []
    with (
        server(portal_command(port, args.workers), env, work, port, "/healthz"),
        server(bare_command(work, bare_port, args.workers), env, work, bare_port, "/bytes/10"),
    ):
        base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        sessions = {role: log_in(base, email) for role, email in targets["emails"].items()}
        for page in pages(targets):
            if args.only and not re.search(args.only, f"{page.role} {page.label}"):
                continue
            for clients in CLIENTS:
                n = args.requests[clients]
                lat, wall, errors, size = asyncio.run(
                    measure(base, page.path, sessions[page.role], clients, n, not args.cold)
                )
                page.size = size
                bare, bare_wall, _, _ = asyncio.run(
                    measure(bare_base, f"/bytes/{size}", {}, clients, n, not args.cold)
                )
                result = Result(
                    page,
                    clients,
                    statistics.median(lat),
                    p95(lat),
                    len(lat) / wall,
                    statistics.median(bare),
                    p95(bare),
                    len(bare) / bare_wall,
                    errors,
                )
                results.append(result)
                print(
                    f"[{engine}] {page.role:15} {page.label:22} {clients:2} cl: "
                    f"median {result.median_ms:6.1f} ms  p95 {result.p95_ms:6.1f} ms  "
                    f"{result.rps:6.1f} rps  (bare {result.bare_rps:6.0f} rps)  "
                    f"{' '.join(result.misses)}",
                    flush=True,
                )
    return results


# --- the SPUK export ----------------------------------------------------------------------------


async def _export(url: str) -> dict[str, float]:
    """Time and peak memory of the SPUK workbook of the measured year (as bench/spuk_export.py
    measures it, here on the large data set)."""
    from ledger.books.tables import Entry
    from ledger.projects import spuk
    from portal.accounts.tables import Network
    from portal.lib import clock, db

    engine = db.engine_from_url(url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        network = (await Network.select(Network.id).where(Network.slug == SLUG).first())["id"]
        started = time.perf_counter()
        data = await spuk.gather(network, MEASURED_YEAR)
        gather_s = time.perf_counter() - started
        started = time.perf_counter()
        content = spuk.build_workbook(data, exported_at=clock.now())
        build_s = time.perf_counter() - started
        tracemalloc.start()
        data = await spuk.gather(network, MEASURED_YEAR)
        spuk.build_workbook(data, exported_at=clock.now())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "entries": len(data.entries),
            "all_entries": await Entry.count(),
            "gather_s": gather_s,
            "build_s": build_s,
            "peak_mb": peak / 2**20,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workbook_mb": len(content) / 2**20,
        }
    finally:
        await db.stop(engine)


def run_export(url: str) -> dict[str, float]:
    # In a fresh interpreter, so that the RSS peak is the export's and not the benchmark's.
    code = (
        "import asyncio, json, sys; sys.path.insert(0, sys.argv[1]); import latency; "
        "print(json.dumps(asyncio.run(latency._export(sys.argv[2]))))"
    )
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, str(ROOT / "bench"), url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    import json

    return json.loads(output.strip().splitlines()[-1])


# --- the report ---------------------------------------------------------------------------------


def table(runs: list[EngineRun]) -> str:
    lines = []
    for run in runs:
        lines.append(
            f"\n### {run.engine} (load average before {run.load_before}, after {run.load_after})\n"
        )
        lines.append(
            "| role | page | KB | clients | median ms | p95 ms | rps | bare rps | "
            "bare p95 ms | goal |"
        )
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in run.results:
            lines.append(
                f"| {r.page.role} | {r.page.label} | {r.page.size / 1024:.0f} | {r.clients} | "
                f"{r.median_ms:.1f} | {r.p95_ms:.1f} | {r.rps:.1f} | {r.bare_rps:.0f} | "
                f"{r.bare_p95_ms:.1f} | {', '.join(r.misses) or 'ok'} |"
            )
        if run.export:
            e = run.export
            lines.append(
                f"\nSPUK export {MEASURED_YEAR} of {SLUG} ({e['entries']:.0f} entries of the "
                f"year, {e['all_entries']:.0f} in the database): gather {e['gather_s']:.2f} s, "
                f"build {e['build_s']:.2f} s, together {e['gather_s'] + e['build_s']:.2f} s; "
                f"peak Python allocations {e['peak_mb']:.1f} MB, process RSS peak "
                f"{e['rss_mb']:.0f} MB; workbook {e['workbook_mb']:.2f} MB."
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="smaller data set, fewer requests")
    parser.add_argument("--database", help="measure this existing data set instead")
    parser.add_argument("--keep", action="store_true", help="keep the database made")
    parser.add_argument("--only", help="regular expression: measure only matching pages")
    parser.add_argument("--no-export", action="store_true", help="skip the SPUK export")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no concurrent warm-up: measure a freshly started server (see measure)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn workers of both servers (default 1)"
    )
    args = parser.parse_args()
    preset = QUICK if args.quick else FULL
    args.requests, args.size = preset["requests"], preset["large_data"]
    engines = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    if args.database:
        engines = ("postgres" if args.database.startswith("postgres") else "sqlite",)
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {loadavg()}, "
        f"{args.workers} worker(s)",
        flush=True,
    )
    runs = []
    for engine in engines:
        work = Path(tempfile.mkdtemp(prefix=f"latency-{engine}-"))
        made = not args.database
        try:
            url = args.database or create_database(engine, work, args)
            targets = asyncio.run(_targets(url))
            run = EngineRun(engine, load_before=loadavg())
            run.results = run_pages(engine, url, work, args, targets)
            if not args.no_export:
                run.export = run_export(url)
            run.load_after = loadavg()
            runs.append(run)
        finally:
            if made and not args.keep:
                drop_database(engine)
                shutil.rmtree(work, ignore_errors=True)
            elif made:
                print(f"[{engine}] kept: {url}")
    report = table(runs)
    if not args.no_export:
        # The worst case at this size: one network-year holding all 50.000 entries (the data
        # set spreads them over 32 years). bench/spuk_export.py builds such a year on SQLite.
        projects, entries = (500, 10_000) if args.quick else (2500, 50_000)
        output = subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "bench" / "spuk_export.py"),
                "--projects",
                str(projects),
                "--entries",
                str(entries),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        report += (
            f"\n\nSPUK export of one year with {projects} projects and {entries} entries "
            f"(bench/spuk_export.py):\n\n```\n{output.strip()}\n```"
        )
    print(report)
    misses = [r for run in runs for r in run.results if r.misses]
    print(f"\n{len(misses)} of {sum(len(run.results) for run in runs)} measurements miss a goal.")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))  # for large_data.totp_secret
    main()
