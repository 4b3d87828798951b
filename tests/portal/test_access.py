"""Who may use which route: every admin route for every role, and networks kept apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from portal.accounts.guards import ALLOW_KEY, Allow
from portal.accounts.tables import Membership, Role
from tests import factories
from tests.web import log_in, post_form


def http_handlers(app: Litestar) -> list[tuple[str, str, object]]:
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    found.append((method, route.path, handler))
    return found


async def test_every_route_declares_who_may_use_it(app: Litestar) -> None:
    missing = [
        f"{method} {path}"
        for method, path, handler in http_handlers(app)
        if method != "OPTIONS" and not isinstance(handler.opt.get(ALLOW_KEY), Allow)
    ]
    assert missing == []


@dataclass
class World:
    zuid_west: int
    limburg: int
    region: int
    organisation: int
    limburg_organisation: int
    users: dict[str, int]
    limburg_user: int
    membership: int


@pytest.fixture
async def world(database) -> World:
    zw = await factories.network(slug="zuid-west", name="Zuid-West")
    li = await factories.network(slug="limburg", name="Limburg")
    region = await factories.region(zw, "Midden-Holland")
    org = await factories.organisation(zw, region_id=region)
    li_region = await factories.region(li, "Noord-Limburg")
    li_org = await factories.organisation(li, region_id=li_region)
    users = {
        "applicant": await factories.member(
            zw, Role.applicant, email="aanvrager@example.org", organisation_id=org
        ),
        "region_officer": await factories.member(
            zw, Role.region_officer, email="regio@example.org", region_id=region
        ),
        "reviewer": await factories.member(
            zw, Role.reviewer, email="ao@example.org", region_id=region, reviewer_kind="ao"
        ),
        "coordinator": await factories.member(zw, Role.coordinator, email="coord@example.org"),
        "admin": await factories.member(zw, Role.admin, email="beheer@example.org"),
        "limburg_admin": await factories.member(li, Role.admin, email="beheer-li@example.org"),
        "limburg_coordinator": await factories.member(
            li, Role.coordinator, email="coord-li@example.org"
        ),
        "superadmin": await factories.member(None, Role.admin, email="super@example.org"),
    }
    limburg_user = await factories.member(
        li, Role.applicant, email="li-aanvrager@example.org", organisation_id=li_org
    )
    membership = (
        await Membership.select(Membership.id).where(Membership.user == users["applicant"]).first()
    )
    return World(zw, li, region, org, li_org, users, limburg_user, membership["id"])


def concrete(path: str, world: World) -> str:
    values = {
        "network": "zuid-west",
        "user_id": world.users["applicant"],
        "region_id": world.region,
        "organisation_id": world.organisation,
        "membership_id": world.membership,
        "token": "onbekend",
    }
    return re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), path)


def admin_routes(app: Litestar, world: World) -> list[tuple[str, str]]:
    return [
        (method, concrete(path, world))
        for method, path, _ in http_handlers(app)
        if path.startswith("/beheer") and method in {"GET", "POST"}
    ]


@pytest.mark.parametrize(
    "role", ["applicant", "region_officer", "reviewer", "coordinator", "limburg_coordinator"]
)
async def test_admin_routes_refuse_other_roles(
    app, client: httpx.AsyncClient, world: World, role: str
) -> None:
    email = await factories.email_of(world.users[role])
    await log_in(client, email)
    for method, path in admin_routes(app, world):
        response = await (client.get(path) if method == "GET" else post_form(client, path, {}))
        expected = {403} if role != "limburg_coordinator" else {403, 404}
        assert response.status_code in expected, f"{role} {method} {path}: {response.status_code}"
        assert "Traceback" not in response.text


async def test_admin_routes_send_anonymous_users_to_login(app, client, world: World) -> None:
    for method, path in admin_routes(app, world):
        response = await (client.get(path) if method == "GET" else post_form(client, path, {}))
        if method == "GET":
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        else:
            assert response.status_code == 401, path


async def test_network_admin_reaches_every_admin_page(app, client, world: World) -> None:
    await log_in(client, "beheer@example.org")
    for method, path in admin_routes(app, world):
        if method != "GET":
            continue
        response = await client.get(path)
        # Networks, the SiSa wording and the retention periods are the portal's beheerder's,
        # not a network's.
        installation_wide = ("/beheer/netwerken/nieuw", "/beheer/sisa", "/beheer/bewaartermijnen")
        expected = 403 if path in installation_wide else 200
        assert response.status_code == expected, f"{path}: {response.status_code}"


async def test_superadmin_may_create_networks(client, world: World) -> None:
    await log_in(client, "super@example.org")
    assert (await client.get("/beheer/netwerken/nieuw")).status_code == 200
    response = await post_form(
        client,
        "/beheer/netwerken/nieuw",
        {
            "name": "Noord",
            "slug": "noord",
            "coordinating_municipality": "Groningen",
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/beheer/noord"
    assert (await client.get("/beheer/zuid-west")).status_code == 200


async def test_other_network_is_invisible(client, world: World) -> None:
    await log_in(client, "coord-li@example.org")
    response = await client.get("/n/zuid-west")
    assert response.status_code == 404
    assert "Zuid-West" not in response.text
    assert (await client.get("/n/limburg")).status_code == 200


async def test_network_admin_sees_only_own_network(client, world: World) -> None:
    await log_in(client, "beheer-li@example.org")
    assert (await client.get("/beheer/zuid-west")).status_code == 404
    assert (await client.get("/beheer/zuid-west/gebruikers")).status_code == 404
    users = await client.get("/beheer/limburg/gebruikers")
    assert users.status_code == 200
    assert "li-aanvrager@example.org" in users.text
    assert ">aanvrager@example.org<" not in users.text
    # A Zuid-West user or organisation through the Limburg pages: not found.
    assert (
        await client.get(f"/beheer/limburg/gebruikers/{world.users['applicant']}")
    ).status_code == 404
    assert (
        await client.get(f"/beheer/limburg/organisaties/{world.organisation}")
    ).status_code == 404
    assert (await client.get(f"/beheer/limburg/regios/{world.region}")).status_code == 404
    add = await post_form(
        client,
        f"/beheer/limburg/gebruikers/{world.users['applicant']}/rollen",
        {"role": "coordinator"},
    )
    assert add.status_code == 404
    revoke = await post_form(
        client,
        f"/beheer/limburg/gebruikers/{world.users['applicant']}/rollen/{world.membership}/intrekken",
    )
    assert revoke.status_code == 303
    assert await Membership.exists().where(Membership.id == world.membership)


async def test_roles_cannot_point_at_another_networks_region(client, world: World) -> None:
    await log_in(client, "beheer-li@example.org")
    response = await post_form(
        client,
        f"/beheer/limburg/gebruikers/{world.limburg_user}/rollen",
        {"role": "region_officer", "region": str(world.region)},
    )
    assert response.status_code == 422
    assert "Kies een regio van dit netwerk." in response.text


async def test_admin_manages_regions_organisations_and_roles(client, world: World) -> None:
    await log_in(client, "beheer@example.org")
    new_region = await post_form(client, "/beheer/zuid-west/regios/nieuw", {"name": "Haaglanden"})
    assert new_region.status_code == 303
    duplicate = await post_form(client, "/beheer/zuid-west/regios/nieuw", {"name": "haaglanden"})
    assert duplicate.status_code == 422 and "bestaat al" in duplicate.text
    org = await post_form(
        client,
        "/beheer/zuid-west/organisaties/nieuw",
        {"name": "", "kind": "care_provider", "region": ""},
    )
    assert org.status_code == 422 and "Vul de naam van de organisatie in." in org.text
    role = await post_form(
        client,
        f"/beheer/zuid-west/gebruikers/{world.users['applicant']}/rollen",
        {"role": "reviewer", "reviewer_kind": "chair", "region": str(world.region)},
    )
    assert role.status_code == 303
    page = await client.get(f"/beheer/zuid-west/gebruikers/{world.users['applicant']}")
    assert "Beoordelaar (voorzitter expertteam), Midden-Holland" in page.text
    log = await client.get("/beheer/zuid-west/logboek")
    assert "Regio Haaglanden toegevoegd" in log.text and "Rol beoordelaar toegekend" in log.text


async def test_deactivating_a_user_ends_their_sessions(app, client, world: World) -> None:
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with other:
        await log_in(other, "aanvrager@example.org")
        await log_in(client, "beheer@example.org")
        response = await post_form(
            client,
            f"/beheer/zuid-west/gebruikers/{world.users['applicant']}/actief",
            {"active": "0"},
        )
        assert response.status_code == 303
        assert (await other.get("/account")).status_code == 303


async def test_error_pages_are_dutch_and_hide_details(client, world: World) -> None:
    response = await client.get("/bestaat-niet")
    assert response.status_code == 404
    assert 'lang="nl"' in response.text and "Pagina niet gevonden" in response.text
    health = await client.get("/healthz")
    assert health.json() == {"status": "ok", "database": "bereikbaar"}
