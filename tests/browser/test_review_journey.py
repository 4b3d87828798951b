"""The demo proposal in review, from the reviewers' scores to the grant, clicked through.

"Doorlopende lijn na detentie" (Midden-Holland) is in review with two reviewers assigned. The AO
member scores it (forgetting one motivation on the way) and submits; the expert-team chair cannot
see that review until submitting their own. The coordinator follows the progress and the
ranking, reads the scores per criterion, records the advice and the decision (first with too
high an amount) and opens the grant letter. Finally the applicant sees the decision on the
proposal page, but not who reviewed it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser

AO_MEMBER = "ao@example.org"
CHAIR = "voorzitter@example.org"
COORDINATOR = "coordinator@example.org"
APPLICANT = "aanvrager@example.org"
REVIEWER_NAMES = ("Olga AO-lid", "Victor Voorzitter")

ROUND = "Ronde 2021: bovenregionale thema's"
TITLE = "Doorlopende lijn na detentie"
REQUESTED = "€ 276.100,00"
TOO_MUCH, GRANTED = "300.000,00", "250.000,00"

CRITERIA = (
    "C1 Duurzame transformatie",
    "C2 Bovenregionaal belang",
    "C3 Past binnen de drie functies",
    "C4 Samenhang van doelen, activiteiten en middelen",
)
PRECONDITIONS = (
    "R1 Ondersteunend aan de bestaande infrastructuur",
    "R3 Verantwoording geregeld",
    "R4 Rechtmatig (aanbestedingsrecht)",
)
AO_SCORES = (4, 4, 3, 5)  # mean 4,0
CHAIR_SCORES = (3, 4, 5, 4)  # C3 differs two points from the AO member's
AO_ADVICE = "Sterk voorstel; vraag wel om een evaluatieplan per regio."
CHAIR_ADVICE = "Goede samenwerking met de expertteams; toekennen."
CONDITIONS = "Een evaluatieplan per deelnemende regio, vóór de start met de coördinator besproken."
TODAY = dt.date.today().isoformat()


# --- small helpers ------------------------------------------------------------------------------


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def go_to(page: Page, menu_item: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=menu_item).click()


def flash(page: Page, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


def confirm(scope: Page | Locator, label: str) -> None:
    """An irreversible step: open what will happen, then confirm it."""
    scope.locator("summary").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()
    scope.get_by_role("button", name="Ja, " + label[:1].lower() + label[1:], exact=True).click()


def criterion(page: Page, label: str) -> Locator:
    return page.get_by_role("group", name=label, exact=True)


def running_mean(page: Page) -> Locator:
    return page.locator("#lopend-gemiddelde")


def open_my_review(page: Page) -> None:
    go_to(page, "Mijn beoordelingen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn beoordelingen")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling van {TITLE}")


def score(page: Page, label: str, value: int, motivation: str) -> None:
    group = criterion(page, label)
    group.get_by_role("radio", name=str(value), exact=True).check()
    group.get_by_label("Motivering").fill(motivation)


def fill_review(page: Page, scores: tuple[int, ...], advice: str) -> None:
    """Scores and motivations for C1-C4, R1/R3/R4 and the final advice."""
    for label, value in zip(CRITERIA, scores, strict=True):
        score(page, label, value, f"Motivering bij {label[:2]}: {value} punten.")
    criterion(page, PRECONDITIONS[0]).get_by_label("Voldoet", exact=True).check()
    r3 = criterion(page, PRECONDITIONS[1])
    r3.get_by_label("Onduidelijk", exact=True).check()
    r3.get_by_label("Toelichting").fill("Het verantwoordingsverslag is nog niet beschreven.")
    criterion(page, PRECONDITIONS[2]).get_by_label("Voldoet", exact=True).check()
    page.get_by_label("Uw advies", exact=True).select_option(label="Toekennen onder voorwaarden")
    page.get_by_label("Toelichting op uw advies").fill(advice)


def submit_review(page: Page) -> None:
    page.get_by_role("button", name="Beoordeling indienen").click()
    expect(flash(page, "Uw beoordeling is ingediend.")).to_be_visible()
    expect(flash(page, "U heeft deze beoordeling ingediend op")).to_be_visible()


# --- the reviewers ------------------------------------------------------------------------------


def ao_member_scores_with_a_live_mean(page: Page) -> None:
    open_my_review(page)
    expect(running_mean(page)).to_have_text("Gemiddelde van uw scores: —")
    # The mean follows every choice (htmx), rounded to one decimal with a Dutch comma.
    for label, value, mean in zip(CRITERIA, AO_SCORES, ("4,0", "4,0", "3,7", "4,0"), strict=True):
        criterion(page, label).get_by_role("radio", name=str(value), exact=True).check()
        expect(running_mean(page)).to_have_text(f"Gemiddelde van uw scores: {mean}")
    fill_review(page, AO_SCORES, AO_ADVICE)
    criterion(page, CRITERIA[1]).get_by_label("Motivering").fill("")

    page.get_by_role("button", name="Beoordeling indienen").click()
    expect(page.get_by_text("Er is 1 probleem met het formulier")).to_be_visible()
    expect(page.get_by_role("link", name="Motiveer de score.")).to_have_attribute(
        "href", "#veld-c2_motivation"
    )
    c2_motivation = criterion(page, CRITERIA[1]).get_by_label("Motivering")
    expect(c2_motivation).to_have_attribute("aria-invalid", "true")
    expect(c2_motivation).to_have_accessible_description(re.compile("Motiveer de score."))
    # Nothing typed is lost, and the mean is still there.
    expect(running_mean(page)).to_have_text("Gemiddelde van uw scores: 4,0")
    for label, value in zip(CRITERIA, AO_SCORES, strict=True):
        group = criterion(page, label)
        expect(group.get_by_role("radio", name=str(value), exact=True)).to_be_checked()
        if label != CRITERIA[1]:
            expect(group.get_by_label("Motivering")).to_have_value(
                f"Motivering bij {label[:2]}: {value} punten."
            )
    expect(criterion(page, PRECONDITIONS[0]).get_by_label("Voldoet", exact=True)).to_be_checked()
    r3 = criterion(page, PRECONDITIONS[1])
    expect(r3.get_by_label("Onduidelijk", exact=True)).to_be_checked()
    expect(r3.get_by_label("Toelichting")).to_have_value(
        "Het verantwoordingsverslag is nog niet beschreven."
    )
    expect(criterion(page, PRECONDITIONS[2]).get_by_label("Voldoet", exact=True)).to_be_checked()
    expect(page.get_by_label("Uw advies", exact=True)).to_have_value("toekennen_onder_voorwaarden")
    expect(page.get_by_label("Toelichting op uw advies")).to_have_value(AO_ADVICE)

    c2_motivation.fill("Drie regio's werken samen; twee andere hebben er baat bij.")
    submit_review(page)
    # The submitted review is locked and reads as text: each score with its motivation.
    mine = page.get_by_role("region", name="Uw beoordeling")
    for label, value in zip(CRITERIA, AO_SCORES, strict=True):
        expect(mine.locator(f'[data-criterion="{label[:2]}"]')).to_contain_text(f"{value} van 5")
    expect(mine.locator('[data-criterion="advies"]')).to_contain_text(AO_ADVICE)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name="Beoordeling indienen")).to_have_count(0)


def chair_sees_the_others_only_after_submitting(page: Page) -> None:
    open_my_review(page)
    expect(page.get_by_role("heading", name="Beoordelingen van de anderen")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(AO_ADVICE)
    expect(page.locator("main")).not_to_contain_text("Olga AO-lid")
    page.get_by_role("link", name="het voorstel lezen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).not_to_contain_text(AO_ADVICE)
    page.get_by_role("link", name="Naar uw beoordeling").click()

    fill_review(page, CHAIR_SCORES, CHAIR_ADVICE)
    submit_review(page)
    others = page.get_by_role("region", name="Beoordelingen van de anderen")
    ao_row = others.get_by_role("row").filter(has_text="Olga AO-lid")
    expect(ao_row).to_contain_text(AO_ADVICE)
    expect(ao_row).to_contain_text("Toekennen onder voorwaarden")


# --- the coordinator ----------------------------------------------------------------------------


def progress_cell(page: Page, reviewer: str) -> Locator:
    """The cell of the round's progress table for this proposal and reviewer."""
    table = page.get_by_role("region", name="Voortgang").get_by_role("table")
    headers = table.get_by_role("columnheader").all_inner_texts()
    column = next(i for i, header in enumerate(headers) if header.startswith(reviewer))
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    return row.get_by_role("cell").nth(column - 1)  # the first column is the row header


def criterion_cells(page: Page, label: str) -> Locator:
    """The cells after the row header in the table "Per criterium" of the review overview."""
    table = page.get_by_role("region", name="Scores").get_by_role("table").nth(1)
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))
    return row.get_by_role("cell")


def coordinator_follows_the_round(page: Page) -> None:
    go_to(page, "Beoordeling")
    page.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling: {ROUND}")
    for reviewer in REVIEWER_NAMES:
        expect(progress_cell(page, reviewer)).to_have_text("ingediend")

    ranking = page.get_by_role("region", name="Rangorde per thema")
    row = ranking.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row.get_by_role("cell")).to_have_text([TITLE, "4,00", "2", REQUESTED, REQUESTED, "past"])
    row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def coordinator_reads_the_scores(page: Page) -> None:
    scores = page.get_by_role("region", name="Scores")
    for reviewer in REVIEWER_NAMES:
        expect(scores.get_by_role("row").filter(has_text=reviewer)).to_contain_text("ingediend")
    expect(scores.get_by_role("status")).to_have_text(
        "Beoordelaars verschillen 2 punten of meer op C3 (3 tot 5)."
    )
    # Aantal, gemiddelde, mediaan, min, max, spreiding.
    expect(criterion_cells(page, CRITERIA[0])).to_have_text(["2", "3,50", "3,5", "3", "4", "1"])
    expect(criterion_cells(page, CRITERIA[1])).to_have_text(["2", "4,00", "4,0", "4", "4", "0"])
    expect(criterion_cells(page, CRITERIA[2])).to_have_text(
        ["2", "4,00", "4,0", "3", "5", "2 verschil"]
    )
    expect(criterion_cells(page, CRITERIA[3])).to_have_text(["2", "4,50", "4,5", "4", "5", "1"])
    expect(criterion_cells(page, "Totaal gemiddelde")).to_have_text(["4,00"])
    expect(scores).to_contain_text("Adviezen: Toekennen onder voorwaarden 2×")


def coordinator_records_the_advice(page: Page) -> None:
    advice = page.get_by_role("region", name="Advies", exact=True)
    advice.get_by_label("Datum van het overleg van AO en voorzitters").fill(TODAY)
    advice.get_by_label("Advies van AO en voorzitters expertteams").fill(
        "Toekennen onder voorwaarden: een evaluatieplan per regio."
    )
    advice.get_by_role("button", name="Advies vastleggen").click()
    expect(flash(page, "Het advies is vastgelegd.")).to_be_visible()
    expect(page.locator("[data-state]").first).to_have_text("Geadviseerd")
    expect(page.get_by_role("region", name="Advies", exact=True)).to_contain_text(
        "AO en voorzitters expertteams"
    )


def coordinator_decides(page: Page) -> None:
    # By id, not by role: the section's aria-labelledby points at itself, so the region's name
    # is its whole text (see the report).
    decision = page.locator("#besluit")
    decision.get_by_label("Besluit", exact=True).select_option(label="Toegekend onder voorwaarden")
    amount = decision.get_by_label("Toegekend bedrag")
    amount.fill(TOO_MUCH)
    decision.get_by_label("Voorwaarden").fill(CONDITIONS)
    decision.get_by_label("Datum advies Bestuurlijk ambassadeurs").fill(TODAY)
    decision.get_by_label("Kenmerk advies Bestuurlijk ambassadeurs").fill("BA-2021-07")
    decision.get_by_label("Advies dat de aanvragers te zien krijgen").fill(
        "Een waardevol voorstel; maak de evaluatie per regio concreet."
    )
    confirm(decision, "Besluit vastleggen")

    expect(page.get_by_text("Er is 1 probleem met het formulier")).to_be_visible()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_accessible_description(
        re.compile(f"niet hoger zijn dan het gevraagde bedrag \\({REQUESTED}\\)")
    )
    expect(decision.get_by_label("Besluit", exact=True)).to_have_value("granted_with_conditions")
    expect(amount).to_have_value(TOO_MUCH)
    expect(decision.get_by_label("Voorwaarden")).to_have_value(CONDITIONS)
    expect(decision.get_by_label("Datum advies Bestuurlijk ambassadeurs")).to_have_value(TODAY)
    expect(decision.get_by_label("Kenmerk advies Bestuurlijk ambassadeurs")).to_have_value(
        "BA-2021-07"
    )

    amount.fill(GRANTED)
    confirm(decision, "Besluit vastleggen")
    expect(flash(page, "Het besluit is vastgelegd: toegekend onder voorwaarden.")).to_be_visible()
    expect(page.locator("[data-state]").first).to_have_text("Toegekend")
    expect(page.locator("#besluit [data-outcome]")).to_contain_text(
        f"Toegekend onder voorwaarden: € {GRANTED}"
    )

    page.get_by_role("link", name="Verleningsbeschikking", exact=True).click()
    letter = page.locator("article")
    expect(letter.get_by_role("heading", level=1)).to_have_text("Verleningsbeschikking")
    expect(letter).to_contain_text(f"ten hoogste € {GRANTED}")
    expect(letter).to_contain_text(CONDITIONS)
    expect(letter).to_contain_text("1 maart")
    expect(letter).to_contain_text("Gemeente Rotterdam")


# --- the applicant ------------------------------------------------------------------------------


def applicant_sees_the_decision_without_reviewers(page: Page) -> None:
    go_to(page, "Voorstellen")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    section = page.get_by_role("region", name="Beoordeling en besluit")
    expect(section).to_contain_text("Toegekend onder voorwaarden")
    expect(section).to_contain_text(f"€ {GRANTED}")
    expect(section).to_contain_text(CONDITIONS)
    expect(section).to_contain_text("maak de evaluatie per regio concreet")
    main = page.locator("main")
    for name in REVIEWER_NAMES:
        expect(main).not_to_contain_text(name)
    expect(main).not_to_contain_text(AO_ADVICE)
    expect(main).not_to_contain_text(CHAIR_ADVICE)


# --- the journey --------------------------------------------------------------------------------


def test_reviewers_score_and_coordinator_grants(page: Page) -> None:
    log_in(page, AO_MEMBER)
    ao_member_scores_with_a_live_mean(page)
    log_out(page)

    log_in(page, CHAIR)
    chair_sees_the_others_only_after_submitting(page)
    log_out(page)

    log_in(page, COORDINATOR)
    coordinator_follows_the_round(page)
    coordinator_reads_the_scores(page)
    coordinator_records_the_advice(page)
    coordinator_decides(page)
    log_out(page)

    log_in(page, APPLICANT)
    applicant_sees_the_decision_without_reviewers(page)
