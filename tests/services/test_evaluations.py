"""Evaluations (services/evaluations.py): answers, grades, strengths and areas.

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService


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


def test_item_positions_stay_distinct_after_a_delete(new_service: WorkshopService) -> None:
    evaluations = new_service.evaluation_service
    a = evaluations.add_item("2.1", "strength", "A")
    evaluations.add_item("2.1", "strength", "B")
    evaluations.delete_item(a.id)
    evaluations.add_item("2.1", "strength", "C")
    evaluations.add_item("2.1", "area_for_improvement", "X")
    got = evaluations.evaluation("2.1")
    assert [i.text for i in got.strengths] == ["B", "C"]
    assert [i.text for i in got.areas_for_improvement] == ["X"]


def test_an_unknown_field_or_indicator_is_a_bug_not_a_silent_no_op(
    new_service: WorkshopService,
) -> None:
    with pytest.raises(ValueError, match="Unknown evaluation field"):
        new_service.evaluation_service.update_evaluation("2.1", colour="red")
    with pytest.raises(KeyError):
        new_service.evaluation_service.update_evaluation("99.9", how_good_now="x")


def test_statuses_and_grades_cover_recorded_evaluations_only(new_service: WorkshopService) -> None:
    new_service.evaluation_service.update_evaluation("5.1", grade=5, status="agreed")
    new_service.evaluation_service.update_evaluation("9.1", status="in_progress")
    assert new_service.evaluation_service.statuses_and_grades() == {
        "5.1": ("agreed", 5),
        "9.1": ("in_progress", None),
    }
