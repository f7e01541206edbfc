"""SQLite failures turned into the sentence a facilitator needs, by SQLite's error code.

The one place that classifies SQLite errors: by ``sqlite_errorcode`` (the extended result
code Python 3.11 attaches to every ``sqlite3.Error``), never by the English text of the
message, which changes between SQLite versions and may quote the file's contents. The
message text goes to no screen: what SQLite says (page numbers, a malformed schema's SQL)
is an internal detail, and can quote workshop text.
"""

from __future__ import annotations

from pathlib import Path

from carequal_desktop.errors import DamagedWorkshopError, ReadOnlyError, StorageError, UserError

# Primary result codes (the low byte of an extended code).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_TOOBIG = 18
SQLITE_MISMATCH = 20
SQLITE_AUTH = 23
SQLITE_NOTADB = 26
SQLITE_ERROR = 1

# Extended codes that need their own sentence.
SQLITE_READONLY_ROLLBACK = 776  # a hot journal that a read-only connection cannot roll back
SQLITE_READONLY_DBMOVED = 1032  # the file was deleted or moved while open (a pulled stick)
SQLITE_IOERR_NOMEM = 3082


def error_code(exc: BaseException) -> int | None:
    """The extended SQLite result code of ``exc`` (or of the DBAPI error it wraps)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def primary_code(exc: BaseException) -> int | None:
    code = error_code(exc)
    return None if code is None else code & 0xFF


def is_busy(exc: BaseException) -> bool:
    """Another connection or program holds a lock on the file."""
    return primary_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED)


def is_damage(exc: BaseException) -> bool:
    """The file's bytes are not a healthy database (or its schema cannot be read)."""
    return primary_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_MISMATCH, SQLITE_TOOBIG)


def _name(path: Path) -> str:
    return f"“{Path(path).name}”"


def storage_error(exc: BaseException, path: Path) -> UserError:
    """Turn an SQLite failure during an edit or a read into one sentence for the user."""
    name = _name(path)
    code = error_code(exc)
    primary = None if code is None else code & 0xFF
    if code == SQLITE_READONLY_DBMOVED or not Path(path).is_file():
        return StorageError(
            f"{name} is no longer where it was opened (was the USB stick removed, or the file "
            "moved or deleted?), so the change was not saved. Use File › Save a copy as to keep "
            "your work, or put the stick back and open the file again."
        )
    if is_damage(exc):
        return DamagedWorkshopError(
            f"{name} is damaged: part of it cannot be read. Use File › Save a copy as to keep "
            "what can still be read, then File › Restore an earlier version."
        )
    if primary in (SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH):
        return ReadOnlyError(
            f"{name} cannot be changed because it is read-only. "
            "Use File › Save a copy as to keep working on a copy."
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageError(
            f"{name} is being used by another program, so the change was not saved. "
            "Close the other program and try again."
        )
    if primary == SQLITE_FULL:
        return StorageError(
            "The disk is full, so the change was not saved. Free some space, then try again."
        )
    if primary == SQLITE_NOMEM or code == SQLITE_IOERR_NOMEM:
        return StorageError(
            "This computer ran out of memory, so the change was not saved. Close other "
            "programs, then try again."
        )
    if primary in (SQLITE_IOERR, SQLITE_CANTOPEN):
        return StorageError(
            f"{name} could not be written. If it is on a USB stick or a network folder, "
            "check that it is still connected, then try again."
        )
    return StorageError(
        f"{name} could not be saved (SQLite error {code if code is not None else 'unknown'}). "
        "Try again; if it keeps happening, use File › Save a copy as to keep your work."
    )
