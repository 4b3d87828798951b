"""The proposal form and the review form used with the keyboard only (issue 8, WCAG 2.1.1, 2.4.3,
2.4.7, 3.3.1 and 3.3.3).

No mouse clicks and no Playwright `fill`/`check`/`select_option` on the forms under test: focus
moves with Tab/Shift+Tab, choices are made with Space and the arrow keys, buttons and links are
activated with Enter, text is typed. On every focus stop the test checks that focus is visible
(the element matches :focus-visible and draws an outline or box-shadow). After a refused submit
the error summary must take focus, link to the fields, and keep what was typed.

Log-ins go through the shared `log_in` helper (it handles the two-factor step) and the set-up
steps that are not under test (the region officer submitting, the coordinator assigning a
reviewer) use ordinary Playwright. Each test creates its own proposal, so the demo proposals that
other browser tests rely on are left alone and the order of tests does not matter.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.test_accessibility import assert_no_serious_violations
from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser

APPLICANT = "aanvrager@example.org"
REGION_OFFICER = "regio@example.org"
COORDINATOR = "coordinator@example.org"
AO_MEMBER = "ao@example.org"
AO_NAME = "Olga AO-lid"
ROUND = "Ronde 2021: bovenregionale thema's"

# What the page knows about the focused element: enough to say where focus is and whether a
# sighted keyboard user can see it.
FOCUS_INFO = """(target) => {
    const el = document.activeElement;
    if (!el || el === document.body) {
        return {tag: 'body', isTarget: false, targetBefore: false, indicator: false};
    }
    // A date field's calendar button is inside the browser's shadow DOM: the field itself is
    // then only :focus-within, and must show the ring all the same.
    const inOwnShadow = !el.matches(':focus') && el.matches(':focus-within');
    const focusVisible = el.matches(':focus-visible') || inOwnShadow;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    const box = el.getBoundingClientRect();
    // The place in the page, whatever has scrolled: the window and any box that scrolls on
    // its own (the review page's two columns).
    let scrolled = window.scrollY;
    for (let up = el.parentElement; up && up !== document.scrollingElement; up = up.parentElement) {
        scrolled += up.scrollTop;
    }
    const label = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        name: (el.getAttribute('aria-label') || label || '').replace(/\\s+/g, ' ').trim(),
        isTarget: target !== null && el === target,
        // The target comes before the focused element: Shift+Tab is the way there.
        targetBefore: target !== null && el !== target
            && Boolean(target.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
        focusVisible: focusVisible,
        indicator: focusVisible && (outline || shadow),
        top: box.top + scrolled,
        left: box.left + window.scrollX,
    };
}"""


@dataclass
class Keyboard:
    """Keyboard-only operation of a page, remembering every focus stop."""

    page: Page
    stops: list[dict[str, Any]] = field(default_factory=list)

    def focused(self, target: Locator | None = None) -> dict[str, Any]:
        handle = target.element_handle() if target is not None else None
        return self.page.evaluate(FOCUS_INFO, handle)

    def tab_to(self, target: Locator, *, limit: int = 80) -> None:
        """Press Tab, or Shift+Tab when the target is further up, until `target` has focus.

        Every focus stop on the way must show its focus.
        """
        expect(target).to_be_visible()
        handle = target.element_handle()
        now = self.page.evaluate(FOCUS_INFO, handle)
        if now["isTarget"]:
            return  # already there, e.g. after following a link of the error summary
        key = "Shift+Tab" if now["targetBefore"] else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            info = self.page.evaluate(FOCUS_INFO, handle)
            self.stops.append(info)
            assert info["indicator"], f"focus is not visible on {info}"
            if info["isTarget"]:
                return
        pytest.fail(f"{target} not reached with {limit}× {key}; last stops: {self.stops[-5:]}")

    def press_on(self, target: Locator, key: str = "Enter") -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        # Replace what is there, as a person would: select all, then type over it.
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)
        expect(target).to_have_value(text)

    def type_date(self, date: Locator, iso: str) -> None:
        """Type a date into <input type=date>, segment by segment, as a person does.

        The order of the segments follows the browser's own language, not the page's (the
        headless chromium of the tests may show mm/dd/jjjj), so it is probed first: type 01-02
        and see which became the month. Shift+Tab moves back through the segments.
        """
        year, month, day = iso.split("-")
        self.tab_to(date)
        self.page.keyboard.type("01022021")
        day_first = date.input_value() == "2021-02-01"
        self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.type((day + month if day_first else month + day) + year)
        expect(date).to_have_value(iso)

    def choose(self, select: Locator, option: str) -> None:
        """Pick an option of a closed <select> with the arrow keys."""
        self.tab_to(select)
        self.page.keyboard.press("Home")
        for _ in range(60):
            if select.evaluate("el => el.selectedOptions[0].textContent.trim()") == option:
                return
            self.page.keyboard.press("ArrowDown")
        pytest.fail(f"option {option!r} not reached with the arrow keys in {select}")

    def tick(self, checkbox: Locator) -> None:
        self.tab_to(checkbox)
        self.page.keyboard.press("Space")
        expect(checkbox).to_be_checked()

    def pick_radio(self, group: Locator, radio: Locator) -> None:
        """Tab into a radio group, then Space / arrow keys until `radio` is checked."""
        self.tab_to(group.get_by_role("radio").first)
        self.page.keyboard.press("Space")
        for _ in range(10):
            if radio.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        pytest.fail(f"{radio} not reached with the arrow keys")

    def order_since(self, start: int) -> list[str]:
        return [stop["id"] or stop["name"] for stop in self.stops[start:]]


# --- shared checks ------------------------------------------------------------------------------


def assert_reading_order(stops: list[dict[str, Any]]) -> None:
    """Focus goes down the page (or along a row), never back up: WCAG 2.4.3."""
    for before, after in itertools.pairwise(stops):
        assert after["top"] >= before["top"] - 2, f"focus jumps up from {before} to {after}"


def assert_error_summary_leads_to(kb: Keyboard, link_text: str, field_: Locator) -> None:
    """The error summary has focus, is announced (role=alert) and its link moves focus to the field."""
    summary = kb.page.locator(".fp-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("alert")).to_contain_text(
        re.compile(r"(probleem|problemen) met het formulier")
    )
    link = summary.get_by_role("link", name=re.compile(re.escape(link_text)))
    kb.press_on(link)
    expect(field_).to_be_focused()
    expect(field_).to_have_attribute("aria-invalid", "true")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login$"))


# --- the applicant: a whole proposal by keyboard ------------------------------------------------


def new_proposal(kb: Keyboard, title: str) -> None:
    page = kb.page
    # The first Tab on a page reaches the skip link, which jumps past the header and menu.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    kb.press_on(menu.get_by_role("link", name="Voorstellen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn voorstellen")
    kb.press_on(page.get_by_role("link", name="Nieuw voorstel"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw projectvoorstel")

    # Sent empty: refused, with the summary focused and linking to the fields.
    kb.press_on(page.get_by_role("button", name="Concept aanmaken"))
    assert_error_summary_leads_to(kb, "Ronde", page.get_by_label("Ronde"))

    kb.choose(page.get_by_label("Ronde"), ROUND)
    kb.type_into(page.get_by_label("Titel van het voorstel"), title)
    page.keyboard.press("Enter")  # Enter in a text field sends the form
    # No fragment of the followed error link (#veld-round) carried through the redirect.
    expect(page).to_have_url(re.compile(r"/voorstellen/\d+/bewerken/algemeen$"))
    expect(page.get_by_role("status")).to_contain_text("Het concept is aangemaakt.")


def save_and_next(kb: Keyboard, saved: str, next_heading: str) -> None:
    kb.press_on(kb.page.get_by_role("button", name="Opslaan en verder"))
    expect(kb.page.get_by_role("status")).to_contain_text(f"Onderdeel {saved} is opgeslagen.")
    expect(kb.page.get_by_role("heading", level=1)).to_have_text(next_heading)


def general(kb: Keyboard, title: str) -> None:
    page = kb.page
    title_field = page.get_by_label("Titel", exact=True)
    expect(title_field).to_have_value(title)
    kb.tab_to(title_field)
    start = len(kb.stops) - 1
    kb.type_into(page.get_by_label("Samenvatting"), "Consultatie op afstand voor wachtenden.")
    kb.choose(page.get_by_label("Thema"), "Wachtlijstproblematiek")
    kb.choose(page.get_by_label("Indienende jeugdhulpregio"), "Midden-Holland")
    kb.choose(page.get_by_label("Penvoerende organisatie"), "Stichting De Kleine Haven")
    contact = page.get_by_role("group", name="Contactpersoon")
    kb.type_into(contact.get_by_label("Naam"), "Anna Aanvrager")
    kb.type_into(contact.get_by_label("E-mailadres"), "aanvrager@example.org")
    kb.type_into(contact.get_by_label("Telefoon"), "0182 123 456")
    kb.tab_to(page.get_by_role("button", name="Opslaan en verder"))
    # The focus order is the order of the form, top to bottom, with nothing in between.
    assert kb.order_since(start) == [
        "veld-title",
        "veld-summary",
        "veld-theme",
        "veld-region",
        "veld-lead_organisation",
        "veld-contact_name",
        "veld-contact_email",
        "veld-contact_phone",
        "Opslaan",
        "Opslaan en verder",
    ]
    assert_reading_order(kb.stops[start:])
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Onderdeel Algemeen is opgeslagen.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bouwteam")


def bouwteam(kb: Keyboard) -> None:
    page = kb.page
    members = {
        "Jeugdhulpregio": ("Ruben Regio", "Regio Midden-Holland"),
        "Expertteam": ("Esra Expert", "Regionaal Expertteam Haaglanden"),
        "Cliëntperspectief": ("Chris Cliënt", "Ouderplatform Jeugd Zuid-West"),
        "Onderzoek / wetenschap": ("Wendy Wetenschap", "Kenniswerkplaats Jeugd Zuid-West"),
    }
    # The section menu comes first (left column); the order check starts at the first field.
    kb.tab_to(page.get_by_label("Jeugdhulpregio: naam"))
    start = len(kb.stops) - 1
    for role, (name, organisation) in members.items():
        kb.type_into(page.get_by_label(f"{role}: naam"), name)
        kb.type_into(page.get_by_label(f"{role}: organisatie"), organisation)
    assert_reading_order(kb.stops[start:])
    # The kartrekker: Shift+Tab back to the radio of the expert team's row, arrow keys choose.
    kartrekker = page.get_by_label("Expertteam is kartrekker")
    kb.tab_to(page.get_by_label("Jeugdhulpregio is kartrekker"))
    page.keyboard.press("ArrowDown")
    expect(kartrekker).to_be_checked()
    expect(kartrekker).to_be_focused()
    save_and_next(kb, "Bouwteam", "Doelen en aanpak")


def content(kb: Keyboard) -> None:
    page = kb.page
    kb.type_into(page.get_by_label("Doelen", exact=True), "Binnen twee weken consultatie.")
    kb.type_into(page.get_by_label("Resultaten"), "Kortere wachttijd.")
    kb.type_into(page.get_by_label("Activiteiten en planning"), "2021 opzet, 2022 uitvoering.")
    kb.type_into(page.get_by_label("Doelgroep"), "Jongeren tot 23 jaar.")
    kb.type_date(page.get_by_label("Begindatum"), "2021-09-01")
    kb.type_date(page.get_by_label("Einddatum"), "2022-12-31")
    save_and_next(kb, "Doelen en aanpak", "Criteria")


def criteria(kb: Keyboard) -> None:
    page = kb.page
    kb.tick(page.get_by_label("Consultatie en advies aan behandelaren wanneer jeugdhulp stagneert"))
    goal = "Eerder (jeugd)hulp bieden op maat voor kwetsbare kinderen"
    kb.tick(page.get_by_label(goal, exact=True))
    kb.type_into(page.get_by_label(f"Toelichting: {goal}"), "Consultatie voorkomt escalatie.")
    participating = page.get_by_role("group", name="Welke regio's nemen deel?")
    for region in ("Midden-Holland", "Haaglanden", "Zuid-Holland Zuid"):
        kb.tick(participating.get_by_label(region))
    benefiting = page.get_by_role("group", name="Welke regio's hebben er baat bij?")
    kb.tick(benefiting.get_by_label("Rotterdam Rijnmond"))
    kb.type_into(
        page.get_by_label("Waarom speelt dit in het hele netwerk?"), "Overal wachtlijsten."
    )
    kb.type_into(page.get_by_label("Wat maakt het voorstel vernieuwend?"), "Expertise komt langs.")
    offer = page.get_by_role("group", name="Breidt het voorstel een bestaand zorgaanbod uit?")
    kb.pick_radio(offer, page.get_by_label("Nee, het voorstel breidt geen bestaand zorgaanbod uit"))
    save_and_next(kb, "Criteria", "Inkoop")


def procurement(kb: Keyboard) -> None:
    page = kb.page
    kb.type_into(page.get_by_label("Naam van de geraadpleegde inkoopexpert"), "Ingrid Inkoop")
    kb.type_into(page.get_by_label("Organisatie van de inkoopexpert"), "Inkoopbureau Jeugd")
    save_and_next(kb, "Inkoop", "Begroting")


def budget(kb: Keyboard) -> None:
    """Two lines and an amount with three decimals (refused), then the right amount."""
    page = kb.page
    requested = page.get_by_label("Gevraagd bedrag (€)")
    kb.type_into(requested, "12,345")
    kb.choose(page.get_by_label("Regel 1: Soort", exact=True), "Personeel (uren × uurtarief)")
    kb.choose(page.get_by_label("Regel 1: Jaar", exact=True), "2021")
    kb.type_into(page.get_by_label("Regel 1: Omschrijving", exact=True), "Projectleider")
    kb.type_into(page.get_by_label("Regel 1: Uren", exact=True), "120")
    kb.type_into(page.get_by_label("Regel 1: Uurtarief", exact=True), "95,50")
    kb.choose(page.get_by_label("Regel 2: Soort", exact=True), "Materiële kosten")
    kb.choose(page.get_by_label("Regel 2: Jaar", exact=True), "2022")
    kb.type_into(page.get_by_label("Regel 2: Omschrijving", exact=True), "Evaluatie")
    amount = page.get_by_label("Regel 2: Bedrag", exact=True)
    kb.type_into(amount, "2.500,75")
    # The live totals (htmx) refresh while typing; focus stays where the person is typing.
    totals = page.locator("#begroting-totalen")
    expect(totals.get_by_role("row", name="Totaal begroting")).to_contain_text("€ 13.960,75")
    expect(amount).to_be_focused()

    kb.press_on(page.get_by_role("button", name="Opslaan", exact=True))
    expect(page.get_by_text("Er is 1 probleem met het formulier")).to_be_visible()
    assert_error_summary_leads_to(kb, "Gevraagd bedrag", requested)
    expect(requested).to_have_accessible_description(re.compile("twee cijfers achter de komma"))
    # This state (a refused budget, with live totals) is only reached by typing: check it too.
    assert_no_serious_violations(page)
    # Nothing typed is lost.
    expect(requested).to_have_value("12,345")
    expect(page.get_by_label("Regel 1: Uurtarief", exact=True)).to_have_value("95,50")
    expect(page.get_by_label("Regel 2: Soort", exact=True)).to_have_value("material")
    expect(amount).to_have_value("2.500,75")

    # Focus is on the refused field: correct it right there.
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("13.960,75")
    save_and_next(kb, "Begroting", "Bijlagen")


def complete_proposal_by_keyboard(page: Page, title: str) -> Keyboard:
    """An applicant's new proposal, every section filled, set ready for the region."""
    kb = Keyboard(page)
    new_proposal(kb, title)
    general(kb, title)
    bouwteam(kb)
    content(kb)
    criteria(kb)
    procurement(kb)
    budget(kb)
    kb.press_on(page.get_by_role("link", name="Naar het voorstel"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#checklist [data-status=fail]")).to_have_count(0)
    kb.press_on(page.get_by_role("button", name="Klaar voor de regio"))
    expect(page.get_by_role("status")).to_contain_text("de status 'Klaar voor de regio'")
    expect(page.locator("[data-state]").first).to_have_text("Klaar voor de regio")
    return kb


def test_applicant_writes_a_proposal_with_the_keyboard_only(page: Page) -> None:
    log_in(page, APPLICANT)
    kb = complete_proposal_by_keyboard(page, "Toetsenbord: consultatie op afstand")
    # Every stop was checked on the way; make sure there were plenty of them.
    assert len(kb.stops) > 60
    assert all(stop["focusVisible"] for stop in kb.stops)


# --- the reviewer: a review by keyboard ---------------------------------------------------------


def submit_and_assign(page: Page, title: str) -> None:
    """Not under test: the region officer submits, the coordinator assigns the AO member."""
    proposal_url = page.url
    log_out(page)
    log_in(page, REGION_OFFICER)
    page.goto(proposal_url)
    page.get_by_role("link", name="Indienen namens de regio").click()
    page.get_by_role("button", name="Definitief indienen").click()
    expect(page.get_by_role("status")).to_contain_text("de status 'Ingediend'")
    log_out(page)

    log_in(page, COORDINATOR)
    page.goto(proposal_url.replace("/voorstellen/", "/beoordeling/voorstellen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Beoordelaar toewijzen").select_option(label=AO_NAME)
    page.get_by_role("button", name="Toewijzen").click()
    expect(page.get_by_role("status").first).to_be_visible()
    log_out(page)


CRITERIA = (
    ("C1 Duurzame transformatie", 4),
    ("C2 Bovenregionaal belang", 3),
    ("C3 Past binnen de drie functies", 5),
    ("C4 Samenhang van doelen, activiteiten en middelen", 4),
)


def test_reviewer_scores_a_proposal_with_the_keyboard_only(page: Page) -> None:
    title = "Toetsenbord: nachtopvang met het expertteam"
    log_in(page, APPLICANT)
    complete_proposal_by_keyboard(page, title)
    submit_and_assign(page, title)

    log_in(page, AO_MEMBER)
    kb = Keyboard(page)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    kb.press_on(menu.get_by_role("link", name="Mijn beoordelingen"))
    kb.press_on(page.get_by_role("link", name=title, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling van {title}")

    # The proposal comes first, in its own column on a wide screen: the form's reading order
    # is checked from its first field on.
    first = page.get_by_role("group", name=CRITERIA[0][0], exact=True).get_by_role("radio").first
    kb.tab_to(first)
    start = len(kb.stops) - 1
    for label, score in CRITERIA:
        group = page.get_by_role("group", name=label, exact=True)
        if not label.startswith("C4"):  # C4's score is forgotten on purpose
            kb.pick_radio(group, group.get_by_role("radio", name=str(score), exact=True))
        if not label.startswith("C2"):  # and so is C2's motivation
            kb.type_into(group.get_by_label("Motivering"), f"Motivering {label[:2]}.")
    # The running mean (htmx, in a live region) follows the choices without taking focus.
    expect(page.locator("#lopend-gemiddelde")).to_have_text("Gemiddelde van uw scores: 4,0")
    for label, value in (
        ("R1 Ondersteunend aan de bestaande infrastructuur", "Voldoet"),
        ("R3 Verantwoording geregeld", "Voldoet"),
        ("R4 Rechtmatig (aanbestedingsrecht)", "Voldoet"),
    ):
        group = page.get_by_role("group", name=label, exact=True)
        kb.pick_radio(group, group.get_by_label(value, exact=True))
    kb.choose(page.get_by_label("Uw advies", exact=True), "Toekennen")
    kb.type_into(page.get_by_label("Toelichting op uw advies"), "Toekennen; goed onderbouwd.")
    assert_reading_order(kb.stops[start:])

    kb.press_on(page.get_by_role("button", name="Beoordeling indienen"))
    expect(page.get_by_text("Er zijn 2 problemen met het formulier")).to_be_visible()
    assert_no_serious_violations(page)
    # Nothing chosen or typed is lost.
    for label, score in CRITERIA[:3]:
        group = page.get_by_role("group", name=label, exact=True)
        expect(group.get_by_role("radio", name=str(score), exact=True)).to_be_checked()
    expect(page.get_by_label("Toelichting op uw advies")).to_have_value(
        "Toekennen; goed onderbouwd."
    )
    # A missing score: the summary's link lands in the radio group, which carries the message.
    c4 = page.get_by_role("group", name=CRITERIA[3][0], exact=True)
    first_c4 = c4.get_by_role("radio", name="1", exact=True)
    assert_error_summary_leads_to(kb, "Geef een score voor C4", first_c4)
    expect(first_c4).to_have_accessible_description(re.compile("Geef een score voor C4"))
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(c4.get_by_role("radio", name="4", exact=True)).to_be_checked()
    expect(page.locator("#lopend-gemiddelde")).to_have_text("Gemiddelde van uw scores: 4,0")
    # The missing motivation: its message is read with the field; Shift+Tab goes back up to it.
    c2_motivation = page.get_by_role("group", name=CRITERIA[1][0], exact=True).get_by_label(
        "Motivering"
    )
    expect(c2_motivation).to_have_attribute("aria-invalid", "true")
    expect(c2_motivation).to_have_accessible_description(re.compile("Motiveer de score."))
    kb.type_into(c2_motivation, "Twee regio's doen mee.")
    kb.press_on(page.get_by_role("button", name="Beoordeling indienen"))
    expect(
        page.get_by_role("status").filter(has_text="Uw beoordeling is ingediend.")
    ).to_be_visible()
    # The page opens at the top, with the confirmation, not scrolled to the corrected field.
    expect(page).to_have_url(re.compile(r"/beoordelingen/\d+$"))
    mine = page.get_by_role("region", name="Uw beoordeling")
    expect(mine.locator('[data-criterion="C2"]')).to_contain_text("van 5")


# --- wide tables --------------------------------------------------------------------------------


def test_wide_ledger_tables_scroll_with_the_keyboard(page: Page) -> None:
    """The ledger's tables are wider than the page at 1280 px; their links sit in the first
    column, so tabbing never scrolled them and the last columns ("Ondergrens") were out of a
    keyboard user's reach. The scroll container must take focus and scroll with the arrows."""
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, COORDINATOR)
    kb = Keyboard(page)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    kb.press_on(menu.get_by_role("link", name="Begroting"))
    kb.press_on(page.locator("main").get_by_role("link", name="2021", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("2021"))
    for where in ("year", "entries"):
        if where == "entries":
            kb.press_on(page.get_by_role("link", name="Alle mutaties"))
        wide = [
            wrap
            for wrap in page.locator(".fp-table-wrap").all()
            if wrap.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        ]
        if where == "year":  # the entries table is only wider with longer texts
            assert wide, "no table scrolls sideways on the year page; this test checks nothing"
        else:
            expect(page.locator(".fp-table-wrap")).to_have_attribute("tabindex", "0")
        for wrap in wide:
            # A named region, so a screen reader says what the focused box is.
            expect(wrap).to_have_attribute("role", "region")
            assert wrap.evaluate(
                "el => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || '').length > 0"
            )
            kb.tab_to(wrap)
            page.keyboard.press("End")
            for _ in range(10):
                page.keyboard.press("ArrowRight")
            # The browser may scroll smoothly, after the key presses return: wait for it (up
            # to five seconds) rather than read the position at once, which failed under load.
            try:
                page.wait_for_function(
                    "el => el.scrollLeft > 0", arg=wrap.element_handle(), timeout=5000
                )
            except PlaywrightTimeout:
                raise AssertionError(f"{where}: the table did not scroll") from None
