"""The workshop as a whole: create, open, copy, read-only; edits saved as made.

Runs on both engines, except the tests marked ``files_only``, which are about the file
itself: creating over an existing file (a path) and the settings file's permissions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carequal_desktop.errors import ReadOnlyError, TargetExistsError
from carequal_desktop.services.workshop import WorkshopService
from tests.engines import Workshops


def test_every_edit_is_saved_without_a_save_step(
    new_service: WorkshopService, workshops: Workshops
) -> None:
    new_service.update_evaluation("5.2", how_good_now="Timely IRDs.", grade=4, status="agreed")
    new_service.add_item("5.2", "strength", "Concerns shared without delay")
    new_service.add_item("5.2", "area_for_improvement", "Chronologies vary")
    ev = new_service.add_evidence(
        "Staff survey", "staff_survey", indicators=["5.2"], share_percent=82
    )
    act = new_service.add_action("Refresh chronology guidance", statement=1, indicators=["5.2"])
    again = workshops.reopen(new_service)
    got = again.evaluation("5.2")
    assert (got.how_good_now, got.grade, got.status) == ("Timely IRDs.", 4, "agreed")
    assert [i.text for i in got.strengths] == ["Concerns shared without delay"]
    assert [i.text for i in got.areas_for_improvement] == ["Chronologies vary"]
    assert [e.ref for e in again.evidence_for_indicator("5.2")] == [ev.ref] == ["E1"]
    assert [a.ref for a in again.actions_for_indicator("5.2")] == [act.ref] == ["1.1"]


def test_save_a_copy_is_complete_and_independent(
    new_service: WorkshopService, tmp_path: Path
) -> None:
    new_service.add_evidence("Survey", "staff_survey")
    copy = new_service.save_copy_as(tmp_path / "copy.carequal")
    new_service.add_evidence("Later", "document")
    other = WorkshopService.open(copy)
    assert [e.title for e in other.evidence()] == ["Survey"]
    other.close()
    with pytest.raises(TargetExistsError):
        new_service.save_copy_as(copy)


def test_read_only_service_refuses_edits_with_a_sentence(
    new_service: WorkshopService, workshops: Workshops
) -> None:
    ro = workshops.reopen(new_service, read_only=True)
    assert ro.read_only
    with pytest.raises(ReadOnlyError, match="read-only"):
        ro.add_participant("A", "B")


@pytest.mark.files_only
def test_creating_over_an_existing_file_is_refused(new_service: WorkshopService) -> None:
    with pytest.raises(TargetExistsError):
        WorkshopService.create(new_service.path, title="t", partnership="p")


def test_hostile_text_in_every_kind_of_field_is_stored(
    new_service: WorkshopService, workshops: Workshops
) -> None:
    bad = "x\ud800y\x00z"
    s = new_service.add_session("2026-01-01", bad, bad)
    new_service.update_session(s.id, place=bad)
    p = new_service.add_participant(bad, bad, bad)
    new_service.update_details(scope=bad, title=bad)
    new_service.add_item("1.1", "strength", bad)
    new_service.add_evidence(bad, "document", description=bad)
    new_service.add_action(bad, statement=1, baseline=bad)
    again = workshops.reopen(new_service)
    assert again.sessions()[0].place == "x\ufffdy\ufffdz"
    assert again.participants()[0].name == "x\ufffdy\ufffdz" and p.id
    assert again.details().scope == "x\ufffdy\ufffdz"
    assert again.evidence()[0].description == "x\ufffdy\ufffdz"


def test_settings_file_is_owner_only(data_dir: Path) -> None:
    import os
    import stat

    from carequal_desktop.services import settings

    settings.add_recent(data_dir / "x.carequal")
    if os.name == "posix":
        assert stat.S_IMODE(settings.settings_file().stat().st_mode) == 0o600
