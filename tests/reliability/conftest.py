"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """The frozen schema-v1 workshop (the Glenmuir example) at this version's schema.

    Upgraded directly (no backup is made), so tests of opening, locking and backups start
    from a current file. ``test_upgrades.py`` has its own ``sample_file`` left at version 1.
    """
    from carequal_desktop.store import migrations

    target = tmp_path / "Glenmuir.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", target)
    if migrations.SCHEMA_VERSION > 1:
        migrations.upgrade(target, 1)
    return target
