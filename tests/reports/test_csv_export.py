"""CSV for Excel: UTF-8 with BOM, CRLF, the window's column names, no formulas, safe writes."""

from __future__ import annotations

import csv
import io

import pytest

from carequal_desktop.errors import StorageError, TargetExistsError
from carequal_desktop.reports.csv_export import (
    EVIDENCE_COLUMNS,
    PLAN_COLUMNS,
    safe_cell,
    write_evidence_csv,
    write_plan_csv,
)
from carequal_desktop.services import files


def read_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_plan_csv_has_bom_crlf_and_columns(demo_service, tmp_path):
    result = write_plan_csv(demo_service, tmp_path / "plan.csv")
    assert result.warnings == []
    target = result.path
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_rows(target)
    assert raw.endswith(b"\r\n")
    # Every record ends with CRLF; a bare LF may only sit inside a quoted multi-line cell.
    inside = sum(cell.count("\n") for row in rows for cell in row)
    assert raw.count(b"\r\n") == len(rows)
    assert raw.count(b"\n") == len(rows) + inside
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert [r[0] for r in rows[1:]] == [a.ref for a in demo_service.actions()]
    first = demo_service.actions()[0]
    assert rows[1][PLAN_COLUMNS.index("Task")] == first.task
    assert rows[1][PLAN_COLUMNS.index("Due")] == first.due


def test_evidence_csv_columns_and_content(demo_service, tmp_path):
    rows = read_rows(write_evidence_csv(demo_service, tmp_path / "evidence.csv").path)
    assert tuple(rows[0]) == EVIDENCE_COLUMNS
    assert EVIDENCE_COLUMNS[:9] == (
        "Ref",
        "Title",
        "Kind",
        "Agency",
        "Date",
        "Share",
        "Respondents",
        "Indicators",
        "Supports",
    )
    evidence = demo_service.evidence()
    assert len(rows) == len(evidence) + 1
    e = next(x for x in evidence if x.share_percent is not None)
    row = next(r for r in rows if r[0] == e.ref)
    assert row[5] == e.share_text
    assert row[7] == ", ".join(e.indicators)


def test_window_uses_the_same_evidence_column_names():
    from carequal_desktop.ui.models.evidence_table_model import COLUMN_TITLES

    assert EVIDENCE_COLUMNS[: len(COLUMN_TITLES)] == COLUMN_TITLES


@pytest.mark.parametrize("text", ["=1+1", "+44 1234", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_text_is_untouched():
    assert safe_cell("Chronologies – 45% (E11)") == "Chronologies – 45% (E11)"
    assert safe_cell(None) == "" and safe_cell(60) == "60"
    assert safe_cell("a\x00b\x07c") == "abc"


def test_hostile_text_round_trips(hostile_service, tmp_path):
    result = write_evidence_csv(hostile_service, tmp_path / "e.csv")
    assert result.warnings and "left out of the file" in result.warnings[0]
    rows = read_rows(result.path)
    title = rows[1][1]
    assert title.startswith("'=HYPERLINK")
    assert "👩‍👧‍👦" in title and "مرحبا" in title and "שלום" in title
    assert "\x00" not in title
    assert rows[1][3].startswith("'@Agency")
    plan = read_rows(write_plan_csv(hostile_service, tmp_path / "p.csv").path)
    assert plan[1][PLAN_COLUMNS.index("Task")].startswith("'-Task")


def test_non_ascii_round_trip(new_service, tmp_path):
    new_service.add_action("Gàidhlig: Clann is teaghlaichean — “quotes” £5 ✓", statement=2)
    rows = read_rows(write_plan_csv(new_service, tmp_path / "p.csv").path)
    assert rows[1][PLAN_COLUMNS.index("Task")] == "Gàidhlig: Clann is teaghlaichean — “quotes” £5 ✓"


def test_existing_file_is_kept_without_overwrite(example_service, tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("mine")
    with pytest.raises(TargetExistsError):
        write_plan_csv(example_service, target)
    assert target.read_text() == "mine"
    write_plan_csv(example_service, target, overwrite=True)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_file_open_in_excel_is_refused(example_service, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "plan.csv").write_text("open")
    (folder / "~$plan.csv").write_text("owner")
    with pytest.raises(StorageError, match="open in Word or Excel"):
        write_plan_csv(example_service, folder / "plan.csv", overwrite=True)
    assert (folder / "plan.csv").read_text() == "open"


def test_unwritable_folder_leaves_nothing(example_service, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    monkeypatch.setattr(files.os, "link", refuse)  # a new name is placed by a hard link
    with pytest.raises(StorageError):
        write_evidence_csv(example_service, folder / "e.csv")
    assert list(folder.iterdir()) == []
