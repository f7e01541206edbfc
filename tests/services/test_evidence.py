"""The evidence register (services/evidence.py): references, checks, links, usage.

Every test runs on both engines, a workshop file and a workshop on PostgreSQL
(the fixtures in tests/services/conftest.py).
"""

from __future__ import annotations

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService


def test_evidence_references_are_assigned_in_order(new_service: WorkshopService) -> None:
    refs = [new_service.add_evidence(f"Item {i}", "document").ref for i in range(12)]
    assert refs == [f"E{i}" for i in range(1, 13)]
    assert [e.ref for e in new_service.evidence()][-3:] == ["E10", "E11", "E12"]
    assert new_service.next_evidence_ref() == "E13"


def test_evidence_validation(new_service: WorkshopService) -> None:
    with pytest.raises(UserError, match="between 0% and 100%"):
        new_service.add_evidence("x", "document", share_percent=101)
    with pytest.raises(UserError, match="no indicator 99.9"):
        new_service.add_evidence("x", "document", indicators=["99.9"])
    with pytest.raises(UserError, match="date"):
        new_service.add_evidence("x", "document", date="31/03/2026")
    with pytest.raises(UserError, match="title"):
        new_service.add_evidence("   ", "document")


def test_linking_and_usage_of_evidence(new_service: WorkshopService) -> None:
    ev = new_service.add_evidence("Record reading", "record_reading")
    new_service.link_evidence(ev.id, "5.2")
    new_service.link_evidence(ev.id, "5.2")
    new_service.link_evidence(ev.id, "5.3")
    assert new_service.evidence_item(ev.id).indicators == ["5.2", "5.3"]
    new_service.add_action("Re-audit", statement=1, baseline="52% good (E1)")
    usage = new_service.evidence_usage(ev.id)
    assert "linked to indicator 5.2 Assessing risk and need" in usage
    assert "mentioned in improvement action 1.1" in usage
    new_service.unlink_evidence(ev.id, "5.2")
    assert new_service.evidence_item(ev.id).indicators == ["5.3"]
    new_service.delete_evidence(ev.id)
    assert new_service.evidence() == []
    assert new_service.overview()[5].evidence_count == 0


def test_evidence_for_indicator_carries_all_its_links(new_service: WorkshopService) -> None:
    register = new_service.evidence_service
    a = register.add_evidence("Case file audit", "record_reading", indicators=["5.2", "5.3"])
    register.add_evidence("Minutes", "document", indicators=["9.1"])
    got = register.evidence_for_indicator("5.3")
    assert [(e.ref, e.indicators) for e in got] == [(a.ref, ["5.2", "5.3"])]
    register.delete_evidence(a.id)
    assert register.evidence_for_indicator("5.3") == []
    assert register.count() == 1


def test_long_agency_and_location_are_kept_within_what_exchange_carries(
    new_service: WorkshopService,
) -> None:
    from carequal_desktop.services.exchange import export_document, validate_document

    item = new_service.add_evidence("Audit", "document", agency="NHS\n" + "x" * 3000)
    new_service.update_evidence(item.id, location="Drive › " + "y" * 5000)
    session = new_service.add_session("2026-03-01", "Room 1")
    new_service.update_session(session.id, place="Council\nchambers " + "z" * 3000)
    got = new_service.evidence_item(item.id)
    assert got.agency.startswith("NHS x") and len(got.agency) == 2000
    assert len(got.location) == 4000
    assert "\n" not in new_service.sessions()[0].place
    validate_document(export_document(new_service))  # what the app accepts, it can export


def test_respondents_fit_on_every_engine(new_service: WorkshopService) -> None:
    # PostgreSQL's INTEGER is 32-bit; a file would take more, a server would refuse it, so
    # both refuse the same numbers with a sentence (and a huge one is no crash either).
    from carequal_desktop.store.tables import MAX_INTEGER

    item = new_service.add_evidence("Survey", "staff_survey", respondents=MAX_INTEGER)
    assert new_service.evidence_item(item.id).respondents == 2_147_483_647
    for too_many in (MAX_INTEGER + 1, 2**70):
        with pytest.raises(UserError, match="cannot be more than 2,147,483,647"):
            new_service.update_evidence(item.id, respondents=too_many)
    assert new_service.evidence_item(item.id).respondents == MAX_INTEGER
