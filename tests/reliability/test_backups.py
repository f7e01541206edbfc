"""Automatic backups on open, their rotation, and restoring an earlier version."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from carequal_desktop.errors import DamagedWorkshopError, UserError
from carequal_desktop.services import backups, locking
from carequal_desktop.services.workshop import WorkshopService


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _context(path: Path) -> str:
    service = WorkshopService.open(path, read_only=True)
    try:
        return service.details().context
    finally:
        service.close()


def test_each_open_keeps_a_private_consistent_copy(sample_file: Path, data_dir: Path) -> None:
    service = WorkshopService.open(sample_file)
    found = backups.list_backups(service)
    assert len(found) == 1
    b = found[0]
    assert b.reason == "open" and b.size == b.path.stat().st_size > 0
    assert b.path.is_relative_to(data_dir / "backups")
    assert b.path.parent == backups.folder_for(sample_file)
    if os.name == "posix":
        assert b.path.stat().st_mode & 0o777 == 0o600
        assert b.path.parent.stat().st_mode & 0o777 == 0o700
    assert sqlite3.connect(b.path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    service.update_details(context="after the first open")
    service.close()

    # Opening again without changes makes no duplicate; after a change it does.
    WorkshopService.open(sample_file).close()
    assert len(backups.list_backups(sample_file)) == 2
    WorkshopService.open(sample_file).close()
    assert len(backups.list_backups(sample_file)) == 2
    newest, oldest = backups.list_backups(sample_file)
    assert newest.created > oldest.created
    assert _context(newest.path) == "after the first open"


def test_read_only_opening_is_backed_up_too(sample_file: Path) -> None:
    WorkshopService.open(sample_file, read_only=True).close()
    assert len(backups.list_backups(sample_file)) == 1


def _fake(folder: Path, when: dt.datetime, reason: str = "open") -> Path:
    path = folder / f"{when:%Y%m%d-%H%M%S-%f}Z-{reason}.carequal"
    path.write_bytes(b"x")
    return path


def test_rotation_keeps_ten_newest_then_one_a_day_up_to_twenty(sample_file: Path) -> None:
    folder = backups.folder_for(sample_file)
    base = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    today = [_fake(folder, base - dt.timedelta(minutes=i)) for i in range(15)]
    earlier = [
        _fake(folder, base - dt.timedelta(days=d, hours=h)) for d in range(1, 16) for h in (0, 1)
    ]
    backups.rotate(sample_file)
    kept = {b.path for b in backups.list_backups(sample_file)}
    assert len(kept) == backups.KEEP_TOTAL
    assert set(today[:10]) <= kept  # the ten newest, all from today
    assert not set(today[10:]) & kept  # the rest of a busy day is thinned
    # then the newest of each earlier day, ten of them
    assert kept - set(today) == {earlier[2 * i] for i in range(10)}


def test_restore_puts_back_an_earlier_version_and_keeps_the_current_one(sample_file: Path) -> None:
    service = WorkshopService.open(sample_file)
    service.update_details(context="version A")
    service.close()
    service = WorkshopService.open(sample_file)  # backed up with "version A"
    service.update_details(context="version B")
    chosen = next(b for b in backups.list_backups(sample_file) if _context(b.path) == "version A")

    restored = backups.restore_backup(service, chosen)  # closes the service
    assert restored == sample_file
    assert not locking.lock_path(sample_file).exists()
    assert _context(sample_file) == "version A"
    kept = [b for b in backups.list_backups(sample_file) if b.reason == "before-restore"]
    assert len(kept) == 1 and _context(kept[0].path) == "version B"
    if os.name == "posix":
        assert sample_file.stat().st_mode & 0o777 == 0o600
    # and the restored file opens normally for more work
    again = WorkshopService.open(sample_file)
    again.update_details(context="version C")
    again.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    sample_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.carequal"
    data = bytearray(sample_file.read_bytes())
    data[4096:8192] = b"\xa5" * 4096
    bad.write_bytes(bytes(data))
    before = sha256(sample_file)
    with pytest.raises(DamagedWorkshopError):
        backups.restore_backup(sample_file, bad)
    assert sha256(sample_file) == before


def test_restore_by_path_refuses_while_this_process_has_it_open(sample_file: Path) -> None:
    service = WorkshopService.open(sample_file)
    backup = backups.list_backups(sample_file)[0]
    with pytest.raises(UserError, match="Close “Glenmuir.carequal” before restoring"):
        backups.restore_backup(sample_file, backup)
    service.close()
    backups.restore_backup(sample_file, backup)


def test_a_file_sqlite_cannot_read_is_still_backed_up_byte_for_byte(tmp_path: Path) -> None:
    odd = tmp_path / "odd.carequal"
    odd.write_bytes(os.urandom(5000))
    b = backups.make_backup(odd, "before-restore")
    assert b is not None and b.path.read_bytes() == odd.read_bytes()


def test_opening_a_backup_makes_no_backup_of_it(sample_file: Path) -> None:
    WorkshopService.open(sample_file).close()
    backup = backups.list_backups(sample_file)[0]
    WorkshopService.open(backup.path, read_only=True).close()
    assert backups.list_backups(backup.path) == []


def test_restore_into_the_real_main_window(qtbot, sample_file: Path, monkeypatch) -> None:
    """install_restore_action works on the window the lead wires it into."""
    from carequal_desktop.ui import main_window
    from carequal_desktop.ui.dialogs import restore_dialog

    window = main_window.MainWindow()
    qtbot.addWidget(window)
    assert window.open_workshop_file(sample_file, interactive=False)
    window.service.update_details(context="before the restore")
    action = restore_dialog.install_restore_action(window)
    monkeypatch.setattr(restore_dialog.RestoreDialog, "exec", lambda self: 1)
    action.trigger()
    assert window.service is not None
    assert window.service.details().context != "before the restore"
    assert any(b.reason == "before-restore" for b in backups.list_backups(sample_file))
    window.close_workshop()
    assert not locking.lock_path(sample_file).exists()
