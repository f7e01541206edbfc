"""Opening and creating workshop files: ``init_db(path)`` is the only way in.

Choices, and why:
- ``journal_mode=DELETE`` (not WAL): the file must stay one self-contained file that can be
  copied to a USB stick or opened from a shared folder; WAL keeps recent edits in a
  side file and needs shared memory that network folders do not provide.
- ``synchronous=FULL``: every committed edit is on disk before the call returns, so a
  power cut loses nothing that the window showed as saved.
- ``application_id`` marks the file as ours; ``user_version`` is the schema version.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import create_engine

from carequal_desktop.errors import (
    DamagedWorkshopError,
    NewerVersionError,
    NotAWorkshopError,
    StorageError,
)
from carequal_desktop.store import migrations
from carequal_desktop.store.tables import metadata

APPLICATION_ID = 0x43514431  # "CQD1"
SCHEMA_VERSION = migrations.SCHEMA_VERSION
SQLITE_HEADER = b"SQLite format 3\x00"
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
SQLITE_READONLY_ROLLBACK = 776


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    # check_same_thread=False: exports read on a worker thread; the pool hands each
    # thread its own connection, so none is shared between threads at once.
    return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5.0)


def _make_engine(path: Path, read_only: bool) -> Engine:
    engine = create_engine(
        "sqlite://", creator=lambda: _connect(path, read_only), poolclass=QueuePool
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    return engine


def _describe(path: Path) -> str:
    return f"“{path.name}”"


def check_header(path: Path) -> bytes:
    """Refuse files that cannot be workshops before SQLite ever opens them; returns the header."""
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        raise NotAWorkshopError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise NotAWorkshopError(f"{path} is a folder, not a workshop file.") from None
    except PermissionError:
        raise StorageError(
            f"CareQual is not allowed to read {_describe(path)}. "
            "Ask whoever manages this computer for access, or copy the file somewhere you can read."
        ) from None
    except OSError as exc:
        raise StorageError(
            f"{_describe(path)} could not be read ({exc.strerror or exc}). "
            "If it is on a USB stick or a network folder, check that it is still connected."
        ) from None
    if not head:
        raise NotAWorkshopError(
            f"{_describe(path)} is empty, so it is not a CareQual workshop. "
            "If it should hold your work, use File › Restore an earlier version."
        )
    if not head.startswith(SQLITE_HEADER):
        raise NotAWorkshopError(
            f"{_describe(path)} is not a CareQual workshop file. "
            "Choose a file ending in .carequal, or use File › Import to bring in exchange JSON."
        )
    if len(head) < 100 or _cut_short(path, head):
        raise DamagedWorkshopError(
            f"{_describe(path)} is damaged: it was cut short, perhaps by a copy that did not "
            "finish. Use File › Restore an earlier version to open a backup; the file has not "
            "been changed."
        )
    return head


def _hot_journal(path: Path) -> bool:
    """Whether a rollback journal beside ``path`` holds a save that did not finish."""
    try:
        with Path(f"{path}-journal").open("rb") as fh:
            return fh.read(8) == JOURNAL_MAGIC
    except OSError:
        return False


def _finish_interrupted_save(path: Path, head: bytes) -> None:
    """Roll back a save that a crash or power cut interrupted, as SQLite does on opening.

    Only for our own files (the application id in the header), so another program's
    database is still refused untouched.
    """
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        return
    try:
        conn = _connect(path, read_only=False)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if _is_busy(exc):
            raise _in_use(path) from None
        raise _damaged(path) from None
    logging.getLogger("carequal.store").info("Rolled back a save interrupted by a crash")


def _cut_short(path: Path, head: bytes) -> bool:
    """Whether the file is shorter than its header says (and no journal will mend it)."""
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count is only valid while the change counter matches "version valid for".
    if not pages or head[24:28] != head[92:96]:
        return False
    if _hot_journal(path):
        return False  # a crash mid-save: the journal is rolled back on opening
    return path.stat().st_size < pages * page_size


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _in_use(path: Path) -> StorageError:
    return StorageError(
        f"{_describe(path)} is being used by another program, so it cannot be opened now. "
        "Close the other program (or wait a moment) and try again; the file has not been changed."
    )


def _damaged(path: Path) -> DamagedWorkshopError:
    return DamagedWorkshopError(
        f"{_describe(path)} is damaged: part of it cannot be read. Use File › Restore an "
        "earlier version to open a backup; the file has not been changed."
    )


def _read_version(conn: sqlite3.Connection, path: Path) -> tuple[int, int, int]:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if _is_busy(exc):
            raise _in_use(path) from None
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_READONLY_ROLLBACK:
            raise DamagedWorkshopError(
                f"{_describe(path)} was not closed properly (the computer or CareQual stopped "
                "while saving) and must be tidied before it can be read, which cannot be done "
                "read-only. Open it normally, from a disk that can be written to; the file has "
                "not been changed."
            ) from None
        raise _damaged(path) from None
    return app_id, version, tables


def init_db(
    path: Path,
    *,
    create: bool = False,
    read_only: bool = False,
    before_migrate: Callable[[Path, int], None] | None = None,
) -> Engine:
    """Open (or with ``create``, make) a workshop file and return its engine.

    Raises a ``UserError`` with a clear sentence for anything that is not a healthy
    workshop of this or an earlier version. The file is never changed unless it is a
    healthy workshop that needs migrating, and then only after ``before_migrate`` ran.
    """
    path = Path(path)
    if create:
        if path.exists():
            raise StorageError(f"{path} already exists.")
        try:
            sqlite3.connect(path).close()
            if os.name == "posix":
                # Owner-only whatever the umask: a workshop is sensitive; SQLite gives its
                # journal the same mode as the file.
                os.chmod(path, 0o600)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"A workshop file could not be created at {path} ({exc}).") from None
        engine = _make_engine(path, read_only=False)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            metadata.create_all(conn)
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
        return engine

    head = check_header(path)
    # Finishing a save a crash interrupted restores the last saved state; it is not an
    # edit, so a read-only opening (the command line's exports) does it too where it can.
    can_write = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if _hot_journal(path) and (not read_only or can_write):
        _finish_interrupted_save(path, head)
    try:
        probe = _connect(path, read_only=True)
    except sqlite3.Error as exc:
        raise DamagedWorkshopError(f"{_describe(path)} cannot be opened ({exc}).") from None
    try:
        app_id, version, tables = _read_version(probe, path)
        if app_id != APPLICATION_ID:
            raise NotAWorkshopError(
                f"{_describe(path)} is a database made by another program, not a CareQual "
                "workshop. It has not been changed."
            )
        if version > SCHEMA_VERSION:
            raise NewerVersionError(
                f"{_describe(path)} was made by a newer version of CareQual (file version "
                f"{version}, this version reads up to {SCHEMA_VERSION}). Install the latest "
                "CareQual to open it; the file has not been changed."
            )
        if version < 1 or tables == 0:
            raise DamagedWorkshopError(
                f"{_describe(path)} is an unfinished workshop file with no content. "
                "Use File › Restore an earlier version to open a backup."
            )
        try:
            ok = probe.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise _in_use(path) from None
            ok = str(exc)
        if ok != "ok":
            logging.getLogger("carequal.store").warning(
                "quick_check failed: %s", ok.replace("\n", "; ")[:500]
            )
            raise _damaged(path)
    finally:
        probe.close()

    if version < SCHEMA_VERSION:
        if read_only:
            raise NewerVersionError(
                f"{_describe(path)} was made by an earlier version of CareQual and must be "
                "upgraded, which cannot be done on read-only media. Copy it to this laptop first."
            )
        if before_migrate is not None:
            before_migrate(path, version)
        migrations.upgrade(path, version)

    return _make_engine(path, read_only=read_only)
