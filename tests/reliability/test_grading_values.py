"""Crafted grading data (issue 10) gets one sentence on opening, never a crash."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from carequal_desktop.errors import NewerVersionError, UserError
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.new_cycle import previous_cycle
from carequal_desktop.services.workshop import WorkshopService

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "schema-v5.carequal"


def _crafted(tmp_path: Path, sql: str) -> Path:
    target = tmp_path / "crafted.carequal"
    shutil.copyfile(SAMPLE, target)
    conn = sqlite3.connect(target)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    return target


def test_the_sample_reads_as_made(tmp_path: Path) -> None:
    path = tmp_path / "sample.carequal"
    shutil.copyfile(SAMPLE, path)
    service = WorkshopService.open(path)  # upgraded first: a later version made it older
    try:
        view = GradingService(service).view("5.4")
        assert [d.agency for d in view.dissents][0] == ""  # the one with no agency named
        assert previous_cycle(service).title
    finally:
        service.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE evaluation SET dissents = '[1, 2]'",
        'UPDATE evaluation SET dissents = \'[{"agency": "", "text": "x"}]\'',
        'UPDATE evaluation SET dissents = \'{"agency": "NHS"}\'',
        "UPDATE evaluation SET dissents = 'not json'",
        "UPDATE evaluation SET proposals_hidden = 7",
        "UPDATE evaluation SET proposals_hidden = 'yes'",
        "UPDATE meta SET value = '[]' WHERE key = 'previous_cycle'",
        'UPDATE meta SET value = \'{"id": "x", "title": "T"}\' WHERE key = \'previous_cycle\'',
        "UPDATE meta SET value = 'garbage' WHERE key = 'previous_cycle'",
    ],
)
def test_crafted_grading_values_are_refused_in_one_sentence(tmp_path: Path, sql: str) -> None:
    path = _crafted(tmp_path, sql)
    with pytest.raises(UserError) as caught:
        WorkshopService.open(path)
    assert str(caught.value).endswith(".")
    assert not isinstance(caught.value, NewerVersionError)  # refused for its values
