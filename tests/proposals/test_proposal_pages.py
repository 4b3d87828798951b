"""Proposals through the web: access per role and object, forms, uploads, submission, versions."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import openpyxl

from portal.accounts.tables import AuditEvent, OutboxMessage
from portal.lib import clock
from proposals import listing
from proposals.budget_reader import parse_budget_workbook
from proposals.rules import Actor
from proposals.tables import Attachment, BudgetLine, Proposal, ProposalVersion, Round
from tests.factories import email_of
from tests.proposals.conftest import Zuidwest
from tests.web import log_in, post_form

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(proposal_id: int, rest: str = "") -> str:
    return f"/n/zuid-west/voorstellen/{proposal_id}{rest}"


async def as_user(client: httpx.AsyncClient, user_id: int) -> httpx.AsyncClient:
    client.cookies.clear()
    await log_in(client, await email_of(user_id))
    return client


async def state_of(proposal_id: int) -> str:
    row = await Proposal.select(Proposal.state).where(Proposal.id == proposal_id).first()
    return row["state"]


async def test_applicant_creates_a_draft(client, zw: Zuidwest) -> None:
    await as_user(client, zw.applicant_x)
    refused = await post_form(client, "/n/zuid-west/voorstellen/nieuw", {"round": "", "title": ""})
    assert refused.status_code == 422
    assert "Kies een ronde van dit netwerk." in refused.text
    created = await post_form(
        client, "/n/zuid-west/voorstellen/nieuw", {"round": str(zw.round), "title": "Samen sneller"}
    )
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert page.status_code == 200 and "Samen sneller" in page.text
    row = await Proposal.select().where(Proposal.title == "Samen sneller").first()
    assert row["state"] == "draft" and row["lead_organisation"] == zw.org_x


async def test_rejected_form_keeps_everything_typed(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    response = await post_form(
        client,
        url(proposal_id, "/bewerken/inhoud"),
        {
            "goals": "Wachttijd halveren",
            "results": "Een <b>werkende</b> aanpak",
            "activities": "",
            "start_date": "31-02-2021",
            "end_date": "2022-06-30",
        },
    )
    assert response.status_code == 422
    assert "Vul een geldige datum in" in response.text
    assert "Wachttijd halveren" in response.text
    assert "Een &lt;b&gt;werkende&lt;/b&gt; aanpak" in response.text
    assert 'value="31-02-2021"' in response.text and 'value="2022-06-30"' in response.text
    row = await Proposal.select(Proposal.goals).where(Proposal.id == proposal_id).first()
    assert row["goals"] == ""  # nothing saved from a refused form


async def test_draft_saves_incomplete_and_the_checklist_explains(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    saved = await post_form(
        client,
        url(proposal_id, "/bewerken/inhoud"),
        {"goals": "Alleen een doel", "start_date": "1-9-2021"},
    )
    assert saved.status_code == 303
    page = await client.get(url(proposal_id))
    assert 'data-rule="goals_results_activities" data-status="fail"' in page.text
    assert "Vul nog in: resultaten, activiteiten." in page.text


async def test_author_of_one_organisation_never_sees_anothers_draft(client, zw: Zuidwest) -> None:
    draft = await zw.proposal(author=zw.applicant_x)
    for user in (zw.applicant_y, zw.officer_a, zw.coordinator):
        await as_user(client, user)
        response = await client.get(url(draft))
        assert response.status_code == 404, user
        assert "Wachtlijstbrug" not in response.text
        listing = await client.get("/n/zuid-west/voorstellen")
        assert "Wachtlijstbrug" not in listing.text
        assert (await client.get(url(draft, "/bewerken/algemeen"))).status_code == 404
        edit = await post_form(client, url(draft, "/bewerken/algemeen"), {"title": "Gekaapt"})
        assert edit.status_code == 404
    row = await Proposal.select(Proposal.title).where(Proposal.id == draft).first()
    assert row["title"] == "Wachtlijstbrug"


async def test_region_sees_what_is_ready_and_coordinator_what_is_submitted(client, zw) -> None:
    ready = await zw.proposal(state="ready", title="Klaar voor regio")
    await as_user(client, zw.officer_a)
    assert (await client.get(url(ready))).status_code == 200
    listing = await client.get("/n/zuid-west/voorstellen?lijst=regio")
    assert "Klaar voor regio" in listing.text
    await as_user(client, zw.officer_b)
    assert (await client.get(url(ready))).status_code == 404
    await as_user(client, zw.coordinator)
    assert (await client.get(url(ready))).status_code == 404
    await zw.step(ready, "submit", zw.officer_a, Actor.region_officer)
    assert (await client.get(url(ready))).status_code == 200


async def test_region_officer_of_another_region_cannot_submit(client, zw: Zuidwest) -> None:
    ready = await zw.proposal(state="ready", region=zw.region_a)
    await as_user(client, zw.officer_b)
    response = await post_form(client, url(ready, "/stap/submit"))
    assert response.status_code == 404
    assert await state_of(ready) == "ready"
    await as_user(client, zw.applicant_x)  # the author cannot submit either
    response = await post_form(client, url(ready, "/stap/submit"))
    assert response.status_code == 303
    assert await state_of(ready) == "ready"
    await as_user(client, zw.officer_a)
    assert (await post_form(client, url(ready, "/stap/submit"))).status_code == 303
    assert await state_of(ready) == "submitted"


async def test_submission_after_the_deadline_is_refused(client, zw: Zuidwest) -> None:
    ready = await zw.proposal(state="ready")
    clock.travel(dt.timedelta(days=31))
    await as_user(client, zw.officer_a)
    response = await post_form(client, url(ready, "/stap/submit"))
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "De sluitingstermijn van de ronde is verstreken." in page.text
    assert await state_of(ready) == "ready"
    assert await ProposalVersion.count() == 0


async def test_incomplete_proposal_cannot_be_marked_ready(client, zw: Zuidwest) -> None:
    draft = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    response = await post_form(client, url(draft, "/stap/mark_ready"))
    page = await client.get(response.headers["location"])
    assert "Dit kan nog niet" in page.text and "Kies minstens één van de drie functies" in page.text
    assert await state_of(draft) == "draft"


async def test_submission_freezes_a_version_and_tells_everyone(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(state="ready")
    officers = await OutboxMessage.select().where(
        OutboxMessage.recipient == await email_of(zw.officer_a)
    )
    assert officers and "klaar om in te dienen" in officers[0]["subject"]
    await as_user(client, zw.officer_a)
    submit_page = await client.get(url(proposal_id, "/indienen"))
    assert "Definitief indienen" in submit_page.text
    await post_form(client, url(proposal_id, "/stap/submit"))
    versions = await ProposalVersion.select().where(ProposalVersion.proposal == proposal_id)
    assert [v["number"] for v in versions] == [1]
    authors = await OutboxMessage.select().where(
        OutboxMessage.recipient == await email_of(zw.applicant_x)
    )
    assert any("is ingediend" in m["subject"] for m in authors)
    page = await client.get(url(proposal_id))
    assert "Ingediend namens Midden-Holland" in page.text  # the timeline
    assert (await client.get(url(proposal_id, "/versies/1"))).status_code == 200
    # Frozen: the authors can no longer change it.
    await as_user(client, zw.applicant_x)
    edit = await post_form(client, url(proposal_id, "/bewerken/algemeen"), {"title": "Later"})
    assert edit.status_code == 303
    row = await Proposal.select(Proposal.title).where(Proposal.id == proposal_id).first()
    assert row["title"] == "Wachtlijstbrug"


async def test_version_diff_shows_what_changed(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(state="submitted")
    # What a return for revision does (the review issue): a new draft version on top.
    await Proposal.update(
        {Proposal.title: "Wachtlijstbrug 2.0", Proposal.version: 2, Proposal.state: "draft"}
    ).where(Proposal.id == proposal_id)
    await as_user(client, zw.applicant_x)
    page = await client.get(url(proposal_id, "/vergelijk?van=1"))
    assert page.status_code == 200
    assert 'data-field="title"' in page.text
    assert "Wachtlijstbrug 2.0" in page.text and "1 onderdeel gewijzigd" in page.text


async def test_budget_totals_update_live(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    response = await post_form(
        client,
        url(proposal_id, "/begroting/totalen"),
        {
            "requested_amount": "2.000,00",
            "kind": ["personnel", "material"],
            "year": ["2021", "2022"],
            "description": ["Projectleider", "Drukwerk"],
            "hours": ["10,5", ""],
            "rate": ["100,00", ""],
            "amount": ["", "1.234,56"],
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="begroting-totalen"' in response.text
    assert "€ 1.050,00" in response.text and "€ 1.234,56" in response.text
    assert "€ 2.284,56" in response.text  # the total
    assert "niet gelijk aan het totaal" in response.text
    # Each row's amount, swapped in beside its row: hours × rate for the personnel line.
    assert '<span class="fp-row-amount" id="bedrag-1" hx-swap-oob="true">€ 1.050,00' in (
        response.text
    )
    assert 'id="bedrag-2" hx-swap-oob="true">€ 1.234,56' in response.text


async def test_a_budget_row_is_added_with_or_without_script(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    typed = {
        "requested_amount": "",
        "kind": ["material", "", ""],
        "year": ["2021", "", ""],
        "description": ["Drukwerk", "", ""],
        "hours": ["", "", ""],
        "rate": ["", "", ""],
        "amount": ["100,00", "", ""],
    }
    # With script: one empty row, numbered after the three the form has.
    row = await post_form(
        client, url(proposal_id, "/begroting/regel"), typed, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr")
    assert 'id="veld-line4_kind"' in row.text and 'data-line="4"' in row.text
    assert await BudgetLine.count().where(BudgetLine.proposal == proposal_id) == 0
    # Without: the button saves what was typed and the page comes back with more empty rows.
    saved = await post_form(
        client, url(proposal_id, "/bewerken/begroting"), {**typed, "meer_regels": "1"}
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?lege_regels=8")
    page = await client.get(saved.headers["location"])
    assert 'value="Drukwerk"' in page.text
    assert page.text.count('name="kind"') == 1 + 8
    assert await BudgetLine.count().where(BudgetLine.proposal == proposal_id) == 1


async def test_budget_form_saves_lines_in_cents(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    bad = await post_form(
        client,
        url(proposal_id, "/bewerken/begroting"),
        {
            "requested_amount": "12,345",
            "kind": ["material"],
            "year": ["2021"],
            "description": ["Drukwerk"],
            "hours": [""],
            "rate": [""],
            "amount": ["1.234,56"],
        },
    )
    assert bad.status_code == 422
    assert "hoogstens twee cijfers achter de komma" in bad.text and 'value="Drukwerk"' in bad.text
    good = await post_form(
        client,
        url(proposal_id, "/bewerken/begroting"),
        {
            "requested_amount": "1.234,56",
            "kind": ["material"],
            "year": ["2021"],
            "description": ["Drukwerk"],
            "hours": [""],
            "rate": [""],
            "amount": ["1.234,56"],
        },
    )
    assert good.status_code == 303
    lines = await BudgetLine.select().where(BudgetLine.proposal == proposal_id)
    assert [(line["description"], line["amount_cents"]) for line in lines] == [("Drukwerk", 123456)]


async def test_excel_template_round_trip(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    download = await client.get(url(proposal_id, "/begroting/sjabloon.xlsx"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = workbook["Begroting"]
    sheet.append(["Overige kosten", 2022, "Evaluatie", None, None, 2500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = await client.post(
        url(proposal_id, "/begroting/importeren"),
        files={
            "file": (
                "begroting.xlsx",
                buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert upload.status_code == 303, upload.text
    lines = (
        await BudgetLine.select()
        .where(BudgetLine.proposal == proposal_id)
        .order_by(BudgetLine.sort_order)
    )
    assert [(line["kind"], line["year"], line["amount_cents"]) for line in lines] == [
        ("material", 2021, 1_000_000),
        ("other", 2022, 250_000),
    ]
    again = await client.get(url(proposal_id, "/begroting/sjabloon.xlsx"))
    parsed, problems = parse_budget_workbook(again.content, {2021, 2022})
    assert problems == [] and [line.amount_cents for line in parsed] == [1_000_000, 250_000]


async def test_broken_workbook_is_reported_per_cell_and_changes_nothing(client, zw) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    download = await client.get(url(proposal_id, "/begroting/sjabloon.xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = workbook["Begroting"]
    sheet.append(["Taart", 2021, "Onbekende soort", None, None, 10])
    sheet.append(["Overige kosten", 2019, "Te vroeg", None, None, "veel"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = await client.post(
        url(proposal_id, "/begroting/importeren"),
        files={"file": ("begroting.xlsx", buffer.getvalue(), "application/octet-stream")},
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 422
    assert "er is niets veranderd" in response.text
    assert "rij 4, kolom A" in response.text
    assert "rij 5, kolom B" in response.text and "rij 5, kolom F" in response.text
    lines = await BudgetLine.select().where(BudgetLine.proposal == proposal_id)
    assert [line["amount_cents"] for line in lines] == [1_000_000]


async def test_macro_workbook_is_refused(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    response = await client.post(
        url(proposal_id, "/begroting/importeren"),
        files={"file": ("begroting.xlsm", b"PK\x03\x04not really", "application/octet-stream")},
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 422
    assert await BudgetLine.count().where(BudgetLine.proposal == proposal_id) == 1


async def _upload(
    client, proposal_id: int, name: str, content: bytes, kind: str = "other", region: str = ""
) -> httpx.Response:
    return await client.post(
        url(proposal_id, "/bijlagen"),
        files={"file": (name, content, "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"], "kind": kind, "region": region},
    )


async def test_attachment_checks_and_storage(client, zw: Zuidwest, settings) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    oversized = PDF[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    refused = await _upload(client, proposal_id, "groot.pdf", oversized)
    page = await client.get(refused.headers["location"])
    assert "de grens is 1 MB" in page.text
    exe = await _upload(client, proposal_id, "rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    page = await client.get(exe.headers["location"])
    assert "niet toegestaan" in page.text
    assert await Attachment.count() == 0
    stored_before = set(settings.upload_dir.iterdir()) if settings.upload_dir.exists() else set()

    accepted = await _upload(client, proposal_id, "../../etc/passwd.pdf", PDF)
    assert accepted.status_code == 303
    row = await Attachment.select().first()
    assert "/" not in row["display_name"] and ".." not in row["display_name"]
    assert row["display_name"].endswith(".pdf")
    new_files = set(settings.upload_dir.iterdir()) - stored_before
    assert [f.name for f in new_files] == [row["stored_name"]]
    assert len(row["stored_name"]) == 32

    download = await client.get(url(proposal_id, f"/bijlagen/{row['id']}"))
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    await as_user(client, zw.applicant_y)
    assert (await client.get(url(proposal_id, f"/bijlagen/{row['id']}"))).status_code == 404


async def test_consent_letter_satisfies_the_extension_rule(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    criteria = {
        "functions": "consultation",
        "transformation_goals": "earlier_help",
        "goal_earlier_help_explanation": "Sneller",
        "participating_regions": [str(zw.region_a), str(zw.region_b)],
        "supra_regional_reason": "Overal",
        "innovation": "Nieuw",
        "extends_offer": "other_region",
        "extension_region": str(zw.region_b),
    }
    await post_form(client, url(proposal_id, "/bewerken/criteria"), criteria)
    page = await client.get(url(proposal_id))
    assert 'data-rule="consent_letter" data-status="fail"' in page.text
    await _upload(
        client, proposal_id, "akkoord.pdf", PDF, kind="consent_letter", region=str(zw.region_b)
    )
    page = await client.get(url(proposal_id))
    assert 'data-rule="consent_letter" data-status="ok"' in page.text


async def test_coauthor_edits_the_same_draft(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    unknown = await post_form(client, url(proposal_id, "/auteurs"), {"email": "vreemd@example.org"})
    page = await client.get(unknown.headers["location"])
    assert "Er is geen collega met dit e-mailadres in dit netwerk" in page.text
    await post_form(client, url(proposal_id, "/auteurs"), {"email": "y@example.org"})
    assert await OutboxMessage.count().where(OutboxMessage.recipient == "y@example.org") == 1
    await as_user(client, zw.applicant_y)
    saved = await post_form(
        client,
        url(proposal_id, "/bewerken/algemeen"),
        {"title": "Samen geschreven", "theme": str(zw.themes[1])},
    )
    assert saved.status_code == 303
    row = (
        await Proposal.select(Proposal.title, Proposal.theme)
        .where(Proposal.id == proposal_id)
        .first()
    )
    assert row == {"title": "Samen geschreven", "theme": zw.themes[1]}


async def test_round_is_frozen_after_the_first_submission_except_its_deadline(client, zw) -> None:
    await as_user(client, zw.coordinator)
    form = {
        "budget_year": str(zw.budget_year),
        "title": "Ronde 2021 (gewijzigd)",
        "opens_at": "2021-07-01T09:00",
        "closes_at": "2031-10-01T17:00",
        "attachment_limit_mb": "5",
        "theme_id": [str(t) for t in zw.themes],
        "theme_name": ["Wachtlijsten", "Forensisch"],
        "theme_budget": ["50.000", "60.000"],
        "theme_description": ["", ""],
    }
    assert (await post_form(client, f"/n/zuid-west/rondes/{zw.round}", form)).status_code == 303
    row = await Round.select().where(Round.id == zw.round).first()
    assert row["title"] == "Ronde 2021 (gewijzigd)" and row["attachment_limit_mb"] == 5

    await zw.proposal(state="submitted")
    form |= {
        "title": "Nog eens anders",
        "closes_at": "2031-11-01T17:00",
        "attachment_limit_mb": "9",
    }
    assert (await post_form(client, f"/n/zuid-west/rondes/{zw.round}", form)).status_code == 303
    row = await Round.select().where(Round.id == zw.round).first()
    assert row["title"] == "Ronde 2021 (gewijzigd)" and row["attachment_limit_mb"] == 5
    assert clock.as_utc(row["closes_at"]) == dt.datetime(2031, 11, 1, 16, tzinfo=dt.UTC)
    moved = await AuditEvent.select().where(AuditEvent.action == "round_deadline_moved")
    assert len(moved) == 1 and "verplaatst" in moved[0]["summary"]


async def test_round_form_keeps_input_and_explains(client, zw: Zuidwest) -> None:
    await as_user(client, zw.coordinator)
    response = await post_form(
        client,
        "/n/zuid-west/rondes/nieuw",
        {
            "budget_year": str(zw.budget_year),
            "title": "Ronde 2022",
            "opens_at": "2022-07-01T09:00",
            "closes_at": "2022-06-01T09:00",
            "attachment_limit_mb": "10",
            "theme_id": [""],
            "theme_name": ["Thema"],
            "theme_budget": ["tien euro"],
            "theme_description": [""],
        },
    )
    assert response.status_code == 422
    assert "Schrijf het bedrag als 1.234,56" in response.text
    assert 'value="Ronde 2022"' in response.text and 'value="tien euro"' in response.text
    assert await Round.count() == 1


async def test_budget_year_set_up(client, zw: Zuidwest) -> None:
    await as_user(client, zw.coordinator)
    duplicate = await post_form(
        client, "/n/zuid-west/begrotingsjaren", {"year": "2021", "spuk_amount": "4.680.380,00"}
    )
    assert duplicate.status_code == 422 and "bestaat al" in duplicate.text
    created = await post_form(
        client, "/n/zuid-west/begrotingsjaren", {"year": "2022", "spuk_amount": "4.850.000"}
    )
    assert created.status_code == 303
    page = await client.get("/n/zuid-west/rondes")
    assert "€ 4.850.000,00" in page.text


async def test_coordinator_list_filters_and_pages(client, zw: Zuidwest) -> None:
    await zw.proposal(state="submitted", title="Forensische lijn")
    await zw.proposal(state="submitted", title="Wachtlijstbrug", region=zw.region_b)
    await zw.proposal(state="draft", title="Nog geheim")
    await as_user(client, zw.coordinator)
    everything = await client.get("/n/zuid-west/voorstellen")
    assert "Forensische lijn" in everything.text and "Wachtlijstbrug" in everything.text
    assert "Nog geheim" not in everything.text
    searched = await client.get("/n/zuid-west/voorstellen?zoek=forens")
    assert "Forensische lijn" in searched.text and "Wachtlijstbrug" not in searched.text
    by_region = await client.get(f"/n/zuid-west/voorstellen?regio={zw.region_b}")
    assert "Wachtlijstbrug" in by_region.text and "Forensische lijn" not in by_region.text
    # The filter form sends empty values for "Alle": no filter, never a 400.
    blank = await client.get(
        "/n/zuid-west/voorstellen?lijst=alle&zoek=&ronde=&thema=&regio=&status="
    )
    assert blank.status_code == 200 and "Forensische lijn" in blank.text
    mangled = await client.get("/n/zuid-west/voorstellen?ronde=abc&pagina=-3")
    assert mangled.status_code == 200
    hostile = await client.get("/n/zuid-west/voorstellen?zoek=%27%3B%20DROP%20TABLE%20proposal")
    assert hostile.status_code == 200 and "Geen voorstellen gevonden" in hostile.text
    listed = await listing.list_proposals(
        zw.network, "all", zw.coordinator, set(), listing.ListFilter(per_page=1, page=2)
    )
    assert listed.total == 2 and len(listed.rows) == 1


async def test_withdrawal_by_the_author(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(state="ready")
    await as_user(client, zw.applicant_x)
    await post_form(client, url(proposal_id, "/stap/withdraw"))
    assert await state_of(proposal_id) == "withdrawn"
