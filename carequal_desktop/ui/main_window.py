"""The main window: the start screen, or an open workshop with its sidebar and pages.

The window only arranges screens and menus. Every change goes through ``WorkshopService``,
which saves it at once; typing goes through the workshop's one ``Autosave``. Closing never
loses work: pending typing is saved first, and if it cannot be (a full disk, a pulled USB
stick) the window stays open and says what to do. Structural edits go on the workshop's
undo stack (Edit › Undo); a backup is taken every hour of a long session.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop import APP_NAME, FILE_SUFFIX, __version__
from carequal_desktop.domain.vocabulary import EVALUATION_STATUSES
from carequal_desktop.errors import UserError, WorkshopLockedError
from carequal_desktop.services import backups, locking, recovery, settings
from carequal_desktop.services.workshop import WorkshopService, is_writable
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.colours import apply_accessible_palette
from carequal_desktop.ui.dialogs._fit import install_screen_fitter
from carequal_desktop.ui.dialogs.locked_dialog import ask_open_read_only
from carequal_desktop.ui.dialogs.new_workshop_dialog import FILE_FILTER, default_folder, with_suffix
from carequal_desktop.ui.focus_ring import install_focus_ring
from carequal_desktop.ui.keys import install_enter_keys
from carequal_desktop.ui.merge_page import conflict_codes
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.start_page import StartPage
from carequal_desktop.ui.undo import WorkshopUndo
from carequal_desktop.ui.widgets.responsive import on_width

if TYPE_CHECKING:
    from carequal_desktop.ui.server_session import ServerSession
    from carequal_desktop.ui.widgets.collision_notice import CollisionNotice

log = logging.getLogger("carequal")

GEOMETRY_KEY = "window_geometry"
SIDEBAR_WIDTH = 260
SIDEBAR_MIN_WIDTH = 170
_KEY_ROLE = Qt.ItemDataRole.UserRole
# (page key, sidebar label, Go menu shortcut)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "Ctrl+1"),
    ("team", "Workshop and team", "Ctrl+2"),
    ("evidence", "Evidence register", "Ctrl+3"),
    ("plan", "Improvement plan", "Ctrl+4"),
    ("statement", "Position statement", "Ctrl+5"),
    ("readiness", "Readiness", "Ctrl+6"),
    ("merge", "Merge copies", "Ctrl+7"),
)
# The Go menu's mnemonic for each page (unique in that menu).
_GO_MNEMONICS = {
    "overview": "&Overview",
    "team": "&Workshop and team",
    "evidence": "E&vidence register",
    "plan": "I&mprovement plan",
}
INDICATOR = "indicator"
# A long workshop day keeps hourly copies, not only the one made on opening.
BACKUP_EVERY_MS = 60 * 60 * 1000

SHORTCUTS_HELP: tuple[tuple[str, str], ...] = (
    ("F1", "This list of keyboard shortcuts"),
    ("Ctrl+N", "New workshop"),
    ("Ctrl+O", "Open a workshop"),
    ("Ctrl+Shift+S", "Save a copy of the workshop"),
    ("Ctrl+Shift+E", "Export the position statement (Word)"),
    ("Ctrl+W", "Close the workshop"),
    (
        "Ctrl+1 … Ctrl+7",
        "Overview, Workshop and team, Evidence register, Improvement plan, "
        "Position statement, Readiness, Merge copies",
    ),
    ("Ctrl+Page Down, Alt+Right", "Next indicator"),
    ("Ctrl+Page Up, Alt+Left", "Previous indicator"),
    ("F6", "Switch between the list on the left and the page"),
    ("Ctrl+Shift+M", "After a simultaneous edit: decide its conflict now (the Merge page)"),
    ("F5", "Facilitation mode, full screen (F5 or Escape leaves it)"),
    ("Ctrl+J", "In facilitation mode: type a quick note"),
    ("Ctrl+Shift+P", "In facilitation mode: park a point in the parking lot"),
    ("Ctrl+plus, Ctrl+minus", "Larger or smaller text (remembered for the workshop)"),
    ("Ctrl+0", "Normal text size (in facilitation mode: its large text)"),
    ("Ctrl+E", "New evidence (linked to the indicator on screen)"),
    ("Ctrl+Shift+N", "New action (linked to the indicator on screen)"),
    ("Ctrl+F", "Search the evidence register"),
    ("Tab, Shift+Tab", "Move between boxes and buttons"),
    ("Up, Down", "Choose the grade (on the grade), move in lists and tables"),
    ("Enter, Space", "Press the button that has the focus"),
    ("Enter", "In a form: Save. In a list or table: open the item. In Link evidence: link it"),
    ("Escape", "Close a form without saving"),
    ("Enter (in Type a strength)", "Add the strength or area for improvement"),
    ("F2 or double-click", "Change a strength or area for improvement"),
    ("Ctrl+Up, Ctrl+Down", "Move a strength or area for improvement"),
    ("Delete", "Delete the selected line (Ctrl+Z brings it back)"),
    ("Ctrl+Z, Ctrl+Y", "Undo and redo: typing in a box, or a deleted line or unlinked item"),
    ("Ctrl+Q", "Quit"),
)

_STATUS_COLOURS = {
    "not_started": QColor("#8a8a8a"),
    "in_progress": QColor("#c77c00"),
    "agreed": QColor("#2e7d32"),
}


class _Sidebar(QListWidget):
    """The list of pages and indicators: prefers its full width, gives way on a small screen."""

    resized = Signal()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(SIDEBAR_WIDTH, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.resized.emit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text zoom: items measure again
            self.resized.emit()


def status_icon(status: str, size: int = 16) -> QIcon:
    """A mark that differs in shape as well as colour: empty, half, and ticked circle."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = _STATUS_COLOURS.get(status, _STATUS_COLOURS["not_started"])
    pen = QPen(colour, 1.6)
    painter.setPen(pen)
    r = pixmap.rect().adjusted(2, 2, -2, -2)
    if status == "in_progress":
        painter.drawEllipse(r)
        painter.setBrush(colour)
        painter.drawPie(r, 90 * 16, 180 * 16)
    elif status == "agreed":
        painter.setBrush(colour)
        painter.drawEllipse(r)
        painter.setPen(QPen(QColor("white"), 2.0))
        w = r.width()
        x, y = r.x(), r.y()
        painter.drawLine(int(x + w * 0.25), int(y + w * 0.52), int(x + w * 0.43), int(y + w * 0.7))
        painter.drawLine(int(x + w * 0.43), int(y + w * 0.7), int(x + w * 0.77), int(y + w * 0.32))
    else:
        painter.drawEllipse(r)
    painter.end()
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    """The start screen, or one open workshop."""

    def __init__(self) -> None:
        super().__init__()
        install_screen_fitter()
        install_enter_keys()
        install_focus_ring()
        apply_accessible_palette()
        self.service: WorkshopService | None = None
        self.autosave: Autosave | None = None
        self.undo_stack: WorkshopUndo | None = None
        self.pages: dict[str, WorkshopPage] = {}
        self.server_session: ServerSession | None = None  # set for a workshop on a server
        self.indicator_page: Any = None
        self.team_page: Any = None
        self.sidebar: QListWidget | None = None
        self._page_stack: QStackedWidget | None = None
        self._current_key: str | None = None
        self._last_code: str | None = None
        self._workshop_view: QWidget | None = None
        self._save_problem: QLabel | None = None
        self.collision_notice: CollisionNotice | None = None
        self.undo_group: QUndoGroup | None = None
        self._offered: set[Path] = set()  # recovery files offered this session
        self._facilitation: Any = None

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.start_page = StartPage()
        self.start_page.new_requested.connect(self.new_workshop)
        self.start_page.open_requested.connect(self.open_workshop)
        self.start_page.demo_requested.connect(self.open_demo)
        self.start_page.recent_requested.connect(self.open_workshop_file)
        self.stack.addWidget(self.start_page)

        self.setAcceptDrops(True)  # a workshop file dropped from Explorer or an email opens
        self._build_menus()
        self.saved_label = QLabel()
        self.saved_label.setAccessibleDescription("Saving")
        self.statusBar().addPermanentWidget(self.saved_label)
        self.saved_label.setAccessibleDescription("Whether the latest typing is in the file")
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_EVERY_MS)
        self.backup_timer.timeout.connect(self.backup_now)
        self.start_page.focus_first()
        self._restore_geometry()
        self._update_state()

    # ------------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        from carequal_desktop.ui.menus import build_menus

        self.menus = build_menus(self)

    @property
    def _workshop_actions(self) -> list[QAction]:
        """Actions that need an open workshop (features append their own here)."""
        return self.menus.workshop_actions

    @property
    def _writable_actions(self) -> list[QAction]:
        """Actions that need a workshop that can be changed (features append theirs here)."""
        return self.menus.writable_actions

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], Any],
        shortcuts: tuple[str, ...] = (),
        *,
        workshop: bool = False,
        writes: bool = False,
    ) -> QAction:
        """An action in ``menu``, through the one place menus are built (``ui/menus.py``)."""
        return self.menus.add(menu, text, slot, shortcuts, workshop=workshop, writes=writes)

    def file_menu(self) -> QMenu:
        """The File menu, for features that add their own entries to it."""
        return self._file_menu

    def _fill_recent_menu(self) -> None:
        self._recent_menu.clear()
        recent = settings.recent_files()
        if not recent:
            empty = self._recent_menu.addAction("No recent workshops")
            empty.setEnabled(False)
            return
        for i, path in enumerate(recent, start=1):
            label = f"&{i} {path.name}" if i < 10 else path.name
            action = self._recent_menu.addAction(label)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_workshop_file(p))

    def _update_state(self) -> None:
        has = self.service is not None
        if not has:
            self.saved_label.setText("")
        elif self.service.read_only:  # type: ignore[union-attr]
            self.saved_label.setText("Read-only: changes cannot be saved")
        else:
            self.saved_label.setText("Every change is saved as you go")
        self.menus.update_enabled(has, has and not self.service.read_only)  # type: ignore[union-attr]
        self._update_title()

    def _saved(self) -> None:
        """Reassure the room that what was just typed is in the file."""
        if self.autosave is not None and self.autosave.error is not None:
            return  # some typing is still waiting: do not say "Saved"
        self.saved_label.setText(f"Saved at {time.strftime('%H:%M')}")
        self.saved_label.setToolTip("")

    def _save_failed(self, sentence: str) -> None:
        """Typing could not be saved: say so where the room can see it, keep trying."""
        if self.server_session is not None and self.autosave is not None:
            from carequal_desktop.services.offline import is_unreachable

            if is_unreachable(self.autosave.failure):
                self.server_session.connection_lost(sentence)  # its own line says it all
                return
        self.saved_label.setText("Not saved: your typing is kept, trying again")
        # A tooltip guesses rich text from tags: escaped inside <p> it always shows as typed.
        self.saved_label.setToolTip(f"<p>{html.escape(sentence)}</p>")
        self.saved_label.setAccessibleDescription(sentence)
        if self._save_problem is not None:
            kept = (
                "Your typing is kept in this window and in a recovery copy on this computer, "
                "and CareQual keeps trying to save it."
            )
            self._save_problem.setText(f"{sentence} {kept}")
            self._save_problem.show()

    def _save_recovered(self) -> None:
        if self._save_problem is not None:
            self._save_problem.hide()
        self._saved()
        self.statusBar().showMessage("Everything typed is saved again.", 10000)

    def switch_focus(self) -> None:
        """F6: from the page to the sidebar and back, like other Windows programs."""
        if self.sidebar is None or self._page_stack is None:
            return
        if not self.sidebar.hasFocus():
            self.sidebar.setFocus()
            return
        page = self._page_stack.currentWidget()
        widget = page.nextInFocusChain()
        while widget is not page and widget is not None:
            if (
                page.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def _update_title(self) -> None:
        if self.service is None:
            self.setWindowTitle("CareQual")
            return
        try:
            title = self.service.details().title
        except UserError:
            title = self.service.path.stem
        text = f"{title} — {self.service.db.name} — CareQual"
        if self.service.read_only:
            text += " [read-only]"
        self.setWindowTitle(text)

    # ---------------------------------------------------------------- geometry

    def _restore_geometry(self) -> None:
        saved = settings.get(GEOMETRY_KEY)
        if (
            isinstance(saved, str)
            and saved
            and self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii")))
        ):
            return
        self.resize(1280, 720)
        self.setWindowState(Qt.WindowState.WindowMaximized)

    def _save_geometry(self) -> None:
        settings.put(GEOMETRY_KEY, bytes(self.saveGeometry().toBase64().data()).decode("ascii"))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(1280, 720)

    # ------------------------------------------------------------------- files

    def new_workshop(self) -> None:
        from carequal_desktop.ui.dialogs.new_workshop_dialog import NewWorkshopDialog

        dialog = NewWorkshopDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.service is not None:
            self._set_service(dialog.service)
            self.show_page("team")

    def open_workshop(self) -> None:
        start = str(self.service.path.parent) if self.service else str(default_folder())
        name, _f = QFileDialog.getOpenFileName(
            self, "Open a workshop", start, f"{FILE_FILTER};;All files (*)"
        )
        if name:
            self.open_workshop_file(Path(name))

    def open_demo(self) -> None:
        from carequal_desktop.services.demo import demo_path

        try:
            path = demo_path()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.open_workshop_file(path)

    def open_workshop_file(
        self, path: Path, interactive: bool = True, *, read_only: bool | None = None
    ) -> bool:
        """Open a workshop file in this window; ``False`` (and a message) if it cannot be."""
        path = Path(path)
        if self.service is not None and path.resolve() == self.service.path.resolve():
            return True
        try:
            service = WorkshopService.open(path, read_only=read_only)
        except WorkshopLockedError as exc:
            # Open in another CareQual: say by whom, where, since when; offer read-only.
            if interactive and ask_open_read_only(self, exc):
                return self.open_workshop_file(path, interactive, read_only=True)
            if not interactive:
                log.warning("Could not open a workshop: it is open elsewhere")
            return False
        except UserError as exc:
            if interactive:
                messages.show_error(self, str(exc))
            else:
                # No names in the log: they can be workshop text.
                log.warning("Could not open a workshop: %s", type(exc).__name__)
            return False
        self._set_service(service)
        if self.service is not service:
            return False  # the workshop already open kept its unsaved typing
        settings.add_recent(path)
        if interactive and service.notices:  # what opening did to the file, said plainly
            messages.show_info(self, "\n\n".join(service.notices))
        waiting = recovery.for_workshop(service.path)
        if waiting is not None and interactive:
            self._offer(waiting)  # typing kept when this workshop was last closed
        return True

    def open_from_server(self) -> bool:
        """File › Open from server…"""
        from carequal_desktop.ui.server_session import open_from_server

        return open_from_server(self)

    def reload_after_colleagues_changes(self) -> None:
        """A colleague saved changes to this server workshop: show them."""
        if self.service is None or self._workshop_view is None:
            return
        self.flush()
        self.service.frameworks._cached = None  # an indicator may have been corrected
        self._conflict_codes = conflict_codes(self.service)  # a colleague's collision too
        for summary in self.service.overview():
            self.refresh_indicator_item(summary.code)
        self._refresh_current()
        self._update_title()

    def close_workshop(self) -> bool:
        """Save pending typing, close the file and go back to the start screen.

        ``False`` (and the window stays as it is) if typing could not be saved and the user
        chose to keep the workshop open.
        """
        if self.service is None:
            return True
        if self._facilitation is not None:
            self._facilitation.close()
        if not self._can_leave("Close the workshop"):
            return False
        self._close_service()
        return True

    def _close_service(self) -> None:
        assert self.service is not None
        self.backup_timer.stop()
        if self.server_session is not None:
            self.server_session.stop()
            self.server_session = None
        if self.autosave is not None:
            self.autosave.stop()
            self.autosave.deleteLater()
        if self.undo_group is not None and self.undo_stack is not None:
            self.undo_group.removeStack(self.undo_stack)
            self.undo_stack.deleteLater()
        self.autosave = None
        self.undo_stack = None
        self.service.close()
        self.service = None
        self._apply_zoom(1.0)
        if self._workshop_view is not None:
            self.stack.removeWidget(self._workshop_view)
            self._workshop_view.deleteLater()
        self._workshop_view = None
        self._save_problem = None
        self.collision_notice = None
        self.pages = {}
        self.indicator_page = self.team_page = None
        self.sidebar = self._page_stack = None
        self._current_key = self._last_code = None
        self.start_page.refresh()
        self.stack.setCurrentWidget(self.start_page)
        self.start_page.focus_first()
        self._update_state()

    def _can_leave(self, leaving: str) -> bool:
        """Save the typing; if it cannot be saved, keep the window unless the user says so."""
        if self.flush():
            return True
        assert self.autosave is not None
        problem = self.autosave.error or "The file could not be written."
        advice = (
            "wait for the server to answer, or use “Take an offline copy…” to keep working "
            "on a file on this computer, typing included."
            if self.server_session is not None
            else "free some space or reconnect the drive and try again, or use File › Save a "
            "copy as to keep your work, typing included, somewhere else."
        )
        text = (
            f"Your latest typing could not be saved. {problem}\n\n"
            f"CareQual stays open so that nothing is lost: {advice}"
        )
        if not self.autosave.keep_for_recovery():
            messages.show_error(self, text)
            return False
        return messages.ask(
            self,
            f"{text}\n\n{leaving} anyway? The typing is kept in a recovery copy on this "
            "computer and offered back the next time CareQual starts.",
            yes=f"{leaving} and keep it for next time",
            no="Stay open",
            destructive=True,
        )

    def save_copy_as(self) -> None:
        """A complete copy, with any typing the workshop's own file could not take."""
        if self.service is None:
            return
        self.flush()
        suggested = self.service.path.with_name(f"{self.service.path.stem} (copy){FILE_SUFFIX}")
        name, _f = QFileDialog.getSaveFileName(self, "Save a copy as", str(suggested), FILE_FILTER)
        if not name:
            return
        target = with_suffix(Path(name))
        try:
            self.service.save_copy_as(target, overwrite=True)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        if self.autosave is not None and self.autosave.has_pending():
            self._copy_pending_typing(target)
            return
        self.statusBar().showMessage(
            f"A copy was saved to {target}. You are still working on {self.service.path.name}.",
            10000,
        )

    def _copy_pending_typing(self, target: Path) -> None:
        """The original cannot take the typing (a pulled stick): put it into the copy."""
        assert self.autosave is not None
        try:
            copy = WorkshopService.open(target)
        except UserError as exc:
            messages.show_error(self, f"The copy was saved without your latest typing. {exc}")
            return
        try:
            left = self.autosave.apply_to(copy)
        finally:
            copy.close()
        if left:
            messages.show_error(
                self,
                f"The copy was saved to {target}, but some of your latest typing could not be "
                "added to it. It is still kept in this window.",
            )
            return
        if messages.ask(
            self,
            f"A copy with all your typing was saved to {target}. "
            "Open the copy now and keep working on it?",
            yes="Open the copy",
            no="Stay here",
        ):
            self.autosave.forget_all()  # it is in the copy now
            self.open_workshop_file(target)
        else:
            self.statusBar().showMessage(
                f"A copy with your latest typing was saved to {target}.", 10000
            )

    def import_exchange_json(self) -> None:
        from carequal_desktop.services.exchange import import_json

        source, _f = QFileDialog.getOpenFileName(
            self,
            "Import exchange JSON",
            str(default_folder()),
            "Exchange JSON (*.json);;All files (*)",
        )
        if not source:
            return
        suggested = Path(source).with_suffix(FILE_SUFFIX)
        name, _f = QFileDialog.getSaveFileName(
            self, "Save the imported workshop as", str(suggested), FILE_FILTER
        )
        if not name:
            return
        target = with_suffix(Path(name))
        if self.service is not None and target.resolve() == self.service.path.resolve():
            messages.show_error(
                self, "That workshop is open. Choose a different name for the imported one."
            )
            return
        try:
            result = import_json(Path(source), target, overwrite=True)
        except UserError as exc:
            messages.show_error(self, f"The file was not imported. {exc}")
            return
        if self.open_workshop_file(result.path) and result.warnings:
            messages.show_info(self, "\n\n".join(result.warnings), "Imported with warnings")

    def start_next_cycle(self) -> None:
        """File › Start the next self-evaluation: a new workshop from this one, then open it."""
        from carequal_desktop.ui.dialogs.new_cycle_dialog import NewCycleDialog

        if self.service is None:
            return
        self.flush()
        dialog = NewCycleDialog(self.service, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_info is None:
            return
        result = dialog.result_info
        if self.open_workshop_file(result.path):
            QMessageBox.information(self, "Next self-evaluation", result.summary())

    def show_grade_change(self) -> None:
        """Go › Previous and current grades: the chart of each indicator's change."""
        from carequal_desktop.ui.widgets.grade_change_chart import GradeChangeDialog

        if self.service is not None:
            self.flush()
            GradeChangeDialog(self.service, self).exec()

    def export_exchange_json(self) -> None:
        from carequal_desktop.services.exchange import export_json

        if self.service is None:
            return
        self.flush()
        suggested = self.service.path.with_suffix(".json")
        name, _f = QFileDialog.getSaveFileName(
            self, "Export exchange JSON", str(suggested), "Exchange JSON (*.json)"
        )
        if not name:
            return
        target = Path(name)
        if target.suffix.lower() != ".json":
            target = target.with_name(target.name + ".json")
        try:
            export_json(self.service, target, overwrite=True)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.statusBar().showMessage(f"Exchange JSON written to {target}.", 10000)

    # ---------------------------------------------------------- workshop view

    def _set_service(self, service: WorkshopService) -> None:
        if self.service is not None and not self.close_workshop():
            service.close()  # the open workshop's typing could not be saved: it stays open
            return
        self.service = service
        self.autosave = Autosave(service, self)
        self.autosave.saved.connect(self._saved)
        self.autosave.failed.connect(self._save_failed)
        self.autosave.recovered.connect(self._save_recovered)
        self.autosave.collided.connect(self._collided)
        self.undo_stack = WorkshopUndo(service, self)
        self.undo_stack.changed.connect(self._undone)
        self.undo_stack.failed.connect(lambda text: messages.show_error(self, text))
        self.undo_stack.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        if self.undo_group is not None:
            self.undo_group.addStack(self.undo_stack)
            self.undo_group.setActiveStack(self.undo_stack)
        if not service.read_only:
            self.backup_timer.start()

        from carequal_desktop.services.facilitation import Facilitation

        try:
            self._apply_zoom(Facilitation(service).zoom())  # the text size this workshop had
        except UserError:
            self._apply_zoom(1.0)
        self._build_workshop_view()
        if service.db.server is not None:
            from carequal_desktop.ui.server_session import ServerSession

            self.server_session = ServerSession(self, service)
        self._update_state()
        self.show_page("overview")

    # ------------------------------------------------ a server that drops out

    def add_notice_bar(self, bar: QWidget) -> None:
        """Put a one-line notice (the server connection's) at the top of the workshop."""
        if self._workshop_view is not None:
            layout = self._workshop_view.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(0, bar)

    def connection_changed(self, offline: bool) -> None:
        """The server stopped answering (or answers again): the saving note says so."""
        if offline:
            self.saved_label.setText("Not saved yet: waiting for the server")
            if self._save_problem is not None:
                self._save_problem.hide()  # the connection line says it
        else:
            self._saved()

    def server_went_away(self, exc: BaseException) -> bool:
        """A page's read failed because the server cannot be reached: the connection line
        says so (``False`` if no server workshop is open, so it is a bug after all)."""
        if self.server_session is None:
            return False
        log.warning("A page could not read the server workshop: the server cannot be reached")
        self.server_session.connection_lost(str(exc))
        return True

    def set_workshop_enabled(self, enabled: bool) -> None:
        """No typing while an offline copy is being made (it would be in neither place)."""
        if self._workshop_view is not None:
            self._workshop_view.setEnabled(enabled)

    def switch_to_offline_copy(self, path: Path, sentence: str) -> bool:
        """Leave the server workshop (its typing went into the copy) and open the copy."""
        key, code = self.current_page_key(), self.current_indicator_code()
        if self.service is not None:
            self._close_service()  # nothing waits to be saved: it is all in the copy
        if not self.open_workshop_file(path):
            return False
        if code is not None:  # back where the typing was
            self.show_indicator(code)
        elif key is not None and key != INDICATOR:
            self.show_page(key)
        self.statusBar().showMessage(f"Working offline on {path.name}.", 30000)
        messages.show_info(self, sentence)
        return True

    def _build_workshop_view(self) -> None:
        assert self.service is not None
        view = QWidget()
        outer = QVBoxLayout(view)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        if self.service.read_only:
            if is_writable(self.service.path):  # chosen, e.g. because it is open elsewhere
                text = (
                    "This workshop is open read-only, so changes cannot be saved. "
                    "Use File › Save a copy as to keep working on a copy."
                )
            else:  # the disk or folder cannot be written: say so
                text = locking.read_only_notice(self.service.path)
            banner = QLabel(text)
            banner.setWordWrap(True)
            banner.setMargin(8)
            banner.setAccessibleDescription("Read-only notice")
            banner.setAutoFillBackground(True)
            banner.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
            banner.setForegroundRole(QPalette.ColorRole.ToolTipText)
            outer.addWidget(banner)
        # Shown while typing cannot be saved (a full disk, a pulled stick).
        self._save_problem = QLabel()
        self._save_problem.setWordWrap(True)
        self._save_problem.setMargin(8)
        self._save_problem.setTextFormat(Qt.TextFormat.PlainText)
        self._save_problem.setAccessibleName("Saving problem")
        self._save_problem.setAutoFillBackground(True)
        self._save_problem.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self._save_problem.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self._save_problem.hide()
        outer.addWidget(self._save_problem)
        # Shown when typing collided with a colleague's save (kept as a conflict).
        from carequal_desktop.ui.widgets.collision_notice import CollisionNotice

        self.collision_notice = CollisionNotice()
        self.collision_notice.decide_requested.connect(self.decide_conflict)
        outer.addWidget(self.collision_notice)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        outer.addLayout(row, 1)

        self.sidebar = _Sidebar()
        self.sidebar.setAccessibleName("Workshop sections and quality indicators")
        # Full width on a laptop; narrower on a projector or at 150% so the page fits.
        sidebar = self.sidebar
        on_width(
            view,
            lambda width: sidebar.setFixedWidth(
                max(SIDEBAR_MIN_WIDTH, min(SIDEBAR_WIDTH, width // 5))
            ),
        )
        self.sidebar.resized.connect(self._measure_sidebar_items)
        self.sidebar.setWordWrap(True)
        self.sidebar.setIconSize(QSize(16, 16))
        self.sidebar.setSpacing(2)
        self.sidebar.setStyleSheet("QListWidget::item { padding: 3px 2px; }")
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        row.addWidget(self.sidebar, 1)
        self._page_stack = QStackedWidget()
        row.addWidget(self._page_stack, 6)

        for key, label, shortcut in PAGES:
            item = QListWidgetItem(label)
            item.setData(_KEY_ROLE, (key, None))
            item.setToolTip(f"{label} ({shortcut})")
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.sidebar.addItem(item)
        head = QListWidgetItem("\nQuality indicators")
        head.setFlags(Qt.ItemFlag.NoItemFlags)
        font = self.sidebar.font()
        font.setBold(True)
        head.setFont(font)
        head.setForeground(self.sidebar.palette().windowText())
        self.sidebar.addItem(head)
        self._indicator_items: dict[str, QListWidgetItem] = {}
        self._conflict_codes = conflict_codes(self.service)  # marked until decided
        for summary in self.service.overview():
            item = QListWidgetItem()
            item.setData(_KEY_ROLE, (INDICATOR, summary.code))
            self.sidebar.addItem(item)
            self._indicator_items[summary.code] = item
            self._show_indicator_item(summary.code, summary.title, summary.status, summary.grade)
        self.sidebar.currentItemChanged.connect(self._sidebar_changed)

        self._workshop_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)

    def _show_indicator_item(self, code: str, title: str, status: str, grade: int | None) -> None:
        assert self.service is not None
        item = self._indicator_items[code]
        level = self.service.framework().level(grade) if grade else None
        grade_text = f"{level.value} {level.label}" if level else "not graded"
        status_text = EVALUATION_STATUSES.get(status, status)
        text = f"{code} {title}\n{status_text} · {grade_text}"
        if code in getattr(self, "_conflict_codes", set()):
            text = f"⚠ {text} · merge conflict"
            grade_text += ", merge conflict to decide"
        item.setText(text)
        self._measure_sidebar_item(item)
        item.setIcon(status_icon(status))
        item.setToolTip(f"{code} {title}: {status_text.lower()}, {grade_text}")
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"Indicator {code} {title}, {status_text}, {grade_text}",
        )

    def _measure_sidebar_item(self, item: QListWidgetItem) -> None:
        # Word-wrapped items with two lines get too little height from Qt; measure them.
        assert self.sidebar is not None
        width = max(60, self.sidebar.viewport().width() - self.sidebar.iconSize().width() - 24)
        metrics = self.sidebar.fontMetrics()
        height = metrics.boundingRect(
            0, 0, width, 10_000, Qt.TextFlag.TextWordWrap, item.text()
        ).height()
        item.setSizeHint(QSize(width, height + 10))

    def _measure_sidebar_items(self) -> None:
        for item in getattr(self, "_indicator_items", {}).values():
            self._measure_sidebar_item(item)

    def refresh_indicator_item(self, code: str) -> None:
        """Show an indicator's current title, status and grade in the sidebar."""
        if self.service is None or code not in getattr(self, "_indicator_items", {}):
            return
        ev = self.service.evaluation(code)
        title = self.service.framework().indicator(code).title
        self._show_indicator_item(code, title, ev.status, ev.grade)

    def _sidebar_changed(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is None:
            return
        key, code = item.data(_KEY_ROLE)
        self._show(key, code)

    def _select_sidebar(self, key: str, code: str | None) -> None:
        if self.sidebar is None:
            return
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            if item.data(_KEY_ROLE) == (key, code):
                if self.sidebar.currentItem() is not item:
                    self.sidebar.setCurrentItem(item)  # calls _show through the signal
                else:
                    self._show(key, code)
                return

    def _held_offline(self, key: str, code: str | None) -> bool:
        """While the server cannot be reached, stay on the page being typed on: another
        page could not be read, and a half-read page is worse than none."""
        session = self.server_session
        if session is None or not session.offline or self._current_key is None:
            return False
        here = (self._current_key, self.current_indicator_code())
        if (key, code) != here:
            if self.sidebar is not None:
                for row in range(self.sidebar.count()):
                    item = self.sidebar.item(row)
                    if item.data(_KEY_ROLE) == here:
                        blocked = self.sidebar.blockSignals(True)
                        self.sidebar.setCurrentItem(item)
                        self.sidebar.blockSignals(blocked)
                        break
            self.statusBar().showMessage(
                "Other pages open when the server answers again; your typing here is kept.",
                10000,
            )
        return True

    def show_page(self, key: str) -> None:
        """Go to Overview, Workshop and team, Evidence register or Improvement plan."""
        self._select_sidebar(key, None)

    def show_indicator(self, code: str) -> None:
        """Go to one indicator's page."""
        self._select_sidebar(INDICATOR, code)

    def go_relative_indicator(self, step: int) -> None:
        """Previous (-1) or next (+1) indicator; from another page, the last one shown."""
        if self.service is None:
            return
        codes = [ind.code for ind in self.service.framework().indicators]
        if not codes:
            return
        current = self.current_indicator_code()
        if current is None:
            target = self._last_code if self._last_code in codes else codes[0]
        else:
            pos = codes.index(current) + step
            if not 0 <= pos < len(codes):
                return
            target = codes[pos]
        self.show_indicator(target)

    def current_indicator_code(self) -> str | None:
        """The indicator on screen, or ``None`` on another page."""
        if self._current_key == INDICATOR and self.indicator_page is not None:
            return self.indicator_page.code  # type: ignore[no-any-return]
        return None

    def current_page_key(self) -> str | None:
        return self._current_key

    def _page(self, key: str) -> WorkshopPage:
        """The page for ``key``, made the first time it is needed (keeps opening fast)."""
        if key in self.pages:
            return self.pages[key]
        assert self.service is not None and self._page_stack is not None
        autosave = self.autosave
        page: WorkshopPage
        if key == INDICATOR:
            from carequal_desktop.ui.indicator_page import IndicatorPage

            page = IndicatorPage(self.service, self, autosave)
            page.indicator_changed.connect(self.refresh_indicator_item)
            page.indicator_changed.connect(self._saved)
            page.navigate_requested.connect(self.go_relative_indicator)
            self.indicator_page = page
        elif key == "team":
            from carequal_desktop.ui.team_page import TeamPage

            page = TeamPage(self.service, self, autosave)
            page.details_changed.connect(self._update_title)
            page.details_changed.connect(self._saved)
            self.team_page = page
        elif key == "overview":
            from carequal_desktop.ui.overview_page import OverviewPage

            page = OverviewPage(self.service, self, autosave)
            page.indicator_activated.connect(self.show_indicator)
        elif key == "evidence":
            from carequal_desktop.ui.evidence_page import EvidencePage

            page = EvidencePage(self.service, self, autosave)
        elif key in ("statement", "readiness"):  # issue 9: the statement's texts and checks
            from carequal_desktop.ui.readiness_page import ReadinessPage, go_to_finding
            from carequal_desktop.ui.statement_page import StatementPage

            page = (
                StatementPage(self.service, self, autosave)
                if key == "statement"
                else ReadinessPage(self.service, self, autosave)
            )
            if key == "readiness":
                page.go_to_requested.connect(lambda f: go_to_finding(self, f))
        elif key == "merge":
            from carequal_desktop.ui.merge_page import MergePage, refresh_window

            page = MergePage(self.service, self, autosave)
            page.changed.connect(lambda: refresh_window(self))
        else:
            from carequal_desktop.ui.plan_page import PlanPage

            page = PlanPage(self.service, self, autosave)
        if self.undo_stack is not None:
            page.use_undo_stack(self.undo_stack)
        page.notice.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self._page_stack.addWidget(page)
        self.pages[key] = page
        return page

    def _show(self, key: str, code: str | None) -> None:
        if self.service is None or self._page_stack is None:
            return
        if self._held_offline(key, code):
            return
        leaving = self.pages.get(self._current_key or "")
        if leaving is not None:
            leaving.flush()  # if the file cannot take it, the typing waits in the autosave
        fresh = key not in self.pages
        page = self._page(key)
        try:
            if key == INDICATOR:
                assert code is not None
                page.show_indicator(code)  # type: ignore[attr-defined]
                self._last_code = code
            elif not fresh:
                page.refresh()  # a page just made has read everything already
        except UserError as exc:
            messages.show_error(self, str(exc))
        self._current_key = key
        self._page_stack.setCurrentWidget(page)
        is_indicator = key == INDICATOR
        codes = [ind.code for ind in self.service.framework().indicators]
        self.prev_action.setEnabled(not is_indicator or codes.index(code) > 0)
        self.next_action.setEnabled(not is_indicator or codes.index(code) < len(codes) - 1)

    # -------------------------------------------------------------- facilitate

    def facilitate(self) -> Any:
        """F5: the facilitation mode, full screen, for the projector; returns its window."""
        from carequal_desktop.ui.facilitation.window import FacilitationWindow

        if self.service is None:
            return None
        if self._facilitation is not None:
            self._facilitation.activateWindow()
            return self._facilitation
        self.flush()
        mode = FacilitationWindow(self)
        mode.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        mode.left.connect(self._left_facilitation)
        self._facilitation = mode
        mode.showFullScreen()
        return mode

    def _left_facilitation(self) -> None:
        self._facilitation = None
        if self.service is not None:
            for code in getattr(self, "_indicator_items", {}):
                self.refresh_indicator_item(code)
            self._refresh_current()
        self.activateWindow()

    @staticmethod
    def _apply_zoom(value: float) -> None:
        from carequal_desktop.ui.zoom import apply_zoom

        apply_zoom(value)

    def zoom_text(self, step: int) -> None:
        """Ctrl+plus / Ctrl+minus / Ctrl+0: text size, remembered for this workshop."""
        from carequal_desktop.services.facilitation import Facilitation, step_zoom
        from carequal_desktop.ui.zoom import apply_zoom, current_zoom

        value = 1.0 if step == 0 else step_zoom(current_zoom(), step)
        apply_zoom(value)
        if self.service is not None:
            try:
                Facilitation(self.service).set_zoom(value)
            except UserError as exc:
                messages.show_error(self, str(exc))

    # ------------------------------------------------------------------ insert

    def new_evidence(self) -> None:
        """New evidence; linked to the indicator on screen, if there is one."""
        if self.service is None or self.service.read_only:
            return
        if self.current_indicator_code() is not None:
            self.indicator_page.new_evidence()
            return
        if self._current_key == "evidence":
            self.pages["evidence"].new_evidence()  # selects the new item in the register
            return
        from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

        self.flush()
        if EvidenceDialog(self.service, self).exec() == QDialog.DialogCode.Accepted:
            self._refresh_current()

    def new_action(self) -> None:
        """New improvement action; linked to the indicator on screen, if there is one."""
        if self.service is None or self.service.read_only:
            return
        if self.current_indicator_code() is not None:
            self.indicator_page.new_action()
            return
        if self._current_key == "plan":
            self.pages["plan"].new_action()  # selects the new row in the plan
            return
        from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

        self.flush()
        if ActionDialog(self.service, self).exec() == QDialog.DialogCode.Accepted:
            self._refresh_current()

    def _refresh_current(self) -> None:
        page = self.pages.get(self._current_key or "")
        if page is not None:
            page.refresh()

    # -------------------------------------------------------------------- help

    def shortcuts_dialog(self) -> QDialog:
        """The F1 list of every keyboard shortcut."""
        from carequal_desktop.ui.dialogs.shortcuts_dialog import ShortcutsDialog

        return ShortcutsDialog(SHORTCUTS_HELP, self)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog().exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Runs a multi-agency self-evaluation workshop of services for children and "
            "young people at risk of harm, offline, one quality indicator at a time.</p>"
            "<p>Each workshop is one file, saved as you go.</p>",
        )

    # ------------------------------------------------------------ drag and drop

    @staticmethod
    def _dropped_workshop(event: QDragEnterEvent | QDropEvent) -> Path | None:
        for url in event.mimeData().urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(FILE_SUFFIX):
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if self._dropped_workshop(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt name)
        path = self._dropped_workshop(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_workshop_file(path)

    # ------------------------------------------------------------------- close

    def flush(self) -> bool:
        """Save any typing that has not been saved yet; ``False`` if some could not be."""
        if self.autosave is None:
            return True
        for page in self.pages.values():
            page.commit_edits()
        return self.autosave.flush()

    def backup_now(self) -> None:
        """The hourly copy of a long session (and one a test can ask for)."""
        if self.service is None or self.service.read_only:
            return
        self.flush()
        backups.backup_quietly(self.service.path, "session")

    def _collided(self, edit: Any, conflict: Any) -> None:
        """A colleague saved other text in a field being typed in: theirs stays, the typing
        is kept as a conflict; say so without a dialog (after the save in progress ends)."""
        QTimer.singleShot(0, lambda: self._show_collision(edit, conflict))

    def _show_collision(self, edit: Any, conflict: Any) -> None:
        from carequal_desktop.ui.merge_page import refresh_window
        from carequal_desktop.ui.page import collision_notice

        if self.service is None or self.collision_notice is None:
            return
        sentence = collision_notice(edit, conflict)
        refresh_window(self)  # the colleague's text on screen, the indicator marked
        merge = self.pages.get("merge")
        if merge is not None:
            merge.refresh()
        self.collision_notice.show_notice(sentence, conflict.id)

    def decide_conflict(self, conflict_id: int) -> None:
        """The Merge page, on one conflict (from the notice's "Decide now")."""
        if self.service is None:
            return
        self.show_page("merge")
        page = self.pages.get("merge")
        if page is not None:
            page.focus_conflict(conflict_id)  # type: ignore[attr-defined]

    def _undone(self, code: str) -> None:
        """An undo or redo changed an indicator: show it as it now is."""
        self.refresh_indicator_item(code)
        if code and self.current_indicator_code() != code:
            self.show_indicator(code)
        else:
            self._refresh_current()

    # --------------------------------------------------------------- recovery

    def offer_recovery(self) -> None:
        """At start: offer back typing that never reached its file (a kill, a full disk)."""
        for found in recovery.waiting():
            self._offer(found)

    def _offer(self, found: recovery.Recovery) -> None:
        from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog

        # Once per session for "decide later", and never again while putting it back.
        if found.file in self._offered:
            return
        self._offered.add(found.file)
        dialog = RecoveryDialog(found, self)
        dialog.exec()
        if dialog.choice == RecoveryDialog.DISCARD:
            recovery.forget(found)
        elif dialog.choice == RecoveryDialog.APPLY:
            self.put_back(found)
        else:  # later: out of the way of new typing in the same workshop, offered next start
            self._offered.add(recovery.set_aside(found).file)
        if dialog.choice != RecoveryDialog.LATER:
            self._offered.discard(found.file)

    def put_back(self, found: recovery.Recovery) -> bool:
        """Open the workshop the typing belongs to and save it there."""
        if found.location is not None:  # a server workshop: opened again from its address
            from carequal_desktop.ui.server_session import open_location

            here = self.service is not None and self.service.db.name == found.location
            if not here and not open_location(self, found.location, offer_recovery=False):
                return False  # said why; the typing stays kept for next time
        elif not found.workshop.exists():
            messages.show_error(
                self,
                f"“{found.workshop.name}” is not where it was ({found.workshop.parent}). "
                "Put the USB stick back or find the file; the typing is kept until then.",
            )
            return False
        if found.location is None and not self.open_workshop_file(found.workshop):
            return False
        if self.autosave is None:
            return False
        for edit in found.edits:
            self.autosave.put(edit)
        # Held in this workshop's own recovery file now, until the file has it.
        assert self.service is not None
        if self.autosave.keep_for_recovery() and found.file != recovery.file_for(self.service.path):
            recovery.forget(found)
        self.flush()
        codes = [e.target for e in found.edits if e.kind in ("evaluation", "new_item")]
        if codes:
            self.show_indicator(codes[0])
        elif any(e.kind == "details" for e in found.edits):
            self.show_page("team")
        self._refresh_current()
        self.statusBar().showMessage("Your recovered typing is back in the workshop.", 10000)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self._facilitation is not None:
            self._facilitation.close()
        self._save_geometry()
        if self.service is not None:
            if not self._can_leave("Quit"):
                event.ignore()
                return
            self._close_service()
        event.accept()
