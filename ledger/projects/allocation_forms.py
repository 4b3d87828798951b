"""The form of a direct allocation (DESIGN §2.10): money on a budget line by a decision of the
coordinating municipality, without a proposal. Pure: the choices come in, the parsed
allocation or the Dutch messages per field go out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from litestar.datastructures import FormMultiDict

from ledger.books.tables import AccountKind
from portal.lib.forms import MAX_ID, date_field, money_field, text, whole_number

# Lines that take an allocation. The reserves do not: their money reaches a line by a reserve
# release first, which is its own decision with its own checks.
ALLOCATABLE_KINDS = frozenset({AccountKind.process, AccountKind.learning, AccountKind.theme})

OUTSIDE = "buiten"  # the recipient choice for a party that is not an organisation of the network
_KVK = re.compile(r"\d{8}", re.ASCII)


@dataclass(frozen=True)
class Recipient:
    """Someone of the network the money can go to: an organisation, or a youth region (its
    central municipality carries the project out, and the region's officers report on it)."""

    name: str
    organisation_id: int | None = None
    region_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name} (jeugdhulpregio)" if self.organisation_id is None else self.name


@dataclass(frozen=True)
class AllocationInput:
    title: str
    account_id: int
    organisation_id: int | None  # with region_id None: an outside party
    region_id: int | None
    recipient: str  # the name the ledger, the letters and the workbook show
    recipient_kvk: str
    amount_cents: int
    start_date: dt.date
    end_date: dt.date
    decision_reference: str
    decision_date: dt.date
    decided_by: str


def parse_allocation(
    form: FormMultiDict,
    *,
    accounts: dict[int, str],
    recipients: dict[str, Recipient],
    today: dt.date,
) -> tuple[AllocationInput | None, dict[str, str]]:
    """`accounts` maps the lines this person may pick to their names, `recipients` the choices
    of the recipient list (besides OUTSIDE). Every problem is reported at once, each on its own
    field."""
    errors: dict[str, str] = {}

    title = text(form, "title", 300, errors)
    if not title:
        errors["title"] = "Geef de toewijzing een naam, bijvoorbeeld 'Projectleider 2021'."

    account_id = whole_number(text(form, "account"), maximum=MAX_ID)
    if account_id not in accounts:
        errors["account"] = "Kies de begrotingspost waarop het geld wordt toegewezen."

    chosen = Recipient("")
    kvk = text(form, "recipient_kvk", 20, errors).replace(" ", "").replace(".", "")
    choice = text(form, "recipient_choice")
    if choice == OUTSIDE:
        chosen = Recipient(text(form, "recipient_name", 200, errors))
        if not chosen.name:
            errors["recipient_name"] = (
                "Vul de naam van de ontvanger in: die is verplicht bij een andere partij."
            )
        if not kvk:
            errors["recipient_kvk"] = (
                "Vul het KvK-nummer van de ontvanger in (8 cijfers): dat is verplicht bij een "
                "andere partij."
            )
    elif choice in recipients:
        chosen = recipients[choice]
    else:
        errors["recipient_choice"] = (
            "Kies een organisatie of regio van het netwerk, of 'Een andere partij' met naam en "
            "KvK-nummer."
        )
    if kvk and not _KVK.fullmatch(kvk):
        errors["recipient_kvk"] = "Een KvK-nummer heeft 8 cijfers, bijvoorbeeld 24370565."

    amount_cents = money_field(form, "amount", errors, positive=True) or 0

    start = date_field(form, "start_date", errors, "Vul de begindatum van de periode in.")
    end = date_field(form, "end_date", errors, "Vul de einddatum van de periode in.")
    if start and end and end < start:
        errors["end_date"] = "De einddatum ligt voor de begindatum."

    reference = text(form, "decision_reference", 200, errors)
    if not reference:
        errors["decision_reference"] = "Vul het kenmerk van het besluit in."
    decided = date_field(form, "decision_date", errors, "Vul de datum van het besluit in.")
    if decided and decided > today:
        errors["decision_date"] = "De datum van het besluit ligt in de toekomst."
    decided_by = text(form, "decided_by", 200, errors)
    if not decided_by:
        errors["decided_by"] = "Vul in wie besloot, bijvoorbeeld 'College van B&W Rotterdam'."

    if errors or account_id is None or start is None or end is None or decided is None:
        return None, errors
    return (
        AllocationInput(
            title=title,
            account_id=account_id,
            organisation_id=chosen.organisation_id,
            region_id=chosen.region_id,
            recipient=chosen.name,
            recipient_kvk=kvk,
            amount_cents=amount_cents,
            start_date=start,
            end_date=end,
            decision_reference=reference,
            decision_date=decided,
            decided_by=decided_by,
        ),
        {},
    )
