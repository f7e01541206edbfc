"""Layouts that rearrange themselves on a narrow window (a projector at 1024×768, 150% text).

Side-by-side parts stack one above the other when there is no room for both, instead of
forcing the window wider than the screen or scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QPushButton, QSplitter, QWidget

# A new width, or new text size (Ctrl+plus), may call for a different arrangement.
_EVENTS = (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.FontChange)


class _WidthWatcher(QObject):
    def __init__(self, widget: QWidget, on_width: Callable[[int], None]) -> None:
        super().__init__(widget)
        self._on_width = on_width
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in _EVENTS and isinstance(watched, QWidget):
            self._on_width(watched.width())
        return False


def on_width(watched: QWidget, follow: Callable[[int], None]) -> None:
    """Call ``follow(width)`` whenever ``watched`` is shown or resized."""
    _WidthWatcher(watched, follow)


def stack_when_narrow(watched: QWidget, layout: QBoxLayout, chars: int) -> None:
    """Lay ``layout`` out left to right, or top to bottom while ``watched`` is narrower than
    ``chars`` average characters of its current font."""

    def follow(width: int) -> None:
        narrow = watched.fontMetrics().averageCharWidth() * chars
        wanted = (
            QBoxLayout.Direction.TopToBottom if width < narrow else QBoxLayout.Direction.LeftToRight
        )
        if layout.direction() != wanted:
            layout.setDirection(wanted)

    _WidthWatcher(watched, follow)


def split_when_narrow(watched: QWidget, splitter: QSplitter, chars: int) -> None:
    """A side-by-side splitter that turns to one above the other below ``chars`` characters."""

    def follow(width: int) -> None:
        narrow = watched.fontMetrics().averageCharWidth() * chars
        wanted = Qt.Orientation.Vertical if width < narrow else Qt.Orientation.Horizontal
        if splitter.orientation() != wanted:
            splitter.setOrientation(wanted)
            total = splitter.height() if wanted == Qt.Orientation.Vertical else splitter.width()
            splitter.setSizes([total * 3 // 5, total * 2 // 5])

    _WidthWatcher(watched, follow)


def compact_button(button: QPushButton) -> QPushButton:
    """A button no wider than its text needs (the style's 80-pixel minimum wastes room),
    measured again when the text size changes."""

    def fit(_width: int = 0) -> None:
        metrics = button.fontMetrics()
        text = button.text().replace("&", "")
        button.setMinimumWidth(metrics.horizontalAdvance(text) + metrics.averageCharWidth() * 3)

    fit()
    _FontWatcher(button, fit)
    return button


class _FontWatcher(QObject):
    def __init__(self, widget: QWidget, on_font: Callable[[int], None]) -> None:
        super().__init__(widget)
        self._on_font = on_font
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.FontChange:
            self._on_font(0)
        return False
