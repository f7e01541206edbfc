"""The overview page: counts per indicator, a summary line, and the grades chart."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from carequal_desktop.ui.colours import contrast_ratio
from carequal_desktop.ui.models.overview_table_model import (
    ACTIONS,
    CODE,
    EVIDENCE,
    GRADE,
    STATUS,
)
from carequal_desktop.ui.overview_page import OverviewPage
from carequal_desktop.ui.widgets.grade_chart import GradeChart, bar_colour, label_colour

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


def test_chart_draws_a_bar_for_every_indicator(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    chart = page.chart
    fw = demo_service.framework()
    summaries = demo_service.overview()
    assert [row.code for row in chart.rows()] == [i.code for i in fw.indicators]

    image = chart.grab().toImage()
    assert chart.paint_count > 0
    top = max(level.value for level in fw.scale)
    previous_bottom = -1.0
    for i, s in enumerate(summaries):
        rect = chart.bar_rect(i)
        assert chart.rect().toRectF().contains(rect), s.code
        assert rect.top() >= previous_bottom  # one below the other, in framework order
        previous_bottom = rect.bottom()
        if s.grade is None:
            assert chart.rows()[i].grade_text == "not graded"
            continue
        # The bar's length is its grade on the framework's scale ...
        full = chart.bar_rect(next(j for j, r in enumerate(summaries) if r.grade is None))
        assert abs(rect.width() - full.width() * s.grade / top) < 1.0
        # ... and it is really painted, in its grade's colour.
        inside = rect.center().toPoint()
        inside.setX(round(rect.left() + 3))
        expected = bar_colour(s.grade, top, chart.palette().color(QPalette.ColorRole.Base))
        assert image.pixelColor(inside).name() == expected.name(), s.code
    graded = sum(1 for s in summaries if s.grade is not None)
    assert chart.title() == f"Grades by indicator ({graded} of 22 graded)"


def test_chart_describes_every_grade_in_words(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    chart = page.chart
    fw = demo_service.framework()
    description = chart.accessibleDescription()
    graded = sum(1 for s in demo_service.overview() if s.grade is not None)
    assert chart.accessibleName() == "Chart of grades by indicator"
    assert description.startswith(f"{graded} of 22 indicators graded.")
    for s in demo_service.overview():
        words = f"{s.grade} {fw.level(s.grade).label}" if s.grade else "not graded"
        assert f"{s.code} {s.title}: {words}." in description


def test_chart_follows_changes_on_refresh(qtbot, new_service):
    page = OverviewPage(new_service)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    assert all(row.grade is None for row in page.chart.rows())
    assert page.chart.title() == "Grades by indicator (0 of 22 graded)"
    new_service.update_evaluation("5.2", grade=6)
    page.refresh()
    row = next(r for r in page.chart.rows() if r.code == "5.2")
    assert (row.grade, row.grade_text) == (6, "6 Excellent")
    assert page.chart.title() == "Grades by indicator (1 of 22 graded)"
    assert "5.2 Assessing risk and need: 6 Excellent." in page.chart.accessibleDescription()


def test_clicking_a_bar_opens_its_indicator(qtbot, demo_service):
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    rect = page.chart.bar_rect(3)
    with qtbot.waitSignal(page.indicator_activated) as blocker:
        qtbot.mouseClick(page.chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert blocker.args == [page.chart.rows()[3].code]


@pytest.mark.parametrize("base", ["#ffffff", "#1e1e1e"])
def test_chart_colours_meet_wcag_aa_in_light_and_dark_palettes(qtbot, demo_service, base):
    palette = QPalette()
    text = QColor("#000000" if base == "#ffffff" else "#f0f0f0")
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, text)
    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    page.chart.setPalette(palette)
    page.resize(1300, 700)
    page.show()
    background = QColor(base)
    for grade in range(1, 7):
        fill = bar_colour(grade, 6, background)
        # A grade's words on its bar: AA for normal text.
        assert contrast_ratio(label_colour(fill), fill) >= 4.5, (base, grade)
    # Higher grades stand out more from the background, in either palette.
    contrasts = [contrast_ratio(bar_colour(g, 6, background), background) for g in range(1, 7)]
    assert contrasts == sorted(contrasts)
    # Bars are outlined, codes and words drawn, in the palette's text colour (AA against Base).
    assert contrast_ratio(text, background) >= 4.5
    image = page.chart.grab().toImage()
    assert image.pixelColor(2, 2).name() == background.name()  # the palette's background
    first = page.chart.bar_rect(0)
    assert image.pixelColor(round(first.center().x()), round(first.top())).name() == text.name()


def test_page_does_not_import_matplotlib():
    import subprocess

    code = (
        "import sys\n"
        "import carequal_desktop.ui.overview_page\n"
        "import carequal_desktop.reports.charts\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def a_chart(qtbot, service):
    """The chart on its own, so a test can give it any size."""
    chart = GradeChart()
    qtbot.addWidget(chart)
    chart.set_summaries(service.overview(), service.framework())
    return chart


def test_chart_fits_a_short_screen_by_shrinking_its_text(qtbot, demo_service):
    # 150 % scaling on a 1366x768 laptop leaves about 500 pixels of height for a window.
    chart = a_chart(qtbot, demo_service)
    rows = len(chart.rows())
    chart.resize(300, 600)
    assert chart.minimumSizeHint().height() < rows * chart.fontMetrics().height()
    chart.resize(300, chart.minimumSizeHint().height())
    assert not chart.columns()
    rects = [chart.bar_rect(i) for i in range(rows)]
    for upper, lower in zip(rects, rects[1:], strict=False):
        assert upper.bottom() <= lower.top()  # no bar overlaps the next
    assert all(chart.rect().toRectF().contains(r) for r in rects)
    chart.grab()  # paints without error at that size


def test_a_wide_short_chart_stands_its_bars_up_as_columns(qtbot, demo_service):
    # Table above chart (a projector at 1024x768): no room for a line of text per indicator.
    chart = a_chart(qtbot, demo_service)
    chart.resize(900, 250)
    assert chart.columns()
    assert chart.minimumSizeHint().height() <= 250  # no need to scroll
    summaries = demo_service.overview()
    top = max(level.value for level in demo_service.framework().scale)
    image = chart.grab().toImage()
    full = chart.bar_rect(next(i for i, s in enumerate(summaries) if s.grade is None))
    previous_right = -1.0
    for i, s in enumerate(summaries):
        rect = chart.bar_rect(i)
        assert chart.rect().toRectF().contains(rect), s.code
        assert rect.left() >= previous_right  # side by side, in framework order
        previous_right = rect.right()
        assert rect.bottom() == full.bottom()  # all standing on the axis
        if s.grade is not None:
            assert abs(rect.height() - full.height() * s.grade / top) < 1.0
            inside = rect.center().toPoint()
            inside.setY(round(rect.bottom() - 3))
            expected = bar_colour(s.grade, top, chart.palette().color(QPalette.ColorRole.Base))
            assert image.pixelColor(inside).name() == expected.name(), s.code
    with qtbot.waitSignal(chart.indicator_clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.bar_rect(5).center().toPoint())
    assert blocker.args == [summaries[5].code]
    chart.resize(450, 600)  # narrow and tall again: rows
    assert not chart.columns()
