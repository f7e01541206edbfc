"""The main window: start screen, opening files, title, navigation by keyboard, files menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from carequal_desktop.services import settings
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui.main_window import MainWindow


def test_start_screen_when_nothing_is_open(window):
    assert window.service is None
    assert window.stack.currentWidget() is window.start_page
    assert window.windowTitle() == "CareQual"
    assert not window.save_copy_action.isEnabled()
    assert window.current_indicator_code() is None
    assert window.file_menu().title() == "&File"


def test_open_shows_title_sidebar_and_overview(window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    assert window.windowTitle() == "Strathcairn 2026 — Workshop.carequal — CareQual"
    assert window.current_page_key() == "overview"
    labels = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert labels[:7] == [
        "Overview",
        "Workshop and team",
        "Evidence register",
        "Improvement plan",
        "Position statement",
        "Readiness",
        "Merge copies",
    ]
    assert labels[7].strip() == "Quality indicators"
    assert labels[8].startswith("1.1 ")
    assert "Not started · not graded" in labels[8]
    assert len(labels) == 8 + 22
    assert settings.recent_files() == [made_workshop.resolve()]


def test_missing_file_without_dialogs(window, tmp_path, boxes):
    assert not window.open_workshop_file(tmp_path / "nope.carequal", interactive=False)
    assert boxes == []
    assert window.service is None
    assert not window.open_workshop_file(tmp_path / "nope.carequal")
    assert "nope.carequal" in boxes.texts()[-1]


def test_go_menu_shortcuts(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    for key, page in (
        (Qt.Key.Key_2, "team"),
        (Qt.Key.Key_3, "evidence"),
        (Qt.Key.Key_4, "plan"),
        (Qt.Key.Key_1, "overview"),
    ):
        QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page_key() == page


def test_previous_and_next_indicator_by_keyboard(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    assert window.current_indicator_code() == "5.2"
    window.indicator_page.how_good_now.setFocus()
    QTest.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_indicator_code() == "5.3"
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_indicator_code() == "5.4"
    QTest.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_indicator_code() == "5.2"
    assert window.sidebar.currentItem().text().startswith("5.2 ")
    # The first indicator has no previous one; from another page, "next" returns to the last.
    window.show_indicator("1.1")
    QTest.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_indicator_code() == "1.1"
    window.show_page("plan")
    assert window.current_indicator_code() is None
    QTest.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_indicator_code() == "1.1"


def test_sidebar_follows_status_and_grade(window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.show_indicator("2.1")
    window.indicator_page.set_grade(5)
    window.indicator_page.set_status("agreed")
    item = window.sidebar.currentItem()
    assert "Agreed · 5 Very good" in item.text()


def test_read_only_opening(window, made_workshop, monkeypatch):
    import carequal_desktop.services.workshop as workshop

    monkeypatch.setattr(workshop, "is_writable", lambda path: False)
    assert window.open_workshop_file(made_workshop)
    assert window.service.read_only
    assert window.windowTitle().endswith(" — CareQual [read-only]")
    assert not window.new_evidence_action.isEnabled()
    assert window.save_copy_action.isEnabled()
    window.show_indicator("1.1")
    assert window.indicator_page.how_good_now.isReadOnly()


def test_close_workshop_returns_to_start_with_recent_file(window, made_workshop):
    window.open_workshop_file(made_workshop)
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.service is None
    assert window.stack.currentWidget() is window.start_page
    assert window.start_page.recent_list.count() == 1
    item = window.start_page.recent_list.item(0)
    window.start_page.recent_list.itemActivated.emit(item)
    assert window.service is not None and window.service.path == made_workshop.resolve()


def test_recent_list_hides_missing_files(window, made_workshop, tmp_path):
    gone = tmp_path / "gone.carequal"
    WorkshopService.create(gone, title="Gone", partnership="P").close()
    settings.add_recent(gone)
    settings.add_recent(made_workshop)
    gone.unlink()
    window.start_page.refresh()
    assert window.start_page.recent_list.count() == 1


def test_save_copy_as_and_keep_working_on_the_original(
    window, made_workshop, save_dialog, tmp_path
):
    window.open_workshop_file(made_workshop)
    copy = tmp_path / "copy"
    save_dialog.append(copy)
    window.save_copy_action.trigger()
    assert (tmp_path / "copy.carequal").exists()
    assert window.service.path == made_workshop


def test_export_then_import_exchange_json(window, made_workshop, save_dialog, tmp_path, boxes):
    window.open_workshop_file(made_workshop)
    window.service.add_participant("Ailsa", "Police Scotland")
    out = tmp_path / "out.json"
    save_dialog.append(out)
    window.export_json_action.trigger()
    assert out.exists()
    save_dialog.extend([out, tmp_path / "imported.carequal"])
    window.import_exchange_json()
    assert boxes == []
    assert window.service.path == tmp_path / "imported.carequal"
    assert [p.name for p in window.service.participants()] == ["Ailsa"]


def test_import_of_bad_json_is_refused_with_the_reason(window, save_dialog, tmp_path, boxes):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    save_dialog.extend([bad, tmp_path / "x.carequal"])
    window.import_exchange_json()
    assert window.service is None
    assert "not imported" in boxes.texts()[-1]
    assert not (tmp_path / "x.carequal").exists()


def test_geometry_is_remembered(qtbot, window):
    window.resize(700, 500)  # the offscreen screen is small
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.size().width() == 700
    again.close()


def test_help_boxes_do_not_block(window, boxes, answer_dialog):
    from carequal_desktop.ui.dialogs.shortcuts_dialog import ShortcutsDialog

    shown = []
    answer_dialog(ShortcutsDialog, lambda d: (shown.append(d.texts()), d.reject()))
    window.show_shortcuts()
    window.show_about()
    assert [kind for kind, _t in boxes] == ["about"]
    assert any("Next indicator" in what for _keys, what in shown[0])


def test_every_control_on_the_indicator_page_has_an_accessible_name(window, made_workshop):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
    )

    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    for page in (window.indicator_page, window._page("team")):
        for kind in (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QPlainTextEdit):
            for widget in page.findChildren(kind):
                if _inside(widget, (QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView)):
                    continue  # parts of a named control: a combo's list, a clear button, a table corner
                name = widget.accessibleName() or (
                    widget.text() if isinstance(widget, QAbstractButton) else ""
                )
                assert name, f"{type(widget).__name__} on {type(page).__name__} has no name"


def _inside(widget, kinds) -> bool:  # type: ignore[no-untyped-def]
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent()
    return False


def test_path_argument_is_a_path(window, made_workshop):
    assert window.open_workshop_file(Path(str(made_workshop)), interactive=False)


def test_overview_opens_an_indicator(window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.pages["overview"].indicator_activated.emit("6.3")
    assert window.current_indicator_code() == "6.3"
    assert window.sidebar.currentItem().text().startswith("6.3 ")


def test_indicator_keys_work_while_typing(qtbot, window, made_workshop):
    """The shortcuts must not be swallowed by the text boxes the team is typing in."""
    window.open_workshop_file(made_workshop)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    window.show_indicator("5.2")
    edit = window.indicator_page.how_good_now
    edit.setFocus()
    qtbot.waitUntil(lambda: edit.hasFocus())
    QTest.keyClick(edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_indicator_code() == "5.3"
    QTest.keyClick(edit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_indicator_code() == "5.2"
    line = window.indicator_page.strengths.new_line
    line.setFocus()
    QTest.keyClick(line, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.current_indicator_code() == "5.1"
    QTest.keyClick(line, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_indicator_code() == "5.2"


def test_f6_moves_between_sidebar_and_page_and_saving_is_shown(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert "saved as you go" in window.saved_label.text()
    window.show_indicator("5.2")
    window.sidebar.setFocus()
    QTest.keyClick(window.sidebar, Qt.Key.Key_F6)
    assert window.indicator_page.isAncestorOf(window.focusWidget())
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_F6)
    assert window.sidebar.hasFocus()
    QTest.keyClick(window.sidebar, Qt.Key.Key_Down)
    assert window.current_indicator_code() == "5.3"
    window.indicator_page.set_grade(3)
    assert window.saved_label.text().startswith("Saved at ")


def test_dropping_a_workshop_file_opens_it(window, made_workshop):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(made_workshop))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.service is not None and window.service.path == made_workshop


def test_title_follows_the_workshop_title(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.show_page("team")
    edit = window.team_page.title_edit
    edit.selectAll()
    qtbot.keyClicks(edit, "Renamed")
    window.team_page.flush()
    assert window.windowTitle() == "Renamed — Workshop.carequal — CareQual"
