"""Every upload route refuses an Office file with XML declarations and a PDF polyglot, in
Dutch, and stores nothing: proposal attachments, report attachments, the budget import."""

from __future__ import annotations

import httpx
import pytest

from ledger.books.tables import ReportAttachment
from proposals.tables import Attachment, BudgetLine
from tests.portal.test_access_matrix import World
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import Zuidwest
from tests.proposals.conftest import zw as zw  # the fixture
from tests.proposals.test_files import LAUGHS, add_member, make_xlsx
from tests.web import csrf_token, log_in

XLSX_WITH_ENTITIES = add_member(make_xlsx(), "xl/extra.xml", LAUGHS)
PDF_POLYGLOT = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n<html><body>Klik</body></html>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _counts() -> tuple[int, int, int]:
    return await Attachment.count(), await ReportAttachment.count(), await BudgetLine.count()


@pytest.mark.parametrize(
    ("name", "content", "mime", "message"),
    [
        ("begroting.xlsx", XLSX_WITH_ENTITIES, XLSX, "DOCTYPE"),
        ("plan.pdf", PDF_POLYGLOT, "application/pdf", "Na het einde van dit PDF-bestand"),
    ],
)
async def test_uploads_refuse_declarations_and_polyglots(
    name: str,
    content: bytes,
    mime: str,
    message: str,
    zw: Zuidwest,
    world: World,
    client: httpx.AsyncClient,
) -> None:
    draft = await zw.proposal(state="draft", title="Nieuw concept")
    before = await _counts()
    await log_in(client, "x@example.org")
    token = await csrf_token(client)
    routes = [f"/n/zuid-west/voorstellen/{draft}/bijlagen"]
    if name.endswith(".xlsx"):
        routes.append(f"/n/zuid-west/voorstellen/{draft}/begroting/importeren")
    for url in routes:
        response = await client.post(
            url,
            files={"file": (name, content, mime)},
            data={"_csrf_token": token, "kind": "other", "region": ""},
        )
        assert response.status_code < 500
        page = await client.get(response.headers["location"]) if response.is_redirect else response
        assert message in page.text, url
    client.cookies.clear()
    await log_in(client, "regio-a@example.org")
    response = await client.post(
        f"/n/zuid-west/verantwoording/{world.values['report_id']}/bijlagen",
        files={"file": (name, content, mime)},
        data={"_csrf_token": await csrf_token(client)},
    )
    page = await client.get(response.headers["location"]) if response.is_redirect else response
    assert message in page.text
    assert await _counts() == before
