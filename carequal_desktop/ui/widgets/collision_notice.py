"""The one-line notice shown when typing collided with a colleague's save.

Nothing is asked and nothing blocks: the colleague's text is in the field, the typing is
kept as a conflict in the workshop (``services/collisions.py``), and this line says so with
"Decide now" (the Merge page, on that conflict; also Ctrl+Shift+M) and "Dismiss". It takes
no focus, so typing goes on; screen readers are told with an alert, and Tab reaches its
buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

DECIDE_KEYS = "Ctrl+Shift+M"


class CollisionNotice(QFrame):
    """A bar above the page: what collided, where the typing is, and a way to decide it."""

    decide_requested = Signal(int)  # the conflict's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict_id: int | None = None
        self.setAccessibleName("Simultaneous edit")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        row.addWidget(self.label, 1)
        # No Alt letter: every one is taken on some page, and a shared one would make
        # that page's ambiguous. Ctrl+Shift+M works while the notice shows; Tab reaches it.
        self.decide_button = QPushButton("Decide now")
        self.decide_button.setAccessibleName("Decide now, on the Merge page")
        self.decide_button.setToolTip(f"Go to the Merge page, to this conflict ({DECIDE_KEYS})")
        self.decide_button.clicked.connect(lambda _c=False: self._decide())
        shortcut = QShortcut(QKeySequence(DECIDE_KEYS), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self._decide)
        row.addWidget(self.decide_button)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss this notice (the conflict stays to decide)")
        self.dismiss_button.clicked.connect(lambda _c=False: self.hide())
        row.addWidget(self.dismiss_button)
        self.hide()

    def show_notice(self, sentence: str, conflict_id: int) -> None:
        """Show ``sentence`` for conflict ``conflict_id``, without taking the focus."""
        self.conflict_id = conflict_id
        self.label.setText(sentence)
        self.label.setAccessibleName(sentence)
        self.setAccessibleDescription(sentence)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self.label, QAccessible.Event.Alert))

    def _decide(self) -> None:
        if self.conflict_id is not None and self.isVisible():
            self.hide()
            self.decide_requested.emit(self.conflict_id)
