"""The budget workbook: the template, the strict reader, and the rules shared with the web form."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals import budget_reader
from proposals.budget_reader import parse_budget_workbook
from proposals.budget_template import build_template
from proposals.budget_workbook import (
    BUDGET_LINE_KINDS,
    HEADERS,
    MAX_AMOUNT_CENTS,
    MAX_LINES,
    BudgetLineInput,
    WorkbookProblem,
    line_problems,
    personnel_amount_cents,
)

YEARS = [2021, 2022]
ALLOWED = set(YEARS)
PERSONNEL_LABEL = BUDGET_LINE_KINDS["personnel"]
MATERIAL_LABEL = BUDGET_LINE_KINDS["material"]


# --- builders ---------------------------------------------------------------------------------


def personnel(hours: int = 1250, rate: int = 9533, **changes: Any) -> BudgetLineInput:
    fields = {
        "kind": "personnel",
        "year": 2021,
        "description": "Projectleider",
        "amount_cents": personnel_amount_cents(hours, rate),
        "hours_hundredths": hours,
        "hourly_rate_cents": rate,
    }
    return BudgetLineInput(**(fields | changes))


def material(amount: int = 123_456, **changes: Any) -> BudgetLineInput:
    fields = {"kind": "material", "year": 2022, "description": "Drukwerk", "amount_cents": amount}
    return BudgetLineInput(**(fields | changes))


def workbook(
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] = HEADERS,
    sheet: str = "Begroting",
    start_row: int = 2,
) -> bytes:
    """A workbook as an applicant's spreadsheet program might save it: raw values from row 2."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(headers))
    for row_number, row in enumerate(rows, start=start_row):
        for column, value in enumerate(row, start=1):
            cell = ws.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def parse(data: bytes, filename: str = "begroting.xlsx") -> tuple[list, list]:
    return parse_budget_workbook(data, ALLOWED, filename)


def only_line(rows: Iterable[Sequence[Any]]) -> BudgetLineInput:
    lines, problems = parse(workbook(rows))
    assert problems == []
    assert len(lines) == 1
    return lines[0]


def where(problems: list[WorkbookProblem]) -> list[tuple[int | None, str | None]]:
    return [(problem.row, problem.column) for problem in problems]


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, edit: Any = None) -> bytes:
    """Copy a zip, optionally adding members and rewriting one member's text."""
    add = add or {}
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if edit and info.filename == edit[0]:
                content = edit[1](content.decode()).encode()
            target.writestr(info.filename, content)
        for name, content in add.items():
            target.writestr(name, content)
    return output.getvalue()


def with_cached_results(data: bytes, results: dict[str, str]) -> bytes:
    """What Excel does on saving: store each formula's result next to it (<v>...</v>). The
    empty value is <v/> from openpyxl's own writer and <v></v> when lxml is installed."""

    def edit(xml: str) -> str:
        for cell, value in results.items():
            xml, count = re.subn(
                rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(?:<v ?/>|<v></v>)',
                rf"\1\2<v>{value}</v>",
                xml,
            )
            assert count == 1, cell
        return xml

    return rezip(data, edit=("xl/worksheets/sheet1.xml", edit))


def refusal(problems: list[WorkbookProblem]) -> str:
    """The message of a refusal of the whole file."""
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("", None, None)
    return problem.message


# --- the template -----------------------------------------------------------------------------


def template_sheet(*args: Any, **kwargs: Any) -> Any:
    return openpyxl.load_workbook(io.BytesIO(build_template(*args, **kwargs)))


def test_template_has_the_two_sheets_and_the_header() -> None:
    book = template_sheet(YEARS, "Wachtlijsten")
    assert book.sheetnames == ["Begroting", "Uitleg"]
    ws = book["Begroting"]
    assert [cell.value for cell in ws[1]] == list(HEADERS)
    assert all(cell.font.b for cell in ws[1])


def test_template_freezes_the_header_and_has_a_filter() -> None:
    ws = template_sheet(YEARS)["Begroting"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:F")


def test_template_validates_kind_year_and_numbers() -> None:
    ws = template_sheet(YEARS)["Begroting"]
    by_column = {}
    for validation in ws.data_validations.dataValidation:
        for cell_range in str(validation.sqref).split():
            by_column[cell_range[0]] = validation
    kinds = by_column["A"]
    assert kinds.type == "list"
    assert kinds.formula1 == '"' + ",".join(BUDGET_LINE_KINDS.values()) + '"'
    assert by_column["B"].type == "list"
    assert by_column["B"].formula1 == '"2021,2022"'
    for column in "DEF":
        assert by_column[column].type == "decimal"
        assert by_column[column].operator == "greaterThanOrEqual"
        assert by_column[column].formula1 == "0"
    assert all(v.showErrorMessage for v in by_column.values())
    assert "C" not in by_column


def test_template_without_years_has_no_year_list() -> None:
    ws = template_sheet([])["Begroting"]
    assert all(
        v.type != "list" or "20" not in v.formula1 for v in ws.data_validations.dataValidation
    )


def test_template_formats_money_as_euros_and_sets_widths() -> None:
    ws = template_sheet(YEARS, lines=[personnel(), material()])["Begroting"]
    for cell in ("E3", "F3", "F4"):
        assert ws[cell].number_format == "€ #,##0.00"
    assert ws.column_dimensions["F"].number_format == "€ #,##0.00"
    assert ws.column_dimensions["C"].width >= 40


def test_template_example_row_is_grey_italic_and_marked() -> None:
    ws = template_sheet(YEARS)["Begroting"]
    assert ws["C2"].value.startswith("Voorbeeld:")
    for cell in ws[2]:
        assert cell.font.i
        assert cell.font.color.rgb.endswith("808080")
    assert ws.max_row == 2


def test_template_prefills_lines_after_the_example() -> None:
    ws = template_sheet(YEARS, lines=[personnel(), material()])["Begroting"]
    assert [c.value for c in ws[3]][:5] == [PERSONNEL_LABEL, 2021, "Projectleider", 12.5, 95.33]
    assert ws["F3"].value == "=ROUND(D3*E3,2)"  # stays right when the applicant edits the hours
    assert [c.value for c in ws[4]] == [MATERIAL_LABEL, 2022, "Drukwerk", None, None, 1234.56]


def test_template_keeps_a_description_that_looks_like_a_formula_as_text() -> None:
    ws = template_sheet(YEARS, lines=[material(description="=HYPERLINK(1)")])["Begroting"]
    assert ws["C3"].data_type == "s"


def test_template_has_dutch_instructions() -> None:
    text = " ".join(
        str(row[0])
        for row in template_sheet(YEARS, "Wachtlijsten")["Uitleg"].iter_rows(values_only=True)
    )
    for phrase in ("Project: Wachtlijsten", "Uren × Uurtarief", "leeg laten", ".xlsx", ".xlsm"):
        assert phrase in text
    assert "kopregel" in text
    assert "twee cijfers achter de komma" in text


def test_template_properties() -> None:
    properties = template_sheet(YEARS, "Wachtlijsten").properties
    assert properties.creator == "Fondsportaal"
    assert properties.title == "Begroting – Wachtlijsten"


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_of_a_draft() -> None:
    lines = [personnel(), material(), personnel(hours=0, rate=0, year=2022), material(amount=0)]
    assert parse(build_template(YEARS, "Titel", lines)) == (lines, [])


def test_round_trip_of_every_kind() -> None:
    lines = [personnel()] + [
        BudgetLineInput(kind, 2021, f"Post {kind}", 5_00)
        for kind in BUDGET_LINE_KINDS
        if kind != "personnel"
    ]
    assert parse(build_template(YEARS, lines=lines)) == (lines, [])


descriptions = (
    st.text(
        st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff"),
        min_size=1,
        max_size=80,
    )
    .map(str.strip)
    .filter(lambda text: text and not text.casefold().startswith("voorbeeld:"))
)


@st.composite
def budget_lines(draw: st.DrawFn) -> BudgetLineInput:
    kind = draw(st.sampled_from(list(BUDGET_LINE_KINDS)))
    year = draw(st.sampled_from(YEARS))
    description = draw(descriptions)
    if kind == "personnel":
        hours = draw(st.integers(0, 2_000_000))
        rate = draw(st.integers(0, 500_000))
        amount = personnel_amount_cents(hours, rate)
        return BudgetLineInput(kind, year, description, amount, hours, rate)
    return BudgetLineInput(kind, year, description, draw(st.integers(0, MAX_AMOUNT_CENTS)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(budget_lines(), min_size=1, max_size=12))
def test_round_trip_of_random_lines(lines: list[BudgetLineInput]) -> None:
    assert all(line_problems(line, ALLOWED) == [] for line in lines)
    assert parse(build_template(YEARS, "Titel", lines)) == (lines, [])


def test_round_trip_after_excel_saved_the_formula_results() -> None:
    lines = [personnel(hours=1250, rate=9533), personnel(hours=300, rate=10_000)]
    data = with_cached_results(
        build_template(YEARS, lines=lines),
        # Excel's floats, as it writes them: noise in the last digits
        {"F2": "11400", "F3": "1191.6300000000001", "F4": "300"},
    )
    assert parse(data) == (lines, [])


def test_excel_float_noise_is_read_as_the_number_excel_shows() -> None:
    data = with_cached_results(
        build_template(YEARS, lines=[personnel(hours=1250, rate=9533)]),
        {"F3": "1191.6249999999998"},
    )
    assert parse(data) == ([personnel(hours=1250, rate=9533)], [])


# --- reading what applicants type --------------------------------------------------------------


def test_example_row_is_ignored() -> None:
    data = rezip(build_template(YEARS))  # the untouched example: nothing to read
    lines, problems = parse(data)
    assert lines == []
    assert [p.message for p in problems] == [
        "Er staan geen begrotingsregels in (de voorbeeldregel telt niet mee)."
    ]


def test_example_row_is_ignored_wherever_it_ends_up() -> None:
    line = only_line(
        [
            (MATERIAL_LABEL, 2021, "Drukwerk", None, None, 10),
            (PERSONNEL_LABEL, 2019, "  voorbeeld: iets", "x", None, "onzin"),
        ]
    )
    assert line == material(amount=1000, year=2021)


def test_lines_added_to_the_template_are_read() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_template(YEARS)))
    book["Begroting"].append(["Overige kosten", 2022, "Zaalhuur", None, None, 250])
    output = io.BytesIO()
    book.save(output)
    assert parse(output.getvalue()) == ([BudgetLineInput("other", 2022, "Zaalhuur", 25_000)], [])


@pytest.mark.parametrize(
    "kind",
    ["Personeel (uren × uurtarief)", "personnel", "  PERSONEEL (UREN × UURTARIEF) ", "Personeel"],
)
def test_kind_by_label_code_or_short_label(kind: str) -> None:
    assert only_line([(kind, 2021, "Projectleider", 12.5, 95.33, None)]) == personnel()


@pytest.mark.parametrize("kind", ["Vacatiegelden", "vacation_fees", "vacatiegelden "])
def test_kind_vacation_fees(kind: str) -> None:
    assert only_line([(kind, 2021, "Vacatiegelden", None, None, 40)]).kind == "vacation_fees"


@pytest.mark.parametrize("year", [2021, 2021.0, "2021", " 2021 "])
def test_year_as_number_or_text(year: Any) -> None:
    assert only_line([(MATERIAL_LABEL, year, "Drukwerk", None, None, 1)]).year == 2021


@pytest.mark.parametrize(
    ("cell", "cents"),
    [
        (1234.56, 123_456),
        (1234, 123_400),
        ("1.234,56", 123_456),
        ("€ 1.234,56", 123_456),
        ("12,5", 1250),
        (0.1 + 0.2, 30),  # 0.30000000000000004: Excel shows 0,3
        (0, 0),
    ],
)
def test_amounts_from_numbers_or_dutch_text(cell: Any, cents: int) -> None:
    assert only_line([(MATERIAL_LABEL, 2022, "Drukwerk", None, None, cell)]).amount_cents == cents


@pytest.mark.parametrize(
    ("hours", "rate", "amount"),
    [
        (12.5, 95.33, None),  # left empty: computed
        (12.5, 95.33, 1191.63),  # rounded half up
        (12.5, 95.33, 1191.625),  # the exact product, as =D*E gives it
        (12.5, 95.33, 1191.62),  # a spreadsheet that rounds the half down: still within a cent
        ("12,5", "95,33", "1.191,63"),
        (12.5, "€ 95,33", ""),
    ],
)
def test_personnel_amount_may_be_empty_or_agree(hours: Any, rate: Any, amount: Any) -> None:
    assert only_line([(PERSONNEL_LABEL, 2021, "Projectleider", hours, rate, amount)]) == personnel()


def test_empty_rows_are_skipped_and_row_numbers_stay_excel_rows() -> None:
    data = workbook(
        [
            (MATERIAL_LABEL, 2021, "Drukwerk", None, None, 1),
            (None, None, None, None, None, None),
            ("", "  ", None, None, None, None),
            (MATERIAL_LABEL, 2030, "Drukwerk", None, None, 1),
        ]
    )
    lines, problems = parse(data)
    assert lines == []
    assert where(problems) == [(5, "B")]


def test_columns_after_f_are_ignored() -> None:
    line = only_line([(MATERIAL_LABEL, 2021, "Drukwerk", None, None, 1, "notitie", 99)])
    assert line.amount_cents == 100


# --- a broken workbook: every problem, with row and column, and no lines -----------------------


def test_broken_workbook_reports_every_problem_and_returns_no_lines() -> None:
    data = workbook(
        [
            (MATERIAL_LABEL, 2021, "Goede regel", None, None, 100),  # 2: fine
            ("Reiskosten", 2021, "Trein", None, None, 100),  # 3: unknown kind
            (MATERIAL_LABEL, 2019, "Te vroeg", None, None, 100),  # 4: year out of range
            (MATERIAL_LABEL, 2021, "Tekst", None, None, "honderd"),  # 5: text in amount
            (PERSONNEL_LABEL, 2021, "Geen uren", None, 95, None),  # 6: personnel without hours
            (PERSONNEL_LABEL, 2021, "Verkeerd", 10, 95, 900),  # 7: amount ≠ hours × rate
            (MATERIAL_LABEL, 2021, None, None, None, 100),  # 8: no description
            (MATERIAL_LABEL, 2021, "Met uren", 3, None, 100),  # 9: hours on material
            (MATERIAL_LABEL, 2021, "Negatief", None, None, -5),  # 10: negative
            (MATERIAL_LABEL, 2021, "Te precies", None, None, 1.005),  # 11: three decimals
            (MATERIAL_LABEL, 2021, "Geen bedrag", None, None, None),  # 12: no amount
            (PERSONNEL_LABEL, 2021, "Geen tarief", 10, None, None),  # 13: personnel without rate
        ]
    )
    lines, problems = parse(data)
    assert lines == []
    assert where(problems) == [
        (3, "A"),
        (4, "B"),
        (5, "F"),
        (6, "D"),
        (7, "F"),
        (8, "C"),
        (9, "D"),
        (10, "F"),
        (11, "F"),
        (12, "F"),
        (13, "E"),
    ]
    assert all(problem.sheet == "Begroting" for problem in problems)
    messages = {(p.row, p.column): p.message for p in problems}
    assert messages[(3, "A")].startswith("Onbekende soort 'Reiskosten'.")
    assert messages[(4, "B")] == "Jaar 2019 valt buiten de looptijd van het project (2021–2022)."
    assert messages[(5, "F")].startswith("Schrijf het bedrag als 1.234,56")
    assert messages[(6, "D")] == "Vul bij personeel het aantal uren in."
    assert messages[(7, "F")].startswith(
        "Het bedrag (€ 900,00) is niet gelijk aan uren × uurtarief (€ 950,00)."
    )
    assert messages[(8, "C")] == "Vul een omschrijving in."
    assert messages[(9, "D")] == "Laat Uren leeg: uren horen alleen bij personeel."
    assert messages[(10, "F")] == "Het bedrag mag niet negatief zijn."
    assert messages[(11, "F")] == "Een bedrag heeft hoogstens twee cijfers achter de komma."
    assert messages[(12, "F")] == "Vul het bedrag in."
    assert messages[(13, "E")] == "Vul bij personeel het uurtarief in."


def test_several_problems_in_one_row_are_reported_in_column_order() -> None:
    lines, problems = parse(workbook([("Reis", 1999, "", "x", "y", "z")]))
    assert lines == []
    assert where(problems) == [(2, c) for c in "ABCDEF"]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ((MATERIAL_LABEL, "twintig", "x", None, None, 1), "B", "als jaartal"),
        ((MATERIAL_LABEL, 2021.5, "x", None, None, 1), "B", "als jaartal"),
        ((MATERIAL_LABEL, True, "x", None, None, 1), "B", "als jaartal"),
        ((MATERIAL_LABEL, None, "x", None, None, 1), "B", "Vul het jaar in."),
        ((None, 2021, "x", None, None, 1), "A", "Vul de soort in."),
        ((MATERIAL_LABEL, 2021, "x" * 501, None, None, 1), "C", "hoogstens 500 tekens"),
        ((MATERIAL_LABEL, 2021, "twee\nregels", None, None, 1), "C", "regeleinde"),
        ((MATERIAL_LABEL, 2021, "x", None, None, dt.datetime(2021, 5, 12)), "F", "datum"),
        ((MATERIAL_LABEL, 2021, "x", None, None, "#DIV/0!"), "F", "Excel-foutwaarde (#DIV/0!)"),
        ((MATERIAL_LABEL, 2021, "x", None, None, "1,234.56"), "F", "1.234,56"),
        ((MATERIAL_LABEL, 2021, "x", None, None, "-5"), "F", "niet negatief"),
        ((MATERIAL_LABEL, 2021, "x", None, None, 10**10), "F", "hoogstens € 1.000.000.000,00"),
        ((MATERIAL_LABEL, 2021, "x", None, 95, 1), "E", "Laat Uurtarief leeg"),
        ((MATERIAL_LABEL, 2021, "x", "tekst", None, 1), "D", "Laat Uren leeg"),
        ((PERSONNEL_LABEL, 2021, "x", "12,555", 95, None), "D", "bijvoorbeeld 12,5"),
        ((PERSONNEL_LABEL, 2021, "x", 12.555, 95, None), "D", "Uren hebben hoogstens twee cijfers"),
        ((PERSONNEL_LABEL, 2021, "x", -1, 95, None), "D", "niet negatief"),
        ((PERSONNEL_LABEL, 2021, "x", 10, -95, None), "E", "Het uurtarief mag niet negatief zijn."),
        ((PERSONNEL_LABEL, 2021, "x", 10, 95.001, None), "E", "twee cijfers"),
        ((PERSONNEL_LABEL, 2021, "x", 10, 95, 950.01), "F", "niet gelijk aan uren × uurtarief"),
        ((PERSONNEL_LABEL, 2021, "x", 10, 95, 950.006), "F", "twee cijfers"),
        ((PERSONNEL_LABEL, 2021, "x", 10, 95, -950), "F", "niet negatief"),
        ((PERSONNEL_LABEL, 2021, "x", 1_000_001, 1, None), "D", "hoogstens 1.000.000."),
        (("Reis", 2021, "x", None, None, "abc"), "F", "1.234,56"),
    ],
)
def test_one_cell_problem(row: tuple, column: str, fragment: str) -> None:
    lines, problems = parse(workbook([row]))
    assert lines == []
    assert (problems[-1].row, problems[-1].column) == (2, column)
    assert fragment in problems[-1].message


def test_more_than_the_maximum_number_of_lines() -> None:
    rows = [(MATERIAL_LABEL, 2021, f"Regel {n}", None, None, 1) for n in range(MAX_LINES + 5)]
    lines, problems = parse(workbook(rows))
    assert lines == []
    assert where(problems) == [(MAX_LINES + 2, None)]
    assert "hoogstens 500 regels" in problems[0].message


def test_exactly_the_maximum_number_of_lines() -> None:
    rows = [(MATERIAL_LABEL, 2021, f"Regel {n}", None, None, 1) for n in range(MAX_LINES)]
    lines, problems = parse(workbook(rows))
    assert problems == []
    assert len(lines) == MAX_LINES


def test_changed_header_names_what_is_expected() -> None:
    headers = ["Soort", "Jaar", "Toelichting", "Uren", "Uurtarief (€)", None]
    lines, problems = parse(workbook([(MATERIAL_LABEL, 2021, "x", None, None, 1)], headers=headers))
    assert lines == []
    assert where(problems) == [(1, "C"), (1, "F")]
    assert "'Omschrijving'" in problems[0].message
    assert "'Toelichting'" in problems[0].message
    assert "'Bedrag (€)'" in problems[1].message
    assert "de cel is leeg" in problems[1].message


def test_header_differing_only_in_case_and_spaces_is_accepted() -> None:
    headers = [" soort", "JAAR", "Omschrijving ", "uren", "Uurtarief  (€)", "bedrag (€)"]
    lines, _ = parse(workbook([(MATERIAL_LABEL, 2021, "x", None, None, 1)], headers=headers))
    assert len(lines) == 1


def test_inserted_column_is_reported_as_a_changed_header() -> None:
    headers = ["Soort", "Project", *HEADERS[1:]]
    _, problems = parse(workbook([], headers=headers))
    assert [p.column for p in problems] == list("BCDEF")


def test_missing_sheet_is_named() -> None:
    lines, problems = parse(workbook([(MATERIAL_LABEL, 2021, "x", None, None, 1)], sheet="Blad1"))
    assert lines == []
    assert "'Begroting'" in refusal(problems)


def test_sheet_name_in_other_case_is_accepted() -> None:
    lines, _ = parse(workbook([(MATERIAL_LABEL, 2021, "x", None, None, 1)], sheet="begroting"))
    assert len(lines) == 1


# --- files that are refused before openpyxl sees them ------------------------------------------


@pytest.fixture
def openpyxl_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl was asked to open a refused file")

    monkeypatch.setattr(budget_reader.openpyxl, "load_workbook", refuse)


def xlsm_by_vba_project() -> bytes:
    return rezip(build_template(YEARS), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def xlsm_by_content_type() -> bytes:
    def macro_enabled(xml: str) -> str:
        return xml.replace(
            "spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml"
        ).replace("<Types", '<Types data-x=""', 1)

    data = rezip(build_template(YEARS), edit=("[Content_Types].xml", macro_enabled))
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    return data


def zip_with(members: dict[str, bytes | int]) -> bytes:
    """A zip built in memory; an int member is that many zero bytes, written in chunks."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, int):
                with archive.open(name, "w") as member:
                    for _ in range(content // 2**20):
                        member.write(bytes(2**20))
            else:
                archive.writestr(name, content)
    return output.getvalue()


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_macro_workbook_refused_by_vba_project() -> None:
    data = xlsm_by_vba_project()
    assert "macro's" in refusal(parse(data)[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_macro_workbook_refused_by_content_type() -> None:
    assert "macro's" in refusal(parse(xlsm_by_content_type())[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
@pytest.mark.parametrize("filename", ["begroting.xlsm", "BEGROTING.XLSM", "sjabloon.xltm"])
def test_macro_workbook_refused_by_name(filename: str) -> None:
    assert "macro's" in refusal(parse(build_template(YEARS), filename)[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_zip_bomb_refused_by_total_size() -> None:
    data = zip_with({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": 50 * 2**20})
    assert len(data) < 1_000_000  # deflate keeps 50 MB of zeros tiny
    assert "te groot" in refusal(parse(data)[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_zip_bomb_refused_by_compression_ratio() -> None:
    data = zip_with({"xl/sharedStrings.xml": 2 * 2**20})  # 2 MB of zeros: ratio ~1000
    assert "te groot" in refusal(parse(data)[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_zip_with_too_many_members_refused() -> None:
    data = zip_with({f"xl/media/image{n}.png": b"png" for n in range(1001)})
    assert "1000 onderdelen" in refusal(parse(data)[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_file_over_5_mb_refused() -> None:
    assert "groter dan 5 MB" in refusal(parse(os.urandom(5 * 2**20 + 1))[1])


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_random_bytes_refused() -> None:
    assert refusal(parse(os.urandom(4096))[1]) == "Dit is geen Excel-bestand (.xlsx)."


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_renamed_pdf_refused() -> None:
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    assert refusal(parse(pdf, "begroting.xlsx")[1]) == "Dit is geen Excel-bestand (.xlsx)."


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_empty_file_refused() -> None:
    assert refusal(parse(b"")[1]) == "Dit is geen Excel-bestand (.xlsx)."


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_old_xls_refused_with_advice() -> None:
    message = refusal(parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))[1])
    assert message.startswith("Dit is geen Excel-bestand (.xlsx).")
    assert ".xls" in message


@pytest.mark.usefixtures("openpyxl_must_not_open")
def test_opendocument_refused_with_advice() -> None:
    data = zip_with({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert ".ods" in refusal(parse(data)[1])


def test_zip_that_is_not_a_workbook_gets_a_dutch_message() -> None:
    data = zip_with({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"})
    message = refusal(parse(data, "brief.docx")[1])
    assert message.startswith("Dit bestand kon niet als Excel-werkmap worden gelezen.")


def test_damaged_workbook_gets_a_dutch_message() -> None:
    data = rezip(build_template(YEARS), edit=("xl/worksheets/sheet1.xml", lambda xml: xml[:200]))
    message = refusal(parse(data)[1])
    assert message.startswith("Dit bestand kon niet als Excel-werkmap worden gelezen.")


DRAFT = build_template(YEARS, lines=[personnel(), material()])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_damaged_bytes_never_raise(data: st.DataObject) -> None:
    content = bytearray(DRAFT)
    for _ in range(data.draw(st.integers(1, 8))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    lines, problems = parse(bytes(content))
    assert (lines == []) != (problems == [])
    assert all("Traceback" not in p.message and "Error" not in p.message for p in problems)


# --- WorkbookProblem --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            WorkbookProblem("Begroting", 7, "C", "Vul een omschrijving in."),
            "Blad Begroting, rij 7, kolom C: Vul een omschrijving in.",
        ),
        (WorkbookProblem("Begroting", 7, None, "Te veel."), "Blad Begroting, rij 7: Te veel."),
        (WorkbookProblem("Begroting", None, None, "Leeg."), "Blad Begroting: Leeg."),
        (
            WorkbookProblem("", None, None, "Dit is geen Excel-bestand (.xlsx)."),
            "Dit is geen Excel-bestand (.xlsx).",
        ),
    ],
)
def test_problem_as_text(problem: WorkbookProblem, text: str) -> None:
    assert str(problem) == text


# --- the rules shared with the web form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "rate", "cents"),
    [(1250, 9533, 119_163), (100, 100, 100), (50, 1, 1), (49, 1, 0), (150, 1, 2), (0, 9999, 0)],
)
def test_personnel_amount_rounds_half_up(hours: int, rate: int, cents: int) -> None:
    assert personnel_amount_cents(hours, rate) == cents


def test_valid_lines_have_no_problems() -> None:
    assert line_problems(personnel(), ALLOWED) == []
    assert line_problems(material(), ALLOWED) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            material(kind="travel"),
            "Kies een soort: Personeel (uren × uurtarief), Vacatiegelden, Materiële kosten, Overige kosten.",
        ),
        (material(year=2019), "Jaar 2019 valt buiten de looptijd van het project (2021–2022)."),
        (material(description="  "), "Vul een omschrijving in."),
        (
            material(description="x" * 501),
            "Een omschrijving is hoogstens 500 tekens (deze heeft er 501).",
        ),
        (
            material(description="Voorbeeld: echt"),
            "Een omschrijving mag niet met 'Voorbeeld:' beginnen: zo herkent het sjabloon de voorbeeldregel.",
        ),
        (material(amount=-1), "Het bedrag mag niet negatief zijn."),
        (material(hours_hundredths=100), "Laat Uren leeg: uren horen alleen bij personeel."),
        (
            material(hourly_rate_cents=100),
            "Laat Uurtarief leeg: een uurtarief hoort alleen bij personeel.",
        ),
        (personnel(hours_hundredths=None), "Vul bij personeel het aantal uren in."),
        (personnel(hourly_rate_cents=None), "Vul bij personeel het uurtarief in."),
        (
            personnel(amount_cents=119_162),
            "Het bedrag (€ 1.191,62) is niet gelijk aan uren × uurtarief (€ 1.191,63).",
        ),
        (personnel(hours_hundredths=-1, amount_cents=0), "Het aantal uren mag niet negatief zijn."),
    ],
)
def test_line_problem(line: BudgetLineInput, message: str) -> None:
    assert line_problems(line, ALLOWED) == [message]


def test_year_problem_lists_years_that_are_not_a_range() -> None:
    assert line_problems(material(year=2022), {2021, 2023}) == [
        "Jaar 2022 valt buiten de looptijd van het project (2021, 2023)."
    ]
    assert line_problems(material(year=2022), {2021}) == [
        "Jaar 2022 valt buiten de looptijd van het project (2021)."
    ]


def test_year_problem_without_a_planning() -> None:
    assert "nog geen looptijd" in line_problems(material(), set())[0]


def test_the_forms_problems_land_on_their_own_column() -> None:
    """Negative hours are told on Uren, a rate where none belongs on Uurtarief; never all on
    Omschrijving. (A personnel line's amount is hours × rate, computed: never wrong.)"""
    from litestar.datastructures import FormMultiDict

    from proposals.forms import parse_budget

    rows = [
        ("personnel", "2021", "Projectleider", "-10", "95,00", ""),
        ("material", "2021", "Drukwerk", "", "12,00", "500,00"),
    ]
    form = FormMultiDict(
        [("requested_amount", "1.000,00")]
        + [
            (column, value)
            for row in rows
            for column, value in zip(
                ("kind", "year", "description", "hours", "rate", "amount"), row, strict=True
            )
        ]
    )
    errors = parse_budget(form, {2021}).errors
    assert set(errors) >= {"line1_hours", "line2_rate"}
    assert not any(key.endswith("_description") for key in errors), errors
    assert "uurtarief hoort alleen bij personeel" in errors["line2_rate"]
