"""The indicator page: answers are saved as they are typed, lists edit, grade shows its meaning."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from carequal_desktop.ui.indicator_page import IndicatorPage


@pytest.fixture
def page(qtbot, new_service):  # type: ignore[no-untyped-def]
    page = IndicatorPage(new_service)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.show_indicator("5.2")
    return page


def test_header_shows_the_indicator(page):
    assert page.title_label.text() == "5.2  Assessing risk and need"
    assert "5 Delivery of key processes" in page.context_label.text()
    assert "statement 1" in page.context_label.text()
    assert "IRD" in page.prompts_label.text()
    assert page.grade() is None
    assert page.status_combo.currentData() == "not_started"


def test_typing_is_saved_without_a_save_button(qtbot, page, new_service):
    qtbot.keyClicks(page.how_good_now, "IRDs are held on time.")
    assert page.has_pending_edits()
    qtbot.waitUntil(
        lambda: new_service.evaluation("5.2").how_good_now == "IRDs are held on time.", timeout=3000
    )
    assert not page.has_pending_edits()
    # Working on an indicator that had not been started moves it on.
    assert new_service.evaluation("5.2").status == "in_progress"
    assert page.status_combo.currentData() == "in_progress"


def test_loading_does_not_save(page, new_service):
    page.show_indicator("5.3")
    page.show_indicator("5.2")
    assert not page.has_pending_edits()
    assert new_service.evaluations() == []


def test_switching_indicator_saves_what_was_typed(qtbot, page, new_service):
    qtbot.keyClicks(page.what_next, "Review chronologies.")
    page.show_indicator("5.3")  # before the timer fires
    assert new_service.evaluation("5.2").what_next == "Review chronologies."
    assert page.what_next.toPlainText() == ""
    page.show_indicator("5.2")
    assert page.what_next.toPlainText() == "Review chronologies."


def test_undo_in_a_narrative(qtbot, page):
    qtbot.keyClicks(page.how_do_we_know, "abc")
    page.how_do_we_know.undo()
    assert page.how_do_we_know.toPlainText() == ""


def test_strengths_add_edit_move_delete(qtbot, page, new_service):
    editor = page.strengths
    for text in ("First", "Second", "Third"):
        qtbot.keyClicks(editor.new_line, text)
        qtbot.keyClick(editor.new_line, Qt.Key.Key_Return)
    assert [i.text for i in new_service.evaluation("5.2").strengths] == ["First", "Second", "Third"]
    assert editor.texts() == ["First", "Second", "Third"]

    editor.list.setCurrentRow(2)
    editor.list.setFocus()
    qtbot.keyClick(editor.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [i.text for i in new_service.evaluation("5.2").strengths] == ["First", "Third", "Second"]
    assert editor.list.currentItem().text() == "Third"

    editor.down_button.click()
    assert editor.texts() == ["First", "Second", "Third"]

    editor.list.setCurrentRow(0)
    editor.list.item(0).setText("First, corrected")  # what an inline edit (F2) commits
    assert new_service.evaluation("5.2").strengths[0].text == "First, corrected"

    editor.list.setCurrentRow(1)
    editor.delete_button.click()
    assert [i.text for i in new_service.evaluation("5.2").strengths] == [
        "First, corrected",
        "Third",
    ]
    assert page.areas.texts() == []


def test_area_for_improvement_is_its_own_list(qtbot, page, new_service):
    qtbot.keyClicks(page.areas.new_line, "Chronologies")
    page.areas.add_button.click()
    ev = new_service.evaluation("5.2")
    assert [i.text for i in ev.areas_for_improvement] == ["Chronologies"]
    assert ev.strengths == []
    assert ev.status == "in_progress"


def test_grade_shows_its_meaning_and_is_saved(page, new_service):
    page.set_grade(4)
    assert new_service.evaluation("5.2").grade == 4
    level = new_service.framework().level(4)
    assert "4 Good" in page.meaning.text()
    assert level.meaning[:40] in page.meaning.text()
    page.set_grade(None)
    assert new_service.evaluation("5.2").grade is None
    assert "Not yet graded" in page.meaning.text()


def test_status_agreed(page, new_service, boxes):
    page.set_status("agreed")  # nothing in it yet: refused, with the reason
    assert new_service.evaluation("5.2").status == "not_started"
    assert page.status_combo.currentData() == "not_started"
    assert "nothing to agree yet" in boxes.texts()[-1]
    page.how_good_now.setPlainText("Most assessments are timely.")
    page.flush()
    page.set_status("agreed")  # answers but no grade: refused
    assert "Choose the grade" in boxes.texts()[-1]
    assert new_service.evaluation("5.2").status == "in_progress"
    page.set_grade(4)
    page.set_status("agreed")
    assert new_service.evaluation("5.2").status == "agreed"


def test_link_and_unlink_evidence(monkeypatch, page, new_service):
    from carequal_desktop.ui.dialogs import evidence_picker_dialog as picker

    survey = new_service.add_evidence("Staff survey", "staff_survey", share_percent=82)
    new_service.add_evidence("Already linked", "document", indicators=["5.2"])

    def choose(dialog):  # type: ignore[no-untyped-def]
        assert dialog.proxy.rowCount() == 1  # what is already linked is not offered
        dialog.search.setText("staff")
        dialog.select_ids([survey.id])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(picker.EvidencePickerDialog, "exec", choose)
    page.link_evidence_button.click()
    assert [e.ref for e in new_service.evidence_for_indicator("5.2")] == ["E1", "E2"]
    texts = [page.evidence_list.item(i).text() for i in range(page.evidence_list.count())]
    assert texts[0] == "E1  Staff survey — 82% — most"

    page.evidence_list.item(0).setSelected(True)
    page.unlink_evidence_button.click()
    assert [e.ref for e in new_service.evidence_for_indicator("5.2")] == ["E2"]
    assert new_service.evidence_item(survey.id).indicators == []  # still in the register


def test_picker_search_filters(qtbot, new_service):
    from carequal_desktop.ui.dialogs.evidence_picker_dialog import EvidencePickerDialog

    for i in range(30):
        new_service.add_evidence(f"Item {i}", "document")
    new_service.add_evidence("IRD audit", "document", agency="Police Scotland")
    dialog = EvidencePickerDialog(new_service, "5.2")
    qtbot.addWidget(dialog)
    assert dialog.proxy.rowCount() == 31
    qtbot.keyClicks(dialog.search, "police")
    assert dialog.proxy.rowCount() == 1
    assert not dialog.ok_button.isEnabled()


def test_new_evidence_on_the_spot_lands_in_register_and_is_linked(monkeypatch, page, new_service):
    from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

    def fill(dialog):  # type: ignore[no-untyped-def]
        dialog.title_edit.setText("IRD audit 2026")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EvidenceDialog, "exec", fill)
    page.new_evidence_button.click()
    register = new_service.evidence()
    assert [(e.ref, e.title, e.indicators) for e in register] == [("E1", "IRD audit 2026", ["5.2"])]
    assert page.evidence_list.item(0).text() == "E1  IRD audit 2026"


def test_new_action_is_prefilled_and_linked(monkeypatch, page, new_service):
    from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

    seen = {}

    def fill(dialog):  # type: ignore[no-untyped-def]
        seen["statement"] = dialog.statement()
        dialog.task_edit.setPlainText("Chronology training")
        dialog.ownership_edit.setPlainText("CPC")
        dialog.due_field.set_value("2020-01-31")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ActionDialog, "exec", fill)
    page.new_action_button.click()
    assert seen["statement"] == 1  # 5.2 is reported under statement 1
    (action,) = new_service.actions_for_indicator("5.2")
    assert action.ref == "1.1"
    text = page.action_list.item(0).text()
    assert text.startswith("Action 1.1: Chronology training — CPC — due 2020-01-31")
    assert "overdue" in text


def test_link_and_unlink_action(monkeypatch, page, new_service):
    from carequal_desktop.ui.dialogs import evidence_picker_dialog as picker

    act = new_service.add_action("Audit IRDs", statement=1)

    def choose(dialog):  # type: ignore[no-untyped-def]
        dialog.select_ids([act.id])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(picker.ActionPickerDialog, "exec", choose)
    page.link_action_button.click()
    assert new_service.action(act.id).indicators == ["5.2"]
    page.action_list.item(0).setSelected(True)
    page.unlink_action_button.click()
    assert new_service.action(act.id).indicators == []
    assert new_service.actions() != []


def test_edit_indicator(monkeypatch, page, new_service):
    from carequal_desktop.ui.dialogs.indicator_dialog import IndicatorDialog

    def edit(dialog):  # type: ignore[no-untyped-def]
        dialog.title_edit.setText("Assessing risk and need together")
        dialog.prompts_edit.setPlainText("First prompt\n\nSecond prompt")
        dialog.statement_boxes[4].setChecked(True)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(IndicatorDialog, "exec", edit)
    page.edit_indicator_button.click()
    ind = new_service.framework().indicator("5.2")
    assert ind.title == "Assessing risk and need together"
    assert ind.prompts == ("First prompt", "Second prompt")
    assert ind.statements == (1, 4)
    assert page.title_label.text() == "5.2  Assessing risk and need together"
    assert "Second prompt" in page.prompts_label.text()


def test_read_only_page_cannot_be_typed_in(qtbot, made_workshop):
    from carequal_desktop.services.workshop import WorkshopService

    service = WorkshopService.open(made_workshop, read_only=True)
    try:
        page = IndicatorPage(service)
        qtbot.addWidget(page)
        page.show_indicator("1.1")
        assert page.how_good_now.isReadOnly()
        assert not page.strengths.new_line.isEnabled()
        assert not page.grade_buttons[4].isEnabled()
        assert not page.new_evidence_button.isEnabled()
    finally:
        service.close()


def test_inline_edit_with_f2_and_enter(qtbot, page, new_service):
    from PySide6.QtWidgets import QLineEdit

    page.strengths.new_line.setText("Old wording")
    page.strengths.add_button.click()
    view = page.strengths.list
    view.setCurrentRow(0)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "New wording")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: new_service.evaluation("5.2").strengths[0].text == "New wording")
    qtbot.waitUntil(lambda: page.strengths.texts() == ["New wording"])
