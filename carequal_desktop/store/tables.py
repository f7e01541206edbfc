"""The tables of a workshop file.

Every record has a stable UUID (``id``) and an ``updated`` time (ISO 8601, UTC), so work
from several laptops can later be merged. Timestamps and dates are stored as the text the
exchange format carries, so export gives back exactly what was imported.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, event, false
from sqlmodel import Field, SQLModel

# Tables register on this metadata; init_db creates them in a new file.
metadata = SQLModel.metadata

# The largest whole number an ``int`` column holds on every engine: PostgreSQL's INTEGER is
# 32-bit (SQLite's holds 64). Values a person or a document supplies are checked against it,
# so a workshop that fits in a file also fits on a server.
MAX_INTEGER = 2**31 - 1


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class WorkshopRow(SQLModel, table=True):
    __tablename__ = "workshop"
    id: str = Field(primary_key=True)
    title: str
    partnership: str
    scope: str = ""
    context: str = ""
    facilitator: str = ""
    framework_id: str = ""
    framework_title: str = ""
    extensions: str | None = None  # JSON text, carried through untouched
    created: str
    updated: str


class SessionRow(SQLModel, table=True):
    __tablename__ = "workshop_session"
    id: str = Field(primary_key=True)
    position: int = 0
    date: str
    place: str = ""
    notes: str = ""
    updated: str


class StatementRow(SQLModel, table=True):
    __tablename__ = "statement"
    id: str = Field(primary_key=True)
    number: int = Field(unique=True)
    text: str
    updated: str


class IndicatorRow(SQLModel, table=True):
    __tablename__ = "indicator"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True)
    position: int = 0
    title: str
    key_question: str = ""
    area: str = ""
    statements: str = "[]"  # JSON list of statement numbers
    prompts: str = "[]"  # JSON list of strings
    updated: str


class ScaleLevelRow(SQLModel, table=True):
    __tablename__ = "scale_level"
    id: str = Field(primary_key=True)
    value: int = Field(unique=True)
    label: str
    meaning: str = ""
    updated: str


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"
    id: str = Field(primary_key=True)
    position: int = 0
    name: str
    agency: str
    role: str = ""
    updated: str


class EvaluationRow(SQLModel, table=True):
    __tablename__ = "evaluation"
    id: str = Field(primary_key=True)
    indicator_code: str = Field(unique=True)
    status: str = "not_started"
    grade: int | None = None
    how_good_now: str = ""
    how_do_we_know: str = ""
    what_next: str = ""
    rationale: str = ""
    dissent: str = ""
    previous_grade: int | None = None
    proposed_grades: str = "[]"  # JSON list of {agency, participant?, grade, note?}
    updated: str
    # Grading in the room (issue 10; after ``updated``, where the upgrade adds them): proposals
    # stay hidden until revealed together. A new round starts hidden; rows from before the
    # column were made in the open, hence the server default. And each agency's own dissent.
    proposals_hidden: bool = Field(default=True, sa_column_kwargs={"server_default": false()})
    dissents: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})


class EvaluationItemRow(SQLModel, table=True):
    """One strength or area for improvement in an evaluation's list."""

    __tablename__ = "evaluation_item"
    id: str = Field(primary_key=True)
    evaluation_id: str = Field(foreign_key="evaluation.id", ondelete="CASCADE", index=True)
    kind: str  # "strength" | "area_for_improvement"
    position: int = 0
    text: str
    updated: str


class EvidenceRow(SQLModel, table=True):
    __tablename__ = "evidence"
    id: str = Field(primary_key=True)
    ref: str = Field(unique=True)
    ref_number: int = Field(index=True)
    title: str
    kind: str
    agency: str = ""
    date: str | None = None
    description: str = ""
    location: str = ""
    share_percent: float | None = None
    respondents: int | None = None
    supports: str = "context"
    updated: str


class EvidenceIndicatorRow(SQLModel, table=True):
    __tablename__ = "evidence_indicator"
    evidence_id: str = Field(foreign_key="evidence.id", primary_key=True, ondelete="CASCADE")
    indicator_code: str = Field(primary_key=True, index=True)
    position: int = 0


class ActionRow(SQLModel, table=True):
    __tablename__ = "improvement_action"
    id: str = Field(primary_key=True)
    ref: str = Field(unique=True)
    position: int = 0
    statement: int | None = None
    issue: str = ""
    task: str = ""
    expected_outcome: str = ""
    ownership: str = ""
    monitoring: str = ""
    baseline: str = ""
    target: str = ""
    due: str | None = None
    status: str = "not_started"
    updated: str


class ActionIndicatorRow(SQLModel, table=True):
    __tablename__ = "action_indicator"
    action_id: str = Field(
        foreign_key="improvement_action.id", primary_key=True, ondelete="CASCADE"
    )
    indicator_code: str = Field(primary_key=True, index=True)
    position: int = 0


# --- position statement: document control, team-written summaries, personal-data marks


class PositionStatementRow(SQLModel, table=True):
    """One row: the document's control block, key messages, conclusion and check settings."""

    __tablename__ = "position_statement"
    id: str = Field(primary_key=True)
    version: str = ""
    status: str = "draft"  # draft | for_sign_off | final
    evaluation_date: str | None = None
    approved_by: str = ""
    key_messages: str = ""
    conclusion: str = ""
    stale_evidence_months: int = 24
    updated: str


class StatementSummaryRow(SQLModel, table=True):
    """The team's short evaluative summary of one inspection statement."""

    __tablename__ = "statement_summary"
    id: str = Field(primary_key=True)
    number: int = Field(unique=True)
    text: str = ""
    updated: str


class NotPersonalRow(SQLModel, table=True):
    """Words the facilitator has looked at and marked as not personal data, at one place."""

    __tablename__ = "not_personal"
    id: str = Field(primary_key=True)
    place: str
    text: str
    updated: str


class AgendaItemRow(SQLModel, table=True):
    """One slot of the facilitation agenda: an indicator or a session, with its time."""

    __tablename__ = "agenda_item"
    id: str = Field(primary_key=True)
    position: int = 0
    title: str
    indicator_code: str | None = None
    minutes: int = 20
    spent_seconds: int = 0
    updated: str


class ParkingItemRow(SQLModel, table=True):
    """A point parked in the room (or a quick note), to be sorted later."""

    __tablename__ = "parking_item"
    id: str = Field(primary_key=True)
    position: int = 0
    kind: str = "parked"  # "parked": raised by someone; "note": a quick capture
    text: str
    raised_by: str = ""
    raised_at: str | None = None  # the indicator on screen when it was raised
    becomes: str = ""  # "", "action", "evidence", "indicator"
    target: str | None = None  # the indicator it was moved to, or the action/evidence made
    created: str
    updated: str


# ------------------------------------------------------------------ history and merging
# How copies made any way (Explorer, email, USB stick) merge back: see docs/merging.md.
# Triggers note every record a transaction touches (with its values before) in
# ``history_dirty``; ``services/history.py`` folds those notes into ``record_history`` as
# each edit is saved. Only records changed since they were made have a row there.


HISTORY_SLOTS = 12  # the most versioned columns of any table (an action's)


def _slot() -> Any:
    # No type affinity (BLOB): a value is kept exactly as the column held it.
    return Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class HistoryDirtyRow(SQLModel, table=True):
    """A record changed by the transaction in progress, with its values before.

    The triggers that fill it use no SQL functions (a workshop file is opened with
    ``trusted_schema=OFF``), so the values before go in one column each, in the order of
    ``domain.merge.TABLES[tbl].fields``.
    """

    __tablename__ = "history_dirty"
    tbl: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    op: str = "u"  # "i": a new record (no values before); "u": changed or deleted
    v0: bytes | None = _slot()
    v1: bytes | None = _slot()
    v2: bytes | None = _slot()
    v3: bytes | None = _slot()
    v4: bytes | None = _slot()
    v5: bytes | None = _slot()
    v6: bytes | None = _slot()
    v7: bytes | None = _slot()
    v8: bytes | None = _slot()
    v9: bytes | None = _slot()
    v10: bytes | None = _slot()
    v11: bytes | None = _slot()


class RecordHistoryRow(SQLModel, table=True):
    """The version lineages of one record's fields (JSON), or its tombstone."""

    __tablename__ = "record_history"
    tbl: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    alive: bool = True
    lineages: str = "{}"  # {field: [version id, replaced ids newest first...]}
    last: str | None = None  # a deleted record's last values (JSON object)


class VersionValueRow(SQLModel, table=True):
    """A value a field no longer holds, kept to show the common original of a conflict."""

    __tablename__ = "version_value"
    # 63-bit version ids: BIGINT so a workshop pushed to a server keeps them whole.
    vid: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    value: str  # JSON


class MergeLogRow(SQLModel, table=True):
    """One merge of another copy into this file: which copy, when, by whom, what came in."""

    __tablename__ = "merge_log"
    id: str = Field(primary_key=True)
    merged_at: str
    merged_by: str = ""
    source_name: str = ""
    source_path: str = ""
    source_updated: str = ""
    changes_taken: int = 0
    conflicts: int = 0


class MergeConflictRow(SQLModel, table=True):
    """A field changed differently in two copies, both versions kept until someone decides."""

    __tablename__ = "merge_conflict"
    id: int | None = Field(default=None, primary_key=True)
    merge_id: str = Field(index=True)
    tbl: str
    key: str
    field: str
    indicator_code: str = ""
    record_label: str = ""
    base: str | None = None  # JSON; NULL when the common original is no longer kept
    ours: str = "null"  # JSON
    theirs: str = "null"  # JSON
    ours_lineage: str = "[]"
    theirs_lineage: str = "[]"
    theirs_record: str | None = None  # JSON, for a deletion against an edit
    created: str
    resolved_at: str | None = None
    resolution: str | None = None  # "ours" | "theirs" | "text" | "superseded"
    resolved_by: str = ""


def history_key_sql(table: str, prefix: str = "") -> str:
    """The SQL for a record's key in every copy (``domain.merge.TableSpec.key``).

    The one definition, for the triggers (``prefix`` "NEW" or "OLD") and for reading a
    file (``services/history.py``): a column (an evaluation is known by its indicator, the
    summary of a statement by its number), columns joined by "|" (a link, a not-personal
    mark), or a fixed key for a table's one record (the position statement's). A number is
    read as text, so a key is always text. Only columns and operators: a workshop file's
    triggers may call no SQL function (``trusted_schema=OFF``).
    """
    from carequal_desktop.domain.merge import TABLES

    spec = TABLES[table]
    if spec.singleton is not None:
        return f"'{spec.singleton}'"
    dot = f"{prefix}." if prefix else ""
    parts: list[str] = []
    for name in spec.key_columns:
        column = f"{dot}{name}"
        if isinstance(metadata.tables[table].c[name].type, Integer):
            column = f"CAST({column} AS TEXT)"
        parts.append(column)
    return " || '|' || ".join(parts)


def history_key_values(table: str, key: str) -> dict[str, Any]:
    """The column values a record's key stands for (none for a table's one record)."""
    from carequal_desktop.domain.merge import TABLES

    names = TABLES[table].key_columns
    if not names:
        return {}
    out: dict[str, Any] = {}
    for name, part in zip(names, key.split("|", len(names) - 1), strict=True):
        number = isinstance(metadata.tables[table].c[name].type, Integer)
        out[name] = int(part) if number else part
    return out


def history_trigger_sql(without: dict[str, set[str]] | None = None) -> list[str]:
    """The triggers that note every change to a merged table in ``history_dirty``.

    ``without`` leaves columns out ({table: {column, ...}}): the triggers as a file made
    before those columns were added still has them (see ``validate.check_schema``).
    """
    from carequal_desktop.domain.merge import TABLES

    out: list[str] = []
    for table, spec in TABLES.items():
        cols = [c for c in spec.fields if c not in (without or {}).get(table, set())]
        slots = ", ".join(f"v{i}" for i in range(len(cols)))
        old = ", ".join(f"OLD.{c}" for c in cols)
        note = "INSERT OR IGNORE INTO history_dirty(tbl, key, op) VALUES"
        before = f"INSERT OR IGNORE INTO history_dirty(tbl, key, op, {slots}) VALUES"
        out += [
            # A new record needs noting only if it puts back one with a history (a link
            # made again); the rest start with the history their values imply, so a bulk
            # import writes nothing extra.
            f"CREATE TRIGGER IF NOT EXISTS history_{table}_insert AFTER INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM record_history WHERE tbl = '{table}' "
            f"AND key = {history_key_sql(table, 'NEW')}) "
            f"BEGIN {note} ('{table}', {history_key_sql(table, 'NEW')}, 'i'); END",
            f"CREATE TRIGGER IF NOT EXISTS history_{table}_update AFTER UPDATE OF "
            f"{', '.join(cols)} ON {table} "
            f"BEGIN {before} ('{table}', {history_key_sql(table, 'OLD')}, 'u', {old}); END",
            f"CREATE TRIGGER IF NOT EXISTS history_{table}_delete AFTER DELETE ON {table} "
            f"BEGIN {before} ('{table}', {history_key_sql(table, 'OLD')}, 'u', {old}); END",
        ]
    return out


def create_history_triggers(connection: Any) -> None:
    """Make the history triggers of every merged table that lacks them (safe to repeat).

    New files get them with their tables; upgrades call this once the tables exist.
    """
    if connection.dialect.name != "sqlite":
        return  # a server workshop gets its triggers from store/server.add_history_triggers
    for statement in history_trigger_sql():
        connection.exec_driver_sql(statement)


def _create_history_triggers(target: Any, connection: Any, **_kw: Any) -> None:
    create_history_triggers(connection)


event.listen(metadata, "after_create", _create_history_triggers)
