"""One open workshop file: its engine and the transactions every aggregate service uses.

Every edit is one committed transaction (``transaction()``), so there is no Save button;
a failure is rolled back and turned into the sentence a facilitator needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, SQLModel

from carequal_desktop.errors import ReadOnlyError, UserError
from carequal_desktop.services.storage_errors import storage_error
from carequal_desktop.services.values import now_iso
from carequal_desktop.store.tables import WorkshopRow


@dataclass(frozen=True)
class ServerWorkshop:
    """Where a workshop opened from a server lives, and this window's name on it."""

    location: Any  # store.server.ServerLocation (kept loose: files never import the driver)
    client: str


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class (for fast bulk reads and writes)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


class WorkshopDb:
    """The engine of one workshop file, and the only way services read or change it."""

    def __init__(
        self,
        path: Path,
        engine: Engine,
        *,
        read_only: bool = False,
        describe_error: Callable[[BaseException], UserError] | None = None,
        name: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.engine = engine
        self.read_only = read_only
        # A file's failures are told as file sentences; a server's as server sentences.
        self.describe_error = describe_error or (lambda exc: storage_error(exc, self.path))
        self.name = name or self.path.name
        self.server: ServerWorkshop | None = None  # set for a workshop on a server
        self._snapshot: Session | None = None  # the reads of snapshot(), while it lasts
        self._snapshot_thread: int | None = None  # the thread whose reads share it

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One saved edit: commits on success, rolls back and explains on failure."""
        if self.read_only:
            raise ReadOnlyError(
                f"“{self.name}” is open read-only, so it cannot be changed. "
                "Use File › Save a copy as to keep working on a copy."
            )
        try:
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
                s.commit()
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise self.describe_error(exc) from None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read; an unreadable file becomes a sentence, not a traceback."""
        try:
            # A session belongs to one thread: another thread's reads (a save in the
            # background during an export) take their own.
            if self._snapshot is not None and self._snapshot_thread == threading.get_ident():
                yield self._snapshot
                return
            with Session(self.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            raise self.describe_error(exc) from None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the workshop as it was at the first one.

        On a server, colleagues save while an export reads table after table; their edits
        must not half appear in it (an evidence item gone but still linked, say), so the
        reads share one REPEATABLE READ transaction. A file has one writer, whoever holds
        its lock, so its reads agree already.
        """
        if self._snapshot is not None or self.engine.dialect.name == "sqlite":
            yield
            return
        try:
            with Session(self.engine, expire_on_commit=False) as s:
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                self._snapshot, self._snapshot_thread = s, threading.get_ident()
                try:
                    yield
                finally:
                    self._snapshot = self._snapshot_thread = None
        except DBAPIError as exc:
            raise self.describe_error(exc) from None

    @staticmethod
    def touch(s: Session, stamp: str) -> None:
        """Mark the workshop as changed at ``stamp``."""
        s.exec(update(WorkshopRow).values(updated=stamp))

    def update_row(self, model: type[SQLModel], row_id: str, values: dict[str, Any]) -> None:
        """Change some fields of one record, which must still exist."""
        table = table_of(model)
        stamp = now_iso()
        with self.transaction() as s:
            if s.get(model, row_id) is None:
                raise UserError("That item has been deleted.")
            s.exec(update(table).where(table.c.id == row_id).values(**values, updated=stamp))
            self.touch(s, stamp)

    def delete_row(self, model: type[SQLModel], row_id: str) -> None:
        """Delete one record (and, through foreign keys, what hangs on it)."""
        table = table_of(model)
        stamp = now_iso()
        with self.transaction() as s:
            s.exec(delete(table).where(table.c.id == row_id))
            self.touch(s, stamp)

    def bulk_insert(self, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
        """Fast insert for imports and generated workshops (one transaction)."""
        if not rows:
            return
        with self.transaction() as s:
            s.connection().execute(insert(table_of(model)), list(rows))
