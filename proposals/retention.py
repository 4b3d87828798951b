"""What the end of a retention period means for a proposal (portal/accounts/retention.py).

A rejected or withdrawn proposal (kind `closed_proposal`, counted from the day it was closed:
its last change of state, `updated_at`) loses everything but its title, region, theme and
figures: contact, bouwteam, texts, the frozen versions' copies of them and its attachments. A
granted proposal goes with its settled project (ledger/projects/retention.py), which asks only
for the personal part: the contact, the names and the attachments; the texts stay for the
projectenbank. Either way the proposal is marked `anonymised_at`, and a second run skips it.

A person's erasure blanks the contact fields that are theirs (`blank_contact`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.accounts.erasure import register_person_hook
from portal.accounts.retention import MARKER, Due, Keeper, Removed, RetentionKind
from portal.accounts.retention import register as register_keeper
from portal.lib.db import lock_row
from proposals.rules import FREE_TEXT_COLUMNS
from proposals.tables import Attachment, BouwteamMember, Proposal, ProposalState, ProposalVersion

CLOSED_STATES = (ProposalState.rejected.value, ProposalState.withdrawn.value)

# Columns that name or reach a person.
PERSONAL_COLUMNS: dict[str, str] = {
    "contact_name": MARKER,
    "contact_email": "",
    "contact_phone": "",
    "procurement_expert_name": MARKER,
}
# Free text that may identify people; a closed proposal loses it too.
TEXT_COLUMNS = FREE_TEXT_COLUMNS
# The same in a frozen version's snapshot (proposals/queries.snapshot).
PERSONAL_SNAPSHOT_KEYS = ("contact", "bouwteam", "procurement", "attachments")
TEXT_SNAPSHOT_KEYS = (
    "summary",
    "goals",
    "results",
    "activities",
    "target_group",
    "transformation_goals",
    "supra_regional_reason",
    "innovation",
    "extension",
)


def _blanked(value: Any) -> Any:
    if isinstance(value, list):
        return [MARKER for _ in value]
    return MARKER if value else value


def anonymised_snapshot(snapshot: dict, *, texts: bool) -> dict:
    keys = PERSONAL_SNAPSHOT_KEYS + (TEXT_SNAPSHOT_KEYS if texts else ())
    return {k: (_blanked(v) if k in keys else v) for k, v in snapshot.items()}


async def anonymise_proposal(proposal_id: int, now: dt.datetime, *, texts: bool) -> Removed:
    """Inside the caller's write transaction. `texts`: the free text goes too (a closed
    proposal). The attachments' rows go; their files are in `Removed.files` for the caller to
    delete once committed."""
    removed = Removed()
    row = await Proposal.select().where(Proposal.id == proposal_id).output(load_json=True).first()
    if row is None or row["anonymised_at"] is not None:
        return removed
    columns = dict(PERSONAL_COLUMNS)
    if texts:
        columns.update({c: MARKER for c in TEXT_COLUMNS})
    values: dict[Any, Any] = {
        Proposal._meta.get_column_by_name(c): v for c, v in columns.items() if row[c]
    }
    if any(c in PERSONAL_COLUMNS for c in columns if row[c]):
        removed.add("contact")
    if texts and any(row[c] for c in TEXT_COLUMNS):
        removed.add("texts")
    if texts and row["transformation_goals"]:
        values[Proposal.transformation_goals] = {k: MARKER for k in row["transformation_goals"]}
    values[Proposal.anonymised_at] = now
    await Proposal.update(values).where(Proposal.id == proposal_id)
    members = (
        await BouwteamMember.update({BouwteamMember.name: MARKER})
        .where((BouwteamMember.proposal == proposal_id) & (BouwteamMember.name != ""))
        .returning(BouwteamMember.id)
    )
    removed.add("bouwteam", len(members))
    versions = (
        await ProposalVersion.select(ProposalVersion.id, ProposalVersion.snapshot)
        .where(ProposalVersion.proposal == proposal_id)
        .output(load_json=True)
    )
    for version in versions:
        await ProposalVersion.update(
            {ProposalVersion.snapshot: anonymised_snapshot(version["snapshot"], texts=texts)}
        ).where(ProposalVersion.id == version["id"])
    removed.add("versions", len(versions))
    attachments = (
        await Attachment.delete()
        .where(Attachment.proposal == proposal_id)
        .returning(Attachment.stored_name)
    )
    removed.add("attachments", len(attachments))
    removed.files.extend(a["stored_name"] for a in attachments)
    return removed


# --- the closed_proposal kind -----------------------------------------------------------------


def _closed() -> Any:
    return Proposal.state.is_in(list(CLOSED_STATES)) & Proposal.anonymised_at.is_null()


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


async def due_closed(day: dt.date) -> list[Due]:
    """Rejected and withdrawn proposals closed on or before `day`."""
    rows = await Proposal.select(Proposal.id, Proposal.network).where(
        _closed() & (Proposal.updated_at < _end_of(day))
    )
    return [
        Due(RetentionKind.closed_proposal, "proposal", r["id"], r["network"], f"Voorstel {r['id']}")
        for r in rows
    ]


async def anonymise_closed(proposal_id: int, day: dt.date, now: dt.datetime) -> Removed | None:
    await lock_row(Proposal, proposal_id)
    still = await Proposal.exists().where(
        (Proposal.id == proposal_id) & _closed() & (Proposal.updated_at < _end_of(day))
    )
    if not still:
        return None
    return await anonymise_proposal(proposal_id, now, texts=True)


CLOSED_PROPOSALS = Keeper(RetentionKind.closed_proposal, due_closed, anonymise_closed)


# --- a person's erasure ---------------------------------------------------------------------


async def blank_contact(user_id: int, name: str, email: str) -> Removed:
    """The proposals whose contact is this person (by e-mail address, or by name) lose it."""
    removed = Removed()
    email = email.strip().lower()
    rows = await Proposal.select(Proposal.id, Proposal.contact_name, Proposal.contact_email).where(
        (Proposal.contact_email != "") | (Proposal.contact_name != "")
    )
    # Compared here, not with LIKE: an address may hold "_" or "%".
    ids = [
        r["id"]
        for r in rows
        if (email and r["contact_email"].strip().lower() == email)
        or (name and r["contact_name"].strip() == name.strip())
    ]
    if ids:
        await Proposal.update(
            {Proposal.contact_name: "", Proposal.contact_email: "", Proposal.contact_phone: ""}
        ).where(Proposal.id.is_in(ids))
    removed.add("proposal_contacts", len(ids))
    return removed


def register() -> None:
    register_keeper(CLOSED_PROPOSALS)
    register_person_hook(blank_contact)
