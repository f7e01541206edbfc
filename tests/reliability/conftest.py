"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


def newest_sample() -> Path:
    """The frozen workshop of the newest schema version (``tests/data/schema-vN.carequal``)."""
    files = DATA.glob("schema-v*.carequal")
    return max(files, key=lambda p: int(p.stem.rsplit("-v", 1)[1]))


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """A copy of the newest frozen workshop (the Glenmuir example) to change freely.

    The newest, so that opening it is not also an upgrade (``test_upgrades.py`` opens
    every version).
    """
    target = tmp_path / "Glenmuir.carequal"
    shutil.copyfile(newest_sample(), target)
    return target
