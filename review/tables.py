"""Tables of the review domain: reviews (assignment and scores), conflicts, questions, advice
and decisions."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    BigInt,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from proposals.tables import Proposal


class ReviewState(StrEnum):
    assigned = "assigned"  # nothing scored yet
    draft = "draft"  # scores saved, not handed in
    submitted = "submitted"  # handed in; reopened by the coordinator back to draft


REVIEW_STATE_LABELS: dict[str, str] = {
    ReviewState.assigned: "toegewezen",
    ReviewState.draft: "concept",
    ReviewState.submitted: "ingediend",
}


class Review(Table):
    """One reviewer on one version of a proposal: the assignment and, later, the scores."""

    id: Serial

    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    reviewer = ForeignKey(User, null=False, on_delete=OnDelete.restrict, index=True)
    version = Integer(default=1)
    state = Varchar(length=20, default=ReviewState.assigned, choices=ReviewState)
    assigned_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    assigned_at = Timestamptz(default=TimestamptzNow())
    # The round's criteria by code: a score 1–5 or voldoet / voldoet_niet / onduidelijk, and
    # the reviewer's motivation of each (proposals/criteria.py).
    scores = JSON(default="{}")
    notes = JSON(default="{}")
    recommendation = Varchar(length=40, default="")
    advice = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)


class ConflictDeclaration(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    reviewer = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20)  # own_region / own_organisation / personal / other
    reason = Text(default="")
    declared_at = Timestamptz(default=TimestamptzNow())


class Question(Table):
    """A clarification question to the applicants, and their answer."""

    id: Serial

    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    asked_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    question = Text()
    asked_at = Timestamptz(default=TimestamptzNow())
    answer = Text(default="")
    answered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class Advice(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    body = Varchar(length=20)  # ao_chairs / ambassadors
    meeting_date = Date()
    reference = Varchar(length=200, default="")
    advice = Text(default="")
    # Why this advice did not wait for every assigned review; empty when they were all in.
    open_reviews_reason = Text(default="")
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())


class Decision(Table):
    """The coordinating municipality's decision on one version of a proposal."""

    id: Serial

    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    version = Integer(default=1)
    outcome = Varchar(length=30)  # granted / granted_with_conditions / returned / rejected
    amount_cents = BigInt(null=True, default=None)
    conditions = Text(default="")
    reasons = Text(default="")
    decision_date = Date()
    reference = Varchar(length=200, default="")
    # What the applicants may read of the advice; reviewers stay anonymous.
    shared_advice = Text(default="")
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(default=TimestamptzNow())
