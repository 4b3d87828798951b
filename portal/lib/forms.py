"""Small helpers to read submitted forms at the edge."""

from __future__ import annotations

import datetime as dt
import re

from litestar.datastructures import FormMultiDict

from portal.lib.money import MoneyError, parse_euros
from portal.lib.refusals import Refused


def clean(value: str) -> str:
    """Typed text as stored: NUL characters removed (PostgreSQL refuses them in text)."""
    return value.replace("\x00", "").strip()


# What a textarea holds unless its field says otherwise: a section of a proposal, an answer,
# an advice. The macro `forms.textarea` shows the same number (the Jinja global TEXT_LIMIT).
TEXT_LIMIT = 10_000


class TooLong(Refused):
    """Typed text over its limit, refused where no form can show it on its field."""


def length_of(value: str) -> int:
    """Characters as the person counts them: a browser sends each line break of a textarea as
    two (CR LF) while its counter, and the person, see one."""
    return len(value.replace("\r\n", "\n"))


def thousands(number: int) -> str:
    """12000 -> '12.000'."""
    return f"{number:,}".replace(",", ".")


def too_long(value: str, limit: int) -> str | None:
    """The Dutch message for text longer than `limit`, or None when it fits."""
    length = length_of(value)
    if length <= limit:
        return None
    return (
        f"Deze tekst is {thousands(length)} tekens; er passen er ten hoogste "
        f"{thousands(limit)} in. Maak hem korter."
    )


def text(
    form: FormMultiDict,
    name: str,
    limit: int | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """What was typed in `name`, cleaned and never cut.

    Without a `limit`: a choice, a number, a date or a flag, which its reader judges whole.
    With one: text longer than it is refused, never shortened (a tester's 120.000 characters
    were once stored as 10.000 with "Gelukt"). The message lands in `errors[name]`, so that the
    form comes back with the whole text on its field; without `errors` it is raised as
    `TooLong`, which the controller answers like any other refusal."""
    value = form.get(name, "")
    typed = clean(value) if isinstance(value, str) else ""
    if limit is not None and (problem := too_long(typed, limit)):
        if errors is None:
            raise TooLong(problem, field=name)
        errors.setdefault(name, problem)
    return typed


def money_field(
    form: FormMultiDict,
    name: str,
    errors: dict[str, str],
    required: bool = True,
    positive: bool = False,
) -> int | None:
    """An amount in Dutch notation from a form, in cents; its problem lands in `errors[name]`.
    `positive`: zero and less are refused too (an amount to allocate, claim or pay)."""
    raw = text(form, name)
    if not raw:
        if required:
            errors[name] = "Vul een bedrag in."
        return None
    try:
        cents = parse_euros(raw)
    except MoneyError as error:
        errors[name] = str(error)
        return None
    if positive and cents <= 0:
        errors[name] = "Het bedrag moet groter zijn dan € 0,00."
        return None
    return cents


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", re.ASCII)
INVALID_DATE = "Vul een geldige datum in, bijvoorbeeld 1-3-2022."


def parse_date(raw: str) -> dt.date:
    """ISO (what a date input sends) or Dutch day-month-year; ValueError otherwise."""
    raw = raw.strip()
    if _ISO_DATE.fullmatch(raw):
        return dt.date.fromisoformat(raw)
    match = _DUTCH_DATE.fullmatch(raw)
    if match:
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    raise ValueError(raw)


def date_field(
    form: FormMultiDict, name: str, errors: dict[str, str], missing: str | None = None
) -> dt.date | None:
    """A date from a form; `missing` is the message when it is required and left empty."""
    raw = text(form, name)
    if not raw:
        if missing:
            errors[name] = missing
        return None
    try:
        return parse_date(raw)
    except ValueError:
        errors[name] = INVALID_DATE
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
