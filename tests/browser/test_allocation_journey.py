"""A direct allocation from the decision to the final amount, clicked through (issue 15).

The coordinator allocates € 10.000 of the 2021 theme "Wachtlijstproblematiek" to the youth
region Midden-Holland without a proposal (first with a mistyped KvK number: refused, nothing
typed is lost) and pays an advance of € 8.000. Midden-Holland's region officer reports
€ 9.000 spent; the coordinator accepts the report, which settles the allocation: € 9.000, the
last € 1.000 paid, € 1.000 released to the theme.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_ledger_journey import (
    COORDINATOR,
    REGION_OFFICER,
    YEAR,
    declaration,
    fact,
    flash,
    go_to,
    log_out,
    open_year,
)
from tests.browser.test_login_journeys import log_in
from tests.browser.test_review_journey import confirm

pytestmark = pytest.mark.browser

TITLE = "Wachtlijstcoach Midden-Holland 2021"
THEME = "Wachtlijstproblematiek"


def field(page: Page, label: str):
    """A form field by the start of its label ("(niet verplicht)" may follow)."""
    return page.get_by_label(re.compile(f"^{re.escape(label)}"))


def coordinator_allocates(page: Page) -> None:
    open_year(page)
    page.get_by_role("link", name="Geld rechtstreeks toewijzen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geld rechtstreeks toewijzen")
    field(page, "Naam").first.fill(TITLE)
    field(page, "Begrotingspost").select_option(label=f"2. Thema's – {THEME}")
    field(page, "Organisatie").select_option(label="Midden-Holland (jeugdhulpregio)")
    field(page, "KvK-nummer").fill("12")
    field(page, "Bedrag (€)").fill("10.000,00")
    field(page, "Begindatum van de periode").fill("2021-01-01")
    field(page, "Einddatum van de periode").fill("2021-12-31")
    field(page, "Kenmerk van het besluit").fill("BW-2021-40")
    field(page, "Datum van het besluit").fill("2021-03-01")
    field(page, "Besloten door").fill("College van B&W Rotterdam")
    page.get_by_role("button", name="Toewijzen en verplichting boeken").click()

    # A KvK number has 8 digits: refused on its own field, everything typed still there.
    expect(page.locator("main")).to_contain_text("Een KvK-nummer heeft 8 cijfers")
    expect(field(page, "Naam").first).to_have_value(TITLE)
    expect(field(page, "Bedrag (€)")).to_have_value("10.000,00")

    field(page, "KvK-nummer").fill("")
    page.get_by_role("button", name="Toewijzen en verplichting boeken").click()
    expect(flash(page, "€ 10.000,00 is toegewezen aan Midden-Holland.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(fact(page, "Oorspronkelijk verleend")).to_have_text("€ 10.000,00")
    expect(fact(page, "Verplicht (na wijzigingen en vrijval)")).to_have_text("€ 10.000,00")


def coordinator_pays_the_advance(page: Page) -> None:
    field(page, "Soort").select_option(label="Voorschot")
    field(page, "Bedrag (€)").fill("8.000,00")
    field(page, "Kenmerk betaling").fill("BET-2021-40")
    page.get_by_role("button", name="Betaling boeken").click()
    expect(fact(page, "Betaald")).to_have_text("€ 8.000,00")


def open_the_report(page: Page, group: str) -> None:
    go_to(page, "Verantwoording")
    section = page.get_by_role("region", name=re.compile(f"^{re.escape(group)} "))
    row = section.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verantwoordingsverslag {YEAR}")


def region_reports(page: Page) -> None:
    open_the_report(page, "Te laat")
    page.get_by_label("Doel: Doelen van het project", exact=True).fill(
        "Een wachtlijstcoach hielp 30 gezinnen tijdens het wachten."
    )
    # An allocation has no budget lines: the one line is what was allocated.
    page.get_by_label(f"Toewijzing: {TITLE} (begroot € 10.000,00) — besteed (€)", exact=True).fill(
        "9.000,00"
    )
    page.get_by_label("Wat werkte", exact=True).fill("Vaste coach per gezin.")
    page.get_by_label("Wat werkte niet", exact=True).fill("Te late start.")
    page.get_by_label("Wat moeten anderen weten", exact=True).fill("Begin vroeg in het jaar.")
    declaration(page).check()
    page.get_by_role("button", name="Verslag indienen").click()
    expect(flash(page, "Het verslag is ingediend; de coördinator beoordeelt het.")).to_be_visible()


def coordinator_settles(page: Page) -> None:
    open_the_report(page, "Ontvangen")
    confirm(page, "Goedkeuren en vaststellen")
    expect(flash(page, "Het verslag is goedgekeurd en de subsidie is vastgesteld.")).to_be_visible()
    open_year(page)
    page.locator("main summary").filter(has_text=re.compile(f"^{re.escape(THEME)}: ")).click()
    projects = page.get_by_role("table", name=f"Projecten van {THEME}")
    projects.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(fact(page, "Vastgesteld")).to_contain_text("€ 9.000,00")
    expect(fact(page, "Betaald")).to_have_text("€ 9.000,00")
    expect(fact(page, "Gerealiseerd")).to_have_text("€ 9.000,00")
    expect(fact(page, "Vrijgevallen")).to_have_text("€ 1.000,00")
    expect(fact(page, "Oorspronkelijk verleend")).to_have_text("€ 10.000,00")


def test_a_direct_allocation_from_decision_to_settlement(page: Page) -> None:
    log_in(page, COORDINATOR)
    coordinator_allocates(page)
    coordinator_pays_the_advance(page)
    log_out(page)

    log_in(page, REGION_OFFICER)
    region_reports(page)
    log_out(page)

    log_in(page, COORDINATOR)
    coordinator_settles(page)
