"""Opening and creating workshop files with init_db."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from carequal_desktop.errors import DamagedWorkshopError, NewerVersionError, NotAWorkshopError
from carequal_desktop.store.connection import APPLICATION_ID, SCHEMA_VERSION, init_db


def test_new_file_records_schema_version_and_application_id(workshop_path: Path) -> None:
    init_db(workshop_path, create=True).dispose()
    conn = sqlite3.connect(workshop_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"workshop", "indicator", "evaluation", "evidence", "improvement_action"} <= tables
    conn.close()


def test_file_is_self_contained_with_full_sync(new_service) -> None:
    with new_service.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 3  # EXTRA: folder synced too
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    new_service.add_participant("A", "B")
    assert not Path(str(new_service.path) + "-wal").exists()


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.carequal"
    path.write_bytes(b"")
    with pytest.raises(NotAWorkshopError, match="empty"):
        init_db(path)


def test_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.carequal"
    path.write_text("hello")
    with pytest.raises(NotAWorkshopError, match="not a CareQual workshop"):
        init_db(path)


def test_other_programs_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotAWorkshopError, match="another program"):
        init_db(path)
    assert path.read_bytes() == before


def test_newer_version_is_refused(workshop_path: Path) -> None:
    init_db(workshop_path, create=True).dispose()
    conn = sqlite3.connect(workshop_path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    before = workshop_path.read_bytes()
    with pytest.raises(NewerVersionError, match="newer version"):
        init_db(workshop_path)
    assert workshop_path.read_bytes() == before


def test_truncated_file_is_refused(new_service, tmp_path: Path) -> None:
    new_service.close()
    data = new_service.path.read_bytes()
    cut = tmp_path / "cut.carequal"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises((DamagedWorkshopError, NotAWorkshopError)):
        init_db(cut)
