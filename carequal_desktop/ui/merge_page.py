"""The Merge page: bring in another copy of the workshop, and decide what conflicts.

File › Merge in a copy… merges a copy (made with Save a copy as, Explorer, email or a USB
stick) into the open workshop through ``services/merge.py``. Conflicts are listed by
indicator; each shows the common original, this file's version and the incoming one (long
text as a word-level difference, with [-removed-] and {+added+} markers as well as colour),
and the facilitator keeps one, the other, or an edited combination.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.merge import RECORD, word_diff
from carequal_desktop.errors import UserError
from carequal_desktop.services import collisions
from carequal_desktop.services import merge as merging
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.headings import heading, page_heading
from carequal_desktop.ui.widgets.responsive import split_when_narrow, stack_when_narrow

MENU_TEXT = "&Merge in a copy…"
# Dark enough on white for WCAG AA (text contrast over 4.5:1), and never colour alone:
# every change also carries its [-…-] or {+…+} marker.
REMOVED = QColor("#a3001b")
ADDED = QColor("#1b5e20")
_ID_ROLE = Qt.ItemDataRole.UserRole


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _log_line(e: dict[str, Any]) -> str:
    """One merge, or one session's simultaneous edits, for the list under the conflicts."""
    when = e["merged_at"].replace("T", " ").rstrip("Z")
    if collisions.is_collision_log(e):
        return (
            f"{when}  simultaneous edits by {e['merged_by']}: "
            f"{_count(e['conflicts'], 'conflict')} (typing kept beside a colleague's saved text)"
        )
    return (
        f"{when}  {e['source_name']}, by {e['merged_by']}: "
        f"{_count(e['changes_taken'], 'change')} taken, {_count(e['conflicts'], 'conflict')}"
    )


def shown(value: Any) -> str:
    """A field's value as plain text for the panes."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "\n".join(f"{k.replace('_', ' ')}: {shown(v)}" for k, v in value.items())
    return str(value)


def fill_diff(edit: QTextEdit, base: str | None, text: str) -> None:
    """Show ``text`` in ``edit``; against ``base`` word by word when there is one."""
    edit.clear()
    cursor = edit.textCursor()
    plain = QTextCharFormat()
    if base is None or base == text:
        cursor.insertText(text, plain)
        return
    removed = QTextCharFormat()
    removed.setForeground(REMOVED)
    removed.setFontStrikeOut(True)
    added = QTextCharFormat()
    added.setForeground(ADDED)
    added.setFontUnderline(True)
    for op, piece in word_diff(base, text):
        if op == "equal":
            cursor.insertText(piece, plain)
            continue
        # Spaces stay outside the markers: "[-monthly-] {+weekly+}", not "[-monthly -]".
        core = piece.strip()
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()) :]
        if not core:
            cursor.insertText(piece if op == "insert" else "", plain)
            continue
        cursor.insertText(lead, plain)
        if op == "delete":
            cursor.insertText(f"[-{core}-]", removed)
        else:
            cursor.insertText(f"{{+{core}+}}", added)
        cursor.insertText(trail, plain)
    edit.moveCursor(QTextCursor.MoveOperation.Start)


def _pane(name: str) -> QTextEdit:
    edit = QTextEdit()
    edit.setReadOnly(True)
    edit.setAcceptRichText(False)
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    return edit


class MergePage(WorkshopPage):
    """Conflicts from merged copies, and the merges made so far."""

    title = "Merge copies"
    changed = Signal()  # the workshop's content changed (a merge, or a decision)

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)
        self.conflicts: list[merging.ConflictInfo] = []
        self.origins: dict[int, collisions.Origin] = {}
        self._build()
        self.refresh()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        # Everything in a scroll area: on a small screen at 150% the page scrolls rather
        # than making the window wider than the screen (a stacked page's minimum size is
        # the window's).
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its contents take the tab stops
        scroll.setAccessibleName("Merge copies")
        body = QWidget()
        scroll.setWidget(body)
        page.addWidget(scroll)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        top.addWidget(page_heading("Merge copies"), 1)
        self.merge_button = QPushButton("Merge in a &copy…")
        self.merge_button.setAccessibleName("Merge in another copy of this workshop")
        self.merge_button.setToolTip(
            "Bring in the changes made in a copy of this workshop (from a USB stick, an email, "
            "a shared folder)"
        )
        self.merge_button.clicked.connect(lambda _c=False: self.merge_in_copy())
        self.prepare_button = QPushButton("&Prepare copies for agencies…")
        self.prepare_button.setAccessibleName("Prepare a copy of this workshop for each agency")
        self.prepare_button.setToolTip(
            "Save one copy per agency in a folder, and remember who has which (optional: "
            "copies made any other way merge just as well)"
        )
        self.prepare_button.clicked.connect(lambda _c=False: self.prepare_copies())
        top.addWidget(self.prepare_button)
        top.addWidget(self.merge_button)
        outer.addLayout(top)
        stack_when_narrow(self._scroll, top, 80)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts to decide, by indicator")
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.setMinimumWidth(160)
        self.list.setWordWrap(True)
        split.addWidget(self.list)

        detail = QWidget()
        box = QVBoxLayout(detail)
        box.setContentsMargins(8, 0, 0, 0)
        self.title = heading("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.title)
        # Where the conflict came from when it is not a merged copy (typing that collided).
        self.origin = QLabel()
        self.origin.setTextFormat(Qt.TextFormat.PlainText)
        self.origin.setWordWrap(True)
        self.origin.hide()
        box.addWidget(self.origin)
        panes = QHBoxLayout()  # side by side; one above the other when narrow
        self.base_view = _pane("The common original")
        self.ours_view = _pane("This file's version, against the original")
        self.theirs_view = _pane("The incoming version, against the original")
        self._pane_names: list[QLabel] = []
        for label, view in (
            ("Common original", self.base_view),
            ("This file", self.ours_view),
            ("Incoming copy", self.theirs_view),
        ):
            column = QVBoxLayout()
            name = QLabel(label)
            name.setTextFormat(Qt.TextFormat.PlainText)
            self._pane_names.append(name)
            name.setBuddy(view)
            column.addWidget(name)
            column.addWidget(view, 1)
            panes.addLayout(column, 1)
        box.addLayout(panes, 2)
        stack_when_narrow(self._scroll, panes, 110)
        self.legend = QLabel(
            "Changes from the original are marked [-removed-] and {+added+} (also in colour)."
        )
        self.legend.setWordWrap(True)
        box.addWidget(self.legend)

        combine = QGroupBox("Or keep an edited combination")
        cbox = QVBoxLayout(combine)
        self.combination = QPlainTextEdit()
        self.combination.setAccessibleName("Your combination of the two versions")
        self.combination.setTabChangesFocus(True)
        cbox.addWidget(self.combination)
        box.addWidget(combine, 1)

        buttons = QHBoxLayout()
        self.ours_button = QPushButton("Keep &this file's version")
        self.theirs_button = QPushButton("Take the &incoming version")
        self.text_button = QPushButton("Keep the &combination")
        for button, choice in (
            (self.ours_button, "ours"),
            (self.theirs_button, "theirs"),
            (self.text_button, "text"),
        ):
            button.setAccessibleName(button.text().replace("&", ""))
            button.clicked.connect(lambda _c=False, ch=choice: self.decide(ch))
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        stack_when_narrow(self._scroll, buttons, 110)
        split.addWidget(detail)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 740])
        outer.addWidget(split, 1)
        split_when_narrow(self._scroll, split, 80)

        outer.addWidget(heading("Merges into this file", 1.1))
        self.log = QLabel()
        self.log.setTextFormat(Qt.TextFormat.PlainText)
        self.log.setWordWrap(True)
        self.log.setAccessibleName("Merges into this file")
        outer.addWidget(self.log)
        writable = not self.service.read_only
        for widget in (
            self.merge_button,
            self.prepare_button,
            self.ours_button,
            self.theirs_button,
            self.text_button,
        ):
            widget.setEnabled(writable)
        if self.service.db.server is not None:
            # Copies for agencies are files: prepared from an offline copy (carequal pull).
            self.prepare_button.setEnabled(False)
            self.prepare_button.setToolTip(
                "Copies for agencies are prepared from a workshop file: take an offline copy "
                "first (carequal pull)."
            )

    # ------------------------------------------------------------------ show

    def refresh(self) -> None:
        """Read the conflicts and the merge log again."""
        current = self.current_conflict()
        self.conflicts = merging.open_conflicts(self.service)
        self.origins = collisions.origins(self.service) if self.conflicts else {}
        self.list.blockSignals(True)
        self.list.clear()
        group = None
        select: QListWidgetItem | None = None
        for c in self.conflicts:
            label = (
                f"Indicator {c.indicator}" if c.indicator else "Workshop, team and other records"
            )
            if label != group:
                head = QListWidgetItem(label)
                head.setFlags(Qt.ItemFlag.NoItemFlags)
                font = head.font()
                font.setBold(True)
                head.setFont(font)
                head.setForeground(self.list.palette().windowText())
                self.list.addItem(head)
                group = label
            # Under its indicator's heading an evaluation's field needs no more name.
            words = c.field_label if c.record == label else f"{c.record}: {c.field_label}"
            origin = self.origins.get(c.id)
            if origin is not None:
                words += f" (simultaneous edit by {origin.by})"
            item = QListWidgetItem(words)
            item.setData(_ID_ROLE, c.id)
            item.setToolTip(f"Conflict {c.id}: {c.record}, {c.field_label}")
            self.list.addItem(item)
            if select is None or (current is not None and c.id == current.id):
                select = item
        self.list.blockSignals(False)
        n = len(self.conflicts)
        if n:
            self.summary.setText(
                f"{n} conflict{'s' if n != 1 else ''} to decide. Until you do, this file keeps "
                "its own version and the incoming one is kept beside it; exports warn."
            )
        else:
            self.summary.setText(
                "No conflicts to decide. Use Merge in a copy to bring in the work done in a copy "
                "of this workshop."
            )
        if select is not None:
            self.list.setCurrentItem(select)
        self._show_current()
        entries = merging.merge_log(self.service)
        copies = merging.prepared_copies(self.service)
        prepared = (
            "Copies prepared: "
            + "; ".join(f"{c['agency']} ({Path(c['path']).name})" for c in copies)
            + "\n"
            if copies
            else ""
        )
        self.log.setText(
            prepared + "\n".join(_log_line(e) for e in entries[:8])
            or "No copies have been merged into this file yet."
        )

    def focus_conflict(self, conflict_id: int) -> bool:
        """Read the conflicts again and put the keyboard on one; ``False`` if it is decided."""
        self.refresh()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ID_ROLE) == conflict_id:
                self.list.setCurrentItem(item)
                self.list.setFocus()
                return True
        return False

    def current_conflict(self) -> merging.ConflictInfo | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        if item is None:
            return None
        cid = item.data(_ID_ROLE)
        return next((c for c in self.conflicts if c.id == cid), None)

    def _show_current(self) -> None:
        c = self.current_conflict()
        has = c is not None
        for widget in (self.ours_button, self.theirs_button):
            widget.setEnabled(has and not self.service.read_only)
        if c is None:
            self.title.setText("")
            self.origin.hide()
            for view in (self.base_view, self.ours_view, self.theirs_view):
                view.clear()
            self.combination.setPlainText("")
            self.combination.setEnabled(False)
            self.text_button.setEnabled(False)
            return
        self.title.setText(f"{c.record}: {c.field_label}")
        origin = self.origins.get(c.id)
        names = ("This file", "Incoming copy")
        if origin is not None:
            names = ("Saved (kept in the file)", f"Typed by {origin.by} (not saved)")
            self.origin.setText(
                f"From a simultaneous edit: {origin.by} was typing when someone else saved "
                "the same field. The saved text stays until you decide; the typed text is "
                "kept beside it."
            )
        self.origin.setVisible(origin is not None)
        for label, view, name in zip(
            self._pane_names[1:], (self.ours_view, self.theirs_view), names, strict=True
        ):
            label.setText(name)
            view.setAccessibleDescription(name)
        choices = (
            ("Keep the &saved text", "Take the &typed text")
            if origin is not None
            else ("Keep &this file's version", "Take the &incoming version")
        )
        for button, text in zip((self.ours_button, self.theirs_button), choices, strict=True):
            button.setText(text)
            button.setAccessibleName(text.replace("&", ""))
        base = shown(c.base) if c.base_known else None
        if c.field == RECORD:
            self.base_view.setPlainText("")
            self.ours_view.setPlainText(shown(c.ours) or "(deleted in this file)")
            self.theirs_view.setPlainText(shown(c.theirs) or "(deleted in the incoming copy)")
        else:
            self.base_view.setPlainText(
                base if base is not None else "(the original is no longer kept)"
            )
            fill_diff(self.ours_view, base, shown(c.ours))
            fill_diff(self.theirs_view, base, shown(c.theirs))
        can_combine = c.field != RECORD and not self.service.read_only
        self.combination.setEnabled(can_combine)
        self.text_button.setEnabled(can_combine)
        self.combination.setPlainText(shown(c.ours) if can_combine else "")

    # ---------------------------------------------------------------- actions

    def decide(self, choice: str) -> None:
        """Decide the conflict on screen."""
        c = self.current_conflict()
        if c is None:
            return
        text = self.combination.toPlainText() if choice == "text" else None
        try:
            merging.resolve(self.service, c.id, choice, text)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.refresh()
        self.changed.emit()

    def prepare_copies(
        self, folder: Path | None = None, agencies: list[str] | None = None
    ) -> list[Path]:
        """Ask for agencies and a folder, and save one copy for each (returns the copies)."""
        if agencies is None:
            text, ok = QInputDialog.getMultiLineText(
                self,
                "Prepare copies for agencies",
                "One agency per line (a copy of this workshop is saved for each):",
                "\n".join(sorted({p.agency for p in self.service.participants()})),
            )
            if not ok:
                return []
            agencies = [line for line in text.splitlines() if line.strip()]
        if folder is None:
            name = QFileDialog.getExistingDirectory(
                self, "Folder for the copies", str(self.service.path.parent)
            )
            if not name:
                return []
            folder = Path(name)
        window = self.window()
        if hasattr(window, "flush"):
            window.flush()
        try:
            made = merging.prepare_copies(self.service, folder, agencies)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return []
        self.refresh()
        QMessageBox.information(
            self,
            "Prepare copies",
            f"{len(made)} cop{'ies' if len(made) != 1 else 'y'} saved in {folder}. Send each "
            "agency its copy; when they send it back, use Merge in a copy.",
        )
        return made

    def merge_in_copy(self, path: Path | None = None) -> merging.MergeReport | None:
        """Ask for a copy and merge it in; returns the report (None if cancelled or refused)."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                "Merge in a copy of this workshop",
                str(self.service.path.parent if self.service.db.server is None else Path.home()),
                "CareQual workshops (*.carequal);;All files (*)",
            )
            if not name:
                return None
            path = Path(name)
        window = self.window()
        if hasattr(window, "flush"):
            window.flush()  # the typing on screen is saved before the merge
        try:
            report = merging.merge_file(self.service, path)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return None
        self.refresh()
        self.changed.emit()
        QMessageBox.information(self, "Merge", report.summary())
        return report


def install_merge_action(window: Any) -> Any:
    """Add File › Merge in a copy… to ``window`` (a MainWindow); returns the action."""
    menu = window.file_menu()
    # In their own group just before "Close workshop", never after Quit.
    end = getattr(window, "_file_menu_end", None)
    action = QAction(MENU_TEXT, window)
    prepare = QAction("Prepare copies for &agencies…", window)
    if end is not None:
        menu.insertSeparator(end)
        menu.insertAction(end, action)
        menu.insertAction(end, prepare)
    else:
        menu.addAction(action)
        menu.addAction(prepare)
    action.setObjectName("mergeInCopyAction")
    action.setStatusTip("Bring in the changes made in another copy of this workshop")
    action.setMenuRole(action.MenuRole.NoRole)

    def run() -> None:
        if window.service is None:
            return
        window.show_page("merge")
        page = window.pages.get("merge")
        if page is not None:
            page.merge_in_copy()

    action.triggered.connect(lambda _checked=False: run())
    # Enabled with a workshop that can be written, like the window's own edit actions.
    window._workshop_actions.append(action)
    window._writable_actions.append(action)
    action.setEnabled(window.service is not None and not window.service.read_only)
    prepare.setObjectName("prepareCopiesAction")
    prepare.setStatusTip("Save one copy of this workshop per agency, and remember who has which")
    prepare.setMenuRole(prepare.MenuRole.NoRole)

    def run_prepare() -> None:
        if window.service is None:
            return
        window.show_page("merge")
        page = window.pages.get("merge")
        if page is not None:
            page.prepare_copies()

    prepare.triggered.connect(lambda _checked=False: run_prepare())
    window._workshop_actions.append(prepare)
    window._writable_actions.append(prepare)
    prepare.setEnabled(action.isEnabled())
    return action


def conflict_codes(service: WorkshopService | None) -> set[str]:
    """Indicators to mark in the sidebar (none when no workshop is open)."""
    if service is None:
        return set()
    try:
        return merging.conflict_codes(service)
    except UserError:
        return set()


def refresh_window(window: Any) -> None:
    """After a merge or a decision: every indicator's line and every page read again."""
    window._conflict_codes = conflict_codes(window.service)
    notice = getattr(window, "collision_notice", None)
    if (
        notice is not None
        and notice.isVisible()
        and window.service is not None
        and notice.conflict_id not in {c.id for c in merging.open_conflicts(window.service)}
    ):
        notice.hide()  # decided meanwhile
    for code in list(getattr(window, "_indicator_items", {})):
        window.refresh_indicator_item(code)
    for key, page in window.pages.items():
        if key == "merge":
            continue
        if key == "indicator" and getattr(page, "code", None):
            page.show_indicator(page.code)
        elif hasattr(page, "refresh"):
            page.refresh()
