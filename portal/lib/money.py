"""Money: Dutch text, Decimal and integer cents. Nothing else parses or formats money."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# re.ASCII: without it \d also takes other scripts' digits ('١٠٠' would read as 100).
_DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$", re.ASCII)
# Far above any grant (a network's year is a few million), far below what a BIGINT holds.
MAX_CENTS = 100_000_000_000  # € 1.000.000.000,00


class MoneyError(ValueError):
    """The Dutch reason an amount could not be read."""


def parse_euros(text: str) -> int:
    """'€ 1.234,56' -> 123456 cents. Dots group thousands, the comma separates cents."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        raise MoneyError("Vul een bedrag in.")
    if re.fullmatch(r"-?[\d.]*\d,\d{3,}", cleaned, re.ASCII):
        raise MoneyError("Een bedrag heeft hoogstens twee cijfers achter de komma.")
    if not _DUTCH_AMOUNT.match(cleaned):
        raise MoneyError(
            "Schrijf het bedrag als 1.234,56: een punt tussen duizendtallen, een komma voor centen."
        )
    try:
        value = Decimal(cleaned.replace(".", "").replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes it
        raise MoneyError("Dit is geen bedrag.") from error
    cents = decimal_to_cents(value)
    if abs(cents) > MAX_CENTS:
        raise MoneyError(
            f"Een bedrag is hoogstens {format_euros(MAX_CENTS)}; controleer het aantal cijfers."
        )
    return cents


def decimal_to_cents(value: Decimal) -> int:
    cents = value * 100
    if cents != cents.to_integral_value():
        raise MoneyError("Een bedrag heeft hoogstens twee cijfers achter de komma.")
    return int(cents)


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents) / 100


def format_euros(cents: int | None, *, symbol: bool = True) -> str:
    """123456 -> '€ 1.234,56' (Dutch grouping; a minus sign before the symbol)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", ".")
    text = f"{grouped},{rest:02d}"
    return f"{sign}€ {text}" if symbol else f"{sign}{text}"
