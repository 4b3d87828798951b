"""Limburg's own procedure, clicked through by its demo people (issue 16).

Expertisecentrum Jeugdhulp Limburg has its own criteria (V1 counts twice, B1 excludes), a
projectgroep as panel (a chair of a regional expert team and the ervaringsdeskundige on every
proposal), a route (projectgroep → ambtelijk overleg → the bestuurlijk overleg decides) and its
own letters. Its coordinator assigns the submitted proposal automatically; the ervaringsdeskundige
scores it on Limburg's criteria; the coordinator records the projectgroep's advice and the
decision on the proposal the projectgroep already assessed, and downloads the grant letter as
PDF, whose text names Limburg's bodies and leaves no field unfilled. The applicant then reads
the same letter.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_journeys import log_in
from tests.browser.test_review_journey import confirm, flash, go_to, log_out
from tests.pdf import pdf_text

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator-limburg@example.org"
PROJECTGROEP = "projectgroep@example.org"
APPLICANT = "aanvrager-limburg@example.org"
ROUND = "Ronde 2022: speerpunten"
TO_ASSIGN = "Jongerenpanel als vaste gesprekspartner"
TO_DECIDE = "Ervaringsnetwerk pleegouders"
TODAY = dt.date.today().isoformat()
LIMBURG_CRITERIA = (
    "V1 Vragen van kinderen en ouders leiden",
    "V2 Tijdelijke extra hulp",
    "V3 Bovenregionaal belang",
    "V4 Kennis wordt gedeeld",
)


def coordinator_assigns_by_the_panel(page: Page) -> None:
    go_to(page, "Beoordeling")
    page.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling: {ROUND}")
    main = page.locator("main")
    expect(main).to_contain_text(
        "minstens 1 × Voorzitter regionaal expertteam en 1 × Ervaringsdeskundige"
    )
    expect(main).not_to_contain_text("AO-lid")
    page.get_by_role("button", name="Beoordelaars automatisch toewijzen").click()
    expect(flash(page, "Alle voorstellen hebben hun beoordelaars")).to_be_visible()
    table = page.get_by_role("region", name="Voortgang").get_by_role("table")
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=TO_ASSIGN))
    expect(row).to_contain_text("toegewezen")
    expect(table).to_contain_text("Ervaringsdeskundige")


def ervaringsdeskundige_scores_on_limburgs_criteria(page: Page) -> None:
    go_to(page, "Mijn beoordelingen")
    page.get_by_role("link", name=TO_ASSIGN, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beoordeling van {TO_ASSIGN}")
    main = page.locator("main")
    expect(main).not_to_contain_text("C1 Duurzame transformatie")
    for label, value in zip(LIMBURG_CRITERIA, (5, 4, 4, 3), strict=True):
        # V1 counts twice, and its legend says so.
        name = f"{label} (telt 2× mee)" if label.startswith("V1") else label
        group = page.get_by_role("group", name=name, exact=True)
        group.get_by_role("radio", name=str(value), exact=True).check()
        group.get_by_label("Motivering").fill(f"Zo zien ouders het: {value}.")
    b1 = page.get_by_role(
        "group",
        name="B1 Ondersteunt de regionale expertteams (voldoet het niet, dan valt het voorstel af)",
        exact=True,
    )
    b1.get_by_label("Voldoet", exact=True).check()
    page.get_by_label("Uw advies", exact=True).select_option(label="Toekennen")
    page.get_by_label("Toelichting op uw advies").fill("Jongeren aan tafel: doen.")
    page.get_by_role("button", name="Beoordeling indienen").click()
    expect(flash(page, "Uw beoordeling is ingediend.")).to_be_visible()


def coordinator_takes_limburgs_route_to_a_grant(page: Page, tmp_path: Path) -> Path:
    go_to(page, "Beoordeling")
    page.get_by_role("link", name=ROUND).click()
    page.get_by_role("region", name="Voortgang").get_by_role("link", name=TO_DECIDE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TO_DECIDE)

    advice = page.get_by_role("region", name="Advies", exact=True)
    advice.get_by_label("Datum van het overleg van Projectgroep expertisecentrum").fill(TODAY)
    advice.get_by_label("Advies van Projectgroep expertisecentrum").fill(
        "Positief: ouders en jongeren bepalen de agenda."
    )
    # The assignment by the panel gave it two more readers, who have not scored yet: the
    # projectgroep's advice goes ahead and says why.
    advice.get_by_label("Reden om zonder alle beoordelingen verder te gaan").fill(
        "De projectgroep besprak het voorstel voltallig; de ervaringsdeskundige beoordeelde het."
    )
    advice.get_by_role("button", name="Advies vastleggen").click()
    expect(flash(page, "Het advies is vastgelegd.")).to_be_visible()

    decision = page.locator("#besluit")
    decision.get_by_label("Besluit", exact=True).select_option(label="Toegekend")
    decision.get_by_label("Toegekend bedrag").fill("40.000,00")
    decision.get_by_label("Kenmerk besluit").fill("BO-LIM-2022-4")
    decision.get_by_label("Datum advies Ambtelijk overleg jeugdzorgregio's").fill(TODAY)
    decision.get_by_label("Kenmerk advies Ambtelijk overleg jeugdzorgregio's").fill("AO-LIM-7")
    confirm(decision, "Besluit vastleggen")
    expect(flash(page, "Het besluit is vastgelegd: toegekend.")).to_be_visible()

    page.get_by_role("link", name="Verleningsbeschikking", exact=True).click()
    letter = page.locator("article.letter")
    expect(letter.get_by_role("heading", level=1)).to_have_text("Verleningsbeschikking")
    expect(letter).to_contain_text("Gemeente Roermond")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als PDF").click()
    path = tmp_path / "beschikking.pdf"
    download.value.save_as(path)
    return path


def test_limburg_end_to_end(page: Page, tmp_path: Path) -> None:
    log_in(page, COORDINATOR)
    coordinator_assigns_by_the_panel(page)
    log_out(page)

    log_in(page, PROJECTGROEP)
    ervaringsdeskundige_scores_on_limburgs_criteria(page)
    log_out(page)

    log_in(page, COORDINATOR)
    pdf = coordinator_takes_limburgs_route_to_a_grant(page, tmp_path)
    text = pdf_text(pdf.read_bytes())
    assert "Verleningsbeschikking" in text and "Ervaringsnetwerk pleegouders" in text
    assert (
        "na advies van Projectgroep expertisecentrum en Ambtelijk overleg jeugdzorgregio's" in text
    )
    assert "het bestuurlijk overleg van de wethouders van de vier jeugdzorgregio's" in text
    assert "Gemeente Roermond" in text and "Expertisecentrum Jeugdhulp Limburg" in text
    assert "€ 40.000,00" in text and "BO-LIM-2022-4" in text
    assert "Hoogachtend" in text
    assert not re.search(r"[{}]", text), "an invulveld was left unfilled"
    assert "ambassadeur" not in text.lower() and "Zuid-West" not in text
    assert "Fondsportaal" not in text
    log_out(page)

    # The applicant reads the letter of their own proposal.
    log_in(page, APPLICANT)
    go_to(page, "Voorstellen")
    page.get_by_role("link", name=TO_DECIDE).click()
    page.get_by_role("link", name="Verleningsbeschikking", exact=True).click()
    expect(page.locator("article.letter")).to_contain_text("€ 40.000,00")
