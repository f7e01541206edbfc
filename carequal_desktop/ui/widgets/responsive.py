"""Layouts that rearrange themselves on a narrow window (a projector at 1024×768, 150% text).

Side-by-side parts stack one above the other when there is no room for both, instead of
forcing the window wider than the screen or scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QPushButton, QSplitter, QWidget


class _WidthWatcher(QObject):
    def __init__(self, widget: QWidget, on_width: Callable[[int], None]) -> None:
        super().__init__(widget)
        self._on_width = on_width
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and isinstance(watched, QWidget):
            self._on_width(watched.width())
        return False


def on_width(watched: QWidget, follow: Callable[[int], None]) -> None:
    """Call ``follow(width)`` whenever ``watched`` is shown or resized."""
    _WidthWatcher(watched, follow)


def stack_when_narrow(watched: QWidget, layout: QBoxLayout, narrow: int) -> None:
    """Lay ``layout`` out left to right, or top to bottom while ``watched`` is narrower than ``narrow``."""

    def follow(width: int) -> None:
        wanted = (
            QBoxLayout.Direction.TopToBottom if width < narrow else QBoxLayout.Direction.LeftToRight
        )
        if layout.direction() != wanted:
            layout.setDirection(wanted)

    _WidthWatcher(watched, follow)


def split_when_narrow(watched: QWidget, splitter: QSplitter, narrow: int) -> None:
    """A side-by-side splitter that turns to one above the other below ``narrow`` pixels."""

    def follow(width: int) -> None:
        wanted = Qt.Orientation.Vertical if width < narrow else Qt.Orientation.Horizontal
        if splitter.orientation() != wanted:
            splitter.setOrientation(wanted)
            total = splitter.height() if wanted == Qt.Orientation.Vertical else splitter.width()
            splitter.setSizes([total * 3 // 5, total * 2 // 5])

    _WidthWatcher(watched, follow)


def compact_button(button: QPushButton) -> QPushButton:
    """A button no wider than its text needs (the style's 80-pixel minimum wastes room)."""
    metrics = button.fontMetrics()
    button.setMinimumWidth(
        metrics.horizontalAdvance(button.text().replace("&", "")) + metrics.averageCharWidth() * 3
    )
    return button
