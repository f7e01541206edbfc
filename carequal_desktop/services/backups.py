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

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carequal_desktop.errors import StorageError, UserError
from carequal_desktop.paths import backups_dir

log = logging.getLogger("carequal.backups")

KEEP_RECENT = 10
KEEP_TOTAL = 20
SUFFIX = ".carequal"

REASONS = {
    "open": "when it was opened",
    "session": "during a long session",  # hourly, by the window
    "before-restore": "before an earlier version was restored",
    "before-upgrade": "before it was upgraded",
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


def _sqlite_copy(source: Path, dest: Path) -> None:
    try:
        _sqlite_copy_mode(source, dest, "ro")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) != 776:  # SQLITE_READONLY_ROLLBACK
            raise
        # A save interrupted by a crash: a read-write connection rolls it back first,
        # as opening the workshop would, so the copy is consistent.
        _sqlite_copy_mode(source, dest, "rw")


def _sqlite_copy_mode(source: Path, dest: Path, mode: str) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode={mode}", uri=True, timeout=5.0)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_backup(
    workshop: Path, reason: str = "open", *, version: int | None = None
) -> Backup | None:
    """Copy ``workshop`` into its backups folder now; None if the newest copy is identical.

    The copy is made through SQLite (a consistent snapshot even while the file is open);
    a file SQLite cannot read is copied byte for byte, so nothing is ever lost.
    """
    workshop = Path(workshop)
    folder = folder_for(workshop)
    _tidy_temporaries(folder)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=str(folder))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            _sqlite_copy(workshop, tmp)
        except sqlite3.Error:
            shutil.copyfile(workshop, tmp)
        _private(tmp)
        existing = list_backups(workshop)
        if existing and reason in ("open", "session") and _digest(existing[0].path) == _digest(tmp):
            tmp.unlink()
            return None
        now = dt.datetime.now(dt.UTC)
        tag = reason + (f"-v{version}" if version is not None else "")
        while True:
            target = folder / f"{now:%Y%m%d-%H%M%S-%f}Z-{tag}{SUFFIX}"
            if not target.exists():
                break
            now += dt.timedelta(microseconds=1)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    rotate(workshop)
    return Backup(target, now, target.stat().st_size, reason)


def _tidy_temporaries(folder: Path) -> None:
    """Remove half-made copies that a crash during a backup left behind."""
    for old in folder.glob(".backup-*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > 60:
                old.unlink()


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
        fd, tmp_name = tempfile.mkstemp(prefix=".carequal-", suffix=".tmp", dir=str(target.parent))
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _sqlite_copy(source, tmp)
            _private(tmp)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        # A journal left by a crash belongs to the file we replaced, not this one.
        Path(f"{target}-journal").unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"“{target.name}” could not be restored ({getattr(exc, 'strerror', None) or exc}). "
            "The current file has not been changed."
        ) from None
    finally:
        locking.release(target)
    log.info("Restored a workshop from a backup")
    return target
