"""The command line on a server location: the same contract as on a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carequal_desktop.cli import main
from carequal_desktop.services.exchange import import_document
from tests.server.pgcluster import Cluster, free_port


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_push_export_pull_on_a_location(
    cluster: Cluster,
    database: str,
    tmp_path: Path,
    example_doc: dict,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = cluster.url(database=database)
    assert run(capsys, "server", "init", url)[0] == 0
    code, out, _ = run(capsys, "server", "init", url)
    assert code == 0 and "already up to date" in out

    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    code, out, err = run(capsys, "push", str(source), url)
    assert code == 0, err
    location = out.strip()
    assert location.startswith("postgresql://postgres@127.0.0.1") and "#" in location

    code, out, _ = run(capsys, "server", "list", url, "--json")
    assert code == 0 and json.loads(out)[0]["location"] == location

    code, _, err = run(capsys, "export-json", location, str(tmp_path / "out.json"))
    assert code == 0, err
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert exported["workshop"]["id"] == example_doc["workshop"]["id"]

    code, _, err = run(capsys, "export-docx", location, str(tmp_path / "out.docx"))
    assert code == 0, err
    assert (tmp_path / "out.docx").read_bytes()[:2] == b"PK"

    code, _, err = run(capsys, "export-csv", location, str(tmp_path / "plan.csv"))
    assert code == 0, err

    code, out, err = run(capsys, "check", location, "--json")
    assert code == 0, err
    findings = json.loads(out)
    assert isinstance(findings, list) and {f["kind"] for f in findings} <= {
        "ungrounded_grade",
        "single_source",
        "single_agency",
        "stale_evidence",
        "agreed_incomplete",
        "smart_gap",
        "personal_data",
    }

    # update and conflicts on a location: an edited export applied as edits, on the server.
    exported["workshop"]["context"] = "Changed in the exchange document"
    (tmp_path / "edited.json").write_text(json.dumps(exported), encoding="utf-8")
    code, out, err = run(capsys, "update", location, str(tmp_path / "edited.json"))
    assert code == 0, err
    code, out, err = run(capsys, "conflicts", location, "--json")
    assert code == 0 and json.loads(out) == {"conflicts": []}, err

    code, out, err = run(capsys, "pull", location, str(tmp_path / "copy.carequal"))
    assert code == 0, err
    from carequal_desktop.services.workshop import WorkshopService

    pulled = WorkshopService.open(tmp_path / "copy.carequal", read_only=True)
    try:
        assert pulled.details().context == "Changed in the exchange document"
    finally:
        pulled.close()
    code, _, err = run(capsys, "pull", location, str(tmp_path / "copy.carequal"))
    assert code == 2 and "already exists" in err


def test_server_mistakes_exit_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreachable = f"postgresql://nobody:hunter2@127.0.0.1:{free_port()}/db?sslmode=disable"
    for argv in (
        ("server", "init", unreachable),
        (
            "export-json",
            unreachable + "#9b2f6c1e-8a1d-4c3e-9f00-0a1b2c3d4e5f",
            str(tmp_path / "x.json"),
        ),
        ("export-json", "postgresql://u@h/db", str(tmp_path / "x.json")),
        ("pull", "postgresql://u@h/db#nope", str(tmp_path / "x.carequal")),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and "hunter2" not in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
