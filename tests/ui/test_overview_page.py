"""The overview page: counts per indicator, a summary line, and the grades chart."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.ui.models.overview_table_model import (
    ACTIONS,
    CODE,
    EVIDENCE,
    GRADE,
    STATUS,
)
from carequal_desktop.ui.overview_page import OverviewPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_every_indicator_with_its_counts(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    summaries = demo_service.overview()
    fw = demo_service.framework()
    assert page.model.rowCount() == len(fw.indicators)
    for row, s in enumerate(summaries):
        assert page.model.index(row, CODE).data() == s.code == fw.indicators[row].code
        assert page.model.index(row, EVIDENCE).data() == str(s.evidence_count)
        assert page.model.index(row, ACTIONS).data() == str(s.action_count)
        grade = page.model.index(row, GRADE).data()
        if s.grade is None:
            assert grade == "Not yet graded"
        else:
            # ▲ or ▼ follows a grade that moved since the previous cycle (issue 10).
            assert grade.removesuffix(" ▲").removesuffix(" ▼") == (
                f"{s.grade} {fw.level(s.grade).label}"
            )
    statuses = {page.model.index(r, STATUS).data() for r in range(page.model.rowCount())}
    assert statuses <= {"Not started", "In progress", "Agreed"}

    agreed = sum(1 for s in summaries if s.status == "agreed")
    evidence = len(demo_service.evidence())
    actions = demo_service.actions()
    overdue = sum(1 for a in actions if a.is_overdue())
    text = page.summary_label.text()
    assert text.startswith(f"{agreed} of {len(summaries)} agreed")
    assert f"{evidence} evidence items" in text
    assert f"{len(actions)} actions" in text
    if overdue:
        assert f"{overdue} overdue" in text


def test_counts_follow_changes_on_refresh(qtbot, new_service):
    page = OverviewPage(new_service)
    qtbot.addWidget(page)
    assert page.summary_label.text() == "0 of 22 agreed · 0 graded · 0 evidence items · 0 actions"
    new_service.add_evidence("Staff survey", "staff_survey", indicators=["5.1"])
    new_service.update_evaluation("5.1", grade=4, status="agreed")
    page.refresh()
    row = [page.model.index(r, CODE).data() for r in range(page.model.rowCount())].index("5.1")
    assert page.model.index(row, EVIDENCE).data() == "1"
    assert page.model.index(row, GRADE).data() == "4 Good"
    assert page.summary_label.text().startswith("1 of 22 agreed · 1 graded · 1 evidence item ·")


def test_double_click_or_enter_opens_the_indicator(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    page.show()
    page.table.setFocus()
    page.table.selectRow(5)
    code = page.model.index(5, CODE).data()
    with qtbot.waitSignal(page.indicator_activated) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [code]
    with qtbot.waitSignal(page.indicator_activated) as blocker:
        page.table.doubleClicked.emit(page.model.index(2, 1))
    assert blocker.args == [page.model.index(2, CODE).data()]


def test_chart_is_made_when_first_shown(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    assert page.chart_canvas is None  # nothing drawn while hidden
    page.resize(1300, 700)
    page.show()
    qtbot.waitUntil(lambda: page.chart_canvas is not None)
    assert "matplotlib.backends.backend_qtagg" in sys.modules
    assert page.chart_canvas.isVisibleTo(page)
    ax = page.chart_canvas.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [i.code for i in demo_service.framework().indicators]

    # A change redraws the same canvas.
    canvas = page.chart_canvas
    demo_service.update_evaluation(demo_service.framework().indicators[-1].code, grade=6)
    page.refresh()
    qtbot.waitUntil(lambda: not page._chart_stale)
    assert page.chart_canvas is canvas
    title = page.chart_canvas.figure.axes[0].get_title(loc="left")
    graded = sum(1 for s in demo_service.overview() if s.grade is not None)
    assert title == f"Grades by indicator ({graded} of 22 graded)"


def test_page_does_not_import_matplotlib_until_shown():
    import subprocess

    code = (
        "import sys\n"
        "import carequal_desktop.ui.overview_page\n"
        "import carequal_desktop.reports.charts\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
