"""The retention periods' rules, without a database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.retention import (
    KINDS,
    MARKER,
    MAX_MONTHS,
    MONTHS_PROBLEM,
    Removed,
    RetentionKind,
    cutoff,
    is_past,
    months_before,
    parse_months,
    periods_with,
)
from proposals.retention import anonymised_snapshot


def test_the_defaults() -> None:
    assert {k: i.default_months for k, i in KINDS.items()} == {
        RetentionKind.financial: 84,
        RetentionKind.closed_proposal: 24,
        RetentionKind.account: 12,
    }
    assert periods_with({}) == {k: i.default_months for k, i in KINDS.items()}


def test_the_beheerders_period_counts_and_a_broken_one_does_not() -> None:
    periods = periods_with({"financial": 120, "account": 0, "closed_proposal": 601, "x": 5})
    assert periods[RetentionKind.financial] == 120
    assert periods[RetentionKind.account] == 12
    assert periods[RetentionKind.closed_proposal] == 24


@pytest.mark.parametrize(
    ("raw", "months"),
    [("1", 1), ("84", 84), (" 600 ", 600), ("007", 7)],
)
def test_whole_months_from_1_to_600(raw: str, months: int) -> None:
    assert parse_months(raw) == (months, None)


@pytest.mark.parametrize("raw", ["", "0", "601", "-3", "1,5", "12 maanden", "١٢", "²", "1e3"])
def test_anything_else_is_refused_in_dutch(raw: str) -> None:
    assert parse_months(raw) == (None, MONTHS_PROBLEM)
    assert "hele maanden" in MONTHS_PROBLEM


def test_a_period_ends_on_the_same_day_months_later() -> None:
    settled = dt.date(2020, 3, 1)
    assert not is_past(settled, 84, dt.date(2027, 2, 28))
    assert is_past(settled, 84, dt.date(2027, 3, 1))
    assert is_past(settled, 84, dt.date(2030, 1, 1))


def test_the_end_of_a_longer_month() -> None:
    # 31 January + 1 month: the period is over on the last day of February.
    assert months_before(dt.date(2021, 2, 28), 1) == dt.date(2021, 1, 28)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2021, 1, 15), 13) == dt.date(2019, 12, 15)
    assert cutoff(dt.date(2021, 3, 31), 1) == dt.date(2021, 2, 28)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.integers(min_value=1, max_value=MAX_MONTHS),
)
def test_past_is_monotonic(anchor: dt.date, today: dt.date, months: int) -> None:
    """Once past, always past; a later anchor is never past sooner; a longer period never
    ends sooner."""
    if is_past(anchor, months, today):
        assert is_past(anchor, months, today + dt.timedelta(days=1))
        assert is_past(anchor - dt.timedelta(days=1), months, today)
        assert months == 1 or is_past(anchor, months - 1, today)
        assert anchor < today


def test_removed_says_what_kind_not_what_value() -> None:
    removed = Removed()
    removed.add("contact")
    removed.add("attachments", 2)
    removed.add("letters", 0)
    other = Removed(files=["a" * 64])
    other.add("attachments")
    removed.merge(other)
    assert removed.details() == {
        "removed": ["contact", "attachments"],
        "counts": {"contact": 1, "attachments": 3},
    }
    assert removed.files == ["a" * 64]


def test_a_snapshot_loses_the_person_and_keeps_the_figures() -> None:
    snapshot = {
        "title": "Wachtlijstbrug",
        "contact": "Jan Jansen · jan@example.org",
        "bouwteam": ["Kartrekker: Jan Jansen", "Lid: Piet"],
        "summary": "Samen met Jan",
        "requested_amount": "€ 10.000,00",
        "attachments": [],
    }
    personal = anonymised_snapshot(snapshot, texts=False)
    assert personal["contact"] == MARKER
    assert personal["bouwteam"] == [MARKER, MARKER]
    assert personal["summary"] == "Samen met Jan"
    assert personal["title"] == "Wachtlijstbrug"
    assert personal["requested_amount"] == "€ 10.000,00"
    full = anonymised_snapshot(snapshot, texts=True)
    assert full["summary"] == MARKER
    assert full["title"] == "Wachtlijstbrug"
