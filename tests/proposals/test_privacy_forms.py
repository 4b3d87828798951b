"""DESIGN §2.11 at every place text or a file comes in: a BSN is refused with a Dutch message
and what was typed stays; a likely client's birth date, mobile number or name waits for the
author's tick; the checklist and the submit page show what was confirmed, and the region
officer confirms it again. Both databases."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest

from ledger.books.tables import Report, ReportAttachment
from proposals.tables import Attachment, BudgetLine, Proposal
from review.tables import Question
from tests.portal.test_access_matrix import World
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import Zuidwest
from tests.proposals.test_document_privacy import BSN_TEXT, WARNING_TEXT, pdf, word
from tests.proposals.test_proposal_pages import as_user, url
from tests.web import csrf_token, log_in, post_form

BSN = "Gesprek met de jongere, BSN 123456782, over de wachttijd."
REFUSED = "burgerservicenummer (BSN)"
WARNED = "Mogelijk gegevens van een jeugdige of cliënt"
BIRTH = "De jeugdige is geboren op 12-03-2011 en woont in de regio."
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _stored(proposal_id: int) -> dict:
    return await Proposal.select().where(Proposal.id == proposal_id).first()


@pytest.mark.parametrize(
    ("section", "data", "field"),
    [
        ("algemeen", {"title": "Kort", "summary": BSN}, "summary"),
        ("algemeen", {"title": "Jeugdige 123456782"}, "title"),
        ("inhoud", {"goals": BSN}, "goals"),
        ("inhoud", {"results": BSN}, "results"),
        ("inhoud", {"activities": BSN}, "activities"),
        ("inhoud", {"target_group": BSN}, "target_group"),
        ("criteria", {"supra_regional_reason": BSN}, "supra_regional_reason"),
        ("criteria", {"innovation": BSN}, "innovation"),
        (
            "criteria",
            {"transformation_goals": "own_strength", "goal_own_strength_explanation": BSN},
            "goal_own_strength_explanation",
        ),
        ("criteria", {"extension_description": BSN}, "extension_description"),
        ("inkoop", {"procurement_notes": BSN}, "procurement_notes"),
    ],
)
async def test_a_bsn_in_each_text_of_a_proposal_is_refused_and_kept(
    client: httpx.AsyncClient, zw: Zuidwest, section: str, data: dict, field: str
) -> None:
    proposal_id = await zw.proposal(complete=False)
    before = await _stored(proposal_id)
    await as_user(client, zw.applicant_x)
    refused = await post_form(client, url(proposal_id, f"/bewerken/{section}"), data)
    assert refused.status_code == 422
    assert REFUSED in refused.text and f'id="veld-{field}-fout"' in refused.text
    assert data[field] in refused.text  # what was typed comes back whole
    assert "123456782" not in refused.text.replace(data[field], "")  # the message masks it
    after = await _stored(proposal_id)
    assert {k: after[k] for k in before if k != "updated_at"} == {
        k: before[k] for k in before if k != "updated_at"
    }


async def test_a_bsn_in_a_budget_line_or_a_new_title_is_refused(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    lines = await BudgetLine.count()
    refused = await post_form(
        client,
        url(proposal_id, "/bewerken/begroting"),
        {
            "requested_amount": "100",
            "kind": "material",
            "year": "2021",
            "description": "Vervoer jeugdige 123456782",
            "amount": "100",
        },
    )
    assert refused.status_code == 422 and REFUSED in refused.text
    assert "Vervoer jeugdige 123456782" in refused.text and await BudgetLine.count() == lines
    count = await Proposal.count()
    refused = await post_form(
        client,
        "/n/zuid-west/voorstellen/nieuw",
        {"round": str(zw.round), "title": "Casus 123456782"},
    )
    assert refused.status_code == 422 and REFUSED in refused.text
    assert "Casus 123456782" in refused.text and await Proposal.count() == count


async def test_a_warning_waits_for_the_authors_tick_and_stays_on_the_checklist(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    data = {"goals": BIRTH, "results": "Minder wachttijd"}
    warned = await post_form(client, url(proposal_id, "/bewerken/inhoud"), data)
    assert warned.status_code == 422
    assert WARNED in warned.text and "Doelen" in warned.text and "een geboortedatum" in warned.text
    assert 'name="privacy_ok"' in warned.text
    assert BIRTH in warned.text and "Minder wachttijd" in warned.text
    assert (await _stored(proposal_id))["goals"] == ""
    saved = await post_form(
        client, url(proposal_id, "/bewerken/inhoud"), {**data, "privacy_ok": "1"}
    )
    assert saved.status_code == 303
    assert (await _stored(proposal_id))["goals"] == BIRTH
    page = await client.get(url(proposal_id))
    assert 'data-rule="client_data" data-status="warn"' in page.text
    assert "Doelen: een geboortedatum (geboren op 12-03-2011)" in page.text
    # A clean text needs no tick.
    clean = await post_form(
        client, url(proposal_id, "/bewerken/inhoud"), {"goals": "Kortere wachttijden."}
    )
    assert clean.status_code == 303
    page = await client.get(url(proposal_id))
    assert 'data-rule="client_data" data-status="ok"' in page.text


async def test_the_region_officer_confirms_again_when_submitting(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(state="ready")
    await Proposal.update({Proposal.results: BIRTH}).where(Proposal.id == proposal_id)
    await as_user(client, zw.officer_a)
    page = await client.get(url(proposal_id, "/indienen"))
    assert "Resultaten: een geboortedatum" in page.text and 'name="privacy_ok"' in page.text
    refused = await post_form(client, url(proposal_id, "/stap/submit"))
    assert (await _stored(proposal_id))["state"] == "ready"
    flash = await client.get(refused.headers["location"])
    assert "kruis aan dat het niet om een cliënt gaat" in flash.text
    done = await post_form(client, url(proposal_id, "/stap/submit"), {"privacy_ok": "1"})
    assert done.status_code == 303 and (await _stored(proposal_id))["state"] == "submitted"


async def _upload(
    client: httpx.AsyncClient, target: str, content: bytes, name: str, **extra: str
) -> str:
    response = await client.post(
        target,
        files={"file": (name, content, PDF)},
        data={"_csrf_token": await csrf_token(client), "kind": "other", "region": "", **extra},
    )
    assert response.status_code == 303
    return (await client.get(response.headers["location"])).text


async def test_proposal_attachments_are_judged_by_their_text(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    target = url(proposal_id, "/bijlagen")
    page = await _upload(client, target, pdf(BSN_TEXT), "dossier.pdf")
    assert REFUSED in page and await Attachment.count() == 0
    page = await _upload(client, target, word(WARNING_TEXT), "verslag.docx")
    assert "een geboortedatum" in page and "kruis aan" in page and await Attachment.count() == 0
    page = await _upload(client, target, word(WARNING_TEXT), "verslag.docx", privacy_ok_file="1")
    assert "is toegevoegd" in page
    stored = await Attachment.select(Attachment.privacy_warnings).output(load_json=True).first()
    assert {w["kind"] for w in stored["privacy_warnings"]} >= {"birth_date", "phone"}
    assert all(w["where"] == "verslag.docx" for w in stored["privacy_warnings"])
    detail = await client.get(url(proposal_id))
    assert "verslag.docx: een geboortedatum" in detail.text
    page = await _upload(client, target, pdf("Projectplan zonder cliënten."), "plan.pdf")
    assert "is toegevoegd" in page and await Attachment.count() == 2


async def test_reports_refuse_a_bsn_in_text_and_files(
    client: httpx.AsyncClient, world: World
) -> None:
    report_id = world.values["report_id"]
    before = await Report.select().where(Report.id == report_id).first()
    files = await ReportAttachment.count()
    await log_in(client, "regio-a@example.org")
    base = f"/n/zuid-west/verantwoording/{report_id}"
    page = await _upload(client, f"{base}/bijlagen", pdf(BSN_TEXT), "facturen.pdf")
    assert REFUSED in page and await ReportAttachment.count() == files
    for target in (base, f"{base}/concept"):
        refused = await post_form(
            client, target, {"lessons_worked": BSN, "realised1": "100", "result1": "Gedaan"}
        )
        assert refused.status_code == 422, target
        assert REFUSED in refused.text and BSN in refused.text
    warned = await post_form(client, f"{base}/concept", {"lessons_worked": BIRTH})
    assert warned.status_code == 422 and WARNED in warned.text
    after = await Report.select().where(Report.id == report_id).first()
    assert after == before
    saved = await post_form(client, f"{base}/concept", {"lessons_worked": BIRTH, "privacy_ok": "1"})
    assert saved.status_code == 303


async def test_questions_and_answers_refuse_a_bsn(client: httpx.AsyncClient, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await as_user(client, zw.coordinator)
    ask = url(proposal_id, "/vragen/")
    refused = await post_form(client, ask, {"question": f"Gaat het om {BSN}?"})
    assert refused.status_code == 422 and REFUSED in refused.text and BSN in refused.text
    assert await Question.count() == 0
    warned = await post_form(client, ask, {"question": "Is cliënt Sanne de Vries al geholpen?"})
    assert warned.status_code == 422 and WARNED in warned.text and await Question.count() == 0
    asked = await post_form(client, ask, {"question": "Wie trekt de kar?"})
    assert asked.status_code == 303
    question_id = (await Question.select(Question.id).first())["id"]
    await as_user(client, zw.applicant_x)
    refused = await post_form(client, f"{ask}{question_id}/antwoord", {"answer": BSN})
    assert refused.status_code == 422 and REFUSED in refused.text and BSN in refused.text
    assert (await Question.select(Question.answer).first())["answer"] == ""


async def test_a_bsn_in_the_excel_budget_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(complete=True)
    await as_user(client, zw.applicant_x)
    download = await client.get(url(proposal_id, "/begroting/sjabloon.xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    workbook["Begroting"].append(["Overige kosten", 2022, "Vervoer BSN 123456782", None, None, 25])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = await BudgetLine.select().where(BudgetLine.proposal == proposal_id)
    refused = await client.post(
        url(proposal_id, "/begroting/importeren"),
        files={"file": ("begroting.xlsx", buffer.getvalue(), XLSX)},
        data={"_csrf_token": await csrf_token(client)},
    )
    assert refused.status_code == 422
    assert "Regel 2" in refused.text and REFUSED in refused.text
    assert await BudgetLine.select().where(BudgetLine.proposal == proposal_id) == before
