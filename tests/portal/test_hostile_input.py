"""Hostile input through the web, on both databases.

XSS: every payload of a small corpus goes into every user text field a few requests reach
(proposal title, summary and goals; bouwteam names; budget line descriptions; review motivation
and advice; a question and its answer; region and organisation names; an invited user's name),
each tagged with its field. Every page that shows a field must show it escaped: the escaped
form is there and the raw payload never is. The CSV export keeps the text but defuses formulas.

SQL injection: classic strings in every filter and search parameter of the proposal list, the
projectenbank and the ledger entries answer 200 or 4xx, never 500, and the tables survive.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest
from markupsafe import escape

from ledger.books import services as ledger
from portal.accounts.tables import Membership, Organisation, Region, Role, User
from portal.lib.settings import Settings
from proposals.rules import Actor
from proposals.tables import Proposal
from review.tables import Question, Review
from tests import factories
from tests.factories import email_of
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in, post_form

# Each payload has a `{tag}` naming the field it went into, so a leak names its field.
PAYLOADS = {
    "script": "<script>alert('{tag}')</script>",
    "img": '"><img src=x onerror=alert(1)>{tag}',
    "javascript-url": "javascript:alert('{tag}')",
    "template": "{{{{7*7}}}}{tag}",
    "textarea": "</textarea><script>alert('{tag}')</script>",
    "attribute": "' onmouseover='alert(1)' x='{tag}",
    "rlo": "\u202e{tag}gnp.exe",
}

SCORES = {
    "c1": "4",
    "c2": "2",
    "c3": "5",
    "c4": "3",
    "c2_motivation": "Beperkt",
    "c3_motivation": "Sterk",
    "c4_motivation": "Redelijk",
    "r1": "voldoet",
    "r3": "voldoet",
    "r4": "voldoet",
    "recommendation": "toekennen_onder_voorwaarden",
}

PROJECTENBANK = "/n/zuid-west/projectenbank"

# Which fields each page shows (by tag); pages are filled in by `hostile_world`.
TITLE = "titel"
FIELDS = [
    TITLE,
    "samenvatting",
    "doelen",
    "bouwteam",
    "bouwteam-org",
    "begroting",
    "motivatie",
    "advies",
    "vraag",
    "antwoord",
    "regio",
    "organisatie",
    "uitgenodigd",
]


def as_page(payload: str, tag: str) -> str:
    return payload.format(tag=tag)


def check_page(text: str, payload: str, shown: list[str], where: str) -> None:
    for tag in FIELDS:
        raw = as_page(payload, tag)
        escaped = str(escape(raw))
        if raw != escaped:
            assert raw not in text, f"{where}: field {tag!r} rendered unescaped: {raw!r}"
        if tag in shown:
            assert escaped in text, f"{where}: field {tag!r} missing (escaped {escaped!r})"
    lowered = text.lower()
    assert 'href="javascript:' not in lowered and "href='javascript:" not in lowered, where
    assert 'src="javascript:' not in lowered, where
    if "{{7*7}}" in payload:
        for tag in shown:
            assert f"49{tag}" not in text, f"{where}: field {tag!r} was evaluated as a template"


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await email_of(user_id))


async def ok(response: httpx.Response, status: int = 303) -> httpx.Response:
    assert response.status_code == status, response.text[:2000]
    return response


async def get(client: httpx.AsyncClient, url: str) -> str:
    response = await client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.text


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
async def test_every_text_field_is_escaped_everywhere(
    client: httpx.AsyncClient, zw: Zuidwest, settings: Settings, payload: str
) -> None:
    def p(tag: str) -> str:
        return as_page(payload, tag)

    admin = await factories.member(zw.network, Role.admin, email="beheer@example.org")
    reviewer = await factories.member(
        zw.network, Role.reviewer, email="ao@example.org", region_id=zw.region_b, reviewer_kind="ao"
    )

    # The beheerder: a region, an organisation and an invited user, each with a hostile name.
    await as_user(client, admin)
    await ok(await post_form(client, "/beheer/zuid-west/regios/nieuw", {"name": p("regio")}))
    region = await Region.select(Region.id).where(Region.name == p("regio")).first()
    await ok(
        await post_form(
            client,
            "/beheer/zuid-west/organisaties/nieuw",
            {"name": p("organisatie"), "kind": "care_provider", "region": str(region["id"])},
        )
    )
    organisation = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == p("organisatie"))
        .first()
    )
    await ok(
        await post_form(
            client,
            "/beheer/zuid-west/gebruikers/uitnodigen",
            {
                "email": "nieuw@example.org",
                "name": p("uitgenodigd"),
                "role": "applicant",
                "organisation": str(organisation["id"]),
            },
        )
    )
    invited = await User.select(User.id).where(User.email == "nieuw@example.org").first()
    admin_pages = {
        "/beheer/zuid-west": ["regio", "organisatie"],
        "/beheer/zuid-west/gebruikers": ["uitgenodigd", "organisatie"],
        f"/beheer/zuid-west/gebruikers/{invited['id']}": ["uitgenodigd", "organisatie"],
        f"/beheer/zuid-west/regios/{region['id']}": ["regio"],
        f"/beheer/zuid-west/organisaties/{organisation['id']}": ["organisatie", "regio"],
        "/beheer/zuid-west/gebruikers/uitnodigen": ["organisatie", "regio"],
    }
    for url, shown in admin_pages.items():
        check_page(await get(client, url), payload, shown, url)

    # The applicant: a complete proposal, then every text section rewritten with payloads.
    proposal_id = await zw.proposal(state="draft")
    base = f"/n/zuid-west/voorstellen/{proposal_id}"
    await as_user(client, zw.applicant_x)
    await ok(
        await post_form(
            client,
            f"{base}/bewerken/algemeen",
            {
                "title": p(TITLE),
                "summary": p("samenvatting"),
                "theme": str(zw.themes[0]),
                "region": str(zw.region_a),
                "lead_organisation": str(zw.org_x),
            },
        )
    )
    await ok(
        await post_form(
            client,
            f"{base}/bewerken/inhoud",
            {
                "goals": p("doelen"),
                "results": "Resultaten",
                "activities": "Activiteiten",
                "start_date": "01-09-2021",
                "end_date": "30-06-2022",
            },
        )
    )
    await ok(
        await post_form(
            client,
            f"{base}/bewerken/bouwteam",
            {
                "region_name": p("bouwteam"),
                "region_organisation": p("bouwteam-org"),
                "kartrekker": "region",
            },
        )
    )
    await ok(
        await post_form(
            client,
            f"{base}/bewerken/begroting",
            {
                "requested_amount": "10.000,00",
                "kind": ["material"],
                "year": ["2021"],
                "description": [p("begroting")],
                "hours": [""],
                "rate": [""],
                "amount": ["10.000,00"],
            },
        )
    )
    proposal_fields = [TITLE, "samenvatting", "doelen", "bouwteam", "bouwteam-org", "begroting"]
    edit_pages = {
        f"{base}/bewerken/algemeen": [TITLE, "samenvatting"],
        f"{base}/bewerken/inhoud": ["doelen"],
        f"{base}/bewerken/bouwteam": ["bouwteam", "bouwteam-org"],
        f"{base}/bewerken/begroting": ["begroting"],
    }
    for url, shown in edit_pages.items():
        check_page(await get(client, url), payload, shown, url)

    await zw.step(proposal_id, "mark_ready", zw.applicant_x, Actor.author)
    await zw.step(proposal_id, "submit", zw.officer_a, Actor.region_officer)

    # The coordinator assigns the reviewer and asks a question; the applicant answers.
    await as_user(client, zw.coordinator)
    review_base = f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}"
    await ok(await post_form(client, f"{review_base}/toewijzen", {"reviewer": str(reviewer)}))
    await ok(await post_form(client, f"{base}/vragen", {"question": p("vraag")}))
    question = await Question.select(Question.id).where(Question.proposal == proposal_id).first()
    await as_user(client, zw.applicant_x)
    await ok(
        await post_form(
            client, f"{base}/vragen/{question['id']}/antwoord", {"answer": p("antwoord")}
        )
    )

    # The reviewer scores it, with a hostile motivation and advice.
    review = await Review.select(Review.id).where(Review.proposal == proposal_id).first()
    await as_user(client, reviewer)
    await ok(
        await post_form(
            client,
            f"/n/zuid-west/beoordelingen/{review['id']}",
            {
                **SCORES,
                "c1_motivation": p("motivatie"),
                "advice": p("advies"),
                "action": "submit",
            },
        )
    )

    qa = ["vraag", "antwoord"]
    pages: dict[int, dict[str, list[str]]] = {
        zw.applicant_x: {
            base: [*proposal_fields, *qa],
            f"{base}/afdrukken": proposal_fields,
            "/n/zuid-west/voorstellen?lijst=mijn": [TITLE],
        },
        reviewer: {
            base: [*proposal_fields, *qa],
            f"{base}/afdrukken": proposal_fields,
            "/n/zuid-west/beoordelingen": [TITLE],
            f"/n/zuid-west/beoordelingen/{review['id']}": [TITLE, "motivatie", "advies", *qa],
        },
        zw.coordinator: {
            base: [*proposal_fields, *qa],
            f"{base}/afdrukken": proposal_fields,
            "/n/zuid-west/voorstellen": [TITLE],
            "/n/zuid-west/voorstellen?zoek=" + p(TITLE)[:20]: [],
            review_base: [TITLE, "motivatie", "advies"],
            f"/n/zuid-west/beoordeling/rondes/{zw.round}": [TITLE],
        },
    }
    for user, urls in pages.items():
        await as_user(client, user)
        for url, shown in urls.items():
            check_page(await get(client, url), payload, shown, url)

    # The CSV export carries the text as text (no HTML escaping in a CSV file).
    await as_user(client, zw.coordinator)
    export = await client.get("/n/zuid-west/voorstellen/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert any(p(TITLE) in row for row in rows), rows


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")']


async def test_csv_export_defuses_formulas(client: httpx.AsyncClient, zw: Zuidwest) -> None:
    for formula in FORMULAS:
        await zw.proposal(state="submitted", title=formula)
    await as_user(client, zw.coordinator)
    export = await client.get("/n/zuid-west/voorstellen/export.csv")
    assert export.status_code == 200
    cells = {
        cell
        for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";")
        for cell in row
    }
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{formula!r} not defused: {sorted(cells)}"
        assert formula not in cells


SQL_INJECTIONS = [
    "' OR 1=1 --",
    "'; DROP TABLE proposal; --",
    "1; DROP TABLE catalogue_entry",
    '" OR ""="',
    "') UNION SELECT email, password_hash FROM portal_user --",
    "%' AND 1=1 AND '%'='",
    '"unbalanced NEAR( * -x',
    "{} {0} %s $1 ?",
    "\\",
]


async def test_sql_injection_in_filters_never_errors(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    coordinator = await principal(zw.coordinator)
    await ledger.commit_grant(
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
    await as_user(client, zw.coordinator)
    year = f"/n/zuid-west/begroting/{zw.budget_year}"
    pages = {
        "/n/zuid-west/voorstellen": [
            "zoek",
            "lijst",
            "ronde",
            "thema",
            "regio",
            "status",
            "pagina",
        ],
        "/n/zuid-west/voorstellen/export.csv": ["zoek", "lijst", "ronde", "thema", "status"],
        PROJECTENBANK: [
            "zoek",
            "thema",
            "functie",
            "doel",
            "regio",
            "jaar",
            "status",
            "pagina",
        ],
        f"{year}/mutaties": ["soort", "project", "post_id", "pagina"],
        f"{year}/mutaties/export.csv": ["soort", "project", "post_id"],
    }
    counts_before = await _counts()
    failures = []
    for url, params in pages.items():
        for param in params:
            for attack in SQL_INJECTIONS:
                response = await client.get(url, params={param: attack})
                if not 200 <= response.status_code < 500:
                    failures.append(f"{url}?{param}={attack!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert await _counts() == counts_before
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert page.status_code == 200


@pytest.mark.parametrize(
    "url", ["/n/zuid-west/voorstellen", "/n/zuid-west/voorstellen/export.csv", PROJECTENBANK]
)
async def test_nul_byte_in_search_never_errors(
    client: httpx.AsyncClient, zw: Zuidwest, url: str
) -> None:
    await zw.proposal(state="submitted")
    await as_user(client, zw.coordinator)
    response = await client.get(url, params={"zoek": "nul\x00byte"})
    assert 200 <= response.status_code < 500, response.status_code


async def test_nul_byte_in_a_text_field_never_errors(
    client: httpx.AsyncClient, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(state="draft")
    await as_user(client, zw.applicant_x)
    response = await post_form(
        client,
        f"/n/zuid-west/voorstellen/{proposal_id}/bewerken/inhoud",
        {"goals": "nul\x00byte", "start_date": "01-09-2021", "end_date": "30-06-2022"},
    )
    assert 200 <= response.status_code < 500, response.status_code


async def _counts() -> dict[str, int]:
    from ledger.books.tables import CatalogueEntry, Entry

    return {
        "proposal": await Proposal.count(),
        "catalogue_entry": await CatalogueEntry.count(),
        "entry": await Entry.count(),
        "user": await User.count(),
        "membership": await Membership.count(),
    }
