"""The deadlines page's groups come from the database (`ledger.projects.report_groups`, plain
SQL): the same groups, counts, order and pages as reading every report and grouping them in
Python with `deadlines.status_of`, as the page did before. Both databases."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from ledger.books.deadlines import DUE_SOON_DAYS, STATUSES, status_of
from ledger.books.tables import Project, Report
from ledger.projects import report_groups
from ledger.projects.report_groups import scope_sql
from ledger.projects.reports import ReportScope
from portal.accounts.tables import Region
from portal.lib.together import together
from tests import factories
from tests.ledger.conftest import Year

TODAY = dt.date(2026, 12, 4)
SOON = TODAY + dt.timedelta(days=DUE_SOON_DAYS)


async def _reports(year: Year) -> dict[str, int]:
    """Reports on every boundary of `status_of`, in regions named so that case and a missing
    region matter to the order; the names of the projects' regions by project title."""
    other_network = await factories.network(slug="elders")
    utrecht = await factories.region(year.network, "utrecht")
    amsterdam = await factories.region(year.network, "Amsterdam")
    elsewhere = await factories.region(other_network, "Aaa van elders")
    account = year.accounts["process_a"]
    projects = {}
    for title, region, recipient in [
        ("in Utrecht", utrecht, ""),
        ("in Amsterdam", amsterdam, ""),
        ("bij een organisatie", None, "Bureau Zorg"),
        ("zonder ontvanger", None, ""),
        ("regio van een ander netwerk", elsewhere, "Zeeland"),
    ]:
        projects[title] = (
            await Project.insert(
                Project(
                    budget_year=year.budget_year,
                    account=account,
                    network=year.network,
                    title=title,
                    region_id=region,
                    recipient=recipient,
                )
            )
        )[0]["id"]
    dues = [
        TODAY - dt.timedelta(days=400),
        TODAY - dt.timedelta(days=1),
        TODAY,
        TODAY + dt.timedelta(days=1),
        SOON - dt.timedelta(days=1),
        SOON,
        SOON + dt.timedelta(days=1),
        TODAY + dt.timedelta(days=900),
    ]
    states = ["due", "returned", "submitted", "accepted"]
    rows = [
        Report(project=project, year=due.year, due_date=due, state=state, final=i % 3 == 0)
        for i, (project, due, state) in enumerate(
            itertools.product(projects.values(), dues, states)
        )
    ]
    await Report.insert(*rows)
    return projects


async def _in_python(network_id: int, scope: ReportScope | None) -> dict[str, list[dict]]:
    """The page's grouping as it was: every report of the network, grouped in Python."""
    regions = {
        r["id"]: r["name"]
        for r in await Region.select(Region.id, Region.name).where(Region.network == network_id)
    }
    rows = await Report.select(
        Report.id,
        Report.year,
        Report.final,
        Report.due_date,
        Report.state,
        Report.project,
        Report.project.title.as_alias("title"),
        Report.project.region_id.as_alias("region_id"),
        Report.project.recipient.as_alias("recipient"),
    ).where(Report.project.network == network_id)
    grouped: dict[str, list[dict]] = {key: [] for key in STATUSES}
    for r in rows:
        if scope is not None and not scope.covers(r):
            continue
        status = status_of(
            r["due_date"], TODAY, r["state"] == "submitted", r["state"] == "accepted"
        )
        name = regions.get(r["region_id"], r["recipient"] or "—")
        grouped[status].append(
            {
                "id": r["id"],
                "year": r["year"],
                "final": r["final"],
                "due_date": r["due_date"],
                "state": r["state"],
                "title": r["title"],
                "region_name": name,
                "status": status,
            }
        )
    for members in grouped.values():
        members.sort(key=lambda r: (r["region_name"].lower(), r["due_date"], r["id"]))
    return grouped


async def _from_database(
    network_id: int, scope: ReportScope | None, pages: dict[str, int], per_page: int
) -> tuple[dict[str, int], dict[str, list[dict]]]:
    read = await together(
        counts=report_groups.group_counts_query(network_id, scope, TODAY),
        rows=report_groups.group_pages_query(network_id, scope, TODAY, pages, per_page),
    )
    shown: dict[str, list[dict]] = {key: [] for key in STATUSES}
    for row in read["rows"]:
        shown[row["status"]].append(report_groups.shown_row(row))
    return {r["status"]: int(r["total"]) for r in read["counts"]}, shown


@pytest.mark.parametrize("per_page", [3, 7, 100])
async def test_groups_counts_and_pages_are_python_s(year: Year, per_page: int) -> None:
    await _reports(year)
    expected = await _in_python(year.network, None)
    # Every report lands in the group `status_of` gives it, on each side of each boundary.
    assert all(expected[key] for key in STATUSES)
    for page in (1, 2, 3, 9):
        totals, shown = await _from_database(
            year.network, None, {key: page for key in STATUSES}, per_page
        )
        assert totals == {key: len(rows) for key, rows in expected.items() if rows}
        for key in STATUSES:
            start = (page - 1) * per_page
            assert shown[key] == expected[key][start : start + per_page], (key, page)


async def test_a_group_left_out_shows_nothing_and_pages_differ_per_group(year: Year) -> None:
    await _reports(year)
    expected = await _in_python(year.network, None)
    _, shown = await _from_database(year.network, None, {"accepted": 2, "overdue": 1}, 4)
    assert shown["accepted"] == expected["accepted"][4:8]
    assert shown["overdue"] == expected["overdue"][:4]
    assert shown["due_soon"] == shown["received"] == shown["later"] == []


async def test_a_scoped_reader_counts_and_sees_only_their_reports(year: Year) -> None:
    projects = await _reports(year)
    utrecht = (await Region.select(Region.id).where(Region.name == "utrecht").first())["id"]
    for scope in [
        ReportScope(region_ids=frozenset({utrecht})),
        ReportScope(project_ids=frozenset({projects["bij een organisatie"]})),
        ReportScope(frozenset({utrecht}), frozenset({projects["zonder ontvanger"]})),
        ReportScope(),  # neither a region nor a project: nothing
    ]:
        expected = await _in_python(year.network, scope)
        totals, shown = await _from_database(year.network, scope, dict.fromkeys(STATUSES, 1), 50)
        assert totals == {key: len(rows) for key, rows in expected.items() if rows}
        assert shown == expected


async def test_another_network_s_reports_are_not_counted(year: Year) -> None:
    await _reports(year)
    totals, shown = await _from_database(year.network + 1000, None, dict.fromkeys(STATUSES, 1), 9)
    assert totals == {} and all(rows == [] for rows in shown.values())


def test_an_empty_scope_reads_nothing_rather_than_everything() -> None:
    where, args = scope_sql(ReportScope())
    assert "IN ({})" in where and args == (0, 0)
    assert scope_sql(None) == ("", ())
