"""The main pages of every role measured with wrk (issue 19): requests per second, median and
p95 latency and SQL statements per page, each page next to the ceiling — a bare Litestar app
answering a static body of the same size, measured in the same run with the same settings.

    .venv/bin/python bench/wrk_pages.py --quick --db both          # small data set, ~15 min
    .venv/bin/python bench/wrk_pages.py --database sqlite:////tmp/fondsportaal-bench-full.sqlite
    .venv/bin/python bench/wrk_pages.py --db postgres --workers 1,2 --connections 1,16

The load generator is wrk (C, event loop), not Python: latency.py's httpx client could send
500–950 requests per second, far below what Litestar can answer, so its "bare page" measured the
client. wrk is installed with apt-get when missing.

For each database (a fresh one filled by large_data.py, or `--database`) and each worker
count: `portal serve` and the bare app under uvicorn with those workers; with one worker both
servers are pinned to CPU 0 and wrk to CPU 1 (taskset), with more workers nothing is pinned and
wrk takes its share of the cores the servers use. One log-in per role (latency.log_in, the TOTP
step included), reused by every run of that database. Per page and connection count: wrk
warms up (`--warmup` seconds, unmeasured), measures (`--duration`), then the same for the
ceiling at `/bytes/<the page's body size>`. A run with a socket error, a non-2xx answer, or
responses whose size is not the page's (a redirect to /login is 2xx-free but small) is a
failure, not a figure. SQL statements: one request per page in-process (the app as in
production, the same database and session), counted on the engine the way
tests/portal/test_query_counts.py counts them; no code in the served app changes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import latency  # noqa: E402
from latency import Page  # noqa: E402

PG_WRK_DB = "fondsportaal_wrk"  # not latency.py's, so both can run at once
GOAL_SHARE = 0.10  # of the ceiling's req/s, at 16 connections with one worker
GOAL_P95_MS = 100.0  # at 16 connections
GOAL_STATEMENTS = 5
SERVER_CPU, WRK_CPU = "0", "1"

# wrk calls done() once, after the run; latency is in microseconds. summary.errors.status
# counts answers with a status above 399 only, hence the size check in WrkRun.failure.
LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  local n = summary.requests
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %.0f, "rps": %.3f, "bytes": %.0f, ' ..
    '"bytes_per_response": %.1f, "median_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, ' ..
    '"max_us": %.0f, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    n, summary.duration, n / summary.duration * 1e6, summary.bytes,
    n > 0 and summary.bytes / n or 0, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class WrkRun:
    """One wrk run's figures (from the Lua `done`), or why it is no figure."""

    requests: int = 0
    rps: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    bytes_per_response: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    failure: str = ""


@dataclass
class Cell:
    """A page (or the ceiling of its size) at one connection count."""

    connections: int
    page: WrkRun
    ceiling: WrkRun

    @property
    def share(self) -> float | None:
        if self.page.failure or self.ceiling.failure or not self.ceiling.rps:
            return None
        return self.page.rps / self.ceiling.rps


@dataclass
class PageResult:
    role: str
    label: str
    path: str
    body_bytes: int
    statements: int
    cells: dict[int, Cell] = field(default_factory=dict)

    def misses(self, workers: int) -> list[str]:
        out = []
        if self.statements > GOAL_STATEMENTS:
            out.append(f"SQL {self.statements} > {GOAL_STATEMENTS}")
        cell = self.cells.get(16)
        if cell is not None:
            if cell.page.failure:
                out.append("failed")
            else:
                if cell.page.p95_ms >= GOAL_P95_MS:
                    out.append(f"p95 ≥ {GOAL_P95_MS:.0f} ms")
                share = cell.share
                if workers == 1 and share is not None and share < GOAL_SHARE:
                    out.append(f"share < {GOAL_SHARE:.0%}")
        return out


@dataclass
class MatrixRun:
    engine: str
    workers: int
    pinned: bool
    duration: int
    load_before: str
    load_after: str = ""
    pages: list[PageResult] = field(default_factory=list)


# --- wrk ----------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The path of wrk; installs Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    command = ["apt-get", "install", "-y", "wrk"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = ["sudo", "-n", *command]
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    found = shutil.which("wrk")
    if result.returncode != 0 or not found:
        raise SystemExit(
            "wrk is missing and `apt-get install -y wrk` failed "
            f"(exit {result.returncode}):\n{result.stderr[-1500:]}\n"
            "Install it yourself (Debian/Ubuntu: apt-get install wrk; or build "
            "https://github.com/wg/wrk) and run again."
        )
    return found


def run_wrk(
    wrk: str,
    url: str,
    connections: int,
    seconds: int,
    script: Path,
    cookie: str = "",
    cpu: str | None = None,
    threads: int = 1,
    expected_bytes: int | None = None,
) -> WrkRun:
    command = [
        wrk,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60
    )
    match = re.search(r"^WRK_JSON (.*)$", output.stdout, re.MULTILINE)
    if output.returncode != 0 or not match:
        return WrkRun(failure=f"wrk exit {output.returncode}: {output.stderr.strip()[-300:]}")
    data = json.loads(match.group(1))
    errors = {k: int(data[k]) for k in ("connect", "read", "write", "status", "timeout")}
    run = WrkRun(
        requests=int(data["requests"]),
        rps=float(data["rps"]),
        median_ms=data["median_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        bytes_per_response=float(data["bytes_per_response"]),
        errors={k: v for k, v in errors.items() if v},
    )
    if run.errors:
        run.failure = ", ".join(f"{v} {k} errors" for k, v in run.errors.items())
    elif not run.requests:
        run.failure = "no response"
    elif expected_bytes is not None and not (
        0.98 * expected_bytes <= run.bytes_per_response <= expected_bytes + 8192
    ):
        # Headers included; a redirect (e.g. to /login) answers a few hundred bytes.
        run.failure = (
            f"{run.bytes_per_response:.0f} bytes per response, the page has {expected_bytes}"
        )
    return run


# --- the page: status, size and SQL statements ----------------------------------------------------


def fetch(port: int, path: str, cookie: str) -> tuple[int, int]:
    """Status and body size of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


async def _count_statements(
    env: dict[str, str], sessions: dict[str, str], pages: list[Page]
) -> dict[tuple[str, str], int]:
    """SQL statements of one request of each page, in-process (the app as `portal serve` runs
    it, on the same database, with the sessions the servers handed out), rendered: a kept page
    (portal/lib/kept_pages.py) answered again runs one, the session's."""
    import httpx
    from profile_page import _statement_recorder

    from portal.app import create_app
    from portal.lib import db
    from portal.lib.settings import Settings

    os.environ.update(env)
    app = create_app(dataclasses.replace(Settings.from_env(), kept_pages_mb=0))
    counts: dict[tuple[str, str], int] = {}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as client,
    ):
        recorded = _statement_recorder(db.current_engine())
        for page in pages:
            headers = {"Cookie": sessions[page.role]}
            for _ in range(2):  # the first fills caches (and may touch the session)
                recorded.clear()
                response = await client.get(page.path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{page.role} {page.path}: {response.status_code} in-process")
            counts[(page.role, page.path)] = len(recorded)
    return counts


# --- the matrix ---------------------------------------------------------------------------------


def measure_engine(
    engine: str, url: str, work: Path, args: argparse.Namespace, wrk: str, script: Path
) -> list[MatrixRun]:
    targets = asyncio.run(latency._targets(url))
    pages = [
        p
        for p in latency.pages(targets)
        if not args.only or re.search(args.only, f"{p.role} {p.label}")
    ]
    env = latency.portal_env(url, work, secrets.token_urlsafe(48))
    sessions: dict[str, str] = {}  # role → Cookie header, one log-in per role for all runs
    counts: dict[tuple[str, str], int] = {}
    runs = []
    for workers in args.workers:
        pin = workers == 1 and not args.no_pin
        prefix = ["taskset", "-c", SERVER_CPU] if pin else []
        wrk_cpu = WRK_CPU if pin else None
        port, bare_port = latency.free_port(), latency.free_port()
        run = MatrixRun(engine, workers, pin, args.duration, latency.loadavg())
        print(f"[{engine}, {workers} worker(s)] load {run.load_before}", flush=True)
        with (
            latency.server(
                [*prefix, *latency.portal_command(port, workers)], env, work, port, "/healthz"
            ),
            latency.server(
                [*prefix, *latency.bare_command(work, bare_port, workers)],
                env,
                work,
                bare_port,
                "/bytes/10",
            ),
        ):
            base = f"http://127.0.0.1:{port}"
            if not sessions:
                for role, email in targets["emails"].items():
                    jar = latency.log_in(base, email)
                    sessions[role] = "; ".join(f"{k}={v}" for k, v in jar.items())
                counts = asyncio.run(_count_statements(env, sessions, pages))
            for page in pages:
                cookie = sessions[page.role]
                status, size = fetch(port, page.path, cookie)
                result = PageResult(
                    page.role, page.label, page.path, size, counts[(page.role, page.path)]
                )
                run.pages.append(result)
                if status != 200:
                    failed = WrkRun(failure=f"status {status}")
                    for c in args.connections:
                        result.cells[c] = Cell(c, failed, WrkRun(failure="not run"))
                    print(f"  {page.role} {page.label}: status {status}", flush=True)
                    continue
                for c in args.connections:
                    measured = []
                    for target, cookie_, expected in (
                        (base + page.path, cookie, size),
                        (f"http://127.0.0.1:{bare_port}/bytes/{size}", "", size),
                    ):
                        if args.warmup:
                            run_wrk(wrk, target, c, args.warmup, script, cookie_, wrk_cpu)
                        measured.append(
                            run_wrk(
                                wrk,
                                target,
                                c,
                                args.duration,
                                script,
                                cookie_,
                                wrk_cpu,
                                args.threads,
                                expected,
                            )
                        )
                    cell = result.cells[c] = Cell(c, *measured)
                    print(
                        f"  {page.role:15} {page.label:22} c={c:<2} {_cell_text(cell)}",
                        flush=True,
                    )
        run.load_after = latency.loadavg()
        runs.append(run)
    return runs


def _cell_text(cell: Cell) -> str:
    if cell.page.failure:
        return f"FAILED: {cell.page.failure}"
    share = cell.share
    return (
        f"{cell.page.median_ms:.1f} / {cell.page.p95_ms:.1f} ms, {cell.page.rps:.0f} req/s; "
        f"ceiling {cell.ceiling.rps:.0f} req/s"
        + (f" → {share:.1%}" if share is not None else f" (ceiling: {cell.ceiling.failure})")
    )


# --- the report ---------------------------------------------------------------------------------


def report(runs: list[MatrixRun], connections: list[int]) -> str:
    lines = []
    for run in runs:
        pinning = (
            f"server on CPU {SERVER_CPU}, wrk on CPU {WRK_CPU}"
            if run.pinned
            else "nothing pinned: wrk shares the cores with the servers"
        )
        about = (
            f"wrk -t1, {run.duration:g} s per run; {pinning}; load average before "
            f"{run.load_before}, after {run.load_after}. Latency *median / p95* ms; share = the "
            "page's req/s ÷ the ceiling's (a bare Litestar app, a static body of the page's "
            "size) in the same run."
        )
        lines += [
            f"\n### {run.engine}, {run.workers} worker(s)\n",
            textwrap.fill(about, 100, break_on_hyphens=False) + "\n",
        ]
        head = ["role", "page", "bytes", "SQL"]
        align = ["---", "---", "---:", "---:"]
        for c in connections:
            head += [f"c={c} ms", f"c={c} req/s", f"c={c} ceiling", f"c={c} share"]
            align += ["---:"] * 4
        head.append("misses")
        align.append("---")
        lines += ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
        for page in run.pages:
            row = [page.role, page.label, f"{page.body_bytes:,}".replace(",", "."), ""]
            row[3] = str(page.statements)
            for c in connections:
                cell = page.cells.get(c)
                if cell is None or cell.page.failure:
                    why = cell.page.failure if cell else "not run"
                    row += [f"failed: {why}", "", "", ""]
                    continue
                share = cell.share
                row += [
                    f"{cell.page.median_ms:.1f} / {cell.page.p95_ms:.1f}",
                    f"{cell.page.rps:.0f}",
                    f"{cell.ceiling.rps:.0f}" if not cell.ceiling.failure else "failed",
                    f"{share:.1%}" if share is not None else "",
                ]
            row.append(", ".join(page.misses(run.workers)) or "ok")
            lines.append("| " + " | ".join(row) + " |")
        measured = [p for p in run.pages if p.cells]
        missing = [p for p in measured if p.misses(run.workers)]
        shares = [s for p in measured if 16 in p.cells and (s := p.cells[16].share) is not None]
        summary = f"\n{len(missing)} of {len(measured)} pages miss a goal"
        if shares:
            summary += f"; share at c=16: median {statistics.median(shares):.1%}"
        lines.append(summary + ".")
    return "\n".join(lines)


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="the small data set (2 networks)")
    parser.add_argument("--database", help="measure this existing data set (left as it is)")
    parser.add_argument("--keep", action="store_true", help="keep the database this run built")
    parser.add_argument("--connections", type=_int_list, default=[1, 16], help="e.g. 1,16")
    parser.add_argument("--workers", type=_int_list, default=[1], help="e.g. 1,2")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds before each, 0: none")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--no-pin", action="store_true", help="no taskset with one worker")
    parser.add_argument("--only", help="regular expression: only matching 'role label' pages")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    args.size = latency.QUICK["large_data"] if args.quick else latency.FULL["large_data"]
    wrk = ensure_wrk()
    if not args.no_pin and (os.cpu_count() or 1) < 2:
        args.no_pin = True
    engines = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    if args.database:
        engines = ("postgres" if args.database.startswith("postgres") else "sqlite",)
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout  # noqa: S603
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"{version.strip().splitlines()[0] if version.strip() else 'wrk'}, "
        f"load {latency.loadavg()}",
        flush=True,
    )
    runs: list[MatrixRun] = []
    for engine in engines:
        work = Path(tempfile.mkdtemp(prefix=f"wrk-{engine}-"))
        script = work / "report.lua"
        script.write_text(LUA)
        made = not args.database
        try:
            url = args.database or latency.create_database(engine, work, args, PG_WRK_DB)
            runs += measure_engine(engine, url, work, args, wrk, script)
        finally:
            if made and args.keep:
                print(f"[{engine}] kept: {url} (server logs beside it)")
            else:
                if made:
                    latency.drop_database(engine, PG_WRK_DB)
                shutil.rmtree(work, ignore_errors=True)
    text = report(runs, args.connections)
    print(text)
    if args.json:
        Path(args.json).write_text(
            json.dumps([asdict(run) for run in runs], indent=1, ensure_ascii=False, default=str)
        )


if __name__ == "__main__":
    main()
