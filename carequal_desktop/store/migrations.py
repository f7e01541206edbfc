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


def _add_facilitation(conn: sqlite3.Connection) -> None:
    """The facilitation mode's agenda and parking lot (version 2)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS agenda_item ("
        " id VARCHAR NOT NULL PRIMARY KEY, position INTEGER NOT NULL DEFAULT 0,"
        " title VARCHAR NOT NULL, indicator_code VARCHAR, minutes INTEGER NOT NULL DEFAULT 20,"
        " spent_seconds INTEGER NOT NULL DEFAULT 0, updated VARCHAR NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS parking_item ("
        " id VARCHAR NOT NULL PRIMARY KEY, position INTEGER NOT NULL DEFAULT 0,"
        " kind VARCHAR NOT NULL DEFAULT 'parked', text VARCHAR NOT NULL,"
        " raised_by VARCHAR NOT NULL DEFAULT '', raised_at VARCHAR,"
        " becomes VARCHAR NOT NULL DEFAULT '', target VARCHAR,"
        " created VARCHAR NOT NULL, updated VARCHAR NOT NULL)"
    )


# STEPS[n] upgrades a file from version n-1 to version n.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _add_facilitation}


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
