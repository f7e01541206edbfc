"""The evidence register: what the team knows from, each item cited by indicators (E1, E2…)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.domain.vocabulary import EVIDENCE_KINDS, EVIDENCE_SUPPORTS
from carequal_desktop.errors import UserError
from carequal_desktop.services.evaluations import TEXT_FIELDS, EvaluationService
from carequal_desktop.services.framework import FrameworkService
from carequal_desktop.services.links import EVIDENCE_LINKS, with_code, without_code
from carequal_desktop.services.unit import WorkshopDb, table_of
from carequal_desktop.services.values import check_choice, check_codes, check_date, new_id, now_iso
from carequal_desktop.store.tables import MAX_INTEGER, EvidenceRow

FIELDS = (
    "title",
    "kind",
    "agency",
    "date",
    "description",
    "location",
    "share_percent",
    "respondents",
    "supports",
)
# Fields of an action in which an evidence reference may be written.
ACTION_TEXT_FIELDS = ("issue", "task", "baseline", "target", "monitoring", "expected_outcome")


class EvidenceService:
    """Reads and edits the evidence register and its links to indicators."""

    def __init__(
        self, db: WorkshopDb, frameworks: FrameworkService, evaluations: EvaluationService
    ) -> None:
        self.db = db
        self.frameworks = frameworks
        self.evaluations = evaluations

    def evidence(self) -> list[rec.Evidence]:
        """The whole register, in reference order."""
        # Core rows, not ORM objects: 5,000 items read in a fraction of the time.
        table = table_of(EvidenceRow)
        with self.db.reading() as s:
            conn = s.connection()
            rows = conn.execute(table.select().order_by(table.c.ref_number)).all()
            links = EVIDENCE_LINKS.grouped(conn)
        return [_record(r, links.get(r.id, [])) for r in rows]

    def evidence_item(self, evidence_id: str) -> rec.Evidence:
        """One item of the register."""
        with self.db.reading() as s:
            row = s.get(EvidenceRow, evidence_id)
            if row is None:
                raise UserError("That evidence has been deleted.")
            codes = EVIDENCE_LINKS.codes(s, evidence_id)
        return _record(row, codes)

    def evidence_for_indicator(self, code: str) -> list[rec.Evidence]:
        """Evidence linked to one indicator, in reference order."""
        table = table_of(EvidenceRow)
        linked = EVIDENCE_LINKS.owners_of(code)
        with self.db.reading() as s:
            conn = s.connection()
            rows = conn.execute(
                table.select().where(table.c.id.in_(linked)).order_by(table.c.ref_number)
            ).all()
            links = EVIDENCE_LINKS.grouped(conn, linked)
        return [_record(r, links.get(r.id, [])) for r in rows]

    def count(self) -> int:
        """How many items the register holds."""
        with self.db.reading() as s:
            return int(s.exec(select(func.count()).select_from(EvidenceRow)).one())

    def next_evidence_ref(self) -> str:
        """The reference the next item will get."""
        with self.db.reading() as s:
            top = s.exec(select(func.max(EvidenceRow.ref_number))).one()
        return f"E{(top or 0) + 1}"

    def add_evidence(
        self, title: str, kind: str, *, indicators: Iterable[str] = (), **fields: Any
    ) -> rec.Evidence:
        """Add evidence to the register; its reference (E1, E2…) is assigned here."""
        values = _values({"title": title, "kind": kind, **fields})
        codes = check_codes(self.frameworks.framework(), indicators)
        stamp = now_iso()
        with self.db.transaction() as s:
            number = (s.exec(select(func.max(EvidenceRow.ref_number))).one() or 0) + 1
            row = EvidenceRow(
                id=new_id(), ref=f"E{number}", ref_number=number, updated=stamp, **values
            )
            s.add(row)
            s.flush()
            EVIDENCE_LINKS.replace(s, row.id, codes)
            self.db.touch(s, stamp)
        return _record(row, codes)

    def update_evidence(
        self, evidence_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        """Change some fields of an item and, if given, its indicators."""
        values = _values(fields)
        codes = None if indicators is None else check_codes(self.frameworks.framework(), indicators)
        stamp = now_iso()
        with self.db.transaction() as s:
            if s.get(EvidenceRow, evidence_id) is None:
                raise UserError("That evidence has been deleted.")
            s.exec(
                update(EvidenceRow)
                .where(col(EvidenceRow.id) == evidence_id)
                .values(**values, updated=stamp)
            )
            if codes is not None:
                EVIDENCE_LINKS.replace(s, evidence_id, codes)
            self.db.touch(s, stamp)

    def link_evidence(self, evidence_id: str, code: str) -> None:
        """Cite evidence for an indicator (no change if it already is)."""
        codes = with_code(self.evidence_item(evidence_id).indicators, code)
        if codes is not None:
            self.update_evidence(evidence_id, indicators=codes)

    def unlink_evidence(self, evidence_id: str, code: str) -> None:
        """Stop citing evidence for an indicator."""
        codes = without_code(self.evidence_item(evidence_id).indicators, code)
        if codes is not None:
            self.update_evidence(evidence_id, indicators=codes)

    def evidence_usage(self, evidence_id: str, actions: Iterable[rec.Action]) -> list[str]:
        """Where evidence is used, as phrases for the "delete?" question."""
        item = self.evidence_item(evidence_id)
        fw = self.frameworks.framework()
        places = [
            f"linked to indicator {fw.indicator(c).label}"
            for c in item.indicators
            if self.frameworks.has_indicator(c)
        ]
        pattern = re.compile(rf"\b{re.escape(item.ref)}\b")
        for ev in self.evaluations.evaluations():
            if any(pattern.search(getattr(ev, f)) for f in TEXT_FIELDS):
                places.append(f"mentioned in the text of indicator {ev.indicator_code}")
        for act in actions:
            if any(pattern.search(getattr(act, f) or "") for f in ACTION_TEXT_FIELDS):
                places.append(f"mentioned in improvement action {act.ref}")
        return places

    def delete_evidence(self, evidence_id: str) -> None:
        """Remove an item from the register, with its links."""
        self.db.delete_row(EvidenceRow, evidence_id)


def _record(row: Any, codes: list[str]) -> rec.Evidence:
    return rec.Evidence(
        id=row.id,
        ref=row.ref,
        title=row.title,
        kind=row.kind,
        agency=row.agency,
        date=row.date,
        description=row.description,
        location=row.location,
        share_percent=row.share_percent,
        respondents=row.respondents,
        indicators=codes,
        supports=row.supports,
        updated=row.updated,
    )


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in FIELDS:
            raise ValueError(f"Unknown evidence field {key!r}")
        if key == "title":
            value = one_line(for_storage(value or ""))
            if not value:
                raise UserError("Evidence needs a title.")
        elif key == "kind":
            check_choice(value, EVIDENCE_KINDS, "kind of evidence")
        elif key == "supports":
            check_choice(value, EVIDENCE_SUPPORTS, "kind of support")
        elif key == "date":
            value = check_date(value, "The evidence date")
        elif key == "agency":
            value = one_line(for_storage(value or ""))  # a name: one line, as exchange allows
        elif key == "location":
            value = for_storage(value or "")[:4000]  # the exchange format's limit
        elif key == "share_percent":
            if value is not None:
                value = float(value)
                if not 0 <= value <= 100:
                    raise UserError("A share must be between 0% and 100%.")
        elif key == "respondents":
            if value is not None:
                value = int(value)
                if value < 0:
                    raise UserError("The number of respondents cannot be negative.")
                if value > MAX_INTEGER:
                    raise UserError(
                        f"The number of respondents cannot be more than {MAX_INTEGER:,}."
                    )
        else:
            value = for_storage(value or "")
        values[key] = value
    return values
