"""The team's evaluation of each indicator: answers, lists, grade and status."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.domain.vocabulary import EVALUATION_STATUSES
from carequal_desktop.errors import EditCollisionError, UserError
from carequal_desktop.services.framework import FrameworkService
from carequal_desktop.services.positions import next_position
from carequal_desktop.services.unit import WorkshopDb
from carequal_desktop.services.values import check_choice, check_grade, new_id, now_iso
from carequal_desktop.store.tables import EvaluationItemRow, EvaluationRow

ITEM_KINDS = ("strength", "area_for_improvement")

TEXT_FIELDS = ("how_good_now", "how_do_we_know", "what_next", "rationale", "dissent")
FIELD_LABELS = {
    "how_good_now": "How good are we now?",
    "how_do_we_know": "How do we know?",
    "what_next": "What are we going to do now?",
    "rationale": "Why this grade",
    "dissent": "Dissent",
}


class EvaluationService:
    """Evaluations and their strengths and areas for improvement."""

    def __init__(self, db: WorkshopDb, frameworks: FrameworkService) -> None:
        self.db = db
        self.frameworks = frameworks

    def evaluation(self, code: str) -> rec.Evaluation:
        """The team's answers for one indicator (an empty one if nothing is recorded yet)."""
        with self.db.reading() as s:
            row = s.exec(
                select(EvaluationRow).where(col(EvaluationRow.indicator_code) == code)
            ).first()
            if row is None:
                return rec.Evaluation(indicator_code=code)
            items = s.exec(
                select(EvaluationItemRow)
                .where(col(EvaluationItemRow.evaluation_id) == row.id)
                .order_by(col(EvaluationItemRow.position))
            ).all()
            return _record(row, items)

    def evaluations(self) -> list[rec.Evaluation]:
        """Every recorded evaluation, in framework order."""
        order = {ind.code: i for i, ind in enumerate(self.frameworks.framework().indicators)}
        with self.db.reading() as s:
            rows = s.exec(select(EvaluationRow)).all()
            items = s.exec(
                select(EvaluationItemRow).order_by(col(EvaluationItemRow.position))
            ).all()
        by_eval: dict[str, list[EvaluationItemRow]] = {}
        for it in items:
            by_eval.setdefault(it.evaluation_id, []).append(it)
        result = [_record(r, by_eval.get(r.id, [])) for r in rows]
        result.sort(key=lambda e: order.get(e.indicator_code, len(order)))
        return result

    def _row(self, s: Session, code: str, stamp: str, *, lock: bool = False) -> EvaluationRow:
        self.frameworks.framework().indicator(code)  # KeyError for an unknown code
        query = select(EvaluationRow).where(col(EvaluationRow.indicator_code) == code)
        # On a server, hold the row until commit so a compare-and-write cannot interleave
        # with a colleague's (SQLite's single writer needs no lock and ignores it).
        row = s.exec(query.with_for_update() if lock else query).first()
        if row is None:
            row = EvaluationRow(id=new_id(), indicator_code=code, updated=stamp)
            s.add(row)
            s.flush()
        return row

    def update_evaluation(
        self, code: str, *, expected: dict[str, str] | None = None, **fields: Any
    ) -> None:
        """Save some of an indicator's answers, grade or status.

        With ``expected`` (field -> the text the edit started from), a text field is
        written only if it still holds that text or already the new one: an edit never
        silently replaces a colleague's newer text (EditCollisionError instead).
        """
        fw = self.frameworks.framework()
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key in TEXT_FIELDS:
                values[key] = for_storage(value or "")
            elif key == "status":
                values[key] = check_choice(value, EVALUATION_STATUSES, "status")
            elif key in ("grade", "previous_grade"):
                values[key] = check_grade(value, fw)
            elif key == "proposed_grades":
                values[key] = json.dumps([_proposed_to_dict(p) for p in value], ensure_ascii=False)
            elif key == "proposals_hidden":  # issue 10 (grading)
                values[key] = bool(value)
            elif key == "dissents":  # issue 10 (grading): [{agency, participant?, text}]
                values[key] = json.dumps(value, ensure_ascii=False)
            else:
                raise ValueError(f"Unknown evaluation field {key!r}")
        stamp = now_iso()
        with self.db.transaction() as s:
            row = self._row(s, code, stamp, lock=bool(expected))
            for key, base in (expected or {}).items():
                if key not in values:
                    continue
                current = getattr(row, key)
                if current not in (for_storage(base), values[key]):
                    raise EditCollisionError(
                        f"“{FIELD_LABELS.get(key, key)}” of indicator {code}",
                        key,
                        base,
                        values[key],
                        current,
                        table="evaluation",
                        key=code,
                    )
            s.exec(
                update(EvaluationRow)
                .where(col(EvaluationRow.id) == row.id)
                .values(**values, updated=stamp)
            )
            self.db.touch(s, stamp)

    def add_item(self, code: str, kind: str, text: str) -> rec.ListItem:
        """Add a strength or an area for improvement at the end of its list."""
        if kind not in ITEM_KINDS:
            raise ValueError(kind)
        text = one_line(for_storage(text))
        if not text:
            raise UserError("An empty line cannot be added.")
        stamp = now_iso()
        with self.db.transaction() as s:
            ev = self._row(s, code, stamp)
            item = EvaluationItemRow(
                id=new_id(),
                evaluation_id=ev.id,
                kind=kind,
                position=next_position(
                    s,
                    EvaluationItemRow.position,
                    col(EvaluationItemRow.evaluation_id) == ev.id,
                    col(EvaluationItemRow.kind) == kind,
                ),
                text=text,
                updated=stamp,
            )
            s.add(item)
            s.exec(
                update(EvaluationRow).where(col(EvaluationRow.id) == ev.id).values(updated=stamp)
            )
            self.db.touch(s, stamp)
        return rec.ListItem(item.id, text)

    def update_item(self, item_id: str, text: str, *, expected: str | None = None) -> None:
        """Reword a strength or an area for improvement.

        With ``expected`` (the wording the edit started from), a colleague's newer wording
        is never replaced silently (EditCollisionError instead).
        """
        text = one_line(for_storage(text))
        if not text:
            raise UserError("A line cannot be empty; delete it instead.")
        if expected is None:
            self.db.update_row(EvaluationItemRow, item_id, {"text": text})
            return
        stamp = now_iso()
        with self.db.transaction() as s:
            row = s.exec(
                select(EvaluationItemRow)
                .where(col(EvaluationItemRow.id) == item_id)
                .with_for_update()
            ).first()
            if row is None:
                raise UserError("That line has been deleted.")
            if row.text not in (one_line(for_storage(expected)), text):
                kind = "strength" if row.kind == "strength" else "area for improvement"
                raise EditCollisionError(
                    f"a {kind}",
                    "text",
                    expected,
                    text,
                    row.text,
                    table="evaluation_item",
                    key=item_id,
                )
            s.exec(
                update(EvaluationItemRow)
                .where(col(EvaluationItemRow.id) == item_id)
                .values(text=text, updated=stamp)
            )
            self.db.touch(s, stamp)

    def delete_item(self, item_id: str) -> None:
        """Delete a strength or an area for improvement."""
        self.db.delete_row(EvaluationItemRow, item_id)

    def reorder_items(self, code: str, kind: str, item_ids: Iterable[str]) -> None:
        """Put a list of strengths or areas for improvement in the given order."""
        stamp = now_iso()
        with self.db.transaction() as s:
            for pos, item_id in enumerate(item_ids):
                s.exec(
                    update(EvaluationItemRow)
                    .where(
                        col(EvaluationItemRow.id) == item_id, col(EvaluationItemRow.kind) == kind
                    )
                    .values(position=pos, updated=stamp)
                )
            self.db.touch(s, stamp)

    def statuses_and_grades(self) -> dict[str, tuple[str, int | None]]:
        """{indicator code: (status, grade)} for every recorded evaluation."""
        with self.db.reading() as s:
            rows = s.exec(
                select(EvaluationRow.indicator_code, EvaluationRow.status, EvaluationRow.grade)
            ).all()
        return {code: (status, grade) for code, status, grade in rows}


def _record(row: EvaluationRow, items: Iterable[EvaluationItemRow]) -> rec.Evaluation:
    ev = rec.Evaluation(
        indicator_code=row.indicator_code,
        status=row.status,
        grade=row.grade,
        how_good_now=row.how_good_now,
        how_do_we_know=row.how_do_we_know,
        what_next=row.what_next,
        rationale=row.rationale,
        dissent=row.dissent,
        previous_grade=row.previous_grade,
        proposed_grades=[
            rec.ProposedGrade(
                agency=p["agency"],
                grade=p["grade"],
                participant=p.get("participant"),
                note=p.get("note", ""),
            )
            for p in json.loads(row.proposed_grades)
        ],
        updated=row.updated,
        # Issue 10 (grading): reveal state and dissent per agency.
        proposals_hidden=bool(row.proposals_hidden),
        dissents=[rec.Dissent(**d) for d in json.loads(row.dissents)],
    )
    for it in items:
        target = ev.strengths if it.kind == "strength" else ev.areas_for_improvement
        target.append(rec.ListItem(it.id, it.text))
    return ev


def _proposed_to_dict(p: rec.ProposedGrade | dict[str, Any]) -> dict[str, Any]:
    if isinstance(p, dict):
        p = rec.ProposedGrade(**p)
    out: dict[str, Any] = {"agency": for_storage(p.agency), "grade": int(p.grade)}
    if p.participant:
        out["participant"] = p.participant
    if p.note:
        out["note"] = for_storage(p.note)
    return out
