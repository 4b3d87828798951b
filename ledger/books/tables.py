"""Tables of the ledger domain: budget years, their accounts, the append-only entries, projects
and their accountability reports."""

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
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import Network, Organisation, User


class AccountKind(StrEnum):
    process = "process"  # the process costs a–e
    theme = "theme"
    themes_reserve = "themes_reserve"  # the 10 % of the themes kept back
    learning = "learning"  # learning and development
    unforeseen = "unforeseen"  # the year's 10 % reserve
    # What the year keeps for the later years' parts of grants decided in earlier years.
    continuing = "continuing"


class EntryKind(StrEnum):
    budget = "budget"
    commitment = "commitment"
    advance_payment = "advance_payment"
    final_payment = "final_payment"
    realised = "realised"
    release = "release"
    recovery = "recovery"
    reserve_release = "reserve_release"
    transfer = "transfer"
    carry_over = "carry_over"


class ReportState(StrEnum):
    due = "due"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class BudgetYear(Table):
    """The SPUK grant of one network for one calendar year."""

    id: Serial

    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    spuk_amount_cents = BigInt()
    # Basis points; copied from the network's defaults when the year is created (2020: 0).
    unforeseen_reserve_bp = Integer(default=1000)
    themes_reserve_bp = Integer(default=1000)
    grant_reference = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # The SiSa accountability of this year handed to the state (due 15 July of the next year).
    sisa_submitted_on = Date(null=True, default=None)
    sisa_reference = Varchar(length=200, default="")
    # The last day this year's money may be spent (the state's grant letter says it); a project
    # that runs longer is warned about while drafting and refused at the decision.
    spend_until = Date(null=True, default=None)
    # A new random number from every booking that touches the year (`booking.book`, in the
    # booking's transaction): the ledger is append-only, so while it stays the same the year's
    # sums do too, and a process may keep them (`queries.kept_account_sums`).
    entries_stamp = BigInt(default=0)


class Account(Table, tablename="ledger_account"):
    """A line of the year's budget: a process-cost line, a theme, the themes' reserve, learning
    and development, or the year's unforeseen reserve."""

    id: Serial

    budget_year = ForeignKey(BudgetYear, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=AccountKind)
    code = Varchar(length=40)  # process_a … process_e, theme_<id>, themes_reserve, …
    name = Varchar(length=200)
    # The proposals domain's theme, for theme accounts (an id, to keep the domains apart).
    theme_id = Integer(null=True, default=None)
    position = Integer(default=0)


class Project(Table, tablename="ledger_project"):
    """A granted proposal as the ledger knows it."""

    id: Serial

    budget_year = ForeignKey(BudgetYear, null=False, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict)
    # Allocations from before the portal (Zuid-West 2020) have no proposal.
    proposal_id = Integer(unique=True, null=True, default=None)
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=300)
    region_id = Integer(null=True, default=None)
    # Who carries it out, as the budget table names it ("Midden-Holland", "Timon", …).
    recipient = Varchar(length=200, default="")
    # A direct allocation names its recipient: an organisation of the network, or an outside
    # party by its Chamber of Commerce (KvK) number, which the SPUK workbook's auditor checks.
    recipient_organisation = ForeignKey(
        Organisation, null=True, default=None, on_delete=OnDelete.restrict
    )
    recipient_kvk = Varchar(length=8, default="")
    # The body that decided (a grant's decision names it in review's Decision row).
    decided_by = Varchar(length=200, default="")
    # Set on the allocation of line d that carries the expert-fee scheme (vacatiegeldregeling):
    # what an hour of an expert is paid. A claim keeps the rate it was made at.
    fee_rate_cents = BigInt(null=True, default=None)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    advance_bp = Integer(default=8000)
    decision_reference = Varchar(length=200, default="")
    decision_date = Date(null=True, default=None)
    final_amount_cents = BigInt(null=True, default=None)
    settled_on = Date(null=True, default=None)
    # A later year's part of a multi-year grant: the project of the grant year it belongs to
    # (that one carries the proposal, the letter and the projectenbank entry).
    grant_of = Integer(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # When its retention period ended and its personal data went (ledger/projects/retention.py).
    anonymised_at = Timestamptz(null=True, default=None)


class Entry(Table, tablename="ledger_entry"):
    """One money movement. Never updated or deleted: a mistake is corrected by a reversal, an
    entry with the same accounts and the opposite sign that points at the one it reverses."""

    id: Serial

    budget_year = ForeignKey(BudgetYear, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=30, choices=EntryKind, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict, index=True)
    # The account money comes from, for transfers, reserve releases and carry-overs.
    counter_account = ForeignKey(Account, null=True, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, null=True, on_delete=OnDelete.restrict, index=True)
    amount_cents = BigInt()  # always positive; sign says whether it books or reverses
    sign = SmallInt(default=1)
    reverses: ForeignKey[Entry] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    reason = Text(default="")
    document_reference = Varchar(length=200, default="")
    booked_on = Date()
    # The year the money belongs to (the year of the spending a report accounts for), apart
    # from the day it was booked: spending of 2021 accepted in 2026 counts for 2021's SiSa.
    period_year = Integer(null=True, default=None)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class Report(Table, tablename="ledger_report"):
    """An accountability report (verantwoordingsverslag) of one project year."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    due_date = Date()
    final = Boolean(default=False)
    state = Varchar(length=20, default=ReportState.due, choices=ReportState)
    results = JSON(default="[]")  # [{"goal": …, "result": …}]
    realised_lines = JSON(
        default="[]"
    )  # [{"description": …, "budget_cents": …, "realised_cents": …}]
    realised_cents = BigInt(default=0)
    lessons_worked = Text(default="")
    lessons_not_worked = Text(default="")
    lessons_for_others = Text(default="")
    preconditions_met = Boolean(default=False)
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    reviewed_at = Timestamptz(null=True, default=None)
    return_reason = Text(default="")
    # What the region typed and saved without handing it in ("Concept opslaan"): the form's
    # fields as typed, {} when there is none. Kept beside the state rather than as a state of
    # its own: a due or returned report stays due or returned (deadlines, reminders, the SPUK
    # sheet read the state), the coordinator never sees a draft, and it books nothing.
    draft = JSON(default="{}")


class CatalogueEntry(Table):
    """A funded project as the projectenbank shows it: what it set out to do, what it achieved
    and what it learned. Rebuilt from its sources whenever they change; never edited by hand."""

    id: Serial

    project = ForeignKey(Project, null=False, unique=True, on_delete=OnDelete.cascade)
    network = ForeignKey(Network, null=False, on_delete=OnDelete.cascade, index=True)
    # Shared with every network by the coordinator once the project has finished. Indexed by
    # a raw migration (catalogue_entry_by_shared) for the "own OR shared" of every search.
    shared = Boolean(default=False)
    proposal_id = Integer(null=True, default=None)
    title = Varchar(length=300)
    summary = Text(default="")
    theme_name = Varchar(length=200, default="")
    theme_id = Integer(null=True, default=None)
    year = Integer()
    status = Varchar(length=20, default="running")  # running / finished
    functions = JSON(default="[]")
    goals = JSON(default="[]")
    region_ids = JSON(default="[]")
    region_names = Text(default="")
    organisations = Text(default="")
    period = Varchar(length=100, default="")
    granted_cents = BigInt(default=0)
    realised_cents = BigInt(default=0)
    results_text = Text(default="")
    lessons_text = Text(default="")
    # Dutch stems of all searchable text, for SQLite's FTS5 (PostgreSQL stems itself).
    stems = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ReportAttachment(Table):
    """Proof that comes with an accountability report (invoices, a procurement statement)."""

    id: Serial

    report = ForeignKey(Report, null=False, on_delete=OnDelete.cascade, index=True)
    display_name = Varchar(length=200)
    stored_name = Varchar(length=64, unique=True)
    format = Varchar(length=10)
    size = BigInt()
    sha256 = Varchar(length=64)
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    # What the privacy check warned about and the uploader confirmed ([{kind, shown, where}]).
    privacy_warnings = JSON(default="[]")


class ExpertClaim(Table, tablename="ledger_expert_claim"):
    """An expert's hours under the fee scheme (vacatiegeldregeling, process line d), paid with
    the other open claims of the scheme in one batch. The description says what the work was,
    never whose case it was about."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    expert_name = Varchar(length=200)
    work_date = Date()
    minutes = Integer()
    rate_cents = BigInt()
    amount_cents = BigInt()
    description = Varchar(length=500)
    # The payment entry that paid it, once paid; the batch is the claims of one entry.
    paid_by = ForeignKey(Entry, null=True, default=None, on_delete=OnDelete.restrict)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class LaterYearPart(Table, tablename="ledger_later_year_part"):
    """What a multi-year grant commits in a year after the grant year (DESIGN §2.10). Booked on
    that year's line for continuing grants as soon as the year is divided: at the decision if
    it is, else when it is; `booked_project` is then that year's project of the grant."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    amount_cents = BigInt()
    # The part's own period: the grant's period cut at the year's bounds.
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    booked_project = Integer(null=True, default=None)


class ProjectPart(Table, tablename="ledger_project_part"):
    """A part of an umbrella allocation, decided after the allocation itself (Bijlage 4: five
    sub-projects of Timon "nader te bepalen"). The money stays the allocation's in the books;
    the parts say what it goes to, and never add up to more than its commitment."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=300)
    amount_cents = BigInt()
    decision_reference = Varchar(length=200)
    decision_date = Date()
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class InstalmentCondition(StrEnum):
    none = "none"
    report_submitted = "report_submitted"  # e.g. "na het tussentijds verslag"
    report_accepted = "report_accepted"


class Instalment(Table, tablename="ledger_instalment"):
    """One instalment of a grant's schedule of payments (betaalschema): an amount, paid when
    its condition is met and not before its date; `payment` is the entry that paid it."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    number = Integer()
    description = Varchar(length=300)
    amount_cents = BigInt()
    condition = Varchar(length=20, default=InstalmentCondition.none, choices=InstalmentCondition)
    not_before = Date(null=True, default=None)
    payment = ForeignKey(Entry, null=True, default=None, on_delete=OnDelete.restrict)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class PaymentRequestKind(StrEnum):
    advance = "advance"  # the advance of the grant letter's schedule
    instalment = "instalment"  # a later instalment, e.g. after an interim report


class PaymentRequestState(StrEnum):
    requested = "requested"
    approved = "approved"
    refused = "refused"


class PaymentRequest(Table, tablename="ledger_payment_request"):
    """A region's request for a payment on its project, with its statement; the coordinator
    approves it (which books the payment) or refuses it with a reason."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=PaymentRequestKind)
    amount_cents = BigInt()
    statement = Text()
    requested_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz(default=TimestamptzNow())
    state = Varchar(
        length=20, default=PaymentRequestState.requested, choices=PaymentRequestState, index=True
    )
    decided_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    payment = ForeignKey(Entry, null=True, default=None, on_delete=OnDelete.restrict)
    # The instalment of the project's schedule this request is for, if any.
    instalment = ForeignKey(Instalment, null=True, default=None, on_delete=OnDelete.restrict)


class ChangeKind(StrEnum):
    period = "period"  # a later end date
    amount = "amount"  # more or less money
    budget_shift = "budget_shift"  # between the budget lines, the total unchanged


class ChangeRequest(Table, tablename="ledger_change_request"):
    """A change after award, asked by the region with its reason and decided by the coordinator
    with a change letter (wijzigingsbeschikking). What a decision books points back here."""

    id: Serial

    project = ForeignKey(Project, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=ChangeKind)
    new_end_date = Date(null=True, default=None)
    new_amount_cents = BigInt(null=True, default=None)  # the grant's new total
    reason = Text()
    requested_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz(default=TimestamptzNow())
    state = Varchar(
        length=20, default=PaymentRequestState.requested, choices=PaymentRequestState, index=True
    )
    # What the project was before the decision, for the letter and the workbook.
    old_end_date = Date(null=True, default=None)
    old_amount_cents = BigInt(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_reference = Varchar(length=200, default="")
    decision_note = Text(default="")
    entry = ForeignKey(Entry, null=True, default=None, on_delete=OnDelete.restrict)


class SisaText(Table, tablename="ledger_sisa_text"):
    """How the SiSa annex names the regulation and its indicators from a year on, as the
    beheerder sets it when the ministry changes the wording; a year without its own row takes
    the nearest earlier one. `{year}` stands for the year of the accounts (jaar T)."""

    id: Serial

    from_year = Integer(unique=True)
    regulation = Varchar(length=300)
    decision = Varchar(length=200)
    spending = Varchar(length=200)
    cumulative = Varchar(length=200)
    final = Varchar(length=200)
    explanation = Varchar(length=200)
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())
