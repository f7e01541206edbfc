"""Table cells whose text wraps onto a few lines and ends in "…" on the last one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

LINE_BREAK = "\u2028"  # what item views draw as a new line


class ElidingDelegate(QStyledItemDelegate):
    """Wrapped text that is cut short ends in "…" on its last whole line, never mid-line."""

    def __init__(self, max_lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_lines = max_lines

    def paint(self, painter, option, index):  # type: ignore[no-untyped-def]
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        if text and "\n" not in text and LINE_BREAK not in text:
            margin = opt.fontMetrics.averageCharWidth()
            width = max(1, opt.rect.width() - 2 * margin)
            lines = max(
                1, min(self.max_lines, (opt.rect.height() - 4) // opt.fontMetrics.lineSpacing())
            )
            opt.text = wrap_elided(text, opt.fontMetrics, width, lines)
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)


def wrap_elided(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> str:
    """Break ``text`` into at most ``max_lines`` lines of ``width``; the last ends in "…"."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}" if current else word
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            rest = " ".join([lines.pop(), *words[i:]])
            lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return LINE_BREAK.join(lines)
    lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [
            *lines[: max_lines - 1],
            metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width),
        ]
    return LINE_BREAK.join(lines)
