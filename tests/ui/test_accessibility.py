"""What a screen reader hears, and what a keyboard alone can do (issue 13).

Every control that takes the focus has a name; labels are read by their content (the
indicator, the grade's meaning, counts), not by what they are called.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QWidget,
)

from carequal_desktop.services.demo import demo_path


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def focusable(root: QWidget) -> Iterator[QWidget]:
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
            continue  # the viewport is the scroll area's own
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the text box inside a number box or list is read as that control
        yield widget


def unnamed(root: QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {w.objectName()!r} under {type(w.parentWidget()).__name__}"
        for w in focusable(root)
        if not accessible_name(w).strip()
    ]


@pytest.fixture
def demo_window(window, qtbot):  # type: ignore[no-untyped-def]
    assert window.open_workshop_file(demo_path(), interactive=False)
    return window


def test_every_focusable_control_on_every_page_has_a_name(demo_window) -> None:
    from carequal_desktop.ui.main_window import PAGES

    missing = []
    for key, _label, _shortcut in PAGES:
        demo_window.show_page(key)
        missing += [f"{key}: {m}" for m in unnamed(demo_window)]
    demo_window.show_indicator("5.2")
    missing += [f"indicator: {m}" for m in unnamed(demo_window)]
    assert missing == []


def test_every_control_in_the_facilitation_mode_and_dialogs_has_a_name(demo_window) -> None:
    from carequal_desktop.ui.tour import _dialogs

    mode = demo_window.facilitate()
    try:
        mode.toggle_panel() if not mode.panel_scroll.isVisible() else None
        missing = [f"facilitation: {m}" for m in unnamed(mode)]
    finally:
        mode.close()
    for name, make in _dialogs(demo_window):
        dialog: QDialog = make()
        dialog.show()
        missing += [f"{name}: {m}" for m in unnamed(dialog)]
        dialog.reject()
    assert missing == []


def test_labels_are_read_by_their_content(demo_window) -> None:
    demo_window.show_indicator("5.2")
    page = demo_window.indicator_page
    title = accessible_name(page.title_label)
    assert "5.2" in title and "Assessing risk" in title
    page.set_grade(4)
    meaning = accessible_name(page.meaning)
    assert meaning.startswith("4 Good") and "<b>" not in meaning
    assert page.meaning.accessibleDescription() == "Meaning of the chosen grade"
    demo_window.show_page("evidence")
    assert re.search(
        r"Showing all \d+ items", accessible_name(demo_window.pages["evidence"].count_label)
    )
    demo_window.show_page("plan")
    assert "actions" in accessible_name(demo_window.pages["plan"].count_label)
    assert QApplication.instance() is not None


# ------------------------------------------------------------------ keyboard


def tab_chain(start: QWidget, count: int) -> list[QWidget]:
    """What has the focus in ``start``'s window after each of ``count`` presses of Tab
    (the window's own focus, whether or not the test machine made it the active one)."""
    from PySide6.QtTest import QTest

    window = start.window()
    seen = []
    for _ in range(count):
        widget = window.focusWidget()
        seen.append(widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def test_tab_leaves_the_evidence_date_and_reaches_save(demo_window, qtbot) -> None:
    """The trap: once a date was set, Tab cycled day, month, year, "No date" for ever."""
    from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

    service = demo_window.service
    dialog = EvidenceDialog(service, demo_window, evidence=service.evidence()[0])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.date_field.set_value("2026-03-20")
    dialog.date_field.setFocus()
    chain = tab_chain(dialog, 14)
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert save in chain
    assert chain.count(dialog.date_field.date_edit) == 1 or chain.index(save) < chain.index(
        dialog.date_field.date_edit, 1
    )


def test_dates_are_typed_as_people_write_them(demo_window, qtbot) -> None:
    from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

    dialog = ActionDialog(demo_window.service, demo_window)
    qtbot.addWidget(dialog)
    dialog.due_field.date_edit.setText("1/3/2026")
    assert dialog.due_field.value() == "2026-03-01"
    assert dialog.due_field.meaning.text() == "1 March 2026"
    dialog.due_field.date_edit.setText("1 Mar 2027")
    assert dialog.due_field.value() == "2027-03-01"
    dialog.due_field.date_edit.setText("Mar")
    assert dialog.due_field.value().endswith("-03-31")  # due by the end of March
    dialog.due_field.date_edit.setText("soon")
    assert dialog.due_field.meaning.text() == "Not a date yet"


def test_the_grade_comes_right_after_the_answers_and_arrows_choose_it(demo_window, qtbot) -> None:
    from PySide6.QtTest import QTest

    demo_window.activateWindow()
    demo_window.show_indicator("6.1")
    page = demo_window.indicator_page
    page.how_good_now.setFocus()
    chain = tab_chain(page, 9)
    names = [accessible_name(w) for w in chain]
    assert names[:6] == [
        "How good are we now?",
        "New item for strengths",
        "Strengths",
        "New item for areas for improvement",
        "Areas for improvement",
        "How do we know?",
    ]
    assert names[6] == "What are we going to do now?"
    assert names[7].startswith("Grade ")  # the 8th Tab stop (it was the 27th)
    grade = page.grade()
    assert QApplication.focusWidget() is not None
    chain[7].setFocus()
    with qtbot.waitSignal(page.indicator_changed):
        QTest.keyClick(chain[7], Qt.Key.Key_Down)
    assert page.grade() == (grade or 7) - 1
    assert demo_window.service.evaluation("6.1").grade == page.grade()


def test_enter_presses_the_focused_button_and_dialog_defaults(demo_window, qtbot) -> None:
    from PySide6.QtTest import QTest

    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

    demo_window.show_page("evidence")
    page = demo_window.pages["evidence"]
    page.search_edit.setText("survey")
    page.clear_button.setFocus()
    with qtbot.waitSignal(page.clear_button.clicked):
        QTest.keyClick(page.clear_button, Qt.Key.Key_Return)
    assert page.search_edit.text() == ""

    dialog = ExportDialog(demo_window.service, demo_window)
    qtbot.addWidget(dialog)
    dialog.choose_target_and_export = lambda: None  # type: ignore[method-assign]
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grades_box.setFocus()
    with qtbot.waitSignal(dialog.export_button.clicked):
        QTest.keyClick(dialog.grades_box, Qt.Key.Key_Return)
    dialog.reject()


def test_enter_links_evidence_in_the_picker(demo_window, qtbot) -> None:
    from PySide6.QtTest import QTest

    from carequal_desktop.ui.dialogs.evidence_picker_dialog import EvidencePickerDialog

    dialog = EvidencePickerDialog(demo_window.service, "4.1", demo_window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QTest.keyClick(dialog.search, Qt.Key.Key_Return)  # to the list, first item current
    dialog.view.selectionModel().select(
        dialog.view.currentIndex(), dialog.view.selectionModel().SelectionFlag.Select
    )
    with qtbot.waitSignal(dialog.accepted):
        QTest.keyClick(dialog.view, Qt.Key.Key_Return)
    assert len(dialog.selected_ids()) == 1


def test_no_tab_stop_on_a_scroll_area(demo_window) -> None:
    from PySide6.QtWidgets import QScrollArea

    from carequal_desktop.ui.main_window import PAGES

    stops = []
    for key, _label, _shortcut in PAGES:
        demo_window.show_page(key)
        stops += [key for w in focusable(demo_window) if type(w) is QScrollArea]
    demo_window.show_indicator("5.2")
    stops += ["indicator" for w in focusable(demo_window) if type(w) is QScrollArea]
    assert stops == []


def test_menu_mnemonics_are_unique_and_f1_lists_every_menu_shortcut(demo_window) -> None:
    from carequal_desktop.ui.main_window import SHORTCUTS_HELP

    listed = " ".join(keys for keys, _what in SHORTCUTS_HELP).replace(" ", "")
    for top in demo_window.menuBar().actions():
        letters = []
        for action in top.menu().actions():
            if action.isSeparator():
                continue
            match = re.search(r"&(\w)", action.text())
            if match:
                letters.append(match.group(1).lower())
            for shortcut in action.shortcuts():
                text = shortcut.toString().replace("PgDown", "PageDown").replace("PgUp", "PageUp")
                text = text.replace("Ctrl++", "Ctrl+plus").replace("Ctrl+-", "Ctrl+minus")
                if text in ("Ctrl+=",):
                    continue
                first = text.split("+")[0]
                assert first in listed, f"{text} ({action.text()}) is not in the F1 list"
        assert len(letters) == len(set(letters)), f"{top.text()}: {letters}"
