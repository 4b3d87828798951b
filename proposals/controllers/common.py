"""What the proposal controllers share: who may use them, the hooks other domains add sections
through, the checklist, the vocabularies the templates show, and the links back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.di import Provide

from portal.accounts.guards import allow
from portal.accounts.layout import url
from portal.accounts.tables import Role
from portal.lib import clock
from proposals import queries
from proposals.budget_workbook import BUDGET_LINE_KINDS
from proposals.deps import provide_proposal
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, Check, checklist
from proposals.forms import GOAL_EXPLANATION_LIMIT
from proposals.rows import ProposalRow
from proposals.rules import (
    ATTACHMENT_KINDS,
    BOUWTEAM_POSITIONS,
    EXTENDS_OFFER,
    FIELD_LABELS,
    FUNCTIONS,
    PROCUREMENT_ROUTES,
    PROCUREMENT_SERVICE_KINDS,
    SECTIONS,
    STATE_LABELS,
    TRANSFORMATION_GOALS,
    VIERKANT,
    Actor,
)

COORDINATOR = allow(Role.coordinator)
APPLICANT = allow(Role.applicant)
INVOLVED = allow(Role.applicant, Role.region_officer, Role.coordinator)
# Reading a proposal: also the reviewers assigned to it (checked per object in find_proposal).
READERS = allow(Role.applicant, Role.region_officer, Role.coordinator, Role.reviewer)

# A handler under /voorstellen/{proposal_id} that names `seen` gets the proposal of the path
# with the person's relation to it, or the 404 of a proposal they may not see.
SEEN = {"seen": Provide(provide_proposal)}

# Other domains add a section to the proposal page (the review domain: questions, decision)
# through this hook: an async function (request, proposal, actors) -> context dict with a
# "template" key, or None.
SectionProvider = Callable[[Request, ProposalRow, set[Actor]], Awaitable[dict[str, Any] | None]]
DETAIL_SECTIONS: list[SectionProvider] = []


def register_detail_section(provider: SectionProvider) -> None:
    if provider not in DETAIL_SECTIONS:
        DETAIL_SECTIONS.append(provider)


# The same kind of hook for the first page of the edit form (similar funded projects).
EDIT_SECTIONS: list[SectionProvider] = []


def register_edit_section(provider: SectionProvider) -> None:
    if provider not in EDIT_SECTIONS:
        EDIT_SECTIONS.append(provider)


async def provided_sections(
    providers: list[SectionProvider], request: Request, proposal: ProposalRow, actors: set[Actor]
) -> list[dict[str, Any]]:
    return [
        section
        for provider in providers
        if (section := await provider(request, proposal, actors)) is not None
    ]


def thresholds(request: Request) -> dict[str, int]:
    return getattr(request.app.state, "procurement_thresholds", DEFAULT_THRESHOLDS_CENTS)


async def proposal_checks(
    request: Request, proposal: ProposalRow, parts: queries.Parts | None = None
) -> list[Check]:
    return checklist(await queries.facts_for(proposal, clock.now(), thresholds(request), parts))


def vocabularies() -> dict[str, Any]:
    return {
        "FUNCTIONS": FUNCTIONS,
        "TRANSFORMATION_GOALS": TRANSFORMATION_GOALS,
        "BOUWTEAM_POSITIONS": BOUWTEAM_POSITIONS,
        "VIERKANT": VIERKANT,
        "EXTENDS_OFFER": EXTENDS_OFFER,
        "PROCUREMENT_ROUTES": PROCUREMENT_ROUTES,
        "PROCUREMENT_SERVICE_KINDS": PROCUREMENT_SERVICE_KINDS,
        "ATTACHMENT_KINDS": ATTACHMENT_KINDS,
        "STATE_LABELS": STATE_LABELS,
        "BUDGET_LINE_KINDS": BUDGET_LINE_KINDS,
        "SECTIONS": SECTIONS,
        "FIELD_LABELS": FIELD_LABELS,
        "GOAL_EXPLANATION_LIMIT": GOAL_EXPLANATION_LIMIT,
    }


def detail_url(request: Request, proposal_id: int) -> str:
    return url(request, "proposals:detail", proposal_id=proposal_id)


def edit_url(request: Request, proposal_id: int, section: str) -> str:
    return url(request, "proposals:edit", proposal_id=proposal_id, section=section)
