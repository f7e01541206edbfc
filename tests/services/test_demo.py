"""The bundled demo workshop: the data file keeps every promise the demo makes.

``resources/demo/demo-workshop.json`` is edited by hand (it is the source; nothing
generates it). These tests are what keeps it a good demo: complete, consistent and
citing only evidence that exists. After editing it, run ``python tools/format_demo.py``
(canonical layout, schema check) and these tests.

Most tests read the JSON alone (no workshop, no engine). The overdue actions are checked on
the demo imported onto both engines. The demo copy in the user's data folder
(``demo.demo_path``) is a file by nature, so those two tests run on SQLite only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from carequal_desktop.domain.vocabulary import EVIDENCE_KINDS
from carequal_desktop.services import demo
from carequal_desktop.services.exchange import import_document, validate_document
from carequal_desktop.services.workshop import WorkshopService
from tests.conftest import DEMO_JSON, REPO

FRAMEWORK_JSON = REPO / "resources" / "frameworks" / "qf2019.json"
SMART_FIELDS = (
    "issue",
    "task",
    "expected_outcome",
    "ownership",
    "monitoring",
    "baseline",
    "target",
    "due",
)


def codes(doc: dict[str, Any]) -> list[str]:
    return [ind["code"] for ind in doc["framework"]["indicators"]]


def as_at(doc: dict[str, Any]) -> dt.date:
    """The day the demo describes: its last workshop session."""
    return max(dt.date.fromisoformat(s["date"]) for s in doc["workshop"]["sessions"])


# ------------------------------------------------------------------ the file itself


def test_the_file_is_laid_out_canonically() -> None:
    text = DEMO_JSON.read_text(encoding="utf-8")
    canonical = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert text == canonical, "run: python tools/format_demo.py"


def test_it_is_a_valid_version_1_exchange_document(demo_doc: dict[str, Any]) -> None:
    validate_document(demo_doc)  # the schema and the importer's consistency rules
    assert (demo_doc["format"], demo_doc["version"]) == ("carequal-workshop", 1)


def test_it_imports_without_warnings(demo_doc: dict[str, Any], tmp_path: Path) -> None:
    result = import_document(demo_doc, tmp_path / "demo.carequal")
    assert result.warnings == []


def test_its_framework_is_the_shipped_2019_framework(demo_doc: dict[str, Any]) -> None:
    shipped = json.loads(FRAMEWORK_JSON.read_text(encoding="utf-8"))
    fw = demo_doc["framework"]
    assert fw["id"] == shipped["id"] and fw["title"] == shipped["title"]
    for member in ("statements", "indicators", "scale"):
        # The exchange format carries a subset of each record's members; those must match.
        assert len(fw[member]) == len(shipped[member]), member
        for ours, theirs in zip(fw[member], shipped[member], strict=True):
            assert ours == {k: theirs[k] for k in ours}, (member, ours)


def test_ids_are_unique(demo_doc: dict[str, Any]) -> None:
    ids = [demo_doc["workshop"]["id"]]
    for member in ("participants", "evidence", "actions"):
        ids += [item["id"] for item in demo_doc[member]]
    assert len(ids) == len(set(ids))


def test_every_change_falls_within_the_workshop(demo_doc: dict[str, Any]) -> None:
    ws = demo_doc["workshop"]
    stamps = [
        item["updated"]
        for member in ("evaluations", "evidence", "actions")
        for item in demo_doc[member]
    ]
    assert all(ws["created"] <= stamp <= ws["updated"] for stamp in stamps)
    assert ws["updated"] == max(stamps)
    sessions = [s["date"] for s in ws["sessions"]]
    assert sessions == sorted(sessions) and len(sessions) == 4


# ---------------------------------------------------------------------- the team


def test_seven_participants_from_five_agencies(demo_doc: dict[str, Any]) -> None:
    people = demo_doc["participants"]
    assert len(people) == 7
    assert len({p["agency"] for p in people}) == 5
    assert all(p["name"] and p["role"] for p in people)
    assert demo_doc["workshop"]["facilitator"] in {p["name"] for p in people}


# ------------------------------------------------------------------ evaluations


def test_all_22_indicators_are_evaluated_once_in_framework_order(demo_doc: dict[str, Any]) -> None:
    evaluated = [ev["indicator"] for ev in demo_doc["evaluations"]]
    assert len(codes(demo_doc)) == 22
    assert evaluated == codes(demo_doc)


def test_a_mix_of_agreed_in_progress_and_not_started(demo_doc: dict[str, Any]) -> None:
    statuses = Counter(ev["status"] for ev in demo_doc["evaluations"])
    assert statuses == {"agreed": 12, "in_progress": 7, "not_started": 3}
    # The last session's notes name what is still to finish and what has not started.
    notes = demo_doc["workshop"]["sessions"][-1]["notes"]
    for ev in demo_doc["evaluations"]:
        if ev["status"] != "agreed":
            assert ev["indicator"] in notes, ev["indicator"]


def test_grades_are_set_exactly_when_agreed_and_on_the_scale(demo_doc: dict[str, Any]) -> None:
    scale = {level["value"] for level in demo_doc["framework"]["scale"]}
    for ev in demo_doc["evaluations"]:
        assert (ev["status"] == "agreed") == (ev["grade"] is not None), ev["indicator"]
        grades = [ev["grade"], ev["previous_grade"], *(p["grade"] for p in ev["proposed_grades"])]
        assert {g for g in grades if g is not None} <= scale, ev["indicator"]


def test_agreed_indicators_answer_the_three_questions(demo_doc: dict[str, Any]) -> None:
    for ev in demo_doc["evaluations"]:
        if ev["status"] == "agreed":
            for question in ("how_good_now", "how_do_we_know", "what_next", "rationale"):
                assert ev[question].strip(), (ev["indicator"], question)
            assert ev["strengths"] and ev["areas_for_improvement"], ev["indicator"]


def test_proposed_grades_name_a_participant_of_the_right_agency(demo_doc: dict[str, Any]) -> None:
    agencies = {p["id"]: p["agency"] for p in demo_doc["participants"]}
    proposals = [p for ev in demo_doc["evaluations"] for p in ev["proposed_grades"]]
    assert proposals
    for proposal in proposals:
        assert agencies[proposal["participant"]] == proposal["agency"]


def test_some_disagreement_is_recorded(demo_doc: dict[str, Any]) -> None:
    assert any(ev["dissent"] for ev in demo_doc["evaluations"])


# --------------------------------------------------------------------- evidence


def test_forty_evidence_items_numbered_e1_to_e40(demo_doc: dict[str, Any]) -> None:
    refs = [item["ref"] for item in demo_doc["evidence"]]
    assert refs == [f"E{n}" for n in range(1, 41)]


def test_evidence_of_every_kind(demo_doc: dict[str, Any]) -> None:
    assert {item["kind"] for item in demo_doc["evidence"]} == set(EVIDENCE_KINDS)


def test_evidence_links_one_to_four_known_indicators_and_covers_all(
    demo_doc: dict[str, Any],
) -> None:
    known = set(codes(demo_doc))
    covered: set[str] = set()
    for item in demo_doc["evidence"]:
        assert 1 <= len(item["indicators"]) <= 4, item["ref"]
        assert set(item["indicators"]) <= known, item["ref"]
        covered |= set(item["indicators"])
    assert covered == known


def test_every_cited_evidence_item_exists(demo_doc: dict[str, Any]) -> None:
    refs = {item["ref"] for item in demo_doc["evidence"]}
    text = json.dumps(
        [demo_doc["workshop"], demo_doc["evaluations"], demo_doc["actions"]], ensure_ascii=False
    )
    cited = set(re.findall(r"\bE\d+\b", text))
    assert cited, "the demo cites its evidence"
    assert cited <= refs, sorted(cited - refs)


# ------------------------------------------------------------ the improvement plan


def test_sixteen_smart_actions(demo_doc: dict[str, Any]) -> None:
    actions = demo_doc["actions"]
    assert len(actions) == 16
    for action in actions:
        for field in SMART_FIELDS:
            assert action[field].strip(), (action["ref"], field)


def test_action_refs_follow_their_statements(demo_doc: dict[str, Any]) -> None:
    statements = {s["number"] for s in demo_doc["framework"]["statements"]}
    known = set(codes(demo_doc))
    refs = [a["ref"] for a in demo_doc["actions"]]
    assert len(refs) == len(set(refs))
    for action in demo_doc["actions"]:
        assert action["statement"] in statements, action["ref"]
        assert action["ref"].startswith(f"{action['statement']}."), action["ref"]
        assert action["indicators"] and set(action["indicators"]) <= known, action["ref"]
    assert {a["statement"] for a in demo_doc["actions"]} == statements


def test_two_actions_are_overdue_on_the_day_the_demo_describes(
    demo_service: WorkshopService,
) -> None:
    doc = json.loads(DEMO_JSON.read_text(encoding="utf-8"))
    day = as_at(doc)
    overdue = [a.ref for a in demo_service.actions() if a.is_overdue(day)]
    assert sorted(overdue) == ["1.2", "3.2"]
    # Overdue is judged against today, so the count grows as time passes; never shrinks.
    later = [a.ref for a in demo_service.actions() if a.is_overdue(dt.date.today())]
    assert set(overdue) <= set(later)


def test_every_action_status_is_shown(demo_doc: dict[str, Any]) -> None:
    statuses = {a["status"] for a in demo_doc["actions"]}
    assert statuses == {"not_started", "in_progress", "complete", "dropped"}
    dropped = [a for a in demo_doc["actions"] if a["status"] == "dropped"]
    assert all("Dropped" in a["monitoring"] for a in dropped)  # and says why


# ----------------------------------------------------------- the built demo copy


def test_demo_path_builds_the_demo_once_and_keeps_edits(data_dir: Path) -> None:
    path = demo.demo_path()
    assert path.name == demo.DEMO_FILE_NAME and path.is_relative_to(data_dir)
    service = WorkshopService.open(path)
    try:
        assert len(service.evidence()) == 40
        service.update_evaluation("4.1", status="in_progress")
    finally:
        service.close()
    again = demo.demo_path()
    assert again == path  # not rebuilt: the edit is kept between runs
    service = WorkshopService.open(again, read_only=True)
    try:
        assert service.evaluation("4.1").status == "in_progress"
    finally:
        service.close()


def test_a_new_release_of_the_demo_replaces_the_old_copy(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = demo.demo_path()
    doc = json.loads(DEMO_JSON.read_text(encoding="utf-8"))
    doc["workshop"]["title"] = "Joint self-evaluation 2027"
    newer = tmp_path / "demo-workshop.json"
    newer.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(demo, "demo_source", lambda: newer)
    new = demo.demo_path()
    assert new != old and not old.exists()
    service = WorkshopService.open(new, read_only=True)
    try:
        assert service.details().title == "Joint self-evaluation 2027"
    finally:
        service.close()
