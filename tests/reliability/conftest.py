"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


def newest_sample() -> Path:
    """The frozen sample of the newest schema version (the Glenmuir example)."""
    return max(DATA.glob("schema-v*.carequal"), key=lambda p: int(p.stem.split("-v")[1]))


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """A copy of the frozen workshop of the current schema version, to change freely.

    The current version, so that opening it read-only needs no upgrade; the upgrade tests
    use the version-1 sample themselves.
    """
    target = tmp_path / "Glenmuir.carequal"
    shutil.copyfile(newest_sample(), target)
    return target
