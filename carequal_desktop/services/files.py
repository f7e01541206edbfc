"""Writing files safely: the one atomic-write helper and the one SQLite snapshot-copy helper.

Every file CareQual writes whole (exports, exchange JSON, settings, backups, copies,
imports, restores) goes through here:

- the data goes to a temporary file in the target's own folder (named
  ``.carequal-<process id>-<n>.tmp``), is flushed and fsynced, then moved into place in one
  step (``os.replace``, or a hard link where an existing file must not be replaced), and
  the folder is fsynced so the new name survives a power cut. A failure leaves the old
  file, or nothing, and no partial file behind;
- temporaries a killed process left behind (they can hold workshop text) are removed the
  next time CareQual writes in, or opens a workshop from, that folder (``tidy_leftovers``);
- an export never replaces a CareQual workshop, whatever name or link reaches it, and never
  replaces a document open in Word or Excel.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import itertools
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from carequal_desktop.errors import StorageError, TargetExistsError, UserError

TEMP_PREFIX = ".carequal-"
TEMP_SUFFIX = ".tmp"
LEFTOVER_AGE = 60.0  # seconds: younger temporaries may belong to a save under way
_LEGACY = ("~carequal-*.tmp", ".backup-*.tmp", ".carequal-*.tmp")
_counter = itertools.count()
_active: set[str] = set()  # temporaries this process is writing now (never tidied away)

_APPLICATION_ID = (0x43514431).to_bytes(4, "big")  # store.connection.APPLICATION_ID
_SQLITE_HEADER = b"SQLite format 3\x00"


def lock_file_for(target: Path) -> Path | None:
    """Office's owner file beside a document it has open ("~$name.docx"), if there is one.

    Word and Excel name it "~$" plus the file name, with the first one or two characters
    of a longer name dropped, so all three forms are looked for.
    """
    name = target.name
    for candidate in (f"~${name}", f"~${name[2:]}", f"~${name[1:]}"):
        path = target.with_name(candidate)
        if path.exists():
            return path
    return None


def is_workshop_file(path: Path) -> bool:
    """Whether ``path`` (through any link) is a regular file holding a CareQual workshop."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return False
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    return head.startswith(_SQLITE_HEADER) and head[68:72] == _APPLICATION_ID


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse an export target that exists (unless ``overwrite``), is read-only, is open in
    Office, or is a CareQual workshop (an export never replaces one, the one it reads
    included, whatever name or link reaches it)."""
    target = Path(target)
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist.")
    if target.exists() or target.is_symlink():
        if is_workshop_file(target):
            raise UserError(
                f"“{target.name}” is a CareQual workshop, so an export will not replace it; "
                "choose another name for the export."
            )
        if not overwrite:
            raise TargetExistsError(f"{target} already exists.")
        if target.exists() and not stat.S_ISREG(target.stat().st_mode):
            raise UserError(f"“{target.name}” is not an ordinary file, so it was not replaced.")
        if not os.access(target, os.W_OK):
            raise StorageError(
                f"“{target.name}” is read-only, so it was not replaced. "
                "Choose another name, or make the file writable and try again."
            )
    if lock_file_for(target) is not None:
        raise StorageError(
            f"“{target.name}” is open in Word or Excel, so it cannot be replaced. "
            "Close it there and try again, or choose another name."
        )


# ------------------------------------------------------------- temporaries


def temp_path(folder: Path) -> Path:
    """A fresh temporary name in ``folder`` that ``tidy_leftovers`` recognises as ours.

    It counts as in use by this process (never tidied) until ``release_temp`` or the
    end of ``write_with``.
    """
    path = Path(folder) / (
        f"{TEMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}-{next(_counter)}{TEMP_SUFFIX}"
    )
    _active.add(path.name)
    return path


def release_temp(path: Path) -> None:
    """``path`` is finished with (moved into place or deleted)."""
    _active.discard(Path(path).name)


def _pid_of(name: str) -> int | None:
    rest = name[len(TEMP_PREFIX) :]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() and "-" in rest else None


def tidy_leftovers(folder: Path) -> list[Path]:
    """Delete temporaries a killed CareQual left in ``folder``; returns what went.

    One is removed when it is older than a minute and the process that made it is no
    longer running (names carry the process id), or, for older names without one, when
    it is more than an hour old. A temporary can hold a whole workshop's text, so none is
    left for good.
    """
    from carequal_desktop.services.locking import pid_running

    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))  # one listing: folders on a network are slow
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        ours = name.startswith(TEMP_PREFIX) and TEMP_SUFFIX in name
        if ours and name.split(TEMP_SUFFIX, 1)[0] + TEMP_SUFFIX in _active:
            continue  # being written by this process right now
        legacy = any(fnmatch.fnmatchcase(name, pattern) for pattern in _LEGACY)
        if not (ours or legacy):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                continue
            age = now - st.st_mtime
            pid = _pid_of(name)
            if pid is not None:
                gone = age > LEFTOVER_AGE and (pid == os.getpid() or not pid_running(pid))
            else:
                gone = age > 3600
            if gone:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def fsync_folder(folder: Path) -> None:
    """Make a rename or deletion in ``folder`` durable (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private(path: Path, mode: int | None) -> None:
    if mode is not None and os.name == "posix":
        os.chmod(path, mode)


@contextlib.contextmanager
def _temporary(folder: Path) -> Iterator[Path]:
    tmp = temp_path(folder)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)
        release_temp(tmp)


def place(tmp: Path, target: Path, *, overwrite: bool) -> None:
    """Move the finished ``tmp`` to ``target`` in one step and make it durable.

    Without ``overwrite`` an existing target is never replaced, even one created a moment
    ago by someone else (a hard link fails if the name exists; ``O_EXCL`` semantics).
    """
    if overwrite:
        os.replace(tmp, target)
    else:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise TargetExistsError(f"{target} already exists.") from None
        except OSError as exc:
            # No hard links here (FAT sticks, some network folders): check, then rename.
            if (
                exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV)
                and os.name != "nt"
            ):
                raise
            if target.exists():
                raise TargetExistsError(f"{target} already exists.") from None
            os.replace(tmp, target)
        else:
            tmp.unlink(missing_ok=True)
    fsync_folder(target.parent)


def _storage_error(target: Path, exc: OSError) -> StorageError:
    if isinstance(exc, PermissionError):
        return StorageError(
            f"“{target.name}” could not be replaced because another program is using it "
            "(perhaps it is open in Word or Excel). Close it and try again; nothing was changed."
        )
    return StorageError(
        f"“{target.name}” could not be written ({exc.strerror or exc}). "
        "Check there is space and the folder is still there; nothing was changed."
    )


def write_with(
    target: Path,
    fill: Callable[[Path], None],
    *,
    overwrite: bool,
    mode: int | None = 0o600,
) -> Path:
    """Have ``fill(tmp)`` write a complete file at a temporary path, then put it at ``target``.

    ``fill`` must leave ``tmp`` flushed; it is fsynced here. Nothing is left behind if it
    fails.
    """
    target = Path(target)
    folder = target.parent
    tidy_leftovers(folder)
    try:
        with _temporary(folder) as tmp:
            try:  # can anything be written here at all?
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                tmp.unlink()
            except OSError as exc:
                raise StorageError(
                    f"Nothing could be written in {folder} ({exc.strerror or exc}). "
                    "Choose a folder you can write to."
                ) from None
            fill(tmp)
            _private(tmp, mode)
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            place(tmp, target, overwrite=overwrite)
    except OSError as exc:
        raise _storage_error(target, exc) from None
    return target


def write_bytes_atomically(
    target: Path, data: bytes, *, overwrite: bool = True, mode: int | None = 0o600
) -> Path:
    """``data`` at ``target`` through a temporary file: no checks beyond the folder existing."""

    def fill(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()

    return write_with(target, fill, overwrite=overwrite, mode=mode)


def write_atomically(target: Path, data: bytes, *, overwrite: bool) -> None:
    """Write an export to ``target`` through a temporary file in the same folder."""
    check_target(target, overwrite)
    write_bytes_atomically(target, data, overwrite=overwrite)


# ----------------------------------------------------------- SQLite copies


def snapshot_to(source: sqlite3.Connection, tmp: Path) -> None:
    """A consistent copy of an open SQLite database into the new file ``tmp`` (backup API)."""
    dest = sqlite3.connect(tmp)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def snapshot_copy(
    source: sqlite3.Connection | Path, target: Path, *, overwrite: bool, mode: int | None = 0o600
) -> Path:
    """Copy a workshop with SQLite's backup API (consistent even while it is open) to
    ``target`` atomically; ``source`` is an open connection or a file (opened read-only,
    after any interrupted save is finished the safe way)."""

    def fill(tmp: Path) -> None:
        if isinstance(source, sqlite3.Connection):
            snapshot_to(source, tmp)
            return
        from carequal_desktop.store.connection import open_for_copy

        conn = open_for_copy(Path(source))
        try:
            snapshot_to(conn, tmp)
        finally:
            conn.close()

    return write_with(target, fill, overwrite=overwrite, mode=mode)


def set_aside_journal(target: Path) -> Path | None:
    """Rename a journal beside ``target`` before the file is replaced (kept, not deleted).

    It belongs to the file being replaced; left there, SQLite would roll it into the new
    file on the next opening.
    """
    journal = Path(f"{target}-journal")
    if not journal.exists():
        return None
    aside = journal.with_name(f"{journal.name}-set-aside-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(journal, aside)
    return aside


def not_created(target: Path, exc: BaseException) -> StorageError:
    """The sentence for a new file (a workshop, a copy, an import) that could not be made."""
    from carequal_desktop.store.errors import SQLITE_FULL, primary_code

    full = primary_code(exc) == SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC
    # A UserError from an edit of the half-made file ("The disk is full, so the change...").
    full = full or (isinstance(exc, StorageError) and str(exc).startswith("The disk is full"))
    why = (
        "the disk is full"
        if full
        else (getattr(exc, "strerror", None) or "it could not be written")
    )
    return StorageError(
        f"“{Path(target).name}” could not be made ({why}); nothing was left behind. "
        "Free some space or choose another folder, then try again."
    )
