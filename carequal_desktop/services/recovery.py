"""Typing that has not reached the workshop file yet, and getting it back after a crash.

The window holds what was typed as ``Edit`` values until the file has them. While any are
waiting (the disk is full, the USB stick was pulled, or simply the half second before the
next save), they are also written to a recovery file in the user's data folder, one per
workshop, owner-only and replaced atomically, so a kill or a power cut does not take them.
The next start lists what is there and offers to put it back (``apply_edit``) or discard it.
A recovery file is removed as soon as everything in it is saved.

Workshop text never goes to the log from here: only counts and kinds of problems do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import (
    DamagedWorkshopError,
    EditCollisionError,
    ReadOnlyError,
    StorageError,
    UserError,
)
from carequal_desktop.paths import recovery_dir
from carequal_desktop.services import files
from carequal_desktop.services.workshop import WorkshopService

log = logging.getLogger("carequal.recovery")

FORMAT = 1
KINDS = ("evaluation", "details", "item", "new_item", "statement")
# Failures of the file or the disk: the typing is kept and tried again. Anything else a user
# can act on (an empty title) is a problem with the text itself.
NOT_WRITTEN: tuple[type[UserError], ...] = (StorageError, ReadOnlyError, DamagedWorkshopError)


@dataclass(frozen=True)
class Edit:
    """One field's text waiting to be saved.

    ``kind`` says what it belongs to: ``evaluation`` (``target`` an indicator code, ``field``
    one of its answers), ``details`` (the workshop's details; ``target`` empty), ``item`` (a
    strength or area, ``target`` its id), ``new_item`` (a line typed but not yet added:
    ``target`` the indicator code, ``field`` the list's kind) or ``statement`` (the position
    statement's key messages, conclusion, or summary: ``target`` the statement's number). ``label`` is what a person
    reads in the recovery dialog. A ``draft`` is saved when the user leaves it, not on a pause.
    ``base`` is the text the field held when the typing began: saving checks it is still
    there, so a colleague's newer text is never overwritten unseen.
    """

    kind: str
    target: str
    field: str
    text: str
    label: str
    draft: bool = False
    base: str | None = None  # the text in the file when this typing began (None: unknown)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.target}:{self.field}"


@dataclass(frozen=True)
class Recovery:
    """What a recovery file holds for one workshop."""

    workshop: Path
    title: str
    saved: str  # ISO time the file was last written
    edits: tuple[Edit, ...]
    file: Path
    location: str | None = None  # a server workshop's address (no password), else None

    @property
    def where(self) -> str:
        """Where the typing belongs, as a person reads it: the server address or the file."""
        return self.location or str(self.workshop)

    @property
    def saved_text(self) -> str:
        try:
            when = dt.datetime.fromisoformat(self.saved).astimezone()
        except ValueError:
            return self.saved
        return f"{when:%d %B %Y at %H:%M}"


def is_collision(exc: BaseException) -> bool:
    """True when someone else saved different text in the field since the typing began."""
    return isinstance(exc, EditCollisionError)


def is_not_written(exc: BaseException) -> bool:
    """True for a failure of the file or disk (keep the typing), not of the text itself."""
    return isinstance(exc, NOT_WRITTEN)


def _started(service: WorkshopService, code: str) -> dict[str, str]:
    """Working on a not-started indicator moves it to in progress."""
    return {"status": "in_progress"} if service.evaluation(code).status == "not_started" else {}


def apply_edit(service: WorkshopService, edit: Edit, *, maybe_saved: bool = False) -> None:
    """Save one edit into ``service``'s file (raises ``UserError`` if it cannot be).

    ``maybe_saved``: an earlier attempt may have been saved although it reported a failure
    (the connection to a server was lost during COMMIT). A field that already holds the
    text is not written again (repeating it would be harmless, ``base`` guarding a
    colleague's newer text, but it would be a second version); a line typed to be added is
    not added a second time if its list already ends with it.
    """
    if edit.kind in ("evaluation", "new_item"):
        codes = {ind.code for ind in service.framework().indicators}
        if edit.target not in codes:
            raise UserError(
                f"Indicator {edit.target} is no longer in this workshop, so the text typed "
                "for it could not be put back."
            )
    if maybe_saved and _already_saved(service, edit):
        return
    # With the text the edit began from, a colleague's newer text is never replaced
    # silently: the service raises EditCollisionError instead (server workshops).
    expected = None if edit.base is None else {edit.field: edit.base}
    fields: dict[str, Any] = {edit.field: edit.text}
    if edit.kind == "evaluation":
        fields.update(_started(service, edit.target))
        service.update_evaluation(edit.target, expected=expected, **fields)
    elif edit.kind == "details":
        service.update_details(expected=expected, **fields)
    elif edit.kind == "item":
        service.update_item(edit.target, edit.text, expected=edit.base)
    elif edit.kind == "new_item":
        if maybe_saved and _ends_with(service, edit):
            return
        if edit.text.strip():
            service.add_item(edit.target, edit.field, edit.text)
            started: dict[str, Any] = dict(_started(service, edit.target))
            if started:
                service.update_evaluation(edit.target, **started)
    elif edit.kind == "statement":  # the position statement's own boxes
        from carequal_desktop.services.readiness import ReadinessService

        ready = ReadinessService(service)
        if edit.field == "key_messages":
            ready.update_key_messages(edit.text)
        elif edit.field == "conclusion":
            ready.update_conclusion(edit.text)
        else:
            ready.update_summary(int(edit.target), edit.text)
    elif edit.kind in _APPLIERS:
        _APPLIERS[edit.kind](service, edit)
    else:
        raise UserError(
            f"Text typed in “{edit.label}” cannot be put back by this version of CareQual."
        )


def _already_saved(service: WorkshopService, edit: Edit) -> bool:
    """Whether a field already holds exactly the text of ``edit`` (an answer lost on the way)."""
    if edit.kind == "evaluation":
        current = getattr(service.evaluation(edit.target), edit.field, None)
    elif edit.kind == "details":
        current = getattr(service.details(), edit.field, None)
    else:
        return False
    return isinstance(current, str) and current == for_storage(edit.text)


def _ends_with(service: WorkshopService, edit: Edit) -> bool:
    """Whether the list a new line was typed for already ends with that line."""
    ev = service.evaluation(edit.target)
    items = ev.strengths if edit.field == "strength" else ev.areas_for_improvement
    return bool(items) and items[-1].text == one_line(for_storage(edit.text))


Applier = Callable[[WorkshopService, Edit], None]
_APPLIERS: dict[str, Applier] = {}


def register(kind: str, apply: Applier) -> None:
    """Let a new kind of field (a page's own) be autosaved, copied and recovered like the
    others: ``apply(service, edit)`` saves ``edit.text`` (raising ``UserError`` as the
    service does). Register from a services module, so a recovery can be put back at start."""
    if kind in KINDS:
        raise ValueError(f"{kind!r} is built in")
    _APPLIERS[kind] = apply


def apply_edits(service: WorkshopService, edits: Iterable[Edit]) -> list[Edit]:
    """Save what can be saved; returns the edits that could not be."""
    left: list[Edit] = []
    for edit in edits:
        try:
            apply_edit(service, edit)
        except UserError:
            left.append(edit)
    return left


def file_for(workshop: Path) -> Path:
    """The recovery file of one workshop (named by a hash of its full path)."""
    digest = hashlib.sha256(str(Path(workshop).resolve()).encode("utf-8")).hexdigest()[:20]
    return recovery_dir() / f"{digest}.json"


def keep(workshop: Path, title: str, edits: Iterable[Edit], *, location: str | None = None) -> Path:
    """Write (or replace) the recovery file of ``workshop`` with ``edits``; returns its path.

    An empty list removes the file. Raises ``UserError`` if the data folder cannot be written.
    """
    edits = list(edits)
    target = file_for(workshop)
    if not edits:
        discard(workshop)
        return target
    document = {
        "format": FORMAT,
        "workshop": str(Path(workshop).resolve()),
        "title": title,
        "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "edits": [asdict(e) for e in edits],
    }
    if location is not None:  # a server workshop: opened again from its address
        document["location"] = location
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    files.write_bytes_atomically(target, data, overwrite=True, mode=0o600)
    return target


def discard(workshop: Path) -> None:
    """Remove the recovery file of ``workshop`` (its typing is saved, or not wanted)."""
    target = file_for(workshop)
    try:
        target.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("A recovery file could not be removed (%s)", type(exc).__name__)


def _edit(raw: Any) -> Edit | None:
    if not isinstance(raw, dict):
        return None
    try:
        edit = Edit(
            kind=str(raw["kind"]),
            target=str(raw["target"]),
            field=str(raw["field"]),
            text=str(raw["text"]),
            label=str(raw.get("label", "")),
            draft=bool(raw.get("draft", False)),
            base=None if raw.get("base") is None else str(raw["base"]),
        )
    except (KeyError, TypeError):
        return None
    return edit if edit.kind else None


def read(file: Path) -> Recovery | None:
    """One recovery file, or ``None`` if it is not one (damaged files are left alone)."""
    try:
        if file.stat().st_size > 50_000_000:
            return None
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    edits = tuple(e for e in map(_edit, document.get("edits") or []) if e is not None)
    workshop = document.get("workshop")
    if not edits or not isinstance(workshop, str):
        return None
    return Recovery(
        workshop=Path(workshop),
        title=str(document.get("title") or Path(workshop).stem),
        saved=str(document.get("saved") or ""),
        edits=edits,
        file=file,
        location=document["location"] if isinstance(document.get("location"), str) else None,
    )


def waiting() -> list[Recovery]:
    """Every workshop with typing that was never saved, oldest first."""
    found = []
    folder = recovery_dir()
    files.tidy_leftovers(folder)  # half-written copies a kill left hold typed text
    for file in sorted(folder.glob("*.json")):
        recovery = read(file)
        if recovery is None:
            log.warning("A recovery file could not be read and was left as it is")
        else:
            found.append(recovery)
    found.sort(key=lambda r: r.saved)
    return found


def for_workshop(workshop: Path) -> Recovery | None:
    """The recovery waiting for one workshop, if any."""
    file = file_for(workshop)
    return read(file) if file.exists() else None


def set_aside(found: Recovery) -> Recovery:
    """Keep typing the user will decide on later apart from the workshop's own recovery file,
    which the window rewrites as soon as someone types in that workshop again."""
    if found.file != file_for(found.workshop):
        return found
    target = found.file.with_name(f"{found.file.stem}-{time.time_ns()}.json")
    try:
        os.replace(found.file, target)
    except OSError:
        return found
    return dataclasses.replace(found, file=target)


def forget(recovery: Recovery) -> None:
    """Delete a recovery file after its typing was put back or discarded."""
    with contextlib.suppress(OSError):
        recovery.file.unlink(missing_ok=True)
