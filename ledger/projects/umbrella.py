"""Umbrella allocations (DESIGN §2.10): a direct allocation whose parts are decided later.

The allocation keeps its commitment, payments and reports in the books; each part says what a
piece of it goes to, decided with its own reference and date. The parts never add up to more
than the allocation's commitment; what is not yet divided is shown as "nog te bepalen"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.queries import figures_of_projects
from ledger.books.rows import ProjectRow
from ledger.books.tables import Project, ProjectPart
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.lib.db import lock_row, write_transaction
from portal.lib.forms import date_field, money_field, text
from portal.lib.money import format_euros


@dataclass(frozen=True)
class PartInput:
    title: str
    amount_cents: int
    decision_reference: str
    decision_date: dt.date


def parse_part(form: FormMultiDict, today: dt.date) -> tuple[PartInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    title = text(form, "title", 300, errors)
    if not title:
        errors["title"] = "Geef het deelproject een naam."
    amount = money_field(form, "amount", errors, positive=True) or 0
    reference = text(form, "decision_reference", 200, errors)
    if not reference:
        errors["decision_reference"] = "Vul het kenmerk van het besluit over dit deel in."
    decided = date_field(form, "decision_date", errors, "Vul de datum van het besluit in.")
    if decided and decided > today:
        errors["decision_date"] = "De datum van het besluit ligt in de toekomst."
    if errors or decided is None:
        return None, errors
    return PartInput(title, amount, reference, decided), {}


async def allocation(network_id: int, project_id: int) -> ProjectRow | None:
    """The project, if it is a direct allocation (one without a proposal) of this network."""
    row = await (
        Project.select()
        .where(
            (Project.id == project_id)
            & (Project.network == network_id)
            & Project.proposal_id.is_null()
            & Project.grant_of.is_null()  # a later year of a grant is no allocation
        )
        .first()
    )
    return cast("ProjectRow | None", row)


async def parts_of(project_id: int) -> list[dict]:
    return await (
        ProjectPart.select()
        .where(ProjectPart.project == project_id)
        .order_by(ProjectPart.decision_date, ProjectPart.id)
    )


async def parts_of_projects(project_ids: list[int]) -> dict[int, list[dict]]:
    """The parts of several projects in one query, per project (for the SPUK workbook)."""
    found: dict[int, list[dict]] = {p: [] for p in project_ids}
    if project_ids:
        for row in await (
            ProjectPart.select()
            .where(ProjectPart.project.is_in(project_ids))
            .order_by(ProjectPart.decision_date, ProjectPart.id)
        ):
            found[row["project"]].append(row)
    return found


async def committed_of(project: ProjectRow) -> int:
    figures = await figures_of_projects(project["budget_year"], [project["id"]])
    return figures[project["id"]].committed if project["id"] in figures else 0


async def add_part(actor: Principal, network_id: int, project_id: int, part: PartInput) -> int:
    async with write_transaction():
        # Two parts decided at once must not both fit in room for one.
        await lock_row(Project, project_id)
        project = await allocation(network_id, project_id)
        if project is None:
            raise LedgerRefused("Alleen een rechtstreekse toewijzing van dit netwerk heeft delen.")
        if project["settled_on"] is not None:
            raise LedgerRefused("Deze toewijzing is vastgesteld; er komen geen delen meer bij.")
        divided = sum(p["amount_cents"] for p in await parts_of(project_id))
        committed = await committed_of(project)
        if divided + part.amount_cents > committed:
            raise LedgerRefused(
                f"Dit deel ({format_euros(part.amount_cents)}) past niet in de toewijzing: "
                f"verplicht {format_euros(committed)}, al verdeeld {format_euros(divided)}, "
                f"nog te bepalen {format_euros(committed - divided)}."
            )
        row = await ProjectPart.insert(
            ProjectPart(
                project=project_id,
                title=part.title,
                amount_cents=part.amount_cents,
                decision_reference=part.decision_reference,
                decision_date=part.decision_date,
                created_by=actor.user_id,
            )
        ).returning(ProjectPart.id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="project_part_added",
            object_type="project",
            object_id=project_id,
            summary=f"Deel {part.title} van {project['title']}: {format_euros(part.amount_cents)}",
        )
    part_id: int = row[0]["id"]
    return part_id
