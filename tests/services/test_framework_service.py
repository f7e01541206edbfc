"""The workshop's own framework (services/framework.py).

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from tests.engines import Workshops


def test_new_workshop_copies_the_default_framework(new_service: WorkshopService) -> None:
    fw = new_service.framework()
    assert fw.id == "qf-2019" and len(fw.indicators) == 22
    assert len(new_service.overview()) == 22
    assert all(s.status == "not_started" for s in new_service.overview())


def test_facilitator_can_correct_an_indicator(
    new_service: WorkshopService, workshops: Workshops
) -> None:
    new_service.update_indicator(
        "5.1", title="Access to early support", prompts=["Q1?", "Q2?"], statements=[1, 2]
    )
    again = workshops.reopen(new_service)
    ind = again.framework().indicator("5.1")
    assert (ind.title, ind.prompts, ind.statements) == (
        "Access to early support",
        ("Q1?", "Q2?"),
        (1, 2),
    )
    with pytest.raises(UserError):
        again.update_indicator("5.1", statements=[7])
