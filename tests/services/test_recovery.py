"""The recovery file: typing kept for a workshop until it is saved, offered back after a crash.

The recovery file itself is a file on this computer whatever the workshop's engine, so the
tests of keeping, reading, damage, leftovers and setting aside need no workshop. Putting
kept typing back into a workshop (``apply``) runs on both engines.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from carequal_desktop.errors import StorageError, UserError
from carequal_desktop.services import recovery
from carequal_desktop.services.recovery import Edit


def _edits() -> list[Edit]:
    return [
        Edit(
            "evaluation", "5.2", "how_good_now", "Most IRDs are timely.", "5.2 How good are we now?"
        ),
        Edit("details", "", "scope", "All services", "Workshop details: Scope"),
        Edit("new_item", "5.2", "strength", "Chronologies", "5.2 new strength", draft=True),
    ]


def test_keep_read_and_discard(workshop_path: Path) -> None:
    file = recovery.keep(workshop_path, "Strathcairn 2026", _edits())
    assert file.parent == recovery.recovery_dir()
    if os.name == "posix":
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    found = recovery.for_workshop(workshop_path)
    assert found is not None
    assert found.title == "Strathcairn 2026"
    assert found.workshop == workshop_path.resolve()
    assert list(found.edits) == _edits()
    assert recovery.waiting() == [found]
    recovery.discard(workshop_path)
    assert recovery.for_workshop(workshop_path) is None
    assert recovery.waiting() == []


def test_an_empty_list_removes_the_file(workshop_path: Path) -> None:
    recovery.keep(workshop_path, "T", _edits())
    recovery.keep(workshop_path, "T", [])
    assert not recovery.file_for(workshop_path).exists()


def test_each_workshop_has_its_own_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.carequal", tmp_path / "b.carequal"
    recovery.keep(a, "A", _edits()[:1])
    recovery.keep(b, "B", _edits()[1:])
    assert {r.title for r in recovery.waiting()} == {"A", "B"}
    assert recovery.file_for(a) != recovery.file_for(b)


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[]", b'{"format": 99, "edits": []}', b'{"format": 1, "edits": [1, 2]}'],
)
def test_a_damaged_recovery_file_is_left_alone(content: bytes) -> None:
    bad = recovery.recovery_dir() / "0123456789abcdef0123.json"
    bad.write_bytes(content)
    assert recovery.waiting() == []
    assert bad.read_bytes() == content  # never deleted: it may be all someone has


def test_apply_puts_each_kind_back(new_service) -> None:  # type: ignore[no-untyped-def]
    item = new_service.add_item("1.1", "area_for_improvement", "Old")
    for edit in [*_edits(), Edit("item", item.id, "text", "New wording", "1.1 area")]:
        recovery.apply_edit(new_service, edit)
    ev = new_service.evaluation("5.2")
    assert ev.how_good_now == "Most IRDs are timely."
    assert ev.status == "in_progress"  # working on an indicator starts it
    assert [i.text for i in ev.strengths] == ["Chronologies"]
    assert new_service.details().scope == "All services"
    assert [i.text for i in new_service.evaluation("1.1").areas_for_improvement] == ["New wording"]


def test_a_refused_text_is_not_a_storage_failure(new_service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError) as caught:
        recovery.apply_edit(
            new_service, Edit("details", "", "title", "", "Workshop details: Title")
        )
    assert not recovery.is_not_written(caught.value)
    assert recovery.is_not_written(StorageError("The disk is full."))


def test_apply_edits_returns_what_could_not_be_saved(new_service) -> None:  # type: ignore[no-untyped-def]
    bad = Edit("evaluation", "99.9", "what_next", "x", "99.9")
    left = recovery.apply_edits(new_service, [bad, *_edits()[:1]])
    assert left == [bad]
    assert new_service.evaluation("5.2").how_good_now == "Most IRDs are timely."


def test_leftovers_of_a_killed_write_are_cleared() -> None:
    folder = recovery.recovery_dir()
    old = folder / "~carequal-abc.tmp"
    old.write_text("half a paragraph", encoding="utf-8")
    os.utime(old, (0, 0))
    fresh = folder / "~carequal-def.tmp"  # perhaps being written right now by another window
    fresh.write_text("x", encoding="utf-8")
    assert recovery.waiting() == []
    assert not old.exists()
    assert fresh.exists()


def test_set_aside_keeps_it_apart_from_new_typing(workshop_path: Path) -> None:
    recovery.keep(workshop_path, "T", _edits()[:1])
    found = recovery.for_workshop(workshop_path)
    assert found is not None
    aside = recovery.set_aside(found)
    assert aside.file != recovery.file_for(workshop_path)
    assert recovery.for_workshop(workshop_path) is None  # room for this session's typing
    recovery.keep(workshop_path, "T", _edits()[1:2])
    assert sorted(e.text for r in recovery.waiting() for e in r.edits) == [
        "All services",
        "Most IRDs are timely.",
    ]
    recovery.forget(aside)
    assert [e.text for r in recovery.waiting() for e in r.edits] == ["All services"]


def test_a_page_can_register_its_own_kind_of_field(new_service) -> None:  # type: ignore[no-untyped-def]
    saved: list[str] = []
    recovery.register("statement_summary", lambda service, edit: saved.append(edit.text))
    recovery.apply_edit(new_service, Edit("statement_summary", "1", "summary", "Safer", "S1"))
    assert saved == ["Safer"]
    unknown = Edit("from_a_newer_version", "", "x", "kept", "A newer field")
    file = recovery.keep(new_service.path, "T", [unknown])
    assert recovery.read(file) is not None  # kept, not thrown away
    with pytest.raises(UserError, match="cannot be put back"):
        recovery.apply_edit(new_service, unknown)
