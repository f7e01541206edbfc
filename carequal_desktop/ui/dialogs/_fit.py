"""Every dialog fits the screen it opens on: a projector at 1024×768, or 150% scaling.

``ScreenFitter`` watches dialogs being shown. One larger than the screen's available area
is made smaller; if its contents cannot shrink that far, they move into a scroll area with
the dialog's buttons (Save, Cancel) kept below it, always in view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# Room left for the window frame and title bar that the window manager adds.
FRAME_ALLOWANCE = QSize(16, 48)


def available_size(widget: QWidget) -> QSize:
    """The room a window of ``widget``'s can have on its screen, less its frame."""
    screen = widget.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry().size()
    return QSize(area.width() - FRAME_ALLOWANCE.width(), area.height() - FRAME_ALLOWANCE.height())


def make_scrollable(dialog: QDialog) -> QScrollArea | None:
    """Put the dialog's contents, but not its button row, into a vertical scroll area."""
    existing = dialog.findChild(QScrollArea, "fitScroll")
    if existing is not None:
        return existing
    layout = dialog.layout()
    if layout is None:
        return None
    buttons = [
        item.widget()
        for item in (layout.itemAt(i) for i in range(layout.count()))
        if item is not None and isinstance(item.widget(), QDialogButtonBox)
    ]
    margins = layout.contentsMargins()
    inner = QWidget()
    inner.setLayout(layout)  # takes the layout, and its widgets, from the dialog
    for box in buttons:
        layout.removeWidget(box)
    scroll = QScrollArea()
    scroll.setObjectName("fitScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroll.setWidget(inner)
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, margins.bottom())
    layout.setContentsMargins(margins.left(), margins.top(), margins.right(), 0)
    outer.addWidget(scroll, 1)
    for box in buttons:
        box.setParent(dialog)
        wrap = QVBoxLayout()
        wrap.setContentsMargins(margins.left(), 6, margins.right(), 0)
        wrap.addWidget(box)
        outer.addLayout(wrap)
    return scroll


def fit_to_screen(dialog: QDialog) -> None:
    """Shrink ``dialog`` to its screen's available area, scrolling its contents if need be."""
    room = available_size(dialog)
    size = dialog.size()
    if dialog.layout() is not None:
        size = size.expandedTo(dialog.layout().totalMinimumSize())
    if size.width() <= room.width() and size.height() <= room.height():
        return
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    if (minimum.width() > room.width() or minimum.height() > room.height()) and not isinstance(
        dialog, QMessageBox
    ):
        if dialog.minimumWidth() > room.width():
            dialog.setMinimumWidth(room.width())
        make_scrollable(dialog)
        dialog.setMinimumSize(0, 0)
    dialog.resize(min(size.width(), room.width()), min(size.height(), room.height()))
    screen = (dialog.screen() or QApplication.primaryScreen()).availableGeometry()
    frame = dialog.frameGeometry()
    if not screen.contains(frame):
        dialog.move(
            max(screen.left(), min(frame.left(), screen.right() - frame.width())),
            max(screen.top(), min(frame.top(), screen.bottom() - frame.height())),
        )


class ScreenFitter(QObject):
    """An application-wide filter: every dialog is fitted to its screen as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog):
            fit_to_screen(watched)
        return False


_fitter: ScreenFitter | None = None


def install_screen_fitter() -> None:
    """Fit every dialog of this application to its screen (idempotent)."""
    global _fitter
    app = QApplication.instance()
    if app is None or _fitter is not None:
        return
    _fitter = ScreenFitter(app)
    app.installEventFilter(_fitter)
