"""The deadlines page's groups of reports, counted and paged in the database.

The page shows a network's reports in five groups (`deadlines.STATUSES`: overdue, due soon,
received, accepted, later), each by region and due date and paged on its own. Read in Python,
that meant the keys of every report of the network (800 at full size) to show 25 of each group
(issue 19). Here the database gives each report its group by the rule of `deadlines.status_of`,
counts the groups, and returns only the rows of each group's page.
`tests/ledger/test_report_groups.py` holds both queries to `status_of` and to the same grouping
done in Python, on both databases.
"""

from __future__ import annotations

import datetime as dt

from ledger.books.deadlines import DUE_SOON_DAYS
from ledger.books.tables import Report, ReportState
from ledger.projects.reports import ReportScope
from portal.lib.db import is_sqlite
from portal.lib.together import Raw

# `deadlines.status_of` in SQL; its four arguments are those of `_status_args`. Dates compare
# as dates on PostgreSQL and as ISO text on SQLite, which orders the same.
_STATUS = """CASE WHEN r.state = {} THEN 'accepted'
             WHEN r.state = {} THEN 'received'
             WHEN r.due_date <= {} THEN 'overdue'
             WHEN r.due_date <= {} THEN 'due_soon'
             ELSE 'later' END"""

# What a row shows as its region: the project's region of this network, else its recipient.
_REGION_NAME = "COALESCE(g.name, NULLIF(p.recipient, ''), '—')"

_REPORTS = """
FROM ledger_report r
JOIN ledger_project p ON p.id = r.project"""


def scope_sql(scope: ReportScope | None) -> tuple[str, tuple[int, ...]]:
    """The condition that keeps the reports `scope` reads (None: all), with its arguments; an
    empty scope reads nothing rather than everything."""
    if scope is None:
        return "", ()
    regions = tuple(sorted(scope.region_ids)) or (0,)
    projects = tuple(sorted(scope.project_ids)) or (0,)
    marks = ", ".join("{}" for _ in regions), ", ".join("{}" for _ in projects)
    return (
        f" AND (p.region_id IN ({marks[0]}) OR r.project IN ({marks[1]}))",
        (*regions, *projects),
    )


def _status_args(today: dt.date) -> tuple[object, ...]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    if is_sqlite(Report._meta.db):
        return (
            ReportState.accepted.value,
            ReportState.submitted.value,
            today.isoformat(),
            soon.isoformat(),
        )
    return ReportState.accepted.value, ReportState.submitted.value, today, soon


def group_counts_query(network_id: int, scope: ReportScope | None, today: dt.date) -> Raw:
    """How many reports each group holds (a group without any has no row)."""
    where, scope_args = scope_sql(scope)
    sql = (
        f"SELECT s.status AS status, COUNT(*) AS total FROM (SELECT {_STATUS} AS status "  # noqa: S608
        f"{_REPORTS} WHERE p.network = {{}}{where}) s GROUP BY s.status"
    )
    return Raw(
        sql,
        (*_status_args(today), network_id, *scope_args),
        ("status", "total"),
        Report._meta.db,
    )


def group_pages_query(
    network_id: int, scope: ReportScope | None, today: dt.date, pages: dict[str, int], per_page: int
) -> Raw:
    """The rows of page `pages[group]` (from 1) of each group, by region (case left aside),
    due date and id; a group absent from `pages` shows nothing."""
    where, scope_args = scope_sql(scope)
    # Region names compared by code point on both databases, as Python's sort would:
    # PostgreSQL's own collation may follow a language's rules instead.
    collate = "" if is_sqlite(Report._meta.db) else ' COLLATE "C"'
    wanted = " ".join("WHEN {} THEN {}" for _ in pages)
    # The window reads a few short columns of every report; only the shown rows are read whole.
    sql = f"""
SELECT r.id AS id, r.year AS year, r.final AS final, r.due_date AS due_date, r.state AS state,
       p.title AS title, n.region_name AS region_name, n.status AS status
FROM (
  SELECT s.id AS id, s.status AS status, s.region_name AS region_name, ROW_NUMBER() OVER (
           PARTITION BY s.status ORDER BY lower(s.region_name){collate}, s.due_date, s.id
         ) AS place
  FROM (
    SELECT r.id AS id, r.due_date AS due_date, {_REGION_NAME} AS region_name,
           {_STATUS} AS status
    {_REPORTS}
    LEFT JOIN region g ON g.id = p.region_id AND g.network = p.network
    WHERE p.network = {{}}{where}
  ) s
) n
JOIN ledger_report r ON r.id = n.id
JOIN ledger_project p ON p.id = r.project
WHERE (n.place - 1) / {{}} = CASE n.status {wanted or "WHEN NULL THEN NULL"} ELSE -1 END
ORDER BY n.status, n.place"""  # noqa: S608
    page_args = [value for group, page in pages.items() for value in (group, page - 1)]
    return Raw(
        sql,
        (*_status_args(today), network_id, *scope_args, per_page, *page_args),
        ("id", "year", "final", "due_date", "state", "title", "region_name", "status"),
        Report._meta.db,
    )


def shown_row(row: dict) -> dict:
    """A row of `group_pages_query` with the types the page expects (JSON gives text and
    numbers)."""
    return {**row, "due_date": dt.date.fromisoformat(row["due_date"]), "final": bool(row["final"])}
