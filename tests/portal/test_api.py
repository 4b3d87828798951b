"""The read-only API and its tokens, on both databases: every endpoint, money in cents, a
token that never reaches another network, revoked and unknown tokens refused, the token page,
the command line and the OpenAPI documentation."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from dataclasses import dataclass

import httpx
import pytest

from ledger.books import services as ledger
from ledger.books.deadlines import status_of
from ledger.books.tables import Entry, Project, Report
from portal import cli
from portal.accounts.api_tokens import ApiToken, create_token
from portal.accounts.tables import Membership, Network, Role, User
from portal.lib import clock
from proposals.tables import Proposal
from review.tables import Decision
from tests import factories
from tests.ledger.conftest import make_year
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in, post_form


async def grant(zw: Zuidwest, proposal_id: int, cents: int, reference: str = "RTD-21-1") -> int:
    """A submitted proposal granted as the review domain would: decision, state, commitment."""
    proposal = await Proposal.select().where(Proposal.id == proposal_id).first()
    await Decision.insert(
        Decision(
            proposal=proposal_id,
            version=proposal["version"],
            outcome="granted",
            amount_cents=cents,
            decision_date=dt.date(2021, 11, 1),
            reference=reference,
        )
    )
    await Proposal.update({Proposal.state: "granted"}).where(Proposal.id == proposal_id)
    return await ledger.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=proposal["theme"],
        proposal_id=proposal_id,
        title=proposal["title"],
        region_id=proposal["region"],
        start_date=proposal["start_date"],
        end_date=proposal["end_date"],
        amount_cents=cents,
        decision_reference=reference,
        decision_date=dt.date(2021, 11, 1),
    )


@dataclass
class World:
    zw: Zuidwest
    token: str  # the Zuid-West coordinator's
    submitted: int  # region A, € 10.000 asked
    granted: int  # region B, € 8.000 granted of € 9.000
    draft: int
    project: int
    limburg_token: str
    limburg_project: int


@pytest.fixture
async def world(zw: Zuidwest) -> World:
    submitted = await zw.proposal(state="submitted", title="Wachtlijstbrug")
    draft = await zw.proposal(title="Nog een concept")
    granted = await zw.proposal(
        state="submitted", title="Forensische brug", region=zw.region_b, requested_cents=900_000
    )
    project = await grant(zw, granted, 800_000)
    await ledger.pay(
        await principal(zw.coordinator),
        await ledger_project(zw.network, project),
        "advance_payment",
        640_000,
        "BETAAL-1",
    )
    _, token = await create_token(zw.coordinator, "Financieel systeem", actor_id=zw.coordinator)

    limburg = await factories.network(slug="limburg", name="Limburg")
    limburg_coordinator = await factories.member(limburg, Role.coordinator)
    year = await make_year(2021, network=limburg, coordinator=limburg_coordinator)
    limburg_project = await ledger.commit_grant(
        await year.actor(),
        network_id=limburg,
        budget_year_id=year.budget_year,
        theme_id=9000 + 2021 * 10,
        proposal_id=None,
        title="Limburgs project",
        region_id=None,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=500_000,
        decision_reference="L-1",
        decision_date=dt.date(2021, 3, 1),
    )
    _, limburg_token = await create_token(limburg_coordinator, "Limburg", actor_id=None)
    return World(zw, token, submitted, granted, draft, project, limburg_token, limburg_project)


async def ledger_project(network_id: int, project_id: int) -> dict:
    from ledger.books import queries

    return await queries.project_row(network_id, project_id)


async def api(client: httpx.AsyncClient, token: str | None, path: str, **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(f"/api/v1{path}", headers=headers, params=params)


# --- tokens -----------------------------------------------------------------------------------


async def test_token_is_shown_once_and_stored_hashed(client, zw: Zuidwest) -> None:
    await log_in(client, "coord@example.org")
    empty = await client.get("/n/zuid-west/api-sleutels")
    assert empty.status_code == 200 and "nog geen API-sleutels" in empty.text
    made = await post_form(client, "/n/zuid-west/api-sleutels", {"name": "Financieel systeem"})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    assert "maar één keer getoond" in made.text
    row = await ApiToken.select().first()
    secret = made.text.split('id="nieuwe-sleutel"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith("fp_") and len(secret) > 40
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(row.values())
    assert row["hint"] == secret[:10] and row["name"] == "Financieel systeem"
    # The list shows the start of the key, never the key again.
    again = await client.get("/n/zuid-west/api-sleutels")
    assert secret not in again.text and f"{row['hint']}…" in again.text
    assert "Financieel systeem" in again.text
    # And the key works.
    assert (await api(client, secret, "/networks")).status_code == 200


async def test_the_same_form_posted_again_makes_no_second_token(client, zw: Zuidwest) -> None:
    await log_in(client, "coord@example.org")
    page = await client.get("/n/zuid-west/api-sleutels")
    nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
    assert len(nonce) > 20
    form = {"name": "Financieel systeem", "nonce": nonce}
    made = await post_form(client, "/n/zuid-west/api-sleutels", form)
    assert made.status_code == 200 and 'id="nieuwe-sleutel"' in made.text
    # A refresh of the answer posts the same form again.
    again = await post_form(client, "/n/zuid-west/api-sleutels", form)
    assert again.status_code == 409
    assert "Er is geen tweede sleutel gemaakt" in again.text
    assert 'id="nieuwe-sleutel"' not in again.text
    assert await ApiToken.count() == 1
    # Each page has a fresh form: a second key made on purpose is fine.
    fresh = again.text.split('name="nonce" value="')[1].split('"')[0]
    assert fresh != nonce
    other = await post_form(client, "/n/zuid-west/api-sleutels", {**form, "nonce": fresh})
    assert other.status_code == 200
    assert await ApiToken.count() == 2


async def test_token_needs_a_name_and_a_coordinator(client, zw: Zuidwest) -> None:
    await log_in(client, "coord@example.org")
    refused = await post_form(client, "/n/zuid-west/api-sleutels", {"name": " "})
    assert refused.status_code == 422 and "Geef de sleutel een naam" in refused.text
    assert await ApiToken.count() == 0
    client.cookies.clear()
    await log_in(client, "x@example.org")
    assert (await client.get("/n/zuid-west/api-sleutels")).status_code == 403
    assert (
        await post_form(client, "/n/zuid-west/api-sleutels", {"name": "Van een aanvrager"})
    ).status_code == 403
    assert await ApiToken.count() == 0


async def test_revoked_and_unknown_tokens_are_refused(client, world: World) -> None:
    assert (await api(client, world.token, "/networks")).status_code == 200
    await log_in(client, "coord@example.org")
    page = await client.get("/n/zuid-west/api-sleutels")
    token = await ApiToken.select(ApiToken.id).where(ApiToken.user == world.zw.coordinator).first()
    token_id = token["id"]
    assert f'data-token="{token_id}"' in page.text
    revoked = await post_form(client, f"/n/zuid-west/api-sleutels/{token_id}/intrekken")
    assert revoked.status_code == 303
    client.cookies.clear()
    refused = await api(client, world.token, "/networks")
    assert refused.status_code == 401
    assert refused.json() == {
        "status_code": 401,
        "detail": "Deze API-sleutel is onbekend of ingetrokken.",
    }
    assert refused.headers["www-authenticate"].startswith("Bearer")
    unknown = await api(client, "fp_" + "x" * 43, "/networks/zuid-west/proposals")
    assert unknown.status_code == 401 and "onbekend" in unknown.json()["detail"]
    missing = await api(client, None, "/networks")
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    basic = await client.get("/api/v1/networks", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401


async def test_only_the_owner_revokes_a_token(client, world: World) -> None:
    limburg_token = await ApiToken.select(ApiToken.id).where(ApiToken.name == "Limburg").first()
    await log_in(client, "coord@example.org")
    response = await post_form(client, f"/n/zuid-west/api-sleutels/{limburg_token['id']}/intrekken")
    assert response.status_code == 303
    assert (await api(client, world.limburg_token, "/networks")).status_code == 200


async def test_a_session_cookie_does_not_open_the_api(client, world: World) -> None:
    await log_in(client, "coord@example.org")
    assert (await client.get("/n/zuid-west")).status_code == 200
    assert (await client.get("/api/v1/networks")).status_code == 401


async def test_a_token_follows_its_users_roles(client, world: World) -> None:
    # The coordinator role taken away: the token no longer reads anything.
    await Membership.delete().where(
        (Membership.user == world.zw.coordinator) & (Membership.role == Role.coordinator.value)
    )
    refused = await api(client, world.token, "/networks")
    assert refused.status_code == 401 and "nergens meer coördinator" in refused.json()["detail"]
    # A deactivated account: refused too.
    owner = await ApiToken.select(ApiToken.user).where(ApiToken.name == "Limburg").first()
    await User.update({User.active: False}).where(User.id == owner["user"])
    refused = await api(client, world.limburg_token, "/networks")
    assert refused.status_code == 401 and "gedeactiveerd" in refused.json()["detail"]


async def test_other_roles_do_not_widen_a_token(client, world: World) -> None:
    # The Zuid-West coordinator is also an applicant in Limburg and beheerder of everything:
    # the token reads only where its user coordinates.
    limburg = await Network.select(Network.id).where(Network.slug == "limburg").first()
    await factories.member(limburg["id"], Role.applicant, user_id=world.zw.coordinator)
    await factories.member(None, Role.admin, user_id=world.zw.coordinator)
    networks = (await api(client, world.token, "/networks")).json()
    assert [n["slug"] for n in networks] == ["zuid-west"]
    assert (await api(client, world.token, "/networks/limburg/proposals")).status_code == 404
    assert (await api(client, world.token, "/networks/limburg/years/2021")).status_code == 404


async def test_last_use_is_recorded(client, world: World) -> None:
    assert (await api(client, world.token, "/networks")).status_code == 200
    row = await ApiToken.select().where(ApiToken.name == "Financieel systeem").first()
    assert row["last_used_at"] is not None


async def test_cli_creates_a_token_for_a_coordinator(zw: Zuidwest, capsys) -> None:
    assert await cli._create_token(argparse.Namespace(user="Coord@example.org", name="")) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    row = await ApiToken.select().first()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["name"] == "Gemaakt op de opdrachtregel" and row["user"] == zw.coordinator
    assert await cli._create_token(argparse.Namespace(user="x@example.org", name="")) == 1
    assert "Alleen een coördinator" in capsys.readouterr().err
    assert await cli._create_token(argparse.Namespace(user="niemand@example.org", name="")) == 1
    assert await ApiToken.count() == 1


def test_cli_parses_token_create(monkeypatch) -> None:
    seen: dict = {}

    async def run(settings, work):
        return await work()

    async def create(args) -> int:
        seen["user"], seen["name"] = args.user, args.name
        return 0

    monkeypatch.setattr(cli, "_with_engine", run)
    monkeypatch.setattr(cli, "_create_token", create)
    argv = ["token", "create", "--user", "coord@example.org", "--name", "BI"]
    assert cli.main(argv) == 0
    assert seen == {"user": "coord@example.org", "name": "BI"}


# --- endpoints --------------------------------------------------------------------------------


async def test_networks(client, world: World) -> None:
    response = await api(client, world.token, "/networks")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == [
        {
            "slug": "zuid-west",
            "name": "Zuid-West",
            "coordinating_municipality": "Rotterdam",
            "years": [2021],
            "regions": [
                {"id": world.zw.region_b, "name": "Haaglanden"},
                {"id": world.zw.region_a, "name": "Midden-Holland"},
            ],
        }
    ]


async def test_year_figures_in_cents(client, world: World) -> None:
    response = await api(client, world.token, "/networks/zuid-west/years/2021")
    assert response.status_code == 200
    year = response.json()
    assert year["spuk_cents"] == 468_038_000 and year["divided"] is True
    categories = {c["key"]: c for c in year["categories"]}
    assert list(categories) == ["process", "themes", "learning", "unforeseen"]
    process = categories["process"]
    assert process["budget_cents"] == 393_334_200 and process["floor_cents"] is None
    assert process["lines"][0]["code"] == "process_a"
    themes = categories["themes"]
    theme = next(line for line in themes["lines"] if line["name"] == "Forensisch")
    assert theme == {
        "code": theme["code"],
        "kind": "theme",
        "name": "Forensisch",
        "theme_id": world.zw.themes[1],
        "budget_cents": 5_000_000,
        "committed_cents": 0,
        "paid_cents": 0,
        "realised_cents": 0,
        "released_cents": 0,
        "available_cents": 5_000_000,
        "floor_cents": None,
    }
    granted_theme = next(line for line in themes["lines"] if line["name"] == "Wachtlijsten")
    assert granted_theme["committed_cents"] == 800_000 and granted_theme["paid_cents"] == 640_000
    assert granted_theme["available_cents"] == 4_200_000
    reserve = next(line for line in themes["lines"] if line["kind"] == "themes_reserve")
    # 10 % of the themes pot: 2 × € 50.000 + € 20.000.
    assert reserve["floor_cents"] == 1_200_000
    assert themes["budget_cents"] == 12_000_000 and themes["committed_cents"] == 800_000
    assert themes["floor_cents"] == 1_200_000
    assert categories["unforeseen"]["floor_cents"] == 46_803_800  # 10 % of the SPUK
    assert sum(c["budget_cents"] for c in year["categories"]) == 468_038_000


async def test_unknown_year_is_not_found(client, world: World) -> None:
    response = await api(client, world.token, "/networks/zuid-west/years/2030")
    assert response.status_code == 404
    assert response.json()["detail"] == "Dit netwerk heeft geen begrotingsjaar 2030."


async def test_proposals_with_amounts_filters_and_paging(client, world: World) -> None:
    response = await api(client, world.token, "/networks/zuid-west/proposals")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 50
    by_id = {p["id"]: p for p in body["items"]}
    assert world.draft not in by_id  # drafts stay with their authors
    granted = by_id[world.granted]
    assert granted["state"] == "granted" and granted["state_label"] == "Toegekend"
    assert granted["requested_cents"] == 900_000 and granted["granted_cents"] == 800_000
    assert granted["decision"] == "granted" and granted["decision_date"] == "2021-11-01"
    assert granted["decision_reference"] == "RTD-21-1"
    assert granted["project_id"] == world.project and granted["year"] == 2021
    assert granted["region"] == "Haaglanden" and granted["region_id"] == world.zw.region_b
    submitted = by_id[world.submitted]
    assert submitted["requested_cents"] == 1_000_000 and submitted["granted_cents"] is None
    assert submitted["decision_date"] is None and submitted["project_id"] is None
    assert submitted["submitted_at"].endswith("Z")

    only_granted = (
        await api(client, world.token, "/networks/zuid-west/proposals", state="granted")
    ).json()
    assert [p["id"] for p in only_granted["items"]] == [world.granted]
    region_a = (
        await api(client, world.token, "/networks/zuid-west/proposals", region=world.zw.region_a)
    ).json()
    assert [p["id"] for p in region_a["items"]] == [world.submitted]
    assert (await api(client, world.token, "/networks/zuid-west/proposals", year=2020)).json()[
        "total"
    ] == 0
    first = (await api(client, world.token, "/networks/zuid-west/proposals", per_page=1)).json()
    second = (
        await api(client, world.token, "/networks/zuid-west/proposals", per_page=1, page=2)
    ).json()
    assert first["pages"] == 2 and second["pages"] == 2
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {world.submitted, world.granted}
    capped = (await api(client, world.token, "/networks/zuid-west/proposals", per_page=5000)).json()
    assert capped["per_page"] == 100


async def test_bad_parameters_answer_400_in_dutch(client, world: World) -> None:
    bad_state = await api(client, world.token, "/networks/zuid-west/proposals", state="klaar")
    assert bad_state.status_code == 400
    assert bad_state.json()["detail"].startswith("Onbekende status 'klaar'. Kies uit: draft")
    bad_page = await api(client, world.token, "/networks/zuid-west/proposals", page="twee")
    assert bad_page.status_code == 400
    assert bad_page.json() == {"status_code": 400, "detail": "Ongeldige waarde voor: page."}
    bad_kind = await api(client, world.token, "/networks/zuid-west/ledger-entries", kind="gift")
    assert bad_kind.status_code == 400 and "Onbekende soort 'gift'" in bad_kind.json()["detail"]
    # A filter sent as null (or empty) is refused, not read as no filter (found by schemathesis).
    for value in ("null", "", "NULL"):
        empty = await api(client, world.token, "/networks/zuid-west/proposals", region=value)
        assert empty.status_code == 400, value
        assert empty.json()["detail"] == "Ongeldige waarde voor: region."


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        # Found by the schemathesis run (tests/portal/test_api_fuzz.py): these reached the
        # database, where PostgreSQL's int4 columns (beyond 2^31 - 1) and SQLite (beyond
        # 2^63 - 1) raised an error and the API answered 500.
        ("/networks/zuid-west/years/2147483648", {}, "year"),
        ("/networks/zuid-west/years/99999999999999999999", {}, "year"),
        ("/networks/zuid-west/proposals", {"year": "-2147483649"}, "year"),
        ("/networks/zuid-west/proposals", {"region": "2147483648"}, "region"),
        ("/networks/zuid-west/ledger-entries", {"project": "9223372036854775808"}, "project"),
        ("/networks/zuid-west/ledger-entries", {"year": "10000"}, "year"),
        # A page before the first was quietly read as page 1, and page 0 per page as 1.
        ("/networks/zuid-west/proposals", {"page": "0"}, "page"),
        ("/networks/zuid-west/ledger-entries", {"page": "-5"}, "page"),
        ("/networks/zuid-west/proposals", {"page": "100001"}, "page"),
        ("/networks/zuid-west/ledger-entries", {"per_page": "0"}, "per_page"),
    ],
)
async def test_out_of_range_numbers_answer_400_not_500(
    client, world: World, path: str, params: dict, name: str
) -> None:
    response = await api(client, world.token, path, **params)
    assert response.status_code == 400, response.text
    assert response.json() == {"status_code": 400, "detail": f"Ongeldige waarde voor: {name}."}


async def test_the_ranges_are_in_the_openapi_schema(client, database) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    paths = schema["paths"]

    def parameter(path: str, name: str) -> dict:
        (found,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == name]
        return found["schema"] if "type" in found["schema"] else found["schema"]["oneOf"][0]

    year = parameter("/api/v1/networks/{network}/years/{year}", "year")
    assert (year["minimum"], year["maximum"]) == (1, 9999)
    region = parameter("/api/v1/networks/{network}/proposals", "region")
    assert (region["minimum"], region["maximum"]) == (1, 2_147_483_647)
    page = parameter("/api/v1/networks/{network}/ledger-entries", "page")
    assert (page["minimum"], page["maximum"]) == (1, 100_000)
    # More than 100 per page is capped, not refused (test_proposals_with_amounts_…).
    per_page = parameter("/api/v1/networks/{network}/ledger-entries", "per_page")
    assert per_page["minimum"] == 1 and "maximum" not in per_page


async def test_ledger_entries_with_filters_and_paging(client, world: World) -> None:
    response = await api(client, world.token, "/networks/zuid-west/ledger-entries")
    assert response.status_code == 200
    body = response.json()
    count = await Entry.count().where(Entry.budget_year == world.zw.budget_year)
    assert body["total"] == count and len(body["items"]) == count
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids)  # oldest first
    commitment = (
        await api(
            client,
            world.token,
            "/networks/zuid-west/ledger-entries",
            kind="commitment",
            project=world.project,
            year=2021,
        )
    ).json()["items"]
    assert len(commitment) == 1
    entry = commitment[0]
    assert entry["amount_cents"] == 800_000 and entry["kind_label"].startswith("Verplichting")
    assert entry["project_id"] == world.project and entry["project"] == "Forensische brug"
    assert entry["booked_on"] == "2021-11-01" and entry["document_reference"] == "RTD-21-1"
    assert entry["account"] == "Wachtlijsten" and entry["year"] == 2021
    # A correction is a new entry with the opposite sign, naming the one it reverses.
    (payment,) = (
        await api(client, world.token, "/networks/zuid-west/ledger-entries", kind="advance_payment")
    ).json()["items"]
    await ledger.reverse(
        await principal(world.zw.coordinator), world.zw.network, payment["id"], "Vergissing"
    )
    payments = (
        await api(client, world.token, "/networks/zuid-west/ledger-entries", kind="advance_payment")
    ).json()["items"]
    assert [(e["amount_cents"], e["reverses"]) for e in payments] == [
        (640_000, None),
        (-640_000, payment["id"]),
    ]
    assert payments[1]["reason"] == "Vergissing"
    page = (
        await api(client, world.token, "/networks/zuid-west/ledger-entries", per_page=2, page=2)
    ).json()
    assert page["pages"] == -(-(count + 1) // 2) and [e["id"] for e in page["items"]] == ids[2:4]
    assert (await api(client, world.token, "/networks/zuid-west/ledger-entries", year=2020)).json()[
        "total"
    ] == 0


async def test_reports_with_their_status(client, world: World) -> None:
    response = await api(client, world.token, "/networks/zuid-west/reports")
    assert response.status_code == 200
    body = response.json()
    # The grant runs 1 September 2021 - 30 June 2022: a report for 2021 and a final one for 2022.
    assert [(r["year"], r["final"], r["due_date"]) for r in body["items"]] == [
        (2021, False, "2022-03-01"),
        (2022, True, "2023-03-01"),
    ]
    today = clock.now().date()
    expected = ["due" if today < dt.date(2022, 3, 1) else "overdue"]
    assert [body["items"][0]["status"]] == expected
    assert body["items"][0]["project_id"] == world.project
    assert body["items"][0]["region"] == "Haaglanden"
    assert sum(body["counts"].values()) == 2

    # One received, one accepted; then the clock back to before both due dates.
    first, second = (
        await Report.select(Report.id).where(Report.project == world.project).order_by(Report.year)
    )
    await Report.update({Report.state: "submitted", Report.realised_cents: 300_000}).where(
        Report.id == first["id"]
    )
    await Report.update({Report.state: "accepted", Report.reviewed_at: clock.now()}).where(
        Report.id == second["id"]
    )
    body = (await api(client, world.token, "/networks/zuid-west/reports")).json()
    assert [r["status"] for r in body["items"]] == ["received", "accepted"]
    assert body["items"][0]["realised_cents"] == 300_000
    assert body["items"][1]["accepted_at"] is not None
    assert body["counts"] == {"due": 0, "overdue": 0, "received": 1, "accepted": 1}
    await Report.update({Report.state: "due"}).where(Report.project == world.project)
    # Six weeks before the first due date: "due soon" on the deadlines page, "due" here.
    clock.travel(dt.datetime(2022, 1, 15, 12, tzinfo=dt.UTC) - clock.now())
    assert status_of(dt.date(2022, 3, 1), clock.now().date(), False, False) == "due_soon"
    body = (await api(client, world.token, "/networks/zuid-west/reports")).json()
    assert [r["status"] for r in body["items"]] == ["due", "due"]
    assert body["items"][0]["status_label"] == "Nog in te dienen"
    clock.travel(dt.datetime(2022, 3, 1, 12, tzinfo=dt.UTC) - clock.now())
    body = (await api(client, world.token, "/networks/zuid-west/reports")).json()
    assert [r["status"] for r in body["items"]] == ["overdue", "due"]
    assert body["items"][0]["status_label"] == "Te laat"


async def test_another_networks_data_is_never_returned(client, world: World) -> None:
    limburg = await api(client, world.limburg_token, "/networks")
    assert [n["slug"] for n in limburg.json()] == ["limburg"]
    for path in (
        "/networks/zuid-west/years/2021",
        "/networks/zuid-west/proposals",
        "/networks/zuid-west/ledger-entries",
        "/networks/zuid-west/reports",
        "/networks/bestaat-niet/reports",
    ):
        response = await api(client, world.limburg_token, path)
        assert response.status_code == 404, path
        assert "Zuid-West" not in response.text and "Wachtlijst" not in response.text
    # Through its own network, another network's ids find nothing.
    other_project = await api(
        client, world.token, "/networks/zuid-west/ledger-entries", project=world.limburg_project
    )
    assert other_project.json()["total"] == 0
    own = (await api(client, world.limburg_token, "/networks/limburg/ledger-entries")).json()
    assert own["total"] > 0
    assert all(e["project"] in (None, "Limburgs project") for e in own["items"])
    reports = (await api(client, world.limburg_token, "/networks/limburg/reports")).json()
    limburg_projects = {
        r["id"] for r in await Project.select(Project.id).where(Project.title == "Limburgs project")
    }
    assert {r["project_id"] for r in reports["items"]} == limburg_projects
    assert (await api(client, world.limburg_token, "/networks/limburg/proposals")).json()[
        "total"
    ] == 0


# --- documentation ----------------------------------------------------------------------------


async def test_openapi_docs_at_api_docs(client, database) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    # Swagger UI comes from our own static files: no visitor is sent to a third party.
    assert "/static/vendor/swagger/swagger-ui-bundle.js" in page.text
    assert "http" not in page.headers["content-security-policy"]
    assert "cdn." not in page.text
    bundle = await client.get("/static/vendor/swagger/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    schema = (await client.get("/api/docs/openapi.json")).json()
    assert schema["info"]["title"] == "Fondsportaal API"
    # Only the API is documented, not the pages.
    assert sorted(schema["paths"]) == [
        "/api/v1/networks",
        "/api/v1/networks/{network}/ledger-entries",
        "/api/v1/networks/{network}/proposals",
        "/api/v1/networks/{network}/reports",
        "/api/v1/networks/{network}/rounds/{round_id}/scores",
        "/api/v1/networks/{network}/years/{year}",
    ]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    line = schema["components"]["schemas"]["LineOut"]["properties"]
    assert line["budget_cents"]["type"] == "integer"
    parameters = {
        p["name"]
        for p in schema["paths"]["/api/v1/networks/{network}/proposals"]["get"]["parameters"]
    }
    assert {"year", "state", "region", "page", "per_page"} <= parameters
    # The pages keep their strict policy.
    assert "cdn.jsdelivr.net" not in (await client.get("/login")).headers["content-security-policy"]
