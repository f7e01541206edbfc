"""The evidence register page, driven as a facilitator would."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs import evidence_dialog
from carequal_desktop.ui.evidence_page import EvidencePage
from carequal_desktop.ui.models.evidence_table_model import REF, SHARE, SORT_ROLE

# The offscreen platform says this whenever a top-level window is shown.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot, demo_service):
    page = EvidencePage(demo_service)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def shown_refs(page: EvidencePage) -> list[str]:
    return [page.proxy.index(r, REF).data() for r in range(page.proxy.rowCount())]


def test_lists_the_register_with_share_words(page, demo_service):
    total = len(demo_service.evidence())
    assert page.proxy.rowCount() == total
    assert page.count_label.text() == f"Showing all {total} items"
    with_share = next(e for e in demo_service.evidence() if e.share_percent is not None)
    row = shown_refs(page).index(with_share.ref)
    assert page.proxy.index(row, SHARE).data() == with_share.share_text
    assert " — " in with_share.share_text


def test_add_evidence_through_the_dialog(qtbot, monkeypatch, new_service, answer_dialog):
    page = EvidencePage(new_service)
    qtbot.addWidget(page)
    assert "No evidence yet" in page.count_label.text()

    def fill_and_save(dialog) -> None:  # type: ignore[no-untyped-def]
        assert "will be E1" in dialog.ref_label.text()
        qtbot.keyClicks(dialog.title_edit, "IRDs within timescale")
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("performance_data"))
        qtbot.keyClicks(dialog.agency_combo.lineEdit(), "Police Scotland")
        dialog.no_share_box.setChecked(False)
        dialog.share_spin.setValue(81)
        dialog.indicator_list.set_code_checked("5.2")
        dialog.accept()

    answer_dialog(evidence_dialog.EvidenceDialog, fill_and_save)
    saved = page.new_evidence()

    assert saved is not None and saved.ref == "E1"
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, SHARE).data() == "81% — most"
    assert page.selected_evidence().id == saved.id
    assert "IRDs within timescale" in page.detail.toPlainText()


def test_filter_by_text_kind_agency_and_indicator(page, demo_service):
    items = demo_service.evidence()
    total = len(items)

    page.search_edit.setText("survey")
    expected = [
        e.ref
        for e in items
        if "survey" in f"{e.ref} {e.title} {e.description} {e.agency} {e.location}".casefold()
    ]
    assert shown_refs(page) == expected
    assert page.count_label.text() == f"Showing {len(expected)} of {total}"

    page.search_edit.setText("E11")  # a reference is searchable too
    assert "E11" in shown_refs(page)
    page.search_edit.clear()

    page.kind_combo.setCurrentIndex(page.kind_combo.findData("record_reading"))
    assert shown_refs(page) == [e.ref for e in items if e.kind == "record_reading"]
    page.kind_combo.setCurrentIndex(0)

    agency = items[0].agency
    page.agency_combo.setCurrentIndex(page.agency_combo.findData(agency))
    assert shown_refs(page) == [e.ref for e in items if e.agency == agency]
    page.agency_combo.setCurrentIndex(0)

    page.indicator_combo.setCurrentIndex(page.indicator_combo.findData("5.2"))
    assert shown_refs(page) == [e.ref for e in items if "5.2" in e.indicators]

    # Criteria combine.
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("staff_survey"))
    assert shown_refs(page) == [
        e.ref for e in items if "5.2" in e.indicators and e.kind == "staff_survey"
    ]

    page.clear_filters()
    assert page.proxy.rowCount() == total


def test_search_matches_every_word_in_any_order(page):
    page.search_edit.setText("no such words anywhere")
    assert page.proxy.rowCount() == 0
    assert page.count_label.text().startswith("Showing 0 of")


def test_sort_by_reference_is_numeric(page):
    header = page.table.horizontalHeader()
    page.table.sortByColumn(REF, header.sortIndicatorOrder().DescendingOrder)
    refs = shown_refs(page)
    assert refs[0] == f"E{len(refs)}"
    page.table.sortByColumn(REF, header.sortIndicatorOrder().AscendingOrder)
    refs = shown_refs(page)
    assert refs[:2] == ["E1", "E2"] and refs.index("E2") < refs.index("E10")
    assert page.proxy.index(0, REF).data(SORT_ROLE) == 1


def test_sort_by_share_is_numeric(page):
    page.table.sortByColumn(
        SHARE, page.table.horizontalHeader().sortIndicatorOrder().DescendingOrder
    )
    shares = [
        page.model.evidence_at(page.proxy.mapToSource(page.proxy.index(r, 0)).row()).share_percent
        for r in range(page.proxy.rowCount())
    ]
    numbers = [s for s in shares if s is not None]
    assert numbers == sorted(numbers, reverse=True)
    assert shares[-1] is None  # items without a share go last when sorted high to low


def test_delete_cited_evidence_asks_and_says_where(page, demo_service, monkeypatch):
    cited = next(e for e in demo_service.evidence() if e.indicators)
    questions: list[str] = []
    answer = [False]

    def ask(parent, text, title="CareQual", **kwargs):
        questions.append(text)
        assert kwargs.get("destructive") is True
        return answer[0]

    monkeypatch.setattr(messages, "ask", ask)
    assert page.select_evidence(cited.id)

    page.delete_button.click()
    assert len(questions) == 1
    code = cited.indicators[0]
    assert f"linked to indicator {code}" in questions[0]
    assert cited.ref in questions[0]
    assert demo_service.evidence_item(cited.id)  # cancelled: still there

    answer[0] = True
    page.delete_button.click()
    assert cited.ref not in shown_refs(page)
    assert all(e.id != cited.id for e in demo_service.evidence())
    assert page.selected_evidence() is not None  # the next item takes its place


def test_delete_key_and_enter_from_the_table(qtbot, page, monkeypatch):
    from PySide6.QtCore import Qt

    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda *a, **k: asked.append(a[1]) or False)
    opened: list[str] = []

    class FakeDialog:
        def __init__(self, service, parent=None, evidence=None, **kwargs):
            opened.append(evidence.ref)
            self.saved = None

        def exec(self) -> int:
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr(evidence_dialog, "EvidenceDialog", FakeDialog)
    page.table.setFocus()
    page.table.selectRow(2)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == ["E3"]
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "E3" in asked[0]


def test_edit_keeps_filters_and_selection(qtbot, page, demo_service, answer_dialog):
    item = demo_service.evidence()[4]
    page.search_edit.setText(item.title)
    assert page.select_evidence(item.id)

    def change(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.location_edit.setText("Shared drive")
        dialog.accept()

    answer_dialog(evidence_dialog.EvidenceDialog, change)
    page.edit_selected()
    assert demo_service.evidence_item(item.id).location == "Shared drive"
    assert page.search_edit.text() == item.title
    assert page.selected_evidence().id == item.id


def test_filtering_five_thousand_items_finds_the_one(qtbot, new_service):
    # Speed is measured by benchmarks/bench_large.py, not here.
    from carequal_desktop.domain import records as rec

    page = EvidencePage(new_service)
    qtbot.addWidget(page)
    items = [
        rec.Evidence(
            id=str(n),
            ref=f"E{n}",
            title=f"Item {n} about chronologies",
            kind="document",
            agency=("Police Scotland", "NHS board")[n % 2],
            indicators=["5.1"] if n % 3 else [],
            description="A description of some length " * 4,
        )
        for n in range(1, 5001)
    ]
    page.model.set_evidence(items)
    page.proxy.refilter()
    page.search_edit.setText("item 4999")
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, 0).data() == "E4999"
