"""One open workshop file: the façade the window, the command line and the reports use.

Each aggregate has its own module — the team and sessions (``team``), the framework
(``framework``), evaluations (``evaluations``), the evidence register (``evidence``) and the
improvement plan (``plan``) — sharing one transaction helper (``unit.WorkshopDb``).
``WorkshopService`` opens and closes the file and hands each call to its aggregate; every
call is one transaction, saved when it returns, so there is no Save button.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import Framework, indicator_sort_key, load_builtin
from carequal_desktop.domain.text import one_line
from carequal_desktop.errors import TargetExistsError, UserError, WorkshopLockedError
from carequal_desktop.services import backups, files, locking
from carequal_desktop.services.evaluations import ITEM_KINDS, EvaluationService
from carequal_desktop.services.evidence import EvidenceService
from carequal_desktop.services.framework import FrameworkService
from carequal_desktop.services.links import ACTION_LINKS, EVIDENCE_LINKS
from carequal_desktop.services.plan import PlanService
from carequal_desktop.services.storage_errors import storage_error
from carequal_desktop.services.team import TeamService
from carequal_desktop.services.unit import WorkshopDb
from carequal_desktop.services.values import new_id, now_iso
from carequal_desktop.store.connection import check_header, init_db
from carequal_desktop.store.tables import Meta, WorkshopRow

__all__ = [
    "ITEM_KINDS",
    "WorkshopService",
    "is_writable",
    "new_id",
    "now_iso",
    "sort_codes",
    "storage_error",
]


class WorkshopService:
    """One open workshop file, and every use case on it."""

    def __init__(self, path: Path, engine: Engine, *, read_only: bool = False) -> None:
        self.db = WorkshopDb(path, engine, read_only=read_only)
        self.frameworks = FrameworkService(self.db)
        self.team = TeamService(self.db)
        self.evaluation_service = EvaluationService(self.db, self.frameworks)
        self.evidence_service = EvidenceService(self.db, self.frameworks, self.evaluation_service)
        self.plan = PlanService(self.db, self.frameworks)
        self._locked = False
        self.notices: list[str] = []  # what opening did to the file (open())

    @property
    def path(self) -> Path:
        """The workshop file."""
        return self.db.path

    @property
    def engine(self) -> Engine:
        """The file's SQLAlchemy engine (for snapshot copies and checks)."""
        return self.db.engine

    @property
    def read_only(self) -> bool:
        """Whether this file was opened read-only."""
        return self.db.read_only

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
                    with builder.db.transaction() as s:
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
                        builder.frameworks.write(s, framework, stamp)
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
                files.release_temp(tmp)
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
                path,
                read_only=read_only,
                before_migrate=backups.before_migrate,
                notices=notices,
                may_recover=not (read_only and locking.open_elsewhere(path)),
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
            if self.db.server is not None:
                self._copy_from_server(target, overwrite=overwrite)
            else:
                raw = self.engine.raw_connection()
                try:
                    source = raw.driver_connection
                    assert isinstance(source, sqlite3.Connection)
                    files.snapshot_copy(source, target, overwrite=overwrite)
                finally:
                    raw.close()
        except (OSError, sqlite3.Error) as exc:
            raise files.not_created(target, exc) from None
        finally:
            locking.release(target)
        return target

    def _copy_from_server(self, target: Path, *, overwrite: bool) -> None:
        """A workshop on a server has no file to snapshot: an offline copy is taken (pull)."""
        from carequal_desktop.services.server import pull  # imports this module

        assert self.db.server is not None
        location = self.db.server.location

        def fill(tmp: Path) -> None:
            pull(location, tmp)  # the history comes too; merging the copy back works

        files.write_with(target, fill, overwrite=overwrite)

    def bulk_insert(self, table: type[SQLModel], rows: list[dict[str, Any]]) -> None:
        """Fast insert for imports and generated workshops (one transaction)."""
        self.db.bulk_insert(table, rows)

    # --------------------------------------------------------- team, sessions

    def details(self) -> rec.WorkshopDetails:
        return self.team.details()

    def update_details(self, *, expected: dict[str, str] | None = None, **fields: Any) -> None:
        self.team.update_details(expected=expected, **fields)

    def extensions(self) -> dict[str, Any] | None:
        return self.team.extensions()

    def sessions(self) -> list[rec.Session]:
        return self.team.sessions()

    def add_session(self, date: str, place: str = "", notes: str = "") -> rec.Session:
        return self.team.add_session(date, place, notes)

    def update_session(self, session_id: str, **fields: Any) -> None:
        self.team.update_session(session_id, **fields)

    def delete_session(self, session_id: str) -> None:
        self.team.delete_session(session_id)

    def participants(self) -> list[rec.Participant]:
        return self.team.participants()

    def add_participant(self, name: str, agency: str, role: str = "") -> rec.Participant:
        return self.team.add_participant(name, agency, role)

    def update_participant(self, participant_id: str, **fields: Any) -> None:
        self.team.update_participant(participant_id, **fields)

    def delete_participant(self, participant_id: str) -> None:
        self.team.delete_participant(participant_id)

    def agencies_summary(self) -> list[tuple[str, int]]:
        return self.team.agencies_summary()

    # -------------------------------------------------------------- framework

    def framework(self) -> Framework:
        return self.frameworks.framework()

    def update_indicator(
        self,
        code: str,
        *,
        title: str | None = None,
        prompts: Iterable[str] | None = None,
        statements: Iterable[int] | None = None,
    ) -> None:
        self.frameworks.update_indicator(code, title=title, prompts=prompts, statements=statements)

    # ------------------------------------------------------------ evaluations

    def evaluation(self, code: str) -> rec.Evaluation:
        return self.evaluation_service.evaluation(code)

    def evaluations(self) -> list[rec.Evaluation]:
        return self.evaluation_service.evaluations()

    def update_evaluation(
        self, code: str, *, expected: dict[str, str] | None = None, **fields: Any
    ) -> None:
        self.evaluation_service.update_evaluation(code, expected=expected, **fields)

    def add_item(self, code: str, kind: str, text: str) -> rec.ListItem:
        return self.evaluation_service.add_item(code, kind, text)

    def update_item(self, item_id: str, text: str, *, expected: str | None = None) -> None:
        self.evaluation_service.update_item(item_id, text, expected=expected)

    def delete_item(self, item_id: str) -> None:
        self.evaluation_service.delete_item(item_id)

    def reorder_items(self, code: str, kind: str, item_ids: list[str]) -> None:
        self.evaluation_service.reorder_items(code, kind, item_ids)

    # --------------------------------------------------------------- evidence

    def evidence(self) -> list[rec.Evidence]:
        return self.evidence_service.evidence()

    def evidence_item(self, evidence_id: str) -> rec.Evidence:
        return self.evidence_service.evidence_item(evidence_id)

    def evidence_for_indicator(self, code: str) -> list[rec.Evidence]:
        return self.evidence_service.evidence_for_indicator(code)

    def next_evidence_ref(self) -> str:
        return self.evidence_service.next_evidence_ref()

    def add_evidence(
        self, title: str, kind: str, *, indicators: Iterable[str] = (), **fields: Any
    ) -> rec.Evidence:
        return self.evidence_service.add_evidence(title, kind, indicators=indicators, **fields)

    def update_evidence(
        self, evidence_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        self.evidence_service.update_evidence(evidence_id, indicators=indicators, **fields)

    def link_evidence(self, evidence_id: str, code: str) -> None:
        self.evidence_service.link_evidence(evidence_id, code)

    def unlink_evidence(self, evidence_id: str, code: str) -> None:
        self.evidence_service.unlink_evidence(evidence_id, code)

    def evidence_usage(self, evidence_id: str) -> list[str]:
        return self.evidence_service.evidence_usage(evidence_id, self.plan.actions())

    def delete_evidence(self, evidence_id: str) -> None:
        self.evidence_service.delete_evidence(evidence_id)

    # ---------------------------------------------------------------- actions

    def actions(self) -> list[rec.Action]:
        return self.plan.actions()

    def actions_for_indicator(self, code: str) -> list[rec.Action]:
        return self.plan.actions_for_indicator(code)

    def action(self, action_id: str) -> rec.Action:
        return self.plan.action(action_id)

    def next_action_ref(self, statement: int | None) -> str:
        return self.plan.next_action_ref(statement)

    def add_action(
        self,
        task: str,
        *,
        statement: int | None = None,
        indicators: Iterable[str] = (),
        **fields: Any,
    ) -> rec.Action:
        return self.plan.add_action(task, statement=statement, indicators=indicators, **fields)

    def update_action(
        self, action_id: str, *, indicators: Iterable[str] | None = None, **fields: Any
    ) -> None:
        self.plan.update_action(action_id, indicators=indicators, **fields)

    def link_action(self, action_id: str, code: str) -> None:
        self.plan.link_action(action_id, code)

    def unlink_action(self, action_id: str, code: str) -> None:
        self.plan.unlink_action(action_id, code)

    def delete_action(self, action_id: str) -> None:
        self.plan.delete_action(action_id)

    # --------------------------------------------------------------- overview

    def counts(self) -> dict[str, int]:
        """Totals for summaries: evidence items, actions, overdue actions."""
        actions, overdue = self.plan.counts()
        return {"evidence": self.evidence_service.count(), "actions": actions, "overdue": overdue}

    def overview(self) -> list[rec.IndicatorSummary]:
        """Every indicator's status, grade and counts of evidence and actions."""
        fw = self.framework()
        evals = self.evaluation_service.statuses_and_grades()
        with self.db.reading() as s:
            conn = s.connection()
            ev_counts = EVIDENCE_LINKS.counts(conn)
            act_counts = ACTION_LINKS.counts(conn)
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


def is_writable(path: Path) -> bool:
    """Whether the file and its folder can be written (SQLite needs both for its journal)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _app_version() -> str:
    from carequal_desktop import __version__

    return __version__


def sort_codes(codes: Iterable[str]) -> list[str]:
    """Indicator codes in framework order (1.1, 2.1 … 10.1)."""
    return sorted(codes, key=indicator_sort_key)
