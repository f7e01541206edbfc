"""Offer back typing that never reached its workshop file (a kill, a full disk, a pulled stick).

Lists, for one workshop, each field and the text kept for it; the user puts it back (it is
saved into the workshop, which opens), discards it (after a second question), or decides
later (it stays in the recovery folder and is offered again at the next start).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.text import shorten
from carequal_desktop.services.recovery import Recovery
from carequal_desktop.ui import messages


class RecoveryDialog(QDialog):
    """What was recovered for one workshop; ``choice`` says what the user decided."""

    APPLY = "apply"
    DISCARD = "discard"
    LATER = "later"

    def __init__(self, found: Recovery, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.found = found
        self.choice = self.LATER
        self.setWindowTitle("Recovered typing")
        self.setAccessibleName("Recovered typing")

        if found.location:  # a server workshop
            why = "never reached the server (CareQual was stopped, or the server could not be reached)"
            place = f"Server: {found.location}"
        else:
            why = "never reached its file (CareQual was stopped, or the disk could not be written)"
            place = f"File: {found.workshop}"
        intro = QLabel(
            f"Some typing in “{found.title}” {why}. It was kept on this computer, last on "
            f"{found.saved_text}.\n\n{place}"
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        intro.setAccessibleName("What was recovered")

        self.list = QListWidget()
        self.list.setAccessibleName("Recovered fields and their text")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        for edit in found.edits:
            item = QListWidgetItem(self._line(edit.label, edit.text))
            # Escaped inside <p>: a tooltip never turns typed text into markup or links.
            item.setToolTip(f"<p>{html.escape(edit.text)}</p>")
            self.list.addItem(item)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)

        self.buttons = QDialogButtonBox()
        self.apply_button = QPushButton("&Put it back")
        self.apply_button.setAccessibleName("Put the recovered typing back into the workshop")
        self.apply_button.setDefault(True)
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setAccessibleName("Discard the recovered typing")
        self.later_button = QPushButton("Decide &later")
        self.later_button.setAccessibleName("Keep it and ask again next time")
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply_all)
        self.discard_button.clicked.connect(self.discard_all)
        self.later_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.sizeHint().height())

    @staticmethod
    def _line(label: str, text: str) -> str:
        return f"{label} — {shorten(' '.join(text.split()), 300)}"

    def lines(self) -> list[str]:
        """What the list shows, one line per field."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def apply_all(self) -> None:
        self.choice = self.APPLY
        self.accept()

    def discard_all(self) -> None:
        if messages.ask(
            self,
            "Discard the recovered typing for good? It cannot be brought back.",
            yes="Discard",
            no="Keep it",
            destructive=True,
        ):
            self.choice = self.DISCARD
            self.accept()
