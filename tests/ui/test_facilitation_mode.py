"""The facilitation mode (F5): large text, the team's typing saved, agenda and timer,
parking lot, quick notes, and a text size each workshop remembers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication

from carequal_desktop.services.facilitation import DEFAULT_FACILITATION_ZOOM, Facilitation
from carequal_desktop.ui.facilitation.window import clock, parked_text, timer_text
from carequal_desktop.ui.zoom import current_zoom


def test_f5_opens_the_indicator_full_screen_in_large_text(window, made_workshop, qtbot) -> None:
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    assert window.facilitate_action.shortcut().toString() == "F5"
    mode = window.facilitate()
    try:
        assert mode.isFullScreen() or mode.windowState() & Qt.WindowState.WindowFullScreen
        assert mode.page.code == "5.2"
        assert current_zoom() == DEFAULT_FACILITATION_ZOOM
        # The team's typing is saved as on the indicator page.
        mode.page.how_good_now.setPlainText("Most assessments start within five days.")
        with qtbot.waitSignal(mode.page.indicator_changed):
            mode.page.flush()
        assert window.service.evaluation("5.2").how_good_now.startswith("Most assessments")
        shortcuts = {
            s.key().toString(): s for s in mode.findChildren(QShortcut) if not s.key().isEmpty()
        }
        assert {
            "Alt+Right",
            "Alt+Left",
            "Esc",
            "F5",
            "Ctrl++",
            "Ctrl+-",
            "Ctrl+0",
            "Ctrl+J",
        } <= set(shortcuts)
        shortcuts["Alt+Right"].activated.emit()
        assert mode.page.code == "5.3"
        shortcuts["Ctrl++"].activated.emit()
        assert current_zoom() > DEFAULT_FACILITATION_ZOOM
        assert Facilitation(window.service).zoom(facilitating=True) == current_zoom()
    finally:
        mode.close()
    assert current_zoom() == 1.0  # the window's own size again
    assert window._facilitation is None


def test_text_zoom_everywhere_is_remembered_per_workshop(window, made_workshop) -> None:
    window.open_workshop_file(made_workshop)
    base = QApplication.font().pointSizeF()
    window.zoom_text(1)
    window.zoom_text(1)
    assert current_zoom() == 1.25
    assert QApplication.font().pointSizeF() > base
    window.close_workshop()
    assert current_zoom() == 1.0
    window.open_workshop_file(made_workshop)
    assert current_zoom() == 1.25  # this workshop's size, from its file
    window.zoom_text(0)
    assert current_zoom() == 1.0


def test_agenda_timer_and_parking_lot(window, made_workshop, qtbot) -> None:
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    mode = window.facilitate()
    try:
        mode.agenda_from_indicators()
        assert mode.agenda_list.count() == len(window.service.framework().indicators)
        assert mode.slot_label.text() == "Agenda: 5.2 Assessing risk and need"
        mode.toggle_timer()
        mode._tick()
        mode._tick()
        assert mode.timer_label.text().startswith("0:02 of 20 min")
        slot = mode._slot()
        mode._spent[slot.id] = 21 * 60
        mode._show_timer()
        assert "Over time: 1:00 past the 20 min planned" in mode.timer_label.text()
        mode.toggle_timer()  # pause: the time is saved
        saved = {a.id: a.spent_seconds for a in Facilitation(window.service).agenda()}
        assert saved[slot.id] == 21 * 60

        mode.point_edit.setText("Police need the IRD timings")
        mode.raised_by.setCurrentText("Sgt Bell (Police Scotland)")
        mode.park()
        mode.note_edit.setText("Lunch at 12.30")
        mode.capture_note()
        texts = [mode.parking_list.item(i).text() for i in range(mode.parking_list.count())]
        assert texts[0] == (
            "Parked: Police need the IRD timings — raised by Sgt Bell (Police Scotland) — at 5.2"
        )
        assert texts[1].startswith("Note: Lunch at 12.30")
        mode.parking_list.setCurrentRow(0)
        mode._sort("action")
        action = window.service.actions()[-1]
        assert action.task == "Police need the IRD timings" and list(action.indicators) == ["5.2"]
        assert mode.parking_list.item(0).text().endswith(f"Became an action {action.ref}")
        assert mode.tabs.tabText(1) == "Parking l&ot (1)"  # the note is still to sort
    finally:
        mode.close()


def test_words_of_the_timer_and_parking_lot() -> None:
    from carequal_desktop.services.facilitation import AgendaItem, ParkingItem

    slot = AgendaItem("a", 1, "5.2", "5.2", 20, 0)
    assert timer_text(slot, 65) == ("1:05 of 20 min", False)
    assert timer_text(slot, 20 * 60 + 5) == ("Over time: 0:05 past the 20 min planned", True)
    assert clock(3725) == "1:02:05"
    moved = ParkingItem("p", 1, "parked", "Leadership", "Ann", "5.2", "indicator", "9.1", "")
    assert parked_text(moved) == (
        "Parked: Leadership — raised by Ann — at 5.2 — Moved to another indicator 9.1"
    )
