"""Files from outside are hostile (issue 14): a workshop that arrives by email or on a USB
stick can never destroy, trick or crash CareQual.

Each test reproduces one attack or accident from the issue; docs/reliability.md lists them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carequal_desktop.cli import main
from carequal_desktop.errors import (
    DamagedWorkshopError,
    InvalidExchangeError,
    NotAWorkshopError,
    UserError,
    WorkshopLockedError,
)
from carequal_desktop.services import backups, exchange, files, locking
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store import connection
from tests.conftest import EXAMPLE_JSON
from tests.reliability.test_damaged_files import _crash_mid_save

JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _edit(path: Path, n: int) -> None:
    service = WorkshopService.open(path)
    try:
        for i in range(n):
            service.update_details(context=f"edit {i} " + "words " * 200)
            service.add_evidence(
                title=f"Evidence added {i}", kind="document", description="d" * 3000
            )
    finally:
        service.close()


# ------------------------------------------------------- 1. stray journals


def test_a_stray_journal_from_another_copy_never_touches_a_healthy_file(
    sample_file: Path, tmp_path: Path
) -> None:
    """The issue's worst case: NAME.carequal-journal left by a crash of *another* copy."""
    crashed = tmp_path / "other" / sample_file.name
    crashed.parent.mkdir()
    shutil.copyfile(sample_file, crashed)
    _crash_mid_save(crashed)
    _edit(sample_file, 30)  # the good copy has moved on (larger, many saves later)
    shutil.copyfile(f"{crashed}-journal", f"{sample_file}-journal")
    before = sha256(sample_file)
    assert connection.journal_belongs(sample_file, sample_file.read_bytes()[:100]) is False

    service = WorkshopService.open(sample_file, read_only=True)  # the command line's export
    try:
        assert service.details().title
        assert len(service.notices) == 1
        notice = service.notices[0]
        assert "came from another copy" in notice and "was not changed" in notice
    finally:
        service.close()
    assert sha256(sample_file) == before
    assert not Path(f"{sample_file}-journal").exists()
    aside = list(sample_file.parent.glob(f"{sample_file.name}-journal-set-aside-*"))
    assert len(aside) == 1  # renamed, not deleted
    assert aside[0].read_bytes()[:8] == JOURNAL_MAGIC
    kept = [b for b in backups.list_backups(sample_file) if b.reason == "before-recovery"]
    assert len(kept) == 1 and sha256(kept[0].path) == before  # the bytes were kept first


def test_a_recovery_that_would_damage_the_file_is_undone(
    sample_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a foreign journal passes for this file's own, the integrity check is the net."""
    crashed = tmp_path / "other" / sample_file.name
    crashed.parent.mkdir()
    shutil.copyfile(sample_file, crashed)
    _crash_mid_save(crashed)
    _edit(sample_file, 30)
    shutil.copyfile(f"{crashed}-journal", f"{sample_file}-journal")
    before = sha256(sample_file)
    monkeypatch.setattr(connection, "journal_belongs", lambda path, head: True)
    service = WorkshopService.open(sample_file)
    try:
        assert "would have damaged it" in service.notices[0]
        assert "exactly as it was" in service.notices[0]
    finally:
        service.close()
    assert sha256(sample_file) == before
    assert _integrity(sample_file) == "ok"
    assert list(sample_file.parent.glob(f"{sample_file.name}-journal-set-aside-*"))


def test_a_genuine_interrupted_save_is_still_rolled_back_and_kept_first(sample_file: Path) -> None:
    _crash_mid_save(sample_file)
    crashed = sha256(sample_file)
    assert connection.journal_belongs(sample_file, sample_file.read_bytes()[:100]) is True
    service = WorkshopService.open(sample_file)
    try:
        assert service.notices == []
        assert "half-saved" not in service.details().context
    finally:
        service.close()
    assert _integrity(sample_file) == "ok"
    assert not Path(f"{sample_file}-journal").exists()
    kept = [b for b in backups.list_backups(sample_file) if b.reason == "before-recovery"]
    assert len(kept) == 1 and sha256(kept[0].path) == crashed


# ------------------------------------------- 2. replacing keeps a copy


def test_import_force_over_a_workshop_keeps_a_copy(sample_file: Path) -> None:
    before = sha256(sample_file)
    assert main(["import-json", "--force", str(EXAMPLE_JSON), str(sample_file)]) == 0
    kept = [b for b in backups.list_backups(sample_file) if b.reason == "before-replace"]
    assert len(kept) == 1
    assert sha256(kept[0].path) != sha256(sample_file)
    conn = sqlite3.connect(kept[0].path)
    assert conn.execute("SELECT count(*) FROM evidence").fetchone()[0] >= 0
    conn.close()
    assert before  # the original's content is what the backup holds (made by the backup API)


@pytest.mark.parametrize("command", ["export-json", "export-docx", "export-csv"])
def test_no_export_overwrites_the_workshop_it_reads(
    sample_file: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256(sample_file)
    link = sample_file.with_name("link.json")
    link.symlink_to(sample_file)
    for target in (sample_file, link):
        assert main([command, "--force", str(sample_file), str(target)]) == 2
        err = capsys.readouterr().err
        assert "is a CareQual workshop, so an export will not replace it" in err
        assert err.count("\n") == 1
    assert sha256(sample_file) == before


def test_demo_edits_survive_a_new_release(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from carequal_desktop.services import demo

    first = demo.demo_path()
    service = WorkshopService.open(first)
    service.update_details(context="Our own notes in the demo")
    service.close()
    newer = tmp_path / "demo-workshop.json"
    doc = json.loads(demo.demo_source().read_text(encoding="utf-8"))
    doc["workshop"]["title"] = "Demo, next release"
    newer.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(demo, "demo_source", lambda: newer)
    second = demo.demo_path()
    assert second != first and not first.exists()
    kept = [b for b in backups.list_backups(second) if b.reason == "earlier-release"]
    assert len(kept) == 1
    conn = sqlite3.connect(kept[0].path)
    assert conn.execute("SELECT context FROM workshop").fetchone()[0] == "Our own notes in the demo"
    conn.close()


# -------------------------------------------- 4. only CareQual's schema


CRAFTED_SCHEMAS = {
    "trigger": "CREATE TRIGGER t AFTER UPDATE ON evaluation BEGIN "
    "UPDATE evaluation SET grade = 6; END",
    "delete trigger": "CREATE TRIGGER t AFTER UPDATE ON workshop BEGIN DELETE FROM evidence; END",
    "view": "CREATE VIEW v AS SELECT * FROM evidence",
    "hidden table": "CREATE TABLE keep_copy (text TEXT)",
    "extra index": "CREATE INDEX ix_extra ON evidence (title)",
    "partial index": "CREATE INDEX ix_evidence_ref_number2 ON evidence (ref_number) WHERE ref_number > 1",
    "extra column": "ALTER TABLE evidence ADD COLUMN spy TEXT",
}


@pytest.mark.parametrize("name", sorted(CRAFTED_SCHEMAS))
def test_a_crafted_schema_is_refused_untouched(sample_file: Path, name: str) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute(CRAFTED_SCHEMAS[name])
    conn.commit()
    conn.close()
    before = sha256(sample_file)
    with pytest.raises(DamagedWorkshopError) as info:
        WorkshopService.open(sample_file)
    assert "has been altered outside CareQual" in str(info.value)
    assert sha256(sample_file) == before
    assert not locking.lock_path(sample_file).exists()


@pytest.mark.parametrize(
    "change",
    [
        "replace(sql, 'title VARCHAR NOT NULL', 'title VARCHAR NOT NULL CHECK (length(title) < 5)')",
        "replace(sql, 'kind VARCHAR NOT NULL', 'kind VARCHAR NOT NULL COLLATE NOCASE')",
        "replace(sql, 'respondents INTEGER', 'respondents TEXT')",
    ],
)
def test_a_changed_column_definition_is_refused(sample_file: Path, change: str) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute(f"UPDATE sqlite_master SET sql = {change} WHERE name = 'evidence'")
    conn.commit()
    conn.close()
    with pytest.raises(DamagedWorkshopError, match="altered outside CareQual"):
        WorkshopService.open(sample_file, read_only=True)


def test_connections_do_not_trust_the_schema(new_service: WorkshopService) -> None:
    with new_service.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA trusted_schema").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 3  # EXTRA


CRAFTED_VALUES = {
    "grade as text": "UPDATE evaluation SET grade = 'abc' WHERE rowid = (SELECT min(rowid) FROM evaluation)",
    "grade off the scale": "UPDATE evaluation SET grade = 99 WHERE rowid = (SELECT min(rowid) FROM evaluation)",
    "text where a number belongs": "UPDATE evidence SET respondents = 'many'",
    "huge number": "UPDATE evidence SET respondents = 9223372036854775807",
    "negative percent": "UPDATE evidence SET share_percent = -5",
    "garbage JSON": "UPDATE evaluation SET proposed_grades = '{{{'",
    "JSON of the wrong shape": 'UPDATE evaluation SET proposed_grades = \'[{"grade": "six"}]\'',
    "deep JSON": "UPDATE indicator SET prompts = '" + "[" * 500 + "]" * 500 + "'",
    "garbage date": "UPDATE evidence SET date = '2026-02-30'",
    "garbage timestamp": "UPDATE workshop SET updated = 'yesterday'",
    "empty scale": "DELETE FROM scale_level",
    "unknown status": "UPDATE improvement_action SET status = 'whenever'",
    "blob in text": "UPDATE workshop SET title = x'00ff'",
    "bytes where a name belongs": "UPDATE participant SET agency = zeroblob(4)",
    "two workshops": "INSERT INTO workshop SELECT '00000000-0000-4000-8000-000000000000', title, "
    "partnership, scope, context, facilitator, framework_id, framework_title, extensions, created, "
    "updated FROM workshop",
    "orphan link": "INSERT INTO evidence_indicator VALUES ('nope', '1.1', 0)",
}


@pytest.mark.parametrize("name", sorted(CRAFTED_VALUES))
def test_a_value_of_the_wrong_kind_is_a_damaged_file(
    sample_file: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(CRAFTED_VALUES[name])
    conn.commit()
    conn.close()
    before = sha256(sample_file)
    assert main(["export-json", str(sample_file), str(sample_file.with_suffix(".json"))]) == 2
    err = capsys.readouterr().err
    assert "holds values CareQual cannot have written" in err
    assert err.count("\n") == 1
    assert sha256(sample_file) == before


# -------------------------------------------------------- 5. plain text


PLANTED = '<a href="file:///tmp/payload.sh">click</a>'


def test_a_planted_link_in_a_lock_owner_shows_as_literal_text(
    qtbot, sample_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QMessageBox

    from carequal_desktop.ui.dialogs.locked_dialog import ask_open_read_only

    owner = {"user": PLANTED, "host": "<b>LAPTOP</b>", "pid": 1, "since": "2026-01-01T00:00:00Z"}
    error = WorkshopLockedError(locking.locked_message(sample_file, owner), owner)
    seen: list[QMessageBox] = []

    def record(box: QMessageBox) -> int:
        seen.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    ask_open_read_only(None, error)
    box = seen[0]
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert PLANTED in box.text()
    for label in box.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert not label.openExternalLinks()
        assert not label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse


def test_message_boxes_are_plain_and_labels_never_open_links(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

    from carequal_desktop.ui import messages

    seen: list[QMessageBox] = []
    monkeypatch.setattr(messages, "_run", lambda box: seen.append(messages.make_plain(box)))
    messages.show_error(None, f"“{PLANTED}.carequal” is damaged.")
    assert seen[0].textFormat() == Qt.TextFormat.PlainText
    assert seen[0].text().startswith("“<a href=")

    messages.install_link_guard(QApplication.instance())  # type: ignore[arg-type]
    label = QLabel(PLANTED)
    label.setOpenExternalLinks(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    assert not label.openExternalLinks()
    assert not label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse


# ---------------------------------------------------------- 6. one writer


def _hold_in_child(path: Path) -> subprocess.Popen[str]:
    code = (
        "import sys; from carequal_desktop.services.workshop import WorkshopService as W; "
        f"s = W.open({str(path)!r}); print('open', flush=True); sys.stdin.read(); s.close()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "open"
    return child


@pytest.mark.parametrize("how", ["symlink", "hard link"])
def test_one_writer_whatever_path_reaches_the_file(
    sample_file: Path, tmp_path: Path, how: str
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    alias = other / "Another name.carequal"
    if how == "symlink":
        alias.symlink_to(sample_file)
    else:
        os.link(sample_file, alias)
    child = _hold_in_child(sample_file)
    try:
        with pytest.raises(WorkshopLockedError):
            WorkshopService.open(alias)
    finally:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()
        child.wait(30)
        child.stdout.close()
    WorkshopService.open(alias).close()  # free again once the holder closed


def test_an_import_holds_its_targets_lock_from_the_start(
    sample_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = exchange._build
    seen: list[bool] = []

    def watched(doc, path):  # type: ignore[no-untyped-def]
        seen.append(locking.lock_path(sample_file).exists() and locking.held_here(sample_file))
        build(doc, path)

    monkeypatch.setattr(exchange, "_build", watched)
    assert main(["import-json", "--force", str(EXAMPLE_JSON), str(sample_file)]) == 0
    assert seen == [True]
    assert not locking.lock_path(sample_file).exists()


def test_a_lock_whose_process_id_was_reused_lapses(sample_file: Path) -> None:
    if locking.process_started(os.getpid()) is None:
        pytest.skip("process start times are read on Linux and Windows")  # macOS
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = locking.lock_path(sample_file)
        owner = {
            "user": "x",
            "host": locking.this_host(),
            "pid": sleeper.pid,
            "since": "2026-01-01T00:00:00Z",
        }
        lock.write_text(json.dumps({**owner, "started": locking.process_started(sleeper.pid)}))
        with pytest.raises(WorkshopLockedError):
            WorkshopService.open(sample_file)  # the same process, still running: held
        lock.write_text(json.dumps({**owner, "started": "linux:1"}))  # another process now
        WorkshopService.open(sample_file).close()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize(
    "content",
    [
        b'{"user": [1], "host": {"a": 1}, "pid": 99999999999999999999, "since": "9999-99-99"}',
        b'{"pid": true, "host": null, "since": 12}',
        b"[" * 100000,
        b'{"user": "' + b"x" * 100000 + b'"}',
        b'{"pid": 1e999}',
    ],
)
def test_crafted_lock_files_give_a_sentence(sample_file: Path, content: bytes) -> None:
    locking.lock_path(sample_file).write_bytes(content)
    os.utime(locking.lock_path(sample_file), (time.time(), time.time()))
    try:
        WorkshopService.open(sample_file).close()
    except WorkshopLockedError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400


# -------------------------------------------- 7. and 8. every input class


CRAFTED_JSON = {
    "deep nesting": "[" * 100000 + "]" * 100000,
    "moderate nesting": '{"format": ' + "[" * 900 + "]" * 900 + "}",
    "4,400-digit number": '{"format": "carequal-workshop", "version": ' + "9" * 4400 + "}",
    "huge integer": '{"format": "carequal-workshop", "version": 1, "x": 123456789012345678901234}',
    "NaN": '{"format": "carequal-workshop", "version": NaN}',
    "Infinity": '{"version": -Infinity}',
    "1e400": '{"version": 1e400}',
    "long float": '{"version": 1.' + "0" * 100 + "}",
}


@pytest.mark.parametrize("name", sorted(CRAFTED_JSON))
def test_crafted_json_gives_one_sentence(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_text(CRAFTED_JSON[name], encoding="utf-8")
    assert main(["import-json", str(source), str(tmp_path / "out.carequal")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "something went wrong" not in err
    assert not (tmp_path / "out.carequal").exists()


def test_huge_integers_inside_a_valid_document_are_refused(
    tmp_path: Path, example_doc: dict
) -> None:
    example_doc["evidence"][0]["respondents"] = 2**70
    with pytest.raises(InvalidExchangeError):
        exchange.import_document(example_doc, tmp_path / "x.carequal")
    text = json.dumps(example_doc).replace(str(2**70), "1" + "0" * 30)
    with pytest.raises(InvalidExchangeError, match="digits long"):
        exchange.parse_json_bytes(text.encode())


def test_whole_floats_are_whole_numbers_and_round_trip(tmp_path: Path, example_doc: dict) -> None:
    text = json.dumps(example_doc)
    grade = next(e for e in example_doc["evaluations"] if e.get("grade") is not None)["grade"]
    text = text.replace(f'"grade": {grade}', f'"grade": {grade}.0', 1)
    doc = exchange.parse_json_bytes(text.encode())
    result = exchange.import_document(doc, tmp_path / "x.carequal")
    service = WorkshopService.open(result.path, read_only=True)
    try:
        exported = exchange.export_document(service)
    finally:
        service.close()
    exchange.validate_document(exported)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_special_files_are_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "Pipe.carequal"
    os.mkfifo(fifo)
    code = (
        "import sys; from carequal_desktop.cli import main; "
        "sys.exit(main(['export-json', sys.argv[1], sys.argv[2]]) * 10 + "
        "main(['import-json', sys.argv[1], sys.argv[3]]))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(fifo),
            str(tmp_path / "o.json"),
            str(tmp_path / "o.carequal"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 22, out.stderr
    assert "not an ordinary file" in out.stderr
    with pytest.raises(NotAWorkshopError, match="not an ordinary file"):
        WorkshopService.open(Path("/dev/null"))
    with pytest.raises(UserError, match="not an ordinary file"):
        exchange.read_json_file(Path("/dev/zero"))  # would read until memory runs out
    sock_path = tmp_path / "s.carequal"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(NotAWorkshopError):
            WorkshopService.open(sock_path)
    finally:
        sock.close()


def test_disk_full_during_new_workshop_leaves_nothing(
    workshop_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full(tmp: Path, target: Path, *, overwrite: bool) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "place", full)
    with pytest.raises(UserError) as info:
        WorkshopService.create(workshop_path, title="T", partnership="P")
    assert "the disk is full" in str(info.value) and "nothing was left behind" in str(info.value)
    assert sorted(os.listdir(workshop_path.parent)) == []


def test_sqlite_finding_the_disk_full_during_new_workshop_leaves_nothing(
    workshop_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own SQLITE_FULL (a page limit stands in for the disk), while the tables are made."""
    harden = connection.harden

    def tiny(conn: sqlite3.Connection) -> sqlite3.Connection:
        harden(conn)
        conn.execute("PRAGMA max_page_count=3")
        return conn

    monkeypatch.setattr(connection, "harden", tiny)
    with pytest.raises(UserError) as info:
        WorkshopService.create(workshop_path, title="T", partnership="P")
    assert "the disk is full" in str(info.value)
    assert sorted(os.listdir(workshop_path.parent)) == []


# ------------------------------------------- 9. durability and leftovers


def test_leftover_temporaries_are_cleared_on_the_next_opening(sample_file: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    old = time.time() - 3600
    leftovers = [
        sample_file.with_name(f".carequal-{dead.pid}-1-0.tmp"),
        sample_file.with_name(f".carequal-{dead.pid}-1-0.tmp-journal"),
        sample_file.with_name("~carequal-abc.tmp"),
    ]
    young = sample_file.with_name(f".carequal-{dead.pid}-2-0.tmp")  # a save under way, perhaps
    for path in [*leftovers, young]:
        path.write_text("workshop text")
    for path in leftovers:
        os.utime(path, (old, old))
    WorkshopService.open(sample_file).close()
    assert not any(p.exists() for p in leftovers)
    assert young.exists()


def test_no_sqlite_internals_on_stderr(
    sample_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(sample_file.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for at in range(page * 2, len(data) - page, page * 3):
        data[at + 8 : at + 64] = os.urandom(56)
    sample_file.write_bytes(bytes(data))
    assert main(["export-json", str(sample_file), str(sample_file.with_suffix(".json"))]) == 2
    err = capsys.readouterr().err.lower()
    for word in ("page", "malformed", "sqlite", "btree", "cell"):
        assert word not in err


def test_a_journal_one_save_apart_must_have_been_written_with_the_file(
    sample_file: Path, tmp_path: Path
) -> None:
    """One save apart is ambiguous: only a journal written with the file counts as its own."""
    crashed = tmp_path / "other" / sample_file.name
    crashed.parent.mkdir()
    shutil.copyfile(sample_file, crashed)
    _crash_mid_save(crashed)
    _edit_once(sample_file)  # the good copy: exactly one save after the crashed copy's start
    shutil.copyfile(f"{crashed}-journal", f"{sample_file}-journal")
    head = sample_file.read_bytes()[:100]
    assert connection.journal_belongs(sample_file, head) is True  # written together, it seems
    an_hour_ago = time.time() - 3600
    os.utime(f"{sample_file}-journal", (an_hour_ago, an_hour_ago))
    assert connection.journal_belongs(sample_file, head) is False


def _edit_once(path: Path) -> None:
    service = WorkshopService.open(path)
    try:
        service.update_details(context="one more save")
    finally:
        service.close()


def test_stray_journal_trials(tmp_path: Path) -> None:
    """A short run of tools/hostile_files.py --stray (the figures are from 60-trial runs)."""
    import importlib.util

    tool = Path(__file__).resolve().parents[2] / "tools" / "hostile_files.py"
    spec = importlib.util.spec_from_file_location("hostile_files_stray", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    counts = module.stray_journals(6, seed=11, workdir=tmp_path / "stray")
    assert counts["trials"] == 6
    for bad in ("file changed", "damaged", "other copy's edit rolled in", "refused"):
        assert counts[bad] == 0, counts


def test_an_export_to_the_workshop_itself_without_force_says_why(
    sample_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-json", str(sample_file), str(sample_file)]) == 2
    assert "is a CareQual workshop, so an export will not replace it" in capsys.readouterr().err


def test_a_killed_import_leaves_nothing_for_good(tmp_path: Path) -> None:
    """Kill imports of a large workshop at several moments; the next opening tidies up."""
    from carequal_desktop.services.generate import large_workshop_document

    source = tmp_path / "big.json"
    source.write_text(json.dumps(large_workshop_document(evidence=3000, actions=100)), "utf-8")
    folder = tmp_path / "stick"
    folder.mkdir()
    shutil.copyfile(
        Path(__file__).resolve().parents[1] / "data" / "schema-v1.carequal",
        folder / "Other.carequal",
    )
    code = (
        "import sys; from carequal_desktop.cli import main; "
        "sys.exit(main(['import-json', sys.argv[1], sys.argv[2]]))"
    )
    for _kill in range(2):
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(source), str(folder / "New.carequal")]
        )
        # Kill it once the replacement is being built (its temporary has appeared).
        deadline = time.monotonic() + 120
        while not list(folder.glob(f".carequal-{child.pid}-*.tmp")) and child.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        child.kill()
        child.wait()
        (folder / "New.carequal").unlink(missing_ok=True)
        for lock in folder.glob("~$*"):
            lock.unlink()
    left = [p.name for p in folder.iterdir() if p.name.startswith(".carequal-")]
    assert left  # the kills did leave temporaries holding workshop text
    old = time.time() - 120
    for path in folder.iterdir():
        os.utime(path, (old, old))  # the next start comes later
    WorkshopService.open(folder / "Other.carequal").close()
    assert sorted(p.name for p in folder.iterdir()) == ["Other.carequal"]


def test_a_refusal_after_a_recovery_says_what_was_done(sample_file: Path) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute("UPDATE evaluation SET grade = 'abc'")
    conn.commit()
    conn.close()
    _crash_mid_save(sample_file)
    with pytest.raises(DamagedWorkshopError) as info:
        WorkshopService.open(sample_file)
    message = str(info.value)
    assert "has not been changed" not in message
    assert "only the save a crash had interrupted was undone" in message
    assert not Path(f"{sample_file}-journal").exists()


def test_the_window_refuses_a_grade_stored_as_text_with_a_sentence(tmp_path: Path) -> None:
    """The issue's segfault: the window never sees a value of the wrong kind."""
    crafted = tmp_path / "Crafted.carequal"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "data" / "schema-v1.carequal", crafted)
    conn = sqlite3.connect(crafted)
    conn.execute("UPDATE evaluation SET grade = 'abc'")
    conn.commit()
    conn.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "carequal_desktop", "--smoke", str(crafted)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 2, out.stderr
    assert "could not be opened" in out.stderr


def test_a_temporary_this_process_is_writing_is_never_tidied(tmp_path: Path) -> None:
    busy = files.temp_path(tmp_path)
    busy.write_text("an import under way")
    old = time.time() - 3600
    os.utime(busy, (old, old))
    files.tidy_leftovers(tmp_path)
    assert busy.exists()
    files.release_temp(busy)
    files.tidy_leftovers(tmp_path)  # now it is a leftover of this process
    assert not busy.exists()


def test_the_window_says_what_opening_did_to_the_file(
    qtbot, sample_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.main_window import MainWindow

    crashed = tmp_path / "other" / sample_file.name
    crashed.parent.mkdir()
    shutil.copyfile(sample_file, crashed)
    _crash_mid_save(crashed)
    _edit(sample_file, 3)
    shutil.copyfile(f"{crashed}-journal", f"{sample_file}-journal")
    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_workshop_file(sample_file)
    assert len(shown) == 1 and "came from another copy" in shown[0]
    window.close_workshop()


def test_a_kept_journal_goes_with_its_backup_in_the_rotation(
    sample_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_mid_save(sample_file)
    WorkshopService.open(sample_file).close()
    folder = backups.folder_for(sample_file)
    assert len(list(folder.glob("*.journal-kept"))) == 1
    monkeypatch.setattr(backups, "KEEP_RECENT", 0)
    monkeypatch.setattr(backups, "KEEP_TOTAL", 0)
    backups.rotate(sample_file)
    assert list(folder.glob("*.journal-kept")) == []
