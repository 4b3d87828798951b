"""The SPUK workbook's data: what it shows, as plain frozen dataclasses (money in integer
cents), and `gather`, which reads it from the database for one network's budget year. Nothing
here writes a cell; the sheets (ledger/projects/spuk/sheets.py) take a `SpukData` and nothing
else."""

from __future__ import annotations

from collections import defaultdict

from ledger.books import queries
from ledger.books.rows import AccountRow
from ledger.books.rules import AccountFigures, ProjectFigures, floors, line_number
from ledger.books.tables import BudgetYear, Entry, Project, Report
from ledger.projects.spuk.data import (
    AccountLine,
    EntryLine,
    GrantLine,
    ProjectLine,
    SpukData,
    SpukYearMissing,
)
from ledger.projects.spuk.derive import account_key, deviation_text, with_year
from ledger.projects.spuk.wording import wording_for
from portal.accounts.tables import Network, Region


async def gather(network_id: int, year: int) -> SpukData:
    """Everything the workbook of this network's budget year `year` shows."""
    network = await Network.select().where(Network.id == network_id).first()
    budget_year = (
        await BudgetYear.select()
        .where((BudgetYear.network == network_id) & (BudgetYear.year == year))
        .first()
    )
    if network is None or budget_year is None:
        raise SpukYearMissing(f"Er is geen begrotingsjaar {year} in dit netwerk.")
    year_id = budget_year["id"]
    account_rows = await queries.accounts_of(year_id)
    figures, project_figures = await queries.year_figures(year_id)
    year_floors = floors(await queries.year_info(year_id), figures)
    accounts = tuple(_account_line(a, figures, year_floors) for a in account_rows)
    codes = {a["id"]: line_number(a["kind"], a["code"], a["position"]) for a in account_rows}
    kinds = {a["id"]: a["kind"] for a in account_rows}
    projects = await _projects(network_id, year_id, project_figures, codes, kinds)
    entries = await _entries(year_id, year)
    grants = await _grants(network_id, budget_year)
    return SpukData(
        network_name=network["name"],
        network_slug=network["slug"],
        municipality=network["coordinating_municipality"],
        year=year,
        spuk_cents=budget_year["spuk_amount_cents"],
        grant_reference=budget_year["grant_reference"],
        unforeseen_reserve_bp=budget_year["unforeseen_reserve_bp"],
        themes_reserve_bp=budget_year["themes_reserve_bp"],
        accounts=accounts,
        projects=projects,
        entries=entries,
        grants=grants,
        wording=await wording_for(year),
    )


def _account_line(
    account: AccountRow, figures: dict[int, AccountFigures], year_floors: dict[int, int]
) -> AccountLine:
    f = figures.get(account["id"], AccountFigures())
    return AccountLine(
        code=line_number(account["kind"], account["code"], account["position"]),
        name=account["name"],
        kind=account["kind"],
        budget=f.budget,
        committed=f.committed,
        paid=f.paid,
        realised=f.realised,
        released=f.released,
        recovered=f.recovered,
        reserve_released_out=f.reserve_released_out,
        floor=year_floors.get(account["id"]),
    )


async def _projects(
    network_id: int,
    year_id: int,
    figures: dict[int, ProjectFigures],
    codes: dict[int, str],
    kinds: dict[int, str],
) -> tuple[ProjectLine, ...]:
    from proposals.rules import FUNCTIONS
    from proposals.tables import Proposal

    rows = await queries.projects_of_year(year_id)
    regions = {
        r["id"]: r["name"]
        for r in await Region.select(Region.id, Region.name).where(Region.network == network_id)
    }
    functions: dict[int, list[str]] = {}
    # A grant is carried out by the proposal's lead organisation: the Uitvoerder of its line.
    lead: dict[int, str] = {}
    # A later year of a multi-year grant has the proposal of its grant year's project.
    firsts = [row["grant_of"] for row in rows if row["grant_of"] is not None]
    proposal_of: dict[int, int | None] = {row["id"]: row["proposal_id"] for row in rows}
    if firsts:
        grant_proposals = {
            p["id"]: p["proposal_id"]
            for p in await Project.select(Project.id, Project.proposal_id).where(
                Project.id.is_in(firsts)
            )
        }
        for later in rows:
            if later["grant_of"] is not None:
                proposal_of[later["id"]] = grant_proposals.get(later["grant_of"])
    if any(proposal_of.values()):
        for p in (
            await Proposal.select(
                Proposal.id,
                Proposal.functions,
                Proposal.lead_organisation.name.as_alias("lead_name"),
            )
            .where(Proposal.network == network_id)
            .output(load_json=True)
        ):
            functions[p["id"]] = p["functions"] or []
            lead[p["id"]] = p["lead_name"] or ""
    reports: dict[int, list[dict]] = defaultdict(list)
    for r in (
        await Report.select(
            Report.project, Report.year, Report.due_date, Report.state, Report.final
        )
        .where(Report.project.budget_year == year_id)
        .order_by(Report.year)
    ):
        reports[r["project"]].append(r)
    lines = []
    for row in rows:
        f = figures.get(row["id"], ProjectFigures())
        report = _current_report(reports.get(row["id"], []))
        lines.append(
            ProjectLine(
                id=row["id"],
                region=regions.get(row["region_id"] or 0, ""),
                recipient=row["recipient"]
                or lead.get(proposal_of[row["id"]] or 0, "")
                or regions.get(row["region_id"] or 0, ""),
                title=row["title"],
                account_code=codes.get(row["account"], ""),
                account_name=row["account_name"] or "",
                account_kind=kinds.get(row["account"], ""),
                functions=tuple(
                    FUNCTIONS[c]
                    for c in functions.get(proposal_of[row["id"]] or 0, [])
                    if c in FUNCTIONS
                ),
                decision_date=row["decision_date"],
                decision_reference=row["decision_reference"] or "",
                granted=f.committed + f.released,
                paid=f.paid,
                realised=f.realised,
                released=f.released,
                recovered=f.recovered,
                final_amount=row["final_amount_cents"],
                settled_on=row["settled_on"],
                report_year=report["year"] if report else None,
                report_due=report["due_date"] if report else None,
                report_state=report["state"] if report else "",
            )
        )
    return tuple(lines)


def _current_report(reports: list[dict]) -> dict | None:
    """The report that matters now: the first one not yet accepted, else the last one."""
    for report in reports:
        if report["state"] != "accepted":
            return report
    return reports[-1] if reports else None


async def _entries(year_id: int, year: int) -> list[EntryLine]:
    """The entries `year_figures` sums: booked in the year, or moving money into or out of one
    of its accounts (a carry-over from or to another year)."""
    rows = (
        await Entry.select(
            Entry.id,
            Entry.booked_on,
            Entry.period_year,
            Entry.kind,
            Entry.project,
            Entry.amount_cents,
            Entry.sign,
            Entry.reverses,
            Entry.reason,
            Entry.document_reference,
            Entry.created_at,
            Entry.account.code.as_alias("account_code"),
            Entry.account.kind.as_alias("account_kind"),
            Entry.account.position.as_alias("account_position"),
            Entry.account.name.as_alias("account_name"),
            Entry.account._.budget_year._.year.as_alias("account_year"),
            Entry.counter_account.code.as_alias("counter_code"),
            Entry.counter_account.kind.as_alias("counter_kind"),
            Entry.counter_account.position.as_alias("counter_position"),
            Entry.counter_account.name.as_alias("counter_name"),
            Entry.counter_account._.budget_year._.year.as_alias("counter_year"),
            Entry.project.title.as_alias("project_title"),
            Entry.created_by.name.as_alias("created_by_name"),
        )
        .where(
            (Entry.budget_year == year_id)
            | (Entry.account.budget_year == year_id)
            | (Entry.counter_account.budget_year == year_id)
        )
        .order_by(Entry.id)
    )
    return [
        EntryLine(
            id=r["id"],
            booked_on=r["booked_on"],
            period_year=r["period_year"] or r["booked_on"].year,
            kind=r["kind"],
            account_code=account_key(
                line_number(r["account_kind"], r["account_code"], r["account_position"]),
                r["account_year"],
                year,
            ),
            account_name=with_year(r["account_name"], r["account_year"], year),
            counter_code=account_key(
                r["counter_code"]
                and line_number(r["counter_kind"], r["counter_code"], r["counter_position"]),
                r["counter_year"],
                year,
            ),
            counter_name=with_year(r["counter_name"], r["counter_year"], year),
            project_id=r["project"],
            project_title=r["project_title"] or "",
            amount=r["sign"] * r["amount_cents"],
            reverses=r["reverses"],
            reason=r["reason"] or "",
            document_reference=r["document_reference"] or "",
            created_by=r["created_by_name"] or "",
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def _grants(network_id: int, this_year: dict) -> tuple[GrantLine, ...]:
    """One line per state grant decision with spending in year T, and always the decision of
    this budget year. Budget years that share a decision reference form one multi-year grant."""
    year = this_year["year"]
    years = await (
        BudgetYear.select()
        .where((BudgetYear.network == network_id) & (BudgetYear.year <= year))
        .order_by(BudgetYear.year)
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for y in years:
        groups[_grant_key(y)].append(y)
    ids = [y["id"] for y in years]
    realised = await Entry.select(
        Entry.budget_year, Entry.booked_on, Entry.period_year, Entry.sign, Entry.amount_cents
    ).where((Entry.kind == "realised") & Entry.budget_year.is_in(ids))
    projects = await Project.select(
        Project.budget_year, Project.end_date, Project.settled_on
    ).where(Project.budget_year.is_in(ids))
    this_key = _grant_key(this_year)
    lines = []
    for key, members in groups.items():
        member_ids = {m["id"] for m in members}
        in_year = cumulative = 0
        for r in realised:
            # The year the spending belongs to, not the day its report was accepted.
            spent_in = r["period_year"] or r["booked_on"].year
            if r["budget_year"] in member_ids and spent_in <= year:
                cumulative += r["sign"] * r["amount_cents"]
                if spent_in == year:
                    in_year += r["sign"] * r["amount_cents"]
        if key != this_key and not in_year:
            continue
        year_of = {m["id"]: m["year"] for m in members}
        own_projects = [p for p in projects if p["budget_year"] in member_ids]
        multi_year = len(members) > 1 or any(
            p["end_date"] and p["end_date"].year > year_of[p["budget_year"]] for p in own_projects
        )
        final = bool(own_projects) and all(p["settled_on"] for p in own_projects)
        granted = sum(m["spuk_amount_cents"] for m in members)
        budget = committed = released = 0
        for m in members:
            account_figures, _ = await queries.year_figures(m["id"])
            for a in await queries.accounts_of(m["id"]):
                f = account_figures.get(a["id"], AccountFigures())
                budget += f.budget
                committed += f.committed
                released += f.released
        lines.append(
            GrantLine(
                reference=key,
                years=tuple(m["year"] for m in members),
                granted=granted,
                spent_in_year=in_year,
                spent_cumulative=cumulative,
                multi_year=multi_year,
                final=final,
                explanation=deviation_text(
                    year,
                    granted=granted,
                    spent=cumulative,
                    open_commitments=committed - cumulative,
                    unspent=budget - committed,
                    released=released,
                    carried_over=granted - budget,
                ),
                this_year_only=key == this_key and len(members) == 1,
            )
        )
    return tuple(lines)


def _grant_key(budget_year: dict) -> str:
    reference = (budget_year["grant_reference"] or "").strip()
    return reference or f"SPUK {budget_year['year']} (kenmerk niet ingevuld)"
