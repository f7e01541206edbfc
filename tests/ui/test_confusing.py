"""The issue's "Confusing" list (issue 13), each reproduced and now right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea

from carequal_desktop.services.demo import demo_path


def test_clicking_a_register_row_selects_it_for_the_detail_pane_and_buttons(window, qtbot) -> None:
    window.open_workshop_file(demo_path(), interactive=False)
    window.show_page("evidence")
    page = window.pages["evidence"]
    assert not page.edit_button.isEnabled()
    rect = page.table.visualRect(page.proxy.index(2, 1))
    QTest.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = page.selected_evidence()
    assert chosen is not None
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()
    assert page.detail.toPlainText().startswith(f"{chosen.ref} {chosen.title}")


def test_register_titles_are_not_cut_at_35_characters(window) -> None:
    window.resize(1366, 768)
    window.open_workshop_file(demo_path(), interactive=False)
    window.show_page("evidence")
    page = window.pages["evidence"]
    assert (
        page.table.verticalHeader().defaultSectionSize()
        >= 2 * page.table.fontMetrics().lineSpacing()
    )
    title = page.proxy.index(0, 1).data()
    assert len(title) > 35 and page.proxy.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).count(
        title[:50]
    )


def test_action_references_read_as_actions_not_indicator_codes(window) -> None:
    window.open_workshop_file(demo_path(), interactive=False)
    code = window.service.actions()[0].indicators[0]
    window.show_indicator(code)
    lst = window.indicator_page.action_list
    assert lst.item(0).text().startswith("Action ")
    window.show_page("plan")
    from carequal_desktop.ui.models.plan_table_model import REF

    model = window.pages["plan"].model
    refs = [model.index(r, REF).data() for r in range(model.rowCount()) if not model.is_group(r)]
    assert refs and all(r.startswith("Action ") for r in refs)


def test_the_suggested_file_name_is_cut_between_words() -> None:
    from carequal_desktop.ui.dialogs.export_dialog import safe_file_name

    title = (
        "Glenmuir Community Planning Partnership multi-agency self-evaluation of services "
        "for children at risk of harm"
    )
    name = safe_file_name(title, ".docx")
    stem = name.removesuffix(".docx")
    assert len(stem) <= 80
    assert title.startswith(stem) and title[len(stem)] == " "  # ends on a whole word


def test_export_dialog_grows_to_show_the_result_rather_than_overlap(
    window, qtbot, tmp_path: Path
) -> None:
    from carequal_desktop.reports.position_statement import ExportResult
    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

    window.open_workshop_file(demo_path(), interactive=False)
    dialog = ExportDialog(window.service, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog._on_succeeded(
        ExportResult(tmp_path / "statement.docx", ["A long warning " * 8, "Another one " * 8], 4321)
    )
    from carequal_desktop.ui.dialogs._fit import available_size

    wanted = min(dialog.sizeHint().height(), available_size(dialog).height())
    qtbot.waitUntil(lambda: dialog.height() >= wanted)
    # Everything the dialog holds is shown at its full height, or it scrolls.
    scroll = dialog.findChild(QScrollArea, "fitScroll")
    assert scroll is not None or dialog.height() >= dialog.layout().totalMinimumSize().height()
