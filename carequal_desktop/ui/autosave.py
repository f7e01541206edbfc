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

A workshop on a server is saved over the network, which can go silent without closing the
connection (a laptop leaving the Wi-Fi): its timed saves run in a worker thread (``_apply``,
which only talks to the service) and their outcomes are taken on the window's thread
(``_settle``), so typing never waits on the network. One such save runs at a time; ``flush``
(leaving a page, exporting, closing) waits for it and then saves the rest at once. A file
saves on the window's thread, as it takes milliseconds.

A *draft* (a line typed in "Type a strength" but not yet added) is kept and recovered like
any other text but filed only when the user leaves it, not on a pause.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading

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


@dataclasses.dataclass(frozen=True)
class _Outcome:
    """What one save did with one edit: saved (no error), refused for its text (``error``),
    kept as a conflict (``conflict``), or not written at all (``not_written``: kept)."""

    edit: Edit
    error: UserError | None = None
    conflict: object | None = None  # merge.ConflictInfo
    not_written: bool = False


@dataclasses.dataclass
class _Flight:
    """A timed save of a server workshop running in a worker thread."""

    edits: list[Edit]
    uncertain: frozenset[str]
    outcomes: list[_Outcome] = dataclasses.field(default_factory=list)
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class Autosave(QObject):
    """The typing of one open workshop that is not in its file yet."""

    saved = Signal(list)  # the edits just written to the file
    failed = Signal(str)  # a save failed: one sentence; the typing is kept
    rejected = Signal(object, str)  # an edit the file refused for its content (an empty title)
    # An edit that collided with a colleague's newer text, and the conflict (merge.ConflictInfo)
    # that now keeps it: the colleague's text stays in the file.
    collided = Signal(object, object)
    recovered = Signal()  # a failed save has now succeeded
    _landed = Signal(object)  # from a worker thread: its _Flight has ended

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
        self._flight: _Flight | None = None  # a timed save running in a worker thread
        self._landed.connect(self._land)
        if service.db.server is not None and not service.read_only:
            # Known now, so that keeping typing for recovery never reads a silent server.
            self._workshop_title()

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
        """A pause in typing (or a retry): a server workshop saves in a worker thread."""
        if self.service.db.server is None:
            self.flush(drafts=False)  # a file: as always, at once on this thread
            return
        if self._flight is not None:
            if not self._stopped:
                self._debounce.start()  # one save at a time: try again after this one
            return
        edits = self.pending(drafts=False)
        if self._stopped or self.paused is not None or not edits:
            self.flush(drafts=False)  # nothing is sent: only the bookkeeping
            return
        for timer in (self._debounce, self._max_wait, self._retry):
            timer.stop()
        flight = _Flight(edits, frozenset(self._uncertain))
        self._flight = flight

        def work() -> None:
            try:
                self._apply(flight.edits, flight.uncertain, into=flight.outcomes)
            except Exception:  # a bug: logged; what was saved before it counts, the rest waits
                log.exception("A background save failed")
            flight.done.set()
            # The workshop closed meanwhile (this object is gone): nobody takes the result.
            with contextlib.suppress(RuntimeError):
                self._landed.emit(flight)

        flight.thread = threading.Thread(target=work, name="carequal-autosave", daemon=True)
        flight.thread.start()

    def save_soon(self) -> None:
        """Save now without waiting on a server (a box was left): a file saves at once, a
        server workshop in a worker thread, after the save already running if there is one."""
        if self.service.db.server is None:
            self.flush(drafts=False)
        else:
            self._timed_save()

    def saving(self) -> bool:
        """Whether a timed save is running in a worker thread now."""
        return self._flight is not None

    def _land(self, flight: _Flight) -> None:
        """A worker's save ended: its outcomes, here on the window's thread."""
        if self._flight is not flight:
            return  # already settled by a ``flush`` that waited for it
        self._flight = None
        self._settle(flight.outcomes)

    def _wait_for_flight(self) -> None:
        """Wait for a save running in a worker thread, and settle its outcomes."""
        flight = self._flight
        if flight is None:
            return
        flight.done.wait()
        self._flight = None
        self._settle(flight.outcomes)

    def flush(self, *, drafts: bool = True) -> bool:
        """Save everything waiting now; ``False`` if some typing could not be saved.

        ``drafts=False`` (a pause in typing) leaves lines typed but not yet added alone.
        A save running in a worker thread is waited for first.
        """
        self._wait_for_flight()
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
        return self._settle(self._apply(edits, frozenset(self._uncertain)))

    def _apply(
        self, edits: list[Edit], uncertain: frozenset[str], *, into: list[_Outcome] | None = None
    ) -> list[_Outcome]:
        """Write ``edits`` through the service, in order, until one cannot be written.

        Talks only to the service (no Qt, no change to this object), so it may run in a
        worker thread; ``uncertain``: the keys whose last save may have landed. Each outcome
        is added to ``into`` (returned) as soon as it is known.
        """
        outcomes: list[_Outcome] = [] if into is None else into
        for edit in edits:
            try:
                recovery.apply_edit(self.service, edit, maybe_saved=edit.key in uncertain)
            except UserError as exc:
                conflict = None
                if isinstance(exc, EditCollisionError):
                    try:  # a colleague's text stays; the typing is kept as a conflict
                        conflict = collisions.record_collision(self.service, exc)
                    except UserError as again:
                        exc = again  # not even the conflict could be stored: keep the typing
                if recovery.is_not_written(exc):
                    outcomes.append(_Outcome(edit, error=exc, not_written=True))
                    break
                outcomes.append(_Outcome(edit, error=exc, conflict=conflict))
                continue
            outcomes.append(_Outcome(edit))
        return outcomes

    def _settle(self, outcomes: list[_Outcome]) -> bool:
        """Take the outcomes of a save in (this thread): ``False`` if some typing waits.

        Typing changed meanwhile (a newer edit of the same field) stays waiting.
        """
        if self._stopped:
            return self._settle_stopped(outcomes)
        saved: list[Edit] = []
        error: UserError | None = None
        for outcome in outcomes:
            edit = outcome.edit
            if outcome.not_written:
                error = outcome.error
                self._uncertain.add(edit.key)
                break
            self._uncertain.discard(edit.key)
            self._done_with(edit, saved=outcome.error is None)
            if outcome.conflict is not None:
                self.collided.emit(edit, outcome.conflict)
            elif outcome.error is not None:
                self.rejected.emit(edit, str(outcome.error))
            else:
                if edit.kind == "details" and edit.field == "title":
                    self._title = edit.text
                saved.append(edit)
        if error is not None:
            had_error = self.error is not None
            self.error = str(error)
            self.failure = error
            if not had_error:
                log.warning("Typing could not be saved; it is kept in the window and for recovery")
            self.keep_for_recovery()
            if self.paused is None:  # paused meanwhile: the window's connection check resumes
                self._retry.start()
                self.failed.emit(self.error)
            if saved:
                self.saved.emit(saved)
            return False
        if self.paused is not None and self._pending:
            # Saved in a worker thread as the server stopped answering: the rest still waits.
            self.error = self.paused
            self.keep_for_recovery()
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

    def _done_with(self, edit: Edit, *, saved: bool) -> None:
        """``edit`` left the waiting typing (saved, refused or kept as a conflict)."""
        newer = self._pending.get(edit.key)
        if newer is edit:
            del self._pending[edit.key]
        elif saved and newer is not None and newer.base == edit.base and edit.base is not None:
            # Typed on while it was being saved: the newer text now begins from the saved one.
            self._pending[edit.key] = dataclasses.replace(newer, base=edit.text)

    def _settle_stopped(self, outcomes: list[_Outcome]) -> bool:
        """A save that ended after ``stop``: what it saved is saved, the rest is kept."""
        for outcome in outcomes:
            if not outcome.not_written:
                self._done_with(outcome.edit, saved=outcome.error is None)
        if self._pending:
            self.keep_for_recovery()
        else:
            self._forget_recovery()
        return not self._pending

    def pause(self, sentence: str) -> None:
        """The server cannot be reached: keep the typing, stop trying until ``resume``.

        A save already running in a worker thread goes on; its outcome is taken when it ends.
        """
        self.paused = sentence
        self._retry.stop()

    def resume(self) -> bool:
        """The server answers again: save what is waiting now; ``False`` if it failed."""
        self.paused = None
        return self.flush(drafts=False)

    def uncertain(self) -> list[Edit]:
        """Waiting edits whose last save may in fact have reached the file (a save running
        in a worker thread may have landed too)."""
        flying = set() if self._flight is None else {e.key for e in self._flight.edits}
        return [e for e in self._pending.values() if e.key in self._uncertain | flying]

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
        """The workshop is closing: no more timed saves, and no more typing taken.

        A save still running in a worker thread ends on its own: what it saved is saved, and
        the rest stays in the recovery file (unless the typing was given up, ``forget_all``).
        """
        self._stopped = True
        for timer in (self._debounce, self._max_wait, self._retry, self._recovery):
            timer.stop()
