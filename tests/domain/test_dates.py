"""Dates as facilitators type them (British order)."""

from __future__ import annotations

import datetime as dt

import pytest

from carequal_desktop.domain.dates import DateNotUnderstood, long_date, parse_date

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/3/2026", dt.date(2026, 3, 1)),
        ("01/03/26", dt.date(2026, 3, 1)),
        ("1.3.2026", dt.date(2026, 3, 1)),
        ("1-3-2026", dt.date(2026, 3, 1)),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("1 Mar 2026", dt.date(2026, 3, 1)),
        ("1st March 2026", dt.date(2026, 3, 1)),
        ("March 1, 2026", dt.date(2026, 3, 1)),
        ("1 Sept 2026", dt.date(2026, 9, 1)),
        ("1 mar 26", dt.date(2026, 3, 1)),
        ("March 2026", dt.date(2026, 3, 1)),
        ("Mar", dt.date(2026, 3, 1)),  # evidence looks back: this March
        ("Sep", dt.date(2025, 9, 1)),  # ... and last September
        ("1/3", dt.date(2026, 3, 1)),
        ("today", TODAY),
        ("  ", None),
    ],
)
def test_dates_typed_as_people_write_them(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_due_dates_look_forward_to_the_end_of_a_month() -> None:
    assert parse_date("Mar", today=TODAY, future=True, month_end=True) == dt.date(2027, 3, 31)
    assert parse_date("Sep", today=TODAY, future=True, month_end=True) == dt.date(2026, 9, 30)
    assert parse_date("Feb 2028", today=TODAY, month_end=True) == dt.date(2028, 2, 29)
    assert parse_date("1/3", today=TODAY, future=True) == dt.date(2027, 3, 1)


@pytest.mark.parametrize("text", ["31/2/2026", "soon", "13/13/2026", "Mar Apr", "32 Mar 2026"])
def test_what_is_not_a_date_is_said_in_one_sentence(text: str) -> None:
    with pytest.raises(DateNotUnderstood, match="is not a date CareQual understands"):
        parse_date(text, today=TODAY)


def test_long_date() -> None:
    assert long_date(dt.date(2027, 3, 31)) == "31 March 2027"
