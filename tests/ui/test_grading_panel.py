"""The grading panel: three agencies propose, the room sees the grades together, the team
agrees a grade with a dissent, and it is all there after the file is opened again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui.indicator_page import IndicatorPage


@pytest.fixture
def team_path(workshop_path):
    service = WorkshopService.create(workshop_path, title="Glen 2026", partnership="Glen")
    for name, agency in [
        ("Aileen", "Council social work"),
        ("Bashir", "NHS Glen"),
        ("Cara", "Police Scotland"),
    ]:
        service.add_participant(name, agency)
    service.update_evaluation("5.2", previous_grade=4)
    service.close()
    return workshop_path


def _page(qtbot, service):
    page = IndicatorPage(service)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.show_indicator("5.2")
    return page


def test_three_agencies_reveal_disagree_agree_and_dissent(qtbot, team_path):
    service = WorkshopService.open(team_path)
    page = _page(qtbot, service)
    panel = page.grading_panel
    assert panel.hide_check.isChecked()  # a new round starts hidden
    assert "0 of 3 agencies" in panel.progress_label.text()

    for who, grade, note in [
        ("Council social work", 3, "Chronologies still patchy"),
        ("NHS Glen", 3, ""),
        ("Police Scotland", 5, "IRDs on time"),
    ]:
        panel.choose(who, grade, note)
        with qtbot.waitSignal(panel.changed, timeout=2000):
            qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
        # The form is cleared, so the next agency does not see this grade.
        assert panel.grade_combo.currentData() is None and panel.note_edit.text() == ""

    texts = [panel.proposals_list.item(i).text() for i in range(panel.proposals_list.count())]
    assert all("hidden" in t for t in texts) and not any("Very good" in t for t in texts)
    assert not panel.chart.isVisibleTo(page)
    assert "3 of 3 agencies" in panel.progress_label.text()
    assert page.status_combo.currentData() == "in_progress"

    with qtbot.waitSignal(panel.changed, timeout=2000):
        qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    texts = [panel.proposals_list.item(i).text() for i in range(panel.proposals_list.count())]
    assert texts[2] == "Police Scotland: 5 Very good — IRDs on time"
    assert panel.chart.isVisibleTo(page)
    assert "range 3 Adequate to 5 Very good; median 3 Adequate" in panel.summary_label.text()
    flag = panel.disagreement_label.text()
    assert flag.startswith("⚠ Disagreement:") and "2 grades apart" in flag  # words, not colour
    assert "background" in panel.disagreement_label.styleSheet()

    # The team agrees a grade, says why, and Police Scotland's dissent goes in its own words.
    page.set_grade(3)
    qtbot.keyClicks(page.rationale, "Plans vary too much in quality.")
    page.flush()
    agreement = page.agreement_panel
    assert "Previous cycle: 4 Good; now 3 Adequate (▼ down 1)" in agreement.previous_label.text()
    agreement.dissent_who.setEditText("Police Scotland")
    agreement.dissent_text.setPlainText("We consider it good: IRDs are held on time.")
    with qtbot.waitSignal(agreement.changed, timeout=2000):
        qtbot.mouseClick(agreement.save_dissent_button, Qt.MouseButton.LeftButton)
    assert agreement.dissent_list.item(0).text() == (
        "Police Scotland: We consider it good: IRDs are held on time."
    )
    page.close()
    service.close()

    # Reopen the file: everything is still there, and the grades are still revealed.
    again = WorkshopService.open(team_path)
    try:
        page = _page(qtbot, again)
        view = GradingService(again).view("5.2")
        assert [(p.agency, p.grade) for p in view.proposals] == [
            ("Council social work", 3),
            ("NHS Glen", 3),
            ("Police Scotland", 5),
        ]
        assert not view.hidden and view.agreed == 3 and view.previous == 4
        assert view.rationale == "Plans vary too much in quality."
        assert [(d.agency, d.text) for d in view.dissents] == [
            ("Police Scotland", "We consider it good: IRDs are held on time.")
        ]
        assert page.grading_panel.disagreement_label.text().startswith("⚠ Disagreement:")
        assert page.agreement_panel.dissent_list.count() == 1
        assert page.grade() == 3
    finally:
        again.close()


def test_a_proposal_needs_an_agency_and_a_grade(qtbot, team_path, boxes):
    service = WorkshopService.open(team_path)
    try:
        panel = _page(qtbot, service).grading_panel
        panel.choose("", 4)
        panel.record()
        panel.choose("NHS Glen", None)
        panel.record()
        assert boxes.texts() == [
            "Choose the agency or member proposing the grade.",
            "Choose the grade they propose.",
        ]
        assert GradingService(service).view("5.2").proposals == []
    finally:
        service.close()


def test_read_only_file_shows_but_does_not_edit(qtbot, demo_service, tmp_path):
    path = demo_service.path
    demo_service.close()
    service = WorkshopService.open(path, read_only=True)
    try:
        page = IndicatorPage(service)
        qtbot.addWidget(page)
        page.show_indicator("5.3")
        assert not page.grading_panel.record_button.isEnabled()
        assert not page.agreement_panel.save_dissent_button.isEnabled()
        assert page.grading_panel.proposals_list.count() == 5
        assert (
            page.agreement_panel.dissent_list.item(0)
            .text()
            .startswith("No agency named: Police Scotland considered")
        )
    finally:
        service.close()


def test_overview_shows_change_and_agency_views_and_sorts_by_them(qtbot, demo_service):
    from carequal_desktop.ui.models.overview_table_model import CHANGE, CODE, GRADE, VIEWS
    from carequal_desktop.ui.overview_page import OverviewPage

    page = OverviewPage(demo_service)
    qtbot.addWidget(page)
    model = page.model
    rows = {model.index(r, CODE).data(): r for r in range(model.rowCount())}
    assert model.index(rows["5.1"], CHANGE).data() == "▲ up from 4"
    assert model.index(rows["6.4"], CHANGE).data() == "▼ down from 3"
    assert model.index(rows["5.3"], CHANGE).data() == "= same"
    # The grade itself carries the arrow (the Change column is hidden to fit the chart).
    assert model.index(rows["5.1"], GRADE).data() == "5 Very good ▲"
    assert model.index(rows["6.4"], GRADE).data() == "2 Weak ▼"
    assert model.index(rows["5.3"], GRADE).data() == "3 Adequate"
    assert model.index(rows["5.3"], VIEWS).data() == "⚠ 3–4"
    assert model.index(rows["2.1"], VIEWS).data() == "⚠ 3–4"
    assert model.index(rows["7.2"], VIEWS).data() == "5–6"

    view = page.sorted_model
    page.table.sortByColumn(VIEWS, Qt.SortOrder.DescendingOrder)
    top = [view.index(r, VIEWS).data() for r in range(3)]
    assert all(t.startswith("⚠") for t in top)
    page.table.sortByColumn(CHANGE, Qt.SortOrder.DescendingOrder)
    assert view.index(0, CHANGE).data().startswith("▲")
    page.table.sortByColumn(GRADE, Qt.SortOrder.DescendingOrder)
    assert view.index(0, GRADE).data() == "6 Excellent ▲"
    # The same sorts are in the table's context menu, for the keyboard.
    actions = {a.text(): a for a in page.table.actions()}
    actions["Sort by agency views, disagreement first"].trigger()
    assert view.index(0, VIEWS).data().startswith("⚠")
    actions["Sort in framework order"].trigger()
    assert view.index(0, CODE).data() == "1.1"
    actions["Sort by grade, highest first"].trigger()
    # Opening from a sorted table opens the indicator on that row.
    with qtbot.waitSignal(page.indicator_activated) as blocker:
        page.table.doubleClicked.emit(view.index(0, 1))
    assert blocker.args == ["7.2"]


def test_previous_grade_can_be_corrected(qtbot, team_path):
    service = WorkshopService.open(team_path)
    try:
        page = _page(qtbot, service)
        combo = page.agreement_panel.previous_combo
        assert combo.currentData() == 4
        combo.setCurrentIndex(combo.findData(2))
        with qtbot.waitSignal(page.agreement_panel.changed, timeout=2000):
            combo.activated.emit(combo.currentIndex())
        assert service.evaluation("5.2").previous_grade == 2
        assert page.agreement_panel.previous_label.text() == "Previous cycle: 2 Weak."
    finally:
        service.close()
