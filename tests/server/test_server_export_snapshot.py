"""An export from a server workshop is one snapshot, even while a colleague saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from carequal_desktop.services import server
from carequal_desktop.services.exchange import export_document, import_document


def test_a_colleagues_edit_never_half_appears_in_an_export(
    server_url: str, example_doc: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = import_document(example_doc, tmp_path / "Glenmuir.carequal").path
    location = server.push(file, server_url)
    mine = server.open_server_workshop(location)
    colleague = server.open_server_workshop(location)
    try:
        before = export_document(mine)
        first = mine.evidence()[0]
        real_sessions = mine.sessions

        def colleague_saves_meanwhile():  # type: ignore[no-untyped-def]
            # The export has read the workshop's details; now a colleague deletes an
            # evidence item (and its links) and renames the workshop.
            colleague.delete_evidence(first.id)
            colleague.update_details(title="Renamed meanwhile")
            return real_sessions()

        monkeypatch.setattr(mine, "sessions", colleague_saves_meanwhile)
        during = export_document(mine)
        monkeypatch.undo()
        assert during == before  # all as it was when the export began, links included

        after = export_document(mine)
        assert after["workshop"]["title"] == "Renamed meanwhile"
        assert [e["id"] for e in after["evidence"]] == [e["id"] for e in before["evidence"][1:]]
    finally:
        colleague.close()
        mine.close()


def test_another_threads_reads_during_an_export_take_their_own_connection(
    server_url: str, example_doc: dict, tmp_path: Path
) -> None:
    import threading

    file = import_document(example_doc, tmp_path / "Glenmuir.carequal").path
    location = server.push(file, server_url)
    mine = server.open_server_workshop(location)
    colleague = server.open_server_workshop(location)
    try:
        with mine.db.snapshot():
            title = mine.details().title  # the export's snapshot begins
            colleague.update_details(title="Renamed meanwhile")
            seen: list[str] = []
            # A save in the background reads through its own session, never the export's
            # (a session is not shared between threads), so it sees the colleague's change.
            worker = threading.Thread(target=lambda: seen.append(mine.details().title))
            worker.start()
            worker.join()
            assert seen == ["Renamed meanwhile"]
            assert mine.details().title == title  # the export's own reads stay as they were
    finally:
        colleague.close()
        mine.close()
