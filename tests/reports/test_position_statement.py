"""The position statement, read back with python-docx: structure, content, options, safety."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest

from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.errors import StorageError, TargetExistsError
from carequal_desktop.reports.position_statement import (
    CONTENTS_HELP,
    ExportOptions,
    build_statement,
    evidence_citation,
    short_date,
    without_references,
    word_counts,
    write_position_statement,
)
from carequal_desktop.services import files
from carequal_desktop.services.readiness import ReadinessService
from tests.conftest import unwritable
from tests.reports.conftest import CONTROL_CHARACTERS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_STYLES = ("Title", "TOC Heading", "Heading 1", "Heading 2", "Heading 3")
BODY_END = "Summary of self-evaluation"


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
        elif p.style.name == "Heading 1" and p.text == BODY_END:
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


def tables_with_header(document, first: str, second: str):
    return [t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == [first, second]]


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.fixture(params=["demo", "example"])
def any_service(request, demo_service, example_service):
    return demo_service if request.param == "demo" else example_service


def test_headings_in_order_with_evaluated_indicators_under_their_statements(any_service, export):
    path, _ = export(any_service)
    document = docx.Document(str(path))
    fw = any_service.framework()
    found = headings(document)
    assert found[0] == ("Title", any_service.details().title)
    assert found[1] == ("TOC Heading", "Contents")
    statements = [f"Statement {st.number}: {st.text}" for st in fw.statements]
    top = h1s(document)
    assert top[0] == "Introduction"
    assert top[top.index(statements[0]) : top.index(statements[-1]) + 1] == statements
    assert top[-3:] == [BODY_END, "Improvement plan", "Appendices"]
    assert "Key messages" in top and top.index("Key messages") < top.index(statements[0])
    assert top[top.index(BODY_END) - 1] == "Conclusion: our capacity for improvement"
    # No question headings: each indicator is one piece of flowing text.
    assert not [t for s, t in found if s == "Heading 3"]
    evaluations = {e.indicator_code: e for e in any_service.evaluations()}
    body = body_paragraphs(document)
    for n, st in enumerate(fw.statements):
        start = found.index(("Heading 1", statements[n]))
        end = found.index(("Heading 1", top[top.index(statements[n]) + 1]))
        under = [t for s, t in found[start + 1 : end] if s == "Heading 2"]
        evaluated = [
            f"{i.code} {i.title}"
            for i in fw.indicators_for_statement(st.number)
            if i.code in evaluations
            and (evaluations[i.code].grade is not None or evaluations[i.code].how_good_now.strip())
        ]
        assert under == evaluated
    # Indicators with nothing written are listed once, never as empty templates.
    assert "Not yet recorded." not in body and "Not yet graded" not in "\n".join(body)


def test_empty_indicators_are_listed_once(new_service, export):
    new_service.update_evaluation("5.1", how_good_now="Children get help early.", grade=4)
    path, _ = export(new_service, list_evidence_in_body=False)
    body = body_paragraphs(docx.Document(str(path)))
    assert "Not yet evaluated: 5.2 Assessing risk and need." in body
    assert sum("5.2 Assessing risk and need" in p for p in body) == 1


def test_every_action_is_in_the_plan_with_all_its_fields(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    tables = tables_with_header(document, "Ref", "Issue")
    assert tables
    headers = [c.text for c in tables[0].rows[0].cells]
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
    rows = {r.cells[0].text: [c.text for c in r.cells] for t in tables for r in t.rows[1:]}
    actions = demo_service.actions()
    assert actions
    for a in actions:
        assert rows[a.ref] == [
            a.ref,
            a.issue,
            a.task,
            a.expected_outcome,
            a.ownership or "Not yet agreed",
            a.monitoring or "Not yet agreed",
            a.baseline or "Not yet set",
            a.target or "Not yet set",
            short_date(a.due) or "Not yet set",
            ACTION_STATUSES[a.status],
        ]
    # One table per statement that has actions, each under a proper heading, in order.
    numbers = sorted({a.statement for a in actions})
    fw = demo_service.framework()
    plan_headings = [
        t for s, t in headings(document) if s == "Heading 2" and t.startswith("Statement")
    ]
    assert plan_headings == [f"Statement {n}: {fw.statement(n).text}" for n in numbers]
    assert len(tables) == len(numbers)
    # The plan is in a landscape section; the appendices are portrait again.
    sections = document.sections
    assert len(sections) == 3
    assert sections[1].page_width > sections[1].page_height
    assert sections[2].page_width < sections[2].page_height


def test_blank_baseline_and_target_are_marked(new_service, export):
    new_service.add_action("Audit chronologies", statement=1, ownership="CPC")
    path, _ = export(new_service)
    (table,) = tables_with_header(docx.Document(str(path)), "Ref", "Issue")
    cells = [c.text for c in table.rows[1].cells]
    assert cells[4:9] == ["CPC", "Not yet agreed", "Not yet set", "Not yet set", "Not yet set"]


def test_every_cited_reference_is_in_the_evidence_index(any_service, export):
    path, _ = export(any_service)
    document = docx.Document(str(path))
    body = "\n".join(body_paragraphs(document))
    cited = set(re.findall(r"\bE\d+\b", body))
    assert cited
    index = table_with_header(document, "Ref", "Evidence and what it shows")
    assert index is not None
    listed = [r.cells[0].text for r in index.rows[1:]]
    assert cited <= set(listed)
    assert listed == [e.ref for e in any_service.evidence()]
    headers = [c.text for c in index.rows[0].cells]
    assert headers == [
        "Ref",
        "Evidence and what it shows",
        "Kind",
        "Agency",
        "Date",
        "Share",
        "Indicators",
    ]
    for e in any_service.evidence():
        row = next(r for r in index.rows[1:] if r.cells[0].text == e.ref)
        if e.description:
            assert e.description.split()[0] in row.cells[1].text
        if e.share_percent is not None:
            assert row.cells[5].text.startswith(e.share_text)
        # "respondents" only for surveys.
        assert ("respondents" in row.cells[5].text) == bool(
            e.respondents and e.kind.endswith("survey")
        )


def test_citations_show_the_description_and_respondents_only_for_surveys(example_service, export):
    path, _ = export(example_service, list_evidence_in_body=True)
    text = "\n".join(body_paragraphs(docx.Document(str(path))))
    e1, e2 = example_service.evidence()[:2]
    assert (
        f"[E1] Multi-agency staff survey 2026: {e1.description.rstrip('.')} — almost all "
        "(92%) of 640 respondents"
    ) in text
    assert e2.kind == "record_reading" and e2.respondents
    line = next(p for p in text.split("\n") if p.startswith("[E2]"))
    assert "respondents" not in line and e2.description.rstrip(".") in line


def test_generated_lists_are_off_by_default_and_count_when_on(demo_service, export):
    _, plain = word_counts(demo_service, ExportOptions())
    _, listed = word_counts(
        demo_service, ExportOptions(list_evidence_in_body=True, list_actions_in_body=True)
    )
    assert listed > plain + 500
    path, _ = export(demo_service)
    body = body_paragraphs(docx.Document(str(path)))
    assert not any(p.startswith("[E") for p in body)
    assert not any(p.startswith("Action ") and "Owner:" in p for p in body)


def test_completed_and_dropped_actions_are_not_future_commitments(new_service, export):
    new_service.update_evaluation("5.1", how_good_now="Good.", grade=4)
    kept = new_service.add_action("Keep going", statement=1, indicators=["5.1"])
    done = new_service.add_action("Done already", statement=1, indicators=["5.1"])
    new_service.update_action(done.id, status="complete")
    dropped = new_service.add_action("Not doing", statement=1, indicators=["5.1"])
    new_service.update_action(dropped.id, status="dropped")
    for listed in (False, True):
        path, _ = export(new_service, f"a{listed}.docx", list_actions_in_body=listed)
        body = "\n".join(body_paragraphs(docx.Document(str(path))))
        assert kept.ref in body
        assert "Done already" not in body and "Not doing" not in body
        assert f"{done.ref} " not in body.replace(kept.ref, "")


def test_demo_is_under_the_word_limit_with_default_options(demo_service):
    _, total = word_counts(demo_service, ExportOptions())
    assert total < 5000


def test_word_count_equals_an_independent_count_of_the_body(any_service, export):
    path, result = export(any_service)
    document = docx.Document(str(path))
    paragraphs = body_paragraphs(document)
    independent = sum(len(p.split()) for p in paragraphs)
    assert result.word_count == independent
    per, total = word_counts(any_service, ExportOptions())
    assert total == independent
    # Per statement: from each statement heading to the next top-level heading.
    fw = any_service.framework()
    tops = [i for i, p in enumerate(paragraphs) if document and p in h1s(document)]
    for st in fw.statements:
        start = paragraphs.index(f"Statement {st.number}: {st.text}")
        end = min((i for i in tops if i > start), default=len(paragraphs))
        assert per[st.number] == sum(len(p.split()) for p in paragraphs[start:end])
    # The title page states the count.
    assert f"Length: {total:,} words in the body" in "\n".join(
        p.text for p in document.paragraphs[:14]
    )


def test_word_count_follows_the_grades_option(demo_service):
    _, with_grades = word_counts(demo_service, ExportOptions(include_grades=True))
    _, without = word_counts(demo_service, ExportOptions(include_grades=False))
    assert without < with_grades


def test_options_leave_nothing_dangling(demo_service, export):
    path, _ = export(
        demo_service,
        "plain.docx",
        include_grades=False,
        include_evidence_appendix=False,
        include_plan=False,
    )
    document = docx.Document(str(path))
    text = all_text(document)
    assert "Grade:" not in text
    assert "Improvement plan" not in h1s(document)
    assert "improvement plan" not in "\n".join(body_paragraphs(document))
    assert not re.search(r"\bE\d+\b", "\n".join(body_paragraphs(document)))
    assert "evidence index" not in text.lower()
    assert "six-point scale" not in text and "evaluation scale" not in text
    assert table_with_header(document, "Ref", "Evidence and what it shows") is None
    assert table_with_header(document, "Ref", "Issue") is None
    summary = table_with_header(document, "Quality indicator", "Statement")
    assert [c.text for c in summary.rows[0].cells] == ["Quality indicator", "Statement", "Status"]
    assert len(document.inline_shapes) == 1  # the triangulation chart only
    assert all(s.page_width < s.page_height for s in document.sections)
    # The remaining appendices are lettered from A, and every pointer names one that exists.
    appendices = [t for s, t in headings(document) if s == "Heading 2" and t.startswith("Appendix")]
    assert appendices[0] == "Appendix A: Participants"
    letters = {t.split(":")[0].split()[1] for t in appendices}
    assert set(re.findall(r"Appendix ([A-G])\b", text)) <= letters


def test_each_option_alone_leaves_nothing_dangling(demo_service, export):
    for name, kwargs in (
        ("e", {"include_evidence_appendix": False}),
        ("g", {"include_grades": False}),
        ("p", {"include_plan": False}),
    ):
        path, _ = export(demo_service, f"{name}.docx", **kwargs)
        document = docx.Document(str(path))
        text = all_text(document)
        body = "\n".join(body_paragraphs(document))
        appendices = {
            t.split(":")[0].split()[1]
            for s, t in headings(document)
            if s == "Heading 2" and t.startswith("Appendix")
        }
        assert set(re.findall(r"Appendix ([A-G])\b", text)) <= appendices
        if name == "e":
            assert not re.search(r"\bE\d+\b", body) and "evidence index" not in text.lower()
        if name == "g":
            assert "Grade:" not in text and "six-point scale" not in body
            assert "indicators are good or better" not in body and "(good to" not in body
        if name == "p":
            assert "in the improvement plan" not in body


def test_without_references():
    assert without_references("Records (E12, E15) and data (E3-E5).") == "Records and data."
    assert without_references("See [E1; E2]; and 2.1 (Good).") == "See; and 2.1 (Good)."


def test_grades_appear_when_included(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    ev = next(e for e in demo_service.evaluations() if e.grade is not None)
    label = demo_service.framework().level(ev.grade).label
    assert f"Grade: {ev.grade} {label}" in [p.text for p in document.paragraphs]
    summary = table_with_header(document, "Quality indicator", "Statement")
    assert [c.text for c in summary.rows[0].cells][-1] == "Grade"


def test_glossary_lists_the_abbreviations_used(demo_service, export):
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    table = table_with_header(document, "Term", "Meaning")
    terms = [r.cells[0].text for r in table.rows[1:]]
    for used in ("CPC", "IRD", "CAMHS", "COG"):
        assert used in terms
    assert "MAPPA" not in terms  # not used in the demo
    assert terms == sorted(terms, key=str.lower)


def test_accessibility_and_document_properties(demo_service, export):
    ReadinessService(demo_service).update_document_control(
        version="0.9", status="for_sign_off", approved_by="Chief officers group"
    )
    path, _ = export(demo_service)
    document = docx.Document(str(path))
    props = document.core_properties
    assert props.title == demo_service.details().title
    assert props.author == (
        demo_service.details().facilitator or demo_service.details().partnership
    )
    assert props.language == "en-GB"
    assert props.version == "0.9" and props.content_status == "For sign-off"
    assert "Approved by Chief officers group" in props.comments
    styles = document.styles.element
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "en-GB"
    # Every table marks its first row as a header row that repeats on each page.
    for table in document.tables:
        tr = table._tbl.tr_lst[0]
        assert tr.find(f"{W}trPr/{W}tblHeader") is not None
    # Every chart has alt text: grades; previous against now (the demo has previous grades);
    # the triangulation grid.
    assert len(document.inline_shapes) == 3
    descriptions = [s._inline.docPr.get("descr", "") for s in document.inline_shapes]
    assert descriptions[0].startswith("Bar chart of the team's grade")
    assert descriptions[1].startswith("Chart of each quality indicator's grade in the previous")
    assert descriptions[2].startswith("Grid of the quality indicators")
    assert all(s._inline.docPr.get("title") for s in document.inline_shapes)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
        app = z.read("docProps/app.xml").decode("utf-8")
        footers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "footer" in n)
        headers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "header" in n)
        assert "docProps/thumbnail.jpeg" not in z.read("_rels/.rels").decode("utf-8")
    assert "Microsoft" not in app and "<Application>CareQual Desktop" in app
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert CONTENTS_HELP.replace("›", "").split(";")[0][:40] in xml.replace("›", "")
    assert "Update Field" in CONTENTS_HELP and "Tools › Update › Update All" in CONTENTS_HELP
    assert "<w:updateFields" in settings
    assert "PAGE" in footers and "NUMPAGES" in footers
    assert f"For sign-off — {demo_service.details().partnership}" in headers


def test_title_page_has_document_control(example_service, export):
    ready = ReadinessService(example_service)
    path, _ = export(example_service)
    texts = [p.text for p in docx.Document(str(path)).paragraphs[:14]]
    assert "Glenmuir community planning partnership" in texts
    assert "Status: Draft" in texts and "Version: 0.1" in texts
    assert "Approved by: Not yet approved" in texts
    assert "Date of the evaluation: 23 November 2026" in texts  # the fixture's date
    ready.update_document_control(version="1.0", status="final", approved_by="COG")
    path, _ = export(example_service, "final.docx", date=None)
    texts = [p.text for p in docx.Document(str(path)).paragraphs[:14]]
    assert "Status: Final" in texts and "Version: 1.0" in texts and "Approved by: COG" in texts
    assert "Date of the evaluation: 12 May 2026" in texts  # the latest session


def test_team_texts_replace_the_drafts(demo_service, export):
    ready = ReadinessService(demo_service)
    ready.update_key_messages("- Children are safer.\n- Plans must improve.")
    ready.update_summary(1, "Our own summary of statement one.")
    ready.update_conclusion("We can and will improve.")
    path, _ = export(demo_service)
    body = body_paragraphs(docx.Document(str(path)))
    km = body.index("Key messages")
    assert body[km + 1 : km + 3] == ["Children are safer.", "Plans must improve."]
    st1 = body.index(f"Statement 1: {demo_service.framework().statement(1).text}")
    assert body[st1 + 1] == "Our own summary of statement one."
    assert body[-1] == "We can and will improve."


def test_introduction_says_how_and_who(example_service, export):
    path, _ = export(example_service)
    body = "\n".join(body_paragraphs(docx.Document(str(path))))
    assert "12 May 2026 at Glenmuir Community Centre" in body
    for agency, n in example_service.agencies_summary():
        assert f"{agency} ({n})" in body


def test_evidence_citation_helper(example_service):
    from carequal_desktop.reports.position_statement import _Cleaner

    e1 = example_service.evidence()[0]
    assert evidence_citation(e1, _Cleaner(), with_ref=False).startswith("Multi-agency staff survey")


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
    assert len(table_with_header(document, "Ref", "Evidence and what it shows").rows) == 5001
    assert sum(len(t.rows) - 1 for t in tables_with_header(document, "Ref", "Issue")) == 500


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
    assert model.key_messages.blocks[0].text == "Key messages"


def test_document_path_is_returned(example_service, tmp_path):
    result = write_position_statement(example_service, tmp_path / "x.docx")
    assert result.path == Path(tmp_path / "x.docx") and result.word_count > 0
