"""Is the statement ready? The readiness checks, and what the team writes for the statement.

One service for the Readiness page, the export dialog and ``carequal check``: it reads the
workshop through ``WorkshopService``'s public methods, runs the plain rules in
``domain/readiness.py`` and keeps, in tables of its own, the facilitator's settings (how old
evidence may be), the words marked as not personal, the document control block (version,
status, date of the evaluation, who approved it) and the team's key messages, statement
summaries and conclusion. Every write is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from carequal_desktop.domain import readiness as rules
from carequal_desktop.domain.personal_data import Context
from carequal_desktop.domain.quantities import quantity_word
from carequal_desktop.domain.readiness import Finding, TextPlace, TriangulationRow
from carequal_desktop.domain.records import Action, Evaluation, Evidence
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import UserError
from carequal_desktop.store.tables import NotPersonalRow, PositionStatementRow, StatementSummaryRow

DOCUMENT_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "for_sign_off": "For sign-off",
    "final": "Final",
}

FIELD_LABELS: dict[str, str] = {
    "scope": "Scope",
    "context": "Context",
    "how_good_now": "How good are we now?",
    "how_do_we_know": "How do we know?",
    "what_next": "What are we going to do now?",
    "rationale": "Reason for the grade",
    "dissent": "Differing views",
    "strengths": "Strengths",
    "areas_for_improvement": "Areas for improvement",
    "title": "Title",
    "description": "What it shows",
    "location": "Where it is kept",
    "issue": "Issue",
    "task": "Task",
    "expected_outcome": "Expected outcome",
    "ownership": "Owner",
    "monitoring": "Monitoring arrangements",
    "baseline": "Baseline",
    "target": "Target",
    "key_messages": "Key messages",
    "conclusion": "Conclusion",
    "summary": "Summary",
}

_EVALUATION_FIELDS = ("how_good_now", "how_do_we_know", "what_next", "rationale", "dissent")
_EVIDENCE_FIELDS = ("title", "description", "location")
_ACTION_FIELDS = (
    "issue",
    "task",
    "expected_outcome",
    "ownership",
    "monitoring",
    "baseline",
    "target",
)


@dataclass
class DocumentControl:
    version: str = "0.1"
    status: str = "draft"
    evaluation_date: str | None = None  # None: the latest session's date
    approved_by: str = ""


@dataclass
class StatementTexts:
    """What the team writes for the document as a whole."""

    key_messages: str = ""
    conclusion: str = ""
    summaries: dict[int, str] = field(default_factory=dict)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())


class ReadinessService:
    """Readiness checks and the statement's own texts for one open workshop."""

    def __init__(self, workshop: Any) -> None:
        self.workshop = workshop

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        """The workshop's own transaction (a write, saved on return) or read."""
        db = self.workshop.db
        with db.transaction() if write else db.reading() as s:
            yield s

    def _row(self, s: Session) -> PositionStatementRow | None:
        return s.exec(select(PositionStatementRow)).first()

    def _row_for_write(self, s: Session) -> PositionStatementRow:
        row = self._row(s)
        if row is None:
            row = PositionStatementRow(id=_new_id(), version="0.1", updated=_now())
            s.add(row)
        return row

    # ---------------------------------------------------------------- settings

    def stale_months(self) -> int:
        """How old evidence may be, in months before the latest session (default 24)."""
        with self._session(write=False) as s:
            row = self._row(s)
        return row.stale_evidence_months if row else rules.DEFAULT_STALE_MONTHS

    def set_stale_months(self, months: int) -> None:
        if not 1 <= int(months) <= 240:
            raise UserError("Evidence age must be between 1 and 240 months.")
        with self._session(write=True) as s:
            row = self._row_for_write(s)
            row.stale_evidence_months = int(months)
            row.updated = _now()

    def document_control(self) -> DocumentControl:
        with self._session(write=False) as s:
            row = self._row(s)
        if row is None:
            return DocumentControl()
        return DocumentControl(
            version=row.version or "0.1",
            status=row.status,
            evaluation_date=row.evaluation_date,
            approved_by=row.approved_by,
        )

    def update_document_control(self, **fields: Any) -> None:
        """Set any of version, status, evaluation_date (ISO date or None), approved_by."""
        unknown = set(fields) - {"version", "status", "evaluation_date", "approved_by"}
        if unknown:
            raise ValueError(f"Unknown document control fields: {sorted(unknown)}")
        if "status" in fields and fields["status"] not in DOCUMENT_STATUSES:
            raise UserError("The status must be draft, for sign-off or final.")
        if fields.get("evaluation_date"):
            try:
                dt.date.fromisoformat(fields["evaluation_date"])
            except ValueError:
                raise UserError(
                    "The date of the evaluation must be a date such as 2026-11-17."
                ) from None
        with self._session(write=True) as s:
            row = self._row_for_write(s)
            for key, value in fields.items():
                if isinstance(value, str):
                    value = one_line(for_storage(value))  # at most 2,000 characters
                setattr(row, key, value or (None if key == "evaluation_date" else value))
            row.updated = _now()

    def evaluation_date(self) -> str | None:
        """The date the document gives for the evaluation: as set, else the latest session."""
        control = self.document_control()
        if control.evaluation_date:
            return control.evaluation_date
        dates = [x.date for x in self.workshop.sessions() if x.date]
        return max(dates) if dates else None

    # ------------------------------------------------------- the team's texts

    def statement_texts(self) -> StatementTexts:
        with self._session(write=False) as s:
            row = self._row(s)
            summaries = s.exec(select(StatementSummaryRow)).all()
        return StatementTexts(
            key_messages=row.key_messages if row else "",
            conclusion=row.conclusion if row else "",
            summaries={r.number: r.text for r in summaries if r.text.strip()},
        )

    def update_key_messages(self, text: str) -> None:
        with self._session(write=True) as s:
            row = self._row_for_write(s)
            row.key_messages = for_storage(text)
            row.updated = _now()

    def update_conclusion(self, text: str) -> None:
        with self._session(write=True) as s:
            row = self._row_for_write(s)
            row.conclusion = for_storage(text)
            row.updated = _now()

    def update_summary(self, number: int, text: str) -> None:
        with self._session(write=True) as s:
            row = s.exec(
                select(StatementSummaryRow).where(col(StatementSummaryRow.number) == number)
            ).first()
            if row is None:
                row = StatementSummaryRow(id=_new_id(), number=number, updated=_now())
                s.add(row)
            row.text = for_storage(text)
            row.updated = _now()

    # ------------------------------------------------------------------ drafts

    def draft_summary(self, number: int, *, with_grades: bool = True) -> str:
        """A first draft of one statement's summary, from the agreed grades and lists."""
        fw = self.workshop.framework()
        evaluations = {e.indicator_code: e for e in self.workshop.evaluations()}
        return draft_statement_summary(fw, number, evaluations, with_grades=with_grades)

    def draft_key_messages(self, *, with_grades: bool = True) -> str:
        """Bullets: one per statement, its main strength and what must improve."""
        fw = self.workshop.framework()
        evaluations = {e.indicator_code: e for e in self.workshop.evaluations()}
        return draft_key_messages(fw, evaluations, with_grades=with_grades)

    def draft_conclusion(self, *, with_grades: bool = True, with_plan: bool = True) -> str:
        """A first draft of the conclusion on capacity for improvement."""
        fw = self.workshop.framework()
        evaluations = {e.indicator_code: e for e in self.workshop.evaluations()}
        open_actions = [
            a for a in self.workshop.actions() if a.status not in ("complete", "dropped")
        ]
        return draft_conclusion(
            fw, evaluations, len(open_actions) if with_plan else None, with_grades=with_grades
        )

    # ----------------------------------------------------------- not personal

    def not_personal(self) -> set[tuple[str, str]]:
        with self._session(write=False) as s:
            rows = s.exec(select(NotPersonalRow)).all()
        return {(r.place, r.text) for r in rows}

    def mark_not_personal(self, finding: Finding) -> None:
        """Remember that these words at this place are not personal data."""
        if finding.kind != "personal_data" or not finding.text:
            raise ValueError("Only personal-data findings can be marked as not personal.")
        with self._session(write=True) as s:
            marked = s.exec(
                select(NotPersonalRow).where(
                    col(NotPersonalRow.place) == finding.place,
                    col(NotPersonalRow.text) == finding.text,
                )
            ).first()
            if marked is not None:
                return  # one mark per place and words: merged copies know it by those
            s.add(
                NotPersonalRow(id=_new_id(), place=finding.place, text=finding.text, updated=_now())
            )

    def unmark_not_personal(self, place: str, text: str) -> None:
        with self._session(write=True) as s:
            s.exec(
                delete(NotPersonalRow).where(
                    col(NotPersonalRow.place) == place, col(NotPersonalRow.text) == text
                )
            )

    # ----------------------------------------------------------------- checks

    def findings(self, kinds: Iterable[str] | None = None) -> list[Finding]:
        """Every finding, personal data first, then by kind in ``FINDING_KINDS`` order."""
        wanted = set(kinds) if kinds is not None else set(rules.FINDING_KINDS)
        ws = self.workshop
        evaluations: list[Evaluation] = ws.evaluations()
        evidence: list[Evidence] = ws.evidence()
        actions: list[Action] = ws.actions()
        evidence_by_code = _by_code(evidence)
        actions_by_code = _by_code(actions)
        out: list[Finding] = []
        if "personal_data" in wanted:
            out += self._personal(evaluations, evidence, actions)
        if wanted & {"ungrounded_grade", "single_source", "single_agency"}:
            out += [
                f
                for f in rules.grounding_findings(evaluations, evidence_by_code)
                if f.kind in wanted
            ]
        if "stale_evidence" in wanted:
            months = self.stale_months()
            dates = [x.date for x in ws.sessions() if x.date]
            cutoff = rules.stale_cutoff(max(dates) if dates else None, months)
            out += rules.stale_findings(evidence, cutoff, months)
        if "agreed_incomplete" in wanted:
            out += rules.agreed_incomplete_findings(evaluations, evidence_by_code, actions_by_code)
        if "smart_gap" in wanted:
            out += rules.smart_findings(actions)
        order = list(rules.FINDING_KINDS)
        out.sort(key=lambda f: order.index(f.kind) if f.kind in order else len(order))
        return out

    def personal_data(self) -> list[Finding]:
        """Possible personal details still in the workshop (not marked as not personal)."""
        ws = self.workshop
        return self._personal(ws.evaluations(), ws.evidence(), ws.actions())

    def _personal(
        self, evaluations: list[Evaluation], evidence: list[Evidence], actions: list[Action]
    ) -> list[Finding]:
        ws = self.workshop
        details = ws.details()
        fw = ws.framework()
        participants = ws.participants()
        team = [p.name for p in participants] + [details.facilitator]
        vocabulary = [details.title, details.partnership]
        vocabulary += [f"{p.agency} {p.role}" for p in participants]
        vocabulary += [x.place for x in ws.sessions()]
        vocabulary += [e.agency for e in evidence]
        vocabulary += [ind.title for ind in fw.indicators] + [st.text for st in fw.statements]
        context = Context.build(team, vocabulary)
        texts = self.statement_texts()
        return rules.personal_data_findings(
            _text_places(details, evaluations, evidence, actions, texts),
            context,
            self.not_personal(),
        )

    def triangulation(self) -> list[TriangulationRow]:
        fw = self.workshop.framework()
        graded = {e.indicator_code for e in self.workshop.evaluations() if e.grade is not None}
        return rules.triangulation(
            [(i.code, i.title) for i in fw.indicators], _by_code(self.workshop.evidence()), graded
        )


def _by_code(records: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for record in records:
        for code in record.indicators:
            out.setdefault(code, []).append(record)
    return out


def _text_places(
    details: Any,
    evaluations: list[Evaluation],
    evidence: list[Evidence],
    actions: list[Action],
    texts: StatementTexts,
) -> Iterator[TextPlace]:
    for name in ("scope", "context"):
        yield TextPlace(getattr(details, name), name, label=FIELD_LABELS[name])
    yield TextPlace(texts.key_messages, "key_messages", label="Key messages")
    yield TextPlace(texts.conclusion, "conclusion", label="Conclusion")
    for number, text in sorted(texts.summaries.items()):
        yield TextPlace(text, "summary", statement=number, label=f"Statement {number} summary")
    for ev in evaluations:
        code = ev.indicator_code
        for name in _EVALUATION_FIELDS:
            yield TextPlace(
                getattr(ev, name), name, indicator=code, label=f"{code} {FIELD_LABELS[name]}"
            )
        for kind, items in (
            ("strengths", ev.strengths),
            ("areas_for_improvement", ev.areas_for_improvement),
        ):
            for item in items:
                yield TextPlace(
                    item.text, kind, indicator=code, label=f"{code} {FIELD_LABELS[kind]}"
                )
    for e in evidence:
        for name in _EVIDENCE_FIELDS:
            yield TextPlace(
                getattr(e, name),
                name,
                evidence=e.ref,
                label=f"Evidence {e.ref} {FIELD_LABELS[name].lower()}",
            )
    for a in actions:
        for name in _ACTION_FIELDS:
            yield TextPlace(
                getattr(a, name),
                name,
                action=a.ref,
                label=f"Action {a.ref} {FIELD_LABELS[name].lower()}",
            )


# ------------------------------------------------------------------- drafting


def _level_label(fw: Any, grade: int) -> str:
    level = fw.level(grade)
    return level.label.lower() if level else str(grade)


def draft_statement_summary(
    fw: Any, number: int, evaluations: dict[str, Evaluation], *, with_grades: bool = True
) -> str:
    """Two or three sentences: the grades, the main strengths, the main areas to improve."""
    indicators = fw.indicators_for_statement(number)
    graded = [
        (i, evaluations[i.code])
        for i in indicators
        if i.code in evaluations and evaluations[i.code].grade is not None
    ]
    if not graded:
        return ""
    grades = [e.grade for _i, e in graded if e.grade is not None]
    share_good = 100 * sum(1 for g in grades if g >= 4) / len(grades)
    parts = (
        [f"We evaluated {_and([i.code for i, _e in graded])} as {_grade_phrase(fw, grades)}."]
        if with_grades
        else []
    )
    strengths = [e.strengths[0].text for _i, e in graded if e.strengths][:2]
    areas = [e.areas_for_improvement[0].text for _i, e in graded if e.areas_for_improvement][:2]
    if strengths:
        parts.append("Strengths include " + _lower_join(strengths) + ".")
    if areas:
        parts.append("We need to improve " + _lower_join(areas) + ".")
    if len(grades) > 1 and with_grades:
        parts.append(
            f"{quantity_word(share_good).capitalize()} of these indicators are good or better."
        )
    return " ".join(parts)


def _grade_phrase(fw: Any, grades: list[int]) -> str:
    labels = sorted({g for g in grades}, reverse=True)
    if len(labels) == 1:
        return _level_label(fw, labels[0])
    return f"{_level_label(fw, labels[-1])} to {_level_label(fw, labels[0])}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lower_join(items: list[str]) -> str:
    cleaned = [i.strip().rstrip(".") for i in items]
    cleaned = [c[:1].lower() + c[1:] if c[:2] != c[:2].upper() else c for c in cleaned]
    return " and ".join(cleaned)


def draft_key_messages(
    fw: Any, evaluations: dict[str, Evaluation], *, with_grades: bool = True
) -> str:
    lines: list[str] = []
    for st in fw.statements:
        graded = [
            evaluations[i.code]
            for i in fw.indicators_for_statement(st.number)
            if i.code in evaluations and evaluations[i.code].grade is not None
        ]
        if not graded:
            continue
        grades = [e.grade for e in graded if e.grade is not None]
        line = f"- Statement {st.number}" + (
            f" ({_grade_phrase(fw, grades)})" if with_grades else ""
        )
        strengths = [e.strengths[0].text for e in graded if e.strengths][:1]
        areas = [e.areas_for_improvement[0].text for e in graded if e.areas_for_improvement][:1]
        if strengths:
            line += f": {_lower_join(strengths)}"
        if areas:
            line += f"; we need to improve {_lower_join(areas)}"
        lines.append(line + ".")
    return "\n".join(lines)


def draft_conclusion(
    fw: Any,
    evaluations: dict[str, Evaluation],
    action_count: int | None,
    *,
    with_grades: bool = True,
) -> str:
    """None for ``action_count`` when the document leaves the plan out."""
    grades = [e.grade for e in evaluations.values() if e.grade is not None]
    if not grades:
        return ""
    good = sum(1 for g in grades if g >= 4)
    opening = (
        f"We graded {len(grades)} of the {len(fw.indicators)} quality indicators; "
        f"{quantity_word(100 * good / len(grades))} of them are good or better. "
        if with_grades
        else ""
    )
    plan = (
        f"and our improvement plan sets out {action_count} actions to get there"
        if action_count
        else "and how we will get there"
    )
    return (
        opening + f"We know where we need to improve, {plan}. "
        "We are confident in our capacity for improvement."
    )


# ------------------------------------------------------------ exchange JSON


def export_position_statement(workshop: Any) -> dict[str, Any] | None:
    """The optional ``position_statement`` property of an exchange document, or None."""
    ready = ReadinessService(workshop)
    with ready._session(write=False) as s:
        row = ready._row(s)
        summaries = s.exec(
            select(StatementSummaryRow).order_by(col(StatementSummaryRow.number))
        ).all()
        marks = s.exec(select(NotPersonalRow)).all()
    if row is None and not summaries and not marks:
        return None
    out: dict[str, Any] = {}
    if row is not None:
        out.update(
            {
                "version": row.version,
                "status": row.status,
                "approved_by": row.approved_by,
                "key_messages": row.key_messages,
                "conclusion": row.conclusion,
                "stale_evidence_months": row.stale_evidence_months,
            }
        )
        if row.evaluation_date:
            out["evaluation_date"] = row.evaluation_date
    out["statement_summaries"] = [{"statement": r.number, "text": r.text} for r in summaries]
    out["not_personal"] = sorted(
        ({"place": r.place, "text": r.text} for r in marks), key=lambda m: (m["place"], m["text"])
    )
    return out


def import_position_statement(workshop: Any, data: dict[str, Any] | None) -> None:
    """Store an exchange document's ``position_statement`` property in a new workshop."""
    if not data:
        return
    ready = ReadinessService(workshop)
    stamp = _now()
    with ready._session(write=True) as s:
        if any(
            k in data
            for k in (
                "version",
                "status",
                "approved_by",
                "key_messages",
                "conclusion",
                "stale_evidence_months",
                "evaluation_date",
            )
        ):
            s.add(
                PositionStatementRow(
                    id=_new_id(),
                    version=data.get("version", "0.1"),
                    status=data.get("status", "draft"),
                    evaluation_date=data.get("evaluation_date"),
                    approved_by=data.get("approved_by", ""),
                    key_messages=data.get("key_messages", ""),
                    conclusion=data.get("conclusion", ""),
                    stale_evidence_months=data.get(
                        "stale_evidence_months", rules.DEFAULT_STALE_MONTHS
                    ),
                    updated=stamp,
                )
            )
        for item in data.get("statement_summaries", []):
            s.add(
                StatementSummaryRow(
                    id=_new_id(), number=item["statement"], text=item["text"], updated=stamp
                )
            )
        for item in data.get("not_personal", []):
            s.add(
                NotPersonalRow(id=_new_id(), place=item["place"], text=item["text"], updated=stamp)
            )
