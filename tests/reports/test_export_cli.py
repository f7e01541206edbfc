"""The exports from the command line: export-docx and export-csv."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import docx

from carequal_desktop.cli import main
from tests.conftest import EXAMPLE_JSON, REPO


def make_workshop(tmp_path):
    workshop = tmp_path / "g.carequal"
    assert main(["import-json", str(EXAMPLE_JSON), str(workshop)]) == 0
    return workshop


def test_export_docx_from_main_py(tmp_path):
    workshop = make_workshop(tmp_path)
    out = tmp_path / "OUT.docx"
    run = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "export-docx", str(workshop), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(out)
    assert "written to" in run.stdout
    # Again without --force: refused with one sentence, exit 2, file untouched.
    before = out.read_bytes()
    run = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "export-docx", str(workshop), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert run.returncode == 2
    assert "already exists" in run.stderr and "--force" in run.stderr
    assert "Traceback" not in run.stderr
    assert out.read_bytes() == before


def test_export_docx_options_and_force(tmp_path, capsys):
    workshop = make_workshop(tmp_path)
    out = tmp_path / "o.docx"
    out.write_bytes(b"old")
    assert (
        main(
            [
                "export-docx",
                str(workshop),
                str(out),
                "--no-grades",
                "--no-plan",
                "--no-evidence-appendix",
                "--force",
            ]
        )
        == 0
    )
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Grade:" not in text and "Improvement plan" not in text
    assert "Evidence index" not in text


def test_export_csv_both_tables(tmp_path, capsys):
    workshop = make_workshop(tmp_path)
    assert main(["export-csv", str(workshop), str(tmp_path / "p.csv")]) == 0
    assert main(["export-csv", str(workshop), str(tmp_path / "e.csv"), "--table", "evidence"]) == 0
    assert (tmp_path / "p.csv").read_bytes().startswith(b"\xef\xbb\xbfRef,Statement")
    assert (tmp_path / "e.csv").read_bytes().startswith(b"\xef\xbb\xbfRef,Title")
    assert main(["export-csv", str(workshop), str(tmp_path / "p.csv")]) == 2
    assert "already exists" in capsys.readouterr().err
