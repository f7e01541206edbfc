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


def _add_position_statement(conn: sqlite3.Connection) -> None:
    """Document control, the team's summaries and the personal-data marks (issue 9)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS position_statement ("
        "id VARCHAR NOT NULL PRIMARY KEY, version VARCHAR NOT NULL DEFAULT '', "
        "status VARCHAR NOT NULL DEFAULT 'draft', evaluation_date VARCHAR, "
        "approved_by VARCHAR NOT NULL DEFAULT '', key_messages VARCHAR NOT NULL DEFAULT '', "
        "conclusion VARCHAR NOT NULL DEFAULT '', "
        "stale_evidence_months INTEGER NOT NULL DEFAULT 24, updated VARCHAR NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS statement_summary ("
        "id VARCHAR NOT NULL PRIMARY KEY, number INTEGER NOT NULL UNIQUE, "
        "text VARCHAR NOT NULL DEFAULT '', updated VARCHAR NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS not_personal ("
        "id VARCHAR NOT NULL PRIMARY KEY, place VARCHAR NOT NULL, text VARCHAR NOT NULL, "
        "updated VARCHAR NOT NULL)"
    )


# STEPS[n] upgrades a file from version n-1 to version n.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _add_position_statement}


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
