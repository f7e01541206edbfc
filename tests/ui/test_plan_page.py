"""The improvement plan page: grouped by statement, overdue marked, add, edit and delete."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs import action_dialog
from carequal_desktop.ui.models.plan_table_model import (
    ACTION_ROLE,
    DUE,
    GROUP_ROLE,
    OVERDUE_ROLE,
    REF,
    TASK,
)
from carequal_desktop.ui.plan_page import PlanPage
from carequal_desktop.ui.widgets.eliding import wrap_elided

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot, demo_service):
    page = PlanPage(demo_service)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def layout(page: PlanPage) -> list[tuple[str, object]]:
    """("group", statement) and ("action", ref) in the order the table shows them."""
    rows = []
    for r in range(page.model.rowCount()):
        if page.model.is_group(r):
            rows.append(("group", page.model.index(r, 0).data(GROUP_ROLE)))
        else:
            rows.append(("action", page.model.index(r, REF).data().removeprefix("Action ")))
    return rows


def test_actions_are_grouped_under_statement_headings(page, demo_service):
    rows = layout(page)
    actions = demo_service.actions()
    assert sum(1 for kind, _ in rows if kind == "action") == len(actions)
    statements = [value for kind, value in rows if kind == "group"]
    numbered = [s for s in statements if s is not None]
    assert numbered == sorted(numbered) and len(set(statements)) == len(statements)
    current = None
    by_ref = {a.ref: a for a in actions}
    for kind, value in rows:
        if kind == "group":
            current = value
        else:
            assert by_ref[value].statement == current
    # Each heading spans the table and names its statement.
    first_group = page.model.group_rows()[0]
    assert page.table.columnSpan(first_group, 0) == page.model.columnCount()
    heading = page.model.index(first_group, 0).data()
    assert heading.startswith("Statement 1: Children and young people are safer")
    assert "actions" in heading


def test_statement_filter_and_overdue_filter(page, demo_service):
    page.statement_combo.setCurrentIndex(page.statement_combo.findData(2))
    rows = layout(page)
    assert rows[0] == ("group", 2)
    assert all(kind == "action" for kind, _ in rows[1:])
    expected = [a.ref for a in demo_service.actions() if a.statement == 2]
    assert [v for _, v in rows[1:]] == expected
    assert page.count_label.text().startswith(f"Showing {len(expected)} of")

    page.statement_combo.setCurrentIndex(0)
    page.overdue_box.setChecked(True)
    overdue = [a.ref for a in demo_service.actions() if a.is_overdue()]
    assert sorted(v for k, v in layout(page) if k == "action") == sorted(overdue)


def test_overdue_actions_are_marked_in_words_colour_and_bold(qtbot, new_service):
    past = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    late = new_service.add_action("Late task", statement=1, due=past, status="in_progress")
    new_service.add_action("Done task", statement=1, due=past, status="complete")
    new_service.add_action("Future task", statement=2, due=future)
    page = PlanPage(new_service)
    qtbot.addWidget(page)

    row = page.model.row_of(late.id)
    due = page.model.index(row, DUE)
    assert "Overdue" in due.data()
    assert due.data(OVERDUE_ROLE) is True
    assert due.data(Qt.ItemDataRole.FontRole).bold()
    assert due.data(Qt.ItemDataRole.ForegroundRole) is not None
    for other in new_service.actions():
        if other.id != late.id:
            index = page.model.index(page.model.row_of(other.id), DUE)
            assert "Overdue" not in index.data()
    assert page.count_label.text() == "3 actions, 1 overdue"


def test_add_action_through_the_dialog(qtbot, new_service, answer_dialog):
    page = PlanPage(new_service)
    qtbot.addWidget(page)
    assert "No actions yet" in page.count_label.text()
    page.statement_combo.setCurrentIndex(page.statement_combo.findData(3))

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.statement() == 3 and dialog.ref_edit.text() == "3.1"
        qtbot.keyClicks(dialog.task_edit, "Run a young people's panel")
        qtbot.keyClicks(dialog.target_edit, "Panel meets quarterly")
        dialog.accept()

    answer_dialog(action_dialog.ActionDialog, fill)
    saved = page.new_action()
    assert saved is not None and saved.ref == "3.1"
    assert layout(page) == [("group", 3), ("action", "3.1")]
    assert page.selected_action().id == saved.id
    assert page.model.index(1, TASK).data() == "Run a young people's panel"
    assert "Panel meets quarterly" in page.detail.toPlainText()


def test_edit_selected_action(qtbot, page, demo_service, answer_dialog):
    action = demo_service.actions()[0]
    assert page.select_action(action.id)

    def change(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("complete"))
        dialog.accept()

    answer_dialog(action_dialog.ActionDialog, change)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert demo_service.action(action.id).status == "complete"
    assert page.selected_action().status == "complete"


def test_delete_asks_first(page, demo_service, monkeypatch):
    action = demo_service.actions()[0]
    asked: list[str] = []
    answers = iter([False, True])
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title="", **kw: asked.append(text) or next(answers)
    )
    page.select_action(action.id)
    page.delete_button.click()
    assert len(asked) == 1 and action.ref in asked[0]
    assert demo_service.action(action.id)
    page.delete_button.click()
    assert all(a.id != action.id for a in demo_service.actions())
    assert page.model.row_of(action.id) == -1
    assert page.selected_action() is not None


def test_headings_cannot_be_selected_or_edited(page):
    group = page.model.group_rows()[0]
    page.table.selectRow(group)
    assert page.selected_action() is None
    assert not page.edit_button.isEnabled()
    assert page.model.index(group, 0).data(ACTION_ROLE) is None


def test_long_text_is_cut_on_a_whole_line_with_an_ellipsis(qtbot, page):
    metrics = page.table.fontMetrics()
    width = metrics.horizontalAdvance("x" * 20)
    text = "word " * 60
    wrapped = wrap_elided(text, metrics, width, 3)
    lines = wrapped.split("\u2028")
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(metrics.horizontalAdvance(line) <= width for line in lines)
    assert wrap_elided("short text", metrics, width, 3) == "short text"
