from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.projects.settlement import (
    Settlement,
    SettlementError,
    advance_cents,
    default_schedule_text,
    format_percentage,
    settle,
)

EURO = 100


# --- hand-computed cases: commitment € 10.000, advance 80 % = € 8.000 -----------------------


def test_spent_a_little_less_than_committed() -> None:
    assert settle(10_000 * EURO, 8_000 * EURO, 9_500 * EURO) == Settlement(
        final_cents=9_500 * EURO,
        realised_cents=9_500 * EURO,
        release_cents=500 * EURO,
        recovery_cents=0,
        final_payment_cents=1_500 * EURO,
    )


def test_spent_less_than_the_advance() -> None:
    assert settle(10_000 * EURO, 8_000 * EURO, 7_000 * EURO) == Settlement(
        final_cents=7_000 * EURO,
        realised_cents=7_000 * EURO,
        release_cents=3_000 * EURO,
        recovery_cents=1_000 * EURO,
        final_payment_cents=0,
    )


def test_spent_more_than_committed_is_capped() -> None:
    assert settle(10_000 * EURO, 8_000 * EURO, 12_000 * EURO) == Settlement(
        final_cents=10_000 * EURO,
        realised_cents=10_000 * EURO,
        release_cents=0,
        recovery_cents=0,
        final_payment_cents=2_000 * EURO,
    )


def test_coordinator_sets_a_lower_final_amount() -> None:
    assert settle(10_000 * EURO, 8_000 * EURO, 9_000 * EURO, final_cents=6_000 * EURO) == (
        Settlement(
            final_cents=6_000 * EURO,
            realised_cents=6_000 * EURO,
            release_cents=4_000 * EURO,
            recovery_cents=2_000 * EURO,
            final_payment_cents=0,
        )
    )


def test_paid_exactly_the_final_amount() -> None:
    result = settle(10_000 * EURO, 9_000 * EURO, 9_000 * EURO)
    assert (result.recovery_cents, result.final_payment_cents) == (0, 0)


def test_nothing_spent_releases_everything() -> None:
    result = settle(10_000 * EURO, 8_000 * EURO, 0)
    assert result.final_cents == 0
    assert result.release_cents == 10_000 * EURO
    assert result.recovery_cents == 8_000 * EURO


def test_multi_year_books_only_what_earlier_reports_did_not() -> None:
    result = settle(10_000 * EURO, 8_000 * EURO, 9_500 * EURO, already_realised_cents=4_000 * EURO)
    assert result.final_cents == 9_500 * EURO
    assert result.realised_cents == 5_500 * EURO
    assert result.release_cents == 500 * EURO


# --- refusals, in Dutch naming the figures --------------------------------------------------


def test_refuse_final_above_commitment() -> None:
    with pytest.raises(SettlementError) as error:
        settle(10_000 * EURO, 8_000 * EURO, 12_000 * EURO, final_cents=12_000 * EURO)
    assert str(error.value) == (
        "Het vastgestelde bedrag (€ 12.000,00) is hoger dan de verplichting (€ 10.000,00)."
    )


def test_refuse_final_above_reported() -> None:
    with pytest.raises(SettlementError) as error:
        settle(10_000 * EURO, 8_000 * EURO, 9_000 * EURO, final_cents=9_500 * EURO)
    assert "€ 9.500,00" in str(error.value)
    assert "verantwoorde uitgaven (€ 9.000,00)" in str(error.value)


def test_refuse_negative_final() -> None:
    with pytest.raises(SettlementError, match="negatief"):
        settle(10_000 * EURO, 8_000 * EURO, 9_000 * EURO, final_cents=-1)


@pytest.mark.parametrize(
    ("committed", "paid", "reported", "already"),
    [(-1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0), (10, 0, 10, -1)],
)
def test_refuse_negative_inputs(committed: int, paid: int, reported: int, already: int) -> None:
    with pytest.raises(SettlementError, match="negatief"):
        settle(committed, paid, reported, already_realised_cents=already)


def test_refuse_final_below_what_was_already_realised() -> None:
    with pytest.raises(SettlementError) as error:
        settle(
            10_000 * EURO,
            8_000 * EURO,
            9_000 * EURO,
            final_cents=3_000 * EURO,
            already_realised_cents=4_000 * EURO,
        )
    assert "€ 4.000,00" in str(error.value) and "€ 3.000,00" in str(error.value)


def test_settlement_error_is_a_value_error() -> None:
    assert issubclass(SettlementError, ValueError)


# --- invariants -----------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**11)


@given(amounts, amounts, amounts, st.data())
def test_settlement_invariants(
    committed: int, paid: int, reported: int, data: st.DataObject
) -> None:
    assume(paid <= committed)  # the ledger never pays beyond the commitment
    ceiling = min(committed, reported)
    final = data.draw(st.none() | st.integers(min_value=0, max_value=ceiling))
    already = data.draw(st.integers(min_value=0, max_value=final if final is not None else ceiling))
    result = settle(committed, paid, reported, final_cents=final, already_realised_cents=already)

    assert result.final_cents == (ceiling if final is None else final)
    assert 0 <= result.final_cents <= committed
    assert result.final_cents <= reported
    assert result.release_cents + result.final_cents == committed
    assert paid - result.recovery_cents + result.final_payment_cents == result.final_cents
    assert not (result.recovery_cents > 0 and result.final_payment_cents > 0)
    assert min(result.recovery_cents, result.final_payment_cents, result.release_cents) >= 0
    assert result.realised_cents + already == result.final_cents
    assert all(isinstance(value, int) for value in vars(result).values())


@given(amounts, amounts, amounts)
def test_settlement_works_even_when_paid_beyond_commitment(
    committed: int, paid: int, reported: int
) -> None:
    result = settle(committed, paid, reported)
    assert paid - result.recovery_cents + result.final_payment_cents == result.final_cents
    assert result.release_cents + result.final_cents == committed


# --- advance --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("committed", "basis_points", "advance"),
    [
        (10_000 * EURO, 8000, 8_000 * EURO),
        (10_000 * EURO, 10_000, 10_000 * EURO),
        (10_000 * EURO, 0, 0),
        (1, 8000, 0),  # 0,8 cent rounds down
        (333, 5000, 166),  # 1,665 euro rounds down to 1,66
        (99_999, 8000, 79_999),
    ],
)
def test_advance_rounds_down(committed: int, basis_points: int, advance: int) -> None:
    assert advance_cents(committed, basis_points) == advance


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_advance_never_exceeds_its_share(committed: int, basis_points: int) -> None:
    advance = advance_cents(committed, basis_points)
    assert advance * 10_000 <= committed * basis_points < (advance + 1) * 10_000
    assert 0 <= advance <= committed


@pytest.mark.parametrize("basis_points", [-1, 10_001])
def test_refuse_advance_outside_0_to_100_percent(basis_points: int) -> None:
    with pytest.raises(SettlementError):
        advance_cents(10_000, basis_points)
    with pytest.raises(SettlementError):
        default_schedule_text(basis_points)


def test_default_schedule_text() -> None:
    assert default_schedule_text(8000) == "80 % bij verlening, de rest na vaststelling"
    assert default_schedule_text(7550) == "75,5 % bij verlening, de rest na vaststelling"
    assert default_schedule_text(0) == "Betaling na vaststelling"
    assert default_schedule_text(10_000) == "100 % bij verlening, verrekening na vaststelling"


@pytest.mark.parametrize(
    ("basis_points", "text"),
    [(8000, "80 %"), (1250, "12,5 %"), (1, "0,01 %"), (10_000, "100 %"), (-150, "-1,5 %")],
)
def test_format_percentage(basis_points: int, text: str) -> None:
    assert format_percentage(basis_points) == text
