"""The schema-version ladder: one step per version, each run in one transaction.

To change the schema: add a function ``_to_N(conn)`` that turns version N-1 into N,
register it in ``STEPS``, raise ``SCHEMA_VERSION``, and add a file made by version N-1
under ``tests/data/``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

SCHEMA_VERSION = 2

# STEPS[n] upgrades a file from version n-1 to version n.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {}


def _add_merge_history(conn: sqlite3.Connection) -> None:
    """Version 2: field histories, merge log and conflicts, and the triggers that keep them.

    Nothing is back-filled: a record's history starts implicit (derived from its values), so
    two copies of an older file upgraded on different laptops still share their history.
    """
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex, CreateTable

    from carequal_desktop.store.tables import history_trigger_sql, metadata

    dialect = sqlite_dialect.dialect()
    for name in ("history_dirty", "record_history", "version_value", "merge_log", "merge_conflict"):
        table = metadata.tables[name]
        conn.execute(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        for index in table.indexes:
            conn.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))
    for statement in history_trigger_sql():
        conn.execute(statement)


STEPS[2] = _add_merge_history


def upgrade(path: Path, from_version: int) -> None:
    """Bring the file at ``path`` up to ``SCHEMA_VERSION``, all steps in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for version in range(from_version + 1, SCHEMA_VERSION + 1):
                STEPS[version](conn)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
