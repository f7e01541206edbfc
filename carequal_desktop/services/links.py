"""Links from evidence and actions to indicators, kept in the order they were made.

Evidence and actions both cite indicators through a table of (record id, indicator code,
position); this one helper reads, groups, counts and replaces those links for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlmodel import Session

from carequal_desktop.store.tables import ActionIndicatorRow, EvidenceIndicatorRow, metadata


class IndicatorLinks:
    """The links of one kind of record (evidence or action) to indicator codes."""

    def __init__(self, table: Table, owner_column: str) -> None:
        self.table = table
        self.owner = table.c[owner_column]
        self.code = table.c.indicator_code
        self.position = table.c.position

    def codes(self, s: Session, owner_id: str) -> list[str]:
        """One record's indicator codes, in link order."""
        rows = s.connection().execute(
            select(self.code).where(self.owner == owner_id).order_by(self.position)
        )
        return [str(code) for code in rows.scalars()]

    def grouped(self, conn: Connection, owners: Any = None) -> dict[str, list[str]]:
        """{record id: [codes]} for every record, or for those ``owners`` selects."""
        stmt = select(self.owner, self.code).order_by(self.position)
        if owners is not None:
            stmt = stmt.where(self.owner.in_(owners))
        by_id: dict[str, list[str]] = {}
        for owner_id, code in conn.execute(stmt):
            by_id.setdefault(owner_id, []).append(code)
        return by_id

    def owners_of(self, code: str) -> Any:
        """A subquery of the ids of the records linked to one indicator."""
        return select(self.owner).where(self.code == code)

    def counts(self, conn: Connection) -> dict[str, int]:
        """{indicator code: number of records linked to it}."""
        rows = conn.execute(select(self.code, func.count()).group_by(self.code))
        return {str(code): int(n) for code, n in rows}

    def replace(self, s: Session, owner_id: str, codes: Iterable[str]) -> None:
        """Make ``codes`` (in that order) the record's links."""
        conn = s.connection()
        conn.execute(delete(self.table).where(self.owner == owner_id))
        rows = [
            {self.owner.key: owner_id, "indicator_code": code, "position": pos}
            for pos, code in enumerate(codes)
        ]
        if rows:
            conn.execute(insert(self.table), rows)


def with_code(codes: list[str], code: str) -> list[str] | None:
    """``codes`` with ``code`` added at the end, or None if it is already there."""
    return None if code in codes else [*codes, code]


def without_code(codes: list[str], code: str) -> list[str] | None:
    """``codes`` with ``code`` taken out, or None if it was not there."""
    return [c for c in codes if c != code] if code in codes else None


EVIDENCE_LINKS = IndicatorLinks(metadata.tables[EvidenceIndicatorRow.__tablename__], "evidence_id")
ACTION_LINKS = IndicatorLinks(metadata.tables[ActionIndicatorRow.__tablename__], "action_id")
