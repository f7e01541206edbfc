"""The workshop, its sessions and its team (services/team.py).

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService


def test_records_have_uuids_and_update_times(new_service: WorkshopService) -> None:
    p = new_service.add_participant("Morag Baird", "Council social work", "Facilitator")
    assert len(p.id) == 36 and p.updated.endswith("Z")
    before = new_service.details().updated
    new_service.update_participant(p.id, role="Lead")
    assert new_service.details().updated >= before


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


def test_positions_stay_distinct_after_a_delete(new_service: WorkshopService) -> None:
    # Regression: positions were once numbered by count, so delete-then-add gave two
    # sessions position 1 and the order of the list depended on chance.
    team = new_service.team
    first = team.add_session("2026-03-01", "Room 1")
    team.add_session("2026-03-08", "Room 2")
    team.delete_session(first.id)
    team.add_session("2026-03-15", "Room 3")
    assert [s.place for s in team.sessions()] == ["Room 2", "Room 3"]
    with new_service.db.reading() as s:
        from sqlmodel import select

        from carequal_desktop.store.tables import ParticipantRow, SessionRow

        positions = list(s.exec(select(SessionRow.position)).all())
        assert len(set(positions)) == len(positions) == 2
        p1 = team.add_participant("A", "NHS")
        team.add_participant("B", "Police Scotland")
        team.delete_participant(p1.id)
        team.add_participant("C", "SCRA")
        people = list(s.exec(select(ParticipantRow.position)).all())
    assert len(set(people)) == 2
    assert [p.name for p in team.participants()] == ["B", "C"]


def test_details_refuse_an_empty_title(new_service: WorkshopService) -> None:
    with pytest.raises(UserError, match="title cannot be empty"):
        new_service.team.update_details(title="  ")
    new_service.team.update_details(title="Spring\nworkshop", context="Line one\nLine two")
    got = new_service.team.details()
    assert got.title == "Spring workshop"  # titles are one line
    assert got.context == "Line one\nLine two"


def test_agencies_summary_counts_people_largest_first(new_service: WorkshopService) -> None:
    for name, agency in [("A", "NHS"), ("B", "Police Scotland"), ("C", "NHS")]:
        new_service.team.add_participant(name, agency)
    assert new_service.team.agencies_summary() == [("NHS", 2), ("Police Scotland", 1)]
