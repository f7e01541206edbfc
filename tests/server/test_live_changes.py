"""Two people on one server workshop see each other's saved edits (LISTEN/NOTIFY)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services import server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.live import ChangeListener
from tests.server.pgcluster import Cluster


def _wait_for(listener: ChangeListener, seconds: float = 5.0) -> set[str]:
    """Poll as the window does (never blocking) until something arrives."""
    deadline = time.monotonic() + seconds
    seen: set[str] = set()
    while time.monotonic() < deadline and not seen:
        seen = listener.poll()
        time.sleep(0.02)
    return seen


@pytest.fixture
def two_clients(server_url: str, tmp_path: Path, example_doc: dict):  # type: ignore[no-untyped-def]
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    first = server.open_server_workshop(loc)
    second = server.open_server_workshop(loc)
    yield first, second
    first.close()
    second.close()


def test_a_colleagues_edit_is_announced_and_ones_own_is_not(two_clients) -> None:  # type: ignore[no-untyped-def]
    first, second = two_clients
    assert first.db.server is not None and second.db.server is not None
    assert first.db.server.client != second.db.server.client
    listener = ChangeListener(second.db.server)
    listener.start()
    try:
        second.update_evaluation("5.2", how_good_now="Typed on the second laptop")
        time.sleep(0.3)
        assert listener.poll() == set()  # its own edit is not news

        first.update_evaluation("5.2", how_good_now="Typed on the first laptop")
        first.add_evidence("Minutes of the CPC", "document", indicators=["9.2"])
        changed: set[str] = set()
        deadline = time.monotonic() + 5
        while not {"evaluation", "evidence"} <= changed and time.monotonic() < deadline:
            changed |= _wait_for(listener, 0.5)
        assert {"evaluation", "evidence", "evidence_indicator"} <= changed
        assert second.evaluation("5.2").how_good_now == "Typed on the first laptop"
    finally:
        listener.close()


def test_a_rolled_back_edit_is_never_announced(two_clients) -> None:  # type: ignore[no-untyped-def]
    first, second = two_clients
    listener = ChangeListener(second.db.server)
    listener.start()
    try:
        with pytest.raises(UserError):
            first.add_action("Duplicate reference", statement=1, ref="1.1")
            first.add_action("Duplicate reference", statement=1, ref="1.1")
        drained = _wait_for(listener, 1.0)  # the first add is announced
        assert drained <= {"improvement_action", "action_indicator", "workshop"}
        time.sleep(0.3)
        assert listener.poll() == set()
    finally:
        listener.close()


def test_a_dropped_listener_says_so_then_reconnects(
    two_clients, cluster: Cluster, database: str
) -> None:  # type: ignore[no-untyped-def]
    first, second = two_clients
    listener = ChangeListener(second.db.server)
    listener.start()
    try:
        cluster.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE application_name = '{second.db.server.client}-listener'",
            database,
        )
        time.sleep(0.3)
        with pytest.raises(UserError, match="could not be reached") as info:
            for _ in range(50):
                listener.poll()
                time.sleep(0.05)
        assert "\n" not in str(info.value)
        listener.poll()  # reconnects and listens again
        first.update_details(context="Changed after the drop")
        assert "workshop" in _wait_for(listener)
    finally:
        listener.close()
