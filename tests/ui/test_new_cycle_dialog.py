"""File › Start the next self-evaluation, and Go › Previous and current grades, in the window."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from carequal_desktop.services.new_cycle import previous_cycle
from carequal_desktop.ui.dialogs.new_cycle_dialog import NewCycleDialog
from carequal_desktop.ui.widgets.grade_change_chart import GradeChangeDialog, comparison_rows


def test_start_the_next_self_evaluation_from_the_menu(
    qtbot, window, demo_service, monkeypatch, boxes
):
    path = demo_service.path
    demo_service.close()
    assert window.open_workshop_file(path)
    assert window.next_cycle_action.isEnabled()
    old_id = window.service.details().id
    seen = {}

    def fill(dialog):
        seen["title"] = dialog.title_edit.text()
        seen["frameworks"] = [
            dialog.framework_combo.itemData(i) for i in range(dialog.framework_combo.count())
        ]
        seen["carried"] = dialog.carried_label.text()
        dialog.title_edit.setText("Strathcairn 2027")
        dialog.framework_combo.setCurrentIndex(dialog.framework_combo.findData("same"))
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(NewCycleDialog, "exec", fill)
    window.next_cycle_action.trigger()
    assert seen["title"].startswith("Joint self-evaluation 2027")
    assert seen["frameworks"] == ["same", "qf-2019", "qf-2012"]
    assert "7 team member(s), 40 evidence item(s), 13 open action(s) of 16" in seen["carried"]
    # The new workshop is open, linked to the previous one.
    assert window.service.path == path.parent / "Strathcairn 2027.carequal"
    assert window.service.details().title == "Strathcairn 2027"
    assert previous_cycle(window.service).id == old_id
    assert window.service.evaluation("5.1").previous_grade == 5
    assert boxes.texts()[-1].startswith("“Strathcairn 2027” was started from")


def test_the_dialog_refuses_an_existing_file(qtbot, demo_service, boxes):
    dialog = NewCycleDialog(demo_service)
    qtbot.addWidget(dialog)
    dialog.location_edit.setText(str(demo_service.path))
    dialog._location_chosen = True
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "already a file" in boxes.texts()[-1]


def test_previous_and_current_grades_chart(qtbot, window, demo_service, monkeypatch):
    rows = comparison_rows(demo_service)
    assert ("5.1", "Access to support", 4, 5) in rows
    assert ("6.4", "Performance management and quality assurance", 3, 2) in rows
    path = demo_service.path
    demo_service.close()
    window.open_workshop_file(path)
    shown = {}

    def look(dialog):
        shown["description"] = dialog.chart.accessibleDescription()
        dialog.chart.resize(dialog.chart.sizeHint())
        shown["image"] = dialog.chart.grab()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(GradeChangeDialog, "exec", look)
    window.grade_change_action.trigger()
    assert "5.1: previous 4, now 5 (up 1)" in shown["description"]
    assert "6.4: previous 3, now 2 (down 1)" in shown["description"]
    assert not shown["image"].isNull()


def test_export_dialog_offers_agency_views_on_by_default(qtbot, demo_service):
    from carequal_desktop.reports.position_statement import ExportOptions, word_counts
    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog(demo_service)
    qtbot.addWidget(dialog)
    assert dialog.views_box.isChecked() and dialog.options().include_agency_views
    with_views = dialog.counts()[1]
    dialog.views_box.setChecked(False)
    assert not dialog.options().include_agency_views
    # The word count follows the option: the sentences about differing views are body text.
    assert dialog.counts()[1] < with_views
    assert (
        dialog.counts()[1]
        == word_counts(demo_service, ExportOptions(include_agency_views=False))[1]
    )
    dialog.grades_box.setChecked(False)
    assert not dialog.views_box.isEnabled()
