"""One granted project from the budget year to its final amount, clicked through.

The demo grants "Expertpool hoogspecialistische zorgvragen" (Midden-Holland, 2021-09-01 to
2022-12-31, € 276.100,00). Zuid-West commits each year's part in that year's budget, so the 2021
project carries the budget's 2021 line (€ 26.600,00, an 80 % advance paid) and runs to the end
of 2021; the € 249.500,00 of 2022 waits for the 2022 budget. The coordinator reads the 2021
budget and the project statement (with the year still to come), and tries a final payment that
would pay more than the commitment (refused, nothing booked). The region officer of
Midden-Holland hands in the 2021 report, the final one of this year's part (first forgetting
the declaration). The coordinator accepts it with a lower final amount than reported (after
one amount above it), which settles the 2021 part: what was not spent is released to the
theme, what was paid too much is recovered. The expected figures are computed here from the
amounts typed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_login_journeys import log_in
from tests.browser.test_review_journey import confirm

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@example.org"
REGION_OFFICER = "regio@example.org"

YEAR = "2021"
THEME = "Hoogspecialistische zorgvragen"
TITLE = "Expertpool hoogspecialistische zorgvragen"
GOAL = "Jongeren krijgen binnen vier weken passende hulp dicht bij huis."
CATEGORIES = ("1. Proceskosten", "2. Thema's", "3. Leren en ontwikkelen", "4. Onvoorzien")

# The demo's grant and advance: the 2021 line of the proposal's budget, 80 % of it paid.
COMMITTED = 2_660_000
LATER_YEAR = "€ 249.500,00"
ADVANCE = COMMITTED * 8 // 10

# What the region reports per budget line of the proposal (label start, budgeted, spent).
LINES_2021 = [("2021 · Projectleider, 0,4 fte", "26.600,00", "25.000,00")]
REPORT = "2021 (eind)"  # the 2021 part's own, final report
# The coordinator settles lower than reported: not every planned activity took place.
TOO_HIGH_FINAL = "25.000,01"
FINAL = "20.000,00"


# --- money in Dutch notation --------------------------------------------------------------------


def cents(text: str) -> int:
    """'€ 1.234,56' -> 123456 (the test's own reading, independent of the portal's)."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    sign = -1 if cleaned.startswith("-") else 1
    whole, _, fraction = cleaned.lstrip("-").partition(",")
    return sign * (int(whole.replace(".", "")) * 100 + int((fraction or "0").ljust(2, "0")))


def euro(amount: int) -> str:
    """123456 -> '€ 1.234,56'."""
    whole, rest = divmod(abs(amount), 100)
    return f"{'-' if amount < 0 else ''}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


REPORTED = sum(cents(spent) for _, _, spent in LINES_2021)
RELEASED = COMMITTED - cents(FINAL)
RECOVERED = ADVANCE - cents(FINAL)
assert RECOVERED > 0, "the journey settles below the advance, so part of it comes back"


# --- small helpers ------------------------------------------------------------------------------


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def go_to(page: Page, menu_item: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=menu_item).click()


def flash(page: Page, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


def fact(page: Page, term: str) -> Locator:
    """The value (dd) after a term (dt) of the project statement."""
    return (
        page.get_by_role("term")
        .filter(has_text=re.compile(f"^{re.escape(term)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def open_year(page: Page) -> None:
    go_to(page, "Begroting")
    expect(page.get_by_role("heading", level=1)).to_have_text("Begroting")
    page.get_by_role("link", name=YEAR, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Begroting {YEAR}")


def ledger_table(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile("^Stand per categorie"))


def theme_available(page: Page) -> int:
    """The theme's "Beschikbaar" on the year page, in cents."""
    table = ledger_table(page)
    headers = table.get_by_role("columnheader").all_inner_texts()
    column = headers.index("Beschikbaar")
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=THEME, exact=True))
    return cents(row.get_by_role("cell").nth(column).inner_text())


def open_project(page: Page) -> None:
    # The year page folds its projects per budget line; opening the theme's group fetches them.
    page.locator("main summary").filter(has_text=re.compile(f"^{re.escape(THEME)}: ")).click()
    projects = page.get_by_role("table", name=f"Projecten van {THEME}")
    expect(projects.get_by_role("columnheader", name="Project", exact=True)).to_be_visible()
    projects.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def report_row(page: Page, group: str, year: str) -> Locator:
    """The row of this project's report for `year` in a group of the deadlines page."""
    section = page.get_by_role("region", name=re.compile(f"^{re.escape(group)} "))
    return (
        section.get_by_role("row")
        .filter(has=page.get_by_role("link", name=TITLE, exact=True))
        .filter(has=page.get_by_role("cell", name=year, exact=True))
    )


def spent_field(page: Page, line: str, budgeted: str) -> Locator:
    return page.get_by_label(f"{line} (begroot € {budgeted}) — besteed (€)", exact=True)


# --- the coordinator reads the year and the statement --------------------------------------------


def coordinator_reads_the_year(page: Page) -> int:
    open_year(page)
    table = ledger_table(page)
    category_headers = table.get_by_role("rowheader").filter(has_text=re.compile(r"^\d\. "))
    expect(category_headers).to_have_text(list(CATEGORIES))
    expect(table.get_by_role("link", name=THEME, exact=True)).to_be_visible()

    chart = page.locator("figure svg[role=img]")
    expect(chart).to_be_visible()
    expect(page.get_by_role("img", name=f"Begroting {YEAR}")).to_be_visible()
    # The chart's description carries every figure, for whoever cannot see the bars.
    expect(chart).to_have_accessible_description(
        re.compile(f"{re.escape(THEME)}: budget € [\\d.]+,\\d\\d, verplicht ")
    )
    return theme_available(page)


def coordinator_cannot_overpay(page: Page) -> None:
    open_project(page)
    expect(fact(page, "Verplicht (na wijzigingen en vrijval)")).to_have_text(euro(COMMITTED))
    expect(fact(page, "Betaald")).to_have_text(euro(ADVANCE))
    expect(fact(page, "Nog te betalen")).to_have_text(euro(COMMITTED - ADVANCE))
    expect(fact(page, "Vastgesteld")).to_have_text("nog niet")
    expect(fact(page, "Betaalschema")).to_have_text("80 % bij verlening, de rest na vaststelling")
    entries = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Nr."))
    entry_rows = entries.get_by_role("row")
    expect(entry_rows).to_have_count(3)  # header, commitment, advance

    # One cent more than what is still open.
    too_much = euro(COMMITTED - ADVANCE + 1).removeprefix("€ ")
    payment = page.get_by_role("region", name="Betaling boeken")
    payment.get_by_label("Soort").select_option(label="Nabetaling")
    payment.get_by_label("Bedrag (€)").fill(too_much)
    payment.get_by_label("Kenmerk betaling").fill("NB-2022-001")
    payment.get_by_role("button", name="Betaling boeken").click()

    expect(page.get_by_role("alert")).to_have_text(
        f"{TITLE}: betalingen ({euro(COMMITTED + 1)}) mogen de verplichting "
        f"({euro(COMMITTED)}) niet overschrijden. Er is niets geboekt."
    )
    # Nothing booked, nothing typed lost.
    expect(fact(page, "Betaald")).to_have_text(euro(ADVANCE))
    expect(fact(page, "Nog te betalen")).to_have_text(euro(COMMITTED - ADVANCE))
    expect(entry_rows).to_have_count(3)
    expect(entries).not_to_contain_text("Nabetaling")
    payment = page.get_by_role("region", name="Betaling boeken")
    expect(payment.get_by_label("Soort")).to_have_value("final_payment")
    expect(payment.get_by_label("Bedrag (€)")).to_have_value(too_much)
    expect(payment.get_by_label("Kenmerk betaling")).to_have_value("NB-2022-001")
    # The rest is paid (or recovered) with the settlement, not now.


# --- the region officer reports ------------------------------------------------------------------


def open_report(page: Page, group: str, year: str) -> None:
    go_to(page, "Verantwoording")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verantwoording en termijnen")
    row = report_row(page, group, year)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verantwoordingsverslag {year[:4]}")


def fill_report(page: Page, lines: list[tuple[str, str, str]], year: str) -> None:
    page.get_by_label(f"Doel: {GOAL}", exact=True).fill(
        f"In {year} kregen 14 jongeren binnen vier weken hulp van de expertpool."
    )
    spending = page.get_by_role("group", name="Gerealiseerde uitgaven per begrotingspost")
    expect(spending.get_by_role("textbox")).to_have_count(len(lines))
    for line, budgeted, spent in lines:
        spent_field(page, line, budgeted).fill(spent)
    page.get_by_label("Wat werkte", exact=True).fill(f"{year}: vaste experts per casus.")
    page.get_by_label("Wat werkte niet", exact=True).fill("Wisselende contactpersonen.")
    page.get_by_label("Wat moeten anderen weten", exact=True).fill("Spreek vooraf tarieven af.")


def declaration(page: Page) -> Locator:
    return page.get_by_label(re.compile("^Wij verklaren dat aan de voorwaarden is voldaan"))


def submit_report(page: Page) -> None:
    page.get_by_role("button", name="Verslag indienen").click()
    expect(flash(page, "Het verslag is ingediend; de coördinator beoordeelt het.")).to_be_visible()


def region_reports_2021_forgetting_the_declaration(page: Page) -> None:
    open_report(page, "Te laat", REPORT)
    expect(page.locator(".fp-lead")).to_contain_text("eindverslag: stelt de subsidie vast")
    fill_report(page, LINES_2021, YEAR)
    page.get_by_role("button", name="Verslag indienen").click()

    expect(page.get_by_text("Er is 1 probleem met het formulier")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("^Verklaring: Verklaar dat aan de voorwaarden"))
    ).to_have_attribute("href", "#veld-preconditions_met")
    expect(declaration(page)).to_have_attribute("aria-invalid", "true")
    expect(declaration(page)).to_have_accessible_description(
        re.compile("aanbestedingsrecht en het inkoopbeleid van de regio")
    )
    expect(declaration(page)).not_to_be_checked()
    # Everything typed is still there.
    expect(page.get_by_label(f"Doel: {GOAL}", exact=True)).to_have_value(
        f"In {YEAR} kregen 14 jongeren binnen vier weken hulp van de expertpool."
    )
    for line, budgeted, spent in LINES_2021:
        expect(spent_field(page, line, budgeted)).to_have_value(spent)
    expect(page.get_by_label("Wat werkte", exact=True)).to_have_value(
        f"{YEAR}: vaste experts per casus."
    )
    expect(page.get_by_label("Wat werkte niet", exact=True)).to_have_value(
        "Wisselende contactpersonen."
    )
    expect(page.get_by_label("Wat moeten anderen weten", exact=True)).to_have_value(
        "Spreek vooraf tarieven af."
    )

    declaration(page).check()
    submit_report(page)
    expect(report_row(page, "Ontvangen", REPORT)).to_contain_text("ingediend")


# --- the coordinator accepts and settles ---------------------------------------------------------


def coordinator_settles(page: Page) -> None:
    open_report(page, "Ontvangen", REPORT)
    spending = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Besteed")
    )
    expect(spending.get_by_role("row", name=re.compile("^Totaal"))).to_contain_text(euro(REPORTED))
    final = page.get_by_label("Vast te stellen bedrag (€)")
    settle = page.locator("summary").filter(has_text="Goedkeuren en vaststellen")

    # Above what was reported: refused, the report stays submitted.
    final.fill(TOO_HIGH_FINAL)
    confirm(page, "Goedkeuren en vaststellen")
    expect(page.get_by_role("alert")).to_have_text(
        f"Het vastgestelde bedrag ({euro(cents(TOO_HIGH_FINAL))}) is hoger dan de verantwoorde "
        f"uitgaven ({euro(REPORTED)})."
    )
    expect(final).to_have_value(TOO_HIGH_FINAL)

    final.fill(FINAL)
    confirm(page, "Goedkeuren en vaststellen")
    expect(flash(page, "Het verslag is goedgekeurd en de subsidie is vastgesteld.")).to_be_visible()
    expect(settle).to_have_count(0)


def coordinator_checks_the_settlement(page: Page, available_before: int) -> None:
    open_year(page)
    # What was committed and not spent goes back to the theme.
    assert theme_available(page) == available_before + RELEASED

    open_project(page)
    final = cents(FINAL)
    expect(fact(page, "Verplicht (na wijzigingen en vrijval)")).to_have_text(euro(final))
    expect(fact(page, "Betaald")).to_have_text(euro(final))
    expect(fact(page, "Gerealiseerd")).to_have_text(euro(final))
    expect(fact(page, "Vrijgevallen")).to_have_text(euro(RELEASED))
    expect(fact(page, "Teruggevorderd")).to_have_text(euro(RECOVERED))
    expect(fact(page, "Nog te betalen")).to_have_text(euro(0))
    expect(fact(page, "Vastgesteld")).to_contain_text(f"{euro(final)} op ")
    expect(page.get_by_role("region", name="Betaling boeken")).to_have_count(0)
    reports = page.get_by_role("list").filter(has=page.get_by_role("link", name="Verslag 2021"))
    expect(reports.get_by_role("listitem")).to_have_text(
        [re.compile(r"^Verslag 2021 \(eindverslag\), .*: goedgekeurd$")]
    )
    # The 2022 part is its own: it still waits for the division of the 2022 budget.
    later = page.get_by_role("region", name="Meerjarige toekenning")
    expect(later).to_contain_text(LATER_YEAR)
    expect(later).to_contain_text("wacht op de indeling van de begroting 2022")

    page.get_by_role("link", name="vaststellingsbeschikking").click()
    letter = page.locator("article")
    expect(letter.get_by_role("heading", level=1)).to_have_text("Vaststellingsbeschikking")
    expect(letter).to_contain_text(f'project "{TITLE}"')
    expect(letter).to_contain_text(f"stelt de gemeente Rotterdam de subsidie vast op {euro(final)}")
    items = letter.get_by_role("listitem")
    expect(items.filter(has_text="Betaald als voorschot")).to_have_text(
        f"Betaald als voorschot: {euro(ADVANCE)}"
    )
    expect(items.filter(has_text="Niet besteed")).to_have_text(
        f"Niet besteed (vervalt): {euro(RELEASED)}"
    )
    expect(items.filter(has_text="Terug te betalen")).to_have_text(
        f"Terug te betalen: {euro(RECOVERED)}"
    )
    expect(letter).to_contain_text("U ontvangt een betalingsverzoek")


# --- the journey --------------------------------------------------------------------------------


def test_coordinator_and_region_settle_a_granted_project(page: Page) -> None:
    log_in(page, COORDINATOR)
    available_before = coordinator_reads_the_year(page)
    coordinator_cannot_overpay(page)
    log_out(page)

    log_in(page, REGION_OFFICER)
    region_reports_2021_forgetting_the_declaration(page)
    log_out(page)

    log_in(page, COORDINATOR)
    coordinator_settles(page)
    coordinator_checks_the_settlement(page, available_before)
