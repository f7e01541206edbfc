"""The schema-version ladder: one step per version, each run in one transaction.

To change the schema: add a function ``_to_N(conn)`` that turns version N-1 into N,
register it in ``STEPS``, raise ``SCHEMA_VERSION``, and add a file made by version N-1
under ``tests/data/``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

SCHEMA_VERSION = 1

# STEPS[n] upgrades a file from version n-1 to version n.
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {}


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
