"""Colours that keep WCAG 2.2 AA contrast in light and dark palettes.

Text at least 4.5:1 against its background, marks and focus indicators at least 3:1. Any
colour that carries meaning also has words or a shape beside it ("overdue", "Over time",
the status marks' shapes), so nothing relies on colour alone.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

LIGHT_WARNING = QColor("#a4000f")  # dark red: 8.0:1 on white
DARK_WARNING = QColor("#ff9e9e")  # light red: 8.4:1 on #2a2a2a
LIGHT_QUIET = QColor("#4d4d4d")  # secondary text, placeholders: 8.4:1 on white, 7.4:1 on #efefef
DARK_QUIET = QColor("#c4c4c4")  # 9.5:1 on #2a2a2a


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2.2)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def warning_colour(palette: QPalette | None = None) -> QColor:
    """For "overdue" and over-limit text: dark red on light, light red on dark."""
    return DARK_WARNING if is_dark(palette) else LIGHT_WARNING


def quiet_colour(palette: QPalette | None = None) -> QColor:
    """For secondary text that must still be read (context lines, placeholders)."""
    return DARK_QUIET if is_dark(palette) else LIGHT_QUIET


def accessible_palette(palette: QPalette) -> QPalette:
    """``palette`` with placeholder text dark (or light) enough to read: Qt's is about 3:1."""
    palette = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, quiet_colour(palette))
    return palette


def apply_accessible_palette() -> None:
    """Make the application's palette readable (idempotent)."""
    app = QApplication.instance()
    if app is not None:
        QApplication.setPalette(accessible_palette(QApplication.palette()))
