"""What comes back: the JSON shapes of the API (msgspec structs) and how figures fill them."""

from __future__ import annotations

import datetime as dt

import msgspec

from ledger.books.rules import AccountFigures
from portal.api.common import MAX_PER_PAGE
from portal.lib import clock

# --- what comes back --------------------------------------------------------------------------


class ApiError(msgspec.Struct):
    status_code: int
    detail: str


class RegionOut(msgspec.Struct):
    id: int
    name: str


class NetworkOut(msgspec.Struct):
    slug: str
    name: str
    coordinating_municipality: str
    years: list[int]
    regions: list[RegionOut]


class LineOut(msgspec.Struct):
    """A line of the budget: a process-cost line, a theme, a reserve or learning."""

    code: str
    kind: str
    name: str
    theme_id: int | None
    budget_cents: int
    committed_cents: int
    paid_cents: int
    realised_cents: int
    released_cents: int
    available_cents: int
    floor_cents: int | None


class CategoryOut(msgspec.Struct):
    """A category of the SPUK budget with the sums of its lines."""

    key: str
    name: str
    budget_cents: int
    committed_cents: int
    paid_cents: int
    realised_cents: int
    released_cents: int
    available_cents: int
    floor_cents: int | None
    lines: list[LineOut]


class YearOut(msgspec.Struct):
    network: str
    year: int
    spuk_cents: int
    grant_reference: str
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    divided: bool
    categories: list[CategoryOut]


class ProposalOut(msgspec.Struct):
    id: int
    title: str
    state: str
    state_label: str
    version: int
    year: int
    round: str
    theme_id: int | None
    theme: str | None
    region_id: int | None
    region: str | None
    lead_organisation: str | None
    submitted_at: dt.datetime | None
    requested_cents: int | None
    granted_cents: int | None
    decision: str | None
    decision_date: dt.date | None
    decision_reference: str | None
    project_id: int | None


class ProposalPage(msgspec.Struct):
    items: list[ProposalOut]
    page: int
    per_page: int
    total: int
    pages: int


class LedgerEntryOut(msgspec.Struct):
    id: int
    year: int
    booked_on: dt.date
    kind: str
    kind_label: str
    account_code: str
    account: str
    counter_account_code: str | None
    counter_account: str | None
    project_id: int | None
    project: str | None
    amount_cents: int
    reverses: int | None
    reason: str
    document_reference: str
    created_by: str | None
    created_at: dt.datetime


class LedgerEntryPage(msgspec.Struct):
    items: list[LedgerEntryOut]
    page: int
    per_page: int
    total: int
    pages: int


class ReportOut(msgspec.Struct):
    id: int
    project_id: int
    project: str
    region: str | None
    budget_year: int
    year: int
    final: bool
    due_date: dt.date
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    realised_cents: int | None


class ReportList(msgspec.Struct):
    counts: dict[str, int]
    items: list[ReportOut]


class CriterionOut(msgspec.Struct):
    code: str
    name: str
    scale: str  # "score" (1 to 5) or "pass_fail" (voldoet / voldoet niet)
    weight: int
    excluding: bool


class CriterionStatsOut(msgspec.Struct):
    code: str
    count: int
    # Decimals as text ("3.50"): exact, as the portal shows them, never a float.
    mean: str | None
    median: str | None
    minimum: int | None
    maximum: int | None
    spread: int | None


class ProposalScoresOut(msgspec.Struct):
    id: int
    title: str
    state: str
    reviews_submitted: int
    criteria: list[CriterionStatsOut]
    overall_mean: str | None
    # pass/fail criteria -> how many reviewers said "voldoet niet"
    failing: dict[str, int]
    excluded_by: list[str]
    recommendations: dict[str, int]


class RoundScoresOut(msgspec.Struct):
    round_id: int
    round: str
    criteria: list[CriterionOut]
    proposals: list[ProposalScoresOut]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else clock.as_utc(value)


def _figures(f: AccountFigures) -> dict[str, int]:
    return {
        "budget_cents": f.budget,
        "committed_cents": f.committed,
        "paid_cents": f.paid,
        "realised_cents": f.realised,
        "released_cents": f.released,
        "available_cents": f.available,
    }


def _paging(page: int, per_page: int) -> tuple[int, int]:
    # The declarations already refuse what is out of range (400); only per_page is capped.
    return page, min(per_page, MAX_PER_PAGE)
