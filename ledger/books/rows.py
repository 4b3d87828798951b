"""The rows of the books: accounts, entries, projects and reports.

Piccolo's selects return plain dicts; these say which keys a row of the domain's central
queries has, so that the type checker catches a misspelt key or a missing column.
`tests/test_rows.py` keeps each type equal to its table's columns. (No `from __future__
import annotations` here: Python 3.11 reads NotRequired only from evaluated annotations.)
"""

import datetime as dt
from typing import Any, NotRequired, TypedDict


class AccountRow(TypedDict):
    """A line of a budget year (an account)."""

    id: int
    budget_year: int
    kind: str
    code: str
    name: str
    theme_id: int | None
    position: int
    # joined by some queries
    network: NotRequired[int]
    year: NotRequired[int]


class EntryRow(TypedDict):
    """One booking on one account."""

    id: int
    budget_year: int
    kind: str
    account: int
    counter_account: int | None
    project: int | None
    amount_cents: int
    sign: int
    reverses: int | None
    reason: str
    document_reference: str
    booked_on: dt.date
    period_year: int | None
    created_by: int | None
    created_at: dt.datetime
    # joined by some queries
    account_name: NotRequired[str]
    counter_account_name: NotRequired[str | None]
    project_title: NotRequired[str | None]
    created_by_name: NotRequired[str | None]
    network: NotRequired[int]


class ProjectRow(TypedDict):
    """A granted proposal or a direct allocation, as the books see it."""

    id: int
    budget_year: int
    account: int
    proposal_id: int | None
    network: int
    title: str
    region_id: int | None
    recipient: str
    recipient_organisation: int | None
    recipient_kvk: str
    decided_by: str
    fee_rate_cents: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    advance_bp: int
    decision_reference: str
    decision_date: dt.date | None
    final_amount_cents: int | None
    settled_on: dt.date | None
    grant_of: int | None
    created_at: dt.datetime
    anonymised_at: dt.datetime | None
    # joined by some queries
    account_name: NotRequired[str]
    account_code: NotRequired[str]
    year: NotRequired[int]


class ReportRow(TypedDict):
    """An accountability report of a project."""

    id: int
    project: int
    year: int
    due_date: dt.date
    final: bool
    state: str
    results: Any
    realised_lines: Any
    realised_cents: int
    lessons_worked: str
    lessons_not_worked: str
    lessons_for_others: str
    preconditions_met: bool
    submitted_by: int | None
    submitted_at: dt.datetime | None
    reviewed_by: int | None
    reviewed_at: dt.datetime | None
    return_reason: str
    draft: Any  # {field name: text as typed}
    # joined by some queries
    title: NotRequired[str]
    network: NotRequired[int]
    region_id: NotRequired[int | None]
    proposal_id: NotRequired[int | None]
    grant_of: NotRequired[int | None]
    recipient: NotRequired[str]
    budget_year: NotRequired[int]
