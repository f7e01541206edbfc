"""File › Restore an earlier version: pick one of a workshop's automatic backups.

The list shows when each copy was made ("Tuesday 24 November 2026, 14:05 — 2 hours ago,
1.2 MB") and why. Restoring keeps the workshop as it is now as another backup, so a
restore can itself be undone from the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop import FILE_SUFFIX
from carequal_desktop.errors import UserError
from carequal_desktop.services.backups import Backup, list_backups, restore_backup

MENU_TEXT = "Restore an &earlier version…"


def size_text(size: int) -> str:
    """``1.2 MB``, ``640 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def ago_text(when: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in the words a facilitator would use."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 24:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    days = (now.astimezone().date() - when.astimezone().date()).days
    if days <= 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def describe_backup(backup: Backup, now: dt.datetime | None = None) -> str:
    """``Tuesday 24 November 2026, 14:05 — 2 hours ago, 1.2 MB``, in local time."""
    now = now or dt.datetime.now(dt.UTC)
    local = backup.created.astimezone()
    date = f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
    return f"{date} — {ago_text(backup.created, now)}, {size_text(backup.size)}"


class RestoreDialog(QDialog):
    """Lists a workshop's backups, newest first; ``selected()`` is the one chosen."""

    def __init__(self, parent: QWidget | None, workshop: Path, backups: Sequence[Backup]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore an earlier version")
        self._backups = list(backups)
        layout = QVBoxLayout(self)
        if self._backups:
            intro = (
                f"Choose the version of “{workshop.name}” to go back to. The workshop as it "
                "is now is kept as a backup too, so you can come back to it."
            )
        else:
            intro = (
                f"There are no backups of “{workshop.name}” yet. CareQual keeps one each time "
                "a workshop is opened."
            )
        label = QLabel(intro)
        label.setTextFormat(Qt.TextFormat.PlainText)  # quotes a file name
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups, newest first")
        now = dt.datetime.now(dt.UTC)
        for backup in self._backups:
            text = describe_backup(backup, now)
            if backup.reason != "open" and backup.reason_text:
                text += f" ({backup.reason_text})"
            item = QListWidgetItem(text)
            item.setToolTip(str(backup.path))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(
            "&Restore", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.list.currentRowChanged.connect(self._update)
        if self._backups:
            self.list.setCurrentRow(0)
        self._update()
        self.resize(560, 380)

    def _update(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> Backup | None:
        row = self.list.currentRow()
        return self._backups[row] if 0 <= row < len(self._backups) else None


def _choose_workshop(window: Any) -> Path | None:
    """The open workshop, or (when none is open, e.g. it is too damaged to open) ask which."""
    if window.service is not None:
        return Path(window.service.path)
    name, _filter = QFileDialog.getOpenFileName(
        window,
        "Which workshop do you want to restore?",
        "",
        f"CareQual workshops (*{FILE_SUFFIX});;All files (*)",
    )
    return Path(name) if name else None


def restore_earlier_version(window: Any) -> bool:
    """Ask which backup to restore, put it in place and reopen the workshop; True if done."""
    from carequal_desktop.ui import messages

    path = _choose_workshop(window)
    if path is None:
        return False
    dialog = RestoreDialog(window, path, list_backups(path))
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.selected() is None:
        return False
    backup = dialog.selected()
    assert backup is not None
    if window.service is not None:
        if hasattr(window, "close_workshop"):
            window.close_workshop()  # saves text still being typed, then closes
        else:
            window.service.close()
            window.service = None
    try:
        restore_backup(path, backup)
    except UserError as exc:
        messages.show_error(window, str(exc))
        if path.exists():
            window.open_workshop_file(path)
        return False
    window.open_workshop_file(path)
    return True


def install_restore_action(window: Any) -> Any:
    """Add File › Restore an earlier version… to ``window`` (a MainWindow); returns the action."""
    menu = window.file_menu()
    action = menu.addAction(MENU_TEXT)
    action.setObjectName("restoreEarlierVersionAction")
    action.setStatusTip(
        "Go back to one of the copies CareQual keeps each time a workshop is opened"
    )
    action.setMenuRole(action.MenuRole.NoRole)
    action.triggered.connect(lambda _checked=False: restore_earlier_version(window))

    def refresh() -> None:
        service = window.service
        # A workshop open read-only because someone else has it must not be replaced here.
        action.setEnabled(service is None or not service.read_only)

    menu.aboutToShow.connect(refresh)
    refresh()
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return action
