"""The row types say what the central queries return (portal's typed rows, issue 14).

Without a database: each type's required keys are exactly its table's columns, so a column
added to a table without its row type (or the other way round) fails here. With one, in
`tests/ledger/test_rows.py` and `tests/review/test_rows.py`: what each query returns has every
required key and no key the type does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from piccolo.table import Table

from ledger.books.rows import AccountRow, EntryRow, ProjectRow, ReportRow
from ledger.books.tables import Account, Entry, Project, Report
from proposals.rows import ProposalRow
from proposals.tables import Proposal
from review.rows import ReviewRow
from review.tables import Review

PAIRS: list[tuple[Any, type[Table]]] = [
    (ProposalRow, Proposal),
    (ReviewRow, Review),
    (AccountRow, Account),
    (EntryRow, Entry),
    (ProjectRow, Project),
    (ReportRow, Report),
]


def fits(row: Mapping[str, Any], row_type: Any) -> None:
    """The row has every key its type requires and none it does not declare."""
    assert row is not None
    declared = set(row_type.__annotations__)
    assert set(row) <= declared, f"{row_type.__name__} lacks {sorted(set(row) - declared)}"
    missing = row_type.__required_keys__ - set(row)
    assert not missing, f"{row_type.__name__}: the query gave no {sorted(missing)}"


@pytest.mark.parametrize(("row_type", "table"), PAIRS, ids=[t.__name__ for _, t in PAIRS])
def test_a_row_type_requires_exactly_its_tables_columns(row_type: Any, table: type[Table]) -> None:
    columns = {c._meta.name for c in table._meta.columns}
    assert set(row_type.__required_keys__) == columns


def test_a_misspelt_or_missing_key_is_caught() -> None:
    row = {c._meta.name: None for c in Project._meta.columns}
    fits(row, ProjectRow)
    with pytest.raises(AssertionError, match="lacks"):
        fits({**row, "titel": "x"}, ProjectRow)
    with pytest.raises(AssertionError, match="gave no"):
        fits({k: v for k, v in row.items() if k != "title"}, ProjectRow)
