"""Property tests on crafted inputs: every column of every table given values of the wrong
type, shape or range, and crafted exchange JSON. Each gives one sentence (a ``UserError``;
exit 2 on the command line) or works, never a bug, a crash or a hang.

The generators are ``tools/hostile_files.py``'s, which also runs the longer campaign whose
figures are in docs/reliability.md. Opening crafted files also runs in child processes
(``test_crafted_files_in_child_processes``), where a segfault would kill only the child.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carequal_desktop.errors import InvalidExchangeError, UserError
from carequal_desktop.services import exchange
from carequal_desktop.services.workshop import WorkshopService

TOOL = Path(__file__).resolve().parents[2] / "tools" / "hostile_files.py"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("hostile_files", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_files"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("hostile_files", None)


def _export_or_sentence(path: Path) -> None:
    """Open and export: a sentence, or an export that validates (lengths are the known limit)."""
    try:
        service = WorkshopService.open(path, read_only=True)
    except UserError as exc:
        assert "\n" not in str(exc)
        return
    try:
        doc = exchange.export_document(service)
        json.dumps(doc, allow_nan=False)
    finally:
        service.close()
    try:
        exchange.validate_document(doc)
    except InvalidExchangeError as exc:
        # Typed text the program does not cut to the exchange format's lengths (see
        # "Known limits" in docs/reliability.md): a sentence on import, not a crash.
        assert (
            "characters long" in exc.reason
            or "is too long" in exc.reason
            or "should be non-empty" in exc.reason
        ), exc


def test_every_column_given_every_kind_of_wrong_value(
    tool, sample_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Exhaustive over columns, one value kind each (rotating), on the first row."""
    kinds = sorted(tool.VALUES)
    for i, (table, column) in enumerate(tool.columns()):
        crafted = tmp_path / f"c{i}.carequal"
        tool.craft(sample_file, crafted, table, column, kinds[i % len(kinds)], every_row=False)
        _export_or_sentence(crafted)


def test_every_structural_change(tool, sample_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i, kind in enumerate(sorted(tool.STRUCTURAL)):
        crafted = tmp_path / f"s{i}.carequal"
        tool.craft_structural(sample_file, crafted, kind)
        if kind == "dropped index":  # slower, not wrong: it opens
            WorkshopService.open(crafted, read_only=True).close()
            continue
        with pytest.raises(UserError):
            WorkshopService.open(crafted, read_only=True)


def test_crafted_values_property(tool, sample_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cols = tool.columns()
    counter = iter(range(10**6))

    @SETTINGS
    @given(
        where=st.sampled_from(cols),
        kind=st.sampled_from(sorted(tool.VALUES)),
        every_row=st.booleans(),
    )
    def check(where: tuple[str, str], kind: str, every_row: bool) -> None:
        crafted = tmp_path / f"h{next(counter)}.carequal"
        tool.craft(sample_file, crafted, where[0], where[1], kind, every_row=every_row)
        _export_or_sentence(crafted)
        crafted.unlink()

    check()


def test_crafted_json_property(tool, tmp_path: Path, example_doc: dict) -> None:  # type: ignore[no-untyped-def]
    counter = iter(range(10**6))

    @SETTINGS
    @given(seed=st.integers(0, 2**32 - 1))
    def check(seed: int) -> None:
        text, _what = tool.crafted_json(example_doc, random.Random(seed))
        target = tmp_path / f"j{next(counter)}.carequal"
        try:
            doc = exchange.parse_json_bytes(text.encode("utf-8"))
            exchange.import_document(doc, target)
        except UserError as exc:
            assert "\n" not in str(exc)
            assert not target.exists()
            return
        service = WorkshopService.open(target, read_only=True)
        try:
            again = exchange.export_document(service)
        finally:
            service.close()
        exchange.validate_document(again)  # whatever is accepted exports and imports again

    check()


def test_crafted_files_in_child_processes(tool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The command line on crafted files and JSON, in children: no bug exit, crash or hang."""
    summary = tool.run(24, seed=7, workdir=tmp_path / "campaign", batch=12, quiet=True)
    assert summary["tried"] == 24
    assert summary["bug exits (1)"] == 0, summary["failures"]
    assert summary["crashes or hangs"] == 0, summary["failures"]
    assert (
        summary["refused with one sentence (exit 2)"]
        + summary["accepted, exported and imported again (exit 0)"]
        + summary["accepted but the export did not import again"]
        == 24
    )


def test_every_column_of_every_table_has_a_value_rule() -> None:
    """A new table or column needs its rule in store/validate.py (the type and range a
    file's value must have), or a crafted file could put anything there."""
    from carequal_desktop.store.tables import metadata
    from carequal_desktop.store.validate import RULES

    missing = [
        f"{t.name}.{c.name}"
        for t in metadata.sorted_tables
        for c in t.columns
        if c.name not in RULES.get(t.name, {})
    ]
    assert missing == []
