"""The overview's chart of grades, drawn with QPainter so the first screen needs no matplotlib.

One horizontal bar per indicator, in framework order from the top, on the framework's
scale; where the chart is much wider than tall (the table above it on a projector), one
column per indicator, left to right, with the scale's words on the left. The grade is shown three ways, so nothing depends on colour alone: the bar's length,
its label in words ("4 Good"), and a single-hue ramp (the Word report's colours). Ungraded
indicators get an empty dashed slot labelled "not graded". Text and lines take the palette's
colours, so the chart reads in light and dark palettes; the ramp runs the other way on a dark
background so that higher grades always stand out more. The accessible description lists
every indicator's grade in words for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.records import IndicatorSummary
from carequal_desktop.reports.charts import GRADE_COLOURS, NOT_GRADED_TEXT
from carequal_desktop.ui.colours import contrast_ratio, luminance

TITLE = "Grades by indicator"
_BAR_SHARE = 0.7  # of a row's height
_SLANT_DEGREES = 30.0  # the least slant; steeper when the ticks are close together
_HINT_SLANT_DEGREES = 45.0
# On a short screen (150 % scaling on 1366x768) the chart's text shrinks rather than the
# window outgrowing the screen, but to no less than this share of the normal size; the
# table beside it says the same at full size.
_SMALLEST_FONT = 0.6


@dataclass(frozen=True)
class ChartRow:
    """One bar: the indicator and its grade in words."""

    code: str
    title: str
    grade: int | None
    grade_text: str  # "4 Good", or "not graded"


def _dark(background: QColor) -> bool:
    return luminance(background) < 0.18


def bar_colour(grade: int, top: int, background: QColor) -> QColor:
    """The fill for a grade: darker for higher grades on a light background, lighter on a dark one."""
    ramp = [GRADE_COLOURS[key] for key in sorted(GRADE_COLOURS)]
    # Spread the framework's scale over the ramp, whatever its length.
    step = (len(ramp) - 1) / max(top - 1, 1)
    index = min(len(ramp) - 1, max(0, round((grade - 1) * step)))
    if _dark(background):
        index = len(ramp) - 1 - index
    return QColor(ramp[index])


def _scaled(font: QFont, factor: float) -> QFont:
    smaller = QFont(font)
    if font.pointSizeF() > 0:
        smaller.setPointSizeF(font.pointSizeF() * factor)
    else:  # a font sized in pixels has no point size
        smaller.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return smaller


def label_colour(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    black, white = QColor("black"), QColor("white")
    return black if contrast_ratio(black, fill) >= contrast_ratio(white, fill) else white


class GradeChart(QWidget):
    """A bar chart of every indicator's grade; click a bar to open its indicator."""

    indicator_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ChartRow] = []
        self._levels: list[tuple[int, str]] = []
        self.paint_count = 0  # how many times the chart has been painted (for the smoke check)
        self._font = QFont(self.font())  # the widget's font, or smaller to fit (see _refit)
        self.setAccessibleName("Chart of grades by indicator")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table beside it is the keyboard route
        self.setAutoFillBackground(False)
        self.setMouseTracking(False)
        self._update_description()

    # ------------------------------------------------------------------ data

    def set_summaries(self, summaries: Iterable[IndicatorSummary], framework: Framework) -> None:
        """Show these indicators' grades on the framework's scale."""
        rows = []
        for summary in summaries:
            level = framework.level(summary.grade) if summary.grade is not None else None
            if summary.grade is None:
                text = NOT_GRADED_TEXT
            elif level is not None:
                text = f"{summary.grade} {level.label}"
            else:
                text = str(summary.grade)
            rows.append(ChartRow(summary.code, summary.title, summary.grade, text))
        self._rows = rows
        self._levels = [
            (lvl.value, lvl.label) for lvl in sorted(framework.scale, key=lambda lvl: lvl.value)
        ]
        self._update_description()
        self._refit()
        self.updateGeometry()
        self.update()

    def rows(self) -> list[ChartRow]:
        """The bars, top to bottom."""
        return list(self._rows)

    def title(self) -> str:
        graded = sum(1 for row in self._rows if row.grade is not None)
        return f"{TITLE} ({graded} of {len(self._rows)} graded)"

    def _update_description(self) -> None:
        graded = sum(1 for row in self._rows if row.grade is not None)
        parts = [f"{graded} of {len(self._rows)} indicators graded."]
        parts += [f"{row.code} {row.title}: {row.grade_text}." for row in self._rows]
        self.setAccessibleDescription(" ".join(parts))

    # ---------------------------------------------------------------- layout

    def _top(self) -> int:
        values = [value for value, _label in self._levels]
        graded = [row.grade for row in self._rows if row.grade is not None]
        return max(values + graded + [1])

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self._font)

    def _title_font(self) -> QFont:
        font = QFont(self._font)
        font.setBold(True)
        return font

    def _level_texts(self) -> list[tuple[int, str]]:
        return [(value, f"{value} {label}") for value, label in self._levels]

    def _slant(self, plot_width: float) -> float:
        """The angle of the scale's labels in degrees: 0 if they fit level under their ticks,
        else slanted just enough that neighbouring labels do not overlap."""
        texts = self._level_texts()
        if not texts:
            return 0.0
        metrics = self._metrics()
        spacing = plot_width / max(self._top(), 1)
        widest = max(metrics.horizontalAdvance(text) for _v, text in texts)
        if widest + metrics.averageCharWidth() <= spacing:
            return 0.0
        # Parallel labels ``spacing`` apart are spacing·sin(angle) apart across their lines.
        steep = math.degrees(math.asin(min(1.0, metrics.height() / max(spacing, 1.0))))
        return max(_SLANT_DEGREES, steep)

    def _axis_height(self, slant: float) -> float:
        metrics = self._metrics()
        if not slant:
            return metrics.height() + 8
        widest = max((metrics.horizontalAdvance(t) for _v, t in self._level_texts()), default=0.0)
        angle = math.radians(slant)
        return widest * math.sin(angle) + metrics.height() * math.cos(angle) + 8

    def _geometry(self) -> tuple[QRectF, float]:
        """The plotting area (bars only), and the slant of the scale's labels (degrees)."""
        metrics = self._metrics()
        pad = metrics.averageCharWidth()
        code_width = max((metrics.horizontalAdvance(row.code) for row in self._rows), default=0.0)
        left = pad + code_width + pad
        title_height = QFontMetricsF(self._title_font()).height() + pad
        right = pad * 2
        width = max(self.width() - left - right, 10.0)
        slant = self._slant(width)
        texts = self._level_texts()
        first_left = left
        for _pass in range(2):  # a wider margin narrows the ticks' spacing, so settle twice
            if not (slant and texts and texts[0][0] < self._top()):
                break
            # The first slanted label runs left of its tick: keep it inside the widget.
            share = texts[0][0] / self._top()
            reach = metrics.horizontalAdvance(texts[0][1]) * math.cos(math.radians(slant))
            needed = (pad + reach - (self.width() - right) * share) / (1 - share)
            left = max(first_left, needed)
            width = max(self.width() - left - right, 10.0)
            slant = self._slant(width)
        bottom = self._axis_height(slant)
        height = max(self.height() - title_height - bottom - pad, 10.0)
        return QRectF(left, title_height, width, height), slant

    def columns(self) -> bool:
        """Whether the bars stand up as columns, left to right: when the chart is much wider
        than it is tall (the table above the chart on a projector), where a line of text
        per indicator would not fit."""
        return bool(self._rows) and self.width() >= 2 * self.height()

    def _column_geometry(self) -> QRectF:
        """The plotting area in columns: the scale's words on the left, codes below."""
        metrics = self._metrics()
        pad = metrics.averageCharWidth()
        title_height = QFontMetricsF(self._title_font()).height() + pad
        widest = max((metrics.horizontalAdvance(t) for _v, t in self._level_texts()), default=0.0)
        left = pad + widest + pad
        top = title_height + metrics.height() / 2
        bottom = metrics.height() + pad
        return QRectF(
            left,
            top,
            max(self.width() - left - pad, 10.0),
            max(self.height() - top - bottom, 10.0),
        )

    def bar_rect(self, row: int) -> QRectF:
        """Where the bar (or, ungraded, the empty slot) of the ``row``-th indicator is drawn."""
        if self.columns():
            plot = self._column_geometry()
            width = plot.width() / len(self._rows)
            bar_width = max(width * _BAR_SHARE, min(width - 2, 3.0))
            grade = self._rows[row].grade
            height = plot.height() * (self._top() if grade is None else grade) / self._top()
            bottom = round(plot.bottom())  # every column stands on the same line
            top = round(plot.bottom() - height)
            return QRectF(
                round(plot.left() + row * width + (width - bar_width) / 2),
                top,
                round(bar_width),
                bottom - top,
            )
        plot, _slant = self._geometry()
        top = self._top()
        row_height = plot.height() / max(len(self._rows), 1)
        # Tall enough for its words where rows are tight, with a gap to the next bar.
        bar_height = min(row_height - 2, max(row_height * _BAR_SHARE, self._metrics().height() + 2))
        y = plot.top() + row * row_height + (row_height - bar_height) / 2
        grade = self._rows[row].grade
        value = top if grade is None else grade
        # Whole pixels, so outlines are crisp lines rather than smudges.
        return QRectF(
            round(plot.left()), round(y), round(plot.width() * value / top), round(bar_height)
        )

    def row_at(self, point: QPointF) -> int | None:
        """The row under ``point``, or ``None``."""
        if self.columns():
            plot = self._column_geometry()
            if not (plot.left() <= point.x() < plot.right() and point.y() <= plot.bottom()):
                return None
            column = int((point.x() - plot.left()) / (plot.width() / len(self._rows)))
            return column if 0 <= column < len(self._rows) else None
        plot, _slant = self._geometry()
        if not self._rows or not (plot.top() <= point.y() < plot.bottom()):
            return None
        if point.x() > plot.right() + 1:
            return None
        row = int((point.y() - plot.top()) / (plot.height() / len(self._rows)))
        return row if 0 <= row < len(self._rows) else None

    def _refit(self) -> None:
        """The widget's font, or a smaller one if the rows are too short for its text."""
        self._font = QFont(self.font())
        if not self._rows:
            return
        if self.columns():
            plot = self._column_geometry()
            metrics = self._metrics()
            widest = max(metrics.horizontalAdvance(row.code) for row in self._rows) + 2
            level_gap = plot.height() / max(self._top(), 1)
            share = min(plot.width() / len(self._rows) / widest, level_gap / (metrics.height() + 1))
            if share < 1:
                self._font = _scaled(self.font(), max(_SMALLEST_FONT, share))
            return
        plot, _slant = self._geometry()
        row_height = plot.height() / len(self._rows)
        needed = self._metrics().height() + 1
        if row_height < needed:
            self._font = _scaled(self.font(), max(_SMALLEST_FONT, row_height / needed))

    def _size_for(self, font: QFont, row_lines: float, slant: float, chars: int) -> QSize:
        """The size that shows every row ``row_lines`` text lines high in ``font``."""
        fitted, self._font = self._font, font
        try:
            metrics = self._metrics()
            height = (
                QFontMetricsF(self._title_font()).height()
                + max(len(self._rows), 1) * (metrics.height() * row_lines + 1)
                + self._axis_height(slant)
                + metrics.averageCharWidth() * 2
            )
            return QSize(round(metrics.averageCharWidth() * chars), round(height))
        finally:
            self._font = fitted

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        small = _scaled(self.font(), _SMALLEST_FONT)
        if self.columns():  # a line per level of the scale, not per indicator
            metrics = QFontMetricsF(small)
            height = (
                QFontMetricsF(self._title_font()).height()
                + (max(self._top(), 1) + 2) * (metrics.height() + 1)
                + metrics.averageCharWidth() * 2
            )
            return QSize(round(metrics.averageCharWidth() * 60), round(height))
        return self._size_for(small, 1.0, _HINT_SLANT_DEGREES, 60)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return self._size_for(QFont(self.font()), 1.5, _SLANT_DEGREES, 60)

    # --------------------------------------------------------------- drawing

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._refit()
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        self._refit()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        self.paint_count += 1
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        grid = palette.color(QPalette.ColorRole.Mid)
        painter.fillRect(self.rect(), background)

        metrics = self._metrics()
        pad = metrics.averageCharWidth()
        painter.setFont(self._title_font())
        painter.setPen(text)
        title_metrics = QFontMetricsF(self._title_font())
        title_rect = QRectF(pad, 0, self.width() - 2 * pad, title_metrics.height() + pad)
        title = self.title()
        if title_metrics.horizontalAdvance(title) > title_rect.width():
            graded = sum(1 for row in self._rows if row.grade is not None)
            title = title_metrics.elidedText(
                f"Grades ({graded} of {len(self._rows)} graded)",
                Qt.TextElideMode.ElideRight,
                title_rect.width(),
            )
        painter.drawText(
            title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title
        )
        painter.setFont(self._font)
        if not self._rows:
            return

        if self.columns():
            self._paint_columns(painter, background, text, grid)
            return
        plot, slant = self._geometry()
        top = self._top()
        values = [value for value, _label in self._levels] or list(range(1, top + 1))

        # The scale: a light line at each level, the level's number and name below.
        painter.setPen(QPen(grid, 1))
        for value in values:
            x = plot.left() + plot.width() * value / top
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.topLeft(), plot.bottomLeft())
        tick = metrics.height() / 4
        for value, label in self._level_texts() or [(v, str(v)) for v in values]:
            x = plot.left() + plot.width() * value / top
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tick))
            if slant:
                painter.save()
                painter.translate(x + metrics.ascent() / 3, plot.bottom() + tick + 2)
                painter.rotate(-slant)
                painter.drawText(
                    QPointF(-metrics.horizontalAdvance(label), metrics.ascent()), label
                )
                painter.restore()
            else:
                width = metrics.horizontalAdvance(label)
                left = min(max(x - width / 2, 0.0), self.width() - width)
                painter.drawText(QPointF(left, plot.bottom() + tick + 2 + metrics.ascent()), label)

        row_height = plot.height() / len(self._rows)
        for i, row in enumerate(self._rows):
            centre = plot.top() + (i + 0.5) * row_height
            baseline = centre + (metrics.ascent() - metrics.descent()) / 2
            painter.setPen(text)
            code_x = plot.left() - pad - metrics.horizontalAdvance(row.code)
            painter.drawText(QPointF(code_x, baseline), row.code)
            rect = self.bar_rect(i)
            if row.grade is None:
                self._paint_ungraded(painter, rect, text, baseline)
            else:
                self._paint_bar(painter, rect, row, top, background, text, baseline)

    def _paint_ungraded(
        self, painter: QPainter, rect: QRectF, text: QColor, baseline: float
    ) -> None:
        pen = QPen(text, 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(1, 0, -1, 0))
        font = QFont(self._font)
        font.setItalic(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(
            QPointF(rect.left() + self._metrics().averageCharWidth(), baseline), NOT_GRADED_TEXT
        )
        painter.setFont(self._font)

    def _paint_bar(
        self,
        painter: QPainter,
        rect: QRectF,
        row: ChartRow,
        top: int,
        background: QColor,
        text: QColor,
        baseline: float,
    ) -> None:
        assert row.grade is not None
        fill = bar_colour(row.grade, top, background)
        painter.setPen(QPen(text, 1))
        painter.setBrush(fill)
        painter.drawRect(rect)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        metrics = self._metrics()
        pad = metrics.averageCharWidth()
        width = metrics.horizontalAdvance(row.grade_text)
        room_after = self.width() - rect.right() - pad
        if width + 2 * pad <= rect.width() and width + pad > room_after:
            # Inside a long bar, at its end, in black or white, whichever reads better.
            painter.setPen(label_colour(fill))
            painter.drawText(QPointF(rect.right() - pad - width, baseline), row.grade_text)
        else:
            painter.setPen(text)
            painter.drawText(QPointF(rect.right() + pad, baseline), row.grade_text)

    def _paint_columns(
        self, painter: QPainter, background: QColor, text: QColor, grid: QColor
    ) -> None:
        plot = self._column_geometry()
        top = self._top()
        metrics = self._metrics()
        pad = metrics.averageCharWidth()
        # The scale: a light line at each level, its number and name on the left.
        for value, label in self._level_texts():
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            x = plot.left() - pad - metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x, y + (metrics.ascent() - metrics.descent()) / 2), label)
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.topLeft(), plot.bottomLeft())
        width = plot.width() / len(self._rows)
        for i, row in enumerate(self._rows):
            rect = self.bar_rect(i)
            centre = plot.left() + (i + 0.5) * width
            painter.setPen(text)
            code_width = metrics.horizontalAdvance(row.code)
            painter.drawText(
                QPointF(centre - code_width / 2, plot.bottom() + pad / 2 + metrics.ascent()),
                row.code,
            )
            if row.grade is None:
                painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(0, 1, 0, -1))
                font = QFont(self._font)
                font.setItalic(True)
                painter.setFont(font)
                painter.setPen(text)
                words = NOT_GRADED_TEXT
                if QFontMetricsF(font).horizontalAdvance(words) + 4 > rect.height():
                    words = "–"
                painter.save()
                painter.translate(centre + metrics.ascent() / 2 - 1, rect.bottom() - 3)
                painter.rotate(-90)
                painter.drawText(QPointF(0, 0), words)
                painter.restore()
                painter.setFont(self._font)
                continue
            fill = bar_colour(row.grade, top, background)
            painter.setPen(QPen(text, 1))
            painter.setBrush(fill)
            painter.drawRect(rect)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            number = str(row.grade)
            number_width = metrics.horizontalAdvance(number)
            if rect.height() >= metrics.height() + 4:
                painter.setPen(label_colour(fill))
                baseline = rect.top() + 2 + metrics.ascent()
            else:
                painter.setPen(text)
                baseline = rect.top() - 2 - metrics.descent()
            painter.drawText(QPointF(centre - number_width / 2, baseline), number)

    # ----------------------------------------------------------------- mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        if event.button() == Qt.MouseButton.LeftButton:
            row = self.row_at(event.position())
            if row is not None:
                self.indicator_clicked.emit(self._rows[row].code)
                return
        super().mousePressEvent(event)
