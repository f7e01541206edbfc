"""The readiness checks on constructed workshops: each kind found, and what must not be flagged.

Every test runs on both engines; the command-line ones name a file or a server location.
"""

from __future__ import annotations

import json

import pytest

from carequal_desktop.cli import main
from carequal_desktop.services.readiness import ReadinessService


def kinds_at(findings, kind):
    return [f for f in findings if f.kind == kind]


@pytest.fixture
def ready(new_service):
    return ReadinessService(new_service)


def test_ungrounded_grade_and_not_when_evidence_is_linked(new_service, ready):
    new_service.update_evaluation("5.1", grade=4)
    new_service.update_evaluation("5.2", grade=5)
    new_service.add_evidence(
        "IRD audit", "record_reading", indicators=["5.2"], agency="Police Scotland"
    )
    new_service.add_evidence("Staff survey", "staff_survey", indicators=["5.2"], agency="NHS board")
    found = kinds_at(ready.findings(), "ungrounded_grade")
    assert [(f.indicator, f.field) for f in found] == [("5.1", "grade")]
    # An ungraded indicator with no evidence is not a finding.
    assert all(f.indicator != "5.3" for f in ready.findings())


def test_single_source_and_single_agency(new_service, ready):
    new_service.update_evaluation("5.1", grade=4)
    new_service.add_evidence("Staff survey", "staff_survey", indicators=["5.1"], agency="NHS board")
    new_service.add_evidence("Focus group", "focus_group", indicators=["5.1"], agency="NHS board")
    found = ready.findings()
    assert [f.indicator for f in kinds_at(found, "single_source")] == ["5.1"]
    assert [f.indicator for f in kinds_at(found, "single_agency")] == ["5.1"]
    # Numbers from another agency answer both.
    new_service.add_evidence(
        "Data", "performance_data", indicators=["5.1"], agency="Police Scotland"
    )
    found = ready.findings()
    assert not kinds_at(found, "single_source") and not kinds_at(found, "single_agency")


def test_joint_evidence_is_not_single_agency(new_service, ready):
    new_service.update_evaluation("5.3", grade=3)
    new_service.add_evidence(
        "Joint record reading",
        "record_reading",
        indicators=["5.3"],
        agency="Partnership (multi-agency)",
    )
    new_service.add_evidence(
        "Observation", "observation", indicators=["5.3"], agency="Partnership (multi-agency)"
    )
    assert not kinds_at(ready.findings(), "single_agency")


def test_stale_evidence_uses_the_latest_session_and_the_setting(new_service, ready):
    new_service.add_session("2026-05-12")
    new_service.add_session("2026-10-01")
    old = new_service.add_evidence("Old audit", "document", date="2024-09-30")
    new_service.add_evidence("Recent audit", "document", date="2024-10-01")
    new_service.add_evidence("Undated audit", "document")
    found = kinds_at(ready.findings(), "stale_evidence")
    assert [f.evidence for f in found] == [old.ref]
    ready.set_stale_months(12)
    assert len(kinds_at(ready.findings(), "stale_evidence")) == 2
    assert ready.stale_months() == 12


def test_agreed_incomplete(new_service, ready):
    new_service.update_evaluation("5.1", status="agreed", how_good_now="Good.", grade=4)
    new_service.update_evaluation(
        "5.2",
        status="agreed",
        how_good_now="Good.",
        how_do_we_know="Audit.",
        what_next="More.",
        grade=4,
    )
    new_service.update_evaluation("5.3", status="in_progress")  # not agreed: not checked
    found = kinds_at(ready.findings(), "agreed_incomplete")
    assert [(f.indicator, f.missing) for f in found] == [("5.1", ("how_do_we_know", "what_next"))]
    # Linked evidence and actions answer the second and third questions.
    new_service.add_evidence("Audit", "document", indicators=["5.1"])
    new_service.add_action("Do it", statement=1, indicators=["5.1"])
    assert not kinds_at(ready.findings(), "agreed_incomplete")


def test_agreed_without_grade(new_service, ready):
    new_service.update_evaluation(
        "6.1", status="agreed", how_good_now="x", how_do_we_know="y", what_next="z"
    )
    (f,) = kinds_at(ready.findings(), "agreed_incomplete")
    assert f.missing == ("grade",) and "grade" in f.message


def test_smart_gap_skips_complete_and_dropped(new_service, ready):
    full = dict(ownership="CPC", due="2027-03-31", baseline="41%", target="60%", monitoring="Audit")
    new_service.add_action("Complete", statement=1, **full)
    gap = new_service.add_action("Partly", statement=1, ownership="CPC", due="2027-03-31")
    done = new_service.add_action("Done", statement=1)
    new_service.update_action(done.id, status="complete")
    dropped = new_service.add_action("Dropped", statement=1)
    new_service.update_action(dropped.id, status="dropped")
    (f,) = kinds_at(ready.findings(), "smart_gap")
    assert f.action == gap.ref and f.missing == ("baseline", "target", "monitoring")
    assert "baseline, target or measure" in f.message


def test_personal_data_is_found_and_can_be_marked_not_personal(new_service, ready):
    new_service.add_participant("Ann Brodie", "NHS board")
    new_service.update_evaluation(
        "5.1", how_good_now="Baby J (aged 2 months) was seen. Ann Brodie led the review."
    )
    new_service.add_evidence("Case note", "record_reading", description="DOB 01/02/2020, G12 8QQ")
    found = ready.personal_data()
    assert [(f.field, f.text, f.detail) for f in found] == [
        ("how_good_now", "Baby J", "name"),
        ("description", "DOB 01/02/2020", "date_of_birth"),
        ("description", "G12 8QQ", "postcode"),
    ]
    ready.mark_not_personal(found[0])
    assert [f.text for f in ready.personal_data()] == ["DOB 01/02/2020", "G12 8QQ"]
    assert ("indicator 5.1 how_good_now", "Baby J") in ready.not_personal()


def test_the_team_texts_are_checked_and_kept(new_service, ready):
    ready.update_key_messages("- Safer children\n- Mrs Dunn's family was helped")
    ready.update_summary(2, "A summary.")
    ready.update_conclusion("We can improve.")
    texts = ready.statement_texts()
    assert texts.summaries == {2: "A summary."} and texts.conclusion == "We can improve."
    (f,) = ready.personal_data()
    assert f.field == "key_messages" and f.text == "Mrs Dunn"


def test_document_control(new_service, ready):
    new_service.add_session("2026-09-15")
    new_service.add_session("2026-11-17")
    assert ready.document_control().version == "0.1"
    assert ready.evaluation_date() == "2026-11-17"
    ready.update_document_control(
        version="1.0", status="for_sign_off", approved_by="COG", evaluation_date="2026-11-20"
    )
    control = ready.document_control()
    assert (control.version, control.status, control.approved_by) == ("1.0", "for_sign_off", "COG")
    assert ready.evaluation_date() == "2026-11-20"


def test_drafts_come_from_the_agreed_grades(new_service, ready):
    new_service.update_evaluation("5.1", grade=4)
    new_service.update_evaluation("5.2", grade=5)
    new_service.add_item("5.1", "strength", "Named persons act early")
    new_service.add_item("5.2", "area_for_improvement", "Chronologies are weak")
    draft = ready.draft_summary(1)
    assert draft.startswith("We evaluated 5.1 and 5.2 as good to very good.")
    assert "named persons act early" in draft and "chronologies are weak" in draft
    assert ready.draft_summary(3) == ""
    assert ready.draft_key_messages().startswith("- Statement 1 (good to very good)")


def test_the_demo_and_the_example_hold_no_personal_data(demo_service, example_service):
    assert ReadinessService(demo_service).personal_data() == []
    assert ReadinessService(example_service).personal_data() == []


def test_triangulation(demo_service):
    rows = ReadinessService(demo_service).triangulation()
    by_code = {r.code: r for r in rows}
    assert by_code["5.1"].total > 0 and len(by_code["5.1"].agencies) > 1
    assert all(r.total == sum(r.sources.values()) for r in rows)
    assert sum(by_code["5.1"].sources.values()) == by_code["5.1"].total


def test_check_command_json_and_exit_status(new_service, workshops, capsys):
    new_service.update_evaluation("5.1", grade=4, how_good_now="Call 07700 900123.")
    path = workshops.address(new_service)
    new_service.close()
    assert main(["check", str(path), "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert [f["kind"] for f in findings] == ["personal_data", "ungrounded_grade"]
    assert set(findings[0]) == {
        "kind",
        "message",
        "indicator",
        "evidence",
        "action",
        "statement",
        "field",
        "text",
        "detail",
        "missing",
    }
    assert findings[0]["indicator"] == "5.1" and findings[0]["field"] == "how_good_now"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Possible personal data (1):" in out and "2 findings in all." in out


def test_exports_refuse_personal_data_unless_allowed(new_service, workshops, tmp_path, capsys):
    new_service.update_evaluation("5.1", how_good_now="CHI 1204151237 was read out.")
    path = workshops.address(new_service)
    new_service.close()
    for command, name in (("export-docx", "a.docx"), ("export-csv", "a.csv")):
        target = tmp_path / name
        assert main([command, str(path), str(target)]) == 2
        err = capsys.readouterr().err
        assert "personal data" in err and "1204151237" in err and not target.exists()
        assert main([command, str(path), str(target), "--allow-personal-data"]) == 0
        assert target.exists()


def test_exchange_round_trip_keeps_the_statement_texts(new_service, workshops):
    from carequal_desktop.services.exchange import export_document, validate_document

    assert "position_statement" not in export_document(new_service)  # absent until used
    ready = ReadinessService(new_service)
    ready.update_document_control(
        version="0.4", status="final", approved_by="COG", evaluation_date="2026-11-20"
    )
    ready.update_summary(1, "Safer.")
    ready.update_key_messages("- One")
    ready.set_stale_months(18)
    new_service.update_evaluation("5.1", how_good_now="Baby J")
    ready.mark_not_personal(ready.personal_data()[0])
    doc = export_document(new_service)
    validate_document(doc)
    workshops.discard(new_service)  # the copy has the same workshop id
    copy = workshops.imported(doc)
    again = export_document(copy)
    assert again["position_statement"] == doc["position_statement"]
    assert ReadinessService(copy).personal_data() == []
    assert ReadinessService(copy).stale_months() == 18
