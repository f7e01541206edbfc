"""Working on when the server stops answering: a mirror on this computer, an offline copy.

A window on a server workshop keeps a *mirror*: a workshop file in the app's cache folder,
pulled from the server in the background after opening and again, now and then, after
changes. When the server cannot be reached the window keeps the typing, retries with a
growing pause (``Backoff``), and offers an *offline copy*: a ``.carequal`` file the user
chooses, taken from the server if it answers, else from the mirror, with the typing not yet
on the server put into it. That copy is merged back later (``carequal merge LOCATION FILE``).

Nothing here imports Qt: the window runs ``refresh_mirror`` and ``take_offline_copy`` in a
worker thread, each with its own connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from carequal_desktop.errors import EditCollisionError, StorageError, UserError
from carequal_desktop.paths import cache_dir
from carequal_desktop.services import backups, files, locking, recovery
from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.server import ServerUnreachableError

log = logging.getLogger("carequal.offline")

# Pauses between attempts to reach the server again: quick at first, then every 15 s.
RETRY_DELAYS_S = (2, 2, 4, 8, 15)


def is_unreachable(exc: BaseException | None) -> bool:
    """Whether a failure means the server could not be reached (so retrying may help)."""
    return isinstance(exc, ServerUnreachableError)


class Backoff:
    """The pause before the next attempt: 2 s, 2 s, 4 s, 8 s, then 15 s each time."""

    def __init__(self, delays: Sequence[float] = RETRY_DELAYS_S) -> None:
        self.delays = tuple(delays)
        self.attempts = 0

    def next_delay(self) -> float:
        """The pause before the next attempt (and count it)."""
        delay = self.delays[min(self.attempts, len(self.delays) - 1)]
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0


# ------------------------------------------------------------------ sentences


def clock(when: float) -> str:
    """A time of day as the window shows it (14:05)."""
    return time.strftime("%H:%M", time.localtime(when))


def lost_sentence(since: float, next_try_s: float | None) -> str:
    """The one line the window shows while the server cannot be reached."""
    retry = "Trying again now…" if next_try_s is None else f"Trying again in {round(next_try_s)} s."
    return (
        f"Connection to the server lost at {clock(since)}. Your typing is kept and will be "
        f"saved when the server answers. {retry}"
    )


def back_sentence(when: float, saved: int) -> str:
    """The one line the window shows when the server answers again."""
    if saved:
        return (
            f"Connected to the server again at {clock(when)}: your typing is saved and the "
            "screen is up to date."
        )
    return f"Connected to the server again at {clock(when)}; the screen is up to date."


def age_words(seconds: float) -> str:
    """'2 minutes', '1 hour 5 minutes', 'less than a minute'."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    text = f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{text} {rest} minute{'s' if rest != 1 else ''}" if rest else text


# --------------------------------------------------------------------- mirror


def mirror_path(location: object) -> Path:
    """Where this computer keeps its mirror of a server workshop (one file per location)."""
    shown = getattr(location, "display", None) or str(location)
    digest = hashlib.sha256(shown.encode("utf-8")).hexdigest()[:24]
    folder = cache_dir() / "mirrors"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest}.carequal"


def mirror_taken(location: object) -> float | None:
    """When the mirror was last taken (seconds since the epoch), or None if there is none."""
    path = mirror_path(location)
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def refresh_mirror(location: object, target: Path | None = None) -> float:
    """Pull the server workshop into its mirror (its own connection); returns when.

    ``target`` is the mirror's path (``mirror_path(location)`` unless given).

    Raises ``UserError`` (a sentence) if the server cannot be reached: the old mirror stays.
    """
    from carequal_desktop.services.server import pull

    started = time.time()
    pull(location, target or mirror_path(location), overwrite=True)  # type: ignore[arg-type]  # a ServerLocation or its address
    return started


# ---------------------------------------------------------------- offline copy


@dataclass(frozen=True)
class OfflineCopy:
    """What ``take_offline_copy`` made."""

    path: Path
    from_server: bool
    mirror_taken: float | None  # when the mirror was taken, if the copy came from it
    applied: int  # edits put into the copy
    conflicts: int  # of those, fields a colleague had changed meanwhile (kept as conflicts)

    def sentence(self, now: float | None = None) -> str:
        """One sentence for the window: where the copy came from, and how old it is."""
        now = time.time() if now is None else now
        typing = " with your typing" if self.applied else ""
        if self.from_server or self.mirror_taken is None:
            where = f"taken from the server{typing}"
        else:
            age = age_words(now - self.mirror_taken)
            where = (
                f"taken from this computer's copy of the workshop, made at "
                f"{clock(self.mirror_taken)} ({age} old){typing}, because the server cannot "
                "be reached; colleagues' changes since then are not in it"
            )
        kept = (
            f" {self.conflicts} field{'s' if self.conflicts != 1 else ''} a colleague had "
            "changed meanwhile keep their text, with yours as a conflict to decide on the "
            "Merge page."
            if self.conflicts
            else ""
        )
        return (
            f"You are now working offline on {self.path.name}, {where}.{kept} Merge it back "
            "into the server workshop when the network is back."
        )


def _apply_into(
    target: Path, saved: Sequence[Edit], edits: Sequence[Edit], maybe_saved: Iterable[Edit]
) -> int:
    """Put the typing into the copy; returns how many fields are kept as conflicts.

    ``saved`` is typing the server already has (saved after the mirror was taken): it is
    newer than anything in the mirror, so it goes in as it is. ``edits`` never reached the
    server: where the copy holds a colleague's newer text, that text stays and the typing
    is kept as a conflict to decide (``services/collisions.py``), as in the window.
    """
    from carequal_desktop.services.collisions import record_collision
    from carequal_desktop.store.connection import init_db

    conflicts = 0
    uncertain = {e.key for e in maybe_saved}
    # The copy being made is this process's own temporary: no lock, no backup of it.
    service = WorkshopService(target, init_db(target))
    try:
        for edit in saved:
            try:
                recovery.apply_edit(service, edit, maybe_saved=True)
            except EditCollisionError:
                recovery.apply_edit(service, dataclasses.replace(edit, base=None))
        for edit in edits:
            try:
                recovery.apply_edit(service, edit, maybe_saved=edit.key in uncertain)
            except EditCollisionError as exc:
                record_collision(service, exc)
                conflicts += 1
    finally:
        service.close()
    return conflicts


def take_offline_copy(
    location: object,
    target: Path,
    edits: Sequence[Edit],
    *,
    saved_since_mirror: Sequence[Edit] = (),
    maybe_saved: Iterable[Edit] = (),
) -> OfflineCopy:
    """Make ``target`` a workshop file holding the server workshop and ``edits``.

    From the server if it answers; otherwise from the mirror, with ``saved_since_mirror``
    (typing saved to the server after the mirror was taken) put back first. The copy is made
    beside ``target`` and put in its place only when complete, typing included. Raises a
    ``UserError`` sentence if it cannot be made: nothing is changed then.
    """
    target = Path(target)
    if target.exists():
        locking.ensure_not_open_elsewhere(target)
    # A temporary name that a later start tidies away if this one is killed half-way.
    partial = files.temp_path(target.parent)
    try:
        from_server, taken = _copy_workshop(location, partial)
        saved = [] if from_server else list(saved_since_mirror)
        try:
            conflicts = _apply_into(partial, saved, edits, maybe_saved)
        except UserError as exc:
            raise UserError(
                f"No offline copy was made, because your typing could not be put into it; "
                f"it is still kept in this window. {exc}"
            ) from None
        if target.exists() and files.is_workshop_file(target):
            backups.make_backup(target, "before-replace")  # as Save a copy as does
        os.replace(partial, target)
    except OSError as exc:
        raise StorageError(
            f"The offline copy could not be written in {target.parent} "
            f"({exc.strerror or exc}). Choose a folder you can write to; nothing was changed."
        ) from None
    finally:
        files.release_temp(partial)
        for leftover in (
            partial,
            *(Path(f"{partial}{end}") for end in ("-wal", "-shm", "-journal")),
        ):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    log.info(
        "Offline copy taken from the %s; %d edit(s) put in",
        "server" if from_server else "mirror",
        len(saved) + len(edits),
    )
    return OfflineCopy(target, from_server, taken, len(saved) + len(edits), conflicts)


def _copy_workshop(location: object, target: Path) -> tuple[bool, float | None]:
    """The workshop at ``target``: (True, None) from the server, (False, when) from the
    mirror; a sentence if neither can be had."""
    from carequal_desktop.services.server import pull

    try:
        pull(location, target, overwrite=True)  # type: ignore[arg-type]  # a ServerLocation or its address
        return True, None
    except UserError as exc:
        if not is_unreachable(exc):
            raise
    taken = mirror_taken(location)
    if taken is None:
        raise ServerUnreachableError(
            "No offline copy can be made yet: the server cannot be reached and this "
            "computer has no copy of the workshop. Your typing is kept here and CareQual "
            "keeps trying to reach the server."
        )
    files.snapshot_copy(mirror_path(location), target, overwrite=True)
    return False, taken
