"""What a facilitator does in one sitting, then next week: everything is still there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from carequal_desktop.ui.dialogs.action_dialog import ActionDialog
from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog
from carequal_desktop.ui.dialogs.new_workshop_dialog import NewWorkshopDialog
from carequal_desktop.ui.main_window import MainWindow
from carequal_desktop.ui.team_page import ParticipantDialog


def test_a_workshop_from_start_to_reopening(
    qtbot, monkeypatch, window, tmp_path, save_dialog, boxes
):
    target = tmp_path / "Strathcairn self-evaluation"

    # New workshop, through the dialog; the file location comes from the save dialog.
    def new_workshop(dialog):  # type: ignore[no-untyped-def]
        assert dialog.framework_combo.currentData() == "qf-2019"
        qtbot.keyClicks(dialog.title_edit, "Strathcairn self-evaluation")
        qtbot.keyClicks(dialog.partnership_edit, "Strathcairn partnership")
        qtbot.keyClicks(dialog.facilitator_edit, "Morag Dunlop")
        save_dialog.append(target)
        dialog.choose_button.click()
        dialog.create_button.click()
        return dialog.result()

    monkeypatch.setattr(NewWorkshopDialog, "exec", new_workshop)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert boxes == []
    path = tmp_path / "Strathcairn self-evaluation.carequal"
    assert window.service is not None and window.service.path == path
    assert window.windowTitle() == (
        "Strathcairn self-evaluation — Strathcairn self-evaluation.carequal — CareQual"
    )
    assert window.current_page_key() == "team"

    # The team.
    team = window.team_page
    for name, agency in (("Ailsa Grant", "Police Scotland"), ("Jo Keir", "NHS board")):

        def add(dialog, name=name, agency=agency):  # type: ignore[no-untyped-def]
            dialog.name_edit.setText(name)
            dialog.agency_combo.setEditText(agency)
            dialog.accept()
            return dialog.result()

        monkeypatch.setattr(ParticipantDialog, "exec", add)
        team.add_participant_button.click()
    assert team.participants_table.rowCount() == 2

    # Indicator 5.2, with the team watching.
    window.show_indicator("5.2")
    page = window.indicator_page
    qtbot.keyClicks(page.how_good_now, "Most IRDs are held within timescale.")
    qtbot.keyClicks(page.strengths.new_line, "Immediate response is strong")
    qtbot.keyClick(page.strengths.new_line, Qt.Key.Key_Return)
    qtbot.keyClicks(page.areas.new_line, "Chronologies")
    qtbot.keyClick(page.areas.new_line, Qt.Key.Key_Return)
    qtbot.keyClicks(page.how_do_we_know, "IRD data and record reading.")

    def new_evidence(dialog):  # type: ignore[no-untyped-def]
        dialog.title_edit.setText("IRDs within timescale 2025–26")
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("performance_data"))
        dialog.no_share_box.setChecked(False)
        dialog.share_spin.setValue(88)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EvidenceDialog, "exec", new_evidence)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert page.evidence_list.item(0).text() == "E1  IRDs within timescale 2025–26 — 88% — most"

    page.set_grade(4)
    assert "4 Good" in page.meaning.text()
    assert "important strengths" in page.meaning.text()
    qtbot.keyClicks(page.rationale, "Strong response; chronologies weak.")
    qtbot.keyClicks(page.what_next, "Chronology guidance.")

    def new_action(dialog):  # type: ignore[no-untyped-def]
        dialog.task_edit.setPlainText("Issue multi-agency chronology guidance")
        dialog.due_field.set_value("2027-03-31")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ActionDialog, "exec", new_action)
    QTest.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert page.action_list.item(0).text() == (
        "Action 1.1: Issue multi-agency chronology guidance — due 2027-03-31"
    )
    page.set_status("agreed")
    qtbot.keyClicks(page.what_next, " Then audit.")  # still typing as the laptop is closed
    assert "Agreed · 4 Good" in window.sidebar.currentItem().text()

    window.close()
    assert boxes == []

    # Next week, on the same file.
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.open_workshop_file(path)
    service = again.service
    assert [p.name for p in service.participants()] == ["Ailsa Grant", "Jo Keir"]
    assert service.details().facilitator == "Morag Dunlop"
    ev = service.evaluation("5.2")
    assert ev.how_good_now == "Most IRDs are held within timescale."
    assert ev.how_do_we_know == "IRD data and record reading."
    assert ev.what_next == "Chronology guidance. Then audit."
    assert ev.rationale == "Strong response; chronologies weak."
    assert [i.text for i in ev.strengths] == ["Immediate response is strong"]
    assert [i.text for i in ev.areas_for_improvement] == ["Chronologies"]
    assert (ev.grade, ev.status) == (4, "agreed")
    (evidence,) = service.evidence()
    assert (evidence.ref, evidence.indicators, evidence.share_percent) == ("E1", ["5.2"], 88.0)
    (action,) = service.actions()
    assert (action.ref, action.statement, action.indicators, action.due) == (
        "1.1",
        1,
        ["5.2"],
        "2027-03-31",
    )

    again.show_indicator("5.2")
    assert again.indicator_page.how_good_now.toPlainText() == ev.how_good_now
    assert again.indicator_page.grade() == 4
    again.close()


def test_new_workshop_dialog_checks_what_it_needs(qtbot, tmp_path, boxes, save_dialog):
    dialog = NewWorkshopDialog()
    qtbot.addWidget(dialog)
    dialog.create_button.click()
    assert "title" in boxes.texts()[-1]
    dialog.title_edit.setText("A title")
    assert dialog.location_edit.text().endswith("A title.carequal")
    dialog.create_button.click()
    assert "partnership" in boxes.texts()[-1]
    dialog.partnership_edit.setText("P")
    existing = tmp_path / "taken.carequal"
    existing.write_bytes(b"")
    dialog.location_edit.setText(str(existing))
    dialog.create_button.click()
    assert "already a file" in boxes.texts()[-1]
    assert dialog.service is None
    dialog.framework_combo.setCurrentIndex(dialog.framework_combo.findData("qf-2012"))
    dialog.location_edit.setText(str(tmp_path / "old framework"))
    dialog.create_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.service.framework().id == "qf-2012"
    assert dialog.service.path == tmp_path / "old framework.carequal"
    dialog.service.close()
