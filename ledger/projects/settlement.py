"""The final amount of a grant (vaststelling, DESIGN §2.7) and the advance payment.

verleningsbeschikking (the commitment) → voorschot (advance) → accountability report →
vaststellingsbeschikking (the final amount) → nabetaling (the rest) or terugvordering (recovery).

All amounts are integer cents. Pure functions: the service books the result into the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.lib.money import format_euros

# 100 % in basis points.
FULL_BP = 10_000


@dataclass(frozen=True)
class Settlement:
    final_cents: int  # the final amount (vastgesteld bedrag)
    realised_cents: int  # realised spending to book now (final minus what earlier years booked)
    release_cents: int  # committed but not spent: goes back to its theme/category (vrijval)
    recovery_cents: int  # paid beyond the final amount (terugvordering)
    final_payment_cents: int  # the rest still to pay (nabetaling)


class SettlementError(ValueError):
    """Why a final amount cannot be set; the text is Dutch and shown to the coordinator."""


def settle(
    committed_cents: int,
    paid_cents: int,
    reported_cents: int,
    final_cents: int | None = None,
    already_realised_cents: int = 0,
) -> Settlement:
    """Settle a grant: the final amount and what follows from it.

    `final_cents` defaults to the reported spending, capped at the commitment. A coordinator may
    set it lower (activities not carried out, conditions not met), never above the commitment or
    the reported spending. `already_realised_cents` is what earlier annual reports of a
    multi-year project already booked as realised; only the difference is booked now.
    """
    _refuse_negative("De verplichting", committed_cents)
    _refuse_negative("Het betaalde bedrag", paid_cents)
    _refuse_negative("De verantwoorde uitgaven", reported_cents)
    _refuse_negative("Het al gerealiseerde bedrag", already_realised_cents)

    if final_cents is None:
        final_cents = min(reported_cents, committed_cents)
    _refuse_negative("Het vastgestelde bedrag", final_cents)
    if final_cents > committed_cents:
        raise SettlementError(
            f"Het vastgestelde bedrag ({format_euros(final_cents)}) is hoger dan de verplichting "
            f"({format_euros(committed_cents)})."
        )
    if final_cents > reported_cents:
        raise SettlementError(
            f"Het vastgestelde bedrag ({format_euros(final_cents)}) is hoger dan de verantwoorde "
            f"uitgaven ({format_euros(reported_cents)})."
        )
    if already_realised_cents > final_cents:
        raise SettlementError(
            f"Eerdere verslagen hebben al {format_euros(already_realised_cents)} als gerealiseerd "
            f"geboekt; dat is meer dan het vastgestelde bedrag ({format_euros(final_cents)})."
        )

    overpaid = paid_cents - final_cents
    return Settlement(
        final_cents=final_cents,
        realised_cents=final_cents - already_realised_cents,
        release_cents=committed_cents - final_cents,
        recovery_cents=max(overpaid, 0),
        final_payment_cents=max(-overpaid, 0),
    )


def advance_cents(committed_cents: int, advance_bp: int) -> int:
    """The advance payment: `advance_bp` basis points (8000 = 80 %) of the commitment.

    Rounded down to the cent, so an advance never exceeds its share.
    """
    _refuse_negative("De verplichting", committed_cents)
    if not 0 <= advance_bp <= FULL_BP:
        raise SettlementError(
            f"Het voorschot moet tussen 0 % en 100 % liggen, niet {format_percentage(advance_bp)}."
        )
    return committed_cents * advance_bp // FULL_BP


def default_schedule_text(advance_bp: int) -> str:
    """Dutch payment schedule: '80 % bij verlening, de rest na vaststelling'."""
    if not 0 <= advance_bp <= FULL_BP:
        raise SettlementError(
            f"Het voorschot moet tussen 0 % en 100 % liggen, niet {format_percentage(advance_bp)}."
        )
    if advance_bp == 0:
        return "Betaling na vaststelling"
    if advance_bp == FULL_BP:
        return "100 % bij verlening, verrekening na vaststelling"
    return f"{format_percentage(advance_bp)} bij verlening, de rest na vaststelling"


def format_percentage(basis_points: int) -> str:
    """Basis points as a Dutch percentage: 8000 -> '80 %', 1250 -> '12,5 %', 1 -> '0,01 %'."""
    sign = "-" if basis_points < 0 else ""
    whole, rest = divmod(abs(basis_points), 100)
    fraction = f",{rest:02d}".rstrip("0") if rest else ""
    return f"{sign}{whole}{fraction} %"


def _refuse_negative(what: str, cents: int) -> None:
    if cents < 0:
        raise SettlementError(f"{what} kan niet negatief zijn ({format_euros(cents)}).")
