"""The command line: same entry point as the window; exit 0 on success, 2 with one sentence on a mistake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carequal_desktop import __version__
from carequal_desktop.cli import main
from tests.conftest import EXAMPLE_JSON, REPO


def run_main(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_version_and_help_from_main_py() -> None:
    out = run_main("--version")
    assert out.returncode == 0 and __version__ in out.stdout
    out = run_main("--help")
    assert out.returncode == 0
    for word in ("--demo", "--smoke", "import-json", "export-json", "export-docx"):
        assert word in out.stdout


def test_import_then_export_json(tmp_path: Path, capsys) -> None:
    workshop = tmp_path / "g.carequal"
    assert main(["import-json", str(EXAMPLE_JSON), str(workshop)]) == 0
    out = tmp_path / "g.json"
    assert main(["export-json", str(workshop), str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["workshop"]["partnership"] == "Glenmuir community planning partnership"


def test_existing_target_needs_force(tmp_path: Path, capsys) -> None:
    workshop = tmp_path / "g.carequal"
    main(["import-json", str(EXAMPLE_JSON), str(workshop)])
    capsys.readouterr()
    assert main(["import-json", str(EXAMPLE_JSON), str(workshop)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert main(["import-json", "--force", str(EXAMPLE_JSON), str(workshop)]) == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["import-json", "missing.json", "x.carequal"], "There is no file"),
        (["export-json", "missing.carequal", "x.json"], "There is no file"),
        (["import-json"], "required"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_user_mistakes_exit_2_with_one_sentence(
    tmp_path, monkeypatch, capsys, args, expected
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_invalid_import_gives_path_and_reason_in_a_subprocess(tmp_path: Path) -> None:
    doc = json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))
    doc["evaluations"][0]["grade"] = 11
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    out = run_main(
        "import-json",
        str(src),
        str(tmp_path / "x.carequal"),
        env={"CAREQUAL_DATA_DIR": str(tmp_path / "d")},
    )
    assert out.returncode == 2
    assert "$.evaluations[0].grade: 11 is greater than the maximum of 10" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "x.carequal").exists()


def test_damaged_file_is_a_user_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.carequal"
    bad.write_bytes(os.urandom(4096))
    assert main(["export-json", str(bad), str(tmp_path / "x.json")]) == 2
    assert "not a CareQual workshop" in capsys.readouterr().err


def test_a_bug_is_logged_not_shown(tmp_path, monkeypatch, capsys, data_dir) -> None:
    import uuid

    import carequal_desktop.services.exchange as exchange

    marker = f"workshop text {uuid.uuid4()}"  # what a bug's message might quote

    def broken(*_a, **_k):
        raise RuntimeError(marker)

    monkeypatch.setattr(exchange, "import_json", broken)
    assert main(["import-json", str(EXAMPLE_JSON), str(tmp_path / "x.carequal")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and marker not in err
    log = (data_dir / "logs" / "carequal.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and marker not in log


def test_smoke_on_the_demo_paints_and_exits_0(tmp_path: Path) -> None:
    out = run_main(
        "--smoke",
        "--demo",
        env={"CAREQUAL_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
