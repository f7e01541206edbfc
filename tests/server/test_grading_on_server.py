"""Grading data and the previous-cycle link survive push and pull, and grading runs on a server."""

from __future__ import annotations

from pathlib import Path

from carequal_desktop.services import server
from carequal_desktop.services.exchange import export_document
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.new_cycle import previous_cycle
from carequal_desktop.services.workshop import WorkshopService


def _next_cycle_with_grading(tmp_path: Path, example_doc: dict) -> Path:
    """The Glenmuir example, one action completed, its next cycle, hidden proposals on 5.2."""
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.new_cycle import start_next_cycle

    source = import_document(example_doc, tmp_path / "Glenmuir 2026.carequal").path
    prev = WorkshopService.open(source)
    try:
        prev.update_action(prev.actions()[0].id, status="complete")
        target = start_next_cycle(prev, tmp_path / "Glenmuir 2027.carequal", title="Glenmuir 2027")
    finally:
        prev.close()
    service = WorkshopService.open(target.path)
    try:
        people = service.participants()
        GradingService(service).record_proposal("5.2", people[0].agency, 3)
        GradingService(service).record_proposal("5.2", people[1].agency, 5)
    finally:
        service.close()
    return target.path


def _doc(path: Path) -> dict:
    service = WorkshopService.open(path, read_only=True)
    try:
        return export_document(service)
    finally:
        service.close()


def test_grading_and_the_link_round_trip_through_a_server(
    server_url: str, tmp_path: Path, example_doc: dict
) -> None:
    local = _next_cycle_with_grading(tmp_path, example_doc)
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


def test_the_next_cycle_starts_from_a_server_workshop(
    server_url: str, tmp_path: Path, example_doc: dict
) -> None:
    from carequal_desktop.cli import main

    local = _next_cycle_with_grading(tmp_path, example_doc)
    loc = server.push(local, server_url)
    target = tmp_path / "Glenmuir 2028.carequal"
    assert main(["new-cycle", loc.display, str(target), "--title", "Glenmuir 2028"]) == 0
    doc = _doc(target)
    assert doc["workshop"]["previous_cycle"]["title"] == "Glenmuir 2027"
    assert doc["workshop"]["previous_cycle"]["id"] == loc.workshop_id


def test_server_init_adds_the_grading_columns_to_an_older_workshop(
    cluster, database: str, server_url: str, tmp_path: Path, example_doc: dict
) -> None:
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.store.server import init_server, parse_location

    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    # Make it what the CareQual before grading pushed: no grading columns (nor the field
    # history, which came later), the version before.
    from carequal_desktop.store import migrations

    before = next(v for v, step in migrations.STEPS.items() if step is migrations._add_grading) - 1
    cluster.psql(
        f"DROP TRIGGER carequal_history ON {loc.schema}.evaluation;"
        f" ALTER TABLE {loc.schema}.evaluation DROP COLUMN proposals_hidden, DROP COLUMN dissents;"
        f" UPDATE carequal.workshop SET schema_version = {before}"
        f" WHERE schema_name = '{loc.schema}'",
        database,
    )
    assert init_server(parse_location(server_url)) == "upgraded"
    service = server.open_server_workshop(loc)
    try:
        view = GradingService(service).view("5.2")
        assert not view.hidden and len(view.proposals) == 3  # made in the open: revealed
        GradingService(service).set_dissent("5.2", "NHS Glenmuir", "Adequate at most.")
        assert [d.text for d in GradingService(service).view("5.2").dissents] == [
            "Adequate at most."
        ]
    finally:
        service.close()
