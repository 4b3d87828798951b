"""A "may I" decided on a page that is older than the proposal: a draft that was submitted
meanwhile is frozen, whatever the author's open page still believes (the check runs again
inside the write's transaction)."""

from __future__ import annotations

import hashlib

import pytest

from portal.lib.files import CheckedFile
from proposals import queries, services
from proposals.budget_workbook import BudgetLineInput
from proposals.forms import SectionInput
from proposals.rules import Actor
from proposals.tables import Attachment, BudgetLine
from tests.proposals.conftest import Zuidwest, principal

AUTHOR = {Actor.author}


async def _submitted_behind_the_authors_back(zw: Zuidwest) -> tuple[int, dict]:
    proposal_id = await zw.proposal(state="draft")
    stale = await queries.proposal_row(zw.network, proposal_id)
    await zw.step(proposal_id, "mark_ready", zw.applicant_x, Actor.author)
    await zw.step(proposal_id, "submit", zw.officer_a, Actor.region_officer)
    return proposal_id, stale


async def test_a_section_saved_from_a_stale_page_is_refused(zw: Zuidwest) -> None:
    proposal_id, stale = await _submitted_behind_the_authors_back(zw)
    with pytest.raises(services.ProposalRefused, match="niet meer in concept"):
        await services.save_section(
            await principal(zw.applicant_x),
            stale,
            AUTHOR,
            "algemeen",
            SectionInput({"summary": "Na het indienen"}),
        )
    assert (await queries.proposal_row(zw.network, proposal_id))["summary"] == "Samenvatting"


async def test_a_budget_saved_from_a_stale_page_is_refused(zw: Zuidwest) -> None:
    proposal_id, stale = await _submitted_behind_the_authors_back(zw)
    before = await BudgetLine.count().where(BudgetLine.proposal == proposal_id)
    with pytest.raises(services.ProposalRefused, match="niet meer in concept"):
        await services.save_budget(
            await principal(zw.applicant_x),
            stale,
            AUTHOR,
            1,
            [BudgetLineInput("material", 2021, "Later", 1)],
        )
    assert await BudgetLine.count().where(BudgetLine.proposal == proposal_id) == before


async def test_an_attachment_added_from_a_stale_page_is_refused(zw: Zuidwest) -> None:
    proposal_id, stale = await _submitted_behind_the_authors_back(zw)
    checked = CheckedFile(
        display_name="laat.pdf", format="pdf", size=3, sha256=hashlib.sha256(b"pdf").hexdigest()
    )
    with pytest.raises(services.ProposalRefused, match="niet meer in concept"):
        await services.add_attachment(
            await principal(zw.applicant_x), stale, AUTHOR, "other", None, checked, "x.pdf"
        )
    assert await Attachment.count().where(Attachment.proposal == proposal_id) == 0
