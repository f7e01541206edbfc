"""A window on a workshop that lives on a PostgreSQL server.

``open_from_server`` is File › Open from server: the dialog, then the workshop in the
window. ``ServerSession`` keeps the window in step with colleagues: it polls the
workshop's change notices (services/live.py) twice a second without ever blocking, and
reloads what is on screen when a colleague saves — but never while someone here is
typing (it waits for a pause of a second and a half), so nothing being typed is lost or
disturbed. A dropped connection is one line in the status bar, and polling goes on, so the
window catches up by itself when the server is back.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from carequal_desktop.errors import UserError
from carequal_desktop.ui import messages

if TYPE_CHECKING:
    from carequal_desktop.services.workshop import WorkshopService
    from carequal_desktop.ui.main_window import MainWindow

log = logging.getLogger("carequal.server")

POLL_MS = 500  # how often colleagues' notices are read
QUIET_S = 1.5  # how long after the last key press a reload may happen


class ServerSession(QObject):
    """Reloads the window when colleagues save changes to the same server workshop."""

    reloaded = Signal(set)  # the tables colleagues changed, after the window reloaded
    status = Signal(str)  # a sentence for the status bar ("" when all is well)

    def __init__(self, window: MainWindow, service: WorkshopService) -> None:
        super().__init__(window)
        from carequal_desktop.services.live import ChangeListener

        assert service.db.server is not None
        self.window = window
        self.listener = ChangeListener(service.db.server)
        self._waiting: set[str] = set()
        self._last_key = 0.0
        self._offline = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        try:
            self.listener.start()
        except UserError as exc:
            self._went_offline(str(exc))
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.InputMethod):
            self._last_key = time.monotonic()
        return False

    def typing_now(self) -> bool:
        """Whether someone here pressed a key in the last moment."""
        return time.monotonic() - self._last_key < QUIET_S

    def poll(self) -> None:
        """Read colleagues' notices; reload when nobody here is typing."""
        try:
            self._waiting |= self.listener.poll()
        except UserError as exc:
            self._went_offline(str(exc))
            return
        if self._offline:
            self._offline = False
            self.status.emit("")
            self._waiting.add("*")  # catch up with whatever happened meanwhile
        if self._waiting and not self.typing_now():
            changed, self._waiting = self._waiting, set()
            self.window.reload_after_colleagues_changes()
            self.reloaded.emit(changed)

    def _went_offline(self, sentence: str) -> None:
        if not self._offline:
            log.warning("Server workshop: lost the connection for change notices")
            self._offline = True
        self.status.emit(
            f"{sentence} Your typing stays here and is saved when the server answers again."
        )

    def stop(self) -> None:
        """Stop listening (when the workshop closes)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.listener.close()


def open_location(window: MainWindow, location: str, *, interactive: bool = True) -> bool:
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
    return window.service is service


def open_from_server(window: MainWindow) -> bool:
    """File › Open from server…: choose a workshop on a server and open it."""
    from carequal_desktop.ui.dialogs.server_dialog import OpenFromServerDialog

    dialog = OpenFromServerDialog(window)
    if dialog.exec() != OpenFromServerDialog.DialogCode.Accepted or dialog.location is None:
        return False
    return open_location(window, dialog.location)
