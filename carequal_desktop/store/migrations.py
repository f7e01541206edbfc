"""The schema-version ladder, one tool for both engines: workshop files and server workshops.

Each step turns version N-1 into N through Alembic's operations (``op.add_column``,
``op.create_table``, ``op.batch_alter_table`` where SQLite cannot alter a column in
place), so the same step upgrades a SQLite file and a workshop's schema on PostgreSQL.
The ladder keeps its own version numbers — a file's ``user_version``, a server
workshop's ``schema_version`` in the registry — because a file must carry its version
inside it when it travels on a USB stick; Alembic's version table would be one more
thing to keep in step.

All steps from a file's version to the current one run in ONE transaction: a failure
leaves the file exactly as it was. A file is upgraded on opening, after a backup copy;
a server is upgraded only by IT, explicitly (``carequal server init``), never by a client.

To change the schema: write ``_to_N(op)``, register it in ``STEPS``, raise
``SCHEMA_VERSION``, change ``store/tables.py`` to match (the drift test compares an
upgraded file with a new one), and keep a file made by version N-1 under ``tests/data/``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:  # Alembic is imported only when a step runs, not on every start
    from alembic.operations import Operations

SCHEMA_VERSION = 6

Step = Callable[["Operations"], None]


def _add_facilitation(op: Operations) -> None:
    """Version 2: the facilitation mode's agenda and parking lot (issue 13)."""
    import sqlalchemy as sa
    from sqlmodel.sql.sqltypes import AutoString

    op.create_table(
        "agenda_item",
        sa.Column("id", AutoString(), primary_key=True, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("indicator_code", AutoString(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("spent_seconds", sa.Integer(), nullable=False),
        sa.Column("updated", AutoString(), nullable=False),
    )
    op.create_table(
        "parking_item",
        sa.Column("id", AutoString(), primary_key=True, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(), nullable=False),
        sa.Column("text", AutoString(), nullable=False),
        sa.Column("raised_by", AutoString(), nullable=False),
        sa.Column("raised_at", AutoString(), nullable=True),
        sa.Column("becomes", AutoString(), nullable=False),
        sa.Column("target", AutoString(), nullable=True),
        sa.Column("created", AutoString(), nullable=False),
        sa.Column("updated", AutoString(), nullable=False),
    )


def _add_position_statement(op: Operations) -> None:
    """Version 3: document control, the team's summaries, words marked not personal (issue 9)."""
    import sqlalchemy as sa
    from sqlmodel.sql.sqltypes import AutoString

    op.create_table(
        "position_statement",
        sa.Column("id", AutoString(), primary_key=True, nullable=False),
        sa.Column("version", AutoString(), nullable=False),
        sa.Column("status", AutoString(), nullable=False),
        sa.Column("evaluation_date", AutoString(), nullable=True),
        sa.Column("approved_by", AutoString(), nullable=False),
        sa.Column("key_messages", AutoString(), nullable=False),
        sa.Column("conclusion", AutoString(), nullable=False),
        sa.Column("stale_evidence_months", sa.Integer(), nullable=False),
        sa.Column("updated", AutoString(), nullable=False),
    )
    op.create_table(
        "statement_summary",
        sa.Column("id", AutoString(), primary_key=True, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False, unique=True),
        sa.Column("text", AutoString(), nullable=False),
        sa.Column("updated", AutoString(), nullable=False),
    )
    op.create_table(
        "not_personal",
        sa.Column("id", AutoString(), primary_key=True, nullable=False),
        sa.Column("place", AutoString(), nullable=False),
        sa.Column("text", AutoString(), nullable=False),
        sa.Column("updated", AutoString(), nullable=False),
    )


def _add_merge_history(op: Operations) -> None:
    """Version 4: field histories, merge log and conflicts, and (files only) the triggers
    that keep the history (issue 11).

    Nothing is back-filled: a record's history starts implicit (derived from its values), so
    two copies of an older file upgraded on different laptops still share their history.
    The tables are made from their definitions in ``store/tables.py``, so an upgraded file
    and a new one cannot drift apart.
    """
    from carequal_desktop.store.tables import history_trigger_sql, metadata

    bind = op.get_bind()
    for name in ("history_dirty", "record_history", "version_value", "merge_log", "merge_conflict"):
        metadata.tables[name].create(bind, checkfirst=True)
    if bind.dialect.name == "sqlite":
        for statement in history_trigger_sql():
            bind.exec_driver_sql(statement)


def _add_grading(op: Operations) -> None:
    """Version 5 (issue 10): proposed grades hidden until revealed, and dissent per agency.

    Proposals already in a file were made in the open, so they stay revealed.
    """
    import sqlalchemy as sa

    op.add_column(
        "evaluation",
        sa.Column("proposals_hidden", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "evaluation", sa.Column("dissents", sa.String(), nullable=False, server_default="[]")
    )
    if op.get_bind().dialect.name == "sqlite":
        # The field-history triggers (version 4) list the evaluation's merged columns; make
        # them again so they cover the two new ones.
        from carequal_desktop.store.tables import history_trigger_sql

        bind = op.get_bind()
        for name in ("history_evaluation_update", "history_evaluation_delete"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        for statement in history_trigger_sql():
            bind.exec_driver_sql(statement)


def _add_statement_merging(op: Operations) -> None:
    """Version 6 (issue 11): the position statement's tables merge too, so (in files) their
    changes are noted by the same history triggers as every other merged table.

    The triggers are made from ``domain.merge.TABLES`` (only those a file lacks), so an
    upgraded file and a new one cannot drift apart; nothing is back-filled (a record's
    history starts implicit, the same in every copy). On a server this step does nothing:
    the upgrade there gives every workshop it touches the PostgreSQL twins of the triggers,
    made from the same ``TABLES`` (``store/server.add_history_triggers``).
    """
    from carequal_desktop.store.tables import create_history_triggers

    create_history_triggers(op.get_bind())


# STEPS[n] upgrades from version n-1 to version n.
STEPS: dict[int, Step] = {
    2: _add_facilitation,
    3: _add_position_statement,
    4: _add_merge_history,
    5: _add_grading,
    6: _add_statement_merging,
}


def run_steps(conn: Connection, from_version: int) -> None:
    """Apply every step after ``from_version`` on ``conn``, inside the caller's transaction."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    op = Operations(MigrationContext.configure(conn))
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        STEPS[version](op)


def upgrade(path: Path, from_version: int) -> None:
    """Bring the file at ``path`` up to ``SCHEMA_VERSION``, all steps in one transaction."""
    raw = sqlite3.connect(path, isolation_level=None)
    # One connection, handed to SQLAlchemy as it is: SQLAlchemy's commit and rollback end
    # the transaction this function begins.
    engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            run_steps(conn, from_version)  # an exception leaves the with: rolled back
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.commit()
    finally:
        engine.dispose()
        raw.close()


def upgrade_server_workshop(conn: Connection, schema: str, from_version: int) -> None:
    """Bring one workshop's schema on a server up to ``SCHEMA_VERSION`` (caller's transaction)."""
    conn.exec_driver_sql(f"SET LOCAL search_path TO {schema}")
    try:
        run_steps(conn, from_version)
    finally:
        conn.exec_driver_sql("SET LOCAL search_path TO DEFAULT")
