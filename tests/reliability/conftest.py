"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """A copy of the newest frozen workshop sample (the Glenmuir example) to change freely."""
    target = tmp_path / "Glenmuir.carequal"
    newest = max(DATA.glob("schema-v*.carequal"), key=lambda p: int(p.stem.split("-v")[1]))
    shutil.copyfile(newest, target)
    return target
