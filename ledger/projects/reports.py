"""Accountability reports (verantwoordingsverslagen) and the final amount (vaststelling).

The region officer hands a report in; the coordinator accepts it or returns it. Accepting the
final report settles the project: realised spending, release of what was not spent, recovery of
what was paid too much or payment of the rest, all in one transaction with the acceptance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from piccolo.query import Select

from ledger.books import queries
from ledger.books.booking import EntryDraft, LedgerRefused, book, lock_years
from ledger.books.rows import ReportRow
from ledger.books.tables import Project, Report, ReportAttachment, ReportState
from ledger.projects import catalogue
from ledger.projects import letters as ledger_letters
from ledger.projects.settlement import SettlementError, settle
from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.principal import Principal
from portal.accounts.queries import coordinator_emails
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.files import CheckedFile
from portal.lib.money import format_euros
from portal.lib.privacy import Finding
from proposals.tables import ProposalAuthor


@dataclass(frozen=True)
class ReportInput:
    results: list[dict]  # [{"goal": …, "result": …}]
    realised_lines: list[dict]  # [{"description": …, "budget_cents": …, "realised_cents": …}]
    lessons_worked: str
    lessons_not_worked: str
    lessons_for_others: str
    preconditions_met: bool


def line_label(number: int, line: dict, year: int) -> str:
    """How a message names a budget line: "Regel 2, Materiële kosten". A line taken from the
    proposal carries its year ("2021 · Materiële kosten"); the report is of that one year."""
    name = str(line.get("description", "")).removeprefix(f"{year} · ").strip()
    return f"Regel {number}, {name}" if name else f"Regel {number}"


def about_line(label: str, message: str) -> str:
    """A message of one budget line, led by the line's name: "Regel 2, …: vul een bedrag in."."""
    return f"{label}: {message[:1].lower()}{message[1:]}"


def report_problems(data: ReportInput, year: int) -> dict[str, str]:
    """Everything that keeps a report from being handed in, all at once, per field."""
    problems: dict[str, str] = {}
    for i, item in enumerate(data.results, start=1):
        if not item["result"].strip():
            problems[f"result{i}"] = "Beschrijf wat er van dit doel is bereikt."
    if not data.realised_lines:
        problems["realised"] = "Vul de gerealiseerde uitgaven per begrotingspost in."
    for i, line in enumerate(data.realised_lines, start=1):
        if line["realised_cents"] < 0:
            # Spending is what went out; money that came back is a recovery, not a minus here.
            problems[f"realised{i}"] = about_line(
                line_label(i, line, year), "het bestede bedrag kan niet negatief zijn."
            )
    if not data.lessons_worked.strip():
        problems["lessons_worked"] = "Beschrijf wat werkte."
    if not data.lessons_not_worked.strip():
        problems["lessons_not_worked"] = "Beschrijf wat niet werkte."
    if not data.lessons_for_others.strip():
        problems["lessons_for_others"] = "Beschrijf wat anderen moeten weten."
    if not data.preconditions_met:
        problems["preconditions_met"] = (
            "Verklaar dat aan de voorwaarden is voldaan, waaronder het aanbestedingsrecht en het "
            "inkoopbeleid van de regio."
        )
    return problems


def overspent(lines: list[dict], year: int) -> list[str]:
    """A warning for each line that spent more than its budget; a warning, not a refusal: the
    settlement decides what of it is granted (never more than the commitment)."""
    return [
        f"{line_label(i, line, year)}: besteed {format_euros(line['realised_cents'])}, "
        f"begroot {format_euros(line['budget_cents'])}"
        for i, line in enumerate(lines, start=1)
        if line.get("budget_cents") and (line.get("realised_cents") or 0) > line["budget_cents"]
    ]


def form_values(report: ReportRow) -> dict[str, str]:
    """What the form shows when it is opened: the saved draft if there is one, else what was
    handed in last (a returned report comes back as the region sent it), else nothing."""
    if report.get("draft"):
        return {k: v for k, v in report["draft"].items() if isinstance(v, str)}
    if report["state"] != ReportState.returned:
        return {}
    values: dict[str, str] = {
        f"result{i}": item.get("result", "") for i, item in enumerate(report["results"] or [], 1)
    }
    for i, line in enumerate(report["realised_lines"] or [], start=1):
        values[f"realised{i}"] = format_euros(line.get("realised_cents", 0), symbol=False)
    values["lessons_worked"] = report["lessons_worked"]
    values["lessons_not_worked"] = report["lessons_not_worked"]
    values["lessons_for_others"] = report["lessons_for_others"]
    if report["preconditions_met"]:
        values["preconditions_met"] = "1"
    return values


HAND_IN_REFUSED = "Alleen de regio-indiener van de regio van het project dient het verslag in."


def may_hand_in(actor: Principal, network_id: int, region_id: int | None) -> bool:
    """Who hands in a report: the region officer of the project's region; for a project of no
    region (an allocation to an outside party, or to an organisation outside the regions) the
    coordinator, who records the report the recipient sent."""
    if region_id is None:
        return actor.has_role(network_id, Role.coordinator)
    return region_id in actor.region_ids(network_id, Role.region_officer)


# The states in which the region writes the report; handing it in moves it on.
OPEN_STATES = (ReportState.due, ReportState.returned)


async def _refuse_unless_open(actor: Principal, report: ReportRow) -> None:
    """Inside the write transaction: this person hands the report in, and it is still open
    (due or returned). A report handed in meanwhile takes no draft and no second hand-in."""
    now = await (
        Report.select(Report.state, Report.project.region_id.as_alias("region_id"))
        .where(Report.id == report["id"])
        .first()
    )
    if now is None or not may_hand_in(actor, report["network"], now["region_id"]):
        raise LedgerRefused(HAND_IN_REFUSED)
    if now["state"] not in OPEN_STATES:
        raise LedgerRefused("Dit verslag is al ingediend.")


async def save_draft(actor: Principal, report: ReportRow, values: dict[str, str]) -> None:
    """Keep what was typed without handing it in: nothing is checked but who and when, the
    state stays (due or returned), nothing is booked and the coordinator is not told."""
    async with write_transaction():
        await _refuse_unless_open(actor, report)
        await Report.update({Report.draft: values}).where(Report.id == report["id"])
        await events.record(
            actor_id=actor.user_id,
            network_id=report["network"],
            action="report_draft_saved",
            object_type="project",
            object_id=report["project"],
            summary=f"Concept van verantwoordingsverslag {report['year']} opgeslagen",
        )


async def submit_report(actor: Principal, report: ReportRow, data: ReportInput) -> dict[str, str]:
    if not may_hand_in(actor, report["network"], report["region_id"]):
        return {"form": HAND_IN_REFUSED}
    problems = report_problems(data, report["year"])
    if problems:
        return problems
    realised = sum(line["realised_cents"] for line in data.realised_lines)
    async with write_transaction():
        # Asked again inside: a region officer whose region the project no longer is.
        now = await (
            Report.select(Report.project.region_id.as_alias("region_id"))
            .where(Report.id == report["id"])
            .first()
        )
        if now is None or not may_hand_in(actor, report["network"], now["region_id"]):
            raise LedgerRefused(HAND_IN_REFUSED)
        # Whether it is still due is decided here, by the conditional update: a repeat of the
        # same form stops at its key first, and is not told "al ingediend".
        updated = (
            await Report.update(
                {
                    Report.results: data.results,
                    Report.realised_lines: data.realised_lines,
                    Report.realised_cents: realised,
                    Report.lessons_worked: data.lessons_worked,
                    Report.lessons_not_worked: data.lessons_not_worked,
                    Report.lessons_for_others: data.lessons_for_others,
                    Report.preconditions_met: True,
                    Report.state: ReportState.submitted,
                    Report.submitted_by: actor.user_id,
                    Report.submitted_at: clock.now(),
                    Report.return_reason: "",
                    # Handed in, the draft is what was handed in; a return starts from that.
                    Report.draft: {},
                }
            )
            .where((Report.id == report["id"]) & (Report.state.is_in(list(OPEN_STATES))))
            .returning(Report.id)
        )
        if not updated:
            return {"form": "Dit verslag is al ingediend."}
        coordinators = await coordinator_emails(report["network"])
        await events.record(
            actor_id=actor.user_id,
            network_id=report["network"],
            action="report_submitted",
            object_type="project",
            object_id=report["project"],
            summary=f"Verantwoordingsverslag {report['year']} ingediend "
            f"(besteed {format_euros(realised)})",
            mails=[
                Mail(
                    to=email,
                    subject=f"Verantwoordingsverslag ontvangen: {report['title']}",
                    body=f"Het verslag {report['year']} van '{report['title']}' is ingediend "
                    "en wacht op beoordeling.",
                )
                for email in coordinators
            ],
        )
    return {}


async def return_report(actor: Principal, report: ReportRow, reason: str) -> None:
    if not reason.strip():
        raise LedgerRefused("Geef aan waarom het verslag terug gaat; de regio leest het.")
    async with write_transaction():
        updated = (
            await Report.update(
                {
                    Report.state: "returned",
                    Report.return_reason: reason.strip()[:5000],
                    Report.reviewed_by: actor.user_id,
                    Report.reviewed_at: clock.now(),
                }
            )
            .where((Report.id == report["id"]) & (Report.state == "submitted"))
            .returning(Report.id)
        )
        if not updated:
            raise LedgerRefused("Alleen een ingediend verslag kan terug.")
        await events.record(
            actor_id=actor.user_id,
            network_id=report["network"],
            action="report_returned",
            object_type="project",
            object_id=report["project"],
            summary=f"Verantwoordingsverslag {report['year']} teruggestuurd: {reason.strip()}",
        )


async def accept_report(
    actor: Principal, report: ReportRow, final_cents: int | None = None
) -> None:
    """Accept a report; the final one sets the final amount and books the settlement."""
    project = required(await queries.project_row(report["network"], report["project"]))
    async with write_transaction():
        # Figures, earlier reports and the settlement are read with the year locked: a payment
        # booked meanwhile would otherwise be missing from the sums the settlement rests on.
        await lock_years([project["budget_year"]])
        # The report as it is now: returned and handed in again since the page was opened, its
        # figures may differ from the ones the coordinator's page was built from.
        now = required(
            await Report.select(Report.realised_cents, Report.final, Report.year)
            .where(Report.id == report["id"])
            .first()
        )
        report = cast(ReportRow, {**report, **now})
        _, figures = await queries.year_figures(project["budget_year"])
        p = figures.get(project["id"])
        committed, paid, realised = (p.committed, p.paid, p.realised) if p else (0, 0, 0)
        drafts: list[EntryDraft] = []
        summary = f"Verantwoordingsverslag {report['year']} goedgekeurd"
        if report["final"]:
            waiting = await Report.select(Report.year).where(
                (Report.project == project["id"])
                & (Report.year < report["year"])
                & (Report.state != "accepted")
            )
            if waiting:
                years = ", ".join(str(r["year"]) for r in waiting)
                raise LedgerRefused(
                    f"Keur eerst het verslag van {years} goed; daarna kan de subsidie worden "
                    "vastgesteld."
                )
            earlier = await Report.select(Report.realised_cents).where(
                (Report.project == project["id"]) & (Report.state == "accepted")
            )
            reported = sum(r["realised_cents"] for r in earlier) + report["realised_cents"]
            try:
                result = settle(committed, paid, reported, final_cents, realised)
            except SettlementError as error:
                raise LedgerRefused(str(error)) from error
            for kind, cents in (
                ("realised", result.realised_cents),
                ("release", result.release_cents),
                ("recovery", result.recovery_cents),
                ("final_payment", result.final_payment_cents),
            ):
                if cents:
                    drafts.append(
                        EntryDraft(
                            kind,
                            project["account"],
                            cents,
                            project_id=project["id"],
                            reason=f"Vaststelling {project['title']}",
                            document_reference=f"Verslag {report['year']}",
                            period_year=report["year"] if kind == "realised" else None,
                        )
                    )
            summary = (
                f"Subsidie vastgesteld op {format_euros(result.final_cents)}: vrijval "
                f"{format_euros(result.release_cents)}, terugvordering "
                f"{format_euros(result.recovery_cents)}, nabetaling "
                f"{format_euros(result.final_payment_cents)}"
            )
        elif report["realised_cents"]:
            drafts.append(
                EntryDraft(
                    "realised",
                    project["account"],
                    report["realised_cents"],
                    project_id=project["id"],
                    reason=f"Besteding {report['year']} {project['title']}",
                    document_reference=f"Verslag {report['year']}",
                    period_year=report["year"],
                )
            )
        updated = (
            await Report.update(
                {
                    Report.state: "accepted",
                    Report.reviewed_by: actor.user_id,
                    Report.reviewed_at: clock.now(),
                }
            )
            .where((Report.id == report["id"]) & (Report.state == "submitted"))
            .returning(Report.id)
        )
        if not updated:
            raise LedgerRefused("Alleen een ingediend verslag kan worden goedgekeurd.")
        if report["final"]:
            await Project.update(
                {
                    Project.final_amount_cents: result.final_cents,
                    Project.settled_on: clock.now().date(),
                }
            ).where(Project.id == project["id"])
        if drafts:
            await book(
                actor,
                project["budget_year"],
                drafts,
                network_id=project["network"],
                summary=summary,
                object_type="project",
                object_id=project["id"],
            )
        else:
            await events.record(
                actor_id=actor.user_id,
                network_id=project["network"],
                action="report_accepted",
                object_type="project",
                object_id=project["id"],
                summary=summary,
            )
        # Results and lessons reach the projectenbank only now, with the acceptance.
        await catalogue.refresh(project["id"])
        if report["final"]:  # the settlement letter as sent, after the bookings it reports on
            await ledger_letters.freeze_settlement(project["network"], project["id"], actor.name)


# What the list shows of each report (built once: a join chain costs a copy per step).
REPORT_LIST_COLUMNS = (
    *Report.all_columns(exclude=[Report.results, Report.realised_lines, Report.draft]),
    Report.project.title.as_alias("title"),
    Report.project.recipient.as_alias("recipient"),
    Report.project.region_id.as_alias("region_id"),
    Report.project._.budget_year._.year.as_alias("budget_year"),
)


@dataclass(frozen=True)
class ReportScope:
    """The reports of a network that a person reads who does not read them all: those of their
    regions (a region officer) and those of the projects of proposals they wrote (an applicant:
    the authors write what the region hands in, and read it; a later year of a multi-year grant
    answers to the same proposal)."""

    region_ids: frozenset[int] = frozenset()
    project_ids: frozenset[int] = frozenset()

    def covers(self, report: ReportRow) -> bool:
        return report["region_id"] in self.region_ids or report["project"] in self.project_ids


async def scope_of(principal: Principal, network_id: int) -> ReportScope | None:
    """Which reports this person reads: None for all (coordinator, auditor)."""
    if principal.has_role(network_id, Role.coordinator, Role.auditor):
        return None
    project_ids: frozenset[int] = frozenset()
    if principal.has_role(network_id, Role.applicant):
        project_ids = await authored_projects(principal.user_id, network_id)
    return ReportScope(
        frozenset(principal.region_ids(network_id, Role.region_officer)), project_ids
    )


async def authored_projects(user_id: int, network_id: int) -> frozenset[int]:
    """The projects of the proposals this person wrote, with the later years of their grants."""
    authored = ProposalAuthor.select(ProposalAuthor.proposal).where(ProposalAuthor.user == user_id)
    granted = [
        r["id"]
        for r in await Project.select(Project.id).where(
            (Project.network == network_id) & Project.proposal_id.is_in(authored)
        )
    ]
    if not granted:
        return frozenset()
    later = await Project.select(Project.id).where(
        (Project.network == network_id) & Project.grant_of.is_in(granted)
    )
    return frozenset(granted) | {r["id"] for r in later}


def _of_network(
    query: Select, network_id: int, region_ids: list[int] | None, project_ids: list[int] | None
) -> Select:
    query = query.where(Report.project.network == network_id)
    if region_ids is not None and project_ids is not None:
        query = query.where(
            Report.project.region_id.is_in(region_ids) | Report.project.is_in(project_ids)
        )
    return query


def _scoped(scope: ReportScope | None) -> tuple[list[int] | None, list[int] | None]:
    if scope is None:
        return None, None
    return sorted(scope.region_ids) or [0], sorted(scope.project_ids) or [0]


async def reports_of_network(network_id: int, scope: ReportScope | None = None) -> list[dict]:
    query = _of_network(Report.select(*REPORT_LIST_COLUMNS), network_id, *_scoped(scope))
    return await query.order_by(Report.due_date)


async def report_row(network_id: int, report_id: int) -> ReportRow | None:
    row = (
        await Report.select(
            *Report.all_columns(),
            Report.project.title.as_alias("title"),
            Report.project.network.as_alias("network"),
            Report.project.region_id.as_alias("region_id"),
            Report.project.proposal_id.as_alias("proposal_id"),
            Report.project.grant_of.as_alias("grant_of"),
            Report.project.recipient.as_alias("recipient"),
        )
        .where((Report.id == report_id) & (Report.project.network == network_id))
        .output(load_json=True)
        .first()
    )
    return cast("ReportRow | None", row)


async def committed_of(report: ReportRow) -> int:
    """What the report's project has committed now (its budget when it has no lines)."""
    project = (
        await Project.select(Project.budget_year).where(Project.id == report["project"]).first()
    )
    if project is None:
        return 0
    figures = await queries.figures_of_projects(project["budget_year"], [report["project"]])
    f = figures.get(report["project"])
    return f.committed if f else 0


async def proposal_of(report: ReportRow) -> int | None:
    """The proposal a report answers to: its project's, or for a later year of a multi-year
    grant the grant year's project's."""
    if report["proposal_id"] is not None or report.get("grant_of") is None:
        return report["proposal_id"]
    first = (
        await Project.select(Project.proposal_id).where(Project.id == report["grant_of"]).first()
    )
    return first["proposal_id"] if first else None


async def add_attachment(
    actor: Principal,
    report: ReportRow,
    checked: CheckedFile,
    stored_name: str,
    warnings: Sequence[Finding] = (),
) -> None:
    async with write_transaction():
        # Asked inside the transaction: a report handed in meanwhile takes no more proof.
        state = await Report.select(Report.state).where(Report.id == report["id"]).first()
        if state is None or state["state"] not in ("due", "returned"):
            raise LedgerRefused(
                "Bij een ingediend verslag kunnen geen bijlagen meer worden gevoegd."
            )
        await ReportAttachment.insert(
            ReportAttachment(
                report=report["id"],
                display_name=checked.display_name,
                stored_name=stored_name,
                format=checked.format,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor.user_id,
                uploaded_at=clock.now(),
                privacy_warnings=[w.as_dict() for w in warnings],
            )
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=report["network"],
            action="report_attachment",
            object_type="project",
            object_id=report["project"],
            summary=f"Bijlage {checked.display_name} bij verslag {report['year']} toegevoegd",
        )


async def attachments_of(report_id: int) -> list[dict]:
    return (
        await ReportAttachment.select()
        .where(ReportAttachment.report == report_id)
        .order_by(ReportAttachment.uploaded_at)
    )
