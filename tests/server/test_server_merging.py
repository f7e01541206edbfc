"""An offline copy taken from the server merges back into it, field by field, three-way.

The server keeps each field's history as a file does (PostgreSQL triggers), so a copy
pulled with ``carequal pull`` and edited on a laptop with no network merges back with
``carequal merge LOCATION FILE`` by the same rules as two files: changed over there only,
taken; changed here only, kept; changed differently on both, a conflict decided on the
Merge page (or ``carequal resolve LOCATION ID``); safe to repeat; the same both ways.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from carequal_desktop.services import merge as merging
from carequal_desktop.services import server
from carequal_desktop.services.workshop import WorkshopService
from tests.content import content
from tests.server.pgcluster import Cluster


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "Original.carequal"
    s = WorkshopService.create(path, title="Glenmuir", partnership="Glenmuir partnership")
    s.update_evaluation("1.1", how_good_now="The original words.", grade=4)
    s.update_evaluation("2.1", how_good_now="Two one as agreed.")
    s.add_item("1.1", "strength", "Partners share information quickly")
    s.add_evidence("Case file audit", "record_reading", indicators=["1.1"], description="Audit")
    s.add_action("Train staff", statement=1, indicators=["1.1"])
    s.close()
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carequal_desktop", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_offline_copy_merges_back_field_by_field(
    server_url: str, original: Path, tmp_path: Path
) -> None:
    loc = server.push(original, server_url)
    laptop = server.pull(loc, tmp_path / "laptop.carequal")

    # On the server, colleagues go on working (their edits get a history there)...
    on_server = server.open_server_workshop(loc)
    try:
        on_server.update_evaluation("1.1", grade=5)  # only on the server: kept
        on_server.update_evaluation("2.1", how_good_now="The server's words.")  # both: conflict
    finally:
        on_server.close()
    # ... while the laptop, offline, changes other fields, one of them the same.
    offline = WorkshopService.open(laptop)
    try:
        offline.update_evaluation("1.1", how_good_now="Words typed on the train.")  # taken
        offline.update_evaluation("2.1", how_good_now="The laptop's words.")
        offline.add_evidence("Staff survey", "staff_survey", indicators=["2.1"])  # added: taken
    finally:
        offline.close()

    report = merging.merge_paths(loc.display, laptop, merged_by="facilitator")
    assert [(c.key, c.field) for c in report.conflicts] == [("2.1", "how_good_now")]
    conflict = report.conflicts[0]
    assert (conflict.base, conflict.ours, conflict.theirs) == (
        "Two one as agreed.",
        "The server's words.",
        "The laptop's words.",
    )
    service = server.open_server_workshop(loc)
    try:
        ev = service.evaluation("1.1")
        assert (ev.grade, ev.how_good_now) == (5, "Words typed on the train.")
        assert service.evaluation("2.1").how_good_now == "The server's words."  # until decided
        assert [e.title for e in service.evidence()] == ["Case file audit", "Staff survey"]
        assert [(c.key, c.field) for c in merging.open_conflicts(service)] == [
            ("2.1", "how_good_now")
        ]
        log = merging.merge_log(service)
        assert log[0]["source_name"] == "laptop.carequal" and log[0]["merged_by"] == "facilitator"
    finally:
        service.close()

    # Safe to repeat: nothing new, no conflict raised twice.
    again = merging.merge_paths(loc.display, laptop)
    assert (again.changes_taken, again.conflicts) == (0, [])

    # Decided on the server, then merged back into the laptop's copy: both the same.
    service = server.open_server_workshop(loc)
    try:
        merging.resolve(service, conflict.id, "text", "Both sets of words, combined.")
        server_content = content(service)
    finally:
        service.close()
    merging.merge_paths(laptop, loc.display)
    offline = WorkshopService.open(laptop, read_only=True)
    try:
        assert content(offline) == server_content
        assert offline.evaluation("2.1").how_good_now == "Both sets of words, combined."
    finally:
        offline.close()
    # And once more the other way: nothing left to take.
    final = merging.merge_paths(loc.display, laptop)
    assert (final.changes_taken, final.conflicts) == (0, [])


def test_two_editors_of_one_record_both_get_a_history(
    server_url: str, original: Path, tmp_path: Path, cluster: Cluster, database: str
) -> None:
    """Edits on the server are noted by its triggers and folded at each commit."""
    loc = server.push(original, server_url)
    laptop = server.pull(loc, tmp_path / "laptop.carequal")
    a = server.open_server_workshop(loc)
    b = server.open_server_workshop(loc)
    try:
        a.update_evaluation("1.1", how_good_now="Written by A.")
        b.update_evaluation("1.1", rationale="Reasoned by B.")
        a.update_evaluation("1.1", how_good_now="Written by A, again.")
    finally:
        a.close()
        b.close()
    rows = cluster.psql(
        f"SELECT lineages FROM {loc.schema}.record_history "
        "WHERE tbl = 'evaluation' AND key = '1.1'",
        database,
    )
    lineages = json.loads(rows)
    # Two edits on top of the pushed version (B's first answer needs no row: a field set
    # once from its default has the history its value implies).
    assert len(lineages["how_good_now"]) >= 3
    assert cluster.psql(f"SELECT count(*) FROM {loc.schema}.history_dirty", database) == "0"
    # The laptop changed nothing: merging it back takes nothing and loses nothing.
    report = merging.merge_paths(loc.display, laptop)
    assert (report.changes_taken, report.conflicts) == (0, [])
    service = server.open_server_workshop(loc)
    try:
        ev = service.evaluation("1.1")
        assert (ev.how_good_now, ev.rationale) == ("Written by A, again.", "Reasoned by B.")
    finally:
        service.close()


def test_merge_on_the_command_line_takes_a_location(
    server_url: str, original: Path, tmp_path: Path
) -> None:
    loc = server.push(original, server_url)
    laptop = server.pull(loc, tmp_path / "laptop.carequal")
    on_server = server.open_server_workshop(loc)
    try:
        on_server.update_evaluation("1.1", how_good_now="Server.")
    finally:
        on_server.close()
    offline = WorkshopService.open(laptop)
    try:
        offline.update_evaluation("1.1", how_good_now="Laptop.")
    finally:
        offline.close()

    done = _cli("merge", loc.display, str(laptop), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["changes_taken"] == 0
    [conflict] = out["conflicts"]
    assert (conflict["base"], conflict["ours"], conflict["theirs"]) == (
        "The original words.",
        "Server.",
        "Laptop.",
    )
    listed = _cli("conflicts", loc.display, "--json")
    assert [c["id"] for c in json.loads(listed.stdout)["conflicts"]] == [conflict["id"]]
    decided = _cli("resolve", loc.display, str(conflict["id"]), "--theirs")
    assert decided.returncode == 0, decided.stderr
    service = server.open_server_workshop(loc)
    try:
        assert service.evaluation("1.1").how_good_now == "Laptop."
        assert merging.open_conflicts(service) == []
    finally:
        service.close()

    # A copy of another workshop: refused with one sentence, nothing written.
    other = tmp_path / "Other.carequal"
    WorkshopService.create(other, title="Elsewhere", partnership="Elsewhere").close()
    refused = _cli("merge", loc.display, str(other))
    assert refused.returncode == 2
    assert "copy of another workshop" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    again = _cli("merge", loc.display, loc.display)
    assert again.returncode == 2 and "with itself" in again.stderr


def test_a_workshop_pushed_before_server_history_gets_it_from_server_init(
    server_url: str, original: Path, tmp_path: Path, cluster: Cluster, database: str
) -> None:
    from carequal_desktop.store.server import init_server, parse_location

    loc = server.push(original, server_url)
    cluster.psql(
        "DO $$ DECLARE t record; BEGIN FOR t IN SELECT c.relname FROM pg_trigger g "
        "JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{loc.schema}' AND g.tgname = 'carequal_history' LOOP "
        f"EXECUTE format('DROP TRIGGER carequal_history ON {loc.schema}.%I', t.relname); "
        "END LOOP; END $$",
        database,
    )
    assert init_server(parse_location(server_url)) == "upgraded"
    assert init_server(parse_location(server_url)) == "up to date"
    laptop = server.pull(loc, tmp_path / "laptop.carequal")
    service = server.open_server_workshop(loc)
    try:
        service.update_evaluation("1.1", grade=6)
    finally:
        service.close()
    report = merging.merge_paths(laptop, loc.display)
    assert (report.changes_taken, report.conflicts) == (1, [])


def test_the_merge_page_of_a_window_on_the_server(
    qtbot, server_url: str, original: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from carequal_desktop.ui import messages, server_session
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    loc = server.push(original, server_url)
    laptop = server.pull(loc, tmp_path / "Police copy.carequal")
    offline = WorkshopService.open(laptop)
    try:
        offline.update_evaluation("1.1", how_good_now="The police's words.", what_next="Police")
    finally:
        offline.close()
    colleague = server.open_server_workshop(loc)
    try:
        colleague.update_evaluation("1.1", how_good_now="A colleague's words.")
    finally:
        colleague.close()

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        assert server_session.open_location(window, loc.display)
        window.show_page("merge")
        page = window.pages["merge"]
        assert not page.prepare_button.isEnabled()  # copies for agencies come from a file
        report = page.merge_in_copy(laptop)
        assert report is not None and report.changes_taken == 1
        assert any("1 change taken" in text for text in shown)
        assert [page.list.item(i).text() for i in range(page.list.count())] == [
            "Indicator 1.1",
            "How good are we now?",
        ]
        assert "merge conflict" in window._indicator_items["1.1"].text()
        assert window.service is not None
        assert window.service.evaluation("1.1").what_next == "Police"
        with qtbot.waitSignal(page.changed):
            page.theirs_button.click()
        assert window.service.evaluation("1.1").how_good_now == "The police's words."
        assert page.list.count() == 0
        assert "Police copy.carequal" in page.log.text()
    finally:
        window.close()


def test_a_granted_colleague_edits_with_history_and_merges(
    server_url: str, original: Path, tmp_path: Path, cluster: Cluster, database: str
) -> None:
    """Not the owner: the history triggers and the merge's lock need only the granted rights."""
    from carequal_desktop.store.server import parse_location

    cluster.psql(
        "DO $$ BEGIN CREATE ROLE carol LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO carol")
    loc = server.push(original, server_url)
    server.grant(loc, "carol")
    as_carol = parse_location(cluster.url("carol", database)).with_workshop(str(loc.workshop_id))
    laptop = server.pull(as_carol, tmp_path / "carol.carequal")
    service = server.open_server_workshop(as_carol)
    try:
        service.update_evaluation("1.1", how_good_now="Carol on the server.")
        service.update_evaluation("1.1", how_good_now="Carol on the server, again.")
    finally:
        service.close()
    offline = WorkshopService.open(laptop)
    try:
        offline.update_evaluation("1.1", what_next="Carol offline.")
    finally:
        offline.close()
    report = merging.merge_paths(as_carol.display, laptop, merged_by="carol")
    assert (report.changes_taken, report.conflicts) == (1, [])
    service = server.open_server_workshop(as_carol)
    try:
        ev = service.evaluation("1.1")
        assert (ev.how_good_now, ev.what_next) == ("Carol on the server, again.", "Carol offline.")
    finally:
        service.close()


def test_the_position_statement_merges_back_into_the_server(
    server_url: str, original: Path, tmp_path: Path
) -> None:
    """Document control, a statement's summary and not-personal marks: one record each on
    the server and the laptop, merged field by field (the PostgreSQL triggers key them as
    the file's do), whichever side first wrote them."""
    from carequal_desktop.domain.readiness import Finding
    from carequal_desktop.services.readiness import ReadinessService

    place = Finding("personal_data", "", indicator="1.1", field="how_good_now")
    loc = server.push(original, server_url)
    laptop = server.pull(loc, tmp_path / "laptop.carequal")
    on_server = server.open_server_workshop(loc)
    try:
        ready = ReadinessService(on_server)
        ready.update_key_messages("Key messages on the server.")  # made here first
        ready.update_summary(2, "Summary 2 on the server.")
        ready.update_summary(2, "Summary 2 on the server, revised.")
        ready.mark_not_personal(replace(place, text="Baby J"))
    finally:
        on_server.close()
    offline = WorkshopService.open(laptop)
    try:
        ready = ReadinessService(offline)
        ready.update_conclusion("Conclusion on the laptop.")  # ...and made there too
        ready.update_summary(2, "Summary 2 on the laptop.")
        ready.update_summary(3, "Summary 3 on the laptop.")
        ready.mark_not_personal(replace(place, text="Baby J"))
    finally:
        offline.close()

    report = merging.merge_paths(loc.display, laptop, merged_by="facilitator")
    assert [(c.record, c.field) for c in report.conflicts] == [("Summary of statement 2", "text")]
    on_server = server.open_server_workshop(loc)
    try:
        merging.resolve(on_server, report.conflicts[0].id, "text", "Summary 2 agreed.")
        texts = ReadinessService(on_server).statement_texts()
        assert (texts.key_messages, texts.conclusion) == (
            "Key messages on the server.",
            "Conclusion on the laptop.",
        )
        assert texts.summaries == {2: "Summary 2 agreed.", 3: "Summary 3 on the laptop."}
        assert ReadinessService(on_server).not_personal() == {
            ("indicator 1.1 how_good_now", "Baby J")
        }
        expected = content(on_server)
    finally:
        on_server.close()
    again = merging.merge_paths(loc.display, laptop)
    assert (again.changes_taken, again.conflicts) == (0, [])
    back = merging.merge_paths(laptop, loc.display)
    assert back.conflicts == []
    offline = WorkshopService.open(laptop, read_only=True)
    try:
        assert content(offline) == expected
    finally:
        offline.close()
