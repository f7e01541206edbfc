"""Opening and creating workshop files: ``init_db(path)`` is the only way in.

Choices, and why:
- ``journal_mode=DELETE`` (not WAL): the file must stay one self-contained file that can be
  copied to a USB stick or opened from a shared folder; WAL keeps recent edits in a
  side file and needs shared memory that network folders do not provide.
- ``synchronous=EXTRA``: every committed edit is on disk before the call returns, so a
  power cut loses nothing that the window showed as saved. In DELETE journal mode the
  commit point is the journal's deletion; EXTRA also syncs the folder after it (FULL does
  not), so a power cut just after "Saved" cannot bring the journal back and undo the edit.
- Every connection runs with ``trusted_schema=OFF`` (and SQLite's defensive mode where
  Python offers it, 3.12+), and a file's schema and values are checked before anything
  reads it (``store/validate.py``): a file from outside is hostile until checked.
- ``application_id`` marks the file as ours; ``user_version`` is the schema version.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlmodel import create_engine

from carequal_desktop.errors import (
    DamagedWorkshopError,
    NewerVersionError,
    NotAWorkshopError,
    StorageError,
)
from carequal_desktop.store import migrations
from carequal_desktop.store.errors import SQLITE_READONLY_ROLLBACK, is_busy, storage_error
from carequal_desktop.store.tables import metadata
from carequal_desktop.store.validate import FileCheckError, check_schema, check_values

log = logging.getLogger("carequal.store")

APPLICATION_ID = 0x43514431  # "CQD1"
SCHEMA_VERSION = migrations.SCHEMA_VERSION
SQLITE_HEADER = b"SQLite format 3\x00"
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
JOURNAL_WINDOW = 120.0  # seconds: a file and its own journal are written in one save


def harden(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Settings every connection to a workshop file gets before it reads anything.

    ``trusted_schema=OFF``: functions with side effects cannot be used from the schema
    (triggers, views, defaults). Defensive mode (no ``writable_schema``, no writes to
    shadow tables) needs ``Connection.setconfig``, which Python adds in 3.12; on 3.11 the
    schema check in ``validate.check_schema`` is what keeps a crafted schema out.
    ``cell_size_check`` makes SQLite check each page's cells, so a damaged page is an
    error, not undefined behaviour.
    """
    setconfig = getattr(conn, "setconfig", None)
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if setconfig is not None and defensive is not None:
        setconfig(defensive, True)
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA cell_size_check=ON")
    return conn


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    # check_same_thread=False: exports read on a worker thread; the pool hands each
    # thread its own connection, so none is shared between threads at once.
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5.0)
    try:
        return harden(conn)
    except BaseException:
        conn.close()
        raise


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
            cur.execute("PRAGMA synchronous=EXTRA")
        cur.close()

    return engine


def _describe(path: Path) -> str:
    return f"“{path.name}”"


def check_header(path: Path) -> bytes:
    """Refuse files that cannot be workshops before SQLite ever opens them; returns the header."""
    try:
        head = _read_head(path)
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


def _read_head(path: Path) -> bytes:
    """The first 100 bytes of a regular file; anything else is refused before reading.

    A FIFO named ``.carequal`` would block ``open()`` for ever, a device would never end:
    the file is opened without blocking and checked to be a regular file before a byte is
    read.
    """
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotAWorkshopError(
            f"{_describe(path)} is not an ordinary file (it is a device, a pipe or a socket), "
            "so it is not a CareQual workshop; nothing was read from it."
        )
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the look above
            raise NotAWorkshopError(
                f"{_describe(path)} is not an ordinary file, so it is not a CareQual workshop."
            )
        return os.read(fd, 100)
    finally:
        os.close(fd)


def _hot_journal(path: Path) -> bool:
    """Whether a rollback journal beside ``path`` holds a save that did not finish."""
    try:
        with Path(f"{path}-journal").open("rb") as fh:
            return fh.read(8) == JOURNAL_MAGIC
    except OSError:
        return False


# ------------------------------------------------------------ interrupted saves

Keeper = Callable[[Path, Path], tuple[Path, Path | None]]
_keeper: Keeper | None = None


def set_recovery_keeper(keeper: Keeper | None) -> None:
    """Who keeps the bytes of a file and its journal before a recovery (``services.backups``)."""
    global _keeper
    _keeper = keeper


def _copy_durably(source: Path, dest: Path) -> None:
    """A byte-for-byte copy (never through SQLite, which would roll the journal in), fsynced."""
    with source.open("rb") as src, dest.open("xb") as out:
        if os.name == "posix":
            os.fchmod(out.fileno(), 0o600)
        while chunk := src.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def _default_keeper(path: Path, journal: Path) -> tuple[Path, Path | None]:
    from carequal_desktop.paths import backups_dir

    folder = backups_dir() / "kept-before-recovery"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}Z"
    kept = folder / f"{stamp}-{path.name}"
    _copy_durably(path, kept)
    kept_journal: Path | None = folder / f"{stamp}-{path.name}-journal"
    try:
        _copy_durably(journal, kept_journal)  # type: ignore[arg-type]
    except FileNotFoundError:
        kept_journal = None
    return kept, kept_journal


def _be32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "big")


def journal_belongs(path: Path, head: bytes) -> bool | None:
    """Whether the hot journal beside ``path`` was written by a save of this very file.

    A journal left on a stick by a crash of *another* file of the same name must never
    be rolled into this one: SQLite would copy its pages over this file's and cut the
    file to the journal's size. A real journal has this file's page size and holds the
    page 1 this file had when the save began, whose change counter is this file's own or
    one less (the save got as far as writing page 1; then the file and the journal were
    modified within ``JOURNAL_WINDOW`` of each other, as one save writes both). True: it belongs; False: it does
    not; None: cannot tell (page 1 not in the first part), so the recovery is tried on
    the condition that the result passes the integrity check.
    """
    journal = Path(f"{path}-journal")
    db_page = _be32(b"\0\0" + head[16:18], 0)
    db_page = 65536 if db_page == 1 else db_page
    try:
        size = journal.stat().st_size
        with journal.open("rb") as fh:
            hdr = fh.read(28)
            if len(hdr) < 28 or hdr[:8] != JOURNAL_MAGIC:
                return False
            n_rec, max_pages, sector, j_page = (_be32(hdr, i) for i in (8, 16, 20, 24))
            if j_page != db_page or sector < 512 or sector > 65536 or sector & (sector - 1):
                return False
            record = 4 + j_page + 4
            available = max(0, (size - sector) // record)
            n = available if n_rec == 0xFFFFFFFF else min(n_rec, available)
            if n == 0:
                # Nothing to copy back, but SQLite would still cut the file to this size.
                return bool(max_pages == path.stat().st_size // db_page)
            for i in range(n):
                fh.seek(sector + i * record)
                if _be32(fh.read(4), 0) == 1:
                    page1 = fh.read(100)
                    if page1[68:72] != head[68:72]:
                        return False
                    step = (_be32(head, 24) - _be32(page1, 24)) % 2**32
                    if step == 0:
                        return True  # page 1 not yet written: the file is as the save began
                    if step != 1:
                        return False
                    # One save apart: the crashed save wrote page 1 itself (then the file
                    # and the journal were written together), or this is another copy saved
                    # once more. Written together means modified within a minute or two.
                    gap = abs(path.stat().st_mtime - journal.stat().st_mtime)
                    return gap <= JOURNAL_WINDOW
    except OSError:
        return None
    return None


def _integrity_ok(path: Path) -> bool:
    try:
        conn = _connect(path, read_only=True)
        try:
            return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _set_aside(journal: Path) -> Path:
    """Rename a journal so SQLite never sees it again (kept, not deleted)."""
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    aside = journal.with_name(f"{journal.name}-set-aside-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = journal.with_name(f"{journal.name}-set-aside-{stamp}-{n}")
    os.replace(journal, aside)
    return aside


def _put_back(kept: Path, kept_journal: Path | None, path: Path) -> Path | None:
    """Undo a recovery: the file's kept bytes back in place, the journal set aside."""
    journal = Path(f"{path}-journal")
    aside: Path | None = None
    if journal.exists():
        aside = _set_aside(journal)
    elif kept_journal is not None:
        aside = journal.with_name(f"{journal.name}-set-aside-{dt.datetime.now():%Y%m%d-%H%M%S}")
        _copy_durably(kept_journal, aside)
    tmp = path.with_name(f".carequal-{os.getpid()}-{time.monotonic_ns()}.tmp")
    try:
        _copy_durably(kept, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return aside


def finish_interrupted_save(
    path: Path, head: bytes | None = None, notices: list[str] | None = None
) -> bytes:
    """Roll back a save a crash or power cut interrupted, never making the file worse.

    Only for our own files (the application id in the header), so another program's
    database is still refused untouched. Before anything changes, the file's and the
    journal's bytes are kept (in the backups folder); a journal that does not belong to
    this file is set aside unused; a recovery whose result fails ``integrity_check`` is
    undone (the kept bytes put back, the journal set aside). What happened is added to
    ``notices`` as a sentence for the user. Returns the file's header afterwards.
    """
    path = Path(path)
    head = head if head is not None else check_header(path)
    notices = notices if notices is not None else []
    journal = Path(f"{path}-journal")
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID or not _hot_journal(path):
        return head
    name = _describe(path)
    try:
        kept, kept_journal = (_keeper or _default_keeper)(path, journal)
    except OSError as exc:
        raise StorageError(
            f"{name} was not closed properly (the computer or CareQual stopped while saving), "
            f"and no safety copy could be made before tidying it ({exc.strerror or exc}), so it "
            "was not changed. Free some space on this computer and try again."
        ) from None
    if journal_belongs(path, head) is False:
        aside = _set_aside(journal)
        log.warning("Set aside a journal that did not belong to the workshop beside it")
        notices.append(
            f"A leftover file “{journal.name}” beside {name} came from another copy of the "
            f"file (perhaps left by a crash on another computer), so it was not used and was "
            f"renamed “{aside.name}”; {name} itself was not changed."
        )
        return check_header(path)
    try:
        conn = _connect(path, read_only=False)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        finally:
            conn.close()
        rolled_back = True
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise _in_use(path) from None
        rolled_back = False
    if rolled_back and _integrity_ok(path):
        log.info("Rolled back a save interrupted by a crash")
        return check_header(path)
    try:
        put_aside = _put_back(kept, kept_journal, path)
    except OSError as exc:
        raise StorageError(
            f"{name} could not be mended after a save was interrupted, and could not be put "
            f"back as it was ({exc.strerror or exc}); a copy of it as it was is in CareQual's "
            "backups folder (File › Restore an earlier version)."
        ) from None
    aside_name = f"“{put_aside.name}”" if put_aside is not None else "a copy in the backups folder"
    log.warning("Undid a recovery whose result failed the integrity check")
    if _integrity_ok(path):
        notices.append(
            f"{name} had a leftover save file that would have damaged it, so it was not used "
            f"(it was renamed {aside_name}); {name} is exactly as it was before opening."
        )
        return check_header(path)
    raise DamagedWorkshopError(
        f"{name} is damaged, and finishing the save that was interrupted did not mend it, so "
        f"it was put back exactly as it was and its leftover save file was renamed "
        f"{aside_name}. Use File › Restore an earlier version to open a backup."
    )


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
        if is_busy(exc):
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


def open_for_copy(path: Path) -> sqlite3.Connection:
    """A read-only connection for copying a workshop with the backup API.

    A save a crash interrupted is finished first, the safe way (``finish_interrupted_save``),
    so the copy is consistent and a stray journal is never rolled in.
    """
    conn = _connect(Path(path), read_only=True)
    try:
        conn.execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorcode", None) != SQLITE_READONLY_ROLLBACK:
            raise
    finish_interrupted_save(Path(path))
    return _connect(Path(path), read_only=True)


_RECOVERED = (
    "; only the save a crash had interrupted was undone, and a copy of the file as it was "
    "is in the backups"
)


def _truthful(error: DamagedWorkshopError, recovered: bool) -> DamagedWorkshopError:
    """After a recovery, "has not been changed" would not be true: say what was done."""
    if not recovered:
        return error
    text = str(error)
    for clause in ("; the file has not been changed.", " and has not been changed."):
        if clause in text:
            text = text.replace(
                clause,
                _RECOVERED + "."
                if clause.startswith(";")
                else " (only the save a crash had interrupted was undone).",
            )
    return DamagedWorkshopError(text)


def _check_file(
    probe: sqlite3.Connection, path: Path, version: int, recovered: bool = False
) -> None:
    """Schema, integrity and values, in that order, before anything reads the workshop."""
    try:
        _check_file_once(probe, path, version)
    except DamagedWorkshopError as exc:
        raise _truthful(exc, recovered) from None


def _check_file_once(probe: sqlite3.Connection, path: Path, version: int) -> None:
    name = _describe(path)
    try:
        check_schema(probe, version, SCHEMA_VERSION)
        ok = probe.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            # Page numbers go to the log, never to the screen.
            log.warning("quick_check failed: %s", str(ok).replace("\n", "; ")[:500])
            raise _damaged(path)
        check_values(probe)
    except FileCheckError as exc:
        log.warning("Refused a workshop file: %s", exc.reason)
        if exc.kind == "schema":
            raise DamagedWorkshopError(
                f"{name} has been altered outside CareQual (it holds database parts CareQual "
                "did not create, such as triggers or extra tables), so it was not opened and "
                "has not been changed. Use File › Restore an earlier version, or ask whoever "
                "sent it for an exchange JSON copy."
            ) from None
        raise DamagedWorkshopError(
            f"{name} is damaged: it holds values CareQual cannot have written (for example a "
            "grade that is not on the scale, or a date that is not a date), so it was not "
            "opened and has not been changed. Use File › Restore an earlier version to open "
            "a backup."
        ) from None
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise _in_use(path) from None
        log.warning(
            "Checking a file failed (SQLite error %s)", getattr(exc, "sqlite_errorcode", "?")
        )
        raise _damaged(path) from None


def init_db(
    path: Path,
    *,
    create: bool = False,
    read_only: bool = False,
    before_migrate: Callable[[Path, int], None] | None = None,
    notices: list[str] | None = None,
    may_recover: bool = True,
) -> Engine:
    """Open (or with ``create``, make) a workshop file and return its engine.

    Raises a ``UserError`` with a clear sentence for anything that is not a healthy
    workshop of this or an earlier version, or whose schema or values CareQual did not
    make. The file is never changed unless it is a healthy workshop that needs migrating
    (then only after ``before_migrate`` ran) or a save a crash interrupted must be
    finished (see ``finish_interrupted_save``; what it did is added to ``notices``; not
    with ``may_recover=False``, for a file another program is writing now).
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
            reason = (
                getattr(exc, "strerror", None)
                or f"SQLite error {getattr(exc, 'sqlite_errorcode', '?')}"
            )
            raise StorageError(
                f"A workshop file could not be created at {path} ({reason})."
            ) from None
        engine = _make_engine(path, read_only=False)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (DBAPIError, sqlite3.Error) as exc:
            engine.dispose()
            raise storage_error(exc, path) from None  # "The disk is full, …" and the like
        return engine

    head = check_header(path)
    # Finishing a save a crash interrupted restores the last saved state; it is not an
    # edit, so a read-only opening (the command line's exports) does it too where it can.
    can_write = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    recovered = False
    # ``may_recover`` is False while another CareQual writes the file: its journal is live
    # (SQLite sees its lock and leaves it), never ours to judge or set aside.
    if _hot_journal(path) and (not read_only or can_write) and may_recover:
        before = path.stat()
        head = finish_interrupted_save(path, head, notices)
        after = path.stat()
        recovered = (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size)
    try:
        probe = _connect(path, read_only=True)
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise _in_use(path) from None
        log.warning("Opening failed (SQLite error %s)", getattr(exc, "sqlite_errorcode", "?"))
        raise _damaged(path) from None
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
                f"{_describe(path)} is an unfinished workshop file with no content (it was "
                "never finished, perhaps because the disk was full). If it should hold your "
                "work, use File › Restore an earlier version; otherwise create it again."
            )
        _check_file(probe, path, version, recovered)
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
