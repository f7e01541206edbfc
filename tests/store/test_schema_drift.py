"""No drift: a file brought up through the migration ladder has exactly a new file's schema.

New files get their tables from ``metadata.create_all``; older files get them from the steps
in ``store/migrations.py``. The two must end in the same place, or a file's behaviour would
depend on its history. Compared: every table's columns (type, NOT NULL, default, primary key)
and table constraints, foreign keys, every index (columns, uniqueness, partial condition),
triggers and views, ``user_version`` and ``application_id``.

Column order is not compared (``ALTER TABLE ... ADD COLUMN`` can only append, and nothing in
the code depends on the order), nor the spelling of a key (``id VARCHAR PRIMARY KEY`` or
``PRIMARY KEY (id)``). Everything else is. When this fails after a migration adds a NOT NULL
column with ``DEFAULT x`` (SQLite wants one), give the model's column the same default for new
files in store/tables.py: ``Field(..., sa_column_kwargs={"server_default": "parked"})`` for
text, ``{"server_default": sqlalchemy.text("0")}`` for a number or a boolean.
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


def _definitions(create_table: str) -> list[str]:
    """Column definitions and table constraints, less the key spellings compared elsewhere.

    ``id VARCHAR PRIMARY KEY`` and ``PRIMARY KEY (id)`` (or an inline and a table UNIQUE)
    mean the same; primary keys are compared through ``table_xinfo`` and uniqueness through
    the indexes SQLite makes for them.
    """
    kept = []
    for item in _top_level_items(create_table):
        if re.match(r"(constraint \S+ )?(primary key|unique)\(", item):
            continue
        if re.match(r"(constraint \S+ )?(check|foreign key)\(", item):
            kept.append(item)
            continue
        item = re.sub(r" primary key( asc| desc)?", "", item)
        name, *clauses = re.sub(r" unique\b", "", item).split(" ")
        # "DEFAULT 0 NOT NULL" (create_all) and "NOT NULL DEFAULT 0" (a migration) are one
        kept.append(" ".join([name, *sorted(clauses)]))
    return sorted(kept)


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
            "WHERE name NOT LIKE 'sqlite_stat%' AND type IN ('table', 'view', 'trigger')"
        ).fetchall()
        for kind, name, table, sql in rows:
            if kind != "table":
                schema[f"{kind} {name}"] = {"on": table, "sql": _normalise(sql)}
                continue
            columns = conn.execute(f"PRAGMA table_xinfo('{name}')").fetchall()
            schema[f"table {name}"] = {
                "definitions": _definitions(sql),
                # (name, type, NOT NULL, default, position in the primary key, hidden)
                "columns": sorted(
                    (c[1], c[2].upper(), c[3], _normalise(c[4]), c[5], c[6]) for c in columns
                ),
                # (table, from, to, on update, on delete, match) without SQLite's own numbering
                "foreign_keys": sorted(
                    row[2:] for row in conn.execute(f"PRAGMA foreign_key_list('{name}')")
                ),
            }
            for _seq, index, unique, origin, partial in conn.execute(
                f"PRAGMA index_list('{name}')"
            ):
                # (position, column, descending, collation, key) without the column's number
                info = [
                    (r[0], r[2], r[3], r[4], r[5])
                    for r in conn.execute(f"PRAGMA index_xinfo('{index}')")
                ]
                (index_sql,) = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (index,)
                ).fetchone()
                if index.startswith("sqlite_autoindex_"):
                    # Numbered by the order of the constraints: named by what it indexes.
                    key_columns = ",".join(str(r[1]) for r in info if r[4])
                    index = f"(made by SQLite) {name}({key_columns})"
                schema[f"index {index}"] = {
                    "on": name,
                    "unique": unique,
                    "origin": origin,
                    "partial": partial,
                    "columns": info,
                    "sql": _normalise(index_sql),
                }
        return schema
    finally:
        conn.close()


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs, one line per difference: 'upgraded' is ``old``, 'new file' is ``new``."""
    lines = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if not (isinstance(a, dict) and isinstance(b, dict)):
            lines.append(f"{key}:\n  upgraded: {a}\n  new file: {b}")
            continue
        for part in sorted(set(a) | set(b)):
            x, y = a.get(part), b.get(part)
            if x == y:
                continue
            if isinstance(x, list) and isinstance(y, list):
                only_old = [i for i in x if i not in y]
                only_new = [i for i in y if i not in x]
                lines.append(
                    f"{key} {part}:\n  upgraded only: {only_old}\n  new file only: {only_new}"
                )
            else:
                lines.append(f"{key} {part}:\n  upgraded: {x}\n  new file: {y}")
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
    assert changed == {f"table {table} columns", f"table {table} definitions", "user_version"}


def test_column_order_and_spelling_of_the_sql_do_not_count(tmp_path: Path) -> None:
    a = 'CREATE TABLE t (\n\tid VARCHAR NOT NULL, \n\t"key" INTEGER, \n\tPRIMARY KEY (id)\n)'
    b = "CREATE TABLE t (id varchar not null, PRIMARY KEY (id), key INTEGER)"
    assert _top_level_items(a) == _top_level_items(b)
    assert _top_level_items(a) != _top_level_items(b.replace("key INTEGER", "key TEXT"))
    c = "CREATE TABLE t (key INTEGER UNIQUE, id VARCHAR NOT NULL PRIMARY KEY)"
    d = "CREATE TABLE t (id VARCHAR NOT NULL, key INTEGER, PRIMARY KEY (id), UNIQUE (key))"
    schemas = []
    for n, sql in enumerate((c, d)):
        conn = sqlite3.connect(tmp_path / f"{n}.db")
        conn.execute(sql)
        conn.commit()
        conn.close()
        schemas.append(schema_of(tmp_path / f"{n}.db"))
    assert schemas[0] == schemas[1]
    # ...but a default is a difference (a NOT NULL column added by a migration needs one:
    # give the model's column the same server_default, so new files have it too).
    assert _definitions("CREATE TABLE t (x VARCHAR NOT NULL DEFAULT '')") != _definitions(
        "CREATE TABLE t (x VARCHAR NOT NULL)"
    )
    assert _definitions("CREATE TABLE t (x INTEGER NOT NULL DEFAULT 20)") == _definitions(
        "CREATE TABLE t (x INTEGER DEFAULT 20 NOT NULL)"
    )
