"""carequal merge / conflicts / resolve / update."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from carequal_desktop.cli import main
from carequal_desktop.services.exchange import export_document
from carequal_desktop.services.workshop import WorkshopService


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    """The facilitator's file and an agency's Explorer copy, each edited on the same field."""
    into = tmp_path / "Workshop.carequal"
    s = WorkshopService.create(into, title="Glenmuir", partnership="Glenmuir partnership")
    s.update_evaluation("1.1", how_good_now="Original words")
    s.close()
    source = tmp_path / "Police copy.carequal"
    shutil.copy(into, source)
    a = WorkshopService.open(source)
    a.update_evaluation("1.1", how_good_now="Police words", what_next="Police plan")
    a.close()
    b = WorkshopService.open(into)
    b.update_evaluation("1.1", how_good_now="Facilitator words")
    b.close()
    return into, source


def test_merge_json_lists_changes_and_conflicts(copies, capsys) -> None:
    into, source = copies
    assert main(["merge", str(into), str(source), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changes_taken"] == 1
    (c,) = out["conflicts"]
    assert {k: c[k] for k in ("record", "field", "base", "ours", "theirs")} == {
        "record": "Indicator 1.1",
        "field": "how_good_now",
        "base": "Original words",
        "ours": "Facilitator words",
        "theirs": "Police words",
    }
    assert isinstance(c["id"], int)
    # listed until decided, then decided from the command line
    assert main(["conflicts", str(into), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["conflicts"]
    assert [x["id"] for x in listed] == [c["id"]]
    assert main(["resolve", str(into), str(c["id"]), "--text", "Both sets of words"]) == 0
    capsys.readouterr()
    assert main(["conflicts", str(into), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["conflicts"] == []
    s = WorkshopService.open(into, read_only=True)
    try:
        ev = s.evaluation("1.1")
        assert (ev.how_good_now, ev.what_next) == ("Both sets of words", "Police plan")
    finally:
        s.close()
    # merging again: nothing more
    assert main(["merge", str(into), str(source), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "changes_taken": 0,
        "conflicts": [],
        "open_conflicts": 0,
        "renumbered": {},
    }


def test_merge_summary_and_resolve_ours_or_theirs(copies, capsys) -> None:
    into, source = copies
    assert main(["merge", str(into), str(source)]) == 0
    out = capsys.readouterr().out
    assert "1 change taken" in out and "conflict 1: Indicator 1.1, How good are we now?" in out
    assert main(["conflicts", str(into)]) == 0
    assert "incoming:  'Police words'" in capsys.readouterr().out
    assert main(["resolve", str(into), "1", "--theirs"]) == 0
    assert main(["resolve", str(into), "1", "--ours"]) == 2
    assert "already been decided" in capsys.readouterr().err
    assert main(["resolve", str(into), "99", "--ours"]) == 2


def test_merge_refuses_another_workshop_and_damaged_files(copies, tmp_path: Path, capsys) -> None:
    into, _source = copies
    other = tmp_path / "Other.carequal"
    WorkshopService.create(other, title="Other", partnership="Other partnership").close()
    before = sha(into)
    assert main(["merge", str(into), str(other)]) == 2
    assert "another workshop" in capsys.readouterr().err
    damaged = tmp_path / "Damaged.carequal"
    damaged.write_bytes(into.read_bytes()[:5000])
    assert main(["merge", str(into), str(damaged), "--json"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err
    assert sha(into) == before


def test_export_docx_warns_while_conflicts_are_open(copies, tmp_path: Path, capsys) -> None:
    into, source = copies
    main(["merge", str(into), str(source)])
    capsys.readouterr()
    assert main(["export-docx", str(into), str(tmp_path / "out.docx")]) == 0
    assert "merge conflict is still to decide" in capsys.readouterr().err


def test_update_applies_an_edited_document_as_edits(tmp_path: Path, capsys) -> None:
    path = tmp_path / "W.carequal"
    s = WorkshopService.create(path, title="Glenmuir", partnership="Glenmuir partnership")
    s.add_item("1.1", "strength", "Keep me")
    s.add_item("1.1", "strength", "Change me")
    gone = s.add_evidence("To be removed", "document", indicators=["1.1"])
    kept = s.add_evidence("Audit", "record_reading", indicators=["1.1"])
    s.add_participant("Ann", "Police")
    doc = export_document(s)
    s.close()
    doc["workshop"]["context"] = "Edited elsewhere"
    ev = next(e for e in doc["evaluations"] if e["indicator"] == "1.1")
    ev["strengths"] = ["Keep me", "Changed", "Brand new"]
    ev["how_good_now"] = "Typed in a script"
    doc["evidence"] = [e for e in doc["evidence"] if e["id"] != gone.id]
    doc["evidence"][0]["title"] = "Audit (revised)"
    doc["evidence"][0]["indicators"] = ["1.1", "2.1"]
    doc["evidence"].append(
        {
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "ref": "E9",
            "title": "New survey",
            "kind": "staff_survey",
            "agency": "",
            "description": "",
            "location": "",
            "share_percent": None,
            "respondents": None,
            "indicators": ["2.1"],
            "supports": "context",
            "updated": "2026-05-01T10:00:00Z",
        }
    )
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")

    assert main(["update", str(path), str(edited)]) == 0
    assert "Updated:" in capsys.readouterr().out
    s = WorkshopService.open(path, read_only=True)
    try:
        assert s.details().context == "Edited elsewhere"
        ev1 = s.evaluation("1.1")
        assert [i.text for i in ev1.strengths] == ["Keep me", "Changed", "Brand new"]
        assert ev1.how_good_now == "Typed in a script"
        refs = {e.ref: e for e in s.evidence()}
        assert set(refs) == {gone.ref, kept.ref, "E9"}  # not deleted without --delete-missing
        assert refs[kept.ref].title == "Audit (revised)"
        assert refs[kept.ref].indicators == ["1.1", "2.1"]
        assert refs["E9"].id == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    finally:
        s.close()
    assert main(["update", str(path), str(edited), "--delete-missing"]) == 0
    assert "1 evidence" in capsys.readouterr().out
    s = WorkshopService.open(path, read_only=True)
    try:
        assert {e.ref for e in s.evidence()} == {kept.ref, "E9"}
    finally:
        s.close()
    assert main(["update", str(path), str(edited)]) == 0
    assert "Nothing to change" in capsys.readouterr().out


def test_update_refuses_another_workshops_document(tmp_path: Path, capsys) -> None:
    a = tmp_path / "A.carequal"
    b = tmp_path / "B.carequal"
    WorkshopService.create(a, title="A", partnership="P").close()
    s = WorkshopService.create(b, title="B", partnership="P")
    doc = export_document(s)
    s.close()
    edited = tmp_path / "b.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    before = sha(a)
    assert main(["update", str(a), str(edited)]) == 2
    assert "another workshop" in capsys.readouterr().err
    assert sha(a) == before


def test_an_updated_copy_still_merges_three_way(tmp_path: Path, capsys) -> None:
    path = tmp_path / "W.carequal"
    s = WorkshopService.create(path, title="Glenmuir", partnership="Glenmuir partnership")
    doc = export_document(s)
    s.close()
    copy = tmp_path / "Copy.carequal"
    shutil.copy(path, copy)
    doc["workshop"]["scope"] = "Scope set by a script"
    edited = tmp_path / "e.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["update", str(copy), str(edited)]) == 0
    assert main(["merge", str(path), str(copy), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["conflicts"] == []
    s = WorkshopService.open(path, read_only=True)
    try:
        assert s.details().scope == "Scope set by a script"
    finally:
        s.close()
