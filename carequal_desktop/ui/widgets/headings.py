"""Headings sized relative to the system font, so text follows the user's font size."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget


def scaled_font(widget: QWidget, factor: float, bold: bool = True) -> QFont:
    """The widget's font, relative to the system size (never a fixed point size)."""
    font = widget.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:  # a font sized in pixels has no point size
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


def heading(text: str, factor: float = 1.25, parent: QWidget | None = None) -> QLabel:
    """A bold heading label, ``factor`` times the system font size."""
    label = QLabel(text, parent)
    label.setFont(scaled_font(label, factor))
    label.setWordWrap(True)
    return label


def page_heading(text: str, parent: QWidget | None = None) -> QLabel:
    """The title at the top of a page (Overview, Evidence register, Improvement plan)."""
    label = heading(text, 1.4, parent)
    label.setAccessibleName(text)
    return label
