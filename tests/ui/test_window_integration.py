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
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [a.task for a in window.service.actions()] == ["Refresh chronology guidance"]


def test_file_menu_offers_restore_beside_save_a_copy(window):
    texts = [a.text().replace("&", "") for a in window.file_menu().actions() if a.text()]
    assert texts.index("Restore an earlier version…") == texts.index("Save a copy as…") + 1
    assert texts[-1] == "Quit"


def test_a_workshop_open_elsewhere_is_offered_read_only(window, made_workshop, monkeypatch):
    import os
    import subprocess
    import sys

    from carequal_desktop.ui import main_window

    # Another copy of CareQual, a real second process, holds the file.
    code = (
        "import sys; from carequal_desktop.services.workshop import WorkshopService as W; "
        f"s = W.open({str(made_workshop)!r}); print('open', flush=True); sys.stdin.read(); s.close()"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert other.stdout.readline().strip() == "open"
    questions = []

    def ask(parent, error):  # type: ignore[no-untyped-def]
        questions.append(str(error))
        return True

    monkeypatch.setattr(main_window, "ask_open_read_only", ask)
    assert window.open_workshop_file(made_workshop)
    assert window.service.read_only
    assert "already open" in questions[0]
    assert "[read-only]" in window.windowTitle()
    window.close_workshop()
    other.stdin.close()
    other.wait(timeout=20)
    other.stdout.close()


def test_read_only_media_opens_read_only_and_says_why(window, made_workshop):
    from PySide6.QtWidgets import QLabel

    from tests.conftest import unwritable

    with unwritable(made_workshop), unwritable(made_workshop.parent):
        assert window.open_workshop_file(made_workshop)
        assert window.service.read_only
        banners = [
            w.text()
            for w in window.findChildren(QLabel)
            if w.accessibleDescription() == "Read-only notice"  # read by its text
        ]
        assert banners and "cannot be written to" in banners[0] and "Save a copy as" in banners[0]
        assert window.save_copy_action.isEnabled()
        window.close_workshop()
