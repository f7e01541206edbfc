"""Merging the position statement's own records (issue 11 for the tables of issue 9).

Document control, key messages, the conclusion and the evidence-age setting are ONE record
in every copy (whatever id each copy gave it when it was first written); a statement's
summary is known by the statement's number; a not-personal mark by its place and words,
merged as a set. Copies are made with Explorer (shutil.copy), as agencies do, so these
tests run on SQLite only, like test_merge_files.py.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from carequal_desktop.cli import main
from carequal_desktop.domain.readiness import Finding
from carequal_desktop.services import merge as merging
from carequal_desktop.services.readiness import ReadinessService
from carequal_desktop.services.workshop import WorkshopService
from tests.content import content

DATA = Path(__file__).resolve().parent.parent / "data"


def rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        conn.close()


def mark(place: str, text: str) -> Finding:
    """A personal-data finding at ``place`` ("indicator 1.1 how_good_now")."""
    _kind, code, field = place.split(" ")
    return Finding("personal_data", "", indicator=code, field=field, text=text)


def edit(path: Path, **changes: Any) -> None:
    """Open a copy, make the position statement's edits through the service, close it."""
    s = WorkshopService.open(path)
    try:
        ready = ReadinessService(s)
        for name, value in changes.items():
            if name == "key_messages":
                ready.update_key_messages(value)
            elif name == "conclusion":
                ready.update_conclusion(value)
            elif name == "months":
                ready.set_stale_months(value)
            elif name == "summaries":
                for number, text in value.items():
                    ready.update_summary(number, text)
            elif name == "marks":
                for place, text in value:
                    ready.mark_not_personal(mark(place, text))
            elif name == "unmark":
                for place, text in value:
                    ready.unmark_not_personal(place, text)
            else:
                ready.update_document_control(**{name: value})
    finally:
        s.close()


@pytest.fixture
def original(tmp_path: Path) -> Path:
    """A workshop whose position statement has never been written (no row in any table)."""
    path = tmp_path / "Original.carequal"
    s = WorkshopService.create(path, title="Glenmuir", partnership="Glenmuir partnership")
    s.update_evaluation("1.1", how_good_now="The original words.")
    s.add_evidence("Case file audit", "record_reading", indicators=["1.1"])
    s.close()
    return path


@pytest.fixture
def written(original: Path) -> Path:
    """The same workshop with its position statement written once, before copies were made."""
    edit(
        original,
        key_messages="- Children are seen sooner.",
        conclusion="We can improve.",
        summaries={2: "Statement 2 as agreed."},
        marks=[("indicator 1.1 how_good_now", "Baby J")],
    )
    return original


def copies(original: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        target = original.with_name(f"{name}.carequal")
        shutil.copy(original, target)
        out.append(target)
    return out


def merge(into: Path, source: Path) -> merging.MergeReport:
    s = WorkshopService.open(into)
    try:
        return merging.merge_file(s, source)
    finally:
        s.close()


def texts(path: Path) -> tuple[Any, ...]:
    s = WorkshopService.open(path, read_only=True)
    try:
        ready = ReadinessService(s)
        t = ready.statement_texts()
        control = ready.document_control()
        return (
            t.key_messages,
            t.conclusion,
            t.summaries,
            ready.stale_months(),
            (control.version, control.status, control.approved_by, control.evaluation_date),
            ready.not_personal(),
        )
    finally:
        s.close()


def converged(a: Path, b: Path) -> None:
    """Merging each way once more raises nothing and leaves both with the same content."""
    for into, source in ((a, b), (b, a)):
        report = merge(into, source)
        assert report.conflicts == []
    sa, sb = WorkshopService.open(a, read_only=True), WorkshopService.open(b, read_only=True)
    try:
        assert content(sa) == content(sb)
    finally:
        sa.close()
        sb.close()
    for path in (a, b):
        assert len(rows(path, "position_statement")) <= 1


def test_changes_made_in_one_copy_are_taken_silently(written: Path) -> None:
    a, b = copies(written, "A", "B")
    edit(
        a,
        key_messages="- Children are seen sooner.\n- Plans are shared.",
        months=18,
        status="for_sign_off",
        approved_by="Chief officers group",
        summaries={2: "Statement 2, revised by A.", 3: "Statement 3 by A."},
        marks=[("indicator 1.1 how_good_now", "Ann Brodie")],
    )
    report = merge(b, a)
    assert report.conflicts == []
    assert report.changes_taken == 7  # 4 fields, 1 summary edited, 1 added, 1 mark added
    key_messages, conclusion, summaries, months, control, marks = texts(b)
    assert key_messages == "- Children are seen sooner.\n- Plans are shared."
    assert conclusion == "We can improve."
    assert summaries == {2: "Statement 2, revised by A.", 3: "Statement 3 by A."}
    assert months == 18
    assert control[1:3] == ("for_sign_off", "Chief officers group")
    assert marks == {
        ("indicator 1.1 how_good_now", "Baby J"),
        ("indicator 1.1 how_good_now", "Ann Brodie"),
    }
    assert len(rows(b, "position_statement")) == 1
    assert len(rows(b, "statement_summary")) == 2
    # repeating the merge changes nothing
    before = rows(b, "position_statement"), rows(b, "statement_summary"), rows(b, "not_personal")
    again = merge(b, a)
    assert (again.changes_taken, again.conflicts) == (0, [])
    assert (
        rows(b, "position_statement"),
        rows(b, "statement_summary"),
        rows(b, "not_personal"),
    ) == before
    converged(a, b)


def test_the_statement_written_in_both_copies_is_one_record(original: Path) -> None:
    """Neither copy had the statement's row; each made its own (a different random id)."""
    a, b = copies(original, "A", "B")
    edit(a, key_messages="Key messages by A.", summaries={2: "The same summary."}, months=12)
    edit(b, conclusion="Conclusion by B.", summaries={2: "The same summary."}, version="0.3")
    ids = {rows(p, "position_statement")[0][0] for p in (a, b)}
    assert len(ids) == 2  # really made independently
    report = merge(b, a)
    assert report.conflicts == []
    key_messages, conclusion, summaries, months, control, _marks = texts(b)
    assert (key_messages, conclusion, summaries, months, control[0]) == (
        "Key messages by A.",
        "Conclusion by B.",
        {2: "The same summary."},
        12,
        "0.3",
    )
    assert len(rows(b, "position_statement")) == 1
    assert len(rows(b, "statement_summary")) == 1
    converged(a, b)


def test_the_statement_made_only_in_the_other_copy_is_added_once(original: Path) -> None:
    a, b = copies(original, "A", "B")
    edit(a, key_messages="Key messages by A.", summaries={4: "Summary 4 by A."})
    assert rows(b, "position_statement") == []
    report = merge(b, a)
    assert report.conflicts == [] and report.changes_taken == 2
    assert texts(b)[0] == "Key messages by A." and texts(b)[2] == {4: "Summary 4 by A."}
    assert len(rows(b, "position_statement")) == 1
    # the new row is this file's own (its own id); merging again adds nothing
    assert merge(b, a).changes_taken == 0
    assert len(rows(b, "position_statement")) == 1 and len(rows(b, "statement_summary")) == 1
    converged(a, b)


def test_both_copies_changing_the_same_text_is_a_conflict_decided_on_the_command_line(
    written: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = copies(written, "A", "B")
    edit(a, key_messages="A's key messages.", summaries={2: "A's summary."}, months=12)
    edit(b, key_messages="B's key messages.", summaries={2: "B's summary."}, months=36)
    assert main(["merge", str(b), str(a), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    found = {(c["record"], c["field"]): c for c in out["conflicts"]}
    assert set(found) == {
        ("Document control", "key_messages"),
        ("Document control", "stale_evidence_months"),
        ("Summary of statement 2", "text"),
    }
    km = found[("Document control", "key_messages")]
    assert (km["base"], km["ours"], km["theirs"]) == (
        "- Children are seen sooner.",
        "B's key messages.",
        "A's key messages.",
    )
    assert all(c["indicator"] is None for c in out["conflicts"])
    summary = found[("Summary of statement 2", "text")]
    assert (summary["base"], summary["ours"], summary["theirs"]) == (
        "Statement 2 as agreed.",
        "B's summary.",
        "A's summary.",
    )
    months = found[("Document control", "stale_evidence_months")]
    assert (months["base"], months["ours"], months["theirs"]) == (24, 36, 12)
    # nothing decided behind anyone's back
    assert texts(b)[0] == "B's key messages." and texts(b)[3] == 36

    assert main(["resolve", str(b), str(km["id"]), "--text", "Both copies' key messages."]) == 0
    assert main(["resolve", str(b), str(summary["id"]), "--theirs"]) == 0
    assert main(["resolve", str(b), str(months["id"]), "--ours"]) == 0
    capsys.readouterr()
    assert main(["conflicts", str(b), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"conflicts": []}
    key_messages, _c, summaries, stale, _control, _marks = texts(b)
    assert (key_messages, summaries, stale) == (
        "Both copies' key messages.",
        {2: "A's summary."},
        36,
    )
    assert len(rows(b, "position_statement")) == 1 and len(rows(b, "statement_summary")) == 1
    # repeat: nothing; back the other way: A takes every decision without asking
    again = merge(b, a)
    assert (again.changes_taken, again.conflicts) == (0, [])
    back = merge(a, b)
    assert back.conflicts == []
    assert texts(a)[0] == "Both copies' key messages." and texts(a)[3] == 36
    converged(a, b)


def test_the_merge_page_lists_them_with_the_workshop_records(written: Path) -> None:
    a, b = copies(written, "A", "B")
    edit(a, conclusion="A's conclusion.", summaries={2: "A's summary."})
    edit(b, conclusion="B's conclusion.", summaries={2: "B's summary."})
    merge(b, a)
    s = WorkshopService.open(b)
    try:
        listed = merging.open_conflicts(s)
        assert [(c.record, c.field_label, c.indicator) for c in listed] == [
            ("Summary of statement 2", "Text", ""),
            ("Document control", "Conclusion", ""),
        ] or sorted((c.record, c.field_label, c.indicator) for c in listed) == [
            ("Document control", "Conclusion", ""),
            ("Summary of statement 2", "Text", ""),
        ]
        assert merging.conflict_codes(s) == set()  # no indicator is marked for them
        assert merging.export_warning(s)
    finally:
        s.close()


def test_a_number_typed_for_the_evidence_age_must_be_one_the_file_accepts(written: Path) -> None:
    a, b = copies(written, "A", "B")
    edit(a, months=12)
    edit(b, months=36)
    (c,) = merge(b, a).conflicts
    s = WorkshopService.open(b)
    try:
        with pytest.raises(merging.UserError):
            merging.resolve(s, c.id, "text", "999")
        with pytest.raises(merging.UserError):
            merging.resolve(s, c.id, "text", "soon")
        merging.resolve(s, c.id, "text", "30")
        assert ReadinessService(s).stale_months() == 30
    finally:
        s.close()


def test_not_personal_marks_merge_as_a_set(written: Path) -> None:
    a, b = copies(written, "A", "B")
    place = "indicator 1.1 how_good_now"
    edit(a, marks=[(place, "Ann Brodie"), (place, "Mrs Dunn")], unmark=[(place, "Baby J")])
    edit(b, marks=[(place, "Ann Brodie"), (place, "G12 8QQ")])
    report = merge(b, a)
    assert report.conflicts == []
    # made on both sides: one mark; made on either: kept; unmarked in A, untouched here: gone
    assert texts(b)[5] == {(place, "Ann Brodie"), (place, "Mrs Dunn"), (place, "G12 8QQ")}
    assert len(rows(b, "not_personal")) == 3
    assert merge(b, a).changes_taken == 0
    converged(a, b)
    assert texts(a)[5] == texts(b)[5]


def test_marking_the_same_words_twice_keeps_one_mark(original: Path) -> None:
    edit(original, marks=[("indicator 1.1 how_good_now", "Baby J")] * 2)
    assert len(rows(original, "not_personal")) == 1


def test_files_from_schema_version_5_merge_their_statements(tmp_path: Path) -> None:
    """Two copies of a version-5 file (statement rows, no triggers for them) upgraded on two
    laptops: the upgrade adds the triggers, and edits on each merge field by field."""
    a, b, old = tmp_path / "A.carequal", tmp_path / "B.carequal", tmp_path / "Old.carequal"
    for path in (a, b, old):
        shutil.copyfile(DATA / "schema-v5.carequal", path)
    assert "history_statement_summary_update" not in {r[1] for r in rows(a, "sqlite_master")}
    edit(a, key_messages="Key messages typed in A.", summaries={1: "Summary 1 typed in A."})
    edit(b, conclusion="Conclusion typed in B.", summaries={1: "Summary 1 typed in B."})
    names = {r[1] for r in rows(a, "sqlite_master") if r[0] == "trigger"}
    assert {
        f"history_{t}_{op}"
        for t in ("position_statement", "statement_summary", "not_personal")
        for op in ("insert", "update", "delete")
    } <= names
    report = merge(b, a)
    ((record, field),) = [(c.record, c.field) for c in report.conflicts]
    assert (record, field) == ("Summary of statement 1", "text")
    (c,) = report.conflicts
    assert c.base == "Children are safer: risks are seen early."
    key_messages, conclusion, *_ = texts(b)
    assert (key_messages, conclusion) == ("Key messages typed in A.", "Conclusion typed in B.")
    # an untouched version-5 copy brings nothing new and is not changed
    before = old.read_bytes()
    assert merge(b, old).changes_taken == 0
    assert old.read_bytes() == before


# Tables the merge leaves alone, and why (docs/merging.md, "What merges").
NOT_MERGED = {
    "meta": "this laptop's settings (text size) and the record of prepared copies",
    "history_dirty": "the merge's own bookkeeping: notes of the transaction in progress",
    "record_history": "the merge's own bookkeeping: the lineages themselves",
    "version_value": "the merge's own bookkeeping: replaced values for common originals",
    "merge_log": "each file's own account of what was merged into it",
    "merge_conflict": "each file's own open conflicts",
}
# Columns of merged tables that are not fields of their own: times of this file, and what
# follows from other fields (a reference's number, an item's evaluation by its indicator).
DERIVED = {"id", "updated", "created", "ref_number", "evaluation_id"}


def test_every_table_and_column_merges_or_is_left_out_on_purpose() -> None:
    """A table or column added later and forgotten here would silently never merge."""
    from carequal_desktop.domain.merge import TABLES
    from carequal_desktop.store.tables import metadata

    assert set(metadata.tables) == set(TABLES) | set(NOT_MERGED)
    assert not set(TABLES) & set(NOT_MERGED)
    for name, spec in TABLES.items():
        columns = set(metadata.tables[name].c.keys())
        merged = set(spec.fields) | set(spec.key_columns)
        assert merged <= columns, name
        assert columns - merged <= DERIVED, (name, columns - merged)
