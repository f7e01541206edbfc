"""Merging real workshop files: copies made with Explorer (shutil.copy) and Save a copy as.

SQLite only: these tests are about files — copies made by copying the file, its hash left
unchanged, backups before a merge, damaged and older-version copies. Merging an offline
copy into a workshop on a server is tested in tests/server/test_server_merging.py, and
test_grading_service.py::test_a_copy_s_proposals_and_dissent_come_through_a_merge runs the
same merge on both engines.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from carequal_desktop.errors import DamagedWorkshopError, UserError
from carequal_desktop.services import backups
from carequal_desktop.services import merge as merging
from carequal_desktop.services.workshop import WorkshopService
from tests.content import content

DATA = Path(__file__).resolve().parent.parent / "data"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "Original.carequal"
    s = WorkshopService.create(path, title="Glenmuir", partnership="Glenmuir partnership")
    s.update_evaluation("1.1", how_good_now="The original words.", grade=4)
    s.add_item("1.1", "strength", "Partners share information quickly")
    s.add_evidence("Case file audit", "record_reading", indicators=["1.1"], description="Audit")
    s.add_action("Train staff", statement=1, indicators=["1.1"])
    s.close()
    return path


def explorer_copies(original: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        target = original.with_name(f"{name}.carequal")
        shutil.copy(original, target)
        out.append(target)
    return out


def test_explorer_copies_merge_field_by_field(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "Agency A", "Agency B")
    a = WorkshopService.open(a_path)
    a.update_evaluation("1.1", what_next="A's next steps")
    a.add_item("1.1", "strength", "Strength typed by A")
    a.close()
    b = WorkshopService.open(b_path)
    try:
        b.update_evaluation("1.1", rationale="B's rationale")
        b.add_item("1.1", "strength", "Strength typed by B")
        report = merging.merge_file(b, a_path)
        assert report.conflicts == []
        assert report.changes_taken == 2
        ev = b.evaluation("1.1")
        assert ev.what_next == "A's next steps"
        assert ev.rationale == "B's rationale"
        assert ev.how_good_now == "The original words."
        assert [i.text for i in ev.strengths] == [
            "Partners share information quickly",
            "Strength typed by B",
            "Strength typed by A",
        ] or sorted(i.text for i in ev.strengths) == sorted(
            ["Partners share information quickly", "Strength typed by A", "Strength typed by B"]
        )
    finally:
        b.close()


def test_same_field_two_ways_is_a_conflict_kept_in_the_file(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    a.update_evaluation("1.1", how_good_now="A's words.")
    a.close()
    b = WorkshopService.open(b_path)
    b.update_evaluation("1.1", how_good_now="B's words.")
    report = merging.merge_file(b, a_path)
    (c,) = report.conflicts
    assert (c.record, c.field) == ("Indicator 1.1", "how_good_now")
    assert (c.base, c.ours, c.theirs) == ("The original words.", "B's words.", "A's words.")
    assert b.evaluation("1.1").how_good_now == "B's words."  # nothing decided behind anyone
    b.close()
    # Both versions are in the file until decided, even after closing and opening again.
    b = WorkshopService.open(b_path)
    try:
        (kept,) = merging.open_conflicts(b)
        assert kept.theirs == "A's words." and kept.indicator == "1.1"
        assert merging.conflict_codes(b) == {"1.1"}
        assert "1 merge conflict is still to decide" in (merging.export_warning(b) or "")
        merging.resolve(b, kept.id, "text", "B's words, and A's.")
        assert b.evaluation("1.1").how_good_now == "B's words, and A's."
        assert merging.open_conflicts(b) == []
        assert merging.export_warning(b) is None
    finally:
        b.close()


def test_save_a_copy_as_then_merge_back_both_ways_converges(original: Path, tmp_path: Path) -> None:
    main = WorkshopService.open(original)
    copy_path = main.save_copy_as(tmp_path / "For agency.carequal")
    main.update_evaluation("1.1", how_good_now="Facilitator's words.", grade=3)
    main.close()
    other = WorkshopService.open(copy_path)
    other.update_evaluation("1.1", how_good_now="Agency's words.", dissent="Police disagree")
    ev_id = other.evidence()[0].id
    other.update_evidence(ev_id, title="Case file audit 2026")
    other.close()

    main = WorkshopService.open(original)
    report = merging.merge_file(main, copy_path)
    assert [c.field for c in report.conflicts] == ["how_good_now"]
    merging.resolve(main, report.conflicts[0].id, "theirs")
    expected = content(main)
    main.close()

    other = WorkshopService.open(copy_path)
    try:
        back = merging.merge_file(other, original)
        assert back.conflicts == []
        assert content(other) == expected
        assert other.evaluation("1.1").grade == 3
        assert other.evaluation("1.1").dissent == "Police disagree"
    finally:
        other.close()


def test_merging_the_same_file_twice_changes_nothing_the_second_time(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    a.update_evaluation("1.1", how_good_now="A's words.")
    a.add_evidence("Survey", "staff_survey", indicators=["1.1", "2.1"])
    a.close()
    b = WorkshopService.open(b_path)
    try:
        b.update_evaluation("1.1", how_good_now="B's words.")
        first = merging.merge_file(b, a_path)
        assert first.changes_taken > 0 and len(first.conflicts) == 1
        before = content(b)
        second = merging.merge_file(b, a_path)
        assert second.changes_taken == 0
        assert second.conflicts == []
        assert second.open_conflicts == 1
        assert content(b) == before
        assert len(b.evidence()) == 2  # not duplicated
    finally:
        b.close()


def test_evidence_added_on_both_sides_is_renumbered_with_its_citations(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    e_a = a.add_evidence("A's survey", "staff_survey", indicators=["2.1"])
    a.update_evaluation("2.1", how_do_we_know=f"The survey [{e_a.ref}] shows it.")
    a.close()
    b = WorkshopService.open(b_path)
    try:
        e_b = b.add_evidence("B's focus group", "focus_group", indicators=["1.1"])
        assert e_a.ref == e_b.ref == "E2"
        report = merging.merge_file(b, a_path)
        assert report.renumbered == {"evidence": {"E2": "E3"}}
        refs = {e.title: e.ref for e in b.evidence()}
        assert refs == {"Case file audit": "E1", "B's focus group": "E2", "A's survey": "E3"}
        assert b.evaluation("2.1").how_do_we_know == "The survey [E3] shows it."
        assert [e.ref for e in b.evidence_for_indicator("2.1")] == ["E3"]
    finally:
        b.close()


def test_deleted_here_edited_there_is_a_conflict_and_can_be_put_back(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    ev = a.evidence()[0]
    a.update_evidence(ev.id, description="A found more")
    a.close()
    b = WorkshopService.open(b_path)
    try:
        b.delete_evidence(ev.id)
        report = merging.merge_file(b, a_path)
        (c,) = report.conflicts
        assert c.field == "_record" and c.ours is None and c.theirs["description"] == "A found more"
        assert b.evidence() == []
        merging.resolve(b, c.id, "theirs")
        (back,) = b.evidence()
        assert back.description == "A found more" and back.indicators == ["1.1"]
        again = merging.merge_file(b, a_path)
        assert again.conflicts == [] and again.changes_taken == 0
    finally:
        b.close()


def test_a_deletion_of_an_unchanged_record_is_taken(original: Path) -> None:
    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    a.delete_action(a.actions()[0].id)
    a.close()
    b = WorkshopService.open(b_path)
    try:
        report = merging.merge_file(b, a_path)
        assert report.conflicts == [] and b.actions() == []
    finally:
        b.close()


def test_another_workshop_is_refused_and_nothing_is_written(original: Path, tmp_path: Path) -> None:
    other = WorkshopService.create(tmp_path / "Other.carequal", title="Other", partnership="P")
    other.close()
    before = sha(original)
    with pytest.raises(merging.MergeRefusedError, match="another workshop"):
        merging.merge_paths(original, tmp_path / "Other.carequal")
    assert sha(original) == before


def test_a_damaged_copy_is_refused_and_nothing_is_written(original: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "Damaged.carequal"
    data = original.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    before = sha(original)
    with pytest.raises(DamagedWorkshopError):
        merging.merge_paths(original, damaged)
    assert sha(original) == before


def test_a_file_cannot_be_merged_with_itself(original: Path) -> None:
    s = WorkshopService.open(original)
    try:
        with pytest.raises(UserError, match="itself"):
            merging.merge_file(s, original)
    finally:
        s.close()


def test_merge_is_backed_up_first_and_logged(original: Path) -> None:
    (a_path,) = explorer_copies(original, "A")
    a = WorkshopService.open(a_path)
    a.update_details(context="Context from A")
    a.close()
    s = WorkshopService.open(original)
    try:
        merging.merge_file(s, a_path, merged_by="Facilitator")
        kept = [b for b in backups.list_backups(original) if b.reason == "before-merge"]
        assert len(kept) == 1
        assert kept[0].reason_text
        (entry,) = merging.merge_log(s)
        assert entry["source_name"] == "A.carequal"
        assert entry["merged_by"] == "Facilitator"
        assert entry["changes_taken"] == 1
        assert s.details().context == "Context from A"
    finally:
        s.close()


def test_three_copies_merge_through_the_facilitator(original: Path) -> None:
    paths = explorer_copies(original, "Police", "Health", "Social work")
    for path, code in zip(paths, ("1.1", "2.1", "2.2"), strict=True):
        s = WorkshopService.open(path)
        s.update_evaluation(code, how_good_now=f"Draft by {path.stem}")
        s.update_evaluation("1.1", dissent=f"{path.stem} view")
        s.close()
    main = WorkshopService.open(original)
    try:
        conflicts = []
        for path in paths:
            conflicts += merging.merge_file(main, path).conflicts
        # dissent changed three ways: the 2nd and 3rd copies each conflict with what is here
        assert [c.field for c in conflicts] == ["dissent", "dissent"]
        assert conflicts[0].base == "" and conflicts[1].base == ""
        for c in conflicts:
            merging.resolve(main, c.id, "text", "All three views")
        assert main.evaluation("2.1").how_good_now == "Draft by Health"
        assert main.evaluation("2.2").how_good_now == "Draft by Social work"
        expected = content(main)
    finally:
        main.close()
    for path in paths:
        s = WorkshopService.open(path)
        try:
            assert merging.merge_file(s, original).conflicts == []
            assert content(s) == expected
        finally:
            s.close()


def test_a_copy_from_an_older_version_merges_without_being_changed(tmp_path: Path) -> None:
    old_a, old_b = tmp_path / "A.carequal", tmp_path / "B.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", old_a)
    shutil.copyfile(DATA / "schema-v1.carequal", old_b)
    b = WorkshopService.open(old_b)  # upgraded on this laptop
    b.update_evaluation(b.evaluations()[0].indicator_code, dissent="typed in B")
    b.close()
    a = WorkshopService.open(old_a)
    code = a.evaluations()[0].indicator_code
    a.update_evaluation(code, rationale="typed in A")
    a.close()
    shutil.copyfile(DATA / "schema-v1.carequal", old_b.with_name("Old.carequal"))
    before = sha(old_b.with_name("Old.carequal"))
    s = WorkshopService.open(old_a)
    try:
        report = merging.merge_file(s, old_b)
        assert report.conflicts == []
        assert s.evaluation(code).dissent == "typed in B"
        assert s.evaluation(code).rationale == "typed in A"
        assert merging.merge_file(s, old_b.with_name("Old.carequal")).changes_taken == 0
    finally:
        s.close()
    assert sha(old_b.with_name("Old.carequal")) == before


def test_history_stays_small_unchanged_records_have_no_row(original: Path) -> None:
    conn = sqlite3.connect(original)
    try:
        rows = conn.execute("SELECT tbl, key FROM record_history").fetchall()
    finally:
        conn.close()
    # Only the evaluation edited after it was made has history; new records have none.
    assert rows == [] or {t for t, _ in rows} <= {"evaluation", "workshop"}


def test_prepared_copies_record_who_has_which_and_merge_back(
    original: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "for agencies"
    folder.mkdir()
    s = WorkshopService.open(original)
    try:
        made = merging.prepare_copies(s, folder, ["Police", "Health", " "], made_by="Facilitator")
        assert [p.name for p in made] == [
            "Glenmuir - Police.carequal",
            "Glenmuir - Health.carequal",
        ]
        copies = merging.prepared_copies(s)
        assert [(c["agency"], c["made_by"]) for c in copies] == [
            ("Police", "Facilitator"),
            ("Health", "Facilitator"),
        ]
        with pytest.raises(UserError, match="already exists"):
            merging.prepare_copies(s, folder, ["Police"])
    finally:
        s.close()
    police = WorkshopService.open(made[0])
    police.update_evaluation("2.1", how_good_now="Police view")
    police.close()
    s = WorkshopService.open(original)
    try:
        report = merging.merge_file(s, made[0])
        assert report.agency == "Police"
        assert "the copy prepared for Police" in report.summary()
        assert s.evaluation("2.1").how_good_now == "Police view"
    finally:
        s.close()


def test_points_parked_in_two_copies_are_both_kept(original: Path) -> None:
    from carequal_desktop.services.facilitation import Facilitation

    a_path, b_path = explorer_copies(original, "A", "B")
    a = WorkshopService.open(a_path)
    Facilitation(a).park("Police raised information sharing")
    a.close()
    b = WorkshopService.open(b_path)
    try:
        Facilitation(b).park("Health raised waiting times")
        report = merging.merge_file(b, a_path)
        assert report.conflicts == []
        texts = sorted(p.text for p in Facilitation(b).parking_lot())
        assert texts == ["Health raised waiting times", "Police raised information sharing"]
    finally:
        b.close()
