"""An edit never silently replaces text someone else saved since the edit began.

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import EditCollisionError
from carequal_desktop.services.workshop import WorkshopService


def test_an_edit_from_the_text_still_there_is_saved(new_service: WorkshopService) -> None:
    new_service.update_evaluation("5.2", how_good_now="First draft")
    new_service.update_evaluation(
        "5.2", expected={"how_good_now": "First draft"}, how_good_now="Second draft"
    )
    assert new_service.evaluation("5.2").how_good_now == "Second draft"
    # Saving the same text again (a retry after a dropped connection) is not a collision.
    new_service.update_evaluation(
        "5.2", expected={"how_good_now": "First draft"}, how_good_now="Second draft"
    )


def test_a_colleagues_newer_text_is_never_overwritten(new_service: WorkshopService) -> None:
    new_service.update_evaluation("5.2", how_good_now="Before", what_next="Plan A")
    new_service.update_evaluation("5.2", how_good_now="Colleague's text")  # saved meanwhile
    with pytest.raises(EditCollisionError) as info:
        new_service.update_evaluation(
            "5.2", expected={"how_good_now": "Before"}, how_good_now="My text", grade=4
        )
    err = info.value
    assert (err.field, err.base, err.mine, err.theirs) == (
        "how_good_now",
        "Before",
        "My text",
        "Colleague's text",
    )
    assert "How good are we now?" in str(err) and "both versions are kept" in str(err)
    got = new_service.evaluation("5.2")
    assert (got.how_good_now, got.grade) == ("Colleague's text", None)  # nothing half-saved
    # A different field of the same record is not a collision.
    new_service.update_evaluation("5.2", expected={"what_next": "Plan A"}, what_next="Plan B")
    assert new_service.evaluation("5.2").what_next == "Plan B"


def test_strength_wording_and_workshop_details_are_checked_too(
    new_service: WorkshopService,
) -> None:
    item = new_service.add_item("2.1", "strength", "Children are heard")
    new_service.update_item(item.id, "Children are heard early")
    with pytest.raises(EditCollisionError, match="a strength"):
        new_service.update_item(item.id, "Children are listened to", expected="Children are heard")
    new_service.update_item(item.id, "Heard early", expected="Children are heard early")
    assert new_service.evaluation("2.1").strengths[0].text == "Heard early"

    new_service.update_details(context="Ours")
    new_service.update_details(context="Theirs")
    with pytest.raises(EditCollisionError, match="context"):
        new_service.update_details(expected={"context": "Ours"}, context="Mine")
    assert new_service.details().context == "Theirs"
