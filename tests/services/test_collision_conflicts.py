"""Typing that collides with a colleague's save becomes a conflict decided like a merge's.

Two ``WorkshopService`` instances on one workshop stand for two people with it open. Every
test runs on both engines: a workshop file, and a workshop on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from carequal_desktop.errors import EditCollisionError
from carequal_desktop.services import merge as merging
from carequal_desktop.services.collisions import origins, record_collision
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.workshop import WorkshopService


@pytest.fixture
def pair(
    new_service: WorkshopService, workshops
) -> Iterator[tuple[WorkshopService, WorkshopService]]:  # type: ignore[no-untyped-def]
    """Morag's window and Ian's, on the same workshop."""
    ian = workshops.open(workshops.where(new_service))
    yield new_service, ian
    ian.close()


def collide(save: Callable[[], None]) -> EditCollisionError:
    with pytest.raises(EditCollisionError) as info:
        save()
    return info.value


def test_a_collision_on_an_answer_is_a_conflict_and_the_colleagues_text_stays(pair) -> None:
    morag, ian = pair
    morag.update_evaluation("5.2", how_good_now="Start")
    morag.update_evaluation("5.2", expected={"how_good_now": "Start"}, how_good_now="Morag's")
    exc = collide(
        lambda: ian.update_evaluation(
            "5.2", expected={"how_good_now": "Start"}, how_good_now="Ian's"
        )
    )
    info = record_collision(ian, exc, by="ian")
    assert (info.record, info.indicator, info.field) == ("Indicator 5.2", "5.2", "how_good_now")
    assert (info.base, info.ours, info.theirs) == ("Start", "Morag's", "Ian's")
    assert morag.evaluation("5.2").how_good_now == "Morag's"  # nothing overwritten

    # Everyone sees it: the conflict list, the indicator mark, the export warning, the log.
    [listed] = merging.open_conflicts(morag)
    assert listed.to_json() == {
        "id": info.id,
        "record": "Indicator 5.2",
        "field": "how_good_now",
        "base": "Start",
        "ours": "Morag's",
        "theirs": "Ian's",
        "indicator": "5.2",
    }
    assert merging.conflict_codes(morag) == {"5.2"}
    assert "1 merge conflict is still to decide" in (merging.export_warning(morag) or "")
    assert origins(morag)[info.id].sentence == "From a simultaneous edit by ian"
    [logged] = merging.merge_log(morag)
    assert (logged["source_name"], logged["merged_by"], logged["conflicts"]) == (
        "Simultaneous edit",
        "ian",
        1,
    )

    merging.resolve(morag, info.id, "theirs", resolved_by="morag")
    assert morag.evaluation("5.2").how_good_now == "Ian's"
    assert merging.open_conflicts(ian) == [] and origins(ian) == {}
    # Decided: typing from the decided text saves as usual.
    ian.update_evaluation("5.2", expected={"how_good_now": "Ian's"}, how_good_now="Agreed")
    assert morag.evaluation("5.2").how_good_now == "Agreed"


def test_a_strength_kept_as_the_colleague_wrote_it(pair) -> None:
    morag, ian = pair
    item = morag.add_item("2.1", "strength", "Children are heard")
    morag.update_item(item.id, "Children are heard early", expected="Children are heard")
    exc = collide(
        lambda: ian.update_item(item.id, "Children are listened to", expected="Children are heard")
    )
    info = record_collision(ian, exc, by="ian")
    assert (info.record, info.indicator) == ("Strength in 2.1", "2.1")
    assert (info.ours, info.theirs) == ("Children are heard early", "Children are listened to")
    merging.resolve(ian, info.id, "ours")
    assert morag.evaluation("2.1").strengths[0].text == "Children are heard early"
    assert merging.open_conflicts(morag) == []


def test_a_workshop_detail_decided_with_a_combination(pair) -> None:
    morag, ian = pair
    morag.update_details(context="Rural")
    morag.update_details(expected={"context": "Rural"}, context="Rural, two islands")
    exc = collide(lambda: ian.update_details(expected={"context": "Rural"}, context="Rural area"))
    info = record_collision(ian, exc, by="ian")
    assert (info.record, info.indicator) == ("Workshop details", "")
    merging.resolve(morag, info.id, "text", "A rural area with two islands")
    assert ian.details().context == "A rural area with two islands"


def test_the_why_this_grade_text_of_grading_collides_like_any_answer(pair) -> None:
    morag, ian = pair
    for name, agency in [("Aileen", "Council social work"), ("Bashir", "NHS board")]:
        morag.add_participant(name, agency)
    GradingService(morag).agree("5.2", 4, "Chronologies are better")
    start = ian.evaluation("5.2").rationale
    GradingService(morag).agree("5.2", 4, "Chronologies are better; audits agree")
    exc = collide(
        lambda: ian.update_evaluation(
            "5.2", expected={"rationale": start}, rationale="Most chronologies are good"
        )
    )
    info = record_collision(ian, exc, by="ian")
    assert (info.field_label, info.base) == ("Why this grade?", "Chronologies are better")
    assert GradingService(ian).view("5.2").agreed == 4
    merging.resolve(morag, info.id, "theirs")
    assert morag.evaluation("5.2").rationale == "Most chronologies are good"
    assert morag.evaluation("5.2").grade == 4


def test_recording_again_gives_one_conflict_and_newer_typing_replaces_the_kept_text(
    pair,
) -> None:
    morag, ian = pair
    morag.update_evaluation("5.2", what_next="Plan")
    morag.update_evaluation("5.2", what_next="Morag's plan")

    def ians(text: str, base: str = "Plan") -> EditCollisionError:
        return collide(
            lambda: ian.update_evaluation("5.2", expected={"what_next": base}, what_next=text)
        )

    first = record_collision(ian, ians("Ian's plan"), by="ian")
    again = record_collision(ian, ians("Ian's plan"), by="ian")  # a retry
    assert again.id == first.id
    longer = record_collision(ian, ians("Ian's plan, costed"), by="ian")  # typed on
    assert longer.id == first.id
    [only] = merging.open_conflicts(morag)
    assert (only.theirs, only.base) == ("Ian's plan, costed", "Plan")
    assert merging.merge_log(morag)[0]["conflicts"] == 1
    # Someone else's typing, or typing begun from other text, is never written over.
    other = record_collision(morag, ians("Sam's plan"), by="sam")
    later = record_collision(ian, ians("Ian's second go", base="Something older"), by="ian")
    assert len({first.id, other.id, later.id}) == 3
    assert [c.theirs for c in merging.open_conflicts(morag)] == [
        "Ian's plan, costed",
        "Sam's plan",
        "Ian's second go",
    ]


def test_a_laptop_copy_merged_before_and_after_the_decision_asks_nothing(
    pair, tmp_path: Path, workshops
) -> None:
    morag, ian = pair
    morag.update_evaluation("5.2", how_good_now="Start")
    laptop_path = morag.save_copy_as(tmp_path / "laptop.carequal")
    morag.update_evaluation("5.2", how_good_now="Morag's")
    exc = collide(
        lambda: ian.update_evaluation(
            "5.2", expected={"how_good_now": "Start"}, how_good_now="Ian's"
        )
    )
    info = record_collision(ian, exc, by="ian")
    report = merging.merge_file(morag, laptop_path)  # the laptop never changed the answer
    assert report.conflicts == [] and len(merging.open_conflicts(morag)) == 1
    merging.resolve(morag, info.id, "theirs")
    laptop = WorkshopService.open(laptop_path)
    try:
        back = merging.merge_file(laptop, workshops.address(morag))
        assert back.conflicts == []
        assert laptop.evaluation("5.2").how_good_now == "Ian's"  # the decision travels
    finally:
        laptop.close()
    assert merging.merge_file(morag, laptop_path).conflicts == []
    assert merging.open_conflicts(morag) == []


def test_carequal_conflicts_and_resolve_decide_a_collision(new_service, workshops, capsys) -> None:
    from carequal_desktop.cli import main

    ian = workshops.open(workshops.where(new_service))
    try:
        new_service.update_evaluation("5.2", how_good_now="Start")
        new_service.update_evaluation("5.2", how_good_now="Morag's")
        exc = collide(
            lambda: ian.update_evaluation(
                "5.2", expected={"how_good_now": "Start"}, how_good_now="Ian's"
            )
        )
        info = record_collision(ian, exc, by="ian")
    finally:
        ian.close()
    path = workshops.address(new_service)
    where = workshops.where(new_service)
    new_service.close()
    assert main(["conflicts", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{info.id}: Indicator 5.2, How good are we now?" in out
    assert "from a simultaneous edit by ian (incoming: the typing not saved)" in out
    assert main(["conflicts", str(path), "--json"]) == 0
    assert '"theirs": "Ian\'s"' in capsys.readouterr().out
    assert main(["resolve", str(path), str(info.id), "--theirs"]) == 0
    again = workshops.open(where, read_only=True)
    try:
        assert again.evaluation("5.2").how_good_now == "Ian's"
    finally:
        again.close()


def test_a_proposed_grade_saved_over_three_colleagues_saves_is_kept_as_a_conflict(
    pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    morag, ian = pair
    GradingService(morag).record_proposal("5.2", "NHS board", 2)
    real_evaluation = ian.evaluation
    grades = iter([3, 4, 5])

    def read_then_colleague_saves(code: str):  # type: ignore[no-untyped-def]
        ev = real_evaluation(code)
        GradingService(morag).record_proposal(code, "NHS board", next(grades))
        return ev

    monkeypatch.setattr(ian, "evaluation", read_then_colleague_saves)
    exc = collide(lambda: GradingService(ian).record_proposal("5.2", "Police Scotland", 4))
    monkeypatch.undo()
    info = record_collision(ian, exc, by="ian")
    assert (info.field_label, info.record) == ("Grades proposed by agencies", "Indicator 5.2")
    assert [p.grade for p in GradingService(morag).view("5.2").proposals] == [5]
    merging.resolve(morag, info.id, "theirs")
    assert [(p.agency, p.grade) for p in GradingService(morag).view("5.2").proposals] == [
        ("NHS board", 4),
        ("Police Scotland", 4),
    ]
