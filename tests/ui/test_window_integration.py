"""The window's shortcuts land in the page on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from carequal_desktop.ui.dialogs import action_dialog, evidence_dialog


def test_ctrl_e_on_the_register_adds_and_selects_the_new_item(
    qtbot, window, made_workshop, answer_dialog
):
    assert window.open_workshop_file(made_workshop, interactive=False)
    window.show_page("evidence")
    page = window.pages["evidence"]

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.title_edit, "Parents' survey 2026")
        dialog.accept()

    answer_dialog(evidence_dialog.EvidenceDialog, fill)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert page.selected_evidence() is not None
    assert page.selected_evidence().title == "Parents' survey 2026"
    assert [e.ref for e in window.service.evidence()] == ["E1"]


def test_new_action_on_the_plan_page_lands_in_the_plan(qtbot, window, made_workshop, answer_dialog):
    assert window.open_workshop_file(made_workshop, interactive=False)
    window.show_page("plan")

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.task_edit, "Refresh chronology guidance")
        dialog.accept()

    answer_dialog(action_dialog.ActionDialog, fill)
    qtbot.keyClick(window, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [a.task for a in window.service.actions()] == ["Refresh chronology guidance"]
