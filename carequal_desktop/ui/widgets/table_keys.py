"""Enter and Delete on a table's current row, shared by the overview, register and plan.

In its own module so the overview (the first screen) need not import the evidence register.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget


class TableKeys(QObject):
    """Enter opens and Delete removes the current row of a table, whoever else has shortcuts.

    An event filter rather than QShortcut: it works whether or not the window is active
    and does not compete with the main window's own shortcuts.
    """

    def __init__(
        self,
        view: QWidget,
        on_enter: Callable[[], None],
        on_delete: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(view)
        self.on_enter = on_enter
        self.on_delete = on_delete
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self.on_enter()
                return True
            if self.on_delete is not None and event.matches(QKeySequence.StandardKey.Delete):
                self.on_delete()
                return True
        return False
