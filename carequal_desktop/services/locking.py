"""Who has a workshop open for writing: a small lock file beside it.

The lock file is ``~$<file name>.lock`` (``~$Glenmuir.carequal.lock``), the way Word marks
``~$Report.docx``: facilitators who keep files on a shared drive already know that such a
file means "someone has this open"; it does not end in ``.carequal``, so it never shows in
the Open dialog's list; on Windows it is also marked hidden.

It holds JSON ``{user, host, pid, since, app_version}`` so a second copy of CareQual, on
this laptop or another one on a shared folder, can say who has the file, where and since
when. Only one process can create it (a hard link or a no-replace rename of a complete,
fsynced temporary file; ``O_CREAT | O_EXCL`` where links are not supported), and it is
never seen half-written.

A lock is *stale*, and is cleared (and logged) when:
- it names this computer and its process is no longer running (a crash or power cut), or
- its file has not been touched for ``STALE_AFTER`` (any computer): a holder refreshes
  the file's modification time every ``HEARTBEAT`` seconds, so a workshop left open all
  day on another laptop keeps its lock, and one whose laptop died does not keep it for ever.

A lock belongs to the file, not to the name that reached it: the lock file goes beside
the real file (symlinks resolved), and a second lock named after the file's identity
(device and inode number) in this user's data folder makes a hard link under another name
find the same holder. A lock naming this computer also records when its process started,
so a process id reused by another program after a crash does not keep the lock.

Opening read-only never takes a lock. Several services in one process may hold the same
lock (the count is kept here); it is removed when the last one is released.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import glob
import json
import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carequal_desktop.errors import StorageError, WorkshopLockedError
from carequal_desktop.store.jsonlimits import loads_limited

log = logging.getLogger("carequal.locking")

HEARTBEAT = 600.0  # seconds between refreshes of a held lock's modification time
STALE_AFTER = 12 * 3600.0  # a lock nobody has refreshed for this long is abandoned
UNREADABLE_GRACE = 10.0  # a lock being written right now may briefly be empty

_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


@dataclass
class _Held:
    path: Path
    content: bytes
    count: int = 1
    stop: threading.Event = field(default_factory=threading.Event)
    identity: Path | None = None
    keys: tuple[str, ...] = ()


def _real(workshop: Path) -> Path:
    """The file itself, whatever symlinks reach it (the name may not exist yet)."""
    return Path(os.path.realpath(Path(workshop)))


def lock_path(workshop: Path) -> Path:
    """Where the lock file of ``workshop`` lives: beside the real file, links resolved."""
    real = _real(workshop)
    return real.with_name(f"~${real.name}.lock")


def _key(workshop: Path) -> str:
    return os.path.normcase(str(_real(workshop)))


def _identity_key(workshop: Path) -> str | None:
    """The file's identity (device, inode): the same for every hard link to it."""
    try:
        st = os.stat(workshop)
    except OSError:
        return None
    if not st.st_ino:  # some file systems on Windows report none
        return None
    return f"{st.st_dev:x}-{st.st_ino:x}"


def _identity_lock(ident: str) -> Path:
    from carequal_desktop.paths import data_dir

    folder = data_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    return folder / f"{ident}.lock"


def process_started(pid: int) -> str | None:
    """When process ``pid`` started, as an opaque string; None where it cannot be told.

    Linux: the start time in clock ticks since boot (``/proc/<pid>/stat``, field 22);
    Windows: the creation time from ``GetProcessTimes``. A lock records it for its own
    process; a lock whose process id now belongs to a process started at another time
    was left by a crash, and the id was reused.
    """
    if sys.platform.startswith("linux"):
        try:
            raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        fields = raw.rsplit(")", 1)[-1].split()
        return f"linux:{fields[19]}" if len(fields) > 19 else None
    if os.name == "nt":
        return _started_windows(pid)
    return None


def _started_windows(pid: int) -> str | None:
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return None
        try:
            times = [ctypes.c_ulonglong() for _ in range(4)]
            if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
                return None
            return f"nt:{times[0].value}"
        finally:
            kernel32.CloseHandle(handle)
    except Exception:  # no ctypes access: cannot tell
        return None


def this_host() -> str:
    return socket.gethostname() or "this computer"


def this_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some services, containers)
        return "someone"


def pid_running(pid: int) -> bool:
    """Whether a process with this id is running on this computer."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return _pid_running_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except OSError:
        return False
    return True


def _pid_running_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _hide_on_windows(path: Path) -> None:
    if os.name != "nt":
        return
    try:
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02)  # type: ignore[attr-defined]
    except Exception:  # cosmetic only
        pass


def read_owner(workshop: Path, *, path: Path | None = None) -> dict[str, Any] | None:
    """The owner recorded in the lock file, ``{}`` if it cannot be read, None if there is none."""
    try:
        raw = (path or lock_path(workshop)).read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    if len(raw) > 64 * 1024:
        return {}  # no lock CareQual writes is this large
    try:
        owner = loads_limited(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    return owner if isinstance(owner, dict) else {}


def _owner_record() -> dict[str, Any]:
    from carequal_desktop import __version__

    return {
        "user": this_user(),
        "host": this_host(),
        "pid": os.getpid(),
        "started": process_started(os.getpid()),
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "app_version": __version__,
    }


def _since_phrase(since: Any, now: dt.datetime | None = None) -> str:
    if not since or not isinstance(since, str) or len(since) > 64:
        return ""
    try:
        when = dt.datetime.fromisoformat(since.replace("Z", "+00:00")).astimezone()
    except (ValueError, OverflowError, OSError):
        return ""
    now = (now or dt.datetime.now(dt.UTC)).astimezone()
    clock = when.strftime("%H:%M")
    if when.date() == now.date():
        return f" since {clock} today"
    if when.date() == now.date() - dt.timedelta(days=1):
        return f" since {clock} yesterday"
    return f" since {when.day} {when.strftime('%B')} at {clock}"


def _shown(value: Any) -> str:
    """A value from a lock file, fit to quote: a short single line of text, or nothing."""
    if not isinstance(value, str):
        return ""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return text if len(text) <= 80 else text[:79] + "…"


def locked_message(workshop: Path, owner: dict[str, Any]) -> str:
    """The sentence shown when ``workshop`` is open elsewhere."""
    name = f"“{Path(workshop).name}”"
    who = _shown(owner.get("user")) or "someone"
    host = _shown(owner.get("host"))
    where = f" on {host}" if host else ""
    if host == this_host() and owner.get("user") == this_user():
        who, where = "you", " on this computer"
    return (
        f"{name} is already open in CareQual by {who}{where}{_since_phrase(owner.get('since'))}. "
        "You can open it read-only to look at it."
    )


def _is_stale(path: Path, owner: dict[str, Any]) -> str | None:
    """Why the lock at ``path`` is abandoned, or None if someone may still hold it."""
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    if not owner:
        return "unreadable and old" if age > UNREADABLE_GRACE else None
    if owner.get("host") == this_host():
        pid = owner.get("pid")
        if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid < 2**31:
            return "no process id" if age > UNREADABLE_GRACE else None
        if pid == os.getpid():
            # Our own process id, yet not in _held: a previous run had the same id.
            return "left by an earlier run with this process id"
        if not pid_running(pid):
            return f"process {pid} is no longer running"
        started = owner.get("started")
        if isinstance(started, str):
            now_started = process_started(pid)
            if now_started is not None and now_started != started:
                return "its process id now belongs to another process"
        return None
    if age > STALE_AFTER:
        return f"not refreshed for {age / 3600:.0f} hours"
    return None


def _write_new(path: Path, content: bytes) -> None:
    """Write ``content`` to a file that must not exist yet, owner-only, flushed to disk."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, content)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def _create(path: Path, content: bytes) -> bool:
    """Create the lock file with ``content``; False if it already exists.

    The content is written to a private temporary file first and then linked (POSIX) or
    renamed (Windows, where rename never replaces) into place, so nobody ever sees a
    half-written lock, even after a crash. Where links are not supported (a FAT-formatted
    stick on Linux) the lock is created directly with ``O_EXCL``.
    """
    _tidy_temporaries(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{time.monotonic_ns()}.tmp")
    _write_new(tmp, content)
    try:
        if os.name == "nt":
            os.rename(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError as exc:
        if os.name == "nt" or exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        try:
            _write_new(path, content)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    _hide_on_windows(path)
    return True


def _tidy_temporaries(path: Path) -> None:
    """Remove temporary lock files that a crash left behind (older than a minute)."""
    with contextlib.suppress(OSError):
        for old in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > 60:
                    old.unlink()


def _clear_stale(path: Path, seen: bytes, why: str) -> bool:
    """Move the stale lock aside and delete it, unless someone replaced it meanwhile."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return True  # someone else cleared it; try again
    try:
        moved = aside.read_bytes()
    except OSError:
        moved = seen
    if moved != seen:
        # Between reading and moving, another CareQual cleared the stale lock and took a
        # fresh one, which we just moved: put it back.
        try:
            if not path.exists():
                os.rename(aside, path)
                return False
        except OSError:
            pass
    aside.unlink(missing_ok=True)
    log.info("Cleared a stale lock on a workshop (%s)", why)
    return True


def _take(path: Path, content: bytes, workshop: Path) -> None:
    """Create the lock file ``path`` or raise ``WorkshopLockedError`` naming its holder."""
    for _attempt in range(5):
        try:
            if _create(path, content):
                return
        except OSError as exc:
            # No lock can be made (read-only folder the access check missed): say so
            # rather than open a file two people could change at once.
            raise StorageError(
                f"“{workshop.name}” cannot be opened for changes because CareQual cannot "
                f"write in its folder ({exc.strerror or exc}). Open it read-only, or copy it "
                "to a folder you can write to."
            ) from None
        try:
            seen = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError:
            seen = b""
        owner = read_owner(workshop, path=path) or {}
        why = _is_stale(path, owner)
        if why is None:
            raise WorkshopLockedError(locked_message(workshop, owner), owner)
        _clear_stale(path, seen, why)
    owner = read_owner(workshop, path=path) or {}
    raise WorkshopLockedError(locked_message(workshop, owner), owner)


def acquire(workshop: Path) -> Path:
    """Take the lock on ``workshop`` for writing; raise ``WorkshopLockedError`` if it is held.

    Whatever path reaches the file: symlinks are resolved, and hard links share the lock
    through the file's identity.
    """
    workshop = Path(workshop)
    key = _key(workshop)
    ident = _identity_key(workshop)
    keys = (key,) if ident is None else (key, f"id:{ident}")
    with _held_guard:
        for k in keys:
            held = _held.get(k)
            if held is not None:
                held.count += 1
                return held.path
    path = lock_path(workshop)
    content = json.dumps(_owner_record(), ensure_ascii=False).encode("utf-8")
    _take(path, content, workshop)
    identity: Path | None = None
    if ident is not None:
        try:
            identity = _identity_lock(ident)
            _take(identity, content, workshop)
        except WorkshopLockedError as exc:
            _remove_if_ours(path, content)
            raise WorkshopLockedError(
                f"“{workshop.name}” is already open in CareQual under another name or through "
                f"a link ({_who(exc.owner)}). You can open it read-only to look at it.",
                exc.owner,
            ) from None
        except OSError:
            identity = None  # no data folder to write in: the lock beside the file stands
    held = _Held(path=path, content=content, identity=identity, keys=keys)
    with _held_guard:
        for k in keys:
            _held[k] = held
    threading.Thread(
        target=_heartbeat, args=(held,), name="carequal-lock-heartbeat", daemon=True
    ).start()
    return path


def _who(owner: dict[str, Any]) -> str:
    who = _shown(owner.get("user")) or "someone"
    host = _shown(owner.get("host"))
    return f"by {who} on {host}" if host else f"by {who}"


def _remove_if_ours(path: Path, content: bytes) -> None:
    try:
        if path.read_bytes() == content:
            path.unlink()
    except OSError:
        pass  # gone with its folder or stick; nothing to tidy


def _heartbeat(held: _Held) -> None:
    while not held.stop.wait(HEARTBEAT):
        # If the folder went away, the next edit reports it; nothing to do here.
        with contextlib.suppress(OSError):
            os.utime(held.path)
        if held.identity is not None:
            with contextlib.suppress(OSError):
                os.utime(held.identity)


def _find_held(workshop: Path) -> _Held | None:
    """The hold on ``workshop`` by path, or by identity (a hard link); guard held."""
    held = _held.get(_key(workshop))
    if held is None:
        ident = _identity_key(workshop)
        if ident is not None:
            held = _held.get(f"id:{ident}")
    return held


def release(workshop: Path) -> None:
    """Give up one hold on ``workshop``'s lock; the file goes when the last one is released."""
    with _held_guard:
        held = _find_held(Path(workshop))
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        for k in held.keys:
            if _held.get(k) is held:
                del _held[k]
    held.stop.set()
    _remove_if_ours(held.path, held.content)
    if held.identity is not None:
        _remove_if_ours(held.identity, held.content)


def ensure_not_open_elsewhere(workshop: Path) -> None:
    """Raise ``WorkshopLockedError`` if another CareQual has ``workshop`` open.

    For anything that would replace the file from outside (an import or a copy saved over
    it), so a file someone is working on is never swapped under them.
    """
    workshop = Path(workshop)
    if held_here(workshop):
        return
    owner = read_owner(workshop)
    if owner is None:
        return
    if _is_stale(lock_path(workshop), owner) is None:
        raise WorkshopLockedError(locked_message(workshop, owner), owner)


def open_elsewhere(workshop: Path) -> bool:
    """Whether another CareQual (not this process) has ``workshop`` open for writing now."""
    workshop = Path(workshop)
    if held_here(workshop):
        return False
    owner = read_owner(workshop)
    return owner is not None and _is_stale(lock_path(workshop), owner) is None


def held_here(workshop: Path) -> bool:
    """Whether this process holds the lock on ``workshop`` (by any name or link)."""
    with _held_guard:
        return _find_held(Path(workshop)) is not None


def read_only_notice(path: Path) -> str:
    """The sentence shown when a workshop had to be opened read-only because of its disk."""
    return (
        f"“{Path(path).name}” is on a disk or in a folder that cannot be written to (for "
        "example a locked USB stick or a read-only shared folder), so it is open read-only. "
        "Use File › Save a copy as to keep working on a copy."
    )
