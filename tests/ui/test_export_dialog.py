"""The export dialog: word count before exporting, options, a worker thread, open afterwards."""

from __future__ import annotations

import docx
import pytest
from PySide6.QtGui import QDesktopServices

from carequal_desktop.domain.wordcount import WORD_LIMIT
from carequal_desktop.reports.position_statement import ExportOptions, word_counts
from carequal_desktop.ui import messages
from carequal_desktop.ui.colours import warning_colour
from carequal_desktop.ui.dialogs.export_dialog import ExportDialog, install_export_actions


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        messages, "show_error", lambda parent, text, title="CareQual": shown.append(text)
    )
    return shown


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True
    )
    return urls


def test_word_counts_shown_before_exporting(qtbot, example_service):
    dialog = ExportDialog(example_service)
    qtbot.addWidget(dialog)
    per, total = word_counts(example_service, ExportOptions())
    for number, words in per.items():
        assert dialog.count_labels[str(number)].text() == f"{words:,}"
    assert dialog.count_labels["intro"].text() == f"{total - sum(per.values()):,}"
    assert f"{total:,} of {WORD_LIMIT:,}" in dialog.total_label.text()
    assert total <= WORD_LIMIT
    assert "Version 0.1 · Draft · not yet approved" in dialog.control_label.text()
    assert dialog.limit_warning.isHidden()
    # Leaving out the grades shortens the body, and the count follows.
    dialog.grades_box.setChecked(False)
    _per, shorter = word_counts(example_service, ExportOptions(include_grades=False))
    assert f"{shorter:,} of" in dialog.total_label.text() and shorter < total


def test_over_the_limit_warns_offers_ways_and_allows_export(qtbot, demo_service):
    dialog = ExportDialog(demo_service)
    qtbot.addWidget(dialog)
    _per, total = dialog.counts()
    assert total < WORD_LIMIT  # the demo fits with the default options
    assert dialog.limit_warning.isHidden()
    # Listing evidence and actions in the body takes it over; the dialog says how to get back.
    dialog.evidence_list_box.setChecked(True)
    dialog.action_list_box.setChecked(True)
    _per, longer = dialog.counts()
    assert longer > WORD_LIMIT
    assert not dialog.limit_warning.isHidden()
    assert "over the 5,000-word guidance" in dialog.limit_warning.text()
    assert warning_colour().name() in dialog.total_label.styleSheet()  # red for the palette
    ways = dialog.ways_label.text()
    assert "Leave the evidence lists to the appendix" in ways and "fewer words" in ways
    assert "Leave the action lists to the plan" in ways
    assert "Shorten the longest indicators" in ways
    assert dialog.export_button.isEnabled()
    dialog.evidence_list_box.setChecked(False)
    dialog.action_list_box.setChecked(False)
    assert dialog.ways_label.isHidden()


def test_personal_data_is_listed_and_must_be_dealt_with(qtbot, new_service, tmp_path, save_dialog):
    new_service.update_evaluation("5.1", how_good_now="Mrs Dunn rang on 07700 900123.")
    dialog = ExportDialog(new_service)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.personal_group.isVisible()
    assert dialog.personal_list.count() == 2
    assert "Mrs Dunn" in dialog.personal_list.item(0).text()
    assert "5.1" in dialog.personal_list.item(0).text()
    assert not dialog.export_button.isEnabled()
    # Nothing is written while any remain, even if asked directly.
    dialog.start_export(tmp_path / "blocked.docx")
    assert not dialog.is_running() and not (tmp_path / "blocked.docx").exists()
    dialog.personal_list.setCurrentRow(0)
    dialog.not_personal_button.click()  # remembered in the file
    assert dialog.personal_list.count() == 1
    new_service.update_evaluation("5.1", how_good_now="Mrs Dunn rang.")  # fixed
    dialog.refresh_personal_data()
    assert dialog.personal_group.isHidden() and dialog.export_button.isEnabled()
    save_dialog.append(tmp_path / "ok.docx")
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0] is not None
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert "Update Field" in dialog.status_label.text()
    assert "Tools › Update › Update All" in dialog.status_label.text()


def test_go_to_closes_the_dialog_and_selects_the_words(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    window.service.update_evaluation("5.2", what_next="Ask Baby J's health visitor.")
    dialog = ExportDialog(window.service, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.go_button.click()
    assert not dialog.isVisible()
    assert window.current_indicator_code() == "5.2"
    edit = window.indicator_page.what_next
    assert edit.textCursor().selectedText() == "Baby J"


def test_export_runs_on_a_worker_and_offers_to_open(
    qtbot, example_service, tmp_path, save_dialog, opened, errors
):
    target = tmp_path / "Statement"  # no suffix: .docx is added
    save_dialog.append(target)
    dialog = ExportDialog(example_service)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grades_box.setChecked(False)
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        dialog.export_button.click()
        assert not dialog.close_button.isEnabled()  # busy while the worker runs
    result = blocker.args[0]
    assert result is not None and errors == []
    written = tmp_path / "Statement.docx"
    assert result.path == written and written.exists()
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert dialog.close_button.isEnabled()
    assert dialog.progress_bar.value() == 100
    assert str(written) in dialog.status_label.text()
    assert "Grade:" not in "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
    assert dialog.open_document_button.isVisible() and dialog.open_folder_button.isVisible()
    dialog.open_document_button.click()
    dialog.open_folder_button.click()
    assert opened == [str(written), str(tmp_path)]


def test_a_document_open_in_word_is_explained(qtbot, example_service, tmp_path, errors):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")
    (tmp_path / "~$out.docx").write_bytes(b"owner")
    dialog = ExportDialog(example_service)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        dialog.start_export(target)
    assert blocker.args[0] is None
    assert len(errors) == 1 and "open in Word" in errors[0]
    assert target.read_bytes() == b"old"
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert dialog.export_button.isEnabled()


def test_cancelled_save_dialog_writes_nothing(qtbot, example_service, tmp_path, save_dialog):
    dialog = ExportDialog(example_service)
    qtbot.addWidget(dialog)
    dialog.export_button.click()  # no answer queued: the save dialog was cancelled
    assert not dialog.is_running()
    assert dialog.result_path is None


def test_file_menu_entries(qtbot, window, made_workshop, tmp_path, save_dialog, boxes):
    install_export_actions(window)  # a second install adds nothing
    texts = [a.text().replace("&", "") for a in window.file_menu().actions()]
    for text in (
        "Export position statement…",
        "Export improvement plan as CSV…",
        "Export evidence register as CSV…",
    ):
        assert texts.count(text) == 1
    statement = next(
        a for a in window.file_menu().actions() if a.objectName() == "carequalExportStatement"
    )
    assert statement.shortcut().toString() == "Ctrl+Shift+E"
    assert not statement.isEnabled()  # no workshop yet

    assert window.open_workshop_file(made_workshop)
    assert statement.isEnabled()
    save_dialog.append(tmp_path / "plan.csv")
    next(
        a for a in window.file_menu().actions() if a.objectName() == "carequalExportPlanCsv"
    ).trigger()
    assert (tmp_path / "plan.csv").read_bytes().startswith(b"\xef\xbb\xbfRef,")
    save_dialog.append(tmp_path / "evidence")
    next(
        a for a in window.file_menu().actions() if a.objectName() == "carequalExportEvidenceCsv"
    ).trigger()
    assert (tmp_path / "evidence.csv").exists()
    statement.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_the_window_prepares_the_export_while_it_is_read(
    qtbot, window, made_workshop, tmp_path, save_dialog, errors
):
    from carequal_desktop.reports import chart_images
    from carequal_desktop.ui.dialogs.export_dialog import export_position_statement

    assert window.open_workshop_file(made_workshop)
    chart_images.clear_cache()
    dialog = export_position_statement(window)
    assert dialog is not None
    # Once the window has painted, the imports and charts are prepared on a plain thread.
    qtbot.waitUntil(lambda: chart_images.cached_count() > 0, timeout=30000)
    chart_images.wait_until_ready()
    prepared = chart_images.cached_count()
    save_dialog.append(tmp_path / "prepared.docx")
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0] is not None and errors == []
    assert chart_images.cached_count() == prepared  # the export drew nothing new
    assert len(docx.Document(str(tmp_path / "prepared.docx")).inline_shapes) == prepared
    qtbot.waitUntil(lambda: not dialog.is_running())
    dialog.close()
