"""One autosave mechanism for every field a person types into.

Pages hand each change to ``Autosave.put`` as an ``Edit`` (what field, what text). The text is
saved 0.7 s after the last keystroke, and at least every 1.5 s while someone keeps typing, so
steady typing never waits for a pause. Leaving a field, a page or the window saves at once
(``flush``). Until the file has it, the text stays here (pages show it from here when they
reload) and in a recovery file in the user's data folder (``services.recovery``), so a full
disk, a pulled USB stick or a kill loses nothing: a failed save is tried again every few
seconds, and the next start offers back whatever never reached the file.

Typing that would replace text a colleague saved meanwhile (a server workshop) is never
written over it: it is kept as a merge conflict (``services/collisions.py``) and ``collided``
tells the window, which says so without a dialog.

A *draft* (a line typed in "Type a strength" but not yet added) is kept and recovered like
any other text but filed only when the user leaves it, not on a pause.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from carequal_desktop.errors import EditCollisionError, UserError
from carequal_desktop.services import collisions, recovery
from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService

log = logging.getLogger("carequal.autosave")

DEBOUNCE_MS = 700  # a pause in typing this long saves
MAX_WAIT_MS = 1500  # steady typing is saved at least this often
RETRY_MS = 4000  # a save that failed (full disk, pulled stick) is tried again this often
RECOVERY_MS = 300  # unsaved typing reaches the recovery file within this time


class Autosave(QObject):
    """The typing of one open workshop that is not in its file yet."""

    saved = Signal(list)  # the edits just written to the file
    failed = Signal(str)  # a save failed: one sentence; the typing is kept
    rejected = Signal(object, str)  # an edit the file refused for its content (an empty title)
    # An edit that collided with a colleague's newer text, and the conflict (merge.ConflictInfo)
    # that now keeps it: the colleague's text stays in the file.
    collided = Signal(object, object)
    recovered = Signal()  # a failed save has now succeeded

    def __init__(self, service: WorkshopService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.error: str | None = None  # why the last save failed, until one succeeds
        self.failure: UserError | None = None  # the failure itself (a lost server, a full disk)
        # Set while a server cannot be reached: typing is kept, nothing is tried until the
        # window's connection check says the server answers again (``resume``).
        self.paused: str | None = None
        # Edits whose last save reported a failure that may have come after the commit (a
        # connection lost during COMMIT): tried again as possibly saved, never applied twice.
        self._uncertain: set[str] = set()
        self._stopped = False
        self.recovery_error: str | None = None  # why the recovery file could not be written
        self._pending: dict[str, Edit] = {}
        self._title: str | None = None
        self._recovery_written = False
        self._debounce = self._timer(DEBOUNCE_MS)
        self._max_wait = self._timer(MAX_WAIT_MS)
        self._retry = self._timer(RETRY_MS)
        self._recovery = self._timer(RECOVERY_MS)
        self._recovery.timeout.disconnect()
        self._recovery.timeout.connect(self.keep_for_recovery)

    def _timer(self, ms: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(self._timed_save)
        return timer

    # ------------------------------------------------------------------ typing

    def put(self, edit: Edit) -> None:
        """A field changed: remember its text and save it soon."""
        if self.service.read_only or self._stopped:
            return
        old = self._pending.get(edit.key)
        if old is not None and old.base != edit.base:
            edit = dataclasses.replace(edit, base=old.base)  # the typing began from that text
        self._pending[edit.key] = edit
        if not edit.draft:
            self._debounce.start()
            if not self._max_wait.isActive():
                self._max_wait.start()
        if not self._recovery.isActive():
            self._recovery.start()

    def drop(self, key: str) -> None:
        """Forget a pending edit (a draft line that was added, or emptied)."""
        self._uncertain.discard(key)
        if self._pending.pop(key, None) is not None and not self._pending:
            self._forget_recovery()

    def drop_draft(self, key: str) -> None:
        """Forget a draft (an F2 editor given up); text already handed over stays."""
        edit = self._pending.get(key)
        if edit is not None and edit.draft:
            self.drop(key)

    def text(self, key: str, default: str) -> str:
        """The unsaved text of a field if there is some, else ``default`` (from the file)."""
        edit = self._pending.get(key)
        return default if edit is None else edit.text

    def pending(self, *, drafts: bool = True) -> list[Edit]:
        return [e for e in self._pending.values() if drafts or not e.draft]

    def has_pending(self) -> bool:
        return bool(self._pending)

    # ------------------------------------------------------------------ saving

    def _timed_save(self) -> None:
        self.flush(drafts=False)

    def flush(self, *, drafts: bool = True) -> bool:
        """Save everything waiting now; ``False`` if some typing could not be saved.

        ``drafts=False`` (a pause in typing) leaves lines typed but not yet added alone.
        """
        for timer in (self._debounce, self._max_wait, self._retry):
            timer.stop()
        if self._stopped:
            return not self._pending
        if self.paused is not None:
            # The server is known to be unreachable: keep everything, try nothing (trying
            # could hang the window until the network gives up); ``resume`` saves it.
            self.error = self.paused
            if self._pending:
                self.keep_for_recovery()
            return not self.pending(drafts=drafts)
        edits = self.pending(drafts=drafts)
        saved: list[Edit] = []
        error: str | None = None
        for edit in edits:
            try:
                recovery.apply_edit(self.service, edit, maybe_saved=edit.key in self._uncertain)
            except UserError as exc:
                conflict = None
                if isinstance(exc, EditCollisionError):
                    try:  # a colleague's text stays; the typing is kept as a conflict
                        conflict = collisions.record_collision(self.service, exc)
                    except UserError as again:
                        exc = again  # not even the conflict could be stored: keep the typing
                if recovery.is_not_written(exc):
                    error = str(exc)
                    self.failure = exc
                    self._uncertain.add(edit.key)
                    break
                self._uncertain.discard(edit.key)
                if self._pending.get(edit.key) is edit:
                    del self._pending[edit.key]
                if conflict is not None:
                    self.collided.emit(edit, conflict)
                else:
                    self.rejected.emit(edit, str(exc))
                continue
            self._uncertain.discard(edit.key)
            if self._pending.get(edit.key) is edit:
                del self._pending[edit.key]
            if edit.kind == "details" and edit.field == "title":
                self._title = edit.text
            saved.append(edit)
        if error is not None:
            had_error = self.error is not None
            self.error = error
            if not had_error:
                log.warning("Typing could not be saved; it is kept in the window and for recovery")
            self.keep_for_recovery()
            self._retry.start()
            self.failed.emit(error)
            if saved:
                self.saved.emit(saved)
            return False
        was_failing = self.error is not None
        self.error = None
        self.failure = None
        if self._pending:
            self.keep_for_recovery()
        else:
            self._forget_recovery()
        if saved:
            self.saved.emit(saved)
        if was_failing:
            self.recovered.emit()
        return True

    def pause(self, sentence: str) -> None:
        """The server cannot be reached: keep the typing, stop trying until ``resume``."""
        self.paused = sentence
        self._retry.stop()

    def resume(self) -> bool:
        """The server answers again: save what is waiting now; ``False`` if it failed."""
        self.paused = None
        return self.flush(drafts=False)

    def uncertain(self) -> list[Edit]:
        """Waiting edits whose last save may in fact have reached the file."""
        return [e for e in self._pending.values() if e.key in self._uncertain]

    def apply_to(self, other: WorkshopService) -> list[Edit]:
        """Write the waiting typing into another workshop (a copy); returns what failed."""
        return recovery.apply_edits(other, self.pending())

    # ---------------------------------------------------------------- recovery

    def _workshop_title(self) -> str:
        if self._title is None:
            try:
                self._title = self.service.details().title
            except UserError:
                self._title = self.service.path.stem
        return self._title

    def keep_for_recovery(self) -> bool:
        """Write the waiting typing to the recovery file now; ``False`` if it could not be."""
        self._recovery.stop()
        if not self._pending:
            self._forget_recovery()
            return True
        try:
            server = self.service.db.server
            recovery.keep(
                self.service.path,
                self._workshop_title(),
                self._pending.values(),
                location=None if server is None else server.location.display,
            )
        except UserError as exc:
            if self.recovery_error is None:
                log.warning("The recovery file could not be written")
            self.recovery_error = str(exc)
            return False
        self.recovery_error = None
        self._recovery_written = True
        return True

    def _forget_recovery(self) -> None:
        self._recovery.stop()
        if self._recovery_written:
            recovery.discard(self.service.path)
        self._recovery_written = False

    def forget_all(self) -> None:
        """Give up the waiting typing (it went into a copy, or was discarded on purpose)."""
        for timer in (self._debounce, self._max_wait, self._retry, self._recovery):
            timer.stop()
        self._pending.clear()
        self._uncertain.clear()
        self.error = None
        self.failure = None
        self._forget_recovery()

    def stop(self) -> None:
        """The workshop is closing: no more timed saves, and no more typing taken."""
        self._stopped = True
        for timer in (self._debounce, self._max_wait, self._retry, self._recovery):
            timer.stop()
