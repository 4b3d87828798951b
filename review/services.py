"""Services of the review domain: assignment, conflicts, scores, advice, decisions (questions
are in question_services.py).

Proposal states move through the proposals domain's services, in the same transaction as what
caused the step.
"""

from __future__ import annotations

from ledger.books import services as ledger_services
from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.panel import kind_names, needs, panel_of_round
from portal.accounts.principal import Principal
from portal.accounts.tables import Membership, Network, Role
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.formatting import datum
from portal.lib.forms import too_long
from portal.lib.money import format_euros
from portal.lib.refusals import Refused
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import letters, queries
from review.assignment import CONFLICT_KINDS, conflict_reason, propose_assignment
from review.forms import OUTCOMES, REASON_LIMIT, AdviceInput, DecisionInput
from review.rows import ReviewRow
from review.rules import (
    OPEN_REVIEWS_FIELD,
    advice_date_problem,
    decision_advice_date_problem,
    open_reviews_problem,
)
from review.tables import Advice, ConflictDeclaration, Decision, Review


class ReviewRefused(Refused):
    """A review, an assignment, an advice or a decision refused, with the Dutch reason."""


REVIEWABLE_STATES = ("submitted", "in_review")


async def portal_link(settings: Settings, network_id: int, path: str) -> str:
    row = required(await Network.select(Network.slug).where(Network.id == network_id).first())
    return f"{settings.base_url}/n/{row['slug']}{path}"


def _deadline_passed(proposal: ProposalRow) -> bool:
    deadline = proposal.get("review_deadline")
    return deadline is not None and clock.as_utc(deadline) <= clock.now()


def conflict_closed(reason: str) -> str:
    """What a reviewer reads where a conflict of interest closes a proposal for them."""
    if reason == "declared":
        start = "U heeft voor dit voorstel een belangenconflict gemeld."
    else:
        label = CONFLICT_KINDS.get(reason, "gemeld belangenconflict").lower()
        start = f"U heeft een belangenconflict ({label}) met dit voorstel."
    return (
        f"{start} Uw beoordeling is gesloten; het voorstel en de beoordelingen van anderen "
        "ziet u niet meer."
    )


def _conflict_text(name: str, reason: str) -> str:
    label = CONFLICT_KINDS.get(reason, "gemeld belangenconflict").lower()
    return f"{name} heeft een belangenconflict ({label}) met dit voorstel."


async def assign(
    actor: Principal, proposal: ProposalRow, reviewer_id: int, settings: Settings
) -> None:
    """Assign one reviewer by hand; refused with the reason when they have a conflict."""
    if proposal["state"] not in REVIEWABLE_STATES:
        raise ReviewRefused("Beoordelaars toewijzen kan alleen bij een ingediend voorstel.")
    if _deadline_passed(proposal):
        raise ReviewRefused("De beoordelingstermijn is verstreken; de toewijzing ligt vast.")
    pool = {r.id: r for r in await queries.reviewer_pool(proposal["network"])}
    reviewer = pool.get(reviewer_id)
    if reviewer is None:
        raise ReviewRefused("Deze persoon is geen beoordelaar in dit netwerk.")
    (info,) = await queries.proposal_infos([proposal])
    reason = conflict_reason(reviewer, info)
    if reason:
        label = CONFLICT_KINDS.get(reason, "gemeld belangenconflict").lower()
        raise ReviewRefused(
            f"{reviewer.name} heeft een belangenconflict ({label}) en kan dit "
            "voorstel niet beoordelen."
        )
    if reviewer_id in info.already_assigned:
        raise ReviewRefused(f"{reviewer.name} is al toegewezen.")
    await _insert_assignments(actor, proposal, [reviewer], settings)


async def _insert_assignments(
    actor: Principal, proposal: ProposalRow, reviewers: list, settings: Settings
) -> None:
    link = await portal_link(settings, proposal["network"], "/beoordelingen")
    async with write_transaction():
        for reviewer in reviewers:
            # Asked again inside the transaction: two coordinators (or two tabs) assigning the
            # same reviewer, or a conflict declared meanwhile, must not slip through.
            reason = await queries.reviewer_conflict(proposal["id"], reviewer.id)
            if reason:
                raise ReviewRefused(
                    _conflict_text(reviewer.name, reason) + " Er is niemand toegewezen."
                )
            if await Review.exists().where(
                (Review.proposal == proposal["id"])
                & (Review.reviewer == reviewer.id)
                & (Review.version == proposal["version"])
            ):
                raise ReviewRefused(f"{reviewer.name} is al toegewezen.")
            await Review.insert(
                Review(
                    proposal=proposal["id"],
                    reviewer=reviewer.id,
                    version=proposal["version"],
                    assigned_by=actor.user_id,
                    assigned_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
            email = await _email(reviewer.id)
            deadline = proposal.get("review_deadline")
            await events.record(
                actor_id=actor.user_id,
                network_id=proposal["network"],
                action="reviewer_assigned",
                object_type="proposal",
                object_id=proposal["id"],
                summary=f"{reviewer.name} toegewezen als beoordelaar",
                mails=[
                    Mail(
                        to=email,
                        subject=f"Beoordelingsverzoek: {proposal['title']}",
                        body=f"Beste {reviewer.name},\n\nU bent gevraagd het voorstel "
                        f"'{proposal['title']}' te beoordelen"
                        + (f", uiterlijk {datum(clock.as_utc(deadline))}" if deadline else "")
                        + f".\n\n{link}\n",
                    )
                ],
            )
        if proposal["state"] == "submitted":
            await proposal_services.take_screen_step(
                actor, proposal, {Actor.coordinator}, "start_review", "Beoordeling gestart"
            )


async def _email(user_id: int) -> str:
    from portal.accounts.tables import User

    row = required(await User.select(User.email).where(User.id == user_id).first())
    return row["email"]


async def unassign(actor: Principal, proposal: ProposalRow, review_id: int) -> None:
    if _deadline_passed(proposal):
        raise ReviewRefused("De beoordelingstermijn is verstreken; de toewijzing ligt vast.")
    async with write_transaction():
        row = (
            await Review.select(Review.id, Review.state, Review.reviewer.name.as_alias("name"))
            .where((Review.id == review_id) & (Review.proposal == proposal["id"]))
            .first()
        )
        if row is None:
            raise ReviewRefused("Deze toewijzing bestaat niet.")
        if row["state"] == "submitted":
            raise ReviewRefused("Deze beoordeling is al ingediend; heropen haar eerst.")
        await Review.delete().where(Review.id == review_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="reviewer_unassigned",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"Toewijzing van {row['name']} ingetrokken",
        )


async def auto_assign(actor: Principal, round_row: dict, settings: Settings) -> list[str]:
    """Complete the assignment of a round; returns the Dutch problems of what could not be done."""
    if (
        round_row.get("review_deadline")
        and clock.as_utc(round_row["review_deadline"]) <= clock.now()
    ):
        return ["De beoordelingstermijn is verstreken; de toewijzing ligt vast."]
    proposals = [
        p for p in await queries.round_proposals(round_row["id"]) if p["state"] in REVIEWABLE_STATES
    ]
    pool = await queries.reviewer_pool(round_row["network"])
    infos = await queries.proposal_infos(proposals)
    existing = await queries.reviews_by_proposal([p["id"] for p in proposals])
    per_proposal = round_row["reviewers_per_proposal"]
    panel = panel_of_round(round_row["panel"], per_proposal)
    plan = propose_assignment(
        infos, pool, per_proposal, needs=needs(panel), kind_names=kind_names(panel)
    )
    by_id = {r.id: r for r in pool}
    problems = [p.message for p in plan.problems]
    for proposal in proposals:
        have = {
            r["reviewer"]
            for r in existing.get(proposal["id"], [])
            if r["version"] == proposal["version"]
        }
        new = [by_id[i] for i in plan.assignments.get(proposal["id"], ()) if i not in have]
        if new:
            full = required(
                await proposal_queries.proposal_row(proposal["network"], proposal["id"])
            )
            full["review_deadline"] = round_row.get("review_deadline")
            await _insert_assignments(actor, full, new, settings)
    return problems


async def declare_conflict(actor: Principal, proposal: ProposalRow, kind: str, reason: str) -> None:
    if kind not in CONFLICT_KINDS:
        raise ReviewRefused("Kies het soort belangenconflict.", field="kind")
    if kind in ("personal", "other") and not reason.strip():
        raise ReviewRefused("Licht het belangenconflict kort toe.", field="reason")
    if problem := too_long(reason.strip(), REASON_LIMIT):
        raise ReviewRefused(problem, field="reason")
    async with write_transaction():
        if await ConflictDeclaration.exists().where(
            (ConflictDeclaration.proposal == proposal["id"])
            & (ConflictDeclaration.reviewer == actor.user_id)
        ):
            raise ReviewRefused("U heeft voor dit voorstel al een belangenconflict gemeld.")
        await ConflictDeclaration.insert(
            ConflictDeclaration(
                proposal=proposal["id"],
                reviewer=actor.user_id,
                kind=kind,
                reason=reason.strip(),
                declared_at=clock.now(),
            )
        )
        # A conflicted reviewer is not assigned: an unfinished review goes; a submitted one
        # stays for the record but the coordinator sees the conflict next to it.
        await Review.delete().where(
            (Review.proposal == proposal["id"])
            & (Review.reviewer == actor.user_id)
            & (Review.state != "submitted")
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="conflict_declared",
            object_type="proposal",
            object_id=proposal["id"],
            summary=f"{actor.name} meldt een belangenconflict ({CONFLICT_KINDS[kind].lower()})",
        )


async def save_review(actor: Principal, review: ReviewRow, values: dict, submit: bool) -> None:
    if review["reviewer"] != actor.user_id:
        raise ReviewRefused("Dit is niet uw beoordeling.")
    if review["state"] == "submitted":
        raise ReviewRefused(
            "Deze beoordeling is ingediend en ligt vast. De coördinator kan haar heropenen."
        )
    if review["proposal_state"] not in ("in_review", "submitted"):
        raise ReviewRefused("Dit voorstel is niet meer in beoordeling.")
    now = clock.now()
    columns = {getattr(Review, k): v for k, v in values.items()}
    columns[Review.updated_at] = now
    columns[Review.state] = "submitted" if submit else "draft"
    if submit:
        columns[Review.submitted_at] = now
    async with write_transaction():
        # Asked inside the transaction that writes: a conflict declared (or arisen) since the
        # page was loaded closes the review before anything is stored.
        reason = await queries.reviewer_conflict(review["proposal"], actor.user_id)
        if reason:
            raise ReviewRefused(conflict_closed(reason))
        updated = (
            await Review.update(columns)
            .where((Review.id == review["id"]) & (Review.state != "submitted"))
            .returning(Review.id)
        )
        if not updated:
            raise ReviewRefused("Deze beoordeling is intussen al ingediend.")
        if submit:
            await events.record(
                actor_id=actor.user_id,
                network_id=review["network"],
                action="review_submitted",
                object_type="proposal",
                object_id=review["proposal"],
                summary="Een beoordeling is ingediend",
            )


async def reopen_review(actor: Principal, proposal: ProposalRow, review_id: int) -> None:
    async with write_transaction():
        reopened = (
            await Review.update({Review.state: "draft", Review.submitted_at: None})
            .where(
                (Review.id == review_id)
                & (Review.proposal == proposal["id"])
                & (Review.state == "submitted")
            )
            .returning(Review.reviewer)
        )
        if not reopened:
            raise ReviewRefused("Deze beoordeling is niet ingediend.")
        reason = await queries.reviewer_conflict(proposal["id"], reopened[0]["reviewer"])
        if reason:
            # The update above is rolled back with this refusal.
            raise ReviewRefused(
                _conflict_text("Deze beoordelaar", reason)
                + " De beoordeling blijft gesloten; wijs zo nodig iemand anders toe."
            )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="review_reopened",
            object_type="proposal",
            object_id=proposal["id"],
            summary="Een ingediende beoordeling is heropend door de coördinator",
        )


async def record_advice(actor: Principal, proposal: ProposalRow, data: AdviceInput) -> None:
    """Advice follows the reviews (all in, or a reason why not) and is not dated in the future
    (review/rules.py); judged inside the transaction, on the reviews as they are then."""
    if data.meeting_date is None:  # the form asks for it
        raise ReviewRefused("Vul de datum in.", field="meeting_date")
    async with write_transaction():
        if problem := advice_date_problem(data.meeting_date, clock.today()):
            raise ReviewRefused(problem, field="meeting_date")
        reviews = await queries.reviews_of(proposal["id"], proposal["version"])
        states = [r["state"] for r in reviews]
        if problem := open_reviews_problem(states, data.open_reviews_reason):
            raise ReviewRefused(problem, field=OPEN_REVIEWS_FIELD)
        # Only a reason that was needed goes into the file.
        all_in = bool(states) and all(state == "submitted" for state in states)
        await Advice.insert(
            Advice(
                proposal=proposal["id"],
                body=data.body,
                meeting_date=data.meeting_date,
                reference=data.reference,
                advice=data.advice,
                open_reviews_reason="" if all_in else data.open_reviews_reason.strip(),
                recorded_by=actor.user_id,
                recorded_at=clock.now(),
            )
        )
        names = (await queries.route_of(proposal["network"])).names()
        summary = (
            f"Advies van {names.get(data.body, data.body)} vastgelegd ({datum(data.meeting_date)})"
        )
        if proposal["state"] == "in_review":
            await proposal_services.take_screen_step(
                actor, proposal, {Actor.coordinator}, "record_advice", summary
            )
        else:
            await events.record(
                actor_id=actor.user_id,
                network_id=proposal["network"],
                action="advice_recorded",
                object_type="proposal",
                object_id=proposal["id"],
                summary=summary,
            )


OUTCOME_ACTIONS = {
    "granted": "grant",
    "granted_with_conditions": "grant",
    "rejected": "reject",
    "returned": "return",
}


async def decide(
    actor: Principal, proposal: ProposalRow, data: DecisionInput, settings: Settings
) -> None:
    """Record the decision of the coordinating municipality and move the proposal on."""
    if proposal["state"] != "advised":
        raise ReviewRefused("Eerst het advies vastleggen; daarna kan het besluit worden genomen.")
    theme_id = proposal["theme"]
    if data.outcome.startswith("granted") and theme_id is None:
        # Submitting asks for a theme (eligibility), so only a damaged row gets here; the
        # grant is booked on the theme's line, and without one there is none to book on.
        raise ReviewRefused(
            "Dit voorstel heeft geen thema; een toekenning kan niet worden geboekt."
        )
    decision_date = data.decision_date
    if decision_date is None:  # the form asks for it; a decision without its date is none
        raise ReviewRefused("Vul de datum van het besluit in.", field="decision_date")
    if data.amount_cents is not None and data.amount_cents > (
        proposal["requested_amount_cents"] or 0
    ):
        raise ReviewRefused(
            "Het toegekende bedrag mag niet hoger zijn dan het gevraagde bedrag.", field="amount"
        )
    link = await portal_link(settings, proposal["network"], f"/voorstellen/{proposal['id']}")
    recipients = await proposal_queries.authors_of(proposal["id"])
    officers = await Membership.select(
        Membership.user.email.as_alias("email"), Membership.user.name.as_alias("name")
    ).where(
        (Membership.network == proposal["network"])
        & (Membership.region == proposal["region"])
        & (Membership.role == Role.region_officer.value)
    )
    label = OUTCOMES[data.outcome]
    amount = f" ({format_euros(data.amount_cents)})" if data.amount_cents else ""
    route = await queries.route_of(proposal["network"])
    last = route.with_decision
    async with write_transaction():
        if last is not None:  # the advice that comes with the decision
            if data.advice_date is None:  # the form asks for it
                raise ReviewRefused("Vul de datum in.", field="advice_date")
            names = route.names()
            earlier = [
                (names.get(a["body"], a["body"]), a["meeting_date"])
                for a in await queries.advice_of(proposal["id"])
                if a["body"] != last.code
            ]
            if problem := decision_advice_date_problem(
                data.advice_date, decision_date, earlier, last.name, clock.today()
            ):
                raise ReviewRefused(problem, field="advice_date")
            await Advice.insert(
                Advice(
                    proposal=proposal["id"],
                    body=last.code,
                    meeting_date=data.advice_date,
                    reference=data.advice_reference,
                    advice="",
                    recorded_by=actor.user_id,
                    recorded_at=clock.now(),
                )
            )
        inserted = await Decision.insert(
            Decision(
                proposal=proposal["id"],
                version=proposal["version"],
                outcome=data.outcome,
                amount_cents=data.amount_cents if data.outcome.startswith("granted") else None,
                conditions=data.conditions,
                reasons=data.reasons,
                decision_date=decision_date,
                reference=data.reference,
                shared_advice=data.shared_advice,
                decided_by=actor.user_id,
                decided_at=clock.now(),
            )
        ).returning(Decision.id)
        if data.outcome.startswith("granted") and theme_id is not None:
            # The commitment is booked with the decision: both or neither.
            try:
                await ledger_services.commit_grant(
                    actor,
                    network_id=proposal["network"],
                    budget_year_id=proposal["budget_year_id"],
                    theme_id=theme_id,
                    proposal_id=proposal["id"],
                    title=proposal["title"],
                    region_id=proposal["region"],
                    start_date=proposal["start_date"],
                    end_date=proposal["end_date"],
                    amount_cents=data.amount_cents or 0,
                    decision_reference=data.reference,
                    decision_date=decision_date,
                    requested_by_year=await proposal_queries.requested_by_year(proposal["id"]),
                )
            except ledger_services.LedgerRefused as error:
                raise ReviewRefused(str(error)) from error
        # The letter as sent, made with the decision and the booking it reports on.
        await letters.freeze_for(proposal, inserted[0]["id"])
        await proposal_services.take_screen_step(
            actor,
            proposal,
            {Actor.coordinator},
            OUTCOME_ACTIONS[data.outcome],
            f"Besluit: {label.lower()}{amount}, {datum(decision_date)}",
            details={"outcome": data.outcome, "amount_cents": data.amount_cents},
            mails=[
                Mail(
                    to=p["email"],
                    subject=f"Besluit over '{proposal['title']}': {label.lower()}",
                    body=f"Beste {p['name']},\n\nDe gemeente {await _municipality(proposal)} "
                    f"heeft besloten over het voorstel '{proposal['title']}': "
                    f"{label.lower()}{amount}.\n\n{link}\n",
                )
                for p in [*recipients, *officers]
            ],
        )


async def _municipality(proposal: ProposalRow) -> str:
    row = (
        await Network.select(Network.coordinating_municipality)
        .where(Network.id == proposal["network"])
        .first()
    )
    return row["coordinating_municipality"] if row else ""
