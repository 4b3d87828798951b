"""The end of a settled project's retention period (kind `financial` of portal/accounts/
retention.py, counted from `settled_on`): what named people goes, the books stay.

Goes: the personal part of its proposal (contact, bouwteam names, attachments; proposals/
retention.py) and the questions about it (review/retention.py); its letters' text and PDF;
the free text of its reports (why one was returned, an unsent draft) and their attachments;
the statements and notes of its payment requests and changes; the experts' names on fee
claims. Stays: every entry, amount, reference and date, the title and recipient the SPUK
workbook shows, the reports' results and lessons (the projectenbank's knowledge). The project
is marked `anonymised_at`.
"""

from __future__ import annotations

import datetime as dt

from ledger.books.tables import (
    ChangeRequest,
    ExpertClaim,
    PaymentRequest,
    Project,
    Report,
    ReportAttachment,
)
from ledger.projects.letters import CHANGE, SETTLEMENT
from portal.accounts import letters
from portal.accounts.retention import MARKER, Due, Keeper, Removed, RetentionKind
from portal.accounts.retention import register as register_keeper
from portal.lib.db import lock_row
from proposals.retention import anonymise_proposal
from review.letters import DECISION
from review.retention import anonymise_texts
from review.tables import Decision


def _settled_by(day: dt.date):
    return (
        Project.settled_on.is_not_null()
        & (Project.settled_on <= day)
        & Project.anonymised_at.is_null()
    )


async def due_projects(day: dt.date) -> list[Due]:
    rows = await Project.select(Project.id, Project.network).where(_settled_by(day))
    return [
        Due(RetentionKind.financial, "project", r["id"], r["network"], f"Project {r['id']}")
        for r in rows
    ]


async def _blank(column, condition) -> int:
    """Overwrite a free-text column with the marker where it holds something else."""
    table = column._meta.table
    rows = (
        await table.update({column: MARKER})
        .where(condition & (column != "") & (column != MARKER))
        .returning(table._meta.primary_key)
    )
    return len(rows)


async def anonymise_project(project_id: int, day: dt.date, now: dt.datetime) -> Removed | None:
    await lock_row(Project, project_id)
    project = (
        await Project.select(Project.id, Project.network, Project.proposal_id)
        .where((Project.id == project_id) & _settled_by(day))
        .first()
    )
    if project is None:
        return None  # done meanwhile, or its settlement was corrected
    removed = Removed()
    about: list[tuple[str, int]] = [(SETTLEMENT, project_id)]
    if project["proposal_id"] is not None:
        proposal_id = project["proposal_id"]
        removed.merge(await anonymise_proposal(proposal_id, now, texts=False))
        removed.merge(await anonymise_texts(proposal_id))
        decisions = await Decision.select(Decision.id).where(Decision.proposal == proposal_id)
        about += [(DECISION, d["id"]) for d in decisions]
    changes = await ChangeRequest.select(ChangeRequest.id).where(
        ChangeRequest.project == project_id
    )
    about += [(CHANGE, c["id"]) for c in changes]
    removed.add("letters", await letters.anonymise(project["network"], about))

    rows = (
        await Report.select(Report.id, Report.draft)
        .where(Report.project == project_id)
        .output(load_json=True)
    )
    reports = [r["id"] for r in rows]
    if reports:
        texts = await _blank(Report.return_reason, Report.id.is_in(reports))
        # JSON has no equality on PostgreSQL: the drafts are judged here.
        drafts = [r["id"] for r in rows if r["draft"]]
        if drafts:
            await Report.update({Report.draft: {}}).where(Report.id.is_in(drafts))
        removed.add("report_texts", texts + len(drafts))
        files = (
            await ReportAttachment.delete()
            .where(ReportAttachment.report.is_in(reports))
            .returning(ReportAttachment.stored_name)
        )
        removed.add("report_attachments", len(files))
        removed.files.extend(f["stored_name"] for f in files)

    of_project = PaymentRequest.project == project_id
    removed.add(
        "payment_request_texts",
        await _blank(PaymentRequest.statement, of_project)
        + await _blank(PaymentRequest.decision_note, of_project),
    )
    of_change = ChangeRequest.project == project_id
    removed.add(
        "change_texts",
        await _blank(ChangeRequest.reason, of_change)
        + await _blank(ChangeRequest.decision_note, of_change),
    )
    removed.add(
        "expert_names", await _blank(ExpertClaim.expert_name, ExpertClaim.project == project_id)
    )
    await Project.update({Project.anonymised_at: now}).where(Project.id == project_id)
    return removed


SETTLED_PROJECTS = Keeper(RetentionKind.financial, due_projects, anonymise_project)


def register() -> None:
    register_keeper(SETTLED_PROJECTS)
