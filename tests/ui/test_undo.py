"""Edit › Undo and Redo bring back a deleted strength or area, or an unlinked evidence or action."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from carequal_desktop.services import backups


def _texts(service, code: str, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    ev = service.evaluation(code)
    return [i.text for i in (ev.strengths if kind == "strength" else ev.areas_for_improvement)]


@pytest.mark.parametrize("kind", ["strength", "area_for_improvement"])
def test_delete_a_line_then_undo_and_redo(qtbot, window, made_workshop, boxes, kind):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    page = window.indicator_page
    editor = page.strengths if kind == "strength" else page.areas
    for text in ("First", "Second", "Third"):
        qtbot.keyClicks(editor.new_line, text)
        QTest.keyClick(editor.new_line, Qt.Key.Key_Return)
    editor.list.setCurrentRow(1)
    editor.list.setFocus()
    QTest.keyClick(editor.list, Qt.Key.Key_Delete)
    service = window.service
    assert _texts(service, "5.2", kind) == ["First", "Third"]
    assert boxes == []  # no question: undo is enough, and the status bar says so
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    assert window.undo_action.isEnabled()
    assert "Second" in window.undo_action.text()

    QTest.keyClick(editor.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _texts(service, "5.2", kind) == ["First", "Second", "Third"]
    assert window.statusBar().currentMessage().startswith("Undone: delete")
    assert editor.texts() == ["First", "Second", "Third"]

    window.redo_action.trigger()
    assert _texts(service, "5.2", kind) == ["First", "Third"]
    assert editor.texts() == ["First", "Third"]
    window.undo_action.trigger()
    assert editor.texts() == ["First", "Second", "Third"]


def test_undo_from_another_indicator_shows_where_it_happened(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.service.add_item("5.2", "strength", "Only one")
    window.show_indicator("5.2")
    editor = window.indicator_page.strengths
    editor.list.setCurrentRow(0)
    editor.delete_button.click()
    assert _texts(window.service, "5.2", "strength") == []
    window.show_indicator("6.1")
    window.undo_action.trigger()
    assert window.current_indicator_code() == "5.2"
    assert editor.texts() == ["Only one"]


def test_typing_undo_stays_in_the_box(qtbot, window, made_workshop):
    """Ctrl+Z in a text box undoes typing there, not the last deleted line."""
    window.open_workshop_file(made_workshop)
    window.service.add_item("5.2", "strength", "Keep me deleted")
    window.show_indicator("5.2")
    page = window.indicator_page
    page.strengths.list.setCurrentRow(0)
    page.strengths.delete_button.click()
    page.how_good_now.setFocus()
    qtbot.keyClicks(page.how_good_now, "abc")
    QTest.keyClick(page.how_good_now, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.how_good_now.toPlainText() == ""
    assert _texts(window.service, "5.2", "strength") == []


@pytest.mark.parametrize("what", ["evidence", "action"])
def test_unlink_then_undo_and_redo(qtbot, window, made_workshop, what):
    window.open_workshop_file(made_workshop)
    service = window.service
    if what == "evidence":
        record = service.add_evidence("Case file audit", "record_reading", indicators=["5.2"])
        linked = lambda: [e.id for e in service.evidence_for_indicator("5.2")]  # noqa: E731
    else:
        record = service.add_action("Audit chronologies", indicators=["5.2"])
        linked = lambda: [a.id for a in service.actions_for_indicator("5.2")]  # noqa: E731
    window.show_indicator("5.2")
    page = window.indicator_page
    view = page.evidence_list if what == "evidence" else page.action_list
    button = page.unlink_evidence_button if what == "evidence" else page.unlink_action_button
    view.item(0).setSelected(True)
    button.click()
    assert linked() == []
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    window.undo_action.trigger()
    assert linked() == [record.id]
    assert record.ref in view.item(0).text()
    window.redo_action.trigger()
    assert linked() == []


def test_undo_history_belongs_to_one_workshop(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.service.add_item("5.2", "strength", "Gone")
    window.show_indicator("5.2")
    window.indicator_page.strengths.list.setCurrentRow(0)
    window.indicator_page.strengths.delete_button.click()
    assert window.undo_action.isEnabled()
    window.close_workshop()
    assert not window.undo_action.isEnabled()


def test_a_long_session_is_backed_up_every_hour(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    assert window.backup_timer.isActive()
    assert window.backup_timer.interval() == 60 * 60 * 1000
    before = backups.list_backups(made_workshop)
    window.service.update_details(scope="Typed during the morning")
    window.backup_timer.timeout.emit()  # an hour later
    after = backups.list_backups(made_workshop)
    assert len(after) == len(before) + 1
    assert after[0].reason == "session"
    window.backup_timer.timeout.emit()  # nothing changed since: no identical copy
    assert len(backups.list_backups(made_workshop)) == len(after)
    window.close_workshop()
    assert not window.backup_timer.isActive()
