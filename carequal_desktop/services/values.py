"""Checks and clean-ups applied to every value a service writes.

Shared by the aggregate services so a date, a grade or a choice is checked the same way
wherever it is entered (the window, the command line, an import).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.text import for_storage
from carequal_desktop.errors import UserError


def now_iso() -> str:
    """The current time as the exchange format writes it: ``2026-05-12T16:30:00Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id() -> str:
    """A new record id (a random UUID, so copies of a file never clash)."""
    return str(uuid.uuid4())


def clean(value: Any) -> Any:
    """Text made safe to store; anything else unchanged."""
    return for_storage(value) if isinstance(value, str) else value


def check_choice(value: str, choices: Mapping[str, str], what: str) -> str:
    """``value`` if it is one of ``choices``; otherwise a sentence naming ``what``."""
    if value not in choices:
        raise UserError(f"“{value}” is not a known {what}.")
    return value


def check_date(value: str | None, what: str) -> str | None:
    """An ISO date, or None for an empty one."""
    if value in (None, ""):
        return None
    try:
        dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise UserError(f"{what} must be a date like 2026-03-31, not “{value}”.") from None
    return value


def check_grade(value: int | None, framework: Framework) -> int | None:
    """A grade on the workshop's own scale, or None."""
    if value is None:
        return None
    if framework.level(value) is None:
        raise UserError(f"{value} is not a grade on this workshop's scale.")
    return int(value)


def check_codes(framework: Framework, codes: Iterable[str]) -> list[str]:
    """Indicator codes of this framework, duplicates dropped, order kept."""
    known = {ind.code for ind in framework.indicators}
    result: list[str] = []
    for code in codes:
        if code not in known:
            raise UserError(f"There is no indicator {code} in this workshop's framework.")
        if code not in result:
            result.append(code)
    return result
