"""Previous against current grade per indicator, drawn with QPainter (no matplotlib here).

Each row: the indicator code, a hollow circle at last cycle's grade, a filled square at the
grade now, an arrow between them, and the change in words at the right ("up 1"), so neither
colour nor shape alone carries the meaning. ``GradeChangeDialog`` shows it from the Go menu.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.grading import change_between
from carequal_desktop.services.workshop import WorkshopService

Row = tuple[str, str, int | None, int | None]  # code, title, previous, current


def change_label(previous: int | None, current: int | None) -> str:
    change = change_between(previous, current)
    if current is None:
        return "not graded yet" if previous is not None else ""
    if previous is None:
        return "new"
    if change is None or change == 0:
        return "same"
    return f"up {change}" if change > 0 else f"down {-change}"


def comparison_rows(service: WorkshopService) -> list[Row]:
    """Every indicator with a previous or a current grade, in framework order."""
    evaluations = {e.indicator_code: e for e in service.evaluations()}
    rows: list[Row] = []
    for ind in service.framework().indicators:
        ev = evaluations.get(ind.code)
        previous = ev.previous_grade if ev else None
        current = ev.grade if ev else None
        if previous is not None or current is not None:
            rows.append((ind.code, ind.title, previous, current))
    return rows


class GradeChangeChart(QWidget):
    """The chart itself; ``set_rows`` gives it (code, title, previous, current) rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chart of previous and current grades")
        self._rows: list[Row] = []
        self._levels: list[tuple[int, str]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[Row], levels: list[tuple[int, str]]) -> None:
        self._rows = rows
        self._levels = sorted(levels)
        lines = [
            f"{code}: previous {prev if prev is not None else 'none'}, now "
            f"{cur if cur is not None else 'not graded'} ({change_label(prev, cur)})"
            for code, _t, prev, cur in rows
        ]
        self.setAccessibleDescription("; ".join(lines))
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return int(self.fontMetrics().height() * 1.6)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        fm = self.fontMetrics()
        return QSize(fm.height() * 42, self._row_height() * (len(self._rows) + 1) + 3 * fm.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        if not self._levels:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        fm = self.fontMetrics()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = pal.color(QPalette.ColorRole.Mid)
        accent = pal.color(QPalette.ColorRole.Highlight)
        row_h = self._row_height()
        left = fm.horizontalAdvance("10.10  ")
        right = fm.horizontalAdvance("  not graded yet ")
        width = max(self.width() - left - right, 60)
        low, high = self._levels[0][0], self._levels[-1][0]
        step = width / max(high - low + 1, 1)

        def x_of(value: int) -> float:
            return left + (value - low + 0.5) * step

        top = fm.height() * 2
        bottom = top + row_h * len(self._rows)
        # The scale: a grid line and the label at each grade.
        for value, label in self._levels:
            x = x_of(value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, top - 4), QPointF(x, bottom))
            painter.setPen(text)
            painter.drawText(
                QRectF(x - step / 2, bottom + 2, step, fm.height() * 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"{value}\n{fm.elidedText(label, Qt.TextElideMode.ElideRight, int(step) - 2)}",
            )
        # The key, in words and shapes.
        key_y = fm.height() * 0.2
        painter.setPen(QPen(text, 1.5))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        r = fm.height() * 0.3
        painter.drawEllipse(QPointF(left + r, key_y + fm.height() / 2), r, r)
        painter.drawText(QPointF(left + 3 * r, key_y + fm.ascent()), "previous self-evaluation")
        kx = left + 3 * r + fm.horizontalAdvance("previous self-evaluation") + 4 * r
        painter.fillRect(QRectF(kx, key_y + fm.height() / 2 - r, 2 * r, 2 * r), accent)
        painter.drawText(QPointF(kx + 3 * r, key_y + fm.ascent()), "now")

        for i, (code, _title, previous, current) in enumerate(self._rows):
            y = top + row_h * i + row_h / 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - row_h / 2, left, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                code,
            )
            if previous is not None and current is not None and previous != current:
                x0, x1 = x_of(previous), x_of(current)
                direction = 1 if x1 > x0 else -1
                painter.setPen(QPen(text, 1.5))
                painter.drawLine(
                    QPointF(x0 + direction * r * 1.3, y), QPointF(x1 - direction * r * 1.6, y)
                )
                tip = x1 - direction * r * 1.4
                painter.setBrush(text)
                painter.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(tip, y),
                            QPointF(tip - direction * r, y - r * 0.7),
                            QPointF(tip - direction * r, y + r * 0.7),
                        ]
                    )
                )
            if previous is not None:
                painter.setPen(QPen(text, 1.5))
                painter.setBrush(pal.color(QPalette.ColorRole.Base))
                painter.drawEllipse(QPointF(x_of(previous), y), r, r)
            if current is not None:
                painter.fillRect(QRectF(x_of(current) - r, y - r, 2 * r, 2 * r), accent)
            painter.setPen(text)
            painter.drawText(
                QRectF(left + width + 6, y - row_h / 2, right, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                change_label(previous, current),
            )
        painter.end()


class GradeChangeDialog(QDialog):
    """Go › Previous and current grades: the chart for the open workshop."""

    def __init__(self, service: WorkshopService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Previous and current grades")
        layout = QVBoxLayout(self)
        rows = comparison_rows(service)
        previous = sum(1 for r in rows if r[2] is not None)
        moved = [r for r in rows if change_between(r[2], r[3])]
        summary = QLabel(
            f"{previous} indicator(s) have a grade from the previous self-evaluation; "
            f"{sum(1 for r in moved if (change_between(r[2], r[3]) or 0) > 0)} went up and "
            f"{sum(1 for r in moved if (change_between(r[2], r[3]) or 0) < 0)} went down."
            if previous
            else "No indicator has a grade from a previous self-evaluation yet. Start the next "
            "self-evaluation from this one (File menu) to compare them."
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        summary.setAccessibleName("Summary of changes since the previous self-evaluation")
        layout.addWidget(summary)
        self.chart = GradeChangeChart()
        self.chart.set_rows(rows, [(lvl.value, lvl.label) for lvl in service.framework().scale])
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.chart)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout.addWidget(buttons)
        hint = self.chart.sizeHint()
        self.resize(min(hint.width() + 60, 900), min(hint.height() + 140, 640))
