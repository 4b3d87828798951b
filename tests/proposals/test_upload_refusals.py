"""Every upload route, every hostile kind of file: an Office or OpenDocument file with a DOCTYPE
or entity declaration in any of its XML parts (whatever the part is called, in whatever
encoding) and a PDF with something after its end are refused in Dutch and nothing is stored;
the ordinary files next to them are taken. The routes: proposal attachments, report
attachments, the budget import.

The checks themselves, case by case, are in test_files.py; this file sends the files through
the pages, as an attacker would, to each route that takes them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from openpyxl.comments import Comment

from ledger.books.tables import ReportAttachment
from portal.lib.settings import Settings
from proposals.tables import Attachment, BudgetLine
from tests.portal.test_access_matrix import World
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import Zuidwest
from tests.proposals.conftest import zw as zw  # the fixture
from tests.proposals.test_files import (
    LAUGHS,
    make_docx,
    make_odf,
    make_pdf,
    make_xlsx_with_comment,
    replace_part,
)
from tests.web import csrf_token, log_in

XML_REFUSED = "een DOCTYPE of entiteiten"
PDF_REFUSED = "Na het einde van dit PDF-bestand staat nog andere inhoud"
ODS = b"application/vnd.oasis.opendocument.spreadsheet"
ODT = b"application/vnd.oasis.opendocument.text"
MIME = "application/octet-stream"  # what the browser says counts for nothing

DOCTYPE_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [<!ENTITY x SYSTEM '
    b'"file:///etc/passwd">]><w:document xmlns:w="urn:w"><w:body>&x;</w:body></w:document>'
)
ENTITY_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst xmlns="http://schemas.openxmlformats'
    b'.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&b;</t></si></sst>'
)
DOCTYPE_CONTENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE office:document-content SYSTEM '
    b'"http://example.org/evil.dtd"><office:document-content xmlns:office="urn:oasis:names:tc:'
    b'opendocument:xmlns:office:1.0"/>'
)
UTF16_STYLES = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
PDF = make_pdf()


def hostile_office_files(xlsx: bytes) -> dict[str, tuple[str, bytes]]:
    """id -> (file name, content); each must be refused with the DOCTYPE message. `xlsx` is a
    workbook the route would otherwise take."""
    vml = next(n for n in zipfile.ZipFile(io.BytesIO(xlsx)).namelist() if n.endswith(".vml"))
    return {
        "xlsx-entities-in-sharedStrings": (
            "begroting.xlsx",
            replace_part(xlsx, "xl/sharedStrings.xml", ENTITY_STRINGS),
        ),
        "xlsx-utf16-sharedStrings": (
            "begroting.xlsx",
            replace_part(xlsx, "xl/sharedStrings.xml", UTF16_STYLES.encode("utf-16")),
        ),
        "xlsx-doctype-in-vml": ("begroting.xlsx", replace_part(xlsx, vml, LAUGHS)),
        "xlsx-utf7-part-without-xml-name": (
            "begroting.xlsx",
            replace_part(
                xlsx,
                "xl/media/data.bin",
                b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<x/>',
            ),
        ),
    }


HOSTILE_ATTACHMENTS: dict[str, tuple[str, bytes, str]] = {
    "docx-doctype": (
        "plan.docx",
        make_docx(**{"word/document.xml": DOCTYPE_DOCUMENT}),
        XML_REFUSED,
    ),
    "ods-doctype-in-content": (
        "cijfers.ods",
        make_odf(ODS, **{"content.xml": DOCTYPE_CONTENT}),
        XML_REFUSED,
    ),
    "odt-utf16-styles": (
        "plan.odt",
        make_odf(ODT, **{"styles.xml": UTF16_STYLES.encode("utf-16")}),
        XML_REFUSED,
    ),
    "odt-utf16-without-bom": (
        "plan.odt",
        make_odf(ODT, **{"styles.xml": UTF16_STYLES.encode("utf-16-le")}),
        XML_REFUSED,
    ),
    "odt-entities-in-rdf": ("plan.odt", make_odf(ODT, **{"manifest.rdf": LAUGHS}), XML_REFUSED),
    "docx-doctype-in-svg": (
        "plan.docx",
        make_docx(**{"word/media/image1.svg": LAUGHS}),
        XML_REFUSED,
    ),
    **{
        name: (filename, content, XML_REFUSED)
        for name, (filename, content) in hostile_office_files(make_xlsx_with_comment()).items()
    },
    "pdf-html-appended": ("plan.pdf", PDF + b"<html><script>alert(1)</script></html>", PDF_REFUSED),
    "pdf-long-html-appended": (
        "plan.pdf",
        PDF + b"<html>" + b"x" * 5000 + b"</html>\n",
        PDF_REFUSED,
    ),
    "pdf-zip-appended": ("plan.pdf", PDF + make_docx(), PDF_REFUSED),
}
ACCEPTED_ATTACHMENTS: dict[str, tuple[str, bytes]] = {
    "pdf-ending-in-line-breaks": ("plan.pdf", PDF + b"\r\n\n"),
    "xlsx-with-a-comment": ("begroting.xlsx", make_xlsx_with_comment()),
    "ods-with-an-empty-accelerator-part": (
        "cijfers.ods",
        make_odf(ODS, **{"Configurations2/accelerator/current.xml": b""}),
    ),
    "docx": ("plan.docx", make_docx()),
}


def stored_files(settings: Settings) -> set[Path]:
    return set(settings.upload_dir.iterdir()) if settings.upload_dir.exists() else set()


async def _post_file(
    client: httpx.AsyncClient, url: str, name: str, content: bytes, **form: str
) -> httpx.Response:
    """Post the file; the page the user then sees (after the redirect, if any)."""
    response = await client.post(
        url,
        files={"file": (name, content, MIME)},
        data={"_csrf_token": await csrf_token(client), **form},
    )
    assert response.status_code < 500, response.text
    return await client.get(response.headers["location"]) if response.is_redirect else response


async def _refuses_and_takes(
    client: httpx.AsyncClient, settings: Settings, url: str, count, **form: str
) -> None:
    for case, (name, content, message) in HOSTILE_ATTACHMENTS.items():
        before = (await count(), stored_files(settings))
        page = await _post_file(client, url, name, content, **form)
        assert message in page.text, case
        assert (await count(), stored_files(settings)) == before, case
    for case, (name, content) in ACCEPTED_ATTACHMENTS.items():
        before = (await count(), stored_files(settings))
        page = await _post_file(client, url, name, content, **form)
        assert "is toegevoegd" in page.text, case
        assert await count() == before[0] + 1, case
        assert len(stored_files(settings) - before[1]) == 1, case


async def test_proposal_attachments_refuse_hostile_files_and_store_nothing(
    zw: Zuidwest, client: httpx.AsyncClient, settings
) -> None:
    draft = await zw.proposal(state="draft", title="Nieuw concept")
    await log_in(client, "x@example.org")
    url = f"/n/zuid-west/voorstellen/{draft}/bijlagen"
    await _refuses_and_takes(client, settings, url, Attachment.count, kind="other", region="")


async def test_report_attachments_refuse_hostile_files_and_store_nothing(
    world: World, client: httpx.AsyncClient, settings
) -> None:
    client.cookies.clear()
    await log_in(client, "regio-a@example.org")
    url = f"/n/zuid-west/verantwoording/{world.values['report_id']}/bijlagen"
    await _refuses_and_takes(client, settings, url, ReportAttachment.count)


async def test_budget_import_refuses_hostile_workbooks_and_changes_nothing(
    zw: Zuidwest, client: httpx.AsyncClient, settings
) -> None:
    """The workbook is the portal's own template, so that only the added part can be wrong."""
    proposal = await zw.proposal(complete=True)
    await log_in(client, "x@example.org")
    base = f"/n/zuid-west/voorstellen/{proposal}/begroting"
    template = (await client.get(f"{base}/sjabloon.xlsx")).content
    lines_before = await BudgetLine.select(BudgetLine.amount_cents).order_by(BudgetLine.id)
    template_with_comment = xlsx_with_a_comment_on(template)
    hostile = {
        **hostile_office_files(template_with_comment),
        "xlsx-doctype-in-workbook": (
            "begroting.xlsx",
            replace_part(
                template,
                "xl/workbook.xml",
                b"<!DOCTYPE workbook>"
                + zipfile.ZipFile(io.BytesIO(template)).read("xl/workbook.xml"),
            ),
        ),
    }
    for case, (name, content) in hostile.items():
        page = await _post_file(client, f"{base}/importeren", name, content)
        assert page.status_code == 422 and XML_REFUSED in page.text, case
        assert await BudgetLine.select(BudgetLine.amount_cents).order_by(BudgetLine.id) == (
            lines_before
        ), case
    # The same template, as it is and with a comment, is read.
    for content in (template, template_with_comment):
        page = await _post_file(client, f"{base}/importeren", "begroting.xlsx", content)
        assert "begrotingsregels ingelezen" in page.text


def xlsx_with_a_comment_on(template: bytes) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    workbook.active["A1"].comment = Comment("Vul dit in", "Carla")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["plan.pdf", "begroting.xlsx"])
async def test_a_download_of_an_upload_runs_nothing(
    name: str, zw: Zuidwest, client: httpx.AsyncClient
) -> None:
    """Defence in depth for whatever got past the checks: served as a download, never sniffed,
    and sandboxed should a browser show it anyway."""
    draft = await zw.proposal(state="draft")
    await log_in(client, "x@example.org")
    content = dict(ACCEPTED_ATTACHMENTS.values())[name]
    await _post_file(
        client, f"/n/zuid-west/voorstellen/{draft}/bijlagen", name, content, kind="other"
    )
    attachment = await Attachment.select(Attachment.id).first()
    response = await client.get(f"/n/zuid-west/voorstellen/{draft}/bijlagen/{attachment['id']}")
    assert response.status_code == 200 and response.content == content
    assert response.headers["content-disposition"].startswith("attachment;")
    # One header, ours: the ASCII fallback and the exact name (RFC 6266), not File's own.
    (disposition,) = response.headers.get_list("content-disposition")
    assert 'filename="' in disposition and "filename*=UTF-8''" in disposition
    assert response.headers.get_list("cache-control") == ["private, no-store"]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'; sandbox"]


async def test_an_upload_over_its_limit_is_refused_without_being_read() -> None:
    from litestar.datastructures import UploadFile

    from portal.lib.files import FileRefused
    from portal.lib.uploads import read_upload

    reads: list[int] = []
    upload = UploadFile("application/pdf", "groot.pdf", file_data=b"%PDF-" + bytes(3 * 1024 * 1024))
    original = upload.file.read
    upload.file.read = lambda size=-1: reads.append(size) or original(size)  # type: ignore[method-assign]
    with pytest.raises(FileRefused, match="de grens is 2 MB") as refused:
        await read_upload(upload, 2 * 1024 * 1024)
    assert refused.value.reason == "too_large" and reads == []
    await upload.read(10)  # the spy sees reads: the refusal above really read nothing
    assert reads == [10]
    small = UploadFile("application/pdf", "klein.pdf", file_data=b"%PDF-1.4")
    assert await read_upload(small, 2 * 1024 * 1024) == b"%PDF-1.4"
