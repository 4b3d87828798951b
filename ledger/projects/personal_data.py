"""What the ledger and its projects hold about a person, for their download (Mijn gegevens,
`portal/accounts/personal_data.py`): the accountability reports they handed in or judged, the
attachments they added to them, the payment and change requests they made or decided, and the
entries they booked.

A report's texts are the region's, handed in by the person: they come with the report the
person handed in, not with one they only judged (then only their judgement).
"""

from __future__ import annotations

from ledger.books.rules import ENTRY_KINDS, REPORT_STATE_LABELS
from ledger.books.tables import ChangeRequest, Entry, PaymentRequest, Report, ReportAttachment
from ledger.projects import changes, payment_requests
from portal.accounts.personal_data import Part, Person, register


async def _reports(user_id: int) -> list[dict]:
    found = []
    for row in (
        await Report.select(
            Report.id,
            Report.project.title.as_alias("project_title"),
            Report.year,
            Report.state,
            Report.submitted_by,
            Report.submitted_at,
            Report.reviewed_by,
            Report.reviewed_at,
            Report.results,
            Report.lessons_worked,
            Report.lessons_not_worked,
            Report.lessons_for_others,
            Report.return_reason,
        )
        .where((Report.submitted_by == user_id) | (Report.reviewed_by == user_id))
        .order_by(Report.id)
        .output(load_json=True)
    ):
        handed_in = row["submitted_by"] == user_id
        judged = row["reviewed_by"] == user_id
        found.append(
            {
                "Verslag": row["id"],
                "Project": row["project_title"],
                "Jaar": row["year"],
                "Stand": REPORT_STATE_LABELS.get(row["state"], row["state"]),
                "Ingediend door u": row["submitted_at"] if handed_in else None,
                "Resultaten": "\n".join(
                    f"{r.get('goal', '')}: {r.get('result', '')}" for r in row["results"] or []
                )
                if handed_in
                else "",
                "Wat werkte": row["lessons_worked"] if handed_in else "",
                "Wat niet werkte": row["lessons_not_worked"] if handed_in else "",
                "Lessen voor anderen": row["lessons_for_others"] if handed_in else "",
                "Beoordeeld door u": row["reviewed_at"] if judged else None,
                "Reden van terugsturen": row["return_reason"] if judged else "",
            }
        )
    return found


async def parts_of(person: Person) -> list[Part]:
    user_id = person.id
    attachments = [
        {
            "Verslag": row["report"],
            "Bestand": row["display_name"],
            "Toegevoegd": row["uploaded_at"],
        }
        for row in await ReportAttachment.select(
            ReportAttachment.report, ReportAttachment.display_name, ReportAttachment.uploaded_at
        )
        .where(ReportAttachment.uploaded_by == user_id)
        .order_by(ReportAttachment.id)
    ]
    payments = [
        {
            "Project": row["project_title"],
            "Soort": payment_requests.KIND_LABELS.get(row["kind"], row["kind"]),
            "Bedrag (cent)": row["amount_cents"],
            "Stand": payment_requests.STATE_LABELS.get(row["state"], row["state"]),
            "Aangevraagd door u": row["requested_at"] if row["requested_by"] == user_id else None,
            "Toelichting": row["statement"] if row["requested_by"] == user_id else "",
            "Besloten door u": row["decided_at"] if row["decided_by"] == user_id else None,
            "Notitie bij het besluit": row["decision_note"] if row["decided_by"] == user_id else "",
        }
        for row in await PaymentRequest.select(
            PaymentRequest.project.title.as_alias("project_title"),
            PaymentRequest.kind,
            PaymentRequest.amount_cents,
            PaymentRequest.state,
            PaymentRequest.requested_by,
            PaymentRequest.requested_at,
            PaymentRequest.statement,
            PaymentRequest.decided_by,
            PaymentRequest.decided_at,
            PaymentRequest.decision_note,
        )
        .where((PaymentRequest.requested_by == user_id) | (PaymentRequest.decided_by == user_id))
        .order_by(PaymentRequest.id)
    ]
    change_requests = [
        {
            "Project": row["project_title"],
            "Soort": changes.KIND_LABELS.get(row["kind"], row["kind"]),
            "Stand": payment_requests.STATE_LABELS.get(row["state"], row["state"]),
            "Aangevraagd door u": row["requested_at"] if row["requested_by"] == user_id else None,
            "Reden": row["reason"] if row["requested_by"] == user_id else "",
            "Besloten door u": row["decided_at"] if row["decided_by"] == user_id else None,
            "Notitie bij het besluit": row["decision_note"] if row["decided_by"] == user_id else "",
        }
        for row in await ChangeRequest.select(
            ChangeRequest.project.title.as_alias("project_title"),
            ChangeRequest.kind,
            ChangeRequest.state,
            ChangeRequest.requested_by,
            ChangeRequest.requested_at,
            ChangeRequest.reason,
            ChangeRequest.decided_by,
            ChangeRequest.decided_at,
            ChangeRequest.decision_note,
        )
        .where((ChangeRequest.requested_by == user_id) | (ChangeRequest.decided_by == user_id))
        .order_by(ChangeRequest.id)
    ]
    entries = [
        {
            "Geboekt op": row["booked_on"],
            "Soort": ENTRY_KINDS.get(row["kind"], row["kind"]),
            "Bedrag (cent)": row["amount_cents"] * row["sign"],
            "Kenmerk": row["document_reference"],
            "Reden": row["reason"],
            "Vastgelegd": row["created_at"],
        }
        for row in await Entry.select(
            Entry.booked_on,
            Entry.kind,
            Entry.amount_cents,
            Entry.sign,
            Entry.document_reference,
            Entry.reason,
            Entry.created_at,
        )
        .where(Entry.created_by == user_id)
        .order_by(Entry.id)
    ]
    return [
        Part(
            "verslagen",
            "Verantwoordingsverslagen",
            "Verslagen die u indiende (met wat u schreef) of beoordeelde (met uw oordeel).",
            await _reports(user_id),
        ),
        Part(
            "verslagbijlagen",
            "Bijlagen bij verslagen",
            "Bestanden die u bij een verslag voegde (de naam, niet de inhoud).",
            attachments,
        ),
        Part(
            "betaalverzoeken",
            "Betaalverzoeken",
            "Betaalverzoeken die u deed of waarover u besloot.",
            payments,
        ),
        Part(
            "wijzigingsverzoeken",
            "Wijzigingsverzoeken",
            "Wijzigingen na toekenning die u vroeg of waarover u besloot.",
            change_requests,
        ),
        Part(
            "boekingen",
            "Boekingen",
            "Boekingen in de begroting die u vastlegde.",
            entries,
        ),
    ]


def register_personal_data() -> None:
    register(parts_of)
