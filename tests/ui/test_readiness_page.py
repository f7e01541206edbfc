"""The Readiness and Position statement pages in the real window."""

from __future__ import annotations

from carequal_desktop.services.readiness import ReadinessService


def test_readiness_lists_findings_and_goes_to_them(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    s = window.service
    s.update_evaluation("5.1", grade=4, how_good_now="We met Jack Smith (aged 4) at home.")
    s.add_action("Audit chronologies", statement=1, indicators=["5.1"])
    window.show_page("readiness")
    page = window.pages["readiness"]
    kinds = [f.kind for f in page.model.findings]
    assert kinds == ["personal_data", "ungrounded_grade", "smart_gap"]
    assert "1 possible personal detail" in page.summary_label.text()
    assert page.not_personal_button.isEnabled()  # the first row is personal data
    # Filter by kind.
    page.kind_box.setCurrentIndex(page.kind_box.findData("smart_gap"))
    assert [f.kind for f in page.model.findings] == ["smart_gap"]
    assert not page.not_personal_button.isEnabled()
    page.go_button.click()
    assert window.current_page_key() == "plan"
    window.show_page("readiness")
    page.kind_box.setCurrentIndex(0)
    page.table.selectRow(0)
    page.go_button.click()
    assert window.current_indicator_code() == "5.1"
    assert window.indicator_page.how_good_now.textCursor().selectedText() == "Jack Smith (aged 4)"


def test_not_personal_is_remembered(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    window.service.update_details(context="Mrs Gold chairs the CPC.")
    window.show_page("readiness")
    page = window.pages["readiness"]
    assert [f.text for f in page.model.findings] == ["Mrs Gold"]
    page.table.selectRow(0)
    page.not_personal_button.click()
    assert page.model.findings == []
    assert ReadinessService(window.service).personal_data() == []


def test_stale_setting_and_triangulation(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    s = window.service
    s.add_session("2026-10-01")
    s.update_evaluation("5.1", grade=4)
    s.add_evidence("Audit", "document", indicators=["5.1"], agency="NHS board", date="2025-06-01")
    window.show_page("readiness")
    page = window.pages["readiness"]
    assert "stale_evidence" not in [f.kind for f in page.model.findings]
    page.stale_spin.setValue(12)
    page.stale_spin.editingFinished.emit()
    assert "stale_evidence" in [f.kind for f in page.model.findings]
    assert ReadinessService(s).stale_months() == 12
    table = page.triangulation_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text().startswith("5.1 "))
    headers = [
        table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())
    ]
    assert table.item(row, headers.index("Documents")).text() == "1"
    assert table.item(row, headers.index("Numbers")).text() == "none"
    assert table.item(row, headers.index("Agencies")).text() == "1"


def test_statement_page_saves_texts_and_document_control(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    s = window.service
    s.update_evaluation("5.1", grade=5)
    s.add_item("5.1", "strength", "Early help works")
    window.show_page("statement")
    page = window.pages["statement"]
    page.fill_draft("summary-1")
    assert page.summary_edits[1].toPlainText().startswith("We evaluated 5.1 as very good.")
    page.key_messages.setPlainText("- Children are safer.")
    page.flush()
    page.version_edit.setText("0.5")
    page.approved_edit.setText("COG")
    page.status_box.setCurrentIndex(page.status_box.findData("for_sign_off"))
    page.approved_edit.editingFinished.emit()
    ready = ReadinessService(s)
    texts = ready.statement_texts()
    assert texts.key_messages == "- Children are safer."
    assert texts.summaries[1].startswith("We evaluated 5.1")
    control = ready.document_control()
    assert (control.version, control.status, control.approved_by) == ("0.5", "for_sign_off", "COG")
    page.date_edit.setText("not a date")
    page.date_edit.editingFinished.emit()
    assert ready.document_control().evaluation_date is None


def test_go_to_a_statement_text(qtbot, window, made_workshop):
    from carequal_desktop.ui.readiness_page import go_to_finding

    assert window.open_workshop_file(made_workshop)
    ready = ReadinessService(window.service)
    ready.update_summary(3, "Families said Mr Brown listened.")
    (finding,) = ready.personal_data()
    go_to_finding(window, finding)
    assert window.current_page_key() == "statement"
    assert window.pages["statement"].summary_edits[3].textCursor().selectedText() == "Mr Brown"


def test_go_to_evidence_and_workshop_context(qtbot, window, made_workshop):
    from carequal_desktop.ui.readiness_page import go_to_finding

    assert window.open_workshop_file(made_workshop)
    s = window.service
    item = s.add_evidence("Case note", "record_reading", description="Seen at 12 Main Street.")
    s.update_details(context="Ring 07700 900123 for the CPC.")
    ready = ReadinessService(s)
    by_field = {f.field: f for f in ready.personal_data()}
    go_to_finding(window, by_field["description"])
    assert window.current_page_key() == "evidence"
    assert window.pages["evidence"].selected_evidence().id == item.id
    go_to_finding(window, by_field["context"])
    assert window.current_page_key() == "team"
    assert window.pages["team"].context_edit.textCursor().selectedText() == "07700 900123"
