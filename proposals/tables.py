"""Tables of the proposals domain: rounds, themes, proposals and what hangs off them."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
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

from ledger.books.tables import BudgetYear
from portal.accounts.tables import Network, Organisation, Region, User


class Round(Table, tablename="proposal_round"):
    id: Serial
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict, index=True)
    budget_year = ForeignKey(BudgetYear, null=False, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    attachment_limit_mb = Integer(default=10)
    review_deadline = Timestamptz(null=True, default=None)
    reviewers_per_proposal = Integer(default=3)
    # The criteria reviewers score, as [{"code", "label", "kind": "score"|"precondition"}].
    criteria = JSON(default="[]")
    # The network's panel as the round opened, with the round's own numbers per kind.
    panel = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())


class Theme(Table):
    id: Serial
    round = ForeignKey(Round, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=1)
    name = Varchar(length=200)
    description = Text(default="")
    guide_budget_cents = BigInt(default=0)


class ProposalState(StrEnum):
    """Where a proposal is; the moves between these are data in `proposals/rules.TRANSITIONS`."""

    draft = "draft"
    ready = "ready"
    submitted = "submitted"
    in_review = "in_review"
    advised = "advised"
    granted = "granted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Proposal(Table):
    id: Serial
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict, index=True)
    # Indexed by a raw migration (proposal_by_round): Piccolo's index=True would name the index
    # "proposal_round", which is the round table's name.
    round = ForeignKey(Round, null=False, on_delete=OnDelete.restrict)
    theme = ForeignKey(Theme, null=True, on_delete=OnDelete.set_null, index=True)
    region = ForeignKey(Region, null=True, on_delete=OnDelete.restrict, index=True)
    lead_organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    created_by = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    state = Varchar(length=30, default=ProposalState.draft, choices=ProposalState, index=True)
    # The version being worked on; frozen versions live in ProposalVersion.
    version = Integer(default=1)
    title = Varchar(length=300)
    summary = Text(default="")
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=40, default="")
    goals = Text(default="")
    results = Text(default="")
    activities = Text(default="")
    target_group = Text(default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    functions = JSON(default="[]")
    transformation_goals = JSON(default="{}")
    participating_region_ids = JSON(default="[]")
    benefiting_region_ids = JSON(default="[]")
    supra_regional_reason = Text(default="")
    innovation = Text(default="")
    extends_offer = Varchar(length=20, default="")
    extension_region = ForeignKey(Region, null=True, on_delete=OnDelete.restrict)
    extension_description = Text(default="")
    procurement_expert_name = Varchar(length=200, default="")
    procurement_expert_organisation = Varchar(length=200, default="")
    procurement_route = Varchar(length=40, default="")
    procurement_service_kind = Varchar(length=20, default="social")
    estimated_contract_value_cents = BigInt(null=True, default=None)
    procurement_policy_fit = Varchar(length=10, default="")
    procurement_notes = Text(default="")
    requested_amount_cents = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    ready_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    # When its retention period ended and its personal data went (proposals/retention.py).
    anonymised_at = Timestamptz(null=True, default=None)


class ProposalAuthor(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    added_at = Timestamptz(default=TimestamptzNow())


class BouwteamMember(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    # region / expert_team / client / research are the "vierkant"; other are further members.
    position = Varchar(length=20)
    name = Varchar(length=200, default="")
    organisation_name = Varchar(length=200, default="")
    is_kartrekker = Boolean(default=False)
    sort_order = Integer(default=0)


class BudgetLine(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    sort_order = Integer(default=0)
    kind = Varchar(length=20)
    year = Integer()
    description = Varchar(length=500)
    hours_hundredths = Integer(null=True, default=None)
    hourly_rate_cents = BigInt(null=True, default=None)
    amount_cents = BigInt()


class Attachment(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=30)
    # For a consent letter: the region that consents to the extension.
    region = ForeignKey(Region, null=True, on_delete=OnDelete.restrict)
    display_name = Varchar(length=200)
    stored_name = Varchar(length=64, unique=True)
    format = Varchar(length=10)
    size = BigInt()
    sha256 = Varchar(length=64)
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    # Removed from the draft; the file stays because a frozen version may list it.
    removed_at = Timestamptz(null=True, default=None)
    # What the privacy check warned about in the file's text and the uploader confirmed is not
    # about a client ([{kind, shown, where}]); the checklist and the submit page show it again.
    privacy_warnings = JSON(default="[]")


class ProposalVersion(Table):
    id: Serial
    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    snapshot = JSON(default="{}")
    frozen_at = Timestamptz(default=TimestamptzNow())
    frozen_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
