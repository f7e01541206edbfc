"""Files that are not what they seem: each gets one clear sentence and is left untouched.

Every case compares the file's SHA-256 before and after, and checks that no lock or
journal is left beside it. The messages are listed in docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from carequal_desktop.errors import (
    DamagedWorkshopError,
    InvalidExchangeError,
    NewerVersionError,
    NotAWorkshopError,
    ReadOnlyError,
    StorageError,
    UserError,
)
from carequal_desktop.services import exchange, locking
from carequal_desktop.services import workshop as workshop_module
from carequal_desktop.services.workshop import WorkshopService
from tests.conftest import unwritable

RESTORE = "Use File › Restore an earlier version to open a backup; the file has not been changed."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(path: Path, kind: type[UserError], *, read_only: bool | None = None) -> str:
    """Open ``path``, expect ``kind``, check nothing changed; return the sentence."""
    before = sha256(path)
    listing = sorted(os.listdir(path.parent))
    with pytest.raises(kind) as info:
        WorkshopService.open(path, read_only=read_only)
    assert sha256(path) == before
    assert sorted(os.listdir(path.parent)) == listing  # no lock, journal or temporary left
    message = str(info.value)
    assert message.startswith(f"“{path.name}”")
    assert "\n" not in message and "Traceback" not in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "Empty.carequal"
    path.write_bytes(b"")
    assert "is empty, so it is not a CareQual workshop" in _refused(path, NotAWorkshopError)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "Noise.carequal"
    path.write_bytes(os.urandom(64 * 1024))
    assert "is not a CareQual workshop file" in _refused(path, NotAWorkshopError)


@pytest.mark.parametrize("cut", [0.0005, 0.01, 0.03, 0.25, 0.5, 0.9, 0.99999])
def test_truncated_workshop(sample_file: Path, cut: float) -> None:
    data = sample_file.read_bytes()
    sample_file.write_bytes(data[: max(20, int(len(data) * cut))])
    message = _refused(sample_file, DamagedWorkshopError)
    assert message.endswith(RESTORE)
    assert "cut short" in message or "part of it cannot be read" in message


def test_truncated_by_a_whole_page_says_cut_short(sample_file: Path) -> None:
    data = sample_file.read_bytes()
    sample_file.write_bytes(data[:-4096])
    assert "it was cut short" in _refused(sample_file, DamagedWorkshopError)


def test_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (url TEXT)")
    conn.execute("INSERT INTO moz_places VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    message = _refused(path, NotAWorkshopError)
    assert "is a database made by another program, not a CareQual workshop" in message


def test_workshop_from_a_newer_version(sample_file: Path) -> None:
    conn = sqlite3.connect(sample_file)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    message = _refused(sample_file, NewerVersionError)
    assert "was made by a newer version of CareQual (file version 99" in message
    assert "Install the latest CareQual" in message


@pytest.mark.parametrize("where", [0.3, 0.5, 0.8])
def test_corrupted_page(sample_file: Path, where: float) -> None:
    data = bytearray(sample_file.read_bytes())
    start = (int(len(data) * where) // 4096) * 4096
    # An empty table's page holds nothing to damage: take the next page that holds records,
    # so the test does not depend on where the schema's tables happen to fall in the file.
    conn = sqlite3.connect(sample_file)
    try:
        with_cells = sorted(
            page for (page,) in conn.execute("SELECT pageno FROM dbstat WHERE ncell > 0")
        )
    finally:
        conn.close()
    page = next((p for p in with_cells if (p - 1) * 4096 >= start), with_cells[-1])
    start = (page - 1) * 4096
    data[start + 8 : start + 4000] = bytes((i * 37) % 256 for i in range(3992))
    sample_file.write_bytes(bytes(data))
    message = _refused(sample_file, DamagedWorkshopError)
    assert message.endswith(RESTORE)


def test_a_journal_left_by_a_crash_is_not_mistaken_for_damage(sample_file: Path) -> None:
    """A hot journal is mended by SQLite on opening; the size check must not refuse it."""
    conn = sqlite3.connect(sample_file)
    size = sample_file.stat().st_size
    conn.close()
    Path(f"{sample_file}-journal").write_bytes(b"\0" * 512)  # not hot: zeroed header
    assert sample_file.stat().st_size == size
    WorkshopService.open(sample_file).close()


def _crash_mid_save(path: Path) -> None:
    """Leave a genuine hot journal: a process killed halfway through writing a save."""
    code = (
        "import os, signal, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size=1')\n"  # spill to the file before the commit
        "c.execute('BEGIN')\n"
        "c.execute(\"UPDATE workshop SET context = 'half-saved' || zeroblob(100000)\")\n"
        'c.execute("UPDATE evidence SET description = zeroblob(50000)")\n'
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=False)
    with Path(f"{path}-journal").open("rb") as fh:
        assert fh.read(8) == bytes.fromhex("d9d505f920a163d7")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill")
def test_a_save_interrupted_by_a_crash_is_rolled_back_on_opening(sample_file: Path) -> None:
    service = WorkshopService.open(sample_file)
    context = service.details().context
    service.close()
    _crash_mid_save(sample_file)
    before = sha256(sample_file)
    # On media that cannot be written it cannot be rolled back: a clear sentence, and
    # nothing changes.
    with unwritable(sample_file), unwritable(sample_file.parent):
        message = _refused(sample_file, DamagedWorkshopError, read_only=True)
    assert "was not closed properly" in message
    assert sha256(sample_file) == before
    service = WorkshopService.open(sample_file)
    assert service.details().context == context
    service.close()
    assert not Path(f"{sample_file}-journal").exists()
    conn = sqlite3.connect(sample_file)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill")
def test_a_read_only_opening_mends_an_interrupted_save_where_it_can(sample_file: Path) -> None:
    """The command line's exports open read-only; a crash before them must not block them."""
    service = WorkshopService.open(sample_file)
    context = service.details().context
    service.close()
    _crash_mid_save(sample_file)
    service = WorkshopService.open(sample_file, read_only=True)
    assert service.details().context == context
    service.close()
    assert not Path(f"{sample_file}-journal").exists()


def test_a_crashed_file_is_backed_up_consistently_before_a_restore(sample_file: Path) -> None:
    from carequal_desktop.services import backups

    WorkshopService.open(sample_file).close()
    earlier = backups.list_backups(sample_file)[0]
    _crash_mid_save(sample_file)
    backups.restore_backup(sample_file, earlier)
    kept = next(b for b in backups.list_backups(sample_file) if b.reason == "before-restore")
    conn = sqlite3.connect(kept.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "half-saved" not in conn.execute("SELECT context FROM workshop").fetchone()[0]
    conn.close()


# ------------------------------------------------------------------ read-only media


def test_read_only_media_opens_read_only_and_says_so(
    sample_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, where permission bits stop nothing, so the media check is patched."""
    monkeypatch.setattr(workshop_module, "is_writable", lambda path: False)
    before = sha256(sample_file)
    service = WorkshopService.open(sample_file)
    assert service.read_only
    assert not locking.lock_path(sample_file).exists()
    with pytest.raises(ReadOnlyError) as info:
        service.update_details(context="typed on a locked stick")
    assert str(info.value) == (
        "“Glenmuir.carequal” is open read-only, so it cannot be changed. "
        "Use File › Save a copy as to keep working on a copy."
    )
    assert "read-only" in locking.read_only_notice(sample_file)
    (tmp_path / "laptop").mkdir()
    copy = service.save_copy_as(tmp_path / "laptop" / "Glenmuir copy.carequal")
    service.close()
    assert sha256(sample_file) == before
    monkeypatch.undo()  # the copy is on the laptop's own disk
    again = WorkshopService.open(copy)
    again.update_details(context="carried on in the copy")
    again.close()


def test_opening_read_only_on_request_changes_nothing(sample_file: Path) -> None:
    before = sha256(sample_file)
    service = WorkshopService.open(sample_file, read_only=True)
    assert service.evaluation("5.2").grade == 4  # the Glenmuir example reads as it was
    with pytest.raises(ReadOnlyError):
        service.add_evidence("x", "document")
    service.close()
    assert sha256(sample_file) == before


def test_really_read_only_file_and_folder(sample_file: Path) -> None:
    before = sha256(sample_file)
    with unwritable(sample_file), unwritable(sample_file.parent):
        service = WorkshopService.open(sample_file)
        assert service.read_only
        assert service.evaluation("5.2").grade == 4  # the Glenmuir example reads as it was
        with pytest.raises(ReadOnlyError):
            service.add_evidence("x", "document")
        service.close()
    assert sha256(sample_file) == before


# ------------------------------------------------------------------ the stick is pulled


def _open_and_edit(path: Path) -> WorkshopService:
    service = WorkshopService.open(path)
    service.update_details(context="saved before the stick came out")
    return service


def _pulled_message(service: WorkshopService) -> str:
    with pytest.raises(StorageError) as info:
        service.update_details(context="typed after")
    return str(info.value)


def test_file_deleted_while_open(sample_file: Path, tmp_path: Path) -> None:
    service = _open_and_edit(sample_file)
    sample_file.unlink()
    message = _pulled_message(service)
    assert "is no longer where it was opened (was the USB stick removed" in message
    # What was saved can still be rescued with Save a copy as.
    rescued = service.save_copy_as(tmp_path / "rescued.carequal")
    service.close()
    again = WorkshopService.open(rescued)
    assert again.details().context == "saved before the stick came out"
    again.close()


def test_folder_renamed_while_open(sample_file: Path) -> None:
    service = _open_and_edit(sample_file)
    moved = sample_file.parent.with_name(sample_file.parent.name + "-gone")
    sample_file.parent.rename(moved)
    try:
        assert "is no longer where it was opened" in _pulled_message(service)
        service.close()  # no crash closing either
    finally:
        moved.rename(sample_file.parent)


def test_folder_removed_while_open(tmp_path: Path, sample_file: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    path = stick / sample_file.name
    shutil.copyfile(sample_file, path)
    service = _open_and_edit(path)
    shutil.rmtree(stick)
    assert "is no longer where it was opened" in _pulled_message(service)
    service.close()


def test_file_replaced_by_a_folder_while_open(sample_file: Path) -> None:
    service = _open_and_edit(sample_file)
    sample_file.unlink()
    sample_file.mkdir()
    assert "is no longer where it was opened" in _pulled_message(service)
    service.close()
    with pytest.raises(NotAWorkshopError, match="is a folder, not a workshop file"):
        WorkshopService.open(sample_file)


# ------------------------------------------------------------------ another program's lock


def test_file_locked_by_another_program(sample_file: Path) -> None:
    service = _open_and_edit(sample_file)
    # Shorten SQLite's wait for the other program (5 s in the app) to keep the test fast.
    raw = service.engine.raw_connection()
    raw.driver_connection.execute("PRAGMA busy_timeout=100")
    raw.close()
    before = sha256(sample_file)
    other = sqlite3.connect(sample_file, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as info:
            service.update_details(context="while locked")
        assert str(info.value) == (
            "“Glenmuir.carequal” is being used by another program, so the change was not "
            "saved. Close the other program and try again."
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert sha256(sample_file) == before
    service.update_details(context="after the other program let go")
    assert service.details().context == "after the other program let go"
    service.close()


# ------------------------------------------------------------------ exchange JSON imports


def _import_refused(source: Path, target: Path) -> InvalidExchangeError:
    listing = sorted(os.listdir(target.parent))
    with pytest.raises(InvalidExchangeError) as info:
        exchange.import_json(source, target)
    assert not target.exists()
    assert sorted(os.listdir(target.parent)) == listing  # no temporary left behind
    return info.value


def test_truncated_json(tmp_path: Path, example_doc: dict) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_doc)[:5000], encoding="utf-8")
    error = _import_refused(source, tmp_path / "out.carequal")
    assert error.path == "$" and error.reason.startswith("not valid JSON")


def test_json_with_wrong_types(tmp_path: Path, example_doc: dict) -> None:
    example_doc["evaluations"][0]["grade"] = "six"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_doc), encoding="utf-8")
    error = _import_refused(source, tmp_path / "out.carequal")
    assert error.path == "$.evaluations[0].grade"
    assert "six" in error.reason


def test_json_with_a_byte_order_mark_is_accepted(tmp_path: Path, example_doc: dict) -> None:
    """Notepad on Windows writes a UTF-8 BOM; that is still a good file."""
    source = tmp_path / "in.json"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps(example_doc).encode("utf-8"))
    result = exchange.import_json(source, tmp_path / "out.carequal")
    service = WorkshopService.open(result.path)
    try:
        assert service.details().title == example_doc["workshop"]["title"]
    finally:
        service.close()


def test_json_in_utf16_is_refused(tmp_path: Path, example_doc: dict) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(json.dumps(example_doc).encode("utf-16"))
    error = _import_refused(source, tmp_path / "out.carequal")
    assert error.path == "$" and "not UTF-8" in error.reason


def test_json_with_a_20_mb_string(tmp_path: Path, example_doc: dict) -> None:
    example_doc["evaluations"][0]["how_good_now"] = "x" * (20 * 1024 * 1024)
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_doc), encoding="utf-8")
    error = _import_refused(source, tmp_path / "out.carequal")
    assert error.path == "$.evaluations[0].how_good_now"
    assert "characters long; at most 1,000,000 are allowed" in error.reason


def test_the_reason_for_a_20_mb_string_is_short(tmp_path: Path, example_doc: dict) -> None:
    example_doc["evaluations"][0]["how_good_now"] = "x" * (20 * 1024 * 1024)
    source = tmp_path / "in.json"
    source.write_text(json.dumps(example_doc), encoding="utf-8")
    error = _import_refused(source, tmp_path / "out.carequal")
    assert len(str(error)) < 300
    assert error.path == "$.evaluations[0].how_good_now"
    assert "20,971,520 characters long; at most 1,000,000" in error.reason


def test_json_of_the_wrong_kind(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text('["not", "a", "workshop"]', encoding="utf-8")
    error = _import_refused(source, tmp_path / "out.carequal")
    assert error.path == "$"
