"""The beheerder erases a person (anonymised, not deleted: the books stay whole), and sets the
retention periods; on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from ledger.books import queries as ledger_queries
from ledger.books.tables import Entry
from portal.accounts.api_tokens import ApiToken, create_token
from portal.accounts.erasure import ErasureRefused, erase_person
from portal.accounts.retention import MONTHS_PROBLEM, RetentionKind
from portal.accounts.retention_services import periods
from portal.accounts.services import OutOfScope
from portal.accounts.tables import (
    AuditEvent,
    Membership,
    OutboxMessage,
    Role,
    User,
    UserSession,
)
from proposals.tables import Proposal
from tests import factories
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in, post_form

REASON = "Verzoek van de persoon per e-mail van 3 maart"


@pytest.fixture
async def admin(zw: Zuidwest) -> int:
    return await factories.member(zw.network, Role.admin, email="beheer@example.org")


def _user_url(user_id: int) -> str:
    return f"/beheer/zuid-west/gebruikers/{user_id}"


async def test_erasing_keeps_the_books_whole(zw: Zuidwest, admin: int) -> None:
    """The coordinator who set up the year is erased: the entries they booked stay theirs, the
    figures stay the same, and nothing of them is left in their row."""
    coordinator = zw.coordinator
    entries = await Entry.select().where(Entry.created_by == coordinator).order_by(Entry.id)
    assert entries
    figures = await ledger_queries.year_figures(zw.budget_year)
    proposal = await zw.proposal(state="draft")
    await Proposal.update(
        {Proposal.contact_email: "COORD@example.org", Proposal.contact_phone: "06-1"}
    ).where(Proposal.id == proposal)
    await create_token(coordinator, "Financieel systeem", actor_id=coordinator)
    await User.update({User.name: "Cora Coördinator"}).where(User.id == coordinator)
    await AuditEvent.insert(
        AuditEvent(
            actor=admin,
            action="reviewer_assigned",
            object_type="proposal",
            object_id=str(proposal),
            summary="Cora Coördinator toegewezen als beoordelaar",
        )
    )
    await OutboxMessage.insert(
        OutboxMessage(recipient="coord@example.org", subject="Hallo", body="Beste Cora")
    )

    await erase_person(await principal(admin), zw.network, coordinator, REASON)

    row = await User.select().where(User.id == coordinator).first()
    assert row["name"] == f"Gewiste gebruiker {coordinator}"
    assert row["email"] == f"gewist-{coordinator}@invalid"
    assert (row["password_hash"], row["totp_secret"], row["active"]) == ("", "", False)
    assert row["erased_at"] is not None
    assert "coord" not in str(row).lower()
    assert not await Membership.exists().where(Membership.user == coordinator)
    assert not await ApiToken.exists().where(ApiToken.user == coordinator)
    assert not await UserSession.exists().where(UserSession.user == coordinator)
    # The books: the same entries by the same (erased) person, the same figures.
    after = await Entry.select().where(Entry.created_by == coordinator).order_by(Entry.id)
    assert after == entries
    assert await ledger_queries.year_figures(zw.budget_year) == figures
    # The proposal whose contact they were lost it.
    contact = await Proposal.select(
        Proposal.contact_email, Proposal.contact_phone, Proposal.contact_name
    ).where(Proposal.id == proposal)
    assert contact == [{"contact_email": "", "contact_phone": "", "contact_name": ""}]
    # The e-mails to them are gone; the audit log's line names the erased account.
    assert not await OutboxMessage.exists().where(OutboxMessage.body.like("%Cora%"))
    assert await AuditEvent.exists().where(
        AuditEvent.summary == f"Gewiste gebruiker {coordinator} toegewezen als beoordelaar"
    )
    assert not await AuditEvent.exists().where(AuditEvent.summary.like("%Cora%"))
    event = await AuditEvent.select().where(AuditEvent.action == "person_erased").first()
    assert event["actor"] == admin and event["object_id"] == str(coordinator)
    assert REASON in str(event["details"])
    # Erasing twice is refused, and changes nothing.
    with pytest.raises((ErasureRefused, OutOfScope)):
        await erase_person(await principal(admin), zw.network, coordinator, REASON)


async def test_a_beheerder_cannot_erase_themselves_nor_without_a_reason(
    zw: Zuidwest, admin: int
) -> None:
    actor = await principal(admin)
    with pytest.raises(ErasureRefused, match="uzelf"):
        await erase_person(actor, zw.network, admin, REASON)
    with pytest.raises(ErasureRefused, match="reden"):
        await erase_person(actor, zw.network, zw.applicant_x, "  ")
    other = await factories.network(slug="limburg")
    elsewhere = await factories.member(other, Role.applicant, email="li@example.org")
    with pytest.raises(OutOfScope):
        await erase_person(actor, zw.network, elsewhere, REASON)
    assert not await User.exists().where(User.erased_at.is_not_null())


async def test_the_page_erases_with_a_reason_and_the_person_cannot_log_in(
    zw: Zuidwest, admin: int, client: httpx.AsyncClient
) -> None:
    await log_in(client, "beheer@example.org")
    page = await client.get(_user_url(zw.applicant_x))
    assert page.status_code == 200
    assert "Persoon wissen" in page.text and '<details class="fp-confirm">' in page.text

    empty = await post_form(client, _user_url(zw.applicant_x) + "/wissen", {"reason": " "})
    assert empty.status_code == 422
    assert "Vul de reden in" in empty.text
    own = await post_form(client, _user_url(admin) + "/wissen", {"reason": "Omdat het kan"})
    assert own.status_code == 303
    assert "U kunt uzelf niet wissen." in (await client.get(own.headers["location"])).text
    assert not await User.exists().where(User.erased_at.is_not_null())

    done = await post_form(client, _user_url(zw.applicant_x) + "/wissen", {"reason": REASON})
    assert done.status_code == 303
    assert done.headers["location"] == "/beheer/zuid-west/gebruikers"
    assert (await client.get(_user_url(zw.applicant_x))).status_code == 404

    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as other:
        for email in ("x@example.org", f"gewist-{zw.applicant_x}@invalid"):
            response = await post_form(
                other, "/login", {"email": email, "password": factories.PASSWORD}
            )
            assert response.status_code != 303


async def test_only_a_beheerder_erases(zw: Zuidwest, client: httpx.AsyncClient) -> None:
    await log_in(client, "coord@example.org")
    response = await post_form(client, _user_url(zw.applicant_x) + "/wissen", {"reason": REASON})
    assert response.status_code in (403, 404)
    assert not await User.exists().where(User.erased_at.is_not_null())


# --- Beheer → Bewaartermijnen -------------------------------------------------------------


async def test_the_portals_beheerder_sets_the_periods(
    zw: Zuidwest, admin: int, client: httpx.AsyncClient
) -> None:
    await factories.member(
        None, Role.admin, user_id=await factories.user("alle@example.org", "Bea Beheer")
    )
    await log_in(client, "alle@example.org")
    index = await client.get("/beheer")
    assert 'href="/beheer/bewaartermijnen"' in index.text
    page = await client.get("/beheer/bewaartermijnen")
    assert page.status_code == 200
    for label in ("Financiële stukken", "Afgewezen en ingetrokken", "Gedeactiveerde accounts"):
        assert label in page.text
    assert 'value="84"' in page.text

    wrong = await post_form(
        client,
        "/beheer/bewaartermijnen",
        {"financial": "zeven jaar", "closed_proposal": "0", "account": "12"},
    )
    assert wrong.status_code == 422
    assert MONTHS_PROBLEM in wrong.text
    assert 'value="zeven jaar"' in wrong.text and 'value="0"' in wrong.text
    assert (await periods())[RetentionKind.financial] == 84

    saved = await post_form(
        client,
        "/beheer/bewaartermijnen",
        {"financial": "96", "closed_proposal": "24", "account": "18"},
    )
    assert saved.status_code == 303
    assert (await periods()) == {
        RetentionKind.financial: 96,
        RetentionKind.closed_proposal: 24,
        RetentionKind.account: 18,
    }
    logged = await AuditEvent.select(AuditEvent.object_id).where(
        AuditEvent.action == "retention_period_set"
    )
    assert sorted(e["object_id"] for e in logged) == ["account", "financial"]


async def test_a_networks_beheerder_may_not_set_them(
    zw: Zuidwest, admin: int, client: httpx.AsyncClient
) -> None:
    await log_in(client, "beheer@example.org")
    assert (await client.get("/beheer/bewaartermijnen")).status_code == 403
    response = await post_form(
        client,
        "/beheer/bewaartermijnen",
        {"financial": "1", "closed_proposal": "1", "account": "1"},
    )
    assert response.status_code == 403
    assert (await periods())[RetentionKind.financial] == 84
