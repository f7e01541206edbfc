"""The draft position statement, read back with python-docx: structure, content, options, safety."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest

from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.errors import StorageError, TargetExistsError
from carequal_desktop.reports.position_statement import (
    ExportOptions,
    build_statement,
    short_date,
    word_counts,
    write_position_statement,
)
from carequal_desktop.services import files
from tests.conftest import unwritable
from tests.reports.conftest import CONTROL_CHARACTERS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_STYLES = ("Title", "TOC Heading", "Heading 1", "Heading 2", "Heading 3")


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name in HEADING_STYLES]


def h1s(document) -> list[str]:
    return [text for style, text in headings(document) if style == "Heading 1"]


def body_paragraphs(document) -> list[str]:
    """Every paragraph from the Introduction heading up to the summary heading."""
    out, inside = [], False
    for p in document.paragraphs:
        if p.style.name == "Heading 1" and p.text == "Introduction":
            inside = True
        elif p.style.name == "Heading 1" and p.text == "Summary of self-evaluation":
            break
        if inside:
            out.append(p.text)
    return out


def table_with_header(document, first: str, second: str):
    for table in document.tables:
        cells = [c.text for c in table.rows[0].cells]
        if cells[:2] == [first, second]:
            return table
    return None


@pytest.fixture(params=["demo", "example"])
def any_service(request, demo_service, example_service):
    return demo_service if request.param == "demo" else example_service


def test_headings_in_order_with_indicators_under_their_statements(any_service, export):
    path, _ = export(any_service)
    document = docx.Document(str(path))
    fw = any_service.framework()
    found = headings(document)
    assert found[0] == ("Title", any_service.details().title)
    assert found[1] == ("TOC Heading", "Contents")
    statements = [f"Statement {st.number}: {st.text}" for st in fw.statements]
    assert h1s(document) == [
        "Introduction",
        *statements,
        "Summary of self-evaluation",
        "Improvement plan",
        "Appendices",
    ]
    # The indicators mapped to each statement, as Heading 2, each with the three questions.
    for n, st in enumerate(fw.statements):
        start = found.index(("Heading 1", statements[n]))
        end = found.index(
            (
                "Heading 1",
                statements[n + 1] if n + 1 < len(statements) else "Summary of self-evaluation",
            )
        )
        under = found[start + 1 : end]
        expected = [f"{i.code} {i.title}" for i in fw.indicators_for_statement(st.number)]
        assert [t for s, t in under if s == "Heading 2"] == expected
        assert [t for s, t in under if s == "Heading 3"] == [
            "How good are we now?",
            "How do we know?",
            "What are we going to do now?",
        ] * len(expected)


def test_every_action_is_in_the_plan_table_with_all_its_fields(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    table = table_with_header(document, "Ref", "Issue")
    assert table is not None
    headers = [c.text for c in table.rows[0].cells]
    assert headers == [
        "Ref",
        "Issue",
        "Task",
        "Expected outcome",
        "Ownership",
        "Monitoring arrangements",
        "Baseline",
        "Target",
        "Due",
        "Status",
    ]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    actions = demo_service.actions()
    assert actions
    for a in actions:
        assert rows[a.ref] == [
            a.ref,
            a.issue,
            a.task,
            a.expected_outcome,
            a.ownership,
            a.monitoring,
            a.baseline,
            a.target,
            short_date(a.due),
            ACTION_STATUSES[a.status],
        ]
    # One merged group row per statement that has actions, in statement order.
    groups = [r.cells[0].text for r in table.rows[1:] if len({id(c._tc) for c in r.cells}) == 1]
    numbers = sorted({a.statement for a in actions})
    assert groups == [
        f"Statement {n}: {demo_service.framework().statement(n).text}" for n in numbers
    ]
    # The plan is in a landscape section; the appendices are portrait again.
    sections = document.sections
    assert len(sections) == 3
    assert sections[1].page_width > sections[1].page_height
    assert sections[2].page_width < sections[2].page_height


def test_every_cited_reference_is_in_the_evidence_index(any_service, export):
    path, _ = export(any_service)
    document = docx.Document(str(path))
    cited = set(re.findall(r"\[(E\d+)\]", "\n".join(body_paragraphs(document))))
    assert cited
    index = table_with_header(document, "Ref", "Title")
    assert index is not None
    listed = [r.cells[0].text for r in index.rows[1:]]
    assert cited <= set(listed)
    assert listed == [e.ref for e in any_service.evidence()]
    headers = [c.text for c in index.rows[0].cells]
    assert headers == ["Ref", "Title", "Kind", "Agency", "Date", "Share", "Indicators"]
    shared = next(e for e in any_service.evidence() if e.share_percent is not None)
    row = next(r for r in index.rows[1:] if r.cells[0].text == shared.ref)
    assert row.cells[5].text.startswith(shared.share_text)


def test_citations_use_the_standard_quantity_words(example_service, export):
    path, _ = export(example_service)
    text = "\n".join(body_paragraphs(docx.Document(str(path))))
    # E1: 92% of 640 respondents in the shared example.
    assert "[E1] Multi-agency staff survey 2026 — almost all (92%) of 640 respondents" in text


def test_word_count_equals_an_independent_count_of_the_body(any_service, export):
    path, result = export(any_service)
    document = docx.Document(str(path))
    paragraphs = body_paragraphs(document)
    independent = sum(len(p.split()) for p in paragraphs)
    assert result.word_count == independent
    per, total = word_counts(any_service, ExportOptions())
    assert total == independent
    # Per statement: from each statement heading to the next.
    fw = any_service.framework()
    starts = [paragraphs.index(f"Statement {st.number}: {st.text}") for st in fw.statements]
    for i, st in enumerate(fw.statements):
        end = starts[i + 1] if i + 1 < len(starts) else len(paragraphs)
        assert per[st.number] == sum(len(p.split()) for p in paragraphs[starts[i] : end])


def test_word_count_follows_the_grades_option(demo_service):
    _, with_grades = word_counts(demo_service, ExportOptions(include_grades=True))
    _, without = word_counts(demo_service, ExportOptions(include_grades=False))
    assert without < with_grades


def test_options_leave_out_grades_appendix_and_plan(demo_service, export):
    path, _ = export(
        demo_service,
        "plain.docx",
        include_grades=False,
        include_evidence_appendix=False,
        include_plan=False,
    )
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Grade:" not in text
    assert "Improvement plan" not in h1s(document)
    assert not any(
        t.startswith("Appendix") and "Evidence index" in t for _s, t in headings(document)
    )
    assert table_with_header(document, "Ref", "Title") is None
    assert table_with_header(document, "Ref", "Issue") is None
    summary = table_with_header(document, "Quality indicator", "Statement")
    assert [c.text for c in summary.rows[0].cells] == ["Quality indicator", "Statement", "Status"]
    assert len(document.inline_shapes) == 0
    assert all(s.page_width < s.page_height for s in document.sections)
    # The remaining appendices are lettered from A.
    assert ("Heading 2", "Appendix A: Participants") in headings(document)


def test_grades_appear_when_included(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    ev = next(e for e in demo_service.evaluations() if e.grade is not None)
    label = demo_service.framework().level(ev.grade).label
    assert f"Grade: {ev.grade} {label}" in [p.text for p in document.paragraphs]
    summary = table_with_header(document, "Quality indicator", "Statement")
    assert [c.text for c in summary.rows[0].cells][-1] == "Grade"


def test_accessibility_and_document_properties(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    props = document.core_properties
    assert props.title == demo_service.details().title
    assert props.author == (
        demo_service.details().facilitator or demo_service.details().partnership
    )
    assert props.language == "en-GB"
    styles = document.styles.element
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "en-GB"
    # Every table marks its first row as a header row that repeats on each page.
    for table in document.tables:
        tr = table._tbl.tr_lst[0]
        assert tr.find(f"{W}trPr/{W}tblHeader") is not None
    # The chart has alt text.
    assert len(document.inline_shapes) == 1
    doc_pr = document.inline_shapes[0]._inline.docPr
    assert doc_pr.get("descr", "").startswith("Bar chart of the team's grade")
    assert doc_pr.get("title")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
        footers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "footer" in n)
        headers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "header" in n)
        assert "docProps/thumbnail.jpeg" not in z.read("_rels/.rels").decode("utf-8")
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert "Right-click and choose Update field to build the contents." in xml
    assert "<w:updateFields" in settings
    assert "PAGE" in footers and "NUMPAGES" in footers
    assert f"Draft — {demo_service.details().partnership}" in headers


def test_title_page_has_draft_date_and_version(example_service, export):
    path, _ = export(example_service, version="0.3")
    texts = [p.text for p in docx.Document(str(path)).paragraphs[:12]]
    assert "Glenmuir community planning partnership" in texts
    assert "Status: Draft" in texts
    assert "Version: 0.3" in texts
    assert "Date: 23 November 2026" in texts


def test_introduction_says_how_and_who(example_service, export):
    path, _ = export(example_service)
    body = body_paragraphs(docx.Document(str(path)))
    assert "Tuesday 12 May 2026, Glenmuir Community Centre" in body
    for agency, n in example_service.agencies_summary():
        assert f"{agency} ({n})" in body


def test_hostile_text_is_made_safe_and_counted(hostile_service, export):
    path, result = export(hostile_service)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "👩‍👧‍👦" in text and "مرحبا" in text and "שלום" in text
    assert '<tag attr="x"> & ]]>' in text
    assert "\x00" not in text and "\x07" not in text
    assert "\ufffd" in text  # the lone surrogate, as the service stored it
    assert any(len(p.text) >= 100_000 for p in document.paragraphs)
    assert any("characters that Word cannot hold" in w for w in result.warnings)
    model = build_statement(hostile_service)
    assert model.dropped_characters >= CONTROL_CHARACTERS


def test_progress_is_reported_in_order(example_service, tmp_path):
    seen: list[tuple[int, str]] = []
    write_position_statement(
        example_service,
        tmp_path / "p.docx",
        ExportOptions(),
        progress=lambda p, label: seen.append((p, label)),
    )
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert percents[0] == 0 and percents[-1] == 100
    assert all(label for _, label in seen)


def test_existing_target_is_refused_without_overwrite(example_service, tmp_path):
    target = tmp_path / "out.docx"
    target.write_bytes(b"keep me")
    with pytest.raises(TargetExistsError):
        write_position_statement(example_service, target, ExportOptions())
    assert target.read_bytes() == b"keep me"
    write_position_statement(example_service, target, ExportOptions(), overwrite=True)
    assert zipfile.is_zipfile(target)


@pytest.mark.parametrize("lock_name", ["~$out.docx", "~$t.docx", "~$Position statement.docx"])
def test_document_open_in_word_is_refused(example_service, tmp_path, lock_name):
    name = "out.docx" if "Position" not in lock_name else "Position statement.docx"
    folder = tmp_path / "documents"
    folder.mkdir()
    target = folder / name
    target.write_bytes(b"open in Word")
    (folder / lock_name).write_bytes(b"owner")
    with pytest.raises(StorageError, match="open in Word"):
        write_position_statement(example_service, target, ExportOptions(), overwrite=True)
    assert target.read_bytes() == b"open in Word"
    assert sorted(p.name for p in folder.iterdir()) == sorted([name, lock_name])


def test_replace_refused_by_the_system_leaves_no_partial_file(
    example_service, tmp_path, monkeypatch
):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    monkeypatch.setattr(files.os, "link", refuse)  # a new name is placed by a hard link
    folder = tmp_path / "documents"
    folder.mkdir()
    with pytest.raises(StorageError, match="another program"):
        write_position_statement(example_service, folder / "out.docx", ExportOptions())
    assert list(folder.iterdir()) == []


def test_read_only_target_file_is_refused(example_service, tmp_path):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")
    with unwritable(target):
        with pytest.raises(StorageError, match="read-only"):
            write_position_statement(example_service, target, ExportOptions(), overwrite=True)
        assert target.read_bytes() == b"old"
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]  # no partial file


def test_read_only_folder_gives_storage_error_and_no_file(example_service, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()

    def no_temp(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Root ignores folder permissions, so the refusal is simulated where it happens.
    monkeypatch.setattr(files, "temp_path", lambda folder: folder / "missing" / "t.tmp")
    with pytest.raises(StorageError, match="Choose a folder you can write to"):
        write_position_statement(example_service, folder / "out.docx", ExportOptions())
    assert list(folder.iterdir()) == []


def test_real_read_only_folder(example_service, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with unwritable(folder):
        with pytest.raises(StorageError):
            write_position_statement(example_service, folder / "out.docx", ExportOptions())
        assert list(folder.iterdir()) == []


@pytest.mark.slow
def test_large_workshop_exports_every_row(tmp_path):
    # Its speed is measured by benchmarks/bench_export.py, not here.
    from carequal_desktop.services.generate import generate_large_workshop
    from carequal_desktop.services.workshop import WorkshopService

    path = generate_large_workshop(tmp_path / "large.carequal", evidence=5000, actions=500)
    service = WorkshopService.open(path)
    try:
        assert len(service.evidence()) == 5000 and len(service.actions()) == 500
        result = write_position_statement(service, tmp_path / "large.docx", ExportOptions())
    finally:
        service.close()
    document = docx.Document(str(result.path))
    assert len(table_with_header(document, "Ref", "Title").rows) == 5001
    assert len(table_with_header(document, "Ref", "Issue").rows) == 500 + 1 + 4


def test_generator_is_deterministic(tmp_path):
    from carequal_desktop.services.generate import large_workshop_document

    a = large_workshop_document(evidence=60, actions=20, seed=3)
    b = large_workshop_document(evidence=60, actions=20, seed=3)
    assert a == b
    assert len(a["evidence"]) == 60 and len(a["actions"]) == 20
    assert a != large_workshop_document(evidence=60, actions=20, seed=4)


def test_statement_model_needs_no_word(example_service):
    model = build_statement(example_service)
    assert [s.number for s in model.statements] == [1, 2, 3, 4]
    assert model.introduction.blocks[0].text == "Introduction"


def test_document_path_is_returned(example_service, tmp_path):
    result = write_position_statement(example_service, tmp_path / "x.docx")
    assert result.path == Path(tmp_path / "x.docx") and result.word_count > 0
