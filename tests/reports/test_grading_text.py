"""The Word document's grading parts: where agencies differed, dissent, previous grades, the
previous-against-current figure and what the last cycle achieved."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest

from carequal_desktop.reports.position_statement import ExportOptions, build_statement
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.new_cycle import start_next_cycle
from carequal_desktop.services.workshop import WorkshopService
from tests.reports.test_docx_validation import assert_valid, validate_many


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _summary(document):
    for table in document.tables:
        if [c.text for c in table.rows[0].cells][:2] == ["Quality indicator", "Statement"]:
            return table
    raise AssertionError("no summary table")


@pytest.fixture
def graded(demo_service):
    g = GradingService(demo_service)
    g.set_dissent("5.2", "Police Scotland", "We consider it very good: IRDs are on time.")
    return demo_service


def test_where_agencies_differed_one_sentence_with_range_and_dissent(graded, export):
    path, _ = export(graded)
    texts = _texts(docx.Document(str(path)))
    assert (
        "The agencies' proposed grades ranged from 3 Adequate to 4 Good (median 3 Adequate); "
        "a dissent was recorded: “Police Scotland considered the grade should be good (4)"
    ) in "\n".join(texts)
    assert any(
        t.startswith("The agencies' proposed grades ranged from 4 Good to 5 Very good")
        and t.endswith("Police Scotland dissented: “We consider it very good: IRDs are on time.”")
        for t in texts
    )
    # Indicators where every agency proposed the same grade get no sentence.
    assert not any("ranged from" in t and "9.1" in t for t in texts)


def test_the_option_leaves_agency_views_out(graded, export):
    path, _ = export(graded, "no-views.docx", include_agency_views=False)
    text = "\n".join(_texts(docx.Document(str(path))))
    assert "proposed grades ranged" not in text and "dissent" not in text
    # The grades themselves and the previous grades stay.
    table = _summary(docx.Document(str(path)))
    assert [c.text for c in table.rows[0].cells][-2:] == ["Previous grade", "Grade"]


def test_hidden_proposals_stay_out_of_the_document(new_service):
    new_service.update_evaluation("5.2", how_good_now="Risks are seen early.")  # so it is written
    g = GradingService(new_service)
    g.record_proposal("5.2", "NHS", 2)
    g.record_proposal("5.2", "Police Scotland", 5)
    model = build_statement(new_service, ExportOptions())
    assert not any("ranged" in b.text for sec in model.statements for b in sec.blocks)
    g.reveal("5.2")
    model = build_statement(new_service, ExportOptions())
    assert any(
        "ranged from 2 Weak to 5 Very good" in b.text
        for sec in model.statements
        for b in sec.blocks
    )


def test_summary_shows_previous_grade_beside_current(graded, export):
    path, _ = export(graded)
    table = _summary(docx.Document(str(path)))
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Quality indicator", "Statement", "Status", "Previous grade", "Grade"]
    rows = {r.cells[0].text.split()[0]: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["5.1"][3:] == ["4 Good", "5 Very good"]
    assert rows["6.4"][3:] == ["3 Adequate", "2 Weak"]
    assert rows["5.4"][3:] == ["3 Adequate", "Not yet graded"]
    assert rows["6.2"][3] == "—"


def test_no_previous_grades_no_extra_column_or_figure(new_service, export):
    new_service.update_evaluation("5.2", grade=4)
    path, _ = export(new_service)
    document = docx.Document(str(path))
    assert "Previous grade" not in [c.text for c in _summary(document).rows[0].cells]
    assert not any(t.startswith("Figure 2") for t in _texts(document))


@pytest.fixture
def next_cycle(demo_service, tmp_path):
    result = start_next_cycle(demo_service, tmp_path / "Next.carequal")
    service = WorkshopService.open(result.path)
    service.update_evaluation("5.1", grade=6, status="agreed")
    service.update_evaluation("6.4", grade=3, status="agreed")
    yield service
    service.close()


def test_next_cycle_document_has_the_figure_and_what_was_achieved(next_cycle, export):
    path, _ = export(next_cycle, "next.docx")
    document = docx.Document(str(path))
    texts = _texts(document)
    assert "The previous self-evaluation" in texts
    intro = next(t for t in texts if t.startswith("This self-evaluation follows on from"))
    letter = re.search(r"Appendix ([A-Z]) lists what its improvement plan achieved", intro)
    assert "Joint self-evaluation 2026" in intro and letter
    assert (
        "Figure 2: Each quality indicator's grade in the previous self-evaluation and now" in texts
    )
    heading = f"Appendix {letter.group(1)}: What the previous self-evaluation achieved"
    assert texts.index(heading) > texts.index("Appendix A: Evidence index")
    # The triangulation figure that follows is numbered after this one.
    assert any(t.startswith("Figure 3: Evidence behind each quality indicator") for t in texts)
    achieved = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["Ref", "Action"]
    )
    statuses = [r.cells[3].text for r in achieved.rows[1:]]
    assert statuses and set(statuses) <= {"Completed", "Dropped"}
    pictures = [s for s in document.inline_shapes]
    assert len(pictures) == 3  # grades, previous against now, triangulation
    descr = pictures[1]._inline.docPr.get("descr")
    assert "5.1: previous 5 Very good, now 6 Excellent" in descr


def test_documents_pass_the_validator(graded, next_cycle, export):
    graded_path, _ = export(graded, "graded.docx")
    next_path, _ = export(next_cycle, "next.docx")
    for report in validate_many([graded_path, next_path]).values():
        assert_valid(report)


def test_libreoffice_converts_the_next_cycle_document(next_cycle, export, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    path, _ = export(next_cycle, "next.docx")
    out = tmp_path / "pdf"
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    pdf = out / "next.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_cli_no_agency_views(graded, tmp_path, capsys):
    from carequal_desktop.cli import main

    source = graded.path
    graded.close()
    target = tmp_path / "cli.docx"
    assert main(["export-docx", str(source), str(target), "--no-agency-views"]) == 0
    assert "ranged from" not in "\n".join(_texts(docx.Document(str(target))))
