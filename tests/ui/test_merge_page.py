"""The Merge page in the window: merge in a copy, see the conflicts, decide them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.services import merge as merging
from carequal_desktop.services.workshop import WorkshopService


@pytest.fixture
def agency_copy(made_workshop: Path) -> Path:
    """An Explorer copy edited by an agency, and the facilitator's file edited on the same field."""
    s = WorkshopService.open(made_workshop)
    s.update_evaluation("1.1", how_good_now="Partners meet monthly to plan.")
    s.close()
    copy = made_workshop.with_name("Police copy.carequal")
    shutil.copy(made_workshop, copy)
    a = WorkshopService.open(copy)
    a.update_evaluation(
        "1.1", how_good_now="Partners meet weekly to plan.", what_next="Police plan"
    )
    a.close()
    b = WorkshopService.open(made_workshop)
    b.update_evaluation("1.1", how_good_now="Partners meet monthly to plan together.")
    b.close()
    return copy


def test_file_merge_in_a_copy_lists_the_conflict_and_marks_the_indicator(
    window, qtbot, made_workshop, agency_copy, save_dialog, boxes
) -> None:
    assert window.open_workshop_file(made_workshop)
    action = window.findChild(type(window.save_copy_action), "mergeInCopyAction")
    assert action is not None and action.isEnabled()
    save_dialog.append(agency_copy)
    action.trigger()
    page = window.pages["merge"]
    assert window.current_page_key() == "merge"
    assert any("1 change taken" in text for text in boxes.texts())
    # listed by indicator, with the three versions
    texts = [page.list.item(i).text() for i in range(page.list.count())]
    assert texts == ["Indicator 1.1", "How good are we now?"]
    assert page.base_view.toPlainText() == "Partners meet monthly to plan."
    assert (
        page.ours_view.toPlainText() == "Partners meet monthly to plan {+together.+}[-plan.-]"
        or ("{+" in page.ours_view.toPlainText())
    )
    theirs = page.theirs_view.toPlainText()
    assert "[-monthly-]" in theirs and "{+weekly+}" in theirs  # markers, not colour alone
    # the sidebar marks the indicator until the conflict is decided
    item = window._indicator_items["1.1"]
    assert "merge conflict" in item.text()
    assert "merge conflict" in item.data(Qt.ItemDataRole.AccessibleTextRole)
    # the change taken silently is on the indicator page
    assert window.service.evaluation("1.1").what_next == "Police plan"

    page.combination.setPlainText("Partners meet weekly to plan together.")
    with qtbot.waitSignal(page.changed):
        page.text_button.click()
    assert window.service.evaluation("1.1").how_good_now == "Partners meet weekly to plan together."
    assert page.list.count() == 0
    assert "No conflicts to decide" in page.summary.text()
    assert "merge conflict" not in window._indicator_items["1.1"].text()
    assert "Police copy.carequal" in page.log.text()


def test_take_either_version_with_the_buttons(window, qtbot, made_workshop, agency_copy) -> None:
    assert window.open_workshop_file(made_workshop)
    window.show_page("merge")
    page = window.pages["merge"]
    page.merge_in_copy(agency_copy)
    assert page.current_conflict() is not None
    with qtbot.waitSignal(page.changed):
        page.theirs_button.click()
    assert window.service.evaluation("1.1").how_good_now == "Partners meet weekly to plan."
    assert merging.open_conflicts(window.service) == []
    assert not page.ours_button.isEnabled()


def test_a_refused_copy_is_one_sentence(window, made_workshop, tmp_path, boxes) -> None:
    other = tmp_path / "Other.carequal"
    WorkshopService.create(other, title="Other", partnership="Other partnership").close()
    assert window.open_workshop_file(made_workshop)
    window.show_page("merge")
    assert window.pages["merge"].merge_in_copy(other) is None
    assert any("another workshop" in text for text in boxes.texts())


def test_export_dialog_warns_while_conflicts_are_open(window, made_workshop, agency_copy) -> None:
    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

    assert window.open_workshop_file(made_workshop)
    window.show_page("merge")
    window.pages["merge"].merge_in_copy(agency_copy)
    dialog = ExportDialog(window.service, window)
    assert not dialog.conflict_warning.isHidden()
    assert "still to decide" in dialog.conflict_warning.text()
    dialog.close()


def test_every_control_has_an_accessible_name(window, made_workshop) -> None:
    assert window.open_workshop_file(made_workshop)
    window.show_page("merge")
    page = window.pages["merge"]
    for widget in (
        page.merge_button,
        page.list,
        page.base_view,
        page.ours_view,
        page.theirs_view,
        page.combination,
        page.ours_button,
        page.theirs_button,
        page.text_button,
    ):
        assert widget.accessibleName()


def test_prepare_copies_for_agencies(window, made_workshop, tmp_path, monkeypatch, boxes) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    folder = tmp_path / "copies"
    folder.mkdir()
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", lambda *a, **k: ("Police\nHealth\n", True)
    )
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    assert window.open_workshop_file(made_workshop)
    action = window.findChild(type(window.save_copy_action), "prepareCopiesAction")
    assert action is not None and action.isEnabled()
    action.trigger()
    assert sorted(p.name for p in folder.iterdir()) == [
        "Strathcairn 2026 - Health.carequal",
        "Strathcairn 2026 - Police.carequal",
    ]
    page = window.pages["merge"]
    assert "Copies prepared: Police" in page.log.text()
    assert any("2 copies saved" in text for text in boxes.texts())


def test_position_statement_conflicts_are_listed_with_the_workshop_records(
    window, qtbot, made_workshop
) -> None:
    from carequal_desktop.services.readiness import ReadinessService

    copy = made_workshop.with_name("Health copy.carequal")
    shutil.copy(made_workshop, copy)
    for path, who in ((copy, "Health"), (made_workshop, "Facilitator")):
        s = WorkshopService.open(path)
        ReadinessService(s).update_key_messages(f"Key messages by {who}.")
        ReadinessService(s).update_summary(2, f"Summary by {who}.")
        s.close()
    assert window.open_workshop_file(made_workshop)
    window.show_page("merge")
    page = window.pages["merge"]
    page.merge_in_copy(copy)
    texts = [page.list.item(i).text() for i in range(page.list.count())]
    assert texts[0] == "Workshop, team and other records"
    assert sorted(texts[1:]) == ["Document control: Key messages", "Summary of statement 2: Text"]
    for _ in range(2):
        c = page.current_conflict()
        assert c is not None
        if c.record == "Document control":
            page.combination.setPlainText("Key messages by both.")
            button = page.text_button
        else:
            button = page.theirs_button
        with qtbot.waitSignal(page.changed):
            button.click()
    texts = ReadinessService(window.service).statement_texts()
    assert (texts.key_messages, texts.summaries) == (
        "Key messages by both.",
        {2: "Summary by Health."},
    )
    assert page.list.count() == 0
