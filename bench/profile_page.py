"""Profile one page of the large data set in-process: time per request, SQL statements per
request, and (with --profile) where the time goes, by pyinstrument.

    .venv/bin/python bench/profile_page.py --database sqlite:////tmp/bench.sqlite \\
        --role coördinator --page 'begrotingsjaar' --repeat 30 --profile
    .venv/bin/python bench/profile_page.py --database sqlite:////tmp/bench.sqlite --page all

`--page all` times every page of latency.py's list (one log-in per role): the median in-process
time of each, the figure to compare before and after a change (docs/performance.md).

The app runs as in production (no template reload, its own SECRET_KEY) under Litestar's test
client, so no network or server process is in the figures: this shows a page's own cost, the
floor under what `latency.py` measures. `--page` takes a label of latency.py's page list (or
a path starting with /). The data set comes from `large_data.py` (or `latency.py --keep`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import latency  # noqa: E402


async def _log_in(client, email: str) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": email,
            "password": latency.PASSWORD,
            "_csrf_token": latency.csrf_token(client.cookies),
        },
        follow_redirects=False,
    )
    if response.headers.get("location", "").startswith("/login/code"):
        import pyotp
        from large_data import totp_secret

        for _ in range(2):
            response = await client.post(
                "/login/code",
                data={
                    "code": pyotp.TOTP(totp_secret()).now(),
                    "_csrf_token": latency.csrf_token(client.cookies),
                },
                follow_redirects=False,
            )
            if response.status_code == 303:
                break
            # A code counts once: a log-in moments ago used this one. Wait for the next.
            await asyncio.sleep(30.5 - time.time() % 30)
    if response.status_code != 303 or response.headers["location"].startswith("/login"):
        raise SystemExit(f"log-in of {email} failed: {response.status_code}")


def _statement_recorder(engine) -> list[tuple[float, str]]:
    """Records each statement the engine runs with its wall time (the statements are counted
    the way tests/portal/test_query_counts.py counts them)."""
    recorded: list[tuple[float, str]] = []
    cls = type(engine)
    run_querystring, run_ddl = cls.run_querystring, cls.run_ddl

    async def timed(run, self, statement, *args, **kwargs):
        started = time.perf_counter()
        try:
            return await run(self, statement, *args, **kwargs)
        finally:
            recorded.append(((time.perf_counter() - started) * 1000, str(statement)))

    async def timed_querystring(self, querystring, *args, **kwargs):
        return await timed(run_querystring, self, querystring, *args, **kwargs)

    async def timed_ddl(self, ddl, *args, **kwargs):
        return await timed(run_ddl, self, ddl, *args, **kwargs)

    cls.run_querystring, cls.run_ddl = timed_querystring, timed_ddl
    return recorded


async def run(args: argparse.Namespace) -> None:
    import httpx

    from portal.app import create_app
    from portal.lib import db
    from portal.lib.settings import Settings

    targets = await latency._targets(args.database)
    if args.page == "all":
        await _all_pages(args, targets)
        return
    if args.page.startswith("/"):
        role, path = args.role, args.page
    else:
        matches = [
            p for p in latency.pages(targets) if p.role == args.role and p.label == args.page
        ]
        if not matches:
            raise SystemExit(f"no page {args.page!r} for {args.role!r} in latency.pages")
        role, path = matches[0].role, matches[0].path

    os.environ.update(
        DATABASE_URL=args.database,
        PORTAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    app = create_app(Settings.from_env())
    # In this thread and event loop (not a test client's portal thread), so that pyinstrument
    # sees the app. Production cookies are Secure: the client speaks https to get them back.
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as client,
    ):
        await _log_in(client, targets["emails"][role])
        # Warm the caches: templates, and on PostgreSQL the prepared statements, which it plans
        # anew for their first five runs on a connection before it settles on a generic plan.
        for _ in range(10):
            response = await client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = await client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        if profiler is not None:
            profiler.stop()
        recorded = _statement_recorder(db.current_engine())
        await client.get(path)
        statements = list(recorded)

    print(f"{role} {path}: {len(response.content) / 1024:.0f} KB, {len(statements)} statements")
    print(f"the statements of one request, slowest first ({sum(t for t, _ in statements):.1f} ms):")
    for ms, sql in sorted(statements, reverse=True)[: args.slowest]:
        shown = sql if args.full else " ".join(sql.split())[:150]
        print(f"  {ms:6.2f} ms  {shown}")
    print(
        f"{args.repeat} requests: median {statistics.median(times):.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms"
    )
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def _app(database: str):
    from portal.app import create_app
    from portal.lib.settings import Settings

    os.environ.update(
        DATABASE_URL=database, PORTAL_ENV="production", SECRET_KEY=secrets.token_urlsafe(48)
    )
    return create_app(Settings.from_env())


async def _all_pages(args: argparse.Namespace, targets: dict) -> None:
    import httpx

    app = _app(args.database)
    by_role: dict[str, list] = {}
    for page in latency.pages(targets):
        by_role.setdefault(page.role, []).append(page)
    async with app.lifespan():
        for role, role_pages in by_role.items():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="https://testserver.local"
            ) as client:
                await _log_in(client, targets["emails"][role])
                for page in role_pages:
                    times = []
                    for i in range(10 + args.repeat):
                        started = time.perf_counter()
                        response = await client.get(page.path)
                        if i >= 10:  # the first ten warm the caches
                            times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{page.path} answered {response.status_code}")
                    print(
                        f"{role:15} {page.label:22} {len(response.content) / 1024:4.0f} KB  "
                        f"median {statistics.median(times):5.1f} ms  min {min(times):5.1f} ms",
                        flush=True,
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:///path or postgres://…/db")
    parser.add_argument("--role", default="coördinator")
    parser.add_argument("--page", required=True, help="a label of latency.py, or a path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="pyinstrument's call tree")
    parser.add_argument("--slowest", type=int, default=5, help="statements to show")
    parser.add_argument("--full", action="store_true", help="whole statements, for EXPLAIN")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
