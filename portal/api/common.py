"""What the API's modules share: who may call it, the limits of its pages."""

from __future__ import annotations

from ledger.books.deadlines import STATUS_LABELS
from portal.accounts.guards import allow
from portal.accounts.tables import Role

COORDINATOR = allow(Role.coordinator)
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
# Every integer parameter is bounded in its declaration, so Litestar answers 400 before a query
# runs: ids are PostgreSQL `integer` (int4) columns, which refuse anything beyond 2^31 - 1 with
# an error (SQLite beyond 2^63 - 1), and a year is one that a date can hold.
MAX_ID = 2_147_483_647
MIN_YEAR, MAX_YEAR = 1, 9999
API_VERSION = "1.0.0"
REPORT_STATUS_LABELS = {
    "due": "Nog in te dienen",
    "overdue": STATUS_LABELS["overdue"],
    "received": STATUS_LABELS["received"],
    "accepted": STATUS_LABELS["accepted"],
}
