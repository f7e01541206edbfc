"""The facilitation mode's agenda, parking lot, quick notes and remembered text size.

The tests on a workshop run on both engines. About files, so run once on SQLite: a
version-1 file upgraded on opening, and the upgrade giving the tables a new file has.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services.facilitation import (
    DEFAULT_FACILITATION_ZOOM,
    NOTE,
    Facilitation,
    step_zoom,
)
from carequal_desktop.services.workshop import WorkshopService
from tests.engines import Workshops

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def service(workshops: Workshops) -> WorkshopService:
    return workshops.create("Strathcairn 2026", "Strathcairn")


def test_an_agenda_from_the_indicators_with_time_used(service: WorkshopService) -> None:
    f = Facilitation(service)
    agenda = f.agenda_from_indicators(minutes=15)
    codes = [i.code for i in service.framework().indicators]
    assert [a.indicator_code for a in agenda] == codes
    assert f.agenda_from_indicators() == agenda  # never doubled
    f.record_time(agenda[0].id, 20 * 60)
    first = f.agenda()[0]
    assert first.spent_seconds == 1200 and first.over_seconds == 300
    f.record_time(agenda[1].id, 10**12)  # a clock gone wrong: kept within what engines hold
    assert f.agenda()[1].spent_seconds == 2**31 - 1
    f.update_agenda_item(first.id, minutes=25, title="Opening: 1.1")
    assert f.agenda()[0].over_seconds == 0 and f.agenda()[0].title == "Opening: 1.1"
    with pytest.raises(UserError, match="between 1 and 600"):
        f.add_agenda_item("Lunch", minutes=0)
    with pytest.raises(UserError, match="no indicator 99.9"):
        f.add_agenda_item("Nowhere", indicator_code="99.9")


def test_parked_points_become_actions_evidence_or_another_indicators(
    service: WorkshopService,
) -> None:
    f = Facilitation(service)
    a = f.park("Health visitors do not see the chronology", raised_by="Ann (NHS)", raised_at="5.2")
    b = f.park("Ask police for the IRD timings", raised_by="Bob", raised_at="5.2")
    c = f.park("Belongs with leadership", raised_by="Cat", raised_at="5.2")
    note = f.park("Lunch at 12.30", kind=NOTE)
    assert [p.text for p in f.parking_lot(kind="parked")] == [a.text, b.text, c.text]
    assert [p.text for p in f.parking_lot(kind=NOTE)] == ["Lunch at 12.30"]

    ref = f.make_action(a.id)
    action = next(x for x in service.actions() if x.ref == ref)
    assert action.task == a.text and list(action.indicators) == ["5.2"]
    ev_ref = f.make_evidence_to_find(b.id)
    evidence = next(e for e in service.evidence() if e.ref == ev_ref)
    assert "Raised by Bob" in evidence.description and "5.2" in evidence.indicators
    f.move_to_indicator(c.id, "9.1")
    assert [p.id for p in f.parked_for("9.1")] == [c.id]
    assert {p.id: p.becomes for p in f.parking_lot()} == {
        a.id: "action",
        b.id: "evidence",
        c.id: "indicator",
        note.id: "",
    }
    with pytest.raises(UserError, match="Type the point"):
        f.park("   ")


def test_text_size_is_remembered_per_workshop(
    service: WorkshopService, workshops: Workshops
) -> None:
    f = Facilitation(service)
    assert f.zoom() == 1.0
    assert f.zoom(facilitating=True) == DEFAULT_FACILITATION_ZOOM
    f.set_zoom(step_zoom(1.0, 1))
    f.set_zoom(2.0, facilitating=True)
    again = workshops.reopen(service)
    assert Facilitation(again).zoom() == 1.1
    assert Facilitation(again).zoom(facilitating=True) == 2.0
    assert step_zoom(2.8, 1) == 2.8 and step_zoom(0.8, -1) == 0.8 and step_zoom(1.0, -1) == 0.9


def test_a_version_1_file_gains_the_agenda_and_parking_lot(tmp_path: Path) -> None:
    path = tmp_path / "old.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", path)
    service = WorkshopService.open(path)
    try:
        f = Facilitation(service)
        assert f.agenda() == [] and f.parking_lot() == []
        f.park("Works after the upgrade", raised_by="Dee")
        assert f.parking_lot()[0].raised_by == "Dee"
    finally:
        service.close()


def test_agenda_and_parking_lot_round_trip_through_exchange_json(
    service: WorkshopService, workshops: Workshops
) -> None:
    from carequal_desktop.services.exchange import export_document

    before = export_document(service)
    assert "facilitation" not in before  # documents without them are unchanged
    f = Facilitation(service)
    f.add_agenda_item("Welcome and introductions", minutes=10)
    slot = f.add_agenda_item("5.2", minutes=30, indicator_code="5.2")
    f.record_time(slot.id, 95)
    parked = f.park("Ask SCRA for figures", raised_by="Eve", raised_at="5.2")
    f.move_to_indicator(parked.id, "9.1")
    f.park("Quick note", kind=NOTE)
    doc = export_document(service)
    assert [a["title"] for a in doc["facilitation"]["agenda"]] == [
        "Welcome and introductions",
        "5.2",
    ]
    workshops.discard(service)  # the copy has the same workshop id
    other = workshops.imported(doc)
    again = export_document(other)
    assert again["facilitation"] == doc["facilitation"]
    g = Facilitation(other)
    assert g.agenda()[1].spent_seconds == 95
    assert g.parked_for("9.1")[0].raised_by == "Eve"


def test_the_upgrade_makes_the_same_tables_as_a_new_file(
    tmp_path: Path, workshop_path: Path
) -> None:
    import sqlite3

    old = tmp_path / "old.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", old)
    WorkshopService.open(old).close()
    WorkshopService.create(workshop_path, title="New", partnership="P").close()

    def columns(path: Path, table: str) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            # name, type, not null, primary key (defaults differ harmlessly: none are used)
            return [(r[1], r[2], r[3], r[5]) for r in conn.execute(f"PRAGMA table_info({table})")]
        finally:
            conn.close()

    for table in ("agenda_item", "parking_item"):
        assert columns(old, table) == columns(workshop_path, table)
