"""A focus indicator that can be seen from the back of a room: a 3-pixel ring, in a colour of
at least 3:1 contrast with the window (WCAG 2.2, 2.4.13), drawn around whatever has the
keyboard focus.

An overlay rather than a style sheet: a style sheet that gives buttons, boxes and lists a
border replaces their native look altogether, and Qt's own focus marks are 1 pixel wide.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QWidget

RING_WIDTH = 3
LIGHT_RING = QColor("#0b57d0")  # 6.9:1 on white, 5.9:1 on #efefef
DARK_RING = QColor("#8ab4f8")  # 8.6:1 on #1e1e1e


def ring_colour(palette: QPalette) -> QColor:
    """The ring's colour for a light or a dark window."""
    return DARK_RING if palette.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT_RING


class _Ring(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(ring_colour(self.palette()), RING_WIDTH)
        painter.setPen(pen)
        half = RING_WIDTH / 2
        painter.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 3, 3)
        painter.end()


class FocusRing(QObject):
    """Follows ``QApplication.focusChanged`` and keeps one ring around the focus."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._ring: _Ring | None = None
        self._target: QWidget | None = None
        app.focusChanged.connect(self._focus_changed)

    @staticmethod
    def _shown_widget(widget: QWidget) -> QWidget:
        # The line edit inside an editable list is part of the list; a scroll area's
        # viewport stands for the scroll area.
        parent = widget.parentWidget()
        if parent is not None and isinstance(parent, QComboBox):
            return parent
        if (
            parent is not None
            and isinstance(parent, QAbstractScrollArea)
            and widget is parent.viewport()
        ):
            return parent
        return widget

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # The ring or the widget may have been deleted with a page or dialog since.
        if self._ring is not None and not shiboken6.isValid(self._ring):
            self._ring = None
        if self._target is not None and not shiboken6.isValid(self._target):
            self._target = None
        if self._target is not None:
            self._target.removeEventFilter(self)
        self._target = None
        if new is None or new.isWindow() or new.parentWidget() is None:
            self._hide()
            return
        target = self._shown_widget(new)
        host = target.parentWidget()
        if host is None:
            self._hide()
            return
        if self._ring is None or self._ring.parentWidget() is not host:
            if self._ring is not None:
                self._ring.deleteLater()
            self._ring = _Ring(host)
        self._target = target
        target.installEventFilter(self)
        self._place()

    def _hide(self) -> None:
        if self._ring is not None:
            self._ring.hide()

    def _place(self) -> None:
        if self._ring is None or self._target is None:
            return
        if not (shiboken6.isValid(self._ring) and shiboken6.isValid(self._target)):
            return
        if not self._target.isVisible():
            self._ring.hide()
            return
        pad = RING_WIDTH + 1
        rect: QRect = self._target.geometry().adjusted(-pad, -pad, pad, pad)
        self._ring.setGeometry(rect)
        self._ring.show()
        self._ring.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self._target and event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self._place()
        return False


_ring: FocusRing | None = None


def install_focus_ring() -> None:
    """Draw the wide focus ring in this application (idempotent)."""
    global _ring
    app = QApplication.instance()
    if app is None or _ring is not None:
        return
    _ring = FocusRing(app)  # type: ignore[arg-type]
