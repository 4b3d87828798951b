"""Where a page's time goes under load: `portal serve` (one worker, CPU 0) answering wrk
(16 connections, CPU 1) while py-spy samples the server, then the functions by their own time
and by their time with what they call.

    .venv/bin/python bench/spy_page.py --database sqlite:////tmp/bench.sqlite \\
        --role coördinator --page start --seconds 15

pyinstrument and cProfile in-process make small functions look several times dearer than they
are (a route_reverse of 3 µs showed as 25); py-spy samples from outside the process, so the
server runs at its own speed. Needs py-spy (`pip install py-spy`; not a dependency of the
portal) and may need ptrace permission (root here). `--page` takes a label of latency.py.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import latency  # noqa: E402
import wrk_pages  # noqa: E402


def summarise(collapsed: Path, top: int) -> str:
    """The collapsed stacks (one line per stack: frames joined by ';', then a count) as two
    tables: own samples per function, and samples with callees per function of the portal."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [_short(f) for f in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples", "", "own time (the function itself):"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in own.most_common(top)]
    lines += ["", "with what it calls (the portal's own functions and templates):"]
    ours = [
        (name, n)
        for name, n in inclusive.most_common()
        if any(part in name for part in ("portal/", "proposals/", "review/", "ledger/", ".html"))
    ]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in ours[:top]]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "function (path/to/file.py:line)" -> "function (file path from the package)"
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "/work/main/", str(ROOT) + "/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where.rsplit(':', 1)[0]})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--role", default="coördinator")
    parser.add_argument("--page", required=True, help="a label of latency.py's page list")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    wrk = wrk_pages.ensure_wrk()
    targets = asyncio.run(latency._targets(args.database))
    pages = [p for p in latency.pages(targets) if p.role == args.role and p.label == args.page]
    if not pages:
        raise SystemExit(f"no page {args.page!r} for {args.role!r}")
    page = pages[0]
    work = Path(tempfile.mkdtemp(prefix="spy-"))
    try:
        env = latency.portal_env(args.database, work, secrets.token_urlsafe(48))
        port = latency.free_port()
        command = ["taskset", "-c", wrk_pages.SERVER_CPU, *latency.portal_command(port, 1)]
        with latency.server(command, env, work, port, "/healthz"):
            base = f"http://127.0.0.1:{port}"
            jar = latency.log_in(base, targets["emails"][page.role])
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            server_pid = _listening_pid(port)
            script = work / "report.lua"
            script.write_text(wrk_pages.LUA)
            wrk_pages.run_wrk(wrk, base + page.path, 16, 2, script, cookie, wrk_pages.WRK_CPU)
            collapsed = work / "stacks.txt"
            sampler = subprocess.Popen(  # noqa: S603
                [
                    *(spy, "record", "--pid", str(server_pid), "--rate", str(args.rate)),
                    *("--duration", str(args.seconds), "--format", "raw"),
                    *("--output", str(collapsed), "--nonblocking"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            measured = wrk_pages.run_wrk(
                wrk, base + page.path, 16, args.seconds, script, cookie, wrk_pages.WRK_CPU
            )
            sampler.wait(timeout=args.seconds + 30)
        print(f"{page.role} {page.label} ({page.path}), wrk -c16 {args.seconds} s: {measured}")
        print(summarise(collapsed, args.top))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _listening_pid(port: int) -> int:
    """The server process (uvicorn under `portal serve`) that listens on the port."""
    out = subprocess.run(  # noqa: S603
        [shutil.which("ss") or "/usr/bin/ss", "-Hltnp", f"sport = :{port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pid = out.split("pid=", 1)[1].split(",", 1)[0]
    return int(pid)


if __name__ == "__main__":
    main()
