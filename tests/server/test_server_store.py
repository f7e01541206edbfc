"""The same workshops on a real PostgreSQL server: set-up, push, pull, open, rights, TLS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services import server
from carequal_desktop.services.exchange import export_document, import_document
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.server import ServerError, init_server, parse_location
from tests.server.pgcluster import Cluster, free_port


@pytest.fixture
def example_file(tmp_path: Path, example_doc: dict) -> Path:
    target = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, target)
    return target


def _doc(service: WorkshopService) -> dict:
    return json.loads(json.dumps(export_document(service), sort_keys=True))


def _file_doc(path: Path) -> dict:
    service = WorkshopService.open(path, read_only=True)
    try:
        return _doc(service)
    finally:
        service.close()


def test_init_is_idempotent_and_refuses_a_newer_server(cluster: Cluster, database: str) -> None:
    loc = parse_location(cluster.url(database=database))
    assert init_server(loc) == "created"
    assert init_server(loc) == "up to date"
    cluster.psql("UPDATE carequal.server_meta SET value = '99'", database)
    with pytest.raises(ServerError, match="newer CareQual"):
        init_server(loc)


def test_a_server_not_set_up_is_named_as_such(
    cluster: Cluster, database: str, example_file: Path
) -> None:
    with pytest.raises(ServerError, match="not set up for CareQual yet"):
        server.push(example_file, cluster.url(database=database))


def test_push_then_pull_gives_back_the_same_workshop(
    server_url: str, example_file: Path, tmp_path: Path
) -> None:
    before = _file_doc(example_file)
    loc = server.push(example_file, server_url)
    assert loc.workshop_id == before["workshop"]["id"]
    assert loc.display.endswith("#" + before["workshop"]["id"])
    copy = server.pull(loc, tmp_path / "copy.carequal")
    assert _file_doc(copy) == before
    with pytest.raises(UserError, match="already on the server"):
        server.push(example_file, server_url)


def test_the_services_run_unchanged_on_the_server(server_url: str, example_file: Path) -> None:
    loc = server.push(example_file, server_url)
    service = server.open_server_workshop(loc)
    try:
        ev = service.add_evidence("Case file audit", "record_reading", indicators=["5.2"])
        service.update_evaluation("5.2", how_good_now="Risks are seen early.", grade=4)
        item = service.add_item("5.2", "strength", "Joint IRDs within a day")
        act = service.add_action("Refresh chronology guidance", statement=1, indicators=["5.2"])
        service.delete_item(item.id)
        service.add_item("5.2", "strength", "Chronologies shared")
    finally:
        service.close()
    again = server.open_server_workshop(loc, read_only=True)
    try:
        got = again.evaluation("5.2")
        assert (got.how_good_now, got.grade) == ("Risks are seen early.", 4)
        assert [i.text for i in got.strengths][-1] == "Chronologies shared"
        assert ev.ref in [e.ref for e in again.evidence_for_indicator("5.2")]
        assert act.ref in [a.ref for a in again.actions_for_indicator("5.2")]
        with pytest.raises(UserError, match="open read-only"):
            again.update_details(title="Changed")
    finally:
        again.close()


def test_a_role_sees_only_the_workshops_it_was_granted(
    cluster: Cluster, database: str, server_url: str, example_file: Path
) -> None:
    cluster.psql(
        "DO $$ BEGIN CREATE ROLE alice LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO alice")
    loc = server.push(example_file, server_url)
    as_alice = parse_location(cluster.url("alice", database)).with_workshop(str(loc.workshop_id))

    assert server.list_workshops(as_alice) == []
    with pytest.raises(ServerError, match="has not been given access"):
        server.open_server_workshop(as_alice)
    # Enforced by PostgreSQL itself: psql as alice reads nothing either.
    assert cluster.psql("SELECT count(*) FROM carequal.workshop", database, user="alice") == "0"
    with pytest.raises(RuntimeError, match="permission denied"):
        cluster.psql(f"SELECT count(*) FROM {loc.schema}.evidence", database, user="alice")

    server.grant(loc, "alice")
    [(listed, _title, _partnership)] = server.list_workshops(as_alice)
    assert listed == as_alice.display
    service = server.open_server_workshop(as_alice)
    try:
        service.add_participant("Alice Reid", "NHS Glenmuir", "Lead nurse")
    finally:
        service.close()

    server.grant(loc, "alice", revoke=True)
    with pytest.raises(ServerError):
        server.open_server_workshop(as_alice)
    with pytest.raises(UserError, match="no role"):
        server.grant(loc, "nobody_here")


def test_tls_is_required_unless_the_address_says_otherwise(
    cluster: Cluster, server_url: str
) -> None:
    plain = server_url.replace("?sslmode=disable", "")
    with pytest.raises(ServerError, match="encrypted \\(TLS\\)"):
        server.list_workshops(plain)


def test_an_unreachable_server_is_one_sentence() -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/db?sslmode=disable"
    with pytest.raises(ServerError, match="could not be reached") as info:
        server.list_workshops(url)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postgresql://u@h/db", "names a server but no workshop"),
        ("postgresql://u@h/db#not-an-id", "is not a workshop id"),
        ("postgresql://u@h", "names no database"),
        ("postgresql://u:secret@h/#x", "names no database"),
    ],
)
def test_bad_locations_get_a_sentence_and_never_show_a_password(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        parse_location(text).schema  # noqa: B018 (the property checks the workshop part)
    assert "secret" not in str(info.value)


def test_a_file_written_before_the_storage_rule_with_nul_still_goes_on_the_server(
    server_url: str, example_file: Path, tmp_path: Path
) -> None:
    """Older files may hold NUL, which PostgreSQL's text cannot: it arrives as U+FFFD."""
    import sqlite3

    conn = sqlite3.connect(example_file)
    conn.execute(
        "UPDATE evaluation SET how_good_now = ? WHERE indicator_code = '5.2'", ("Before\x00after",)
    )
    conn.commit()
    conn.close()
    loc = server.push(example_file, server_url)
    service = server.open_server_workshop(loc)
    try:
        assert service.evaluation("5.2").how_good_now == "Before\ufffdafter"
    finally:
        service.close()
