"""Dates as people type them: "1/3/2026", "1 Mar 2026", "March", "today".

British order (day before month). A date without a year is the nearest such date in the
direction asked for (a due date looks forward, evidence looks back); a month on its own is
its first day, or its last day for a due date ("by March").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from carequal_desktop.errors import UserError

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _name = calendar.month_name[_number].lower()
    MONTHS[_name] = _number
    MONTHS[_name[:3]] = _number
MONTHS["sept"] = 9

_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b")


class DateNotUnderstood(UserError, ValueError):
    """The text is not a date; ``str()`` is one sentence saying what is accepted."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"“{text}” is not a date CareQual understands. Type it like 31/3/2027, "
            "31 Mar 2027, March 2027 or today."
        )


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def _make(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateNotUnderstood(original) from None


def _nearest(
    month: int, day: int | None, today: dt.date, future: bool, original: str, month_end: bool
) -> dt.date:
    def on(year: int) -> dt.date:
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return _make(year, month, last if month_end else 1, original)
        return _make(year, month, day, original)

    this_year = on(today.year)
    if future and this_year < today and (day is not None or this_year.month < today.month):
        return on(today.year + 1)
    if not future and this_year > today and (day is not None or this_year.month > today.month):
        return on(today.year - 1)
    return this_year


def parse_date(
    text: str, *, today: dt.date | None = None, future: bool = False, month_end: bool = False
) -> dt.date | None:
    """The date ``text`` means, ``None`` for empty text; ``DateNotUnderstood`` otherwise."""
    original = text
    text = " ".join(text.strip().lower().replace(",", " ").split())
    if not text:
        return None
    today = today or dt.date.today()
    words = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if text in words:
        return today + dt.timedelta(days=words[text])
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), original)
    if m := _NUMERIC.match(text):
        d, mo = int(m[1]), int(m[2])
        if m[3] is None:
            if not 1 <= mo <= 12:
                raise DateNotUnderstood(original)
            return _nearest(mo, d, today, future, original, month_end)
        return _make(_year(m[3]), mo, d, original)
    text = _ORDINAL.sub(r"\1", text).replace(" of ", " ")
    parts = text.split()
    day: int | None = None
    month: int | None = None
    year: int | None = None
    for part in parts:
        name = part.rstrip(".")
        if name in MONTHS and month is None:
            month = MONTHS[name]
        elif part.isdigit() and len(part) == 4 and year is None:
            year = int(part)
        elif part.isdigit() and len(part) <= 2 and day is None and month is None:
            day = int(part)
        elif (
            part.isdigit() and len(part) <= 2 and month is not None and day is None and year is None
        ):
            day = int(part)  # "March 1"
        elif part.isdigit() and len(part) == 2 and month is not None and year is None:
            year = _year(part)  # "1 Mar 26"
        else:
            raise DateNotUnderstood(original)
    if month is None:
        raise DateNotUnderstood(original)
    if year is None:
        return _nearest(month, day, today, future, original, month_end)
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return _make(year, month, last if month_end else 1, original)
    return _make(year, month, day, original)


def long_date(day: dt.date) -> str:
    """31 March 2027"""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"
