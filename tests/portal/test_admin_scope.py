"""A network's admin manages the memberships of that network, and no account beyond it."""

from __future__ import annotations

import httpx
import pytest

from portal.accounts.rules import ELSEWHERE, OUTSIDE_SCOPE, account_in_scope
from portal.accounts.tables import Membership, Role, User, UserSession
from tests import factories
from tests.web import log_in, post_form


@pytest.fixture
async def two_networks(database) -> dict[str, int]:
    zuid_west = await factories.network(slug="zuid-west")
    limburg = await factories.network(slug="limburg")
    ids = {
        "zuid_west": zuid_west,
        "limburg": limburg,
        "zw_admin": await factories.member(zuid_west, Role.admin, email="beheer-zw@example.org"),
        "li_admin": await factories.member(limburg, Role.admin, email="beheer-li@example.org"),
        "zw_user": await factories.member(zuid_west, Role.applicant, email="anna@example.org"),
        "li_user": await factories.member(limburg, Role.applicant, email="bart@example.org"),
        "root": await factories.member(None, Role.admin, email="root@example.org"),
    }
    # Someone with a role in both networks, and the installation's admin also in Limburg.
    ids["both"] = await factories.member(zuid_west, Role.reviewer, email="cees@example.org")
    await Membership.insert(Membership(user=ids["both"], network=limburg, role="applicant"))
    await Membership.insert(Membership(user=ids["root"], network=limburg, role="coordinator"))
    return ids


async def _limburg_admin(client: httpx.AsyncClient) -> None:
    await log_in(client, "beheer-li@example.org")


async def test_inviting_a_person_of_another_network_is_refused(
    two_networks: dict[str, int], client: httpx.AsyncClient
) -> None:
    await _limburg_admin(client)
    response = await post_form(
        client,
        "/beheer/limburg/gebruikers/uitnodigen",
        {"email": "anna@example.org", "name": "Anna", "role": "coordinator"},
    )
    assert response.status_code == 422
    assert ELSEWHERE.split(";")[0] in response.text
    assert 'value="anna@example.org"' in response.text
    assert not await Membership.exists().where(
        (Membership.user == two_networks["zw_user"])
        & (Membership.network == two_networks["limburg"])
    )


async def test_inviting_a_person_of_the_own_network_again_adds_the_role(
    two_networks: dict[str, int], client: httpx.AsyncClient
) -> None:
    await _limburg_admin(client)
    response = await post_form(
        client,
        "/beheer/limburg/gebruikers/uitnodigen",
        {"email": "bart@example.org", "name": "Bart", "role": "coordinator"},
    )
    assert response.status_code == 303, response.text
    assert await Membership.count().where(Membership.user == two_networks["li_user"]) == 2


@pytest.mark.parametrize("target", ["both", "root"])
@pytest.mark.parametrize("action", ["actief", "tweestaps-herstellen"])
async def test_an_account_beyond_the_network_cannot_be_changed(
    target: str, action: str, two_networks: dict[str, int], client: httpx.AsyncClient, app
) -> None:
    user_id = two_networks[target]
    email = await factories.email_of(user_id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as victim:
        await log_in(victim, email)
    sessions_before = await UserSession.count().where(UserSession.user == user_id)
    before = await User.select().where(User.id == user_id).first()
    await _limburg_admin(client)
    response = await post_form(
        client, f"/beheer/limburg/gebruikers/{user_id}/{action}", {"active": "0"}
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Alleen de beheerder van de installatie" in page.text or (
        "Alleen een beheerder van alle netwerken" in page.text
    )
    assert await User.select().where(User.id == user_id).first() == before
    assert await UserSession.count().where(UserSession.user == user_id) == sessions_before


async def test_an_account_only_in_the_network_can_be_deactivated(
    two_networks: dict[str, int], client: httpx.AsyncClient
) -> None:
    await _limburg_admin(client)
    user_id = two_networks["li_user"]
    response = await post_form(client, f"/beheer/limburg/gebruikers/{user_id}/actief", {})
    assert response.status_code == 303
    assert not (await User.select(User.active).where(User.id == user_id).first())["active"]


async def test_the_installation_admin_may_change_any_account(
    two_networks: dict[str, int], client: httpx.AsyncClient
) -> None:
    await log_in(client, "root@example.org")
    user_id = two_networks["both"]
    response = await post_form(client, f"/beheer/limburg/gebruikers/{user_id}/actief", {})
    assert response.status_code == 303
    assert not (await User.select(User.active).where(User.id == user_id).first())["active"]


def test_the_scope_rule() -> None:
    assert account_in_scope(False, 1, {1})
    assert account_in_scope(False, 1, set())
    assert not account_in_scope(False, 1, {1, 2})
    assert not account_in_scope(False, 1, {1, None})
    assert account_in_scope(True, 1, {1, 2, None})
    assert OUTSIDE_SCOPE
