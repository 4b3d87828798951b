"""A live portal (uvicorn, its own SQLite file, demo data) and Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# The installed `portal` command, run from elsewhere than the repository: what `make run` uses.
PORTAL = str(Path(sys.executable).with_name("portal"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    var_dir = Path(tempfile.mkdtemp(prefix="fondsportaal-browser-"))
    env = {**os.environ, "PORTAL_VAR_DIR": str(var_dir), "PORTAL_ENV": "development"}
    env.pop("DATABASE_URL", None)
    for command in (["migrate"], ["demo"]):
        subprocess.run(
            [PORTAL, *command],
            cwd=var_dir,
            env=env,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port)],
        cwd=var_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"portal did not start: {(var_dir / 'server.log').read_text()}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing; `make test` installs Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()
