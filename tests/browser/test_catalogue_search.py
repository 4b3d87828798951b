"""Searching the projectenbank in the browser: Dutch stemming, highlighting, filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser


def test_member_searches_the_projectenbank(page: Page) -> None:
    log_in(page, "ao@example.org")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Projectenbank"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Projectenbank")
    # The 2020 Ombuigcoördinator was settled with lessons; the plural finds the singular.
    page.get_by_label("Zoek in titels, samenvattingen, resultaten en lessen").fill(
        "casusbesprekingen"
    )
    page.get_by_role("button", name="Zoeken").click()
    result = page.locator(".fp-result").first
    expect(result.get_by_role("link")).to_have_text("Ombuigcoördinator")
    expect(result.locator("mark")).to_have_text(re.compile("casusbespreking", re.I))
    result.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ombuigcoördinator")
    expect(page.locator("[data-section=lessons]")).to_contain_text("gedeelde casusbespreking")
    page.go_back()
    page.get_by_label("Zoek in titels, samenvattingen, resultaten en lessen").fill("")
    page.get_by_label("Jaar").select_option("2021")
    page.get_by_role("button", name="Zoeken").click()
    expect(
        page.get_by_role("link", name="Expertpool hoogspecialistische zorgvragen")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Ombuigcoördinator")).to_have_count(0)
