"""A colleague saves the answer being typed here: no dialog, a notice, a conflict to decide.

The colleague is a second ``WorkshopService`` on the same file (on a server, a second
laptop): their save lands while the window's autosave is waiting to save the typing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from carequal_desktop.services import merge as merging
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def colleague(made_workshop: Path) -> Iterator[WorkshopService]:
    service = WorkshopService.open(made_workshop)
    yield service
    service.close()


def test_a_colleagues_save_becomes_a_conflict_decided_on_the_merge_page(
    qtbot, window, made_workshop: Path, colleague: WorkshopService, boxes
) -> None:
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    page = window.indicator_page
    page.how_good_now.setFocus()
    qtbot.keyClicks(page.how_good_now, "Chronologies are now routine")
    colleague.update_evaluation("5.2", how_good_now="Most chronologies are late")
    with qtbot.waitSignal(window.autosave.collided, timeout=5000):
        pass  # the autosave's own timer saves the typing, and it collides

    notice = window.collision_notice
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert boxes == []  # no dialog of any kind
    assert notice.label.text() == (
        "Someone else saved “5.2 How good are we now?” while you were typing. Their text is in "
        "the field; yours is kept as a conflict to decide on the Merge page."
    )
    assert notice.label.textFormat() == Qt.TextFormat.PlainText
    assert QApplication.focusWidget() is page.how_good_now  # typing can go on
    assert page.how_good_now.toPlainText() == "Most chronologies are late"
    assert window.sidebar.currentItem().text().startswith("⚠ 5.2")
    dialog = ExportDialog(window.service, window)
    qtbot.addWidget(dialog)
    assert "1 merge conflict is still to decide" in dialog.conflict_warning.text()
    dialog.close()

    # Decide now: the Merge page, on that conflict, with the keyboard on the list.
    assert notice.decide_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert notice.decide_button.accessibleName() == "Decide now, on the Merge page"
    QTest.keyClick(window, Qt.Key.Key_M, CTRL_SHIFT)  # or the button; Tab reaches it
    assert window.current_page_key() == "merge" and not notice.isVisible()
    merge = window.pages["merge"]
    conflict = merge.current_conflict()
    assert conflict is not None
    assert (conflict.ours, conflict.theirs) == (
        "Most chronologies are late",
        "Chronologies are now routine",
    )
    assert QApplication.focusWidget() is merge.list
    assert merge.origin.isVisible() and "From a simultaneous edit" in merge.origin.text()
    assert [label.text() for label in merge._pane_names[1:]][1].startswith("Typed by ")
    assert "simultaneous edits by" in merge.log.text()
    assert "(simultaneous edit by " in merge.list.currentItem().text()
    assert merge.theirs_button.accessibleName() == "Take the typed text"

    merge.combination.setPlainText("Most chronologies are now on time")
    qtbot.mouseClick(merge.text_button, Qt.MouseButton.LeftButton)
    assert merging.open_conflicts(window.service) == []
    assert colleague.evaluation("5.2").how_good_now == "Most chronologies are now on time"
    window.show_indicator("5.2")
    assert page.how_good_now.toPlainText() == "Most chronologies are now on time"
    assert not window.sidebar.currentItem().text().startswith("⚠")


def test_a_proposal_colleagues_kept_saving_over_is_kept_with_the_same_notice(
    qtbot, window, made_workshop: Path, colleague: WorkshopService, boxes, monkeypatch
) -> None:
    from carequal_desktop.services.grading import GradingService

    colleague.add_participant("Bashir", "NHS board")
    colleague.add_participant("Cara", "Police Scotland")
    GradingService(colleague).record_proposal("5.2", "NHS board", 1)
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    panel = window.indicator_page.grading_panel
    real_evaluation = window.service.evaluation
    grades = iter([2, 3, 4])

    def read_then_colleague_saves(code: str):  # type: ignore[no-untyped-def]
        ev = real_evaluation(code)
        GradingService(colleague).record_proposal(code, "NHS board", next(grades, 5))
        return ev

    monkeypatch.setattr(window.service, "evaluation", read_then_colleague_saves)
    panel.choose("Police Scotland", 5, "IRDs on time")
    with qtbot.waitSignal(window.autosave.collided, timeout=2000):
        qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    monkeypatch.undo()
    qtbot.waitUntil(window.collision_notice.isVisible, timeout=3000)
    assert boxes == []
    assert "“5.2 Grades proposed by agencies”" in window.collision_notice.label.text()
    [conflict] = merging.open_conflicts(window.service)
    assert "Police Scotland" in conflict.theirs and "Police Scotland" not in conflict.ours
