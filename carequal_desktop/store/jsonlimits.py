"""JSON parsed with limits: depth, number length, integer range, no NaN or Infinity.

Python's ``json`` accepts what a hostile file can use to hurt a program: ``NaN`` and
``Infinity`` (not JSON, and not storable), integers thousands of digits long (slow to
convert, and beyond what SQLite stores: a 4,400-digit number raises ``ValueError``),
nesting deep enough to overflow the recursive code that walks the result. ``loads_limited``
refuses all of these with ``JsonLimitError`` (a ``ValueError``) and a short reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_EXACT = 2**53


class JsonLimitError(ValueError):
    """The JSON is well formed but beyond what CareQual accepts; ``str()`` says why."""


def _parse_int(text: str) -> int:
    if len(text) > 20:
        raise JsonLimitError(f"a number is {len(text):,} digits long; at most 19 are allowed")
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise JsonLimitError("a whole number is too large (beyond ±9,223,372,036,854,775,807)")
    return value


def _parse_float(text: str) -> float | int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonLimitError(
            f"a number is {len(text):,} characters long; at most {MAX_NUMBER_CHARS} are allowed"
        )
    value = float(text)
    if not math.isfinite(value):
        raise JsonLimitError("a number is too large to be held")
    # 2.0 is the whole number 2 (JSON Schema agrees), so it is stored as one.
    if value.is_integer() and abs(value) < _EXACT:
        return int(value)
    return value


def _parse_constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not a number JSON allows")


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``JsonLimitError`` if ``value`` nests lists and objects deeper than ``max_depth``."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise JsonLimitError(f"the JSON is nested more than {max_depth} levels deep")
        stack.extend((child, depth + 1) for child in children)


def loads_limited(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` with CareQual's limits; ``json.JSONDecodeError`` for malformed text."""
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError:
        raise JsonLimitError(f"the JSON is nested more than {max_depth} levels deep") from None
    check_depth(value, max_depth)
    return value


def dumps_strict(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that refuses NaN and Infinity rather than writing bare ``NaN``."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, **kwargs)
