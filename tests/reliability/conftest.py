"""Fixtures for the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    """A workshop of the current schema version (the Glenmuir example) to change freely."""
    import json

    from carequal_desktop.services.exchange import import_document

    target = tmp_path / "Glenmuir.carequal"
    doc = json.loads((DATA / "example-glenmuir.json").read_text(encoding="utf-8"))
    import_document(doc, target)
    return target


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    """A copy of the frozen schema-v1 workshop (the Glenmuir example), for upgrades."""
    target = tmp_path / "Glenmuir-v1.carequal"
    shutil.copyfile(DATA / "schema-v1.carequal", target)
    return target
