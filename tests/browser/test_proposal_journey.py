"""One proposal from first draft to submission, clicked through as the people involved would.

The applicant of Stichting De Kleine Haven drafts a proposal in the Zuid-West 2021 round, fills
every section through the section navigation (making one typing mistake in the budget on the
way), checks the checklist and sets it ready for the region. The region officer of
Midden-Holland then submits it on the region's behalf and downloads its attachment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_journeys import log_in

pytestmark = pytest.mark.browser

APPLICANT = "aanvrager@example.org"
REGION_OFFICER = "regio@example.org"
ROUND = "Ronde 2021: bovenregionale thema's"
TITLE = "Snelle consultatie bij wachtlijsten in Midden-Holland"
ATTACHMENT = "toelichting-bouwteam.pdf"

# Budget: 120 hours at € 95,50 (= € 11.460,00) plus € 2.500,75 material costs.
HOURS, RATE = "120", "95,50"
MATERIAL = "2.500,75"
TOTAL = "13.960,75"


# --- small helpers ------------------------------------------------------------------------------


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table; nothing active in it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def open_section(page: Page, name: str) -> None:
    steps = page.get_by_role("navigation", name="Onderdelen van het voorstel")
    steps.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def save_section(page: Page, name: str) -> None:
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Onderdeel {name} is opgeslagen.")


def status_badge(page: Page):
    return page.locator("[data-state]").first


# --- the applicant's sections -------------------------------------------------------------------


def create_draft(page: Page, title: str = TITLE) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Voorstellen").click()
    page.get_by_role("link", name="Nieuw voorstel").click()
    page.get_by_label("Ronde").select_option(label=ROUND)
    page.get_by_label("Titel van het voorstel").fill(title)
    page.get_by_role("button", name="Concept aanmaken").click()
    expect(page).to_have_url(re.compile(r"/voorstellen/\d+/bewerken/algemeen$"))
    expect(page.get_by_role("status")).to_contain_text("Het concept is aangemaakt.")


def fill_general(page: Page) -> None:
    open_section(page, "Algemeen")
    expect(page.get_by_label("Titel", exact=True)).to_have_value(TITLE)
    page.get_by_label("Samenvatting").fill(
        "Een expertteam geeft binnen twee weken consultatie aan behandelaren van jongeren op "
        "de wachtlijst, zodat de hulp die er al is gerichter wordt."
    )
    page.get_by_label("Thema").select_option(label="Wachtlijstproblematiek")
    page.get_by_label("Indienende jeugdhulpregio").select_option(label="Midden-Holland")
    page.get_by_label("Penvoerende organisatie").select_option(label="Stichting De Kleine Haven")
    contact = page.get_by_role("group", name="Contactpersoon")
    contact.get_by_label("Naam").fill("Anna Aanvrager")
    contact.get_by_label("E-mailadres").fill("aanvrager@example.org")
    contact.get_by_label("Telefoon").fill("0182 123 456")
    save_section(page, "Algemeen")


def fill_bouwteam(page: Page) -> None:
    open_section(page, "Bouwteam")
    members = {
        "Jeugdhulpregio": ("Ruben Regio", "Regio Midden-Holland"),
        "Expertteam": ("Esra Expert", "Regionaal Expertteam Haaglanden"),
        "Cliëntperspectief": ("Chris Cliënt", "Ouderplatform Jeugd Zuid-West"),
        "Onderzoek / wetenschap": ("Wendy Wetenschap", "Kenniswerkplaats Jeugd Zuid-West"),
    }
    for role, (name, organisation) in members.items():
        page.get_by_label(f"{role}: naam").fill(name)
        page.get_by_label(f"{role}: organisatie").fill(organisation)
    page.get_by_label("Expertteam is kartrekker").check()
    save_section(page, "Bouwteam")
    expect(page.get_by_label("Expertteam is kartrekker")).to_be_checked()


def fill_content(page: Page) -> None:
    open_section(page, "Doelen en aanpak")
    page.get_by_label("Doelen", exact=True).fill(
        "Jongeren op de wachtlijst krijgen binnen twee weken passende consultatie."
    )
    page.get_by_label("Resultaten").fill("Kortere wachttijd en een beschreven werkwijze.")
    page.get_by_label("Activiteiten en planning").fill(
        "Najaar 2021: werkwijze en bouwteam. 2022: uitvoering in drie regio's en evaluatie."
    )
    page.get_by_label("Doelgroep").fill("Jongeren tot 23 jaar met complexe zorgvragen.")
    page.get_by_label("Begindatum").fill("2021-09-01")
    page.get_by_label("Einddatum").fill("2022-12-31")
    save_section(page, "Doelen en aanpak")
    expect(page.get_by_label("Einddatum")).to_have_value("2022-12-31")


def fill_criteria(page: Page) -> None:
    open_section(page, "Criteria")
    page.get_by_label("Consultatie en advies aan behandelaren wanneer jeugdhulp stagneert").check()
    goal = "Eerder (jeugd)hulp bieden op maat voor kwetsbare kinderen"
    page.get_by_label(goal, exact=True).check()
    page.get_by_label(f"Toelichting: {goal}").fill("Consultatie voorkomt dat problemen escaleren.")
    participating = page.get_by_role("group", name="Welke regio's nemen deel?")
    for region in ("Midden-Holland", "Haaglanden", "Zuid-Holland Zuid"):
        participating.get_by_label(region).check()
    page.get_by_role("group", name="Welke regio's hebben er baat bij?").get_by_label(
        "Rotterdam Rijnmond"
    ).check()
    page.get_by_label("Waarom speelt dit in het hele netwerk?").fill(
        "Alle regio's hebben wachtlijsten voor dezelfde kleine groep jongeren."
    )
    page.get_by_label("Wat maakt het voorstel vernieuwend?").fill(
        "De expertise komt naar de behandelaar toe, niet andersom."
    )
    page.get_by_label("Nee, het voorstel breidt geen bestaand zorgaanbod uit").check()
    save_section(page, "Criteria")


def fill_procurement(page: Page) -> None:
    open_section(page, "Inkoop")
    page.get_by_label("Naam van de geraadpleegde inkoopexpert").fill("Ingrid Inkoop")
    page.get_by_label("Organisatie van de inkoopexpert").fill("Inkoopbureau Jeugd")
    save_section(page, "Inkoop")


def fill_budget_line(page: Page, n: int, kind: str, year: str, description: str, **money) -> None:
    page.get_by_label(f"Regel {n}: Soort", exact=True).select_option(label=kind)
    page.get_by_label(f"Regel {n}: Jaar", exact=True).select_option(year)
    page.get_by_label(f"Regel {n}: Omschrijving", exact=True).fill(description)
    for column, value in money.items():  # Uren, Uurtarief, Bedrag
        page.get_by_label(f"Regel {n}: {column}", exact=True).fill(value)


def fill_budget(page: Page) -> None:
    """Two lines, a requested amount with three decimals (refused), then the right amount."""
    open_section(page, "Begroting")
    fill_budget_line(
        page, 1, "Personeel (uren × uurtarief)", "2021", "Projectleider", Uren=HOURS, Uurtarief=RATE
    )
    fill_budget_line(
        page, 2, "Materiële kosten", "2022", "Evaluatie en communicatie", Bedrag=MATERIAL
    )
    requested = page.get_by_label("Gevraagd bedrag (€)")
    requested.fill("12,345")

    # The live totals (htmx) follow the typing, in Dutch notation, before anything is saved.
    totals = page.locator("#begroting-totalen")
    expect(totals.get_by_role("row", name="Totaal begroting")).to_contain_text(f"€ {TOTAL}")
    expect(totals.get_by_role("row", name="2021")).to_contain_text("€ 11.460,00")
    expect(totals.get_by_role("row", name="2022")).to_contain_text(f"€ {MATERIAL}")

    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("Er is 1 probleem met het formulier")).to_be_visible()
    expect(requested).to_have_attribute("aria-invalid", "true")
    expect(requested).to_have_accessible_description(
        re.compile(r"hoogstens twee cijfers achter de komma")
    )
    # Nothing typed is lost.
    expect(requested).to_have_value("12,345")
    expect(page.get_by_label("Regel 1: Soort", exact=True)).to_have_value("personnel")
    expect(page.get_by_label("Regel 1: Jaar", exact=True)).to_have_value("2021")
    expect(page.get_by_label("Regel 1: Omschrijving", exact=True)).to_have_value("Projectleider")
    expect(page.get_by_label("Regel 1: Uren", exact=True)).to_have_value(HOURS)
    expect(page.get_by_label("Regel 1: Uurtarief", exact=True)).to_have_value(RATE)
    expect(page.get_by_label("Regel 1: Bedrag", exact=True)).to_have_value("")
    expect(page.get_by_label("Regel 2: Soort", exact=True)).to_have_value("material")
    expect(page.get_by_label("Regel 2: Jaar", exact=True)).to_have_value("2022")
    expect(page.get_by_label("Regel 2: Bedrag", exact=True)).to_have_value(MATERIAL)

    requested.fill(TOTAL)
    expect(totals.get_by_role("row", name="Totaal begroting")).to_contain_text(f"€ {TOTAL}")
    expect(totals).not_to_contain_text("is niet gelijk aan het totaal")
    save_section(page, "Begroting")
    expect(requested).to_have_value(TOTAL)
    # A personnel amount is computed from hours × rate on every save, so its field stays empty
    # and the saved total shows it.
    expect(page.get_by_label("Regel 1: Bedrag", exact=True)).to_have_value("")
    expect(page.locator("#begroting-totalen").get_by_role("row", name="2021")).to_contain_text(
        "€ 11.460,00"
    )


def add_attachment(page: Page, tmp_path: Path) -> bytes:
    open_section(page, "Bijlagen")
    content = minimal_pdf()
    pdf = tmp_path / ATTACHMENT
    pdf.write_bytes(content)
    page.get_by_label("Bestand", exact=True).set_input_files(pdf)
    page.get_by_label("Soort bijlage").select_option(label="Overige bijlage")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("status")).to_contain_text(f"Bijlage {ATTACHMENT} is toegevoegd.")
    expect(page.get_by_role("link", name=ATTACHMENT)).to_be_visible()
    return content


def mark_ready(page: Page) -> None:
    page.get_by_role("link", name="Naar het voorstel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    checklist = page.locator("#checklist")
    expect(checklist.get_by_role("heading", name="Controle vóór indienen")).to_be_visible()
    expect(checklist.locator("[data-status]")).not_to_have_count(0)
    expect(checklist.locator("[data-status=fail]")).to_have_count(0)
    page.get_by_role("button", name="Klaar voor de regio").click()
    expect(page.get_by_role("status")).to_contain_text("de status 'Klaar voor de regio'")
    expect(status_badge(page)).to_have_text("Klaar voor de regio")


# --- the region officer -------------------------------------------------------------------------


def submit_for_region(page: Page) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Voorstellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorstellen van mijn regio")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row).to_contain_text("Klaar voor de regio")
    expect(row).to_contain_text(f"€ {TOTAL}")
    row.get_by_role("link", name=TITLE).click()
    expect(
        page.get_by_text("staat klaar om namens Midden-Holland te worden ingediend")
    ).to_be_visible()
    page.get_by_role("link", name="Indienen namens de regio").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Indienen namens Midden-Holland")
    expect(page.get_by_text(f"gevraagd € {TOTAL}")).to_be_visible()
    expect(page.get_by_role("heading", name="Controle vóór indienen")).to_be_visible()
    expect(page.locator("#checklist [data-status=fail]")).to_have_count(0)
    page.get_by_role("button", name="Definitief indienen").click()

    expect(page.get_by_role("status")).to_contain_text("de status 'Ingediend'")
    expect(status_badge(page)).to_have_text("Ingediend")
    versions = page.get_by_role("region", name="Versies")
    expect(versions.get_by_role("link", name="Versie 1")).to_be_visible()
    expect(versions).to_contain_text("door Ruben Regio")
    newest_event = page.get_by_role("region", name="Tijdlijn").get_by_role("listitem").first
    expect(newest_event).to_contain_text("Ingediend namens Midden-Holland")


# --- the journey --------------------------------------------------------------------------------


def test_applicant_drafts_and_region_officer_submits(page: Page, tmp_path: Path) -> None:
    log_in(page, APPLICANT)
    create_draft(page)
    fill_general(page)
    fill_bouwteam(page)
    fill_content(page)
    fill_criteria(page)
    fill_procurement(page)
    fill_budget(page)
    pdf = add_attachment(page, tmp_path)
    mark_ready(page)

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, REGION_OFFICER)
    submit_for_region(page)

    attachments = page.get_by_role("region", name="Bijlagen")
    with page.expect_download() as download_info:
        attachments.get_by_role("link", name=ATTACHMENT).click()
    download = download_info.value
    assert download.suggested_filename == ATTACHMENT
    assert Path(download.path()).read_bytes() == pdf
