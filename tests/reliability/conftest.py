"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """A copy of the frozen schema-v1 workshop (the Glenmuir example) to change freely."""
    target = tmp_path / "Glenmuir.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", target)
    return target
