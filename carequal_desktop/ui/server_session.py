"""A window on a workshop that lives on a PostgreSQL server.

``open_from_server`` is File › Open from server: the dialog, then the workshop in the
window. ``ServerSession`` keeps the window in step with colleagues: it polls the
workshop's change notices (services/live.py) twice a second without ever blocking, and
reloads what is on screen when a colleague saves — but never while someone here is
typing (it waits for a pause of a second and a half), so nothing being typed is lost or
disturbed.

When the server stops answering (a dropped network, a server restart, a timeout) the
window says so in one line (``ConnectionBanner``), keeps the typing (the autosave is
paused, so nothing waits on the network on the window's thread), and checks the server
again in a worker thread after 2, 2, 4, 8 and then every 15 seconds, or at once with
"Try again now". When it answers, the waiting typing is saved once and the screen catches
up. "Take an offline copy…" saves a workshop file the user chooses, from the server if it
answers or else from this computer's mirror (services/offline.py), with the waiting typing
in it, and switches the window to it; this session then stops, so the typing is never also
sent to the server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services import offline
from carequal_desktop.services.recovery import Edit
from carequal_desktop.ui import messages

if TYPE_CHECKING:
    from carequal_desktop.services.live import ChangeListener
    from carequal_desktop.services.workshop import WorkshopService
    from carequal_desktop.ui.main_window import MainWindow

log = logging.getLogger("carequal.server")

POLL_MS = 500  # how often colleagues' notices are read
QUIET_S = 1.5  # how long after the last key press a reload may happen
MIRROR_FIRST_MS = 2000  # the first mirror is pulled this long after opening (opening stays quick)
MIRROR_EVERY_S = 120.0  # after changes, the mirror is pulled again at most this often
MIRROR_RETRY_S = 15.0  # until a pull has worked, a failed one is tried again this often
BACK_LINE_MS = 10000  # how long "Connected again" stays


class ConnectionBanner(QFrame):
    """The one line about the connection, with "Try again now" and "Take an offline copy…"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Connection to the server")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.setFrameShape(QFrame.Shape.Box)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        row.addWidget(self.label, 1)
        self.retry_button = QPushButton("&Try again now")
        self.retry_button.setAccessibleName("Try again now")
        self.retry_button.setAccessibleDescription("Check at once whether the server answers")
        row.addWidget(self.retry_button)
        self.copy_button = QPushButton("Take an &offline copy…")
        self.copy_button.setAccessibleName("Take an offline copy")
        self.copy_button.setAccessibleDescription(
            "Save the workshop with your typing as a file on this computer and keep working on it"
        )
        row.addWidget(self.copy_button)
        # As tall with or without its buttons, so the page does not jump when it changes.
        self.setMinimumHeight(self.retry_button.sizeHint().height() + 10)
        self.hide()

    def show_line(self, line: str, offline_now: bool) -> None:
        """Show ``line`` (hide the banner for an empty one); buttons only while offline."""
        changed = line != self.label.text()
        self.label.setText(line)
        self.label.setAccessibleDescription(line)
        self.setAccessibleDescription(line)
        self.retry_button.setVisible(offline_now)
        self.copy_button.setVisible(offline_now)
        self.setVisible(bool(line))
        if changed and line and QAccessible.isActive():
            # Read out by a screen reader without moving the focus from the typing.
            event = QAccessibleAnnouncementEvent(self.label, line)
            event.setPoliteness(
                QAccessible.AnnouncementPoliteness.Assertive
                if offline_now
                else QAccessible.AnnouncementPoliteness.Polite
            )
            QAccessible.updateAccessibility(event)


class ServerSession(QObject):
    """Keeps a window on a server workshop in step with the server, and polite when it drops."""

    reloaded = Signal(set)  # the tables colleagues changed, after the window reloaded
    status = Signal(str)  # the connection line ("" when all is well)
    went_offline = Signal()
    reconnected = Signal()  # the server answers again and the waiting typing is saved
    mirrored = Signal(bool)  # a mirror pull finished (True: the mirror is fresh)
    copy_finished = Signal(object)  # an offline copy: the OfflineCopy, or the UserError
    _done = Signal(object, object)  # from a worker thread: (what to call, its result)

    def __init__(self, window: MainWindow, service: WorkshopService) -> None:
        super().__init__(window)
        from carequal_desktop.services.live import ChangeListener

        assert service.db.server is not None
        self.window = window
        self.service = service
        self.location = service.db.server.location
        self.listener: ChangeListener = ChangeListener(service.db.server)
        self.banner = ConnectionBanner()
        self.banner.retry_button.clicked.connect(self.try_now)
        self.banner.copy_button.clicked.connect(self.offer_offline_copy)
        window.add_notice_bar(self.banner)
        self._done.connect(self._deliver)
        self._waiting: set[str] = set()
        self._last_key = 0.0
        self._stopped = False
        self.offline_since: float | None = None  # time.time() the server stopped answering
        self.line = ""
        self._backoff = offline.Backoff()
        self._probing = False
        self._copying = False
        try:
            self._title = service.details().title  # for the offline copy's suggested name
        except UserError:
            self._title = "Workshop"
        # The mirror: pulled in the background; ``_journal`` is the typing saved to the
        # server since the last pull began, so a copy from the mirror loses none of it.
        self.mirror_file = offline.mirror_path(self.location)
        self._mirror_running = False
        self._mirror_started: float | None = None  # time.monotonic() of the last pull
        self._mirror_taken = False  # a pull has succeeded during this session
        self._mirror_stale = False  # the first pull is timed (MIRROR_FIRST_MS), not polled
        self._journal: list[Edit] = []
        self._journal_mark = 0
        self._saved_since_poll = False
        if window.autosave is not None:
            window.autosave.saved.connect(self._typing_saved)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.try_now)
        self._back = QTimer(self)
        self._back.setSingleShot(True)
        self._back.setInterval(BACK_LINE_MS)
        self._back.timeout.connect(self._clear_back_line)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        try:
            self.listener.start()
        except UserError as exc:
            self.connection_lost(exc)
        self._timer.start()
        QTimer.singleShot(MIRROR_FIRST_MS, self, self.refresh_mirror)

    # ---------------------------------------------------------------- typing

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.InputMethod):
            self._last_key = time.monotonic()
        return False

    def typing_now(self) -> bool:
        """Whether someone here pressed a key in the last moment."""
        return time.monotonic() - self._last_key < QUIET_S

    @property
    def offline(self) -> bool:
        return self.offline_since is not None

    # --------------------------------------------------------------- polling

    def poll(self) -> None:
        """Read colleagues' notices; reload when nobody here is typing."""
        if self._stopped or self.offline or self._copying:
            return
        if not self.listener.connected:  # reconnecting is the worker thread's job
            self.connection_lost("The connection to the server was closed.")
            return
        try:
            self._waiting |= self.listener.poll()
        except UserError as exc:
            self.connection_lost(exc)
            return
        if self.listener.own_changes:
            # Typing saved from here is in ``_journal``; anything else done here (evidence
            # added, a grade given) needs a fresh mirror.
            self.listener.own_changes = False
            if not self._saved_since_poll:
                self._mirror_stale = True
        self._saved_since_poll = False
        if self._waiting and not self.typing_now():
            changed, self._waiting = self._waiting, set()
            self._mirror_stale = True
            self.window.reload_after_colleagues_changes()
            self.reloaded.emit(changed)
        if self._mirror_stale and not self.typing_now() and self._mirror_due():
            self.refresh_mirror()

    def _mirror_due(self) -> bool:
        if self._mirror_started is None:
            return True
        # Until one pull has worked, try again sooner: there may be no mirror at all yet.
        pause = MIRROR_EVERY_S if self._mirror_taken else MIRROR_RETRY_S
        return time.monotonic() - self._mirror_started >= pause

    # ----------------------------------------------------------- connection

    def _show(self, line: str) -> None:
        self.line = line
        self.banner.show_line(line, self.offline and not self._copying)
        self.status.emit(line)

    def connection_lost(self, exc: UserError | str) -> None:
        """The server stopped answering: say so once, keep the typing, retry with pauses."""
        if self._stopped:
            return
        if not self.offline:
            log.warning("Server workshop: the server stopped answering; typing is kept")
            self.offline_since = time.time()
            self._backoff.reset()
            self._back.stop()
            self.listener.close()
            autosave = self.window.autosave
            if autosave is not None:
                autosave.pause(str(exc))
            self.window.connection_changed(True)
            self.went_offline.emit()
        if not self._probing and not self._copying:
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        delay = self._backoff.next_delay()
        self._retry.start(int(delay * 1000))
        assert self.offline_since is not None
        self._show(offline.lost_sentence(self.offline_since, delay))

    def try_now(self) -> None:
        """Check in the background whether the server answers again ("Try again now")."""
        if self._stopped or not self.offline or self._probing or self._copying:
            return
        self._retry.stop()
        self._probing = True
        assert self.offline_since is not None
        self._show(offline.lost_sentence(self.offline_since, None))
        from carequal_desktop.services.live import ChangeListener

        server = self.service.db.server
        engine = self.service.engine
        assert server is not None

        def probe() -> ChangeListener:
            from sqlalchemy import text
            from sqlalchemy.exc import DBAPIError

            listener = ChangeListener(server)
            listener.start()
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except DBAPIError as exc:
                listener.close()
                raise self.service.db.describe_error(exc) from None
            return listener

        self._in_thread(probe, self._probed)

    def _probed(self, result: object) -> None:
        from carequal_desktop.services.live import ChangeListener

        self._probing = False
        if not isinstance(result, ChangeListener):
            if self.offline and not self._copying and not self._stopped:
                self._schedule_retry()
            return
        if self._stopped or self._copying or not self.offline:
            result.close()
            return
        self.listener.close()
        self.listener = result
        self.offline_since = None
        self._backoff.reset()
        autosave = self.window.autosave
        waiting = autosave is not None and autosave.has_pending()
        if autosave is not None:
            # The typing kept meanwhile is saved now, once. If the server went away again at
            # once, the autosave's failure has already brought the session back offline.
            autosave.resume()
            if self.offline:
                return
        log.info("Server workshop: the server answers again")
        self._waiting.add("*")  # catch up with whatever happened meanwhile
        self._mirror_stale = True
        self.window.connection_changed(False)
        self._show(offline.back_sentence(time.time(), int(waiting)))
        self._back.start()
        self.reconnected.emit()
        self.poll()

    def _clear_back_line(self) -> None:
        if not self.offline and not self._copying:
            self._show("")

    # ---------------------------------------------------------------- mirror

    def _typing_saved(self, edits: list[Edit]) -> None:
        self._journal.extend(edits)
        self._saved_since_poll = True

    def refresh_mirror(self) -> bool:
        """Pull the workshop into this computer's mirror in a worker thread (if not already)."""
        if self._stopped or self.offline or self._mirror_running:
            return False
        self._mirror_running = True
        self._mirror_stale = False
        self._mirror_started = time.monotonic()
        self._journal_mark = len(self._journal)
        location, target = self.location, self.mirror_file
        self._in_thread(lambda: offline.refresh_mirror(location, target), self._mirror_done)
        return True

    def _mirror_done(self, result: object) -> None:
        self._mirror_running = False
        ok = isinstance(result, float)
        if ok:
            self._mirror_taken = True
            # What was saved before the pull began is in the mirror now.
            self._journal = self._journal[self._journal_mark :]
        else:
            self._mirror_stale = True
            log.info("The server workshop's mirror could not be refreshed this time")
        self._journal_mark = 0
        self.mirrored.emit(ok)

    # ---------------------------------------------------------- offline copy

    def offer_offline_copy(self) -> bool:
        """The banner's offline copy: choose a file, make it, switch the window to it."""
        from carequal_desktop.ui.dialogs.new_workshop_dialog import (
            FILE_FILTER,
            default_folder,
            file_name_for,
            with_suffix,
        )

        window = self.window
        autosave = window.autosave
        if self._stopped or self._copying or autosave is None:
            return False
        if not self.offline:
            window.flush()  # the server answers: what is typed goes there first
        for page in window.pages.values():
            page.commit_edits()
        suggested = default_folder() / file_name_for(f"{self._title} (offline)")
        name, _f = QFileDialog.getSaveFileName(
            window, "Take an offline copy", str(suggested), FILE_FILTER
        )
        if not name:
            return False
        target = with_suffix(Path(name))
        self._copying = True
        self._retry.stop()
        autosave.pause("An offline copy is being made.")
        edits = autosave.pending()
        uncertain = autosave.uncertain()
        journal = list(self._journal)
        window.set_workshop_enabled(False)
        self._show(f"Making the offline copy {target.name}…")
        location = self.location

        def make() -> offline.OfflineCopy:
            return offline.take_offline_copy(
                location, target, edits, saved_since_mirror=journal, maybe_saved=uncertain
            )

        self._in_thread(make, self._copied)
        return True

    def _copied(self, result: object) -> None:
        window = self.window
        if self._stopped:
            return
        self._copying = False
        if isinstance(result, offline.OfflineCopy):
            log.info("Switched to an offline copy of a server workshop")
            autosave = window.autosave
            if autosave is not None:
                autosave.forget_all()  # it is in the copy, and never goes to the server now
            self.stop()
            window.switch_to_offline_copy(result.path, result.sentence())
            self.copy_finished.emit(result)
            return
        window.set_workshop_enabled(True)
        autosave = window.autosave
        if self.offline:
            self._schedule_retry()
        elif autosave is not None:
            autosave.resume()
            self._show("")
        sentence = (
            str(result) if isinstance(result, UserError) else "The offline copy could not be made."
        )
        messages.show_error(window, sentence)
        self.copy_finished.emit(result)

    # ---------------------------------------------------------------- threads

    def _in_thread(self, job: Callable[[], Any], then: Callable[[object], None]) -> None:
        """Run ``job`` in a worker thread (its own connections); ``then(result)`` back here."""

        def work() -> None:
            result: object
            try:
                result = job()
            except UserError as exc:
                result = exc
            except Exception:  # a bug: logged, and the window carries on
                log.exception("A background server task failed")
                result = UserError("Something went wrong; the log has the details.")
            try:
                self._done.emit(then, result)
            except RuntimeError:  # the window closed meanwhile: nobody takes the result
                close = getattr(result, "close", None)
                if callable(close):
                    close()  # a listener's connection

        threading.Thread(target=work, name="carequal-server", daemon=True).start()

    def _deliver(self, then: Callable[[object], None], result: object) -> None:
        then(result)

    def stop(self) -> None:
        """Stop listening and retrying (the workshop closes, or an offline copy took over)."""
        if self._stopped:
            return
        self._stopped = True
        for timer in (self._timer, self._retry, self._back):
            timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.listener.close()
        self.banner.hide()


def open_location(
    window: MainWindow, location: str, *, interactive: bool = True, offer_recovery: bool = True
) -> bool:
    """Open a server workshop in the window; ``False`` (and a message) if it cannot be."""
    from carequal_desktop.services.server import open_server_workshop

    try:
        service = open_server_workshop(location)
    except UserError as exc:
        if interactive:
            messages.show_error(window, str(exc))
        else:
            log.warning("Could not open a server workshop: %s", type(exc).__name__)
        return False
    window._set_service(service)
    if window.service is not service:
        return False
    if interactive and offer_recovery:
        from carequal_desktop.services import recovery

        waiting = recovery.for_workshop(service.path)
        if waiting is not None and waiting.location == service.db.name:
            window._offer(waiting)  # typing kept when this workshop was last closed
    return True


def open_from_server(window: MainWindow) -> bool:
    """File › Open from server…: choose a workshop on a server and open it."""
    from carequal_desktop.ui.dialogs.server_dialog import OpenFromServerDialog

    dialog = OpenFromServerDialog(window)
    if dialog.exec() != OpenFromServerDialog.DialogCode.Accepted or dialog.location is None:
        return False
    return open_location(window, dialog.location)
