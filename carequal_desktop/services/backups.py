"""Automatic backups of workshops, and putting one back.

Each time a workshop is opened, every hour of a long session (the window's timer), and
before it is upgraded or restored, a consistent copy, made with SQLite's backup API, goes
to ``backups_dir()/<folder for this file>/``. The folder is named after the file and a
hash of its full path: a copy of a workshop on a USB stick and the one on the laptop are different files with different histories, even
though they share a workshop id, so their backups are kept apart. An ``about.json`` in
the folder records which file it belongs to.

Rotation: the ``KEEP_RECENT`` newest copies are all kept (a workshop day opens the file
many times, and the last few opens are what someone who has just overwritten a paragraph
needs); older ones are thinned to one per day, and at most ``KEEP_TOTAL`` are kept, so a
week-old state is still there after a busy day. A copy identical to the newest one is not
made again. Backups are readable only by their owner (POSIX mode 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carequal_desktop.errors import StorageError, TargetExistsError, UserError
from carequal_desktop.paths import backups_dir
from carequal_desktop.services import files
from carequal_desktop.store import connection

log = logging.getLogger("carequal.backups")

KEEP_RECENT = 10
KEEP_TOTAL = 20
SUFFIX = ".carequal"

REASONS = {
    "open": "when it was opened",
    "session": "during a long session",  # hourly, by the window
    "before-restore": "before an earlier version was restored",
    "before-upgrade": "before it was upgraded",
    "before-merge": "before another copy was merged into it",
    "before-update": "before an edited document was applied to it",
    "before-recovery": "before a save a crash interrupted was finished (exactly as it was)",
    "before-replace": "before an import replaced it",
    "earlier-release": "the demo as it was before a new version of CareQual replaced it",
}
_NAME = re.compile(r"^(\d{8}-\d{6}-\d{6})Z-([a-z-]+?)(?:-v(\d+))?\.carequal$")


@dataclass(frozen=True)
class Backup:
    """One backup copy: where it is, when it was made (UTC), its size and why."""

    path: Path
    created: dt.datetime
    size: int
    reason: str = "open"

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, "")


def _private(path: Path) -> None:
    if os.name == "posix":
        os.chmod(path, 0o600)


def folder_for(workshop: Path, *, create: bool = True) -> Path:
    """The backups folder of one workshop file (by its resolved path)."""
    resolved = Path(workshop).resolve()
    digest = hashlib.sha256(os.path.normcase(str(resolved)).encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"[^\w\- ]+", "_", resolved.stem)[:40].strip() or "workshop"
    folder = backups_dir() / f"{stem}-{digest}"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
        about = folder / "about.json"
        if not about.exists():
            about.write_text(json.dumps({"file": str(resolved)}, ensure_ascii=False), "utf-8")
            _private(about)
    return folder


def _workshop_path(source: Any) -> Path:
    return Path(getattr(source, "path", source))


def list_backups(workshop: Any) -> list[Backup]:
    """The backups of a workshop (a path or an open service), newest first."""
    folder = folder_for(_workshop_path(workshop), create=False)
    if not folder.is_dir():
        return []
    found: list[Backup] = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        created = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f").replace(tzinfo=dt.UTC)
        found.append(Backup(path, created, path.stat().st_size, match.group(2)))
    found.sort(key=lambda b: b.created, reverse=True)
    return found


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_backup(
    workshop: Path,
    reason: str = "open",
    *,
    version: int | None = None,
    folder_of: Path | None = None,
) -> Backup | None:
    """Copy ``workshop`` into its backups folder now; None if the newest copy is identical.

    The copy is made through SQLite (a consistent snapshot even while the file is open);
    a file SQLite cannot read is copied byte for byte, so nothing is ever lost.
    ``folder_of`` files the copy under another workshop's backups (the demo's earlier
    release under the new demo).
    """
    workshop = Path(workshop)
    owner = Path(folder_of) if folder_of is not None else workshop
    folder = folder_for(owner)
    files.tidy_leftovers(folder)
    tmp = files.temp_path(folder)
    try:
        try:
            conn = connection.open_for_copy(workshop)
            try:
                files.snapshot_to(conn, tmp)
            finally:
                conn.close()
        except (sqlite3.Error, UserError):
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}-journal").unlink(missing_ok=True)
            _copy_bytes(workshop, tmp)
        _private(tmp)
        _fsync(tmp)
        existing = list_backups(owner)
        if existing and reason in ("open", "session") and _digest(existing[0].path) == _digest(tmp):
            return None
        now = dt.datetime.now(dt.UTC)
        tag = reason + (f"-v{version}" if version is not None else "")
        while True:
            target = folder / f"{now:%Y%m%d-%H%M%S-%f}Z-{tag}{SUFFIX}"
            try:
                files.place(tmp, target, overwrite=False)
                break
            except TargetExistsError:
                now += dt.timedelta(microseconds=1)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)
        files.release_temp(tmp)
    rotate(owner)
    return Backup(target, now, target.stat().st_size, reason)


def _copy_bytes(source: Path, dest: Path) -> None:
    with source.open("rb") as src, dest.open("xb") as out:
        shutil.copyfileobj(src, out, 1 << 20)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def keep_before_recovery(workshop: Path, journal: Path) -> tuple[Path, Path | None]:
    """``init_db`` hook: keep the bytes of a file and its journal before a recovery.

    The file's copy is listed by File › Restore an earlier version ("before a save a
    crash interrupted was finished"); the journal's copy sits beside it under a name
    SQLite never treats as a journal.
    """
    folder = folder_for(workshop)
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}Z-before-recovery"
    kept = folder / f"{stamp}{SUFFIX}"
    _copy_bytes(workshop, kept)
    _private(kept)
    _fsync(kept)
    kept_journal: Path | None = folder / f"{stamp}.journal-kept"
    assert kept_journal is not None
    try:
        _copy_bytes(journal, kept_journal)
        _private(kept_journal)
    except FileNotFoundError:
        kept_journal = None
    files.fsync_folder(folder)
    return kept, kept_journal


connection.set_recovery_keeper(keep_before_recovery)


def rotate(workshop: Path) -> list[Path]:
    """Delete the backups the rotation rule does not keep; returns what was deleted."""
    backups = list_backups(workshop)
    keep = backups[:KEEP_RECENT]
    days = {b.created.astimezone().date() for b in keep}
    for b in backups[KEEP_RECENT:]:
        day = b.created.astimezone().date()
        if day not in days and len(keep) < KEEP_TOTAL:
            keep.append(b)
            days.add(day)
    kept = {b.path for b in keep}
    removed = []
    for b in backups:
        if b.path not in kept:
            b.path.unlink(missing_ok=True)
            b.path.with_suffix(".journal-kept").unlink(missing_ok=True)  # its journal, if kept
            removed.append(b.path)
    return removed


def backup_quietly(workshop: Path, reason: str = "open") -> Backup | None:
    """``make_backup``, but a failure is logged rather than stopping the workshop opening."""
    if Path(workshop).resolve().is_relative_to(backups_dir().resolve()):
        return None  # looking at a backup itself: no backups of backups
    try:
        return make_backup(workshop, reason)
    except (OSError, sqlite3.Error) as exc:
        log.warning("A backup could not be made (%s)", type(exc).__name__)
        return None


def before_migrate(path: Path, version: int) -> None:
    """``init_db`` hook: keep a copy of the file as it was before an upgrade (must succeed)."""
    try:
        make_backup(Path(path), "before-upgrade", version=version)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"“{Path(path).name}” needs upgrading, but no backup copy could be made first "
            f"({getattr(exc, 'strerror', None) or exc}), so it was not changed. Free some "
            "space on this computer and try again."
        ) from None


def restore_backup(service_or_path: Any, backup: Backup | Path) -> Path:
    """Put ``backup`` in place of the workshop file, keeping the current file as a backup.

    An open service is closed first; the caller opens the file again. The replacement is
    atomic: the file is either the old one or the restored one, never a mixture.
    """
    from carequal_desktop.services import locking
    from carequal_desktop.store.connection import init_db

    target = _workshop_path(service_or_path)
    if hasattr(service_or_path, "close"):
        service_or_path.close()
    elif locking.held_here(target):
        raise UserError(f"Close “{target.name}” before restoring an earlier version of it.")
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    # Refuse a backup that is not a healthy workshop (raises a UserError saying why).
    init_db(source, read_only=True).dispose()
    locking.acquire(target)
    try:
        if target.exists():
            make_backup(target, "before-restore")
        files.snapshot_copy(source, target, overwrite=True)
        # A journal left by a crash belongs to the file we replaced, not this one: set
        # aside (kept), never deleted, never rolled into the restored file.
        journal = Path(f"{target}-journal")
        if journal.exists():
            stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
            os.replace(journal, journal.with_name(f"{journal.name}-set-aside-{stamp}"))
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"“{target.name}” could not be restored ({getattr(exc, 'strerror', None) or exc}). "
            "The current file has not been changed."
        ) from None
    finally:
        locking.release(target)
    log.info("Restored a workshop from a backup")
    return target
