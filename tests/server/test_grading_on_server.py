"""Grading data and the previous-cycle link survive push and pull, and grading runs on a server."""

from __future__ import annotations

import shutil
from pathlib import Path

from carequal_desktop.services import server
from carequal_desktop.services.exchange import export_document
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.new_cycle import previous_cycle
from carequal_desktop.services.workshop import WorkshopService

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "schema-v2.carequal"


def _doc(path: Path) -> dict:
    service = WorkshopService.open(path, read_only=True)
    try:
        return export_document(service)
    finally:
        service.close()


def test_grading_and_the_link_round_trip_through_a_server(server_url: str, tmp_path: Path) -> None:
    local = tmp_path / "Glenmuir 2027.carequal"
    shutil.copyfile(SAMPLE, local)
    before = _doc(local)
    assert before["workshop"]["previous_cycle"]["closed_actions"]
    loc = server.push(local, server_url)
    service = server.open_server_workshop(loc)
    try:
        grading = GradingService(service)
        assert grading.view("5.2").hidden
        grading.reveal("5.2")
        grading.set_dissent("5.2", "Police Scotland", "Good, not adequate.")
        assert previous_cycle(service).title == before["workshop"]["previous_cycle"]["title"]
    finally:
        service.close()
    after = _doc(server.pull(loc, tmp_path / "pulled.carequal"))
    ev = next(e for e in after["evaluations"] if e["indicator"] == "5.2")
    assert "proposed_grades_hidden" not in ev
    assert ev["dissents"] == [{"agency": "Police Scotland", "text": "Good, not adequate."}]
    assert after["workshop"]["previous_cycle"] == before["workshop"]["previous_cycle"]


def test_the_next_cycle_starts_from_a_server_workshop(server_url: str, tmp_path: Path) -> None:
    from carequal_desktop.cli import main

    local = tmp_path / "Glenmuir 2027.carequal"
    shutil.copyfile(SAMPLE, local)
    loc = server.push(local, server_url)
    target = tmp_path / "Glenmuir 2028.carequal"
    assert main(["new-cycle", loc.display, str(target), "--title", "Glenmuir 2028"]) == 0
    doc = _doc(target)
    assert doc["workshop"]["previous_cycle"]["title"] == "Glenmuir 2027"
    assert doc["workshop"]["previous_cycle"]["id"] == loc.workshop_id
