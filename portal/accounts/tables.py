"""Tables of the portal domain: networks and their members, sessions, audit log and outbox."""

from __future__ import annotations

from enum import Enum, StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
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


class Role(str, Enum):
    applicant = "applicant"
    region_officer = "region_officer"
    reviewer = "reviewer"
    coordinator = "coordinator"
    admin = "admin"
    # The accountant of the coordinating municipality: reads one network's books, projects,
    # reports, letters, audit log and exports, and changes nothing.
    auditor = "auditor"


class OrganisationKind(str, Enum):
    care_provider = "care_provider"
    expert_team = "expert_team"
    municipality = "municipality"
    knowledge_institute = "knowledge_institute"
    client_organisation = "client_organisation"


class TokenPurpose(str, Enum):
    reset = "reset"
    invitation = "invitation"


class GrantBooking(StrEnum):
    """Where a grant whose budget runs over several years is committed."""

    per_year = "per_year"  # each year's part in that year's budget (DESIGN §2.10)
    grant_year = "grant_year"  # all in the year of the decision; later spending carried over


GRANT_BOOKING_LABELS: dict[str, str] = {
    GrantBooking.per_year: "Per jaar: elk jaar van een meerjarige toekenning komt ten laste van "
    "de begroting van dat jaar",
    GrantBooking.grant_year: "In het toekenningsjaar: de hele toekenning ten laste van het jaar "
    "van het besluit; wat later wordt besteed, hevelt de coördinator over",
}


class Network(Table):
    id: Serial
    name = Varchar(length=200)
    slug = Varchar(length=60, unique=True)
    coordinating_municipality = Varchar(length=200)
    # Basis points (1000 = 10 %): the default reserve percentages a new budget year starts with.
    unforeseen_reserve_bp = Integer(default=1000)
    themes_reserve_bp = Integer(default=1000)
    grant_booking = Varchar(length=20, default=GrantBooking.per_year, choices=GrantBooking)
    # What reviewers score proposals on (proposals/criteria.py); empty: Zuid-West's default.
    # A round copies the set it opens with.
    criteria = JSON(default="[]")
    # Who advises and who decides, in the network's words (review/route.py); empty: Zuid-West's.
    decision_route = JSON(default="{}")
    # Per eligibility rule how the network applies it: "off", "warn" or "block"
    # (proposals/eligibility.py); a rule not named applies as the portal's default.
    eligibility = JSON(default="{}")
    # The letters' letterhead and signature: {"address", "signatory", "function"}.
    letterhead = JSON(default="{}")
    # The kinds of reviewer and how many of each a proposal needs (portal/accounts/panel.py);
    # empty: Zuid-West's AO members and chairs. A round copies it.
    panel = JSON(default="[]")
    # The texts of its letters by kind, {"grant": {"subject", "body"}, …}
    # (portal/accounts/letter_texts.py); a kind not named: the default text.
    letters = JSON(default="{}")
    # The letterhead's logo as a PNG data URI, re-encoded from the upload (portal/lib/letters).
    logo = Text(default="")


class Region(Table):
    id: Serial
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)


class Organisation(Table):
    id: Serial
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    kind = Varchar(length=30, choices=OrganisationKind)
    region = ForeignKey(Region, null=True, on_delete=OnDelete.set_null)


class User(Table, tablename="portal_user"):
    id: Serial
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    # Empty until an invited user sets a password.
    password_hash = Text(default="")
    active = Boolean(default=True)
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # Two-factor log-in (TOTP). The secret is set when enrolment starts and counts only once
    # totp_enabled_at is set; totp_last_step is the last time step accepted, so that a code
    # cannot be used twice (RFC 6238, section 5.2).
    totp_secret = Varchar(length=64, default="")
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = Integer(default=0)
    # Set when the person was erased (by the beheerder or at the end of the account's retention
    # period, portal/accounts/erasure.py): the row stays for what refers to it, without them.
    erased_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table):
    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    # Only the SHA-256 of the code: a leaked table gives no way in.
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SessionStage(str, Enum):
    full = "full"
    # Password accepted; the code from the authenticator app (or a recovery code) is awaited.
    code = "code"
    # Password accepted; the role requires two-factor log-in and it is not set up yet.
    enrol = "enrol"


class Membership(Table):
    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    # An admin membership without a network administers the whole installation.
    network = ForeignKey(Network, null=True, on_delete=OnDelete.cascade)
    role = Varchar(length=20, choices=Role)
    # A reviewer's kind: a code of the network's panel (portal/accounts/panel.py), "" for others.
    reviewer_kind = Varchar(length=20, default="")
    region = ForeignKey(Region, null=True, on_delete=OnDelete.restrict)
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class UserSession(Table, tablename="portal_session"):
    id: Serial
    # Only the SHA-256 of the cookie value is stored: a leaked table opens no session.
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    # Only a full session makes a logged-in user; the others open just the two-factor step.
    stage = Varchar(length=10, choices=SessionStage, default="full")
    code_failures = Integer(default=0)


class LoginThrottle(Table):
    id: Serial
    # Keyed by the e-mail typed, known or not, so that lockout does not reveal who has an account.
    email = Varchar(length=254, unique=True)
    failures = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)


class AccountToken(Table):
    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    purpose = Varchar(length=20, choices=TokenPurpose)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AuditEvent(Table):
    id: Serial
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    network = ForeignKey(Network, null=True, on_delete=OnDelete.cascade)
    action = Varchar(length=80)
    object_type = Varchar(length=60)
    object_id = Varchar(length=60, index=True)
    # The Dutch line a timeline shows; details keep the machine-readable facts.
    summary = Text()
    details = JSON(default="{}")


class OutboxMessage(Table):
    id: Serial
    created_at = Timestamptz(default=TimestamptzNow())
    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")


class FormSubmission(Table):
    """A form's one-time key, consumed in the transaction of the form's effect: a second post of
    the same form (double-click, retry, a second tab of the same page) finds it and does nothing.
    `location` is where the first post sent the browser, so a repeat can send it there too."""

    id: Serial

    key = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    location = Varchar(length=2000, default="")


class RetentionPeriod(Table):
    """The beheerder's period for one kind of record (portal/accounts/retention.KINDS); a kind
    without a row keeps its default. For the whole installation."""

    id: Serial
    kind = Varchar(length=40, unique=True)
    months = Integer()
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)


class Letter(Table):
    """A letter as sent: made in the transaction that decides (the grant, the change, the
    settlement), as HTML from the network's text and letterhead of that moment, and printed to
    PDF once. It never changes afterwards: editing the texts or the letterhead later, or a
    correction of the project, makes no old letter say something else."""

    id: Serial
    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # portal/accounts/letter_texts.LetterKind
    # What it is about: ("decision", id), ("change", id), ("project", id) for a settlement.
    object_type = Varchar(length=20)
    object_id = Integer(index=True)
    subject = Varchar(length=300)
    html = Text()
    pdf = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
