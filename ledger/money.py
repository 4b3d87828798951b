"""Money lives in the shared library (portal/money.py); this name stays for the domains' imports."""

from portal.money import (  # noqa: F401
    MAX_CENTS,
    MoneyError,
    cents_to_decimal,
    decimal_to_cents,
    format_euros,
    parse_euros,
)
