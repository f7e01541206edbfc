"""Exchange JSON: import, export, the round trip, and refusing bad documents.

The round trips run on both engines: a document is imported into a file and, on
PostgreSQL, pushed to the server (import-json makes files only), then exported from there.
``test_the_same_workshop_exports_identically_from_a_file_and_from_the_server`` compares
the two engines directly, through the command line as well.

Engine-free (no workshop is opened, so they run once): the schema checks, refusing invalid
documents and JSON text (nothing is written), the BOM. File-only:
``test_import_never_replaces_a_workshop_open_in_another_copy``, about the lock on a file
another process holds open.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from carequal_desktop.errors import InvalidExchangeError
from carequal_desktop.resources import resource_path
from carequal_desktop.services.exchange import (
    export_document,
    export_json,
    import_document,
    import_json,
    validate_document,
)
from carequal_desktop.services.workshop import WorkshopService
from tests.conftest import EXAMPLE_JSON, V1_DOCUMENTS
from tests.engines import Workshops

DATA = Path(__file__).resolve().parent.parent / "data"


def round_trip(doc: dict, workshops: Workshops) -> dict:
    """Import ``doc`` onto the test's engine, export it, and take the workshop away again."""
    service = workshops.imported(doc)
    try:
        return export_document(service)
    finally:
        workshops.discard(service)


def test_bundled_schema_is_a_valid_version_1_schema() -> None:
    """resources/exchange/workshop.schema.json is the source of truth for the format."""
    from jsonschema import Draft202012Validator

    schema = json.loads(
        resource_path("exchange", "workshop.schema.json").read_text(encoding="utf-8")
    )
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["version"] == {"const": 1}


@pytest.mark.parametrize("path", V1_DOCUMENTS, ids=lambda p: p.name)
def test_every_version_1_document_imports_and_round_trips(path: Path, workshops: Workshops) -> None:
    """Each frozen version-1 document in tests/data imports, keeps its content, round-trips."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    first = round_trip(doc, workshops)
    validate_document(first)
    assert first["workshop"]["id"] == doc["workshop"]["id"]
    assert first["workshop"]["title"] == doc["workshop"]["title"]
    for key in ("participants", "evaluations", "evidence", "actions"):
        assert len(first.get(key, [])) == len(doc.get(key, [])), key
    assert sorted(e["indicator"] for e in first["evaluations"]) == sorted(
        e["indicator"] for e in doc["evaluations"]
    )
    assert [e["ref"] for e in first["evidence"]] == [e["ref"] for e in doc["evidence"]]
    if "-export-" in path.name:
        # Written by an earlier release's export: everything it holds comes back unchanged
        # (a later release may add optional properties, never change or drop one).
        assert not _lost_or_changed(doc, first), _lost_or_changed(doc, first)[:10]
    assert round_trip(first, workshops) == first


def _lost_or_changed(old: object, new: object, where: str = "$") -> list[str]:
    """Paths where ``new`` lacks or alters a value of ``old``; added keys are allowed."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key, value in old.items():
            if key not in new:
                found.append(f"{where}.{key}: missing")
            else:
                found += _lost_or_changed(value, new[key], f"{where}.{key}")
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            f
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for f in _lost_or_changed(a, b, f"{where}[{i}]")
        ]
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


def test_lost_or_changed_sees_a_change_and_allows_an_addition() -> None:
    old = {"a": [{"b": 1}], "c": "x"}
    assert _lost_or_changed(old, {"a": [{"b": 1, "new": 2}], "c": "x", "d": 3}) == []
    assert _lost_or_changed(old, {"a": [{"b": 2}], "c": "x"}) == ["$.a[0].b: 1 became 2"]
    assert _lost_or_changed(old, {"a": [{"b": 1}]}) == ["$.c: missing"]


def test_bundled_schema_keeps_version_1_and_adds_only_optional_properties() -> None:
    """Everything the version-1 schema (frozen in tests/data) says still holds: a later
    release may add optional properties, never change, drop or require one."""
    bundled = json.loads(
        resource_path("exchange", "workshop.schema.json").read_text(encoding="utf-8")
    )
    v1 = json.loads(
        (DATA / "exchange-schema" / "workshop-v1.schema.json").read_text(encoding="utf-8")
    )
    assert _schema_changes(v1, bundled) == []


def _schema_changes(old: object, new: object, where: str = "$") -> list[str]:
    """Where ``new`` narrows or alters ``old``; new entries under "properties" are allowed."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = [f"{where}.{k}: missing" for k in old if k not in new]
        # An added property is optional unless "required" changed (compared as a value);
        # an added definition only matters where a property uses it.
        if not where.endswith((".properties", "$.$defs")):
            found += [f"{where}.{k}: added" for k in new if k not in old]
        for key in old:
            if key in new:
                found += _schema_changes(old[key], new[key], f"{where}.{key}")
        return found
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


def test_schema_changes_sees_a_narrowing_and_allows_an_optional_property() -> None:
    old = {"properties": {"a": {"type": "string"}}, "required": ["a"]}
    assert (
        _schema_changes(old, {"properties": {"a": {"type": "string"}, "b": {}}, "required": ["a"]})
        == []
    )
    assert _schema_changes(old, {"properties": {"a": {"type": "integer"}}, "required": ["a"]})
    assert _schema_changes(old, {"properties": {"a": {"type": "string"}}, "required": ["a", "b"]})


@pytest.mark.parametrize("which", ["example", "demo"])
def test_export_import_export_gives_the_same_document(
    which, example_doc, demo_doc, workshops
) -> None:
    doc = example_doc if which == "example" else demo_doc
    first = round_trip(doc, workshops)
    validate_document(first)
    second = round_trip(first, workshops)
    assert second == first


def test_import_keeps_every_field_of_the_example(example_doc, workshops) -> None:
    out = round_trip(example_doc, workshops)
    assert out["workshop"]["id"] == example_doc["workshop"]["id"]
    assert out["framework"]["indicators"][0]["title"] == "Access to support"
    ev = next(e for e in out["evaluations"] if e["indicator"] == "5.2")
    src = example_doc["evaluations"][0]
    for key in (
        "status",
        "grade",
        "how_good_now",
        "strengths",
        "areas_for_improvement",
        "how_do_we_know",
        "what_next",
        "rationale",
        "proposed_grades",
        "previous_grade",
    ):
        assert ev[key] == src[key], key
    assert out["evidence"][1]["share_percent"] == 52.5
    assert out["actions"][0]["baseline"] == "52% good or better (E2)"
    assert out["actions"][0]["due"] == "2027-03-31"


def test_extensions_are_carried_through_untouched(example_doc, workshops) -> None:
    example_doc["extensions"] = {"other-tool": {"nested": [1, "two", None, 2**62]}}
    assert round_trip(example_doc, workshops)["extensions"] == example_doc["extensions"]


@pytest.mark.parametrize(
    ("mutate", "path", "reason"),
    [
        (
            lambda d: d["evaluations"][0].__setitem__("grade", 11),
            "$.evaluations[0].grade",
            "greater than the maximum of 10",
        ),
        (
            lambda d: d["evaluations"][0].__setitem__("grade", 7),
            "$.evaluations[0].grade",
            "not a grade on the framework's scale",
        ),
        (lambda d: d.__setitem__("format", "other"), "$.format", "carequal-workshop"),
        (
            lambda d: d["evidence"][0].__setitem__("kind", "rumour"),
            "$.evidence[0].kind",
            "is not one of",
        ),
        (
            lambda d: d["evidence"][0]["indicators"].append("7.7"),
            "$.evidence[0].indicators[2]",
            "no indicator 7.7",
        ),
        (
            lambda d: d["actions"][0].__setitem__("statement", 9),
            "$.actions[0].statement",
            "no statement 9",
        ),
        (lambda d: d["evidence"][1].__setitem__("ref", "E1"), "$.evidence[1].ref", "already used"),
        (
            lambda d: d["evidence"][1].__setitem__("id", d["evidence"][0]["id"]),
            "$.evidence[1].id",
            "already used",
        ),
        (
            lambda d: d["evaluations"][1].__setitem__("indicator", "5.2"),
            "$.evaluations[1].indicator",
            "two evaluations",
        ),
        (
            lambda d: d["workshop"].__setitem__("created", "yesterday"),
            "$.workshop.created",
            "date-time",
        ),
        (lambda d: d["actions"][0].__setitem__("due", "31/03/2027"), "$.actions[0].due", "date"),
        (lambda d: d.__setitem__("surprise", 1), "$", "surprise"),
        (
            lambda d: d["evidence"][0].__setitem__("respondents", 2**31),
            "$.evidence[0].respondents",
            "larger than 2,147,483,647",
        ),
    ],
)
def test_invalid_documents_are_refused_with_path_and_reason(
    example_doc, tmp_path, mutate, path, reason
) -> None:
    doc = copy.deepcopy(example_doc)
    mutate(doc)
    target = tmp_path / "out.carequal"
    with pytest.raises(InvalidExchangeError) as info:
        import_document(doc, target)
    assert info.value.path == path
    assert reason in info.value.reason
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_invalid_json_text_is_refused(tmp_path) -> None:
    src = tmp_path / "bad.json"
    src.write_text('{"format": "carequal-workshop",', encoding="utf-8")
    with pytest.raises(InvalidExchangeError, match="not valid JSON"):
        import_json(src, tmp_path / "x.carequal")
    assert not (tmp_path / "x.carequal").exists()


def test_utf8_bom_is_accepted(tmp_path) -> None:
    src = tmp_path / "bom.json"
    src.write_bytes(b"\xef\xbb\xbf" + EXAMPLE_JSON.read_bytes())
    assert import_json(src, tmp_path / "x.carequal").path.exists()


def test_lone_surrogates_and_nul_are_replaced_and_reported(example_doc, workshops) -> None:
    example_doc["workshop"]["scope"] = "bad \ud800 text"
    example_doc["workshop"]["context"] = "NUL \x00 here"
    result = import_document(example_doc, workshops.folder / "x.carequal")
    assert result.warnings and "2 piece(s)" in result.warnings[0]
    assert "replaced" in result.warnings[0]
    service = workshops.add(result.path)
    assert service.details().scope == "bad \ufffd text"
    assert service.details().context == "NUL \ufffd here"


def test_export_json_writes_a_valid_file(example_service, tmp_path) -> None:
    target = export_json(example_service, tmp_path / "out.json")
    written = json.loads(target.read_text(encoding="utf-8"))
    validate_document(written)
    assert written == export_document(example_service)
    assert written["workshop"]["title"] == "Joint self-evaluation 2026: children at risk of harm"


def test_import_never_replaces_a_workshop_open_in_another_copy(example_doc, tmp_path) -> None:
    import os
    import subprocess
    import sys

    from carequal_desktop.errors import WorkshopLockedError

    target = import_document(example_doc, tmp_path / "held.carequal").path
    before = target.read_bytes()
    code = (
        "import sys; from carequal_desktop.services.workshop import WorkshopService as W; "
        f"s = W.open({str(target)!r}); print('open', flush=True); sys.stdin.read(); s.close()"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert other.stdout.readline().strip() == "open"
        with pytest.raises(WorkshopLockedError):
            import_document(example_doc, target, overwrite=True)
        assert target.read_bytes() == before
    finally:
        other.stdin.close()
        other.wait(timeout=20)
        other.stdout.close()


@pytest.mark.parametrize("which", ["example", "demo"])
def test_the_same_workshop_exports_identically_from_a_file_and_from_the_server(
    which, example_doc, demo_doc, server_url, tmp_path, capsys
) -> None:
    """export-json of a workshop on the server is byte for byte export-json of its file, and
    an offline copy pulled from the server exports the same again. (Import onto the server
    and back is the round trips above, run on PostgreSQL.)"""
    from carequal_desktop.cli import main
    from carequal_desktop.services import server

    source = tmp_path / "source.json"
    source.write_text(json.dumps(example_doc if which == "example" else demo_doc), "utf-8")
    file = tmp_path / "Workshop.carequal"
    assert main(["import-json", str(source), str(file)]) == 0
    assert main(["export-json", str(file), str(tmp_path / "from-file.json")]) == 0
    capsys.readouterr()
    assert main(["push", str(file), server_url]) == 0
    location = capsys.readouterr().out.strip()
    assert main(["export-json", location, str(tmp_path / "from-server.json")]) == 0
    from_file = (tmp_path / "from-file.json").read_bytes()
    assert (tmp_path / "from-server.json").read_bytes() == from_file
    first = json.loads(from_file)
    pulled = server.pull(location, tmp_path / "pulled.carequal")
    service = WorkshopService.open(pulled, read_only=True)
    try:
        assert export_document(service) == first
    finally:
        service.close()
