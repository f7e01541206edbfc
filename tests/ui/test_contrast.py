"""WCAG 2.2 AA contrast, worked out from the colours the widgets really use, in the light
palette the window starts with and in a dark one (issue 13: the context line was 3.9:1,
"No evidence linked yet." 1.9:1, and dark-red overdue text unreadable on dark)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from carequal_desktop.services.demo import demo_path
from carequal_desktop.ui.colours import accessible_palette, contrast_ratio
from carequal_desktop.ui.focus_ring import ring_colour

TEXT = 4.5
MARKS = 3.0


def dark_palette() -> QPalette:
    p = QPalette()
    for role, colour in {
        QPalette.ColorRole.Window: "#2d2d2d",
        QPalette.ColorRole.WindowText: "#f0f0f0",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#2a2a2a",
        QPalette.ColorRole.Text: "#f0f0f0",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#f0f0f0",
        QPalette.ColorRole.Highlight: "#3d7fd8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#f0f0f0",
    }.items():
        p.setColor(role, QColor(colour))
    return p


@pytest.fixture(params=["light", "dark"])
def palette(request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    original = QPalette(QApplication.palette())
    if request.param == "dark":
        QApplication.setPalette(accessible_palette(dark_palette()))
    yield request.param
    QApplication.setPalette(original)


def test_indicator_page_text_is_readable(window, palette, made_workshop) -> None:
    window.open_workshop_file(made_workshop, interactive=False)
    window.show_indicator(window.service.framework().indicators[0].code)  # nothing linked
    page = window.indicator_page
    pal = page.palette()
    context_fg = page.context_label.palette().color(page.context_label.foregroundRole())
    assert contrast_ratio(context_fg, pal.color(QPalette.ColorRole.Window)) >= TEXT
    placeholder = page.evidence_list.item(0)
    assert placeholder.text() == "No evidence linked yet."
    assert placeholder.flags() & placeholder.flags().ItemIsEnabled  # not greyed out
    lp = page.evidence_list.palette()
    assert (
        contrast_ratio(lp.color(QPalette.ColorRole.Text), lp.color(QPalette.ColorRole.Base)) >= TEXT
    )
    for edit in (page.how_good_now, page.strengths.new_line):
        ep = edit.palette()
        assert (
            contrast_ratio(
                ep.color(QPalette.ColorRole.PlaceholderText), ep.color(QPalette.ColorRole.Base)
            )
            >= TEXT
        )


def test_overdue_actions_are_readable_and_say_so(window, palette) -> None:
    window.open_workshop_file(demo_path(), interactive=False)
    service = window.service
    overdue = [a for a in service.actions() if a.is_overdue()]
    assert overdue
    code = overdue[0].indicators[0]
    window.show_indicator(code)
    lst = window.indicator_page.action_list
    items = [lst.item(i) for i in range(lst.count())]
    marked = [i for i in items if "overdue" in i.text()]  # words, not colour alone
    assert marked
    base = lst.palette().color(QPalette.ColorRole.Base)
    for item in marked:
        assert contrast_ratio(item.foreground().color(), base) >= TEXT
    window.show_page("plan")
    from carequal_desktop.ui.models.plan_table_model import DUE

    model = window.pages["plan"].model
    from PySide6.QtCore import Qt

    colours = [
        model.index(r, DUE).data(Qt.ItemDataRole.ForegroundRole) for r in range(model.rowCount())
    ]
    colours = [c for c in colours if c is not None]
    assert colours
    table_base = window.pages["plan"].table.palette().color(QPalette.ColorRole.Base)
    for colour in colours:
        assert contrast_ratio(QColor(colour), table_base) >= TEXT


def test_focus_ring_and_status_marks_stand_out(palette) -> None:
    from carequal_desktop.ui.main_window import _STATUS_COLOURS

    pal = QApplication.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast_ratio(ring_colour(pal), pal.color(role)) >= MARKS
    if palette == "light":  # the marks differ in shape too: empty, half and full circle
        for colour in _STATUS_COLOURS.values():
            assert contrast_ratio(colour, pal.color(QPalette.ColorRole.Base)) >= MARKS


def test_over_time_timer_is_readable(window, palette) -> None:
    window.open_workshop_file(demo_path(), interactive=False)
    mode = window.facilitate()
    try:
        slot = mode.facilitation.add_agenda_item("Opening", minutes=1)
        mode._current_slot = slot.id
        mode._spent[slot.id] = 95
        mode._show_timer()
        label = mode.timer_label
        assert label.text().startswith("⚠ Over time")
        p = label.palette()
        assert (
            contrast_ratio(p.color(label.foregroundRole()), p.color(label.backgroundRole())) >= TEXT
        )
    finally:
        mode.close()
