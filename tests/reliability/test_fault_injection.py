"""Power cut at any moment: a short run of the kill harness (the full run is 200+ trials)."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from carequal_desktop.services.workshop import WorkshopService

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fault_injection.py"


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("fault_injection", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fault_injection"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("fault_injection", None)


def test_twenty_kills_lose_and_damage_nothing(harness, tmp_path: Path, sample_file: Path) -> None:
    # Forking skips Python's start-up in each child (the full run starts it afresh).
    report = harness.run(
        trials=20,
        seed=11,
        workdir=tmp_path / "work",
        source=sample_file,
        max_delay_ms=250,
        fork=hasattr(os, "fork"),
    )
    summary = report.summary()
    assert [(t.number, t.failure) for t in report.failures] == []
    assert summary["trials"] == 20
    assert summary["edits_committed_and_verified"] > 20  # the kills came mid-work
    assert summary["stale_locks_cleared"] >= 15  # each killed child left its lock behind


def test_the_check_notices_a_lost_edit_and_a_damaged_file(harness, sample_file: Path) -> None:
    """The harness would fail if an edit were lost or the file damaged (a negative control)."""
    service = WorkshopService.open(sample_file)
    model = harness.read_model(service)
    op = harness.plan(model, 1, 5)
    harness.perform(service, op)
    after = harness.apply(model, op)
    lost = harness.apply(after, harness.plan(after, 2, 5))  # reported but never made
    service.close()
    assert harness._check(sample_file, [after])[0] == 0
    which, problem = harness._check(sample_file, [lost])
    assert which is None and "neither expected state" in problem

    size = sample_file.stat().st_size
    with sample_file.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\x00\xff" * 2048)
    which, problem = harness._check(sample_file, [after])
    assert which is None and problem
    conn = sqlite3.connect(sample_file)
    conn.close()


def test_a_merge_killed_at_any_moment_leaves_the_file_before_or_after(
    harness, tmp_path: Path, sample_file: Path
) -> None:
    result = harness.run_merges(trials=12, seed=3, workdir=tmp_path / "merge", source=sample_file)
    assert result["failures"] == []
    assert result["file_as_before"] + result["file_as_after"] == 12
    assert result["changes_taken"] > 0 and result["conflicts"] > 0  # a real merge was killed
