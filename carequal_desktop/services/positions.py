"""Where a new record goes in an ordered list: one rule for sessions, people, items, actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, select


def next_position(s: Session, column: Any, *where: ColumnElement[bool]) -> int:
    """One past the highest position in use (0 for an empty list).

    Counting rows instead would give two records the same position after a delete.
    """
    stmt = select(func.coalesce(func.max(column), -1))
    if where:
        stmt = stmt.where(*where)
    return int(s.exec(stmt).one()) + 1
