"""SQLite failures turned into the sentence a facilitator needs."""

from __future__ import annotations

from pathlib import Path

from carequal_desktop.errors import DamagedWorkshopError, ReadOnlyError, StorageError, UserError


def storage_error(exc: BaseException, path: Path) -> UserError:
    """Turn an SQLite failure into the sentence a facilitator needs."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    name = f"“{path.name}”"
    # SQLITE_READONLY_DBMOVED (1032): the file was deleted, moved or its stick pulled.
    if getattr(orig, "sqlite_errorcode", None) == 1032 or not path.is_file():
        return StorageError(
            f"{name} is no longer where it was opened (was the USB stick removed, or the file "
            "moved or deleted?), so the change was not saved. Use File › Save a copy as to keep "
            "your work, or put the stick back and open the file again."
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DamagedWorkshopError(
            f"{name} is damaged: part of it cannot be read. Use File › Save a copy as to keep "
            "what can still be read, then File › Restore an earlier version."
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(
            f"{name} cannot be changed because it is read-only. "
            "Use File › Save a copy as to keep working on a copy."
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            f"{name} is being used by another program, so the change was not saved. "
            "Close the other program and try again."
        )
    if "full" in text:
        return StorageError(
            "The disk is full, so the change was not saved. Free some space, then try again."
        )
    if "disk i/o" in text or "unable to open" in text:
        return StorageError(
            f"{name} could not be written. If it is on a USB stick or a network folder, "
            "check that it is still connected, then try again."
        )
    return StorageError(f"{name} could not be saved ({text}).")
