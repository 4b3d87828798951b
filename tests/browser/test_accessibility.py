"""axe-core on every main page of every role: WCAG 2.0 and 2.1, levels A and AA (issue 8).

Dutch public bodies must meet WCAG 2.1 AA (Besluit digitale toegankelijkheid overheid). Each
(role, page) pair is its own test, so a failure names the page; it fails on any violation of
impact "serious" or "critical" and prints rule, impact, selectors and axe's help text.

The pages are reached the way a person reaches them: from a start path, then by following links
by their visible name (so no database ids are hard-coded and a renamed link fails loudly). The
pages come from the navigation (portal/accounts/layout.py NETWORK_NAV) and the controllers; see
docs/accessibility.md for the list and for what axe cannot check.

Nothing here changes demo data that other browser tests rely on: the pages are only read, and the
only forms sent are ones that are refused (wrong password, an empty new proposal) or that change
nothing (the password-reset request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser

# WCAG 2.0 and 2.1, A and AA: the level the law asks for. Best practices and AAA are left out on
# purpose, so that every failure here is a failure against the standard.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Passing `options` replaces the package's default ({"resultTypes": ["violations"]}), so it is
# repeated here. "passes" is needed to prove that the colour-contrast rule really ran.
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations", "passes"],
}
FAILING_IMPACTS = {"serious", "critical"}
NARROW = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}

USERS = {
    "aanvrager": "aanvrager@example.org",
    "regio": "regio@example.org",
    "ao": "ao@example.org",
    "voorzitter": "voorzitter@example.org",
    "coordinator": "coordinator@example.org",
    "beheerder": "beheerder@example.org",
}
ANONYMOUS = "anoniem"

ZW = "/n/zuid-west"
DRAFT = "Kleinschalige woonplekken met een vaste mentor"  # demo: a draft of the applicant
READY = "Wachtlijstbrug: overbruggingszorg met het expertteam"  # demo: ready for the region
IN_REVIEW = "Doorlopende lijn na detentie"  # demo: submitted, AO member and chair assigned
GRANTED = "Expertpool hoogspecialistische zorgvragen"  # demo: granted, a project in the ledger
ROUND = "Ronde 2021: bovenregionale thema's"
SECTIONS = (
    "Algemeen",
    "Bouwteam",
    "Doelen en aanpak",
    "Criteria",
    "Inkoop",
    "Begroting",
    "Bijlagen",
)


@dataclass(frozen=True)
class Target:
    """One page as one role sees it."""

    role: str
    name: str
    path: str
    # Links to follow from `path`, by accessible name, in order (the first match each time).
    follow: tuple[str, ...] = ()
    # Something to do on the page before the check, e.g. send a form that is refused, so that the
    # error state is checked too.
    action: Callable[[Page], None] | None = None
    # False for pages that show no log-in state although the person is logged in: the 404 page
    # of an unknown address is rendered before the session is read (see docs/accessibility.md).
    shows_session: bool = True

    @property
    def id(self) -> str:
        return f"{self.role}-{self.name}"


# --- states reached by an action ----------------------------------------------------------------


def _wrong_password(page: Page) -> None:
    page.get_by_label("E-mailadres").fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Het e-mailadres of wachtwoord klopt niet.")).to_be_visible()


def _reset_requested(page: Page) -> None:
    # An unknown address: the portal answers the same as for a known one and sends nothing.
    page.get_by_role("textbox").first.fill("niemand@example.org")
    page.locator("main").get_by_role("button").first.click()
    page.wait_for_load_state()


def _granted_project_from_its_group(page: Page) -> None:
    # The budget year page folds its projects per budget line: open the groups (htmx fetches
    # their rows), then follow the granted project's link.
    main = page.locator("main")
    for summary in main.locator("details > summary").all():
        summary.click()
    main.get_by_role("link", name=GRANTED, exact=True).first.click()
    page.wait_for_load_state()


def _empty_new_proposal(page: Page) -> None:
    page.get_by_role("button", name="Concept aanmaken").click()
    expect(page.get_by_text("problemen met het formulier")).to_be_visible()


# --- the pages ----------------------------------------------------------------------------------


def _pages() -> list[Target]:
    t = Target
    pages = [
        # Anonymous: what anybody on the internet can reach.
        t(ANONYMOUS, "inloggen", "/login"),
        t(ANONYMOUS, "inloggen-fout", "/login", action=_wrong_password),
        t(ANONYMOUS, "wachtwoord-vergeten", "/wachtwoord-vergeten"),
        t(
            ANONYMOUS,
            "wachtwoord-vergeten-verstuurd",
            "/wachtwoord-vergeten",
            action=_reset_requested,
        ),
        t(ANONYMOUS, "wachtwoord-herstellen-ongeldig", "/wachtwoord-herstellen/ongeldige-code"),
        t(ANONYMOUS, "uitnodiging-ongeldig", "/uitnodiging/ongeldige-code"),
        t(ANONYMOUS, "fout-404", "/deze-pagina-bestaat-niet"),
    ]
    # Every role: its start page, its account page, the projectenbank and a 404 inside the portal.
    for role in USERS:
        pages.append(t(role, "start", "/"))
        pages.append(t(role, "account", "/account"))
        pages.append(t(role, "fout-404", f"{ZW}/bestaat-niet", shows_session=False))
    for role in ("aanvrager", "regio", "ao", "voorzitter", "coordinator", "beheerder"):
        pages.append(t(role, "projectenbank", f"{ZW}/projectenbank"))
    pages += [
        # Applicant.
        t("aanvrager", "voorstellen", f"{ZW}/voorstellen"),
        t("aanvrager", "nieuw-voorstel", f"{ZW}/voorstellen/nieuw"),
        t(
            "aanvrager",
            "nieuw-voorstel-fouten",
            f"{ZW}/voorstellen/nieuw",
            action=_empty_new_proposal,
        ),
        t("aanvrager", "voorstel-concept", f"{ZW}/voorstellen", (DRAFT,)),
        t("aanvrager", "voorstel-ingediend", f"{ZW}/voorstellen", (IN_REVIEW,)),
        t("aanvrager", "voorstel-toegekend", f"{ZW}/voorstellen", (GRANTED,)),
        t("aanvrager", "voorstel-afdrukken", f"{ZW}/voorstellen", (GRANTED, "Afdrukversie")),
        t("aanvrager", "voorstel-versie", f"{ZW}/voorstellen", (GRANTED, "Versie 1")),
        *(
            t(
                "aanvrager",
                f"bewerken-{section.lower().replace(' ', '-')}",
                f"{ZW}/voorstellen",
                (DRAFT, "Bewerken", section),
            )
            for section in SECTIONS
        ),
        t("aanvrager", "projectenbank-zoeken", f"{ZW}/projectenbank?zoek=jeugd"),
        t("aanvrager", "projectenbank-project", f"{ZW}/projectenbank", (GRANTED,)),
        t("aanvrager", "projectenbank-themas", f"{ZW}/projectenbank", ("Thema's door de jaren",)),
        # Region officer.
        t("regio", "voorstellen", f"{ZW}/voorstellen"),
        t("regio", "voorstel-klaar", f"{ZW}/voorstellen", (READY,)),
        t("regio", "indienen", f"{ZW}/voorstellen", (READY, "Indienen namens de regio")),
        t("regio", "verantwoording", f"{ZW}/verantwoording"),
        t("regio", "verslag", f"{ZW}/verantwoording", (GRANTED,)),
        # Reviewers: the AO member and the expert-team chair.
        t("ao", "mijn-beoordelingen", f"{ZW}/beoordelingen"),
        t("ao", "beoordelingsformulier", f"{ZW}/beoordelingen", (IN_REVIEW,)),
        t("ao", "voorstel-lezen", f"{ZW}/beoordelingen", (IN_REVIEW, "het voorstel lezen")),
        t("ao", "fout-403", f"{ZW}/voorstellen"),
        t("voorzitter", "mijn-beoordelingen", f"{ZW}/beoordelingen"),
        t("voorzitter", "beoordelingsformulier", f"{ZW}/beoordelingen", (IN_REVIEW,)),
        # Coordinator.
        t("coordinator", "voorstellen", f"{ZW}/voorstellen"),
        t("coordinator", "voorstel", f"{ZW}/voorstellen", (IN_REVIEW,)),
        t("coordinator", "rondes", f"{ZW}/rondes"),
        t("coordinator", "ronde-nieuw", f"{ZW}/rondes/nieuw"),
        t("coordinator", "ronde-wijzigen", f"{ZW}/rondes", (ROUND,)),
        t("coordinator", "beoordeling", f"{ZW}/beoordeling"),
        t("coordinator", "beoordeling-ronde", f"{ZW}/beoordeling", (ROUND,)),
        t("coordinator", "besluit", f"{ZW}/beoordeling", (ROUND, IN_REVIEW)),
        t(
            "coordinator",
            "besluiten-ronde",
            f"{ZW}/beoordeling",
            (ROUND, "Besluiten voor de hele ronde vastleggen"),
        ),
        t(
            "coordinator",
            "beschikking",
            f"{ZW}/beoordeling",
            (ROUND, GRANTED, "Verleningsbeschikking"),
        ),
        t("coordinator", "begroting", f"{ZW}/begroting"),
        t("coordinator", "begrotingsjaar", f"{ZW}/begroting", ("2021",)),
        t("coordinator", "mutaties", f"{ZW}/begroting", ("2021", "Alle mutaties")),
        t(
            "coordinator",
            "herschikken",
            f"{ZW}/begroting",
            ("2021", "Herschikken, inzet onvoorzien, overhevelen"),
        ),
        t(
            "coordinator",
            "project",
            f"{ZW}/begroting",
            ("2021",),
            action=_granted_project_from_its_group,
        ),
        # The network's own procedure.
        t("coordinator", "criteriaset", f"{ZW}/beoordeling", ("Criteriaset van het netwerk",)),
        t("coordinator", "besluitvorming", f"{ZW}/beoordeling", ("Besluitvorming",)),
        t("coordinator", "panel", f"{ZW}/beoordeling", ("Panel",)),
        t("coordinator", "brieven", f"{ZW}/beoordeling", ("Brieven",)),
        t("coordinator", "toetsingsregels", f"{ZW}/rondes", ("Toetsingsregels",)),
        t("coordinator", "verantwoording", f"{ZW}/verantwoording"),
        t("coordinator", "verslag", f"{ZW}/verantwoording", (GRANTED,)),
        t("coordinator", "api-sleutels", f"{ZW}/api-sleutels"),
        t("coordinator", "projectenbank-themas", f"{ZW}/projectenbank", ("Thema's door de jaren",)),
        # Admin.
        t("beheerder", "alle-netwerken", "/beheer"),
        t("beheerder", "netwerk-nieuw", "/beheer/netwerken/nieuw"),
        t("beheerder", "netwerk", "/beheer/zuid-west"),
        t("beheerder", "instellingen", "/beheer/zuid-west/instellingen"),
        t("beheerder", "regio-nieuw", "/beheer/zuid-west/regios/nieuw"),
        t("beheerder", "regio-wijzigen", "/beheer/zuid-west", ("Midden-Holland",)),
        t("beheerder", "organisatie-nieuw", "/beheer/zuid-west/organisaties/nieuw"),
        t("beheerder", "organisatie-wijzigen", "/beheer/zuid-west", ("Stichting De Kleine Haven",)),
        t("beheerder", "gebruikers", "/beheer/zuid-west/gebruikers"),
        t("beheerder", "gebruikers-limburg", "/beheer/limburg/gebruikers"),
        t("beheerder", "gebruiker", "/beheer/zuid-west/gebruikers", ("Anna Aanvrager",)),
        t("beheerder", "uitnodigen", "/beheer/zuid-west/gebruikers/uitnodigen"),
        t("beheerder", "logboek", "/beheer/zuid-west/logboek"),
    ]
    return pages


PAGES = _pages()


# --- log-in once per role -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def role_cookies(browser: Browser, live_server: str) -> Iterator[Callable[[str], list[Any]]]:
    """The session cookies of each role, from one log-in per role through `log_in`.

    Logging in once per role instead of once per page keeps ~90 checks fast; `log_in` is the shared
    helper, so the two-factor step for coordinators and admins is done the same way as elsewhere.
    """
    cache: dict[str, list[Any]] = {}

    def cookies(role: str) -> list[Any]:
        if role not in cache:
            context = browser.new_context(base_url=live_server, locale="nl-NL")
            try:
                page = context.new_page()
                log_in(page, USERS[role])
                # The log-in must have worked, or every page below would be the log-in page.
                expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
                cache[role] = context.cookies()
            finally:
                context.close()
        return cache[role]

    yield cookies


# --- axe ----------------------------------------------------------------------------------------


def _hide_decorative_backgrounds(page: Page) -> None:
    """Remove background images that only decorate, so axe can compute the text contrast.

    The table wrapper draws scroll shadows with gradients and each <select> has a chevron image;
    with them axe reports every table cell and select as "incomplete" (background undeterminable)
    instead of checking it: on the demo pages over 2,000 elements were never checked. The text
    sits on the plain surface colour underneath; the gradients only tint the outer edges when a
    table is scrolled sideways. Set through the CSSOM, which the Content-Security-Policy allows.
    """
    page.evaluate(
        """() => {
            for (const el of document.querySelectorAll('.fp-table-wrap, select')) {
                el.style.backgroundImage = 'none';
            }
        }"""
    )


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}\n      {node['html'][:200]}\n      {summary}")
    return "\n".join(lines)


def _open(page: Page, target: Target) -> None:
    page.goto(target.path)
    for link in target.follow:
        page.locator("main").get_by_role("link", name=link, exact=True).first.click()
        page.wait_for_load_state()
    if target.action is not None:
        target.action(page)


@pytest.mark.parametrize("target", PAGES, ids=[p.id for p in PAGES])
def test_page_has_no_serious_wcag_violations(
    page: Page, role_cookies: Callable[[str], list[Any]], target: Target
) -> None:
    if target.role != ANONYMOUS:
        page.context.add_cookies(role_cookies(target.role))
    _open(page, target)
    # Still logged in (or, anonymously, not): otherwise a redirect to /login would be checked
    # in place of the page that was meant.
    logged_in = page.get_by_role("button", name="Uitloggen")
    if target.role == ANONYMOUS:
        expect(logged_in).to_have_count(0)
    elif target.shows_session:
        expect(logged_in).to_be_visible()
    expect(page.locator("main h1")).to_have_count(1)

    assert_no_serious_violations(page)
    # Again at 320 CSS px wide: what a 1280 px screen shows at 400 % zoom (WCAG 1.4.10 Reflow).
    # Tables scroll sideways there, and a scroll box that holds nothing focusable cannot be
    # scrolled by keyboard (axe: scrollable-region-focusable); 34 of them were found this way.
    # No page wider than a phone (390) or than 1280 px at 400 % zoom (320): wide tables scroll
    # in their own box, long words break, the chart scales.
    for width in (PHONE["width"], NARROW["width"]):
        page.set_viewport_size({**NARROW, "width": width})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"
    assert_no_serious_violations(page)


def assert_no_serious_violations(page: Page) -> None:
    """Run axe on the page as it is now; fail with an actionable report. Also used by
    test_keyboard.py on states that only a sequence of key presses reaches."""
    _hide_decorative_backgrounds(page)
    results = Axe().run(page, options=AXE_OPTIONS).response

    # The colour-contrast rule must really have looked at text on this page.
    checked = {rule["id"] for rule in results["passes"] + results["violations"]}
    assert "color-contrast" in checked, f"colour contrast was not checked on {page.url}"

    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"WCAG A/AA violations on {page.url}:\n{_report(failing)}"


def test_a_reviewer_goes_back_to_a_page_they_may_open(
    page: Page, role_cookies: Callable[[str], list[Any]]
) -> None:
    """The proposal page led reviewers "back" to the list of proposals, which is closed to them
    (403): found while collecting the pages above. Now it leads to their own reviews."""
    page.context.add_cookies(role_cookies("ao"))
    _open(page, Target("ao", "voorstel", f"{ZW}/beoordelingen", (IN_REVIEW, "het voorstel lezen")))
    expect(page.get_by_role("heading", level=1)).to_have_text(IN_REVIEW)
    expect(page.locator("main").get_by_role("link", name="Voorstellen", exact=True)).to_have_count(
        0
    )
    page.locator(".fp-breadcrumb").get_by_role("link", name="Mijn beoordelingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn beoordelingen")


def test_the_check_catches_a_violation(page: Page) -> None:
    """The harness itself: a page with known faults must fail, with an actionable report.

    Guards against a check that silently passes everything (wrong tags, options that drop the
    violations, axe not injected). The faults are added through the DOM API, which the CSP allows.
    """
    page.goto("/login")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/img/chevron-down.svg';
            img.className = 'axe-zelftest';
            document.querySelector('main').append(img);
            const text = document.createElement('p');
            text.textContent = 'Bijna onleesbaar';
            text.style.color = '#eeeeee';
            document.querySelector('main').append(text);
        }"""
    )
    _hide_decorative_backgrounds(page)
    results = Axe().run(page, options=AXE_OPTIONS).response
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert {v["id"] for v in failing} >= {"image-alt", "color-contrast"}
    report = _report(failing)
    assert "image-alt (critical)" in report
    # Where (selector and HTML) and why, so the fix can be found without rerunning.
    assert 'class="axe-zelftest"' in report
    assert "Element does not have an alt attribute" in report
    assert "https://dequeuniversity.com/rules/axe/" in report


@pytest.mark.parametrize(
    ("role", "path", "cells"),
    [
        ("coordinator", f"{ZW}/voorstellen", ("Status", "Gevraagd")),
        ("regio", f"{ZW}/voorstellen?lijst=regio", ("Status", "Gevraagd")),
        ("ao", f"{ZW}/beoordelingen", ("Uw beoordeling", "Termijn")),
    ],
)
def test_a_list_becomes_cards_on_a_phone(
    page: Page, role_cookies: Callable[[str], list[Any]], role: str, path: str, cells: tuple
) -> None:
    """At 390 px a list's rows become cards: nothing to scroll sideways, and the status and
    the amount of the first row are in view, each after its column's name."""
    page.context.add_cookies(role_cookies(role))
    page.set_viewport_size(PHONE)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first = page.locator("main table.fp-table--cards tbody tr").first
    expect(first).to_be_visible()
    for label in cells:
        cell = first.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
        before = cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert before == f'"{label}: "', before
    # The title comes first in the card, then the status.
    title_box = first.locator("td.fp-card-title").bounding_box()
    status_box = first.locator("td.fp-card-status").bounding_box()
    assert title_box and status_box and title_box["y"] < status_box["y"]
    assert_no_serious_violations(page)
