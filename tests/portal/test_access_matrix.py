"""The access matrix: every route of the portal, the rule it declares, and what each kind of
user actually gets from every page (GET) on both databases.

A new route must be added to EXPECTED below; a changed rule must be changed there too. Both
make `test_every_route_is_in_the_table` fail until someone has looked at who may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from ledger.books import services as ledger
from ledger.books.tables import CatalogueEntry, Entry, Report, ReportAttachment
from portal.accounts.guards import ALLOW_KEY, Allow
from portal.accounts.tables import Membership, Role
from portal.lib.settings import Settings
from proposals import queries
from proposals.rules import Actor
from proposals.tables import Attachment, ProposalVersion
from review import services as review
from review.tables import Review
from tests import factories
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

# (method, path template) -> the rule its handler declares (`Allow.describe()`). Litestar's
# automatic OPTIONS handlers are left out: they answer CORS preflights and declare nothing.
# The static files router and the OpenAPI pages (/api/docs) are public on purpose.
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/"): "public",
    ("GET", "/account"): "logged-in",
    ("GET", "/al-verwerkt"): "public",
    ("POST", "/account/wachtwoord"): "logged-in",
    ("GET", "/account/gegevens"): "logged-in",
    ("GET", "/account/gegevens/mijn-gegevens.html"): "logged-in",
    ("GET", "/account/gegevens/mijn-gegevens.json"): "logged-in",
    ("GET", "/account/tweestaps"): "logged-in",
    ("POST", "/account/tweestaps/instellen"): "logged-in",
    ("POST", "/account/tweestaps/bevestigen"): "logged-in",
    ("POST", "/account/tweestaps/herstelcodes"): "logged-in",
    ("POST", "/account/tweestaps/uitzetten"): "logged-in",
    ("GET", "/api/docs"): "public",
    ("GET", "/api/docs/oauth2-redirect.html"): "public",
    ("GET", "/api/docs/openapi.json"): "public",
    ("GET", "/api/docs/{path:str}"): "public",
    ("GET", "/api/v1/networks"): "coordinator",
    ("GET", "/api/v1/networks/{network:str}/ledger-entries"): "coordinator",
    ("GET", "/api/v1/networks/{network:str}/proposals"): "coordinator",
    ("GET", "/api/v1/networks/{network:str}/reports"): "coordinator",
    ("GET", "/api/v1/networks/{network:str}/rounds/{round_id:int}/scores"): "coordinator",
    ("GET", "/api/v1/networks/{network:str}/years/{year:int}"): "coordinator",
    ("GET", "/beheer"): "admin",
    ("GET", "/beheer/netwerken/nieuw"): "admin",
    ("POST", "/beheer/netwerken/nieuw"): "admin",
    ("GET", "/beheer/sisa"): "admin",
    ("POST", "/beheer/sisa"): "admin",
    ("GET", "/beheer/bewaartermijnen"): "admin",
    ("POST", "/beheer/bewaartermijnen"): "admin",
    ("GET", "/beheer/{network:str}"): "admin",
    ("GET", "/beheer/{network:str}/gebruikers"): "admin",
    ("GET", "/beheer/{network:str}/gebruikers/uitnodigen"): "admin",
    ("POST", "/beheer/{network:str}/gebruikers/uitnodigen"): "admin",
    ("GET", "/beheer/{network:str}/gebruikers/{user_id:int}"): "admin",
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/actief"): "admin",
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/tweestaps-herstellen"): "admin",
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/wissen"): "admin",
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/rollen"): "admin",
    (
        "POST",
        "/beheer/{network:str}/gebruikers/{user_id:int}/rollen/{membership_id:int}/intrekken",
    ): "admin",
    ("GET", "/beheer/{network:str}/instellingen"): "admin",
    ("POST", "/beheer/{network:str}/instellingen"): "admin",
    ("GET", "/beheer/{network:str}/logboek"): "admin",
    ("GET", "/beheer/{network:str}/organisaties/nieuw"): "admin",
    ("POST", "/beheer/{network:str}/organisaties/nieuw"): "admin",
    ("GET", "/beheer/{network:str}/organisaties/{organisation_id:int}"): "admin",
    ("POST", "/beheer/{network:str}/organisaties/{organisation_id:int}"): "admin",
    ("GET", "/beheer/{network:str}/regios/nieuw"): "admin",
    ("POST", "/beheer/{network:str}/regios/nieuw"): "admin",
    ("GET", "/beheer/{network:str}/regios/{region_id:int}"): "admin",
    ("POST", "/beheer/{network:str}/regios/{region_id:int}"): "admin",
    ("GET", "/healthz"): "public",
    # Any other address: a 404 page that knows who is logged in.
    ("GET", "/{path:path}"): "public",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    # The two-factor steps: public to the guard, they find the half log-in from the cookie.
    ("GET", "/login/code"): "public",
    ("POST", "/login/code"): "public",
    ("GET", "/login/tweestaps-instellen"): "public",
    ("POST", "/login/tweestaps-instellen"): "public",
    ("POST", "/login/annuleren"): "public",
    ("POST", "/logout"): "logged-in",
    ("GET", "/n/{network:str}"): "logged-in",
    ("GET", "/n/{network:str}/api-sleutels"): "coordinator",
    ("POST", "/n/{network:str}/api-sleutels"): "coordinator",
    ("POST", "/n/{network:str}/api-sleutels/{token_id:int}/intrekken"): "coordinator",
    ("GET", "/n/{network:str}/begroting"): "auditor,coordinator",
    ("GET", "/n/{network:str}/begroting/projecten/{project_id:int}"): "auditor,coordinator",
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/betalen"): "coordinator",
    (
        "GET",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vaststelling",
    ): "auditor,coordinator",
    (
        "GET",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vaststelling.pdf",
    ): "auditor,coordinator",
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/voorschot"): "coordinator",
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen"): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen/{instalment_id:int}/betalen",
    ): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen/{instalment_id:int}/schrappen",
    ): "coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}"): "auditor,coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/herschikken"): "coordinator",
    ("POST", "/n/{network:str}/begroting/{year_id:int}/herschikken"): "coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/toewijzingen/nieuw"): "coordinator",
    (
        "GET",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld",
    ): "auditor,coordinator",
    ("GET", "/n/{network:str}/begroting/projecten/{project_id:int}/delen"): "auditor,coordinator",
    ("GET", "/n/{network:str}/betaalverzoeken"): "auditor,coordinator,region_officer",
    ("GET", "/n/{network:str}/logboek"): "auditor",
    ("POST", "/n/{network:str}/begroting/{year_id:int}/sisa"): "coordinator",
    ("POST", "/n/{network:str}/begroting/{year_id:int}/besteden-tot"): "coordinator",
    ("GET", "/n/{network:str}/wijzigingen"): "auditor,coordinator,region_officer",
    ("GET", "/n/{network:str}/wijzigingen/nieuw"): "region_officer",
    ("POST", "/n/{network:str}/wijzigingen/nieuw"): "region_officer",
    ("POST", "/n/{network:str}/wijzigingen/{change_id:int}/beslissen"): "coordinator",
    (
        "GET",
        "/n/{network:str}/wijzigingen/{change_id:int}/beschikking",
    ): "auditor,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/wijzigingen/{change_id:int}/beschikking.pdf",
    ): "auditor,coordinator,region_officer",
    ("GET", "/n/{network:str}/betaalverzoeken/nieuw"): "region_officer",
    ("POST", "/n/{network:str}/betaalverzoeken/nieuw"): "region_officer",
    ("POST", "/n/{network:str}/betaalverzoeken/{request_id:int}/beoordelen"): "coordinator",
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/delen"): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/tarief",
    ): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/declaraties",
    ): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/uitbetalen",
    ): "coordinator",
    ("POST", "/n/{network:str}/begroting/{year_id:int}/toewijzingen/nieuw"): "coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/indelen"): "coordinator",
    ("POST", "/n/{network:str}/begroting/{year_id:int}/indelen"): "coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/mutaties"): "auditor,coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/projecten"): "auditor,coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/mutaties/export.csv"): "auditor,coordinator",
    (
        "GET",
        "/n/{network:str}/begroting/{year_id:int}/mutaties/{entry_id:int}/corrigeren",
    ): "coordinator",
    (
        "POST",
        "/n/{network:str}/begroting/{year_id:int}/mutaties/{entry_id:int}/corrigeren",
    ): "coordinator",
    ("GET", "/n/{network:str}/begroting/{year_id:int}/spuk.xlsx"): "auditor,coordinator",
    ("POST", "/n/{network:str}/begrotingsjaren"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling/criteria"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/criteria"): "admin,coordinator",
    ("GET", "/n/{network:str}/beoordeling/besluitvorming"): "admin,coordinator",
    ("GET", "/n/{network:str}/beoordeling/panel"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/panel"): "admin,coordinator",
    ("GET", "/n/{network:str}/rondes/toetsing"): "admin,coordinator",
    ("POST", "/n/{network:str}/rondes/toetsing"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/besluitvorming"): "admin,coordinator",
    ("GET", "/n/{network:str}/beoordeling/rondes/{round_id:int}"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling/rondes/{round_id:int}/besluiten"): "coordinator",
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/besluiten"): "coordinator",
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/instellingen"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling/rondes/{round_id:int}/rangorde"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling/rondes/{round_id:int}/scores.csv"): "coordinator",
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/toewijzen"): "coordinator",
    ("GET", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}"): "coordinator",
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/advies"): "coordinator",
    # The decision's letter: also for those who may see the proposal (its authors, its region's
    # officers); which proposal, the handler decides (404 for another's).
    (
        "GET",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/beschikking",
    ): "applicant,auditor,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/beschikking.pdf",
    ): "applicant,auditor,coordinator,region_officer",
    ("GET", "/n/{network:str}/beoordeling/brieven"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/brieven"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/brieven/logo"): "admin,coordinator",
    ("GET", "/n/{network:str}/beoordeling/brieven/{kind:str}/voorbeeld.pdf"): "admin,coordinator",
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/besluit"): "coordinator",
    (
        "POST",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/heropenen/{review_id:int}",
    ): "coordinator",
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzen"): "coordinator",
    (
        "POST",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzing/{review_id:int}/intrekken",
    ): "coordinator",
    ("GET", "/n/{network:str}/beoordelingen"): "reviewer",
    ("POST", "/n/{network:str}/beoordelingen/conflict/{proposal_id:int}"): "reviewer",
    ("GET", "/n/{network:str}/beoordelingen/{review_id:int}"): "reviewer",
    ("POST", "/n/{network:str}/beoordelingen/{review_id:int}"): "reviewer",
    ("POST", "/n/{network:str}/beoordelingen/{review_id:int}/gemiddelde"): "reviewer",
    ("GET", "/n/{network:str}/projectenbank"): "logged-in",
    ("GET", "/n/{network:str}/projectenbank/themas"): "logged-in",
    ("GET", "/n/{network:str}/projectenbank/themas.xlsx"): "logged-in",
    ("GET", "/n/{network:str}/projectenbank/{entry_id:int}"): "logged-in",
    ("POST", "/n/{network:str}/projectenbank/{entry_id:int}/delen"): "coordinator",
    ("GET", "/n/{network:str}/rondes"): "coordinator",
    ("GET", "/n/{network:str}/rondes/nieuw"): "coordinator",
    ("POST", "/n/{network:str}/rondes/nieuw"): "coordinator",
    ("GET", "/n/{network:str}/rondes/{round_id:int}"): "coordinator",
    ("POST", "/n/{network:str}/rondes/{round_id:int}"): "coordinator",
    # Applicants read the reports of their own proposals (the handler decides which).
    ("GET", "/n/{network:str}/verantwoording"): "applicant,auditor,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/verantwoording/{report_id:int}",
    ): "applicant,auditor,coordinator,region_officer",
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}"): "coordinator,region_officer",
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}/beoordelen"): "coordinator",
    (
        "POST",
        "/n/{network:str}/verantwoording/{report_id:int}/concept",
    ): "coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/verantwoording/{report_id:int}/bijlagen",
    ): "coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/verantwoording/{report_id:int}/bijlagen/{attachment_id:int}",
    ): "applicant,auditor,coordinator,region_officer",
    ("GET", "/n/{network:str}/voorstellen"): "applicant,coordinator,region_officer",
    ("GET", "/n/{network:str}/voorstellen/export.csv"): "applicant,coordinator,region_officer",
    ("GET", "/n/{network:str}/voorstellen/export.xlsx"): "applicant,coordinator,region_officer",
    ("GET", "/n/{network:str}/voorstellen/nieuw"): "applicant",
    ("POST", "/n/{network:str}/voorstellen/nieuw"): "applicant",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}",
    ): "applicant,coordinator,region_officer,reviewer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/afdrukken",
    ): "applicant,coordinator,region_officer,reviewer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/auteurs",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/importeren",
    ): "applicant,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/sjabloon.xlsx",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/totalen",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/regel",
    ): "applicant,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bewerken/{section:str}",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bewerken/{section:str}",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bijlagen",
    ): "applicant,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bijlagen/{attachment_id:int}",
    ): "applicant,coordinator,region_officer,reviewer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bijlagen/{attachment_id:int}/verwijderen",
    ): "applicant,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/indienen",
    ): "applicant,coordinator,region_officer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/stap/{action:str}",
    ): "applicant,coordinator,region_officer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/vergelijk",
    ): "applicant,coordinator,region_officer,reviewer",
    (
        "GET",
        "/n/{network:str}/voorstellen/{proposal_id:int}/versies/{number:int}",
    ): "applicant,coordinator,region_officer,reviewer",
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/vragen"): "coordinator,reviewer",
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/vragen/{question_id:int}/antwoord",
    ): "applicant,coordinator,region_officer,reviewer",
    ("GET", "/netwerken"): "logged-in",
    ("GET", "/static/{file_path:path}"): "public",
    ("HEAD", "/static/{file_path:path}"): "public",
    ("GET", "/uitnodiging/{token:str}"): "public",
    ("POST", "/uitnodiging/{token:str}"): "public",
    ("GET", "/wachtwoord-herstellen/{token:str}"): "public",
    ("POST", "/wachtwoord-herstellen/{token:str}"): "public",
    ("GET", "/wachtwoord-vergeten"): "public",
    ("POST", "/wachtwoord-vergeten"): "public",
}

ROLES = [
    "anonymous",
    "applicant",
    "region_officer",
    "reviewer",
    "coordinator",
    "admin",
    "other_coordinator",
]

# Routes where a role the rule allows is still refused by the handler, on purpose.
REFUSED_BY_HANDLER: dict[tuple[str, str], set[str]] = {
    # Only a superadmin (admin without a network) creates networks; a network admin gets 403.
    ("GET", "/beheer/netwerken/nieuw"): {"admin"},
    # The SiSa wording is the ministry's, for every network: the portal's beheerder sets it.
    ("GET", "/beheer/sisa"): {"admin"},
    # The retention periods hold for every network: the portal's beheerder sets them.
    ("GET", "/beheer/bewaartermijnen"): {"admin"},
}

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
MISSING = 987_654  # an id that exists nowhere


def http_routes(app: Litestar) -> dict[tuple[str, str], object]:
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method != "OPTIONS":
                        found[(method, route.path)] = handler
    return found


async def test_every_route_is_in_the_table(app: Litestar) -> None:
    routes = http_routes(app)
    new = sorted(set(routes) - set(EXPECTED))
    assert not new, (
        "Routes without an entry in EXPECTED (tests/portal/test_access_matrix.py); add each "
        "with the rule it should have: " + ", ".join(f"{m} {p}" for m, p in new)
    )
    gone = sorted(set(EXPECTED) - set(routes))
    assert not gone, "EXPECTED lists routes the app no longer has: " + ", ".join(
        f"{m} {p}" for m, p in gone
    )
    changed = []
    for key, handler in routes.items():
        rule = handler.opt.get(ALLOW_KEY)
        declared = rule.describe() if isinstance(rule, Allow) else "(no rule)"
        if declared != EXPECTED[key]:
            changed.append(f"{key[0]} {key[1]}: table {EXPECTED[key]!r}, handler {declared!r}")
    assert not changed, "Rules differ from EXPECTED:\n" + "\n".join(changed)


@dataclass
class World:
    users: dict[str, int]
    values: dict[str, int | str]
    # Per path fragment, ids whose name is shared by several routes.
    report_attachment: int
    catalogue_entry: int
    ledger_entry: int


@pytest.fixture
async def world(zw: Zuidwest, client: httpx.AsyncClient, settings: Settings) -> World:
    return await build_world(zw, client, settings)


async def build_world(zw: Zuidwest, client: httpx.AsyncClient, settings: Settings) -> World:
    """Zuid-West with a submitted proposal under review, a version, an attachment, a granted
    project with its report and catalogue entry; Limburg with a coordinator of its own."""
    coordinator = await principal(zw.coordinator)
    reviewer = await factories.member(
        zw.network, Role.reviewer, email="ao@example.org", region_id=zw.region_b, reviewer_kind="ao"
    )
    admin = await factories.member(zw.network, Role.admin, email="beheer@example.org")
    auditor = await factories.member(zw.network, Role.auditor, email="accountant@example.org")
    limburg = await factories.network(slug="limburg", name="Limburg")
    other_coordinator = await factories.member(
        limburg, Role.coordinator, email="coord-li@example.org"
    )
    proposal_id = await zw.proposal(state="draft", region=zw.region_a)
    # An attachment, uploaded as the author would before the proposal is submitted.
    await log_in(client, "x@example.org")
    upload = await client.post(
        f"/n/zuid-west/voorstellen/{proposal_id}/bijlagen",
        files={"file": ("plan.pdf", PDF, "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"], "kind": "other", "region": ""},
    )
    assert upload.status_code == 303, upload.text
    client.cookies.clear()
    attachment = await Attachment.select(Attachment.id).first()
    assert attachment, "the attachment was refused"
    await zw.step(proposal_id, "mark_ready", zw.applicant_x, Actor.author)
    await zw.step(proposal_id, "submit", zw.officer_a, Actor.region_officer)
    await review.assign(
        coordinator, await queries.proposal_row(zw.network, proposal_id), reviewer, settings
    )
    review_row = await Review.select(Review.id).where(Review.reviewer == reviewer).first()
    version = await ProposalVersion.select(ProposalVersion.number).first()
    project_id = await ledger.commit_grant(
        coordinator,
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=None,
        title="Wachtlijstbrug",
        region_id=zw.region_a,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=1_000_000,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    report = await Report.select(Report.id).where(Report.project == project_id).first()
    entry = await CatalogueEntry.select(CatalogueEntry.id).first()
    await log_in(client, "regio-a@example.org")
    proof = await client.post(
        f"/n/zuid-west/verantwoording/{report['id']}/bijlagen",
        files={"file": ("factuur.pdf", PDF, "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert proof.status_code == 303, proof.text
    client.cookies.clear()
    report_attachment = await ReportAttachment.select(ReportAttachment.id).first()
    assert report_attachment, "the report attachment was refused"
    membership = await _membership_of(zw.applicant_x)
    return World(
        users={
            "applicant": zw.applicant_x,
            "region_officer": zw.officer_a,
            "reviewer": reviewer,
            "coordinator": zw.coordinator,
            "admin": admin,
            "auditor": auditor,
            "other_coordinator": other_coordinator,
        },
        values={
            "network": "zuid-west",
            "proposal_id": proposal_id,
            "attachment_id": attachment["id"],
            "number": version["number"],
            "section": "algemeen",
            "review_id": review_row["id"],
            "round_id": zw.round,
            "year_id": zw.budget_year,
            "year": 2021,
            "project_id": project_id,
            "report_id": report["id"],
            "user_id": zw.applicant_x,
            "organisation_id": zw.org_x,
            "region_id": zw.region_a,
            "membership_id": membership,
            "token": "onbekend",
            "file_path": "css/fondsportaal.css",
            "path": "openapi.yaml",
            # A change letter exists once a change is granted; its own tests show it.
            "change_id": MISSING,
            # Only used by POST routes, which the matrix leaves alone.
            "question_id": MISSING,
            "token_id": MISSING,
            "instalment_id": MISSING,
            "action": "submit",
            "kind": "grant",
        },
        report_attachment=report_attachment["id"],
        catalogue_entry=entry["id"],
        ledger_entry=(await Entry.select(Entry.id).where(Entry.project == project_id).first())[
            "id"
        ],
    )


async def _membership_of(user_id: int) -> int:
    row = await Membership.select(Membership.id).where(Membership.user == user_id).first()
    return row["id"]


def concrete(path: str, world: World) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "entry_id" and "/projectenbank/" in path:
            return str(world.catalogue_entry)
        if name == "entry_id" and "/mutaties/" in path:
            return str(world.ledger_entry)
        if name == "attachment_id" and "/verantwoording/" in path:
            return str(world.report_attachment)
        return str(world.values[name])

    return re.sub(r"\{(\w+):\w+\}", value, path)


def allowed(role: str, rule: str) -> bool:
    if rule in ("public", "logged-in"):
        return True
    return role in rule.split(",")


def judge(role: str, method: str, template: str, rule: str, response: httpx.Response) -> str:
    """What is wrong with this answer, or "" when it is as it should be."""
    status = response.status_code
    if status >= 500 or "Traceback" in response.text:
        return f"server error {status}"
    if template.startswith("/api/v1/"):
        # A session cookie never opens the API; without a bearer token everyone gets 401.
        return "" if status == 401 else f"expected 401 without a bearer token, got {status}"
    if rule == "public":
        # Public pages may redirect (a logged-in user away from /login) or say that a token
        # is unknown (404) or used up (410); they never ask anyone to log in.
        return "" if status in (200, 303, 404, 410) else f"public page answered {status}"
    if role == "anonymous":
        location = response.headers.get("location", "")
        if status == 303 and location.startswith("/login?next="):
            return ""
        return f"expected 303 to /login, got {status} {location}"
    if role == "other_coordinator" and "{network:str}" in template:
        return "" if status in (403, 404) else f"other network answered {status}"
    if not allowed(role, rule) or role in REFUSED_BY_HANDLER.get((method, template), ()):
        return "" if status in (403, 404) else f"not allowed ({rule}) but got {status}"
    if status in (401, 403):
        return f"allowed ({rule}) but refused with {status}"
    if status == 303 and response.headers.get("location", "").startswith("/login"):
        return f"allowed ({rule}) but sent to log in"
    # 303: the page sends elsewhere (a submitted proposal is no longer edited; a year that is
    # set up already); 404: the object is not there for this user (no decision letter yet).
    return "" if status in (200, 303, 404) else f"allowed ({rule}) but got {status}"


async def test_access_matrix(app: Litestar, client: httpx.AsyncClient, world: World) -> None:
    pages = sorted((m, p) for m, p in http_routes(app) if m == "GET")
    problems: list[str] = []
    for role in ROLES:
        client.cookies.clear()
        if role != "anonymous":
            await log_in(client, await factories.email_of(world.users[role]))
        for method, template in pages:
            url = concrete(template, world)
            response = await client.get(url)
            problem = judge(role, method, template, EXPECTED[(method, template)], response)
            if problem:
                problems.append(f"{role:18} {method} {url}: {problem}")
    assert not problems, "\n".join(problems)
