"""Text zoom for the whole application (Ctrl+plus, Ctrl+minus, Ctrl+0).

The application font is scaled; widgets that set a font of their own (headings) keep their
size relative to it. Heights worked out from the font (text boxes, table rows, the sidebar)
are worked out again by the widgets themselves on ``QEvent.FontChange``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QTableView

_BASE_KEY = "carequal_base_font"
_RATIO_KEY = "carequal_font_ratio"


def _size(font: QFont) -> float:
    return font.pointSizeF() if font.pointSizeF() > 0 else float(font.pixelSize())


def _resized(font: QFont, size: float) -> QFont:
    font = QFont(font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(size)
    else:
        font.setPixelSize(max(1, round(size)))
    return font


def current_zoom() -> float:
    """The text size now, 1.0 being the system's."""
    app = QApplication.instance()
    if app is None:
        return 1.0
    base = app.property(_BASE_KEY)
    if not isinstance(base, QFont):
        return 1.0
    return round(_size(QApplication.font()) / _size(base), 3)


def apply_zoom(factor: float) -> None:
    """Show all text at ``factor`` times the system size."""
    app = QApplication.instance()
    if app is None:
        return
    base = app.property(_BASE_KEY)
    if not isinstance(base, QFont):
        base = QFont(QApplication.font())
        app.setProperty(_BASE_KEY, base)
    now = _size(QApplication.font())
    target = _size(base) * factor
    if abs(now - target) < 0.01:
        return
    own_fonts = []
    for widget in QApplication.allWidgets():
        if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            ratio = widget.property(_RATIO_KEY)
            if not isinstance(ratio, float):
                ratio = _size(widget.font()) / now
                widget.setProperty(_RATIO_KEY, ratio)
            own_fonts.append((widget, ratio))
    QApplication.setFont(_resized(base, target))
    for widget, ratio in own_fonts:
        widget.setFont(_resized(widget.font(), target * ratio))
    for table in (w for w in QApplication.allWidgets() if isinstance(w, QTableView)):
        fit_rows(table)


ROW_LINES = "carequal_row_lines"


def fit_rows(table: QTableView, lines: int | None = None) -> None:
    """Fixed-height rows of ``lines`` lines of the table's current font (remembered, so a
    text zoom keeps them); tables that never asked keep their own row heights."""
    if lines is not None:
        table.setProperty(ROW_LINES, lines)
    wanted = table.property(ROW_LINES)
    if not isinstance(wanted, int):
        return
    metrics = table.fontMetrics()
    table.verticalHeader().setDefaultSectionSize(metrics.lineSpacing() * wanted + 8)
