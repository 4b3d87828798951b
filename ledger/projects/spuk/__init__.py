"""The SPUK workbook (DESIGN §2.6): one Excel file per network and budget year that an auditor
can follow from the summary down to every entry, with the SiSa figures and the checks.

`gather` reads everything the workbook shows into plain dataclasses (money in integer cents);
`build_workbook` is pure and turns them into .xlsx bytes. The parts:

- gather.py: the dataclasses (`SpukData` and its lines) and the database reads;
- derive.py: what follows without the database (the SiSa wording of a year, account codes of
  other years, the SiSa explanation of a deviation, the budget as Bijlage 4, the file name);
- sheets.py: `build_workbook` and the sheets Samenvatting, Projecten, Mutaties, SiSa and
  Begroting; checks.py: the Controles; book.py: what they share (the book, formats, rows);
- the cells are streamed by portal/lib/xlsx_stream.py: openpyxl makes the workbook (sheets, styles,
  tables, print setup), the cells are written as XML to temporary files and put into its sheets
  on saving, so a year with 50.000 entries takes about a second or two and little memory.

Numbers are never pasted totals: every total is a formula over the rows.
"""

from ledger.projects.spuk.book import PERCENT, SPUK_CELL
from ledger.projects.spuk.checks import CHECK_COLUMNS, FIGURES
from ledger.projects.spuk.data import (
    SISA_WORDING,
    AccountLine,
    BudgetLine,
    EntryLine,
    GrantLine,
    ProjectLine,
    SisaWording,
    SpukData,
    SpukYearMissing,
)
from ledger.projects.spuk.derive import (
    account_key,
    budget_lines,
    deviation_text,
    file_name,
    sisa_wording,
)
from ledger.projects.spuk.reads import gather
from ledger.projects.spuk.sheets import (
    BUDGET_COLUMNS,
    CATEGORY_COLUMNS,
    ENTRY_COLUMNS,
    MEDIA_TYPE,
    PROJECT_COLUMNS,
    SUMMARY_COLUMNS,
    _sisa_columns,
    build_workbook,
)
from portal.lib.xlsx_stream import DATE, DATETIME, EURO, Column

# The writer of the sheets' cells, by the names it had when it lived here
# (tests/portal/test_xlsx_exports.py test_spuk_marks_text_by_the_same_rule uses them).
from portal.lib.xlsx_stream import Cell as _Cell
from portal.lib.xlsx_stream import Styles as _Styles
from portal.lib.xlsx_stream import Writer as _Writer

__all__ = [
    "BUDGET_COLUMNS",
    "CATEGORY_COLUMNS",
    "CHECK_COLUMNS",
    "DATE",
    "DATETIME",
    "ENTRY_COLUMNS",
    "EURO",
    "FIGURES",
    "MEDIA_TYPE",
    "PERCENT",
    "PROJECT_COLUMNS",
    "SISA_WORDING",
    "SPUK_CELL",
    "SUMMARY_COLUMNS",
    "AccountLine",
    "BudgetLine",
    "Column",
    "EntryLine",
    "GrantLine",
    "ProjectLine",
    "SisaWording",
    "SpukData",
    "SpukYearMissing",
    "_Cell",
    "_Styles",
    "_Writer",
    "_sisa_columns",
    "account_key",
    "budget_lines",
    "build_workbook",
    "deviation_text",
    "file_name",
    "gather",
    "sisa_wording",
]
