from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.lib.money import MAX_CENTS, MoneyError, cents_to_decimal, format_euros, parse_euros


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.710.000", 171_000_000),
        ("€ 1.234,56", 123_456),
        ("0,05", 5),
        ("446644", 44_664_400),
        ("12,5", 1250),
        ("-80.000,00", -8_000_000),
    ],
)
def test_parse_dutch_amounts(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "1,234.56", "12,345", "1.23", "abc", "1.2345,00"])
def test_refuse_ambiguous_amounts(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_euros(text)


def test_format_euros() -> None:
    assert format_euros(171_000_000) == "€ 1.710.000,00"
    assert format_euros(-5) == "-€ 0,05"
    assert cents_to_decimal(123_456) == Decimal("1234.56")


@given(st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS))
def test_format_then_parse_round_trips(cents: int) -> None:
    assert parse_euros(format_euros(cents)) == cents


@given(st.integers(min_value=MAX_CENTS + 1, max_value=10**30))
def test_amounts_beyond_the_maximum_are_refused(cents: int) -> None:
    with pytest.raises(MoneyError, match="hoogstens"):
        parse_euros(format_euros(cents))
    with pytest.raises(MoneyError, match="hoogstens"):
        parse_euros(format_euros(-cents))
