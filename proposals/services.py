"""Services of the proposals domain: the only code that writes rounds, themes and proposals.

One use case per function, one transaction each, with the audit event (and e-mail) inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from piccolo.query.mixins import LockStrength

from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.panel import (
    MAX_NEED,
    describe,
    panel_of_round,
    panel_problems,
    panel_to_json,
    with_needs,
)
from portal.accounts.principal import Principal
from portal.accounts.tables import Membership, Role
from portal.lib import clock
from portal.lib.db import is_sqlite, required, write_transaction
from portal.lib.files import CheckedFile
from portal.lib.formatting import datumtijd
from portal.lib.forms import too_long
from portal.lib.money import format_euros
from portal.lib.privacy import Finding
from portal.lib.refusals import Refused
from portal.lib.settings import Settings
from proposals import queries
from proposals.budget_workbook import BudgetLineInput
from proposals.eligibility import Check, blocking_failures
from proposals.forms import TITLE_LIMIT, SectionInput

# Rounds and themes have their own module; their names stay reachable from here.
from proposals.round_services import RoundInput as RoundInput
from proposals.round_services import ThemeInput as ThemeInput
from proposals.round_services import save_round as save_round
from proposals.rows import ProposalRow
from proposals.rules import (
    ATTACHMENT_KINDS,
    NOT_A_DRAFT,
    SECTIONS,
    Actor,
    TransitionRefused,
    apply_transition,
    edit_refusal,
)
from proposals.tables import (
    Attachment,
    BouwteamMember,
    BudgetLine,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Round,
)

Problems = dict[str, str]


class ProposalRefused(Refused):
    """str() is the Dutch reason the action was refused."""


# --- proposals ------------------------------------------------------------------------------


async def create_proposal(
    actor: Principal, network_id: int, round_id: int | None, title: str
) -> tuple[int | None, Problems]:
    problems: Problems = {}
    round_row = await queries.round_of(network_id, round_id) if round_id else None
    if round_row is None:
        problems["round"] = "Kies een ronde van dit netwerk."
    elif clock.as_utc(round_row["closes_at"]) <= clock.now():
        problems["round"] = "Deze ronde is gesloten; er kunnen geen voorstellen meer bij."
    if not title.strip():
        problems["title"] = "Geef het voorstel een (voorlopige) titel."
    elif problem := too_long(title, TITLE_LIMIT):
        problems["title"] = problem
    if problems:
        return None, problems
    organisations = sorted(actor.organisation_ids(network_id, Role.applicant))
    async with write_transaction():
        row = await Proposal.insert(
            Proposal(
                network=network_id,
                round=round_id,
                created_by=actor.user_id,
                title=title.strip(),
                lead_organisation=organisations[0] if organisations else None,
                contact_name=actor.name,
                contact_email=actor.email,
                state="draft",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        ).returning(Proposal.id)
        proposal_id = row[0]["id"]
        await ProposalAuthor.insert(ProposalAuthor(proposal=proposal_id, user=actor.user_id))
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="proposal_created",
            object_type="proposal",
            object_id=proposal_id,
            summary=f"Voorstel '{title.strip()}' aangemaakt",
        )
    return proposal_id, {}


async def _require_editable(proposal: ProposalRow, actors: set[Actor]) -> None:
    """Inside the write transaction, the rule the pages show (`rules.may_edit`) on the state as
    it is now: the state read when the page was asked for may be gone (a region officer
    submitted meanwhile, and the submitted version is frozen). The row is locked on PostgreSQL
    so that a submission waits for this write, or this write for it."""
    query = Proposal.select(Proposal.state).where(Proposal.id == proposal["id"])
    # SQLite's IMMEDIATE transaction already holds the only write lock there is.
    rows = await (query if is_sqlite() else query.lock_rows(LockStrength.update))
    refusal = edit_refusal(actors, rows[0]["state"]) if rows else NOT_A_DRAFT
    if refusal is not None:
        raise ProposalRefused(refusal)


async def save_section(
    actor: Principal, proposal: ProposalRow, actors: set[Actor], section: str, data: SectionInput
) -> None:
    async with write_transaction():
        await _require_editable(proposal, actors)
        values = {getattr(Proposal, k): v for k, v in data.values.items()}
        values[Proposal.updated_at] = clock.now()
        await Proposal.update(values).where(Proposal.id == proposal["id"])
        if data.bouwteam is not None:
            await BouwteamMember.delete().where(BouwteamMember.proposal == proposal["id"])
            if data.bouwteam:
                await BouwteamMember.insert(
                    *[BouwteamMember(proposal=proposal["id"], **row) for row in data.bouwteam]
                )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="proposal_section_saved",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"Onderdeel {SECTIONS[section]} opgeslagen",
        )


async def save_budget(
    actor: Principal,
    proposal: ProposalRow,
    actors: set[Actor],
    requested_amount_cents: int | None,
    lines: list[BudgetLineInput],
    source: str = "formulier",
) -> None:
    """Replace the draft's budget lines (from the form or an uploaded workbook)."""
    async with write_transaction():
        await _require_editable(proposal, actors)
        await BudgetLine.delete().where(BudgetLine.proposal == proposal["id"])
        if lines:
            await BudgetLine.insert(
                *[
                    BudgetLine(
                        proposal=proposal["id"],
                        sort_order=i,
                        kind=line.kind,
                        year=line.year,
                        description=line.description,
                        hours_hundredths=line.hours_hundredths,
                        hourly_rate_cents=line.hourly_rate_cents,
                        amount_cents=line.amount_cents,
                    )
                    for i, line in enumerate(lines)
                ]
            )
        await Proposal.update(
            {
                Proposal.requested_amount_cents: requested_amount_cents,
                Proposal.updated_at: clock.now(),
            }
        ).where(Proposal.id == proposal["id"])
        total = sum(line.amount_cents for line in lines)
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="proposal_budget_saved",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"Begroting opgeslagen via {source}: {len(lines)} regels, totaal "
            f"{format_euros(total)}",
        )


async def add_attachment(
    actor: Principal,
    proposal: ProposalRow,
    actors: set[Actor],
    kind: str,
    region_id: int | None,
    checked: CheckedFile,
    stored_name: str,
    warnings: Sequence[Finding] = (),
) -> int:
    async with write_transaction():
        await _require_editable(proposal, actors)
        if kind not in ATTACHMENT_KINDS:
            raise ProposalRefused("Kies het soort bijlage.")
        if kind == "consent_letter" and region_id is None:
            raise ProposalRefused(
                "Kies van welke jeugdhulpregio de akkoordverklaring is: dat is verplicht bij een "
                "akkoordverklaring."
            )
        row = await Attachment.insert(
            Attachment(
                proposal=proposal["id"],
                kind=kind,
                region=region_id if kind == "consent_letter" else None,
                display_name=checked.display_name,
                stored_name=stored_name,
                format=checked.format,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor.user_id,
                uploaded_at=clock.now(),
                privacy_warnings=[w.as_dict() for w in warnings],
            )
        ).returning(Attachment.id)
        await Proposal.update({Proposal.updated_at: clock.now()}).where(
            Proposal.id == proposal["id"]
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="attachment_added",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"Bijlage {checked.display_name} toegevoegd ({ATTACHMENT_KINDS[kind].lower()})",
        )
    return row[0]["id"]


async def remove_attachment(
    actor: Principal, proposal: ProposalRow, actors: set[Actor], attachment_id: int
) -> None:
    async with write_transaction():
        await _require_editable(proposal, actors)
        removed = (
            await Attachment.update({Attachment.removed_at: clock.now()})
            .where(
                (Attachment.id == attachment_id)
                & (Attachment.proposal == proposal["id"])
                & (Attachment.removed_at.is_null())
            )
            .returning(Attachment.display_name)
        )
        if not removed:
            raise ProposalRefused("Deze bijlage bestaat niet (meer).")
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="attachment_removed",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"Bijlage {removed[0]['display_name']} verwijderd",
        )


async def add_coauthor(
    actor: Principal, proposal: ProposalRow, actors: set[Actor], email: str, settings: Settings
) -> Problems:
    if Actor.author not in actors:
        raise ProposalRefused("Alleen auteurs kunnen collega's uitnodigen.")
    user = await queries.users_by_email(email)
    if (
        user is None
        or not user["active"]
        or not await Membership.exists().where(
            (Membership.user == user["id"]) & (Membership.network == proposal["network"])
        )
    ):
        return {
            "email": "Er is geen collega met dit e-mailadres in dit netwerk. Vraag de "
            "beheerder om deze persoon eerst uit te nodigen voor het portaal."
        }
    async with write_transaction():
        if await ProposalAuthor.exists().where(
            (ProposalAuthor.proposal == proposal["id"]) & (ProposalAuthor.user == user["id"])
        ):
            return {"email": f"{user['name']} is al auteur van dit voorstel."}
        await ProposalAuthor.insert(ProposalAuthor(proposal=proposal["id"], user=user["id"]))
        link = (
            f"{settings.base_url}/n/{await _slug(proposal['network'])}/voorstellen/{proposal['id']}"
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="coauthor_added",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"{user['name']} toegevoegd als mede-auteur",
            mails=[
                Mail(
                    to=user["email"],
                    subject=f"U bent mede-auteur van '{proposal['title']}'",
                    body=f"Beste {user['name']},\n\n{actor.name} heeft u toegevoegd als "
                    "mede-auteur "
                    f"van het projectvoorstel '{proposal['title']}'. U kunt het concept nu samen "
                    f"bewerken:\n\n{link}\n",
                )
            ],
        )
    return {}


async def _slug(network_id: int) -> str:
    from portal.accounts.tables import Network

    row = await Network.select(Network.slug).where(Network.id == network_id).first()
    return row["slug"] if row else ""


async def transition(
    actor: Principal,
    proposal: ProposalRow,
    actors: set[Actor],
    action: str,
    checks: list[Check],
    settings: Settings,
    privacy_confirmed: bool = False,
) -> str:
    """Move the proposal along the state machine; returns the new state. Submitting a proposal
    whose text or files may hold a client's data needs the region officer's own confirmation
    (`privacy_confirmed`), besides the authors' when they saved it."""
    # One transaction from the first question on: a repeat of the same form stops at its key
    # before the step is asked for, instead of being told the step no longer applies.
    async with write_transaction():
        try:
            step = apply_transition(proposal["state"], action, actors)
        except TransitionRefused as error:
            raise ProposalRefused(str(error)) from error
        if action in {"mark_ready", "submit"}:
            failing = blocking_failures(checks)
            if failing:
                raise ProposalRefused(
                    "Dit kan nog niet: " + "; ".join(c.why_not.rstrip(".") for c in failing) + "."
                )
        if action == "submit" and not privacy_confirmed and _warns_of_client_data(checks):
            raise ProposalRefused(CONFIRM_CLIENT_DATA)
        now = clock.now()
        slug = await _slug(proposal["network"])
        link = f"{settings.base_url}/n/{slug}/voorstellen/{proposal['id']}"
        values: dict = {Proposal.state: step.to_state, Proposal.updated_at: now}
        if action == "mark_ready":
            values[Proposal.ready_at] = now
        if action == "submit":
            values[Proposal.submitted_at] = now
            values[Proposal.submitted_by] = actor.user_id
        # Conditional on the state we read: two people acting at once cannot both succeed.
        moved = (
            await Proposal.update(values)
            .where((Proposal.id == proposal["id"]) & (Proposal.state == proposal["state"]))
            .returning(Proposal.id)
        )
        if not moved:
            raise ProposalRefused(
                "Iemand anders heeft dit voorstel net gewijzigd; laad de pagina opnieuw."
            )
        mails: list[Mail] = []
        summary = step.done
        if action == "submit":
            fresh = required(await queries.proposal_row(proposal["network"], proposal["id"]))
            await ProposalVersion.insert(
                ProposalVersion(
                    proposal=proposal["id"],
                    number=proposal["version"],
                    snapshot=await queries.snapshot(fresh),
                    frozen_at=now,
                    frozen_by=actor.user_id,
                )
            )
            summary = f"Ingediend namens {proposal['region_name']} (versie {proposal['version']})"
            mails = [
                Mail(
                    to=a["email"],
                    subject=f"Voorstel '{proposal['title']}' is ingediend",
                    body=f"Beste {a['name']},\n\n{actor.name} heeft het voorstel "
                    f"'{proposal['title']}' namens {proposal['region_name']} ingediend."
                    f"\n\n{link}\n",
                )
                for a in await queries.authors_of(proposal["id"])
            ]
        elif action == "mark_ready":
            officers = await Membership.select(
                Membership.user.email.as_alias("email"), Membership.user.name.as_alias("name")
            ).where(
                (Membership.network == proposal["network"])
                & (Membership.region == proposal["region"])
                & (Membership.role == Role.region_officer.value)
                & (Membership.user.active == True)  # noqa: E712
            )
            mails = [
                Mail(
                    to=o["email"],
                    subject=f"Voorstel klaar om in te dienen: {proposal['title']}",
                    body=f"Beste {o['name']},\n\nHet voorstel '{proposal['title']}' staat klaar "
                    f"om namens {proposal['region_name']} te worden ingediend (sluitingstermijn "
                    f"{datumtijd(clock.as_utc(proposal['round_closes_at']))}).\n\n{link}\n",
                )
                for o in officers
            ]
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action=f"proposal_{action}",
            object_type="proposal",
            object_id=proposal["id"],
            summary=summary,
            mails=mails,
            details={"from": proposal["state"], "to": step.to_state},
        )
    return step.to_state


CONFIRM_CLIENT_DATA = (
    "Dit voorstel bevat mogelijk gegevens van een jeugdige of cliënt (zie de controlelijst). "
    "Kijk het na en kruis aan dat het niet om een cliënt gaat, of laat de auteurs het weghalen."
)


def _warns_of_client_data(checks: list[Check]) -> bool:
    return any(c.code == "client_data" and not c.holds for c in checks)


async def take_screen_step(
    actor: Principal,
    proposal: ProposalRow,
    actors: set[Actor],
    action: str,
    summary: str,
    details: dict | None = None,
    mails: list[Mail] | None = None,
) -> str:
    """A state step decided on another screen (review, advice, decision). Runs in the caller's
    transaction so that the step and what caused it are booked together."""
    try:
        step = apply_transition(proposal["state"], action, actors)
    except TransitionRefused as error:
        raise ProposalRefused(str(error)) from error
    values: dict = {Proposal.state: step.to_state, Proposal.updated_at: clock.now()}
    if action == "return":
        # A returned proposal becomes a new draft version; the frozen one stays readable.
        values[Proposal.version] = proposal["version"] + 1
        values[Proposal.ready_at] = None
    async with write_transaction():
        moved = (
            await Proposal.update(values)
            .where((Proposal.id == proposal["id"]) & (Proposal.state == proposal["state"]))
            .returning(Proposal.id)
        )
        if not moved:
            raise ProposalRefused(
                "Iemand anders heeft dit voorstel net gewijzigd; laad de pagina opnieuw."
            )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action=f"proposal_{action}",
            object_type="proposal",
            object_id=proposal["id"],
            summary=summary,
            details={"from": proposal["state"], "to": step.to_state, **(details or {})},
            mails=mails or [],
        )
    return step.to_state


async def set_review_settings(
    actor: Principal,
    network_id: int,
    round_id: int,
    review_deadline: dt.datetime | None,
    reviewers_per_proposal: int | None,
    counts: Mapping[str, int | None] | None = None,
) -> Problems:
    """The review deadline, the reviewers per proposal and, per kind of the round's panel, how
    many of that kind each proposal needs at least (`counts`, by kind code; None keeps the
    panel's numbers). Problems by field: `need_<code>` for a kind's number."""
    problems: Problems = {}
    if reviewers_per_proposal is None or not 1 <= reviewers_per_proposal <= 10:
        problems["reviewers_per_proposal"] = "Kies tussen 1 en 10 beoordelaars per voorstel."
    if review_deadline is None:
        problems["review_deadline"] = "Vul de beoordelingstermijn in."
    for code, count in (counts or {}).items():
        if count is None:
            problems[f"need_{code}"] = f"Vul een heel getal van 0 tot en met {MAX_NEED} in."
    if problems:
        return problems
    async with write_transaction():
        row = required(
            await Round.select(Round.panel, Round.reviewers_per_proposal)
            .where((Round.id == round_id) & (Round.network == network_id))
            .first()
        )
        panel = panel_of_round(row["panel"], row["reviewers_per_proposal"])
        if counts is not None:
            panel = with_needs(panel, {k: v for k, v in counts.items() if v is not None})
        if problems := panel_problems(panel, reviewers_per_proposal):
            # The sum of the kinds is told at the number per proposal; a kind's number is
            # `need<i>` on the network's page and `need_<code>` here.
            fields = {"panel": "reviewers_per_proposal"} | {
                f"need{i}": f"need_{kind.code}" for i, kind in enumerate(panel, start=1)
            }
            return {fields.get(k, k): v for k, v in problems.items()}
        await Round.update(
            {
                Round.review_deadline: review_deadline,
                Round.reviewers_per_proposal: reviewers_per_proposal,
                Round.panel: panel_to_json(panel),
            }
        ).where((Round.id == round_id) & (Round.network == network_id))
        panel_words = describe(panel)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="review_settings_saved",
            object_type="round",
            object_id=round_id,
            summary=f"Beoordelingstermijn {datumtijd(review_deadline)}, "
            f"{reviewers_per_proposal} beoordelaars per voorstel"
            + (f", {panel_words}" if panel_words else ""),
            details={"panel": panel_to_json(panel)},
        )
    return {}
