"""Two copies open: the lock file beside a workshop, stale locks, read-only opening."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carequal_desktop.errors import WorkshopLockedError
from carequal_desktop.services import locking
from carequal_desktop.services.workshop import WorkshopService


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_lock(workshop: Path, **owner) -> Path:
    path = locking.lock_path(workshop)
    path.write_text(json.dumps(owner), encoding="utf-8")
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_open_takes_the_lock_and_close_releases_it(sample_file: Path) -> None:
    service = WorkshopService.open(sample_file)
    lock = locking.lock_path(sample_file)
    assert lock.name == "~$Glenmuir.carequal.lock"
    owner = json.loads(lock.read_text(encoding="utf-8"))
    assert set(owner) == {"user", "host", "pid", "started", "since", "app_version"}
    assert owner["pid"] == os.getpid()
    assert owner["host"] == locking.this_host()
    if os.name == "posix":
        assert lock.stat().st_mode & 0o777 == 0o600
    service.close()
    assert not lock.exists()
    service.close()  # twice is harmless


def test_create_takes_the_lock(workshop_path: Path) -> None:
    service = WorkshopService.create(workshop_path, title="T", partnership="P")
    assert locking.lock_path(workshop_path).exists()
    service.close()
    assert not locking.lock_path(workshop_path).exists()


def test_read_only_never_takes_a_lock(sample_file: Path) -> None:
    service = WorkshopService.open(sample_file, read_only=True)
    assert not locking.lock_path(sample_file).exists()
    service.close()


def test_same_process_may_open_twice_and_lock_goes_with_the_last(sample_file: Path) -> None:
    a = WorkshopService.open(sample_file)
    b = WorkshopService.open(sample_file)
    a.close()
    assert locking.lock_path(sample_file).exists()
    b.close()
    assert not locking.lock_path(sample_file).exists()


def test_another_running_copy_is_refused_with_who_where_and_since(sample_file: Path) -> None:
    """A real second CareQual process holds the file: the message names it; nothing changes."""
    code = (
        "import sys; from carequal_desktop.services.workshop import WorkshopService as W; "
        f"s = W.open({str(sample_file)!r}); print('open', flush=True); sys.stdin.read(); s.close()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open"
        before = sha256(sample_file)
        with pytest.raises(WorkshopLockedError) as info:
            WorkshopService.open(sample_file)
        message = str(info.value)
        assert message.startswith("“Glenmuir.carequal” is already open in CareQual by ")
        assert "today" in message and "open it read-only" in message
        assert info.value.owner["pid"] == child.pid
        assert sha256(sample_file) == before
        # Looking is still possible.
        ro = WorkshopService.open(sample_file, read_only=True)
        assert ro.details().title
        ro.close()
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=20)
        child.stdout.close()
    assert not locking.lock_path(sample_file).exists()


def test_lock_of_a_crashed_copy_on_this_computer_is_cleared(
    sample_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_lock(
        sample_file,
        user="morag",
        host=locking.this_host(),
        pid=_dead_pid(),
        since="2026-11-24T14:05:00Z",
        app_version="0.1.0",
    )
    with caplog.at_level(logging.INFO, logger="carequal"):
        service = WorkshopService.open(sample_file)
    assert "stale lock" in caplog.text
    assert json.loads(locking.lock_path(sample_file).read_text())["pid"] == os.getpid()
    service.close()
    assert not locking.lock_path(sample_file).exists()


def test_lock_from_another_computer_is_respected_until_abandoned(sample_file: Path) -> None:
    lock = _write_lock(
        sample_file,
        user="Morag Baird",
        host="LAPTOP-12",
        pid=4242,
        since="2020-01-01T14:05:00Z",
        app_version="0.1.0",
    )
    with pytest.raises(WorkshopLockedError) as info:
        WorkshopService.open(sample_file)
    assert "by Morag Baird on LAPTOP-12 since 1 January at" in str(info.value)
    assert info.value.owner["host"] == "LAPTOP-12"
    # Its holder refreshes it every 10 minutes; 13 hours untouched means that laptop died.
    old = time.time() - 13 * 3600
    os.utime(lock, (old, old))
    WorkshopService.open(sample_file).close()


def test_a_half_written_lock_is_respected_briefly_then_cleared(sample_file: Path) -> None:
    lock = locking.lock_path(sample_file)
    lock.write_bytes(b"")
    with pytest.raises(WorkshopLockedError) as info:
        WorkshopService.open(sample_file)
    assert "by someone" in str(info.value)
    old = time.time() - 60
    os.utime(lock, (old, old))
    WorkshopService.open(sample_file).close()


def test_a_recycled_process_id_on_this_computer_counts_as_stale(sample_file: Path) -> None:
    """Our own pid in a lock we do not hold: an earlier run that crashed had the same id."""
    _write_lock(
        sample_file,
        user="x",
        host=locking.this_host(),
        pid=os.getpid(),
        since="2026-01-01T00:00:00Z",
        app_version="0.1.0",
    )
    service = WorkshopService.open(sample_file)
    try:
        assert not service.read_only
        owner = locking.read_owner(sample_file)
        assert owner is not None and owner["user"] == locking.this_user()  # ours now, not "x"
    finally:
        service.close()


def test_locked_message_wording() -> None:
    owner = {"user": "Morag Baird", "host": "LAPTOP-12", "since": "2026-11-24T14:05:00Z"}
    text = locking.locked_message(Path("x.carequal"), owner)
    assert text.startswith(
        "“x.carequal” is already open in CareQual by Morag Baird on LAPTOP-12 since "
    )
    assert text.endswith("You can open it read-only to look at it.")
    mine = locking.locked_message(
        Path("x.carequal"), {"user": locking.this_user(), "host": locking.this_host()}
    )
    assert "by you on this computer" in mine


def test_pid_running() -> None:
    assert locking.pid_running(os.getpid())
    assert not locking.pid_running(_dead_pid())
    assert not locking.pid_running(0)


def test_replacing_a_file_open_elsewhere_can_be_refused(sample_file: Path) -> None:
    locking.ensure_not_open_elsewhere(sample_file)  # nobody has it
    _write_lock(
        sample_file,
        user="Morag Baird",
        host="LAPTOP-12",
        pid=4242,
        since="2026-11-24T14:05:00Z",
        app_version="0.1.0",
    )
    with pytest.raises(WorkshopLockedError, match="by Morag Baird on LAPTOP-12"):
        locking.ensure_not_open_elsewhere(sample_file)
    locking.lock_path(sample_file).unlink()
    service = WorkshopService.open(sample_file)
    locking.ensure_not_open_elsewhere(sample_file)  # held by this process: fine
    service.close()
