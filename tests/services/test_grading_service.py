"""Grading use cases: proposals hidden then revealed, agreement, dissent per agency.

Every test runs on both engines (a workshop file and a workshop on PostgreSQL).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.exchange import export_document
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.workshop import WorkshopService


@pytest.fixture
def team(new_service):
    for name, agency in [
        ("Aileen", "Council social work"),
        ("Bashir", "NHS board"),
        ("Cara", "Police Scotland"),
        ("Dougie", "NHS board"),
    ]:
        new_service.add_participant(name, agency)
    return new_service


def test_a_new_round_is_hidden_until_revealed(team) -> None:
    g = GradingService(team)
    assert g.view("5.2").hidden
    g.record_proposal("5.2", "Council social work", 4, "Chronologies better")
    g.record_proposal("5.2", "NHS board", 2)
    view = g.view("5.2")
    assert view.hidden and view.status == "in_progress"
    assert view.missing_agencies == ["Police Scotland"] and not view.all_in
    g.record_proposal("5.2", "police scotland", 5)
    assert g.view("5.2").all_in
    g.reveal("5.2")
    view = g.view("5.2")
    assert not view.hidden
    assert (view.spread.lowest, view.spread.highest, view.spread.median) == (2, 5, 4.0)
    assert view.spread.disagreement


def test_a_second_proposal_from_the_same_agency_replaces_the_first(team) -> None:
    g = GradingService(team)
    g.record_proposal("5.2", "NHS board", 2)
    g.record_proposal("5.2", "Police Scotland", 4)
    g.record_proposal("5.2", "NHS board", 3, "On reflection")
    view = g.view("5.2")
    assert [(p.agency, p.grade, p.note) for p in view.proposals] == [
        ("NHS board", 3, "On reflection"),
        ("Police Scotland", 4, ""),
    ]
    g.remove_proposal("5.2", "NHS board")
    assert [p.agency for p in g.view("5.2").proposals] == ["Police Scotland"]


def test_members_propose_for_their_agency(team) -> None:
    g = GradingService(team)
    bashir, dougie = (p for p in team.participants() if p.agency == "NHS board")
    g.record_proposal("5.2", "NHS board", 3, participant=bashir.id)
    g.record_proposal("5.2", "NHS board", 4, participant=dougie.id)
    assert len(g.view("5.2").proposals) == 2
    assert "NHS board" not in g.view("5.2").missing_agencies
    labels = [p.label for p in g.proposers()]
    assert labels[:3] == ["Council social work", "NHS board", "Police Scotland"]
    assert "Bashir (NHS board)" in labels


def test_a_grade_off_the_scale_or_no_agency_is_refused(team) -> None:
    g = GradingService(team)
    with pytest.raises(UserError, match="not a grade"):
        g.record_proposal("5.2", "NHS board", 7)
    with pytest.raises(UserError, match="which agency"):
        g.record_proposal("5.2", "  ", 3)


def test_agreed_grade_rationale_and_dissent_per_agency(team) -> None:
    g = GradingService(team)
    g.agree("5.2", 3, "Assessments are timely but plans vary.")
    g.set_dissent("5.2", "Police Scotland", "We consider it good: IRDs are on time.")
    g.set_dissent("5.2", "NHS board", "Too generous.")
    g.set_dissent("5.2", "NHS board", "")  # withdrawn
    g.set_dissent("5.2", "", "A view recorded without an agency.")
    view = g.view("5.2")
    assert (view.agreed, view.rationale) == (3, "Assessments are timely but plans vary.")
    assert [(d.agency, d.text) for d in view.dissents] == [
        ("", "A view recorded without an agency."),
        ("Police Scotland", "We consider it good: IRDs are on time."),
    ]


def test_overview_hides_what_the_room_has_not_seen(team) -> None:
    g = GradingService(team)
    team.update_evaluation("5.1", previous_grade=3)
    g.agree("5.1", 4)
    g.record_proposal("5.2", "NHS board", 2)
    rows = g.overview()
    assert rows["5.1"].change == 1 and rows["5.1"].previous == 3
    assert rows["5.2"].hidden and rows["5.2"].proposals == 1


def test_everything_round_trips_through_exchange_json(team, workshops) -> None:
    g = GradingService(team)
    cara = next(p for p in team.participants() if p.name == "Cara")
    g.record_proposal("5.2", "Police Scotland", 5, "IRDs", participant=cara.id)
    g.record_proposal("5.3", "NHS board", 3)
    g.reveal("5.3")
    g.set_dissent("5.2", "Police Scotland", "Good, not adequate.", participant=cara.id)
    g.set_dissent("5.2", "", "Unattributed.")
    team.update_evaluation("5.2", previous_grade=4)
    first = export_document(team)
    workshops.discard(team)  # the copy has the same workshop id
    copy = workshops.imported(first)
    second = export_document(copy)
    view = GradingService(copy).view("5.2")
    assert second == first
    ev = next(e for e in second["evaluations"] if e["indicator"] == "5.2")
    assert ev["proposed_grades_hidden"] is True
    assert ev["dissents"] == [
        {"agency": "Police Scotland", "participant": cara.id, "text": "Good, not adequate."}
    ]
    assert ev["dissent"] == "Unattributed."
    assert "proposed_grades_hidden" not in next(
        e for e in second["evaluations"] if e["indicator"] == "5.3"
    )
    assert view.hidden and view.previous == 4 and view.proposals[0].note == "IRDs"


def test_version_1_documents_read_as_revealed_with_their_old_dissent(demo_service) -> None:
    view = GradingService(demo_service).view("5.3")
    assert not view.hidden
    assert len(view.proposals) == 5
    assert view.dissents[0].agency == "" and view.dissents[0].text.startswith("Police Scotland")
    assert view.spread.disagreement  # 3, 3, 3, 3 and 4: either side of adequate/good


def test_a_colleagues_proposal_saved_meanwhile_is_kept(team, monkeypatch) -> None:
    """Between reading the list and saving it, a colleague (on a server) saves theirs."""
    g = GradingService(team)
    g.record_proposal("5.2", "NHS board", 2)
    real_evaluation = team.evaluation
    raced: list[str] = []

    def read_then_colleague_saves(code):
        ev = real_evaluation(code)
        if not raced:
            raced.append(code)
            GradingService(team).record_proposal(code, "Police Scotland", 5)
            GradingService(team).set_dissent(code, "Police Scotland", "Good.")
        return ev

    monkeypatch.setattr(team, "evaluation", read_then_colleague_saves)
    g.record_proposal("5.2", "Council social work", 4)
    raced.clear()
    g.set_dissent("5.2", "NHS board", "Weak at best.")
    monkeypatch.undo()
    view = g.view("5.2")
    assert [(p.agency, p.grade) for p in view.proposals] == [
        ("NHS board", 2),
        ("Police Scotland", 5),
        ("Council social work", 4),
    ]
    assert [d.agency for d in view.dissents] == ["Police Scotland", "NHS board"]


def test_two_first_proposals_at_once_are_both_kept(team, monkeypatch) -> None:
    """The indicator has no evaluation yet; a colleague's first proposal is saved between
    this one's read and its save: neither is lost."""
    g = GradingService(team)
    real_evaluation = team.evaluation
    raced: list[str] = []

    def read_then_colleague_saves(code):
        ev = real_evaluation(code)
        if not raced:
            raced.append(code)
            GradingService(team).record_proposal(code, "Police Scotland", 5)
        return ev

    monkeypatch.setattr(team, "evaluation", read_then_colleague_saves)
    g.record_proposal("6.1", "Council social work", 4)
    monkeypatch.undo()
    assert [(p.agency, p.grade) for p in g.view("6.1").proposals] == [
        ("Police Scotland", 5),
        ("Council social work", 4),
    ]


def test_a_copy_s_proposals_and_dissent_come_through_a_merge(team, workshops, tmp_path) -> None:
    """Two laptops: the copy records a dissent and reveals; the original proposes meanwhile."""
    from carequal_desktop.services.merge import merge_file

    g = GradingService(team)
    g.record_proposal("5.2", "NHS board", 2)
    copy_path = team.save_copy_as(tmp_path / "laptop 2.carequal")
    copy = WorkshopService.open(copy_path)
    try:
        GradingService(copy).reveal("5.2")
        GradingService(copy).set_dissent("5.2", "Police Scotland", "Good, not weak.")
    finally:
        copy.close()
    g.agree("5.2", 3, "Plans vary.")
    merge_file(team, copy_path)
    merged = workshops.reopen(team, read_only=True)
    view = GradingService(merged).view("5.2")
    assert not view.hidden
    assert [(d.agency, d.text) for d in view.dissents] == [("Police Scotland", "Good, not weak.")]
    assert (view.agreed, view.rationale) == (3, "Plans vary.")
