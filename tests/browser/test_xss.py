"""Hostile text in a real browser: script in a title, a summary and a search is shown as text and
never runs. The in-process tests (tests/portal/test_hostile_input.py) check the escaping of every
field; this one shows that the browser, with the portal's CSP, executes none of it."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_journeys import log_in
from tests.browser.test_proposal_journey import create_draft

pytestmark = pytest.mark.browser

# Each payload, if it ran, would set window.__xss or open a dialog.
TITLE = "<script>window.__xss='titel'</script>Wachtlijst"
SUMMARY = (
    '"><img src=x onerror="window.__xss=\'samenvatting\'">'
    "<svg onload=alert('svg')></svg></textarea><script>alert('tekst')</script>"
)
SEARCH = "<img src=x onerror=alert('zoek')>"


def watch(page: Page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("() => window.__xss === undefined"), page.evaluate("() => window.__xss")
    assert dialogs == []


def test_script_in_proposal_text_and_searches_is_shown_never_run(page: Page) -> None:
    dialogs = watch(page)
    log_in(page, "aanvrager@example.org")
    create_draft(page, TITLE)
    edit_url = page.url
    page.get_by_label("Samenvatting").fill(SUMMARY)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is opgeslagen")
    # The edit form gives the text back exactly as typed: escaped, not cut at the first quote.
    expect(page.get_by_label("Samenvatting")).to_have_value(SUMMARY)
    expect(page.get_by_label("Titel", exact=True)).to_have_value(TITLE)
    assert_nothing_ran(page, dialogs)

    detail = edit_url.rsplit("/bewerken/", 1)[0]
    page.goto(detail)
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    assert_nothing_ran(page, dialogs)

    page.goto(f"{detail}/afdrukken")
    assert_nothing_ran(page, dialogs)

    network = re.search(r"/n/[\w-]+", detail)
    assert network is not None
    page.goto(f"{network.group(0)}/voorstellen")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_nothing_ran(page, dialogs)
    page.goto(f"{network.group(0)}/voorstellen?zoek={quote(TITLE)}")
    expect(page.get_by_label("Zoek in titel en samenvatting")).to_have_value(TITLE)
    assert_nothing_ran(page, dialogs)

    page.goto(f"{network.group(0)}/projectenbank?zoek={quote(SEARCH)}")
    expect(page.get_by_label(re.compile("^Zoek in titels"))).to_have_value(SEARCH)
    assert_nothing_ran(page, dialogs)
