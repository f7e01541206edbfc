"""The use cases the window calls, on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carequal_desktop.errors import ReadOnlyError, TargetExistsError, UserError
from carequal_desktop.services.workshop import WorkshopService


def reopen(service: WorkshopService) -> WorkshopService:
    service.close()
    return WorkshopService.open(service.path)


def test_new_workshop_copies_the_default_framework(new_service: WorkshopService) -> None:
    fw = new_service.framework()
    assert fw.id == "qf-2019" and len(fw.indicators) == 22
    assert len(new_service.overview()) == 22
    assert all(s.status == "not_started" for s in new_service.overview())


def test_every_edit_is_saved_without_a_save_step(new_service: WorkshopService) -> None:
    new_service.update_evaluation("5.2", how_good_now="Timely IRDs.", grade=4, status="agreed")
    new_service.add_item("5.2", "strength", "Concerns shared without delay")
    new_service.add_item("5.2", "area_for_improvement", "Chronologies vary")
    ev = new_service.add_evidence("Staff survey", "staff_survey", indicators=["5.2"], share_percent=82)
    act = new_service.add_action("Refresh chronology guidance", statement=1, indicators=["5.2"])
    again = reopen(new_service)
    got = again.evaluation("5.2")
    assert (got.how_good_now, got.grade, got.status) == ("Timely IRDs.", 4, "agreed")
    assert [i.text for i in got.strengths] == ["Concerns shared without delay"]
    assert [i.text for i in got.areas_for_improvement] == ["Chronologies vary"]
    assert [e.ref for e in again.evidence_for_indicator("5.2")] == [ev.ref] == ["E1"]
    assert [a.ref for a in again.actions_for_indicator("5.2")] == [act.ref] == ["1.1"]
    again.close()


def test_records_have_uuids_and_update_times(new_service: WorkshopService) -> None:
    p = new_service.add_participant("Morag Baird", "Council social work", "Facilitator")
    assert len(p.id) == 36 and p.updated.endswith("Z")
    before = new_service.details().updated
    new_service.update_participant(p.id, role="Lead")
    assert new_service.details().updated >= before


def test_evidence_references_are_assigned_in_order(new_service: WorkshopService) -> None:
    refs = [new_service.add_evidence(f"Item {i}", "document").ref for i in range(12)]
    assert refs == [f"E{i}" for i in range(1, 13)]
    assert [e.ref for e in new_service.evidence()][-3:] == ["E10", "E11", "E12"]
    assert new_service.next_evidence_ref() == "E13"


def test_evidence_validation(new_service: WorkshopService) -> None:
    with pytest.raises(UserError, match="between 0% and 100%"):
        new_service.add_evidence("x", "document", share_percent=101)
    with pytest.raises(UserError, match="no indicator 99.9"):
        new_service.add_evidence("x", "document", indicators=["99.9"])
    with pytest.raises(UserError, match="date"):
        new_service.add_evidence("x", "document", date="31/03/2026")
    with pytest.raises(UserError, match="title"):
        new_service.add_evidence("   ", "document")


def test_linking_and_usage_of_evidence(new_service: WorkshopService) -> None:
    ev = new_service.add_evidence("Record reading", "record_reading")
    new_service.link_evidence(ev.id, "5.2")
    new_service.link_evidence(ev.id, "5.2")
    new_service.link_evidence(ev.id, "5.3")
    assert new_service.evidence_item(ev.id).indicators == ["5.2", "5.3"]
    new_service.add_action("Re-audit", statement=1, baseline="52% good (E1)")
    usage = new_service.evidence_usage(ev.id)
    assert "linked to indicator 5.2 Assessing risk and need" in usage
    assert "mentioned in improvement action 1.1" in usage
    new_service.unlink_evidence(ev.id, "5.2")
    assert new_service.evidence_item(ev.id).indicators == ["5.3"]
    new_service.delete_evidence(ev.id)
    assert new_service.evidence() == []
    assert new_service.overview()[5].evidence_count == 0


def test_list_items_reorder_edit_delete(new_service: WorkshopService) -> None:
    a = new_service.add_item("1.1", "strength", "A")
    b = new_service.add_item("1.1", "strength", "B")
    c = new_service.add_item("1.1", "strength", "C")
    new_service.reorder_items("1.1", "strength", [c.id, a.id, b.id])
    new_service.update_item(a.id, "A, edited")
    new_service.delete_item(b.id)
    assert [i.text for i in new_service.evaluation("1.1").strengths] == ["C", "A, edited"]


def test_grade_must_be_on_the_scale(new_service: WorkshopService) -> None:
    with pytest.raises(UserError):
        new_service.update_evaluation("1.1", grade=7)
    with pytest.raises(UserError):
        new_service.update_evaluation("1.1", status="finished")


def test_action_refs_per_statement_and_overdue(new_service: WorkshopService) -> None:
    a1 = new_service.add_action("One", statement=2)
    a2 = new_service.add_action("Two", statement=2, due="2020-01-01")
    a3 = new_service.add_action("Three", statement=4, due="2099-01-01")
    assert (a1.ref, a2.ref, a3.ref) == ("2.1", "2.2", "4.1")
    assert a2.is_overdue() and not a3.is_overdue()
    new_service.update_action(a2.id, status="complete")
    assert not new_service.action(a2.id).is_overdue(dt.date(2026, 11, 23))
    with pytest.raises(UserError, match="already an action 2.1"):
        new_service.update_action(a3.id, ref="2.1")


def test_facilitator_can_correct_an_indicator(new_service: WorkshopService) -> None:
    new_service.update_indicator("5.1", title="Access to early support", prompts=["Q1?", "Q2?"], statements=[1, 2])
    again = reopen(new_service)
    ind = again.framework().indicator("5.1")
    assert (ind.title, ind.prompts, ind.statements) == ("Access to early support", ("Q1?", "Q2?"), (1, 2))
    with pytest.raises(UserError):
        again.update_indicator("5.1", statements=[7])
    again.close()


def test_sessions_and_team(new_service: WorkshopService) -> None:
    s = new_service.add_session("2026-09-15", "Community centre")
    new_service.update_session(s.id, notes="Day one")
    new_service.add_participant("A", "NHS board")
    new_service.add_participant("B", "NHS board")
    new_service.add_participant("C", "Police Scotland")
    assert new_service.sessions()[0].notes == "Day one"
    assert new_service.agencies_summary() == [("NHS board", 2), ("Police Scotland", 1)]
    with pytest.raises(UserError):
        new_service.add_participant("", "NHS board")


def test_save_a_copy_is_complete_and_independent(new_service: WorkshopService, tmp_path: Path) -> None:
    new_service.add_evidence("Survey", "staff_survey")
    copy = new_service.save_copy_as(tmp_path / "copy.carequal")
    new_service.add_evidence("Later", "document")
    other = WorkshopService.open(copy)
    assert [e.title for e in other.evidence()] == ["Survey"]
    other.close()
    with pytest.raises(TargetExistsError):
        new_service.save_copy_as(copy)


def test_read_only_service_refuses_edits_with_a_sentence(new_service: WorkshopService) -> None:
    new_service.close()
    ro = WorkshopService.open(new_service.path, read_only=True)
    assert ro.read_only
    with pytest.raises(ReadOnlyError, match="read-only"):
        ro.add_participant("A", "B")
    ro.close()


def test_creating_over_an_existing_file_is_refused(new_service: WorkshopService) -> None:
    with pytest.raises(TargetExistsError):
        WorkshopService.create(new_service.path, title="t", partnership="p")


def test_hostile_text_in_every_kind_of_field_is_stored(new_service: WorkshopService) -> None:
    bad = "x\ud800y\x00z"
    s = new_service.add_session("2026-01-01", bad, bad)
    new_service.update_session(s.id, place=bad)
    p = new_service.add_participant(bad, bad, bad)
    new_service.update_details(scope=bad, title=bad)
    new_service.add_item("1.1", "strength", bad)
    new_service.add_evidence(bad, "document", description=bad)
    new_service.add_action(bad, statement=1, baseline=bad)
    again = reopen(new_service)
    assert again.sessions()[0].place == "x\ufffdy\x00z"
    assert again.participants()[0].name == "x\ufffdy\x00z" and p.id
    assert again.details().scope == "x\ufffdy\x00z"
    assert again.evidence()[0].description == "x\ufffdy\x00z"
    again.close()


def test_settings_file_is_owner_only(data_dir: Path) -> None:
    import os
    import stat

    from carequal_desktop.services import settings

    settings.add_recent(data_dir / "x.carequal")
    if os.name == "posix":
        assert stat.S_IMODE(settings.settings_file().stat().st_mode) == 0o600
