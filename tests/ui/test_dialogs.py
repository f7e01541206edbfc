"""The evidence and action dialogs: every field reaches the workshop file and comes back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs.action_dialog import ActionDialog
from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Error messages the dialogs would have shown, instead of a blocking box."""
    shown: list[str] = []
    monkeypatch.setattr(
        messages, "show_error", lambda parent, text, title="CareQual": shown.append(text)
    )
    return shown


def test_new_evidence_with_every_field(qtbot, new_service, errors):
    dialog = EvidenceDialog(new_service, indicators=("5.1",))
    qtbot.addWidget(dialog)
    assert "will be E1" in dialog.ref_label.text()

    qtbot.keyClicks(dialog.title_edit, "Staff survey 2026")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("staff_survey"))
    dialog.agency_combo.setEditText("")
    qtbot.keyClicks(dialog.agency_combo.lineEdit(), "Strathcairn CPC")
    dialog.date_field.set_value("2026-03-20")
    qtbot.keyClicks(dialog.description_edit, "Staff confident to recognise signs of harm.")
    qtbot.keyClicks(dialog.location_edit, "CPC drive > Surveys")
    dialog.no_share_box.setChecked(False)
    dialog.share_spin.setValue(82)
    assert dialog.share_word.text() == "— most"
    dialog.respondents_spin.setValue(640)
    dialog.supports_combo.setCurrentIndex(dialog.supports_combo.findData("strength"))
    dialog.indicator_list.set_code_checked("5.2")

    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    assert errors == []
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = dialog.saved
    assert saved is not None and saved.ref == "E1"
    assert new_service.evidence_item(saved.id) == saved
    assert (saved.title, saved.kind, saved.agency, saved.date) == (
        "Staff survey 2026",
        "staff_survey",
        "Strathcairn CPC",
        "2026-03-20",
    )
    assert saved.description == "Staff confident to recognise signs of harm."
    assert saved.location == "CPC drive > Surveys"
    assert (saved.share_percent, saved.respondents, saved.supports) == (82.0, 640, "strength")
    assert saved.share_text == "82% — most"
    assert saved.indicators == ["5.1", "5.2"]


def test_optional_fields_stay_empty(qtbot, new_service, errors):
    dialog = EvidenceDialog(new_service)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.title_edit, "CPC minutes")
    dialog.accept()
    saved = dialog.saved
    assert saved is not None
    assert saved.date is None and saved.share_percent is None and saved.respondents is None
    assert saved.supports == "context" and saved.indicators == []


def test_edit_evidence_keeps_reference_and_changes_fields(qtbot, example_service, errors):
    item = example_service.evidence()[1]
    dialog = EvidenceDialog(example_service, evidence=item)
    qtbot.addWidget(dialog)
    assert item.ref in dialog.ref_label.text()
    assert dialog.title_edit.text() == item.title
    assert dialog.share_spin.value() == pytest.approx(item.share_percent)
    assert dialog.indicator_list.checked() == item.indicators

    dialog.no_share_box.setChecked(True)
    dialog.date_field.set_value(None)
    dialog.accept()

    saved = example_service.evidence_item(item.id)
    assert saved.ref == item.ref and saved.share_percent is None and saved.date is None
    assert saved.title == item.title and saved.respondents == item.respondents
    assert dialog.saved == saved


def test_evidence_without_title_is_refused_politely(qtbot, new_service, errors):
    dialog = EvidenceDialog(new_service)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert errors == ["Give the evidence a title."]
    assert dialog.saved is None and new_service.evidence() == []


def test_share_word_follows_the_value(qtbot, new_service):
    dialog = EvidenceDialog(new_service)
    qtbot.addWidget(dialog)
    assert dialog.share_word.text() == "" and not dialog.share_spin.isEnabled()
    dialog.no_share_box.setChecked(False)
    for value, word in [
        (10, "few"),
        (49.9, "less than half"),
        (50, "the majority"),
        (90, "almost all"),
        (100, "all"),
        (0, "none"),
    ]:
        dialog.share_spin.setValue(value)
        assert dialog.share_word.text() == f"— {word}"


def test_agencies_offered_include_ones_already_used(qtbot, example_service):
    dialog = EvidenceDialog(example_service)
    qtbot.addWidget(dialog)
    offered = [dialog.agency_combo.itemText(i) for i in range(dialog.agency_combo.count())]
    assert "Police Scotland" in offered
    for item in example_service.evidence():
        assert item.agency in offered


def test_new_action_with_every_field(qtbot, new_service, errors):
    dialog = ActionDialog(new_service, indicators=("5.2",), statement=1)
    qtbot.addWidget(dialog)
    assert dialog.ref_edit.text() == "1.1"
    assert dialog.statement_combo.currentText().startswith("1 Children and young people are safer")
    assert dialog.statement_combo.currentText().endswith("…")

    # A new action's reference follows the statement until the facilitator types one.
    dialog.statement_combo.setCurrentIndex(dialog.statement_combo.findData(2))
    assert dialog.ref_edit.text() == "2.1"

    qtbot.keyClicks(dialog.task_edit, "Brief all team leaders on chronologies.")
    qtbot.keyClicks(dialog.issue_edit, "Chronologies weak in half of records.")
    qtbot.keyClicks(dialog.outcome_edit, "Concerns are recognised earlier.")
    qtbot.keyClicks(dialog.ownership_edit, "CPC learning subgroup")
    qtbot.keyClicks(dialog.monitoring_edit, "Quarterly report to the CPC")
    qtbot.keyClicks(dialog.baseline_edit, "52% (E2)")
    qtbot.keyClicks(dialog.target_edit, "75% by March 2027")
    dialog.due_field.set_value("2027-03-31")
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("in_progress"))
    dialog.indicator_list.set_code_checked("5.3")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    assert errors == []
    saved = dialog.saved
    assert saved is not None and new_service.action(saved.id) == saved
    assert (saved.ref, saved.statement, saved.indicators) == ("2.1", 2, ["5.2", "5.3"])
    assert saved.task == "Brief all team leaders on chronologies."
    assert saved.issue == "Chronologies weak in half of records."
    assert saved.expected_outcome == "Concerns are recognised earlier."
    assert saved.ownership == "CPC learning subgroup"
    assert saved.monitoring == "Quarterly report to the CPC"
    assert (saved.baseline, saved.target) == ("52% (E2)", "75% by March 2027")
    assert (saved.due, saved.status) == ("2027-03-31", "in_progress")


def test_typed_reference_is_kept_when_statement_changes(qtbot, new_service):
    dialog = ActionDialog(new_service, statement=1)
    qtbot.addWidget(dialog)
    dialog.ref_edit.clear()
    qtbot.keyClicks(dialog.ref_edit, "1.7")
    dialog.statement_combo.setCurrentIndex(dialog.statement_combo.findData(3))
    assert dialog.ref_edit.text() == "1.7"


def test_action_without_statement(qtbot, new_service, errors):
    dialog = ActionDialog(new_service)
    qtbot.addWidget(dialog)
    assert dialog.statement() is None and dialog.ref_edit.text() == "1"
    qtbot.keyClicks(dialog.task_edit, "Agree the plan")
    dialog.accept()
    assert dialog.saved is not None and dialog.saved.statement is None and dialog.saved.due is None


def test_edit_action(qtbot, example_service, errors):
    action = example_service.actions()[0]
    dialog = ActionDialog(example_service, action=action)
    qtbot.addWidget(dialog)
    assert dialog.ref_edit.text() == action.ref
    assert dialog.task_edit.toPlainText() == action.task
    assert dialog.indicator_list.checked() == action.indicators
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("complete"))
    dialog.statement_combo.setCurrentIndex(dialog.statement_combo.findData(4))
    assert dialog.ref_edit.text() == action.ref  # an existing reference never changes by itself
    dialog.accept()
    saved = example_service.action(action.id)
    assert saved.status == "complete" and saved.statement == 4 and saved.ref == action.ref
    assert saved.baseline == action.baseline and saved.due == action.due


def test_duplicate_action_reference_shows_the_services_sentence(qtbot, example_service, errors):
    existing = example_service.actions()[0]
    dialog = ActionDialog(example_service)
    qtbot.addWidget(dialog)
    dialog.ref_edit.setText(existing.ref)
    qtbot.keyClicks(dialog.task_edit, "Something")
    dialog.accept()
    assert errors == [f"There is already an action {existing.ref}."]
    assert dialog.saved is None and dialog.result() != dialog.DialogCode.Accepted


def test_action_without_task_is_refused(qtbot, new_service, errors):
    dialog = ActionDialog(new_service)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert errors == ["Say what the task is."] and new_service.actions() == []


def test_dialog_fields_have_accessible_names(qtbot, new_service):
    from PySide6.QtWidgets import (
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QListWidget,
        QPlainTextEdit,
    )

    for dialog in (EvidenceDialog(new_service), ActionDialog(new_service)):
        qtbot.addWidget(dialog)
        for kind in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QListWidget):
            for widget in dialog.findChildren(kind):
                if isinstance(widget, QLineEdit) and isinstance(
                    widget.parent(), (QComboBox, QAbstractSpinBox)
                ):
                    continue
                assert widget.accessibleName(), f"{type(widget).__name__} in {dialog.windowTitle()}"


def test_indicator_list_ticks_with_space(qtbot, new_service):
    dialog = EvidenceDialog(new_service)
    qtbot.addWidget(dialog)
    lst = dialog.indicator_list
    lst.setCurrentRow(0)
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert lst.checked() == [new_service.framework().indicators[0].code]
