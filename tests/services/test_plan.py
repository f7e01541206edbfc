"""The improvement plan (services/plan.py): references, links, overdue actions.

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService


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


def test_links_keep_their_order_and_counts_follow(new_service: WorkshopService) -> None:
    plan = new_service.plan
    act = plan.add_action("Audit chronologies", statement=2, indicators=["5.3", "2.1", "5.3"])
    assert plan.action(act.id).indicators == ["5.3", "2.1"]  # duplicates dropped, order kept
    plan.link_action(act.id, "1.1")
    plan.unlink_action(act.id, "2.1")
    assert plan.action(act.id).indicators == ["5.3", "1.1"]
    counts = {s.code: s.action_count for s in new_service.overview()}
    assert (counts["5.3"], counts["1.1"], counts["2.1"]) == (1, 1, 0)


def test_a_reference_cannot_be_taken_twice(new_service: WorkshopService) -> None:
    plan = new_service.plan
    first = plan.add_action("One", statement=1)
    second = plan.add_action("Two", statement=1)
    assert (first.ref, second.ref) == ("1.1", "1.2")
    with pytest.raises(UserError, match="already an action 1.1"):
        plan.update_action(second.id, ref="1.1")
    plan.delete_action(first.id)
    assert plan.next_action_ref(1) == "1.1"
    with pytest.raises(UserError, match="has been deleted"):
        plan.action(first.id)
