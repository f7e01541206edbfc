"""The start screen, shown when no workshop is open: new, open, demo, and recent files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop import APP_NAME
from carequal_desktop.services import settings
from carequal_desktop.ui.widgets.headings import scaled_font

_PATH_ROLE = Qt.ItemDataRole.UserRole


class StartPage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_requested = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(12)
        outer.addLayout(column, 3)
        outer.addStretch(1)

        column.addStretch(1)
        name = QLabel(APP_NAME)
        name.setFont(scaled_font(name, 2.4))
        name.setAccessibleName(APP_NAME)
        column.addWidget(name)
        intro = QLabel(
            "Run a multi-agency self-evaluation workshop, one quality indicator at a time, "
            "and keep the evidence and the improvement plan together in one workshop file. "
            "Everything is saved as you go, and nothing needs a network."
        )
        intro.setWordWrap(True)
        intro.setFont(scaled_font(intro, 1.15, bold=False))
        column.addWidget(intro)
        column.addSpacing(12)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.new_button = self._big_button("New workshop…", "Ctrl+N", self.new_requested)
        self.open_button = self._big_button("Open workshop…", "Ctrl+O", self.open_requested)
        self.demo_button = self._big_button("Open the demo workshop", None, self.demo_requested)
        for b in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(b)
        column.addLayout(buttons)
        column.addSpacing(16)

        self.recent_label = QLabel("&Recent workshops")
        self.recent_label.setFont(scaled_font(self.recent_label, 1.2))
        column.addWidget(self.recent_label)
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent workshops")
        self.recent_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.recent_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 14)
        self.recent_list.itemActivated.connect(self._open_recent)
        self.recent_label.setBuddy(self.recent_list)
        column.addWidget(self.recent_list)
        self.no_recent = QLabel("Workshops you open will be listed here.")
        self.no_recent.setForegroundRole(self.no_recent.foregroundRole())
        column.addWidget(self.no_recent)
        column.addStretch(2)
        self.refresh()

    def _big_button(self, text: str, shortcut: str | None, signal: Signal) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…"))
        button.setFont(scaled_font(button, 1.2, bold=False))
        button.setMinimumHeight(button.fontMetrics().lineSpacing() * 3)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if shortcut:
            button.setToolTip(f"{text} ({shortcut})")
        button.clicked.connect(signal.emit)
        return button

    def refresh(self) -> None:
        """List the recent workshops that still exist."""
        self.recent_list.clear()
        for path in settings.recent_files():
            item = QListWidgetItem(f"{path.stem}    —    {path.parent}")
            item.setData(_PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.recent_list.addItem(item)
        has = self.recent_list.count() > 0
        self.recent_list.setVisible(has)
        self.recent_label.setVisible(has)
        self.no_recent.setVisible(not has)
        if has:
            self.recent_list.setCurrentRow(0)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.recent_requested.emit(Path(item.data(_PATH_ROLE)))

    def focus_first(self) -> None:
        """Put the keyboard on the most likely choice: the last workshop, or New workshop."""
        if self.recent_list.count():
            self.recent_list.setFocus()
        else:
            self.new_button.setFocus()
