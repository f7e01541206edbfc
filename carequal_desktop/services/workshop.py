"""Use cases on one open workshop file: every call is one transaction, saved when it returns.

The window, the command line and the reports all go through ``WorkshopService``; there is no
Save button because every edit is committed here as it happens.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import (
    Framework,
    Indicator,
    ScaleLevel,
    Statement,
    indicator_sort_key,
    load_builtin,
)
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.domain.vocabulary import (
    ACTION_STATUSES,
    EVALUATION_STATUSES,
    EVIDENCE_KINDS,
    EVIDENCE_SUPPORTS,
)
from carequal_desktop.errors import (
    ReadOnlyError,
    TargetExistsError,
    UserError,
    WorkshopLockedError,
)
from carequal_desktop.services import backups, files, locking
from carequal_desktop.store.connection import check_header, init_db
from carequal_desktop.store.errors import storage_error
from carequal_desktop.store.tables import (
    ActionIndicatorRow,
    ActionRow,
    EvaluationItemRow,
    EvaluationRow,
    EvidenceIndicatorRow,
    EvidenceRow,
    IndicatorRow,
    Meta,
    ParticipantRow,
    ScaleLevelRow,
    SessionRow,
    StatementRow,
    WorkshopRow,
)

ITEM_KINDS = ("strength", "area_for_improvement")

_EVALUATION_TEXT_FIELDS = (
    "how_good_now",
    "how_do_we_know",
    "what_next",
    "rationale",
    "dissent",
)
_EVIDENCE_FIELDS = (
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
_ACTION_FIELDS = (
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


def now_iso() -> str:
    """The current time as the exchange format writes it: ``2026-05-12T16:30:00Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


def _clean(value: Any) -> Any:
    return for_storage(value) if isinstance(value, str) else value


def _check_choice(value: str, choices: dict[str, str], what: str) -> str:
    if value not in choices:
        raise UserError(f"“{value}” is not a known {what}.")
    return value


def _check_date(value: str | None, what: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise UserError(f"{what} must be a date like 2026-03-31, not “{value}”.") from None
    return value


def _check_grade(value: int | None, framework: Framework) -> int | None:
    if value is None:
        return None
    if framework.level(value) is None:
        raise UserError(f"{value} is not a grade on this workshop's scale.")
    return int(value)


class WorkshopService:
    """One open workshop file."""

    def __init__(self, path: Path, engine: Any, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.engine = engine
        self.read_only = read_only
        self._framework: Framework | None = None
        self._locked = False
        self.notices: list[str] = []

    # ------------------------------------------------------------------ files

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        title: str,
        partnership: str,
        framework: Framework | None = None,
        facilitator: str = "",
        overwrite: bool = False,
    ) -> WorkshopService:
        """Make a new workshop file with a copy of the framework."""
        path = Path(path)
        title, partnership = one_line(title), one_line(partnership)
        if not title or not partnership:
            raise UserError("A workshop needs a title and a partnership name.")
        if path.exists() and not overwrite:
            raise TargetExistsError(f"{path} already exists.")
        framework = framework or load_builtin()
        locking.acquire(path)  # never replace a file someone has open
        # Built under a temporary name and moved into place only when complete, so a full
        # disk leaves nothing behind (not an "unfinished" file).
        tmp = files.temp_path(path.parent)
        try:
            try:
                engine = init_db(tmp, create=True)
                try:
                    builder = cls(tmp, engine)
                    stamp = now_iso()
                    with builder._tx() as s:
                        s.add(
                            WorkshopRow(
                                id=new_id(),
                                title=title,
                                partnership=partnership,
                                facilitator=one_line(facilitator),
                                created=stamp,
                                updated=stamp,
                            )
                        )
                        builder._write_framework(s, framework, stamp)
                        s.add(Meta(key="created_by", value=_app_version()))
                finally:
                    engine.dispose()
                if path.exists() and files.is_workshop_file(path):
                    backups.make_backup(path, "before-replace")
                files.set_aside_journal(path)
                files.place(tmp, path, overwrite=overwrite)
            except (UserError, OSError, sqlite3.Error) as exc:
                if isinstance(exc, TargetExistsError | WorkshopLockedError):
                    raise
                raise files.not_created(path, exc) from None
            finally:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}-journal").unlink(missing_ok=True)
            return cls.open(path, _locked_already=True)
        except BaseException:
            locking.release(path)
            raise

    @classmethod
    def open(
        cls, path: Path, *, read_only: bool | None = None, _locked_already: bool = False
    ) -> WorkshopService:
        """Open an existing workshop; read-only media open read-only.

        What opening had to do to the file (a leftover journal set aside, say) is in
        ``service.notices``, one sentence each, for the window or the command line to show.
        """
        path = Path(path)
        if read_only is None:
            read_only = not is_writable(path)
        files.tidy_leftovers(path.parent)  # temporaries a killed CareQual left here
        notices: list[str] = []
        # Only one CareQual may change a file at a time; looking needs no lock.
        if not read_only and not _locked_already:
            check_header(path)  # a missing or foreign file gets its own message, not a lock
            locking.acquire(path)
        try:
            engine = init_db(
                path, read_only=read_only, before_migrate=backups.before_migrate, notices=notices
            )
            service = cls(path, engine, read_only=read_only)
            service.notices = notices
            try:
                # Read once now so a damaged table shows here, not halfway through a workshop.
                service.details()
            except BaseException:
                engine.dispose()
                raise
        except BaseException:
            if not read_only:
                locking.release(path)
            raise
        service._locked = not read_only
        backups.backup_quietly(path)
        return service

    def close(self) -> None:
        """Close the file and give up its lock (safe to call twice)."""
        self.engine.dispose()
        if self._locked:
            self._locked = False
            locking.release(self.path)

    def save_copy_as(self, target: Path, *, overwrite: bool = False) -> Path:
        """Write a complete, consistent copy of this workshop to ``target``."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise UserError("Choose a different name or folder for the copy.")
        if target.exists() and not overwrite:
            raise TargetExistsError(f"{target} already exists.")
        if locking.held_here(target):  # another name or link for a file open here
            raise UserError("Choose a different name or folder for the copy.")
        locking.acquire(target)  # nobody opens or replaces it while the copy is made
        try:
            if target.exists() and files.is_workshop_file(target):
                backups.make_backup(target, "before-replace")
            files.set_aside_journal(target)
            raw = self.engine.raw_connection()
            try:
                files.snapshot_copy(raw.driver_connection, target, overwrite=overwrite)
            finally:
                raw.close()
        except (OSError, sqlite3.Error) as exc:
            raise files.not_created(target, exc) from None
        finally:
            locking.release(target)
        return target

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """One saved edit: commits on success, rolls back and explains on failure."""
        if self.read_only:
            raise ReadOnlyError(
                f"“{self.path.name}” is open read-only, so it cannot be changed. "
                "Use File › Save a copy as to keep working on a copy."
            )
        try:
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
                s.commit()
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise storage_error(exc, self.path) from None

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            raise storage_error(exc, self.path) from None

    @staticmethod
    def _touch(s: Session, stamp: str) -> None:
        s.exec(update(WorkshopRow).values(updated=stamp))  # type: ignore[call-overload]

    # ---------------------------------------------------------------- details

    def details(self) -> rec.WorkshopDetails:
        with self._read() as s:
            row = s.exec(select(WorkshopRow)).scalars().first()  # type: ignore[call-overload]
            if row is None:
                raise UserError(f"“{self.path.name}” holds no workshop.")
            return rec.WorkshopDetails(
                **{k: getattr(row, k) for k in rec.WorkshopDetails.__dataclass_fields__}
            )

    def update_details(self, **fields: Any) -> None:
        allowed = {"title", "partnership", "scope", "context", "facilitator"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"Unknown workshop fields: {sorted(unknown)}")
        values = {k: _clean(v) for k, v in fields.items()}
        for key in ("title", "partnership", "facilitator"):
            if key in values:
                values[key] = one_line(values[key])
        for key in ("title", "partnership"):
            if key in values and not values[key]:
                raise UserError(f"The workshop's {key} cannot be empty.")
        stamp = now_iso()
        with self._tx() as s:
            s.exec(update(WorkshopRow).values(**values, updated=stamp))  # type: ignore[call-overload]

    def extensions(self) -> dict[str, Any] | None:
        with self._read() as s:
            text = s.exec(select(WorkshopRow.extensions)).scalar()  # type: ignore[call-overload]
        return None if text is None else json.loads(text)

    # --------------------------------------------------------------- sessions

    def sessions(self) -> list[rec.Session]:
        with self._read() as s:
            rows = s.exec(select(SessionRow).order_by(SessionRow.position)).scalars().all()  # type: ignore[call-overload]
            return [rec.Session(r.id, r.date, r.place, r.notes, r.updated) for r in rows]

    def add_session(self, date: str, place: str = "", notes: str = "") -> rec.Session:
        date = _check_date(date, "A session's date") or ""
        if not date:
            raise UserError("A session needs a date.")
        stamp = now_iso()
        with self._tx() as s:
            pos = s.exec(select(func.count()).select_from(SessionRow)).scalar()  # type: ignore[call-overload]
            row = SessionRow(
                id=new_id(), position=pos, date=date, place=one_line(for_storage(place)),
                notes=_clean(notes), updated=stamp,
            )
            s.add(row)
            self._touch(s, stamp)
        return rec.Session(row.id, row.date, row.place, row.notes, row.updated)

    def update_session(self, session_id: str, **fields: Any) -> None:
        values = {k: _clean(v) for k, v in fields.items() if k in ("date", "place", "notes")}
        if "date" in values and not _check_date(values["date"], "A session's date"):
            raise UserError("A session needs a date.")
        self._update_row(SessionRow, session_id, values)

    def delete_session(self, session_id: str) -> None:
        self._delete_row(SessionRow, session_id)

    # -------------------------------------------------------------- framework

    def framework(self) -> Framework:
        """The workshop's own copy of its framework (cached until edited)."""
        if self._framework is None:
            with self._read() as s:
                ws = s.exec(select(WorkshopRow)).scalars().first()  # type: ignore[call-overload]
                sts = s.exec(select(StatementRow).order_by(StatementRow.number)).scalars().all()  # type: ignore[call-overload]
                inds = s.exec(select(IndicatorRow).order_by(IndicatorRow.position)).scalars().all()  # type: ignore[call-overload]
                lvls = s.exec(select(ScaleLevelRow).order_by(ScaleLevelRow.value.desc())).scalars().all()  # type: ignore[call-overload,attr-defined]
                self._framework = Framework(
                    id=ws.framework_id,
                    title=ws.framework_title,
                    statements=tuple(Statement(r.number, r.text) for r in sts),
                    indicators=tuple(
                        Indicator(
                            code=r.code,
                            title=r.title,
                            key_question=r.key_question,
                            area=r.area,
                            statements=tuple(json.loads(r.statements)),
                            prompts=tuple(json.loads(r.prompts)),
                        )
                        for r in inds
                    ),
                    scale=tuple(ScaleLevel(r.value, r.label, r.meaning) for r in lvls),
                )
        return self._framework

    def _write_framework(self, s: Session, fw: Framework, stamp: str) -> None:
        s.exec(update(WorkshopRow).values(framework_id=fw.id, framework_title=fw.title))  # type: ignore[call-overload]
        for st in fw.statements:
            s.add(StatementRow(id=new_id(), number=st.number, text=_clean(st.text), updated=stamp))
        for pos, ind in enumerate(fw.indicators):
            s.add(
                IndicatorRow(
                    id=new_id(),
                    code=ind.code,
                    position=pos,
                    title=_clean(ind.title),
                    key_question=_clean(ind.key_question),
                    area=_clean(ind.area),
                    statements=json.dumps(list(ind.statements)),
                    prompts=json.dumps([_clean(p) for p in ind.prompts]),
                    updated=stamp,
                )
            )
        for lvl in fw.scale:
            s.add(
                ScaleLevelRow(
                    id=new_id(), value=lvl.value, label=_clean(lvl.label),
                    meaning=_clean(lvl.meaning), updated=stamp,
                )
            )
        self._framework = None

    def update_indicator(
        self,
        code: str,
        *,
        title: str | None = None,
        prompts: Iterable[str] | None = None,
        statements: Iterable[int] | None = None,
    ) -> None:
        """Correct an indicator's title, prompts or statement mapping in this workshop."""
        fw = self.framework()
        fw.indicator(code)  # raises KeyError for an unknown code
        values: dict[str, Any] = {}
        if title is not None:
            title = one_line(for_storage(title))
            if not title:
                raise UserError("An indicator needs a title.")
            values["title"] = title
        if prompts is not None:
            values["prompts"] = json.dumps(
                [one_line(for_storage(p)) for p in prompts if p.strip()]
            )
        if statements is not None:
            numbers = sorted(set(int(n) for n in statements))
            known = {st.number for st in fw.statements}
            if not set(numbers) <= known:
                raise UserError("An indicator can only be mapped to the four inspection statements.")
            values["statements"] = json.dumps(numbers)
        if not values:
            return
        stamp = now_iso()
        with self._tx() as s:
            s.exec(update(IndicatorRow).where(IndicatorRow.code == code).values(**values, updated=stamp))  # type: ignore[call-overload]
            self._touch(s, stamp)
        self._framework = None

    # ----------------------------------------------------------- participants

    def participants(self) -> list[rec.Participant]:
        with self._read() as s:
            rows = s.exec(select(ParticipantRow).order_by(ParticipantRow.position)).scalars().all()  # type: ignore[call-overload]
            return [rec.Participant(r.id, r.name, r.agency, r.role, r.updated) for r in rows]

    def add_participant(self, name: str, agency: str, role: str = "") -> rec.Participant:
        name, agency, role = (one_line(for_storage(x)) for x in (name, agency, role))
        if not name or not agency:
            raise UserError("A participant needs a name and an agency.")
        stamp = now_iso()
        with self._tx() as s:
            pos = s.exec(select(func.coalesce(func.max(ParticipantRow.position), -1))).scalar() + 1  # type: ignore[call-overload]
            row = ParticipantRow(
                id=new_id(), position=pos, name=name, agency=agency, role=role, updated=stamp
            )
            s.add(row)
            self._touch(s, stamp)
        return rec.Participant(row.id, name, agency, role, stamp)

    def update_participant(self, participant_id: str, **fields: Any) -> None:
        values = {
            k: one_line(for_storage(v)) for k, v in fields.items() if k in ("name", "agency", "role")
        }
        if any(not values.get(k, "x") for k in ("name", "agency")):
            raise UserError("A participant needs a name and an agency.")
        self._update_row(ParticipantRow, participant_id, values)

    def delete_participant(self, participant_id: str) -> None:
        self._delete_row(ParticipantRow, participant_id)

    def agencies_summary(self) -> list[tuple[str, int]]:
        """(agency, number of participants), largest first."""
        counts: dict[str, int] = {}
        for p in self.participants():
            counts[p.agency] = counts.get(p.agency, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))

    # ------------------------------------------------------------ evaluations

    def evaluation(self, code: str) -> rec.Evaluation:
        """The team's answers for one indicator (an empty one if nothing is recorded yet)."""
        with self._read() as s:
            row = s.exec(
                select(EvaluationRow).where(EvaluationRow.indicator_code == code)
            ).scalars().first()  # type: ignore[call-overload]
            if row is None:
                return rec.Evaluation(indicator_code=code)
            items = s.exec(
                select(EvaluationItemRow)
                .where(EvaluationItemRow.evaluation_id == row.id)
                .order_by(EvaluationItemRow.position)
            ).scalars().all()  # type: ignore[call-overload]
            return self._evaluation_record(row, items)

    def evaluations(self) -> list[rec.Evaluation]:
        """Every recorded evaluation, in framework order."""
        order = {ind.code: i for i, ind in enumerate(self.framework().indicators)}
        with self._read() as s:
            rows = s.exec(select(EvaluationRow)).scalars().all()  # type: ignore[call-overload]
            items = s.exec(
                select(EvaluationItemRow).order_by(EvaluationItemRow.position)
            ).scalars().all()  # type: ignore[call-overload]
        by_eval: dict[str, list[EvaluationItemRow]] = {}
        for it in items:
            by_eval.setdefault(it.evaluation_id, []).append(it)
        result = [self._evaluation_record(r, by_eval.get(r.id, [])) for r in rows]
        result.sort(key=lambda e: order.get(e.indicator_code, len(order)))
        return result

    @staticmethod
    def _evaluation_record(row: EvaluationRow, items: Iterable[EvaluationItemRow]) -> rec.Evaluation:
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
                    agency=p["agency"], grade=p["grade"],
                    participant=p.get("participant"), note=p.get("note", ""),
                )
                for p in json.loads(row.proposed_grades)
            ],
            updated=row.updated,
        )
        for it in items:
            target = ev.strengths if it.kind == "strength" else ev.areas_for_improvement
            target.append(rec.ListItem(it.id, it.text))
        return ev

    def _evaluation_row(self, s: Session, code: str, stamp: str) -> EvaluationRow:
        self.framework().indicator(code)
        row = s.exec(select(EvaluationRow).where(EvaluationRow.indicator_code == code)).scalars().first()  # type: ignore[call-overload]
        if row is None:
            row = EvaluationRow(id=new_id(), indicator_code=code, updated=stamp)
            s.add(row)
            s.flush()
        return row

    def update_evaluation(self, code: str, **fields: Any) -> None:
        """Save some of an indicator's answers, grade or status."""
        fw = self.framework()
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key in _EVALUATION_TEXT_FIELDS:
                values[key] = for_storage(value or "")
            elif key == "status":
                values[key] = _check_choice(value, EVALUATION_STATUSES, "status")
            elif key in ("grade", "previous_grade"):
                values[key] = _check_grade(value, fw)
            elif key == "proposed_grades":
                values[key] = json.dumps([_proposed_to_dict(p) for p in value], ensure_ascii=False)
            else:
                raise ValueError(f"Unknown evaluation field {key!r}")
        stamp = now_iso()
        with self._tx() as s:
            row = self._evaluation_row(s, code, stamp)
            s.exec(update(EvaluationRow).where(EvaluationRow.id == row.id).values(**values, updated=stamp))  # type: ignore[call-overload]
            self._touch(s, stamp)

    def add_item(self, code: str, kind: str, text: str) -> rec.ListItem:
        """Add a strength or an area for improvement at the end of its list."""
        if kind not in ITEM_KINDS:
            raise ValueError(kind)
        text = one_line(for_storage(text))
        if not text:
            raise UserError("An empty line cannot be added.")
        stamp = now_iso()
        with self._tx() as s:
            ev = self._evaluation_row(s, code, stamp)
            pos = s.exec(
                select(func.coalesce(func.max(EvaluationItemRow.position), -1)).where(
                    EvaluationItemRow.evaluation_id == ev.id, EvaluationItemRow.kind == kind
                )
            ).scalar() + 1  # type: ignore[call-overload]
            item = EvaluationItemRow(
                id=new_id(), evaluation_id=ev.id, kind=kind, position=pos, text=text, updated=stamp
            )
            s.add(item)
            s.exec(update(EvaluationRow).where(EvaluationRow.id == ev.id).values(updated=stamp))  # type: ignore[call-overload]
            self._touch(s, stamp)
        return rec.ListItem(item.id, text)

    def update_item(self, item_id: str, text: str) -> None:
        text = one_line(for_storage(text))
        if not text:
            raise UserError("A line cannot be empty; delete it instead.")
        self._update_row(EvaluationItemRow, item_id, {"text": text})

    def delete_item(self, item_id: str) -> None:
        self._delete_row(EvaluationItemRow, item_id)

    def reorder_items(self, code: str, kind: str, item_ids: list[str]) -> None:
        """Put a list of strengths or areas for improvement in the given order."""
        stamp = now_iso()
        with self._tx() as s:
            for pos, item_id in enumerate(item_ids):
                s.exec(
                    update(EvaluationItemRow)
                    .where(EvaluationItemRow.id == item_id, EvaluationItemRow.kind == kind)
                    .values(position=pos, updated=stamp)
                )  # type: ignore[call-overload]
            self._touch(s, stamp)

    # --------------------------------------------------------------- evidence

    def evidence(self) -> list[rec.Evidence]:
        """The whole register, in reference order."""
        # Core rows, not ORM objects: 5,000 items read in a fraction of the time.
        with self._read() as s:
            conn = s.connection()
            rows = conn.execute(
                select(EvidenceRow.__table__).order_by(EvidenceRow.ref_number)  # type: ignore[attr-defined]
            ).all()
            links = conn.execute(
                select(EvidenceIndicatorRow.evidence_id, EvidenceIndicatorRow.indicator_code)
                .order_by(EvidenceIndicatorRow.position)
            ).all()
        by_id = _group_links(links)
        return [self._evidence_record(r, by_id.get(r.id, [])) for r in rows]

    def counts(self) -> dict[str, int]:
        """Totals for summaries: evidence items, actions, overdue actions."""
        today = dt.date.today().isoformat()
        with self._read() as s:
            conn = s.connection()
            evidence = conn.execute(select(func.count()).select_from(EvidenceRow)).scalar_one()
            actions = conn.execute(select(func.count()).select_from(ActionRow)).scalar_one()
            overdue = conn.execute(
                select(func.count()).select_from(ActionRow).where(
                    ActionRow.due.is_not(None),  # type: ignore[union-attr]
                    ActionRow.due < today,  # type: ignore[operator]
                    ActionRow.status.not_in(("complete", "dropped")),  # type: ignore[attr-defined]
                )
            ).scalar_one()
        return {"evidence": evidence, "actions": actions, "overdue": overdue}

    def evidence_item(self, evidence_id: str) -> rec.Evidence:
        with self._read() as s:
            row = s.get(EvidenceRow, evidence_id)
            if row is None:
                raise UserError("That evidence has been deleted.")
            codes = s.exec(
                select(EvidenceIndicatorRow.indicator_code)
                .where(EvidenceIndicatorRow.evidence_id == evidence_id)
                .order_by(EvidenceIndicatorRow.position)
            ).scalars().all()  # type: ignore[call-overload]
        return self._evidence_record(row, list(codes))

    def evidence_for_indicator(self, code: str) -> list[rec.Evidence]:
        """Evidence linked to one indicator, in reference order."""
        with self._read() as s:
            conn = s.connection()
            rows = conn.execute(
                select(EvidenceRow.__table__)  # type: ignore[attr-defined]
                .join(EvidenceIndicatorRow, EvidenceIndicatorRow.evidence_id == EvidenceRow.id)
                .where(EvidenceIndicatorRow.indicator_code == code)
                .order_by(EvidenceRow.ref_number)
            ).all()
            linked_ids = select(EvidenceIndicatorRow.evidence_id).where(
                EvidenceIndicatorRow.indicator_code == code
            )
            links = conn.execute(
                select(EvidenceIndicatorRow.evidence_id, EvidenceIndicatorRow.indicator_code)
                .where(EvidenceIndicatorRow.evidence_id.in_(linked_ids))  # type: ignore[attr-defined]
                .order_by(EvidenceIndicatorRow.position)
            ).all()
        by_id = _group_links(links)
        return [self._evidence_record(r, by_id.get(r.id, [])) for r in rows]

    @staticmethod
    def _evidence_record(row: Any, codes: list[str]) -> rec.Evidence:
        return rec.Evidence(
            id=row.id, ref=row.ref, title=row.title, kind=row.kind, agency=row.agency,
            date=row.date, description=row.description, location=row.location,
            share_percent=row.share_percent, respondents=row.respondents,
            indicators=codes, supports=row.supports, updated=row.updated,
        )

    def _evidence_values(self, fields: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key not in _EVIDENCE_FIELDS:
                raise ValueError(f"Unknown evidence field {key!r}")
            if key == "title":
                value = one_line(for_storage(value or ""))
                if not value:
                    raise UserError("Evidence needs a title.")
            elif key == "kind":
                _check_choice(value, EVIDENCE_KINDS, "kind of evidence")
            elif key == "supports":
                _check_choice(value, EVIDENCE_SUPPORTS, "kind of support")
            elif key == "date":
                value = _check_date(value, "The evidence date")
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
            else:
                value = for_storage(value or "")
            values[key] = value
        return values

    def _check_codes(self, codes: Iterable[str]) -> list[str]:
        known = {ind.code for ind in self.framework().indicators}
        result: list[str] = []
        for code in codes:
            if code not in known:
                raise UserError(f"There is no indicator {code} in this workshop's framework.")
            if code not in result:
                result.append(code)
        return result

    def next_evidence_ref(self) -> str:
        with self._read() as s:
            top = s.exec(select(func.max(EvidenceRow.ref_number))).scalar()  # type: ignore[call-overload]
        return f"E{(top or 0) + 1}"

    def add_evidence(
        self, title: str, kind: str, *, indicators: Iterable[str] = (), **fields: Any
    ) -> rec.Evidence:
        """Add evidence to the register; its reference (E1, E2…) is assigned here."""
        values = self._evidence_values({"title": title, "kind": kind, **fields})
        codes = self._check_codes(indicators)
        stamp = now_iso()
        with self._tx() as s:
            top = s.exec(select(func.max(EvidenceRow.ref_number))).scalar() or 0  # type: ignore[call-overload]
            number = top + 1
            row = EvidenceRow(
                id=new_id(), ref=f"E{number}", ref_number=number, updated=stamp, **values
            )
            s.add(row)
            s.flush()
            for pos, code in enumerate(codes):
                s.add(EvidenceIndicatorRow(evidence_id=row.id, indicator_code=code, position=pos))
            self._touch(s, stamp)
        return self._evidence_record(row, codes)

    def update_evidence(
        self, evidence_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        values = self._evidence_values(fields)
        codes = None if indicators is None else self._check_codes(indicators)
        stamp = now_iso()
        with self._tx() as s:
            if s.get(EvidenceRow, evidence_id) is None:
                raise UserError("That evidence has been deleted.")
            s.exec(update(EvidenceRow).where(EvidenceRow.id == evidence_id).values(**values, updated=stamp))  # type: ignore[call-overload]
            if codes is not None:
                s.exec(delete(EvidenceIndicatorRow).where(EvidenceIndicatorRow.evidence_id == evidence_id))  # type: ignore[call-overload]
                for pos, code in enumerate(codes):
                    s.add(EvidenceIndicatorRow(evidence_id=evidence_id, indicator_code=code, position=pos))
            self._touch(s, stamp)

    def link_evidence(self, evidence_id: str, code: str) -> None:
        """Cite evidence for an indicator (no change if it already is)."""
        item = self.evidence_item(evidence_id)
        if code not in item.indicators:
            self.update_evidence(evidence_id, indicators=[*item.indicators, code])

    def unlink_evidence(self, evidence_id: str, code: str) -> None:
        item = self.evidence_item(evidence_id)
        if code in item.indicators:
            self.update_evidence(evidence_id, indicators=[c for c in item.indicators if c != code])

    def evidence_usage(self, evidence_id: str) -> list[str]:
        """Where evidence is used, as phrases for the "delete?" question."""
        item = self.evidence_item(evidence_id)
        fw = self.framework()
        places = [f"linked to indicator {fw.indicator(c).label}" for c in item.indicators if _has(fw, c)]
        pattern = re.compile(rf"\b{re.escape(item.ref)}\b")
        for ev in self.evaluations():
            if any(pattern.search(getattr(ev, f)) for f in _EVALUATION_TEXT_FIELDS):
                places.append(f"mentioned in the text of indicator {ev.indicator_code}")
        for act in self.actions():
            if any(pattern.search(getattr(act, f) or "") for f in ("issue", "task", "baseline", "target", "monitoring", "expected_outcome")):
                places.append(f"mentioned in improvement action {act.ref}")
        return places

    def delete_evidence(self, evidence_id: str) -> None:
        self._delete_row(EvidenceRow, evidence_id)

    # ---------------------------------------------------------------- actions

    def actions(self) -> list[rec.Action]:
        """The improvement plan, in plan order."""
        with self._read() as s:
            conn = s.connection()
            rows = conn.execute(
                select(ActionRow.__table__).order_by(ActionRow.position)  # type: ignore[attr-defined]
            ).all()
            links = conn.execute(
                select(ActionIndicatorRow.action_id, ActionIndicatorRow.indicator_code)
                .order_by(ActionIndicatorRow.position)
            ).all()
        by_id = _group_links(links)
        return [self._action_record(r, by_id.get(r.id, [])) for r in rows]

    def actions_for_indicator(self, code: str) -> list[rec.Action]:
        """Actions linked to one indicator, in plan order."""
        with self._read() as s:
            conn = s.connection()
            linked_ids = select(ActionIndicatorRow.action_id).where(
                ActionIndicatorRow.indicator_code == code
            )
            rows = conn.execute(
                select(ActionRow.__table__)  # type: ignore[attr-defined]
                .where(ActionRow.id.in_(linked_ids))  # type: ignore[attr-defined]
                .order_by(ActionRow.position)
            ).all()
            links = conn.execute(
                select(ActionIndicatorRow.action_id, ActionIndicatorRow.indicator_code)
                .where(ActionIndicatorRow.action_id.in_(linked_ids))  # type: ignore[attr-defined]
                .order_by(ActionIndicatorRow.position)
            ).all()
        by_id = _group_links(links)
        return [self._action_record(r, by_id.get(r.id, [])) for r in rows]

    def action(self, action_id: str) -> rec.Action:
        with self._read() as s:
            row = s.get(ActionRow, action_id)
            if row is None:
                raise UserError("That action has been deleted.")
            codes = s.exec(
                select(ActionIndicatorRow.indicator_code)
                .where(ActionIndicatorRow.action_id == action_id)
                .order_by(ActionIndicatorRow.position)
            ).scalars().all()  # type: ignore[call-overload]
        return self._action_record(row, list(codes))

    @staticmethod
    def _action_record(row: Any, codes: list[str]) -> rec.Action:
        return rec.Action(
            id=row.id, ref=row.ref, task=row.task, statement=row.statement, indicators=codes,
            issue=row.issue, expected_outcome=row.expected_outcome, ownership=row.ownership,
            monitoring=row.monitoring, baseline=row.baseline, target=row.target, due=row.due,
            status=row.status, updated=row.updated,
        )

    def _action_values(self, fields: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        fw = self.framework()
        for key, value in fields.items():
            if key not in _ACTION_FIELDS:
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
                _check_choice(value, ACTION_STATUSES, "action status")
            elif key == "due":
                value = _check_date(value, "The due date")
            elif key == "ownership":
                value = for_storage(value or "")[:4000]
            else:
                value = for_storage(value or "")
            values[key] = value
        return values

    def next_action_ref(self, statement: int | None) -> str:
        refs = {a.ref for a in self.actions()}
        prefix = f"{statement}." if statement is not None else ""
        n = 1
        while f"{prefix}{n}" in refs:
            n += 1
        return f"{prefix}{n}"

    def add_action(
        self, task: str, *, statement: int | None = None, indicators: Iterable[str] = (), **fields: Any
    ) -> rec.Action:
        """Add a row to the improvement plan; its reference (e.g. 2.3) is assigned unless given."""
        fields.setdefault("ref", self.next_action_ref(statement))
        values = self._action_values({"task": task, "statement": statement, **fields})
        codes = self._check_codes(indicators)
        stamp = now_iso()
        with self._tx() as s:
            if s.exec(select(ActionRow).where(ActionRow.ref == values["ref"])).first():  # type: ignore[call-overload]
                raise UserError(f"There is already an action {values['ref']}.")
            pos = s.exec(select(func.coalesce(func.max(ActionRow.position), -1))).scalar() + 1  # type: ignore[call-overload]
            row = ActionRow(id=new_id(), position=pos, updated=stamp, **values)
            s.add(row)
            s.flush()
            for i, code in enumerate(codes):
                s.add(ActionIndicatorRow(action_id=row.id, indicator_code=code, position=i))
            self._touch(s, stamp)
        return self._action_record(row, codes)

    def update_action(
        self, action_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        values = self._action_values(fields)
        codes = None if indicators is None else self._check_codes(indicators)
        stamp = now_iso()
        with self._tx() as s:
            if s.get(ActionRow, action_id) is None:
                raise UserError("That action has been deleted.")
            if "ref" in values:
                clash = s.exec(select(ActionRow).where(ActionRow.ref == values["ref"], ActionRow.id != action_id)).first()  # type: ignore[call-overload]
                if clash:
                    raise UserError(f"There is already an action {values['ref']}.")
            s.exec(update(ActionRow).where(ActionRow.id == action_id).values(**values, updated=stamp))  # type: ignore[call-overload]
            if codes is not None:
                s.exec(delete(ActionIndicatorRow).where(ActionIndicatorRow.action_id == action_id))  # type: ignore[call-overload]
                for i, code in enumerate(codes):
                    s.add(ActionIndicatorRow(action_id=action_id, indicator_code=code, position=i))
            self._touch(s, stamp)

    def link_action(self, action_id: str, code: str) -> None:
        act = self.action(action_id)
        if code not in act.indicators:
            self.update_action(action_id, indicators=[*act.indicators, code])

    def unlink_action(self, action_id: str, code: str) -> None:
        act = self.action(action_id)
        if code in act.indicators:
            self.update_action(action_id, indicators=[c for c in act.indicators if c != code])

    def delete_action(self, action_id: str) -> None:
        self._delete_row(ActionRow, action_id)

    # --------------------------------------------------------------- overview

    def overview(self) -> list[rec.IndicatorSummary]:
        """Every indicator's status, grade and counts of evidence and actions."""
        fw = self.framework()
        with self._read() as s:
            evals = {
                code: (status, grade)
                for code, status, grade in s.exec(
                    select(EvaluationRow.indicator_code, EvaluationRow.status, EvaluationRow.grade)
                ).all()  # type: ignore[call-overload]
            }
            ev_counts = dict(
                s.exec(
                    select(EvidenceIndicatorRow.indicator_code, func.count()).group_by(
                        EvidenceIndicatorRow.indicator_code
                    )
                ).all()  # type: ignore[call-overload]
            )
            act_counts = dict(
                s.exec(
                    select(ActionIndicatorRow.indicator_code, func.count()).group_by(
                        ActionIndicatorRow.indicator_code
                    )
                ).all()  # type: ignore[call-overload]
            )
        return [
            rec.IndicatorSummary(
                code=ind.code,
                title=ind.title,
                statements=ind.statements,
                status=evals.get(ind.code, ("not_started", None))[0],
                grade=evals.get(ind.code, ("not_started", None))[1],
                evidence_count=ev_counts.get(ind.code, 0),
                action_count=act_counts.get(ind.code, 0),
            )
            for ind in fw.indicators
        ]

    # ---------------------------------------------------------------- helpers

    def _update_row(self, table: type, row_id: str, values: dict[str, Any]) -> None:
        stamp = now_iso()
        with self._tx() as s:
            if s.get(table, row_id) is None:
                raise UserError("That item has been deleted.")
            s.exec(update(table).where(table.id == row_id).values(**values, updated=stamp))  # type: ignore[call-overload,attr-defined]
            self._touch(s, stamp)

    def _delete_row(self, table: type, row_id: str) -> None:
        stamp = now_iso()
        with self._tx() as s:
            s.exec(delete(table).where(table.id == row_id))  # type: ignore[call-overload,attr-defined]
            self._touch(s, stamp)

    def bulk_insert(self, table: type, rows: list[dict[str, Any]]) -> None:
        """Fast insert for imports and generated workshops (one transaction)."""
        if not rows:
            return
        with self._tx() as s:
            s.exec(insert(table), params=rows)  # type: ignore[call-overload]


def _group_links(links: Iterable[Any]) -> dict[str, list[str]]:
    """(record id, indicator code) rows, in link order -> {record id: [codes]}."""
    by_id: dict[str, list[str]] = {}
    for record_id, code in links:
        by_id.setdefault(record_id, []).append(code)
    return by_id


def _has(fw: Framework, code: str) -> bool:
    try:
        fw.indicator(code)
    except KeyError:
        return False
    return True


def _proposed_to_dict(p: rec.ProposedGrade | dict[str, Any]) -> dict[str, Any]:
    if isinstance(p, dict):
        p = rec.ProposedGrade(**p)
    out: dict[str, Any] = {"agency": for_storage(p.agency), "grade": int(p.grade)}
    if p.participant:
        out["participant"] = p.participant
    if p.note:
        out["note"] = for_storage(p.note)
    return out


def is_writable(path: Path) -> bool:
    """Whether the file and its folder can be written (SQLite needs both for its journal)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _app_version() -> str:
    from carequal_desktop import __version__

    return __version__


def sort_codes(codes: Iterable[str]) -> list[str]:
    return sorted(codes, key=indicator_sort_key)
