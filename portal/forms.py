"""Small helpers to read submitted forms at the edge."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict


def clean(value: str) -> str:
    """Typed text as stored: NUL characters removed (PostgreSQL refuses them in text)."""
    return value.replace("\x00", "").strip()


def text(form: FormMultiDict, name: str, max_length: int = 10_000) -> str:
    value = form.get(name, "")
    return clean(value)[:max_length] if isinstance(value, str) else ""


def optional_id(form: FormMultiDict, name: str) -> int | None:
    value = text(form, name)
    return int(value) if value.isdigit() else None


def page_number(value: int | None) -> int:
    return max(1, min(value or 1, 10_000))


def page_count(total: int, per_page: int) -> int:
    """Pages of `per_page` rows for `total` rows; an empty list still has its one page."""
    return max(1, (total + per_page - 1) // per_page)


def query_int(value: str | None) -> int | None:
    """A number from the query string; an empty or mangled value is simply no filter (a filter
    form sends `regio=` for "Alle")."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None
