"""Issue 17 in the books: a reason, a statement, a note or a reference over its limit is
refused with the message on its field and what was typed kept, never cut (the books used to
keep the first 2.000 characters of a reason). Both databases."""

from __future__ import annotations

import pytest

from ledger.books.booking import LedgerRefused
from ledger.books.services import move
from ledger.books.tables import ChangeRequest, Entry, PaymentRequest
from portal.accounts.tables import Network
from tests.ledger.conftest import Year
from tests.ledger.test_changes import FORM
from tests.ledger.test_ledger_pages import as_user
from tests.ledger.test_payment_requests import setting
from tests.web import post_form


async def _slug(year: Year) -> str:
    return (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]


async def test_a_long_reason_for_a_move_is_refused_whole(client, year: Year) -> None:
    await as_user(client, year.coordinator)
    entries = await Entry.count()
    reason = "r" * 2001
    refused = await post_form(
        client,
        f"/n/{await _slug(year)}/begroting/{year.budget_year}/herschikken",
        {
            "kind": "transfer",
            "from_account": str(year.accounts["learning"]),
            "to_account": str(year.accounts["process_a"]),
            "amount": "1,00",
            "reason": reason,
        },
    )
    assert refused.status_code == 422
    assert "Deze tekst is 2.001 tekens; er passen er ten hoogste 2.000 in." in refused.text
    assert 'id="veld-reason-fout"' in refused.text and reason in refused.text
    assert "Ten hoogste 2.000 tekens." in refused.text
    assert await Entry.count() == entries
    # And the books themselves refuse, whoever calls them.
    with pytest.raises(LedgerRefused, match="2.001 tekens"):
        await move(
            await year.actor(),
            year.network,
            year.budget_year,
            "transfer",
            year.accounts["learning"],
            year.accounts["process_a"],
            100,
            reason,
            "",
        )
    assert await Entry.count() == entries


async def test_a_long_statement_note_or_change_reason_is_refused_whole(client, year: Year) -> None:
    project, officer_a, _ = await setting(year)
    slug = await _slug(year)
    await as_user(client, officer_a)
    statement = "s" * 5001
    refused = await post_form(
        client,
        f"/n/{slug}/betaalverzoeken/nieuw",
        {
            "project": str(project["id"]),
            "kind": "advance",
            "amount": "1.000",
            "statement": statement,
        },
    )
    assert refused.status_code == 422
    assert "Deze tekst is 5.001 tekens; er passen er ten hoogste 5.000 in." in refused.text
    assert statement in refused.text and await PaymentRequest.count() == 0
    reason = "w" * 5001
    refused = await post_form(
        client,
        f"/n/{slug}/wijzigingen/nieuw",
        {**FORM, "project": str(project["id"]), "reason": reason},
    )
    assert refused.status_code == 422 and reason in refused.text
    assert "er passen er ten hoogste 5.000 in" in refused.text
    assert await ChangeRequest.count() == 0
    sent = await post_form(
        client, f"/n/{slug}/wijzigingen/nieuw", {**FORM, "project": str(project["id"])}
    )
    assert sent.status_code == 303
    await as_user(client, year.coordinator)
    (row,) = await ChangeRequest.select(ChangeRequest.id)
    note = "n" * 2001
    refused = await post_form(
        client,
        f"/n/{slug}/wijzigingen/{row['id']}/beslissen",
        {"decision": "afwijzen", "decision_reference": "WB-7", "note": note},
    )
    assert refused.status_code == 422 and note in refused.text
    assert "er passen er ten hoogste 2.000 in" in refused.text
    state = (await ChangeRequest.select(ChangeRequest.state).first())["state"]
    assert state == "requested"
