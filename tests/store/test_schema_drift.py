"""No drift: a file brought up through the migration ladder has exactly a new file's schema.

New files get their tables from ``metadata.create_all``; older files get them from the steps
in ``store/migrations.py``. The two must end in the same place, or a file's behaviour would
depend on its history. Compared: every table's columns (type, NOT NULL, default, primary key)
and table constraints, foreign keys, every index (columns, uniqueness, partial condition),
triggers and views, ``user_version`` and ``application_id``.

Column order is not compared: ``ALTER TABLE ... ADD COLUMN`` can only append, and nothing in
the code depends on the order. Everything else is.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = sorted(DATA.glob("schema-v*.carequal"))


def _normalise(sql: str | None) -> str | None:
    """SQL text with quoting, case and spacing that do not change its meaning evened out."""
    if sql is None:
        return None
    text = re.sub(r'["`\[\]]', "", sql)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def _top_level_items(create_table: str) -> list[str]:
    """The comma-separated column definitions and constraints of a CREATE TABLE statement."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    items, depth, current = [], 0, []
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return sorted(item for item in (_normalise(i) for i in items) if item)


def schema_of(path: Path) -> dict[str, Any]:
    """Everything about a workshop file's schema that must not depend on its history."""
    conn = sqlite3.connect(path)
    try:
        schema: dict[str, Any] = {
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "application_id": conn.execute("PRAGMA application_id").fetchone()[0],
        }
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
        ).fetchall()
        for kind, name, table, sql in rows:
            key = f"{kind} {name}"
            if kind != "table":
                entry: dict[str, Any] = {"on": table, "sql": _normalise(sql)}
                if kind == "index":
                    entry["info"] = conn.execute(f"PRAGMA index_xinfo('{name}')").fetchall()
                    entry["list"] = sorted(
                        row[1:]
                        for row in conn.execute(f"PRAGMA index_list('{table}')")
                        if row[1] == name
                    )
                schema[key] = entry
                continue
            columns = conn.execute(f"PRAGMA table_xinfo('{name}')").fetchall()
            schema[key] = {
                "definitions": _top_level_items(sql),
                "columns": sorted(
                    (c[1], c[2].upper(), c[3], _normalise(c[4]), c[5], c[6]) for c in columns
                ),
                # (table, from, to, on update, on delete, match) without SQLite's own numbering
                "foreign_keys": sorted(
                    row[2:] for row in conn.execute(f"PRAGMA foreign_key_list('{name}')")
                ),
            }
        return schema
    finally:
        conn.close()


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines.append(f"{key}:\n  upgraded: {old.get(key)}\n  new file: {new.get(key)}")
    return lines


@pytest.fixture
def new_file_schema(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "new.carequal"
    WorkshopService.create(path, title="New", partnership="Testshire").close()
    return schema_of(path)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_an_upgraded_file_has_exactly_the_schema_of_a_new_file(
    sample: Path, tmp_path: Path, new_file_schema: dict[str, Any]
) -> None:
    path = tmp_path / sample.name
    shutil.copyfile(sample, path)
    WorkshopService.open(path).close()  # runs the migration ladder
    upgraded = schema_of(path)
    assert upgraded["user_version"] == migrations.SCHEMA_VERSION
    assert not _differences(upgraded, new_file_schema), "\n".join(
        _differences(upgraded, new_file_schema)
    )


def test_the_comparison_sees_what_a_careless_migration_would_leave(
    tmp_path: Path, new_file_schema: dict[str, Any]
) -> None:
    """The check itself can fail: a dropped index, an added column, a default, a version."""
    path = tmp_path / "new.carequal"
    shutil.copyfile(tmp_path / "new.carequal", tmp_path / "same.carequal")
    assert schema_of(tmp_path / "same.carequal") == new_file_schema

    conn = sqlite3.connect(path)
    index, table = conn.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchone()
    conn.execute(f"DROP INDEX {index}")
    conn.commit()
    conn.close()
    assert _differences(schema_of(path), new_file_schema) == [
        f"index {index}:\n  upgraded: None\n  new file: {new_file_schema[f'index {index}']}"
    ]

    shutil.copyfile(tmp_path / "same.carequal", path)
    conn = sqlite3.connect(path)
    conn.execute(f"ALTER TABLE {table} ADD COLUMN extra VARCHAR NOT NULL DEFAULT ''")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    changed = {line.split(":")[0] for line in _differences(schema_of(path), new_file_schema)}
    assert changed == {f"table {table}", "user_version"}


def test_column_order_and_spelling_of_the_sql_do_not_count() -> None:
    a = 'CREATE TABLE t (\n\tid VARCHAR NOT NULL, \n\t"key" INTEGER, \n\tPRIMARY KEY (id)\n)'
    b = "CREATE TABLE t (id varchar not null, PRIMARY KEY (id), key INTEGER)"
    assert _top_level_items(a) == _top_level_items(b)
    assert _top_level_items(a) != _top_level_items(b.replace("key INTEGER", "key TEXT"))
