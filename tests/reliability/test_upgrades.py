"""Upgrades: every file an earlier schema version wrote opens, after a backup, in one step."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations

from carequal_desktop.errors import NewerVersionError, StorageError
from carequal_desktop.services import backups, exchange, locking
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store import connection, migrations

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = sorted(DATA.glob("schema-v*.carequal"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_there_is_a_sample_for_every_schema_version() -> None:
    versions = {int(p.stem.split("-v")[1]) for p in SAMPLES}
    assert versions == set(range(1, migrations.SCHEMA_VERSION + 1))


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_opens_and_reads_completely(sample: Path, tmp_path: Path) -> None:
    path = tmp_path / sample.name
    shutil.copyfile(sample, path)
    service = WorkshopService.open(path)
    try:
        assert _user_version(path) == migrations.SCHEMA_VERSION
        assert service.details().title
        assert service.framework().indicators
        service.sessions()
        service.participants()
        for ev in service.evaluations():
            service.evaluation(ev.indicator_code)
        for e in service.evidence():
            service.evidence_item(e.id)
            service.evidence_usage(e.id)
        for a in service.actions():
            service.action(a.id)
        service.overview()
        exchange.validate_document(exchange.export_document(service))
        service.update_details(context="edited after the upgrade")
    finally:
        service.close()


@pytest.fixture
def version_2(monkeypatch: pytest.MonkeyPatch):
    """Pretend this CareQual writes a schema version or two more, with the steps given."""

    def install(*steps):
        current = migrations.SCHEMA_VERSION
        table = {**migrations.STEPS, **{current + 1 + i: step for i, step in enumerate(steps)}}
        top = current + len(steps)
        monkeypatch.setattr(migrations, "STEPS", table)
        monkeypatch.setattr(migrations, "SCHEMA_VERSION", top)
        monkeypatch.setattr(connection, "SCHEMA_VERSION", top)
        return top

    return install


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _add_column(op: Operations) -> None:
    op.add_column("workshop", sa.Column("venue", sa.String(), nullable=False, server_default=""))


def test_upgrade_is_backed_up_first_and_then_applied(v1_file: Path, version_2) -> None:
    top = version_2(_add_column)
    original = _dump(v1_file)
    service = WorkshopService.open(v1_file)
    service.update_details(context="after")
    service.close()
    assert _user_version(v1_file) == top
    kept = [b for b in backups.list_backups(v1_file) if b.reason == "before-upgrade"]
    assert len(kept) == 1
    assert kept[0].path.name.endswith("-before-upgrade-v1.carequal")
    assert _user_version(kept[0].path) == 1
    assert _dump(kept[0].path) == original  # a faithful copy of what was there


def test_a_failing_step_leaves_the_file_exactly_as_it_was(v1_file: Path, version_2) -> None:
    def broken(op: Operations) -> None:
        op.execute("UPDATE workshop SET context = 'half upgraded'")
        raise RuntimeError("step 3 has a bug")

    version_2(_add_column, broken)  # steps to 2 and to 3: one transaction for both
    before = sha256(v1_file)
    with pytest.raises(RuntimeError):
        WorkshopService.open(v1_file)
    assert sha256(v1_file) == before
    assert _user_version(v1_file) == 1
    assert not locking.lock_path(v1_file).exists()
    assert not Path(f"{v1_file}-journal").exists()
    assert not any("venue" in line for line in _dump(v1_file))


def test_no_upgrade_without_a_backup(v1_file: Path, version_2, monkeypatch) -> None:
    version_2(_add_column)

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "make_backup", no_space)
    before = sha256(v1_file)
    with pytest.raises(StorageError, match="no backup copy could be made first"):
        WorkshopService.open(v1_file)
    assert sha256(v1_file) == before


def test_an_old_file_on_read_only_media_is_not_upgraded(v1_file: Path, version_2) -> None:
    version_2(_add_column)
    before = sha256(v1_file)
    with pytest.raises(NewerVersionError, match="must be upgraded"):
        WorkshopService.open(v1_file, read_only=True)
    assert sha256(v1_file) == before
