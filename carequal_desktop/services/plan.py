"""The improvement plan: SMART actions, each under a statement and linked to indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.errors import UserError
from carequal_desktop.services.framework import FrameworkService
from carequal_desktop.services.links import ACTION_LINKS, with_code, without_code
from carequal_desktop.services.positions import next_position
from carequal_desktop.services.unit import WorkshopDb, table_of
from carequal_desktop.services.values import check_choice, check_codes, check_date, new_id, now_iso
from carequal_desktop.store.tables import ActionRow

FIELDS = (
    "ref",
    "statement",
    "issue",
    "task",
    "expected_outcome",
    "ownership",
    "monitoring",
    "baseline",
    "target",
    "due",
    "status",
)
CLOSED_STATUSES = ("complete", "dropped")


class PlanService:
    """Reads and edits the improvement plan."""

    def __init__(self, db: WorkshopDb, frameworks: FrameworkService) -> None:
        self.db = db
        self.frameworks = frameworks

    def actions(self) -> list[rec.Action]:
        """The improvement plan, in plan order."""
        table = table_of(ActionRow)
        with self.db.reading() as s:
            conn = s.connection()
            rows = conn.execute(table.select().order_by(table.c.position)).all()
            links = ACTION_LINKS.grouped(conn)
        return [_record(r, links.get(r.id, [])) for r in rows]

    def actions_for_indicator(self, code: str) -> list[rec.Action]:
        """Actions linked to one indicator, in plan order."""
        table = table_of(ActionRow)
        linked = ACTION_LINKS.owners_of(code)
        with self.db.reading() as s:
            conn = s.connection()
            rows = conn.execute(
                table.select().where(table.c.id.in_(linked)).order_by(table.c.position)
            ).all()
            links = ACTION_LINKS.grouped(conn, linked)
        return [_record(r, links.get(r.id, [])) for r in rows]

    def action(self, action_id: str) -> rec.Action:
        """One action."""
        with self.db.reading() as s:
            row = s.get(ActionRow, action_id)
            if row is None:
                raise UserError("That action has been deleted.")
            codes = ACTION_LINKS.codes(s, action_id)
        return _record(row, codes)

    def counts(self) -> tuple[int, int]:
        """(actions, overdue actions)."""
        today = dt.date.today().isoformat()
        with self.db.reading() as s:
            total = s.exec(select(func.count()).select_from(ActionRow)).one()
            overdue = s.exec(
                select(func.count())
                .select_from(ActionRow)
                .where(
                    col(ActionRow.due).is_not(None),
                    col(ActionRow.due) < today,
                    col(ActionRow.status).not_in(CLOSED_STATUSES),
                )
            ).one()
        return int(total), int(overdue)

    def next_action_ref(self, statement: int | None) -> str:
        """The first free reference under a statement: 2.1, 2.2…"""
        refs = {a.ref for a in self.actions()}
        prefix = f"{statement}." if statement is not None else ""
        n = 1
        while f"{prefix}{n}" in refs:
            n += 1
        return f"{prefix}{n}"

    def add_action(
        self,
        task: str,
        *,
        statement: int | None = None,
        indicators: Iterable[str] = (),
        **fields: Any,
    ) -> rec.Action:
        """Add a row to the improvement plan; its reference (e.g. 2.3) is assigned unless given."""
        fields.setdefault("ref", self.next_action_ref(statement))
        values = self._values({"task": task, "statement": statement, **fields})
        codes = check_codes(self.frameworks.framework(), indicators)
        stamp = now_iso()
        with self.db.transaction() as s:
            if s.exec(select(ActionRow).where(col(ActionRow.ref) == values["ref"])).first():
                raise UserError(f"There is already an action {values['ref']}.")
            row = ActionRow(
                id=new_id(),
                position=next_position(s, ActionRow.position),
                updated=stamp,
                **values,
            )
            s.add(row)
            s.flush()
            ACTION_LINKS.replace(s, row.id, codes)
            self.db.touch(s, stamp)
        return _record(row, codes)

    def update_action(
        self, action_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        """Change some fields of an action and, if given, its indicators."""
        values = self._values(fields)
        codes = None if indicators is None else check_codes(self.frameworks.framework(), indicators)
        stamp = now_iso()
        with self.db.transaction() as s:
            if s.get(ActionRow, action_id) is None:
                raise UserError("That action has been deleted.")
            if "ref" in values:
                clash = s.exec(
                    select(ActionRow).where(
                        col(ActionRow.ref) == values["ref"], col(ActionRow.id) != action_id
                    )
                ).first()
                if clash:
                    raise UserError(f"There is already an action {values['ref']}.")
            s.exec(
                update(ActionRow)
                .where(col(ActionRow.id) == action_id)
                .values(**values, updated=stamp)
            )
            if codes is not None:
                ACTION_LINKS.replace(s, action_id, codes)
            self.db.touch(s, stamp)

    def link_action(self, action_id: str, code: str) -> None:
        """Link an action to an indicator (no change if it already is)."""
        codes = with_code(self.action(action_id).indicators, code)
        if codes is not None:
            self.update_action(action_id, indicators=codes)

    def unlink_action(self, action_id: str, code: str) -> None:
        """Unlink an action from an indicator."""
        codes = without_code(self.action(action_id).indicators, code)
        if codes is not None:
            self.update_action(action_id, indicators=codes)

    def delete_action(self, action_id: str) -> None:
        """Remove an action from the plan."""
        self.db.delete_row(ActionRow, action_id)

    def _values(self, fields: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        fw = self.frameworks.framework()
        for key, value in fields.items():
            if key not in FIELDS:
                raise ValueError(f"Unknown action field {key!r}")
            if key == "ref":
                value = one_line(for_storage(value or ""), 50)
                if not value:
                    raise UserError("An action needs a reference, such as 1.2.")
            elif key == "statement":
                if value is not None and fw.statement(int(value)) is None:
                    raise UserError(f"There is no statement {value} in this workshop.")
                value = None if value is None else int(value)
            elif key == "status":
                check_choice(value, ACTION_STATUSES, "action status")
            elif key == "due":
                value = check_date(value, "The due date")
            elif key == "ownership":
                value = for_storage(value or "")[:4000]
            else:
                value = for_storage(value or "")
            values[key] = value
        return values


def _record(row: Any, codes: list[str]) -> rec.Action:
    return rec.Action(
        id=row.id,
        ref=row.ref,
        task=row.task,
        statement=row.statement,
        indicators=codes,
        issue=row.issue,
        expected_outcome=row.expected_outcome,
        ownership=row.ownership,
        monitoring=row.monitoring,
        baseline=row.baseline,
        target=row.target,
        due=row.due,
        status=row.status,
        updated=row.updated,
    )
