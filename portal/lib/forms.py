"""Small helpers to read submitted forms at the edge."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from portal.lib.money import MoneyError, parse_euros


def clean(value: str) -> str:
    """Typed text as stored: NUL characters removed (PostgreSQL refuses them in text)."""
    return value.replace("\x00", "").strip()


def text(form: FormMultiDict, name: str, max_length: int = 10_000) -> str:
    value = form.get(name, "")
    return clean(value)[:max_length] if isinstance(value, str) else ""


def money_field(
    form: FormMultiDict, name: str, errors: dict[str, str], required: bool = True
) -> int | None:
    """An amount in Dutch notation from a form, in cents; its problem lands in `errors[name]`."""
    raw = text(form, name)
    if not raw:
        if required:
            errors[name] = "Vul een bedrag in."
        return None
    try:
        return parse_euros(raw)
    except MoneyError as error:
        errors[name] = str(error)
        return None


# Ids are SERIAL (int4) on PostgreSQL; any other whole number fits a BIGINT.
MAX_ID = 2**31 - 1
MAX_WHOLE = 2**63 - 1


def whole_number(value: object, *, minimum: int = 0, maximum: int = MAX_WHOLE) -> int | None:
    """The one reader of a whole number from a request (path, query or form): ASCII digits
    only, within [minimum, maximum]; anything else is None, never an exception.

    `str.isdigit()` says yes to '²' and '١٠٠', which `int()` then refuses or reads as 100; a
    30-digit id passes both and overflows the database. Here neither gets through."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def optional_id(form: FormMultiDict, name: str) -> int | None:
    return whole_number(text(form, name), minimum=1, maximum=MAX_ID)


def page_number(value: int | None) -> int:
    return max(1, min(value or 1, 10_000))


def page_count(total: int, per_page: int) -> int:
    """Pages of `per_page` rows for `total` rows; an empty list still has its one page."""
    return max(1, (total + per_page - 1) // per_page)


def query_int(value: str | None) -> int | None:
    """A number from the query string (an id, a page, a year); an empty or mangled value is
    simply no filter (a filter form sends `regio=` for "Alle")."""
    return whole_number(value, maximum=MAX_ID)
