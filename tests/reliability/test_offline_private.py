"""Offline and private: no network use in the main flows; owner-only files; no text in logs."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from pathlib import Path

import pytest

from carequal_desktop import cli, log
from carequal_desktop.errors import DamagedWorkshopError
from carequal_desktop.services import backups, exchange, locking
from carequal_desktop.services.workshop import WorkshopService

MARKER = "Zebra-Ωmega-7f3a marker about a child"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every way of reaching the network fail, and record each attempt."""
    attempts: list[str] = []

    def refuse(name: str):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network use is forbidden in this test ({name})")

        return blocked

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in (
        "create_connection",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
        "create_server",
    ):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def test_main_flows_use_no_network(no_network: list[str], tmp_path: Path, qapp) -> None:
    from carequal_desktop.reports.csv_export import write_evidence_csv, write_plan_csv
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    path = tmp_path / "Offline.carequal"
    service = WorkshopService.create(path, title="Offline", partnership="Nowhere")
    service.update_evaluation("5.1", how_good_now="Typed in a school with no wifi", grade=4)
    service.add_evidence(
        "Staff survey", "staff_survey", indicators=["5.1"], share_percent=82.0, respondents=120
    )
    service.add_action("Audit chronologies", statement=1, indicators=["5.1"])
    exchange.export_json(service, tmp_path / "out.json")
    write_position_statement(service, tmp_path / "out.docx", ExportOptions())
    write_plan_csv(service, tmp_path / "plan.csv")
    write_evidence_csv(service, tmp_path / "evidence.csv")
    service.close()
    exchange.import_json(tmp_path / "out.json", tmp_path / "back.carequal")
    WorkshopService.open(path).close()  # makes a backup
    backups.restore_backup(path, backups.list_backups(path)[0])
    assert cli.main(["export-docx", str(path), str(tmp_path / "cli.docx")]) == 0
    assert cli.main(["--smoke", "--demo"]) == 0  # the main window, offscreen, on the demo
    assert no_network == []
    # The guard works: an attempt is refused and recorded.
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 443))
    assert len(no_network) == 1 and no_network[0].startswith("create_connection")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_files_are_owner_only_whatever_the_umask(
    tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    old = os.umask(0)  # the most permissive umask: every mode below is set explicitly
    try:
        path = tmp_path / "Private.carequal"
        service = WorkshopService.create(path, title="Private", partnership="P")
        service.close()
        assert _mode(path) == 0o600
        service = WorkshopService.open(path)
        assert _mode(locking.lock_path(path)) == 0o600
        service.update_details(context="changed")
        copy = service.save_copy_as(tmp_path / "Copy.carequal")
        assert _mode(copy) == 0o600
        exported = exchange.export_json(service, tmp_path / "out.json")
        assert _mode(exported) == 0o600
        service.close()
        imported = exchange.import_json(exported, tmp_path / "In.carequal").path
        assert _mode(imported) == 0o600
        WorkshopService.open(path).close()
        found = backups.list_backups(path)
        assert len(found) == 2 and all(_mode(b.path) == 0o600 for b in found)
        assert _mode(found[0].path.parent) == 0o700
        assert _mode(data_dir / "backups") == 0o700
        restored = backups.restore_backup(path, found[-1])
        assert _mode(restored) == 0o600
        log_path = log.log_bug(RuntimeError("test"))
        assert _mode(log_path) == 0o600
        assert _mode(log_path.parent) == 0o700
    finally:
        os.umask(old)


def test_logs_never_contain_workshop_text(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "Secret.carequal"
    service = WorkshopService.create(path, title=f"Title {MARKER}", partnership="P")
    service.update_evaluation("5.1", how_good_now=f"Narrative {MARKER}")
    service.add_evidence(f"Evidence {MARKER}", "document", description=MARKER)
    service.close()

    # A bug whose message quotes the text, logged directly and through the command line.
    try:
        raise ValueError(f"could not handle {MARKER}")
    except ValueError as exc:
        log.log_bug(exc)

    def broken(*args, **kwargs):
        raise RuntimeError(f"export failed on {MARKER}")

    monkeypatch.setattr(exchange, "export_json", broken)
    assert cli.main(["export-json", str(path), str(tmp_path / "x.json")]) == cli.EXIT_BUG
    assert MARKER not in capsys.readouterr().err

    # Logged events around files: a stale lock cleared, a damaged file refused.
    stale = {"host": locking.this_host(), "pid": 999999}
    locking.lock_path(path).write_text(json.dumps(stale), encoding="utf-8")
    WorkshopService.open(path).close()
    damaged = tmp_path / "Damaged.carequal"
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4000] = b"\x55" * 4000
    damaged.write_bytes(bytes(data))
    with pytest.raises(DamagedWorkshopError):
        WorkshopService.open(damaged)

    files = {
        Path(h.baseFilename)
        for h in logging.getLogger("carequal").handlers
        if isinstance(h, logging.FileHandler)
    }
    files.add(log.log_file())
    text = "".join(f.read_text(encoding="utf-8") for f in files if f.exists())
    assert "ValueError" in text and "RuntimeError" in text  # the bugs were logged
    assert MARKER not in text
    assert "Zebra" not in text and "Ωmega" not in text
