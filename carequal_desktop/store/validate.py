"""What a workshop file must look like before CareQual trusts it: its schema and its values.

A ``.carequal`` file arrives by email or on a USB stick and is an SQLite database anyone
can change with any tool. Two checks run on every opening, before anything reads the
workshop or writes to the file:

- ``check_schema``: only CareQual's own tables, indexes and triggers (the merge history's,
  word for word), with CareQual's own column definitions. Any other trigger, a view, an extra table or index, a changed column (a CHECK, a
  generated column, an odd type or default) is refused: a planted trigger would otherwise
  run inside CareQual on the next edit (change a grade, delete evidence, copy typed text).
- ``check_values``: every stored value has the type and range the program expects (a grade
  of "abc" or 99, text where a number belongs, garbage JSON or dates, an empty scale), so a
  damaged or crafted file gets one sentence, not a crash in the window or an export that
  cannot be imported again. One SQL scan per table plus a Python look at the few JSON
  columns: well under a second for a 5,000-evidence workshop (see docs/reliability.md).

Both raise ``FileCheckError`` with a short, untranslated reason for the log; the caller
turns it into the sentence shown to the user. Column names, never values, go in reasons.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from carequal_desktop.store.jsonlimits import JsonLimitError, loads_limited


class FileCheckError(Exception):
    """The file is not as CareQual made it; ``kind`` is "schema" or "values"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class _Table:
    columns: dict[str, tuple[str, int, int]]  # name -> (type, notnull, pk)
    foreign_keys: frozenset[tuple[str, str, str, str, str]]
    words: frozenset[str]


@dataclass(frozen=True)
class _Expected:
    tables: dict[str, _Table]
    indexes: dict[str, tuple[str, str]]  # name -> (table, normalised SQL)
    triggers: dict[str, tuple[str, str]]  # CareQual's own (the merge history), likewise


_LITERAL = re.compile(r"'(?:[^']|'')*'")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_DEFAULT = re.compile(
    r"^(?:'(?:[^']|'')*'|[-+]?\d{1,18}(?:\.\d{1,18})?|NULL|TRUE|FALSE)$", re.I
)
# Words CareQual's own CREATE TABLE statements (and ALTER TABLE ... ADD COLUMN in a
# migration) may use besides its table, column and type names.
_KEYWORDS = frozenset(
    [
        "create",
        "table",
        "not",
        "null",
        "primary",
        "key",
        "unique",
        "foreign",
        "references",
        "on",
        "delete",
        "update",
        "cascade",
        "default",
        "constraint",
        "set",
        "restrict",
        "no",
        "action",
    ]
)
_TYPES = frozenset(
    [
        "varchar",
        "integer",
        "float",
        "text",
        "real",
        "boolean",
        "datetime",
        "date",
        "numeric",
        "json",
    ]
)


def _normalise(sql: str) -> str:
    return " ".join(sql.replace('"', " ").replace("(", " ( ").replace(")", " ) ").lower().split())


def _words(sql: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(_LITERAL.sub(" ", sql.replace('"', " ")))}


def _describe(
    conn: sqlite3.Connection,
) -> tuple[dict[str, _Table], dict[str, tuple[str, str]], list[tuple[Any, ...]]]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    tables: dict[str, _Table] = {}
    indexes: dict[str, tuple[str, str]] = {}
    for kind, name, tbl, sql in rows:
        if kind == "table" and isinstance(name, str) and not name.startswith("sqlite_"):
            cols = {
                str(r[1]): (str(r[2]).upper(), int(r[3]), int(r[5]))
                for r in conn.execute(f'PRAGMA table_xinfo("{_ident(name)}")')
            }
            fks = frozenset(
                (str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]))
                for r in conn.execute(f'PRAGMA foreign_key_list("{_ident(name)}")')
            )
            tables[name] = _Table(cols, fks, frozenset(_words(sql or "")))
        elif kind == "index" and isinstance(sql, str):
            indexes[str(name)] = (str(tbl), _normalise(sql))
    return tables, indexes, rows


def _ident(name: str) -> str:
    return name.replace('"', '""')


@lru_cache(maxsize=1)
def _expected() -> _Expected:
    from sqlalchemy import create_engine

    from carequal_desktop.store.tables import metadata

    engine = create_engine("sqlite://")
    try:
        metadata.create_all(engine)
        raw = engine.raw_connection()
        try:
            tables, indexes, rows = _describe(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
    finally:
        engine.dispose()
    triggers = {
        str(name): (str(tbl), _normalise(sql))
        for kind, name, tbl, sql in rows
        if kind == "trigger" and isinstance(sql, str)
    }
    return _Expected(tables, indexes, triggers)


# Issue 10 added two merged evaluation columns after the merge history (schema version 4):
# a file from before has the evaluation's history triggers without them.
_GRADING_COLUMNS = {"evaluation": {"proposals_hidden", "dissents"}}


def _grading_version() -> int:
    from carequal_desktop.store import migrations

    return next(v for v, step in migrations.STEPS.items() if step.__name__ == "_add_grading")


@lru_cache(maxsize=1)
def _triggers_before_grading() -> dict[str, tuple[str, str]]:
    from carequal_desktop.store.tables import history_trigger_sql

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE evaluation (x)")  # a trigger needs only its table to exist
        for statement in history_trigger_sql(without=_GRADING_COLUMNS):
            if " ON evaluation " in statement:
                conn.execute(statement)
        return {
            str(name): (str(tbl), _normalise(str(sql)))
            for name, tbl, sql in conn.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    finally:
        conn.close()


def check_schema(conn: sqlite3.Connection, version: int, current: int) -> None:
    """Refuse any object or column definition CareQual did not create.

    A file from an earlier schema version may lack tables and columns that a later
    version added (the upgrade adds them); it may not have anything CareQual does not know.
    """
    expected = _expected()
    tables, indexes, rows = _describe(conn)
    allowed_words = set(_KEYWORDS) | _TYPES
    for name, table in expected.tables.items():
        allowed_words.add(name.lower())
        allowed_words.update(c.lower() for c in table.columns)
        allowed_words.update(table.words)
    for kind, name, tbl, sql in rows:
        if kind == "table":
            if name not in expected.tables:
                raise FileCheckError("schema", f"an extra table ({kind})")
        elif kind == "index":
            if tbl not in expected.tables:
                raise FileCheckError("schema", "an index on an unknown table")
            if sql is None:
                if not str(name).startswith("sqlite_autoindex_"):
                    raise FileCheckError("schema", "an unknown internal index")
            elif name not in expected.indexes or expected.indexes[name] != indexes.get(name):
                raise FileCheckError("schema", "an extra or changed index")
        elif (
            kind == "trigger"
            and isinstance(sql, str)
            and expected.triggers.get(str(name)) == (str(tbl), _normalise(sql))
        ):
            continue  # one of CareQual's own, word for word (docs/merging.md)
        elif (
            kind == "trigger"
            and isinstance(sql, str)
            and version < _grading_version()
            and _triggers_before_grading().get(str(name)) == (str(tbl), _normalise(sql))
        ):
            continue  # as a file from before the grading columns has it; the upgrade remakes it
        else:
            raise FileCheckError("schema", f"a {kind} CareQual did not create")
    for name, want in expected.tables.items():
        have = tables.get(name)
        if have is None:
            if version >= current:
                raise FileCheckError("schema", f"table {name} is missing")
            continue
        for col, definition in have.columns.items():
            if col not in want.columns:
                raise FileCheckError("schema", f"an extra column in {name}")
            if definition != want.columns[col]:
                raise FileCheckError("schema", f"column {name}.{col} was changed")
        if version >= current and set(want.columns) - set(have.columns):
            raise FileCheckError("schema", f"a column of {name} is missing")
        if not have.foreign_keys <= want.foreign_keys:
            raise FileCheckError("schema", f"a changed foreign key in {name}")
        if not have.words <= allowed_words:
            raise FileCheckError("schema", f"a changed table definition ({name})")
        for r in conn.execute(f'PRAGMA table_xinfo("{_ident(name)}")'):
            if r[6] != 0:
                raise FileCheckError("schema", f"a hidden or generated column in {name}")
            default = r[4]
            if default is not None and not _SAFE_DEFAULT.match(str(default)):
                raise FileCheckError("schema", f"a computed default in {name}")


# ------------------------------------------------------------------ values

_HEX = "[0-9a-fA-F]"
_UUID_GLOB = "-".join(_HEX * n for n in (8, 4, 4, 4, 12))


def _text(c: str, nullable: bool = False, min_len: int = 0) -> str:
    cond = f"typeof({c})='text'" + (f" AND length({c})>={min_len}" if min_len else "")
    return f"({c} IS NULL OR ({cond}))" if nullable else f"({cond})"


def _name(c: str) -> str:
    # A one-line field the program never leaves empty (it refuses an empty one when typed;
    # the exchange format requires at least one character). ``c != ''``, not length():
    # SQLite's length() stops at a NUL character.
    return f"(typeof({c})='text' AND {c} != '' AND length({c}) <= 2000)"


def _line(c: str) -> str:
    # One-line fields: the program cuts them to 2,000 characters (domain.text.one_line),
    # as the exchange format allows; a longer one was not written by CareQual.
    return f"(typeof({c})='text' AND length({c}) <= 2000)"


def _int(c: str, lo: int, hi: int, nullable: bool = False) -> str:
    cond = f"typeof({c})='integer' AND {c} BETWEEN {lo} AND {hi}"
    return f"({c} IS NULL OR ({cond}))" if nullable else f"({cond})"


def _num(c: str, lo: float, hi: float, nullable: bool = False) -> str:
    cond = f"typeof({c}) IN ('integer','real') AND {c} BETWEEN {lo} AND {hi}"
    return f"({c} IS NULL OR ({cond}))" if nullable else f"({cond})"


def _enum(c: str, values: tuple[str, ...]) -> str:
    listed = ",".join(f"'{v}'" for v in values)
    return f"(typeof({c})='text' AND {c} IN ({listed}))"


def _uuid(c: str) -> str:
    return f"(typeof({c})='text' AND length({c})=36 AND {c} GLOB '{_UUID_GLOB}')"


def _date(c: str, nullable: bool = False) -> str:
    # date(x, '+0 days') goes through the calendar, so 2026-02-30 becomes 2026-03-02
    # and no longer equals itself; plain date(x) would hand it back unchanged.
    cond = (
        f"typeof({c})='text' AND length({c})=10 AND {c} >= '0001-01-01' "
        f"AND date({c}, '+0 days') IS {c}"
    )
    return f"({c} IS NULL OR ({cond}))" if nullable else f"({cond})"


def _stamp(c: str) -> str:
    # RFC 3339, as the exchange format requires: a real calendar date, a time, a zone.
    return (
        f"(typeof({c})='text' AND length({c}) BETWEEN 20 AND 40 "
        f"AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' "
        f"AND ({c} GLOB '*Z' OR {c} GLOB '*[+-][0-2][0-9]:[0-5][0-9]') "
        f"AND substr({c},1,4) != '0000' AND date(substr({c},1,10), '+0 days') IS substr({c},1,10) "
        f"AND julianday({c}) IS NOT NULL)"
    )


def _code(c: str, nullable: bool = False) -> str:
    """An indicator code as the exchange format writes it: 1, 12, 1.2, 12.34."""
    globs = " OR ".join(
        f"{c} GLOB '{g}'"
        for g in (
            "[0-9]",
            "[0-9][0-9]",
            "[0-9].[0-9]",
            "[0-9][0-9].[0-9]",
            "[0-9].[0-9][0-9]",
            "[0-9][0-9].[0-9][0-9]",
        )
    )
    cond = f"typeof({c})='text' AND ({globs})"
    return f"({c} IS NULL OR ({cond}))" if nullable else f"({cond})"


def _json(c: str) -> str:
    return f"(typeof({c})='text' AND json_valid({c}))"


_GRADE = "(SELECT value FROM scale_level)"
_CODES = "(SELECT code FROM indicator)"
_BIG = 2**31 - 1

_EVIDENCE_KINDS = (
    "staff_survey",
    "children_survey",
    "parents_survey",
    "record_reading",
    "performance_data",
    "focus_group",
    "document",
    "observation",
    "other",
)


def _merge_history_rules() -> dict[str, dict[str, str]]:
    """The merge history's tables (issue 11, docs/merging.md)."""
    from carequal_desktop.domain.merge import TABLES
    from carequal_desktop.store.tables import HISTORY_SLOTS

    tables = tuple(TABLES)
    any_value = "(typeof({c}) IN ('null','integer','real','text'))"
    lineage = "(typeof({c})='text' AND json_valid({c}))"
    dirty = {"tbl": _enum("tbl", tables), "key": _text("key"), "op": _enum("op", ("i", "u"))}
    dirty.update({f"v{i}": any_value.format(c=f"v{i}") for i in range(HISTORY_SLOTS)})
    return {
        "history_dirty": dirty,
        "record_history": {
            "tbl": _enum("tbl", tables),
            "key": _text("key"),
            "alive": _int("alive", 0, 1),
            "lineages": lineage.format(c="lineages"),
            "last": f"(last IS NULL OR {_json('last')})",
        },
        "version_value": {"vid": "(typeof(vid)='integer')", "value": _json("value")},
        "merge_log": {
            "id": _uuid("id"),
            "merged_at": _stamp("merged_at"),
            "merged_by": _text("merged_by"),
            "source_name": _text("source_name"),
            "source_path": _text("source_path"),
            "source_updated": _text("source_updated"),
            "changes_taken": _int("changes_taken", 0, _BIG),
            "conflicts": _int("conflicts", 0, _BIG),
        },
        "merge_conflict": {
            "id": _int("id", 1, 2**62),
            "merge_id": _uuid("merge_id"),
            "tbl": _enum("tbl", tables),
            "key": _text("key"),
            "field": _text("field"),
            "indicator_code": _text("indicator_code"),
            "record_label": _text("record_label"),
            "base": f"(base IS NULL OR {_json('base')})",
            "ours": _json("ours"),
            "theirs": _json("theirs"),
            "ours_lineage": _json("ours_lineage"),
            "theirs_lineage": _json("theirs_lineage"),
            "theirs_record": f"(theirs_record IS NULL OR {_json('theirs_record')})",
            "created": _stamp("created"),
            "resolved_at": f"(resolved_at IS NULL OR {_stamp('resolved_at')})",
            "resolution": "(resolution IS NULL OR resolution IN "
            "('ours','theirs','text','superseded'))",
            "resolved_by": _text("resolved_by"),
        },
    }


# table -> column -> the SQL condition every row's value must meet.
RULES: dict[str, dict[str, str]] = {
    "meta": {"key": _text("key"), "value": _text("value")},
    "workshop": {
        "id": _uuid("id"),
        "title": _name("title"),
        "partnership": _name("partnership"),
        "scope": _text("scope"),
        "context": _text("context"),
        "facilitator": _line("facilitator"),
        "framework_id": "(typeof(framework_id)='text' AND length(framework_id) BETWEEN 1 AND 200)",
        "framework_title": _name("framework_title"),
        "extensions": f"(extensions IS NULL OR {_json('extensions')})",
        "created": _stamp("created"),
        "updated": _stamp("updated"),
    },
    "workshop_session": {
        "id": _text("id"),
        "position": _int("position", -_BIG, _BIG),
        "date": _date("date"),
        "place": _text("place"),
        "notes": _text("notes"),
        "updated": _stamp("updated"),
    },
    "statement": {
        "id": _text("id"),
        "number": _int("number", 1, _BIG),
        "text": _name("text"),
        "updated": _stamp("updated"),
    },
    "indicator": {
        "id": _text("id"),
        "code": _code("code"),
        "position": _int("position", -_BIG, _BIG),
        "title": _name("title"),
        "key_question": _line("key_question"),
        "area": _line("area"),
        "statements": _json("statements"),
        "prompts": _json("prompts"),
        "updated": _stamp("updated"),
    },
    "scale_level": {
        "id": _text("id"),
        "value": _int("value", 1, 10),
        "label": _name("label"),
        "meaning": _text("meaning"),
        "updated": _stamp("updated"),
    },
    "participant": {
        "id": _uuid("id"),
        "position": _int("position", -_BIG, _BIG),
        "name": _name("name"),
        "agency": _name("agency"),
        "role": _line("role"),
        "updated": _stamp("updated"),
    },
    "evaluation": {
        "id": _text("id"),
        "indicator_code": f"(indicator_code IN {_CODES})",
        "status": _enum("status", ("not_started", "in_progress", "agreed")),
        "grade": f"(grade IS NULL OR (typeof(grade)='integer' AND grade IN {_GRADE}))",
        "how_good_now": _text("how_good_now"),
        "how_do_we_know": _text("how_do_we_know"),
        "what_next": _text("what_next"),
        "rationale": _text("rationale"),
        "dissent": _text("dissent"),
        "previous_grade": "(previous_grade IS NULL OR "
        f"(typeof(previous_grade)='integer' AND previous_grade IN {_GRADE}))",
        "proposed_grades": _json("proposed_grades"),
        "updated": _stamp("updated"),
        # Issue 10 (grading): the reveal state and dissent per agency.
        "proposals_hidden": "(typeof(proposals_hidden)='integer' AND proposals_hidden IN (0, 1))",
        "dissents": _json("dissents"),
    },
    "evaluation_item": {
        "id": _text("id"),
        "evaluation_id": "(evaluation_id IN (SELECT id FROM evaluation))",
        "kind": _enum("kind", ("strength", "area_for_improvement")),
        "position": _int("position", -_BIG, _BIG),
        "text": _name("text"),
        "updated": _stamp("updated"),
    },
    "evidence": {
        "id": _uuid("id"),
        "ref": "(typeof(ref)='text' AND length(ref) BETWEEN 2 AND 7 AND ref GLOB 'E[0-9]*' "
        "AND NOT substr(ref,2) GLOB '*[^0-9]*')",
        "ref_number": "(typeof(ref_number)='integer' AND ref_number = CAST(substr(ref,2) AS INTEGER))",
        "title": _name("title"),
        "kind": _enum("kind", _EVIDENCE_KINDS),
        "agency": _text("agency"),
        "date": _date("date", nullable=True),
        "description": _text("description"),
        "location": _text("location"),
        "share_percent": _num("share_percent", 0, 100, nullable=True),
        "respondents": _int("respondents", 0, 2**53, nullable=True),
        "supports": _enum("supports", ("strength", "area_for_improvement", "both", "context")),
        "updated": _stamp("updated"),
    },
    "evidence_indicator": {
        "evidence_id": "(evidence_id IN (SELECT id FROM evidence))",
        "indicator_code": f"(indicator_code IN {_CODES})",
        "position": _int("position", -_BIG, _BIG),
    },
    "improvement_action": {
        "id": _uuid("id"),
        "ref": "(typeof(ref)='text' AND length(ref) BETWEEN 1 AND 50)",
        "position": _int("position", -_BIG, _BIG),
        "statement": "(statement IS NULL OR (typeof(statement)='integer' AND "
        "statement IN (SELECT number FROM statement)))",
        "issue": _text("issue"),
        "task": _text("task"),
        "expected_outcome": _text("expected_outcome"),
        # Cut to 4,000 characters when typed (services/plan.py).
        "ownership": "(typeof(ownership)='text' AND length(ownership) <= 4000)",
        "monitoring": _text("monitoring"),
        "baseline": _text("baseline"),
        "target": _text("target"),
        "due": _date("due", nullable=True),
        "status": _enum("status", ("not_started", "in_progress", "complete", "dropped")),
        "updated": _stamp("updated"),
    },
    "action_indicator": {
        "action_id": "(action_id IN (SELECT id FROM improvement_action))",
        "indicator_code": f"(indicator_code IN {_CODES})",
        "position": _int("position", -_BIG, _BIG),
    },
    # Version 2: the facilitation mode's agenda and parking lot.
    "agenda_item": {
        "id": _uuid("id"),
        "position": _int("position", -_BIG, _BIG),
        "title": _line("title"),
        "indicator_code": _code("indicator_code", nullable=True),
        "minutes": _int("minutes", 1, 600),
        "spent_seconds": _int("spent_seconds", 0, 2**53),
        "updated": _stamp("updated"),
    },
    "parking_item": {
        "id": _uuid("id"),
        "position": _int("position", -_BIG, _BIG),
        "kind": _enum("kind", ("parked", "note")),
        "text": _text("text"),
        "raised_by": _text("raised_by"),
        "raised_at": _code("raised_at", nullable=True),
        "becomes": _enum("becomes", ("", "action", "evidence", "indicator", "done")),
        "target": _text("target", nullable=True),
        "created": _stamp("created"),
        "updated": _stamp("updated"),
    },
    # issue 9: document control, the team's texts, words marked not personal
    "position_statement": {
        "id": _uuid("id"),
        "version": _line("version"),
        "status": _enum("status", ("draft", "for_sign_off", "final")),
        "evaluation_date": _date("evaluation_date", nullable=True),
        "approved_by": _line("approved_by"),
        "key_messages": _text("key_messages"),
        "conclusion": _text("conclusion"),
        "stale_evidence_months": _int("stale_evidence_months", 1, 240),
        "updated": _stamp("updated"),
    },
    "statement_summary": {
        "id": _uuid("id"),
        "number": _int("number", 1, 99),
        "text": _text("text"),
        "updated": _stamp("updated"),
    },
    "not_personal": {
        "id": _uuid("id"),
        "place": _line("place"),
        "text": _line("text"),
        "updated": _stamp("updated"),
    },
    **_merge_history_rules(),
}


def check_values(conn: sqlite3.Connection) -> None:
    """Refuse a file holding a value of the wrong type, shape or range (one scan per table)."""
    present = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, rules in RULES.items():
        if table not in present:
            continue
        columns = {str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
        checks = [(col, cond) for col, cond in rules.items() if col in columns]
        if not checks:
            continue
        # One pass per table; which column failed is found only when one did.
        where = " OR ".join(f"NOT coalesce({cond}, 0)" for _col, cond in checks)
        if conn.execute(f'SELECT 1 FROM "{table}" WHERE {where} LIMIT 1').fetchone():
            for col, cond in checks:
                if conn.execute(
                    f'SELECT 1 FROM "{table}" WHERE NOT coalesce({cond}, 0) LIMIT 1'
                ).fetchone():
                    raise FileCheckError("values", f"{table}.{col} holds a value of the wrong kind")
    _check_counts(conn, present)
    _check_json_shapes(conn, present)


def _check_counts(conn: sqlite3.Connection, present: set[str]) -> None:
    def count(table: str) -> int:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

    if "workshop" in present and count("workshop") != 1:
        raise FileCheckError("values", "the workshop table must hold one row")
    if "scale_level" in present and count("scale_level") == 0:
        raise FileCheckError("values", "the framework has an empty scale")
    if "indicator" in present and count("indicator") == 0:
        raise FileCheckError("values", "the framework has no indicators")


def _load(text: str, where: str) -> Any:
    try:
        return loads_limited(text)
    except JsonLimitError:
        raise FileCheckError("values", f"{where} holds JSON beyond CareQual's limits") from None


def _is_line(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 1


def _check_json_shapes(conn: sqlite3.Connection, present: set[str]) -> None:
    if "indicator" in present:
        numbers = {r[0] for r in conn.execute("SELECT number FROM statement")}
        for statements, prompts in conn.execute("SELECT statements, prompts FROM indicator"):
            st = _load(statements, "indicator.statements")
            if not isinstance(st, list) or not all(type(n) is int and n in numbers for n in st):
                raise FileCheckError("values", "indicator.statements is not a list of statements")
            pr = _load(prompts, "indicator.prompts")
            if not isinstance(pr, list) or not all(_is_line(p) for p in pr):
                raise FileCheckError("values", "indicator.prompts is not a list of text")
    if "evaluation" in present:
        grades = {r[0] for r in conn.execute("SELECT value FROM scale_level")}
        for (text,) in conn.execute("SELECT proposed_grades FROM evaluation"):
            items = _load(text, "evaluation.proposed_grades")
            if not isinstance(items, list):
                raise FileCheckError("values", "evaluation.proposed_grades is not a list")
            for p in items:
                if not (
                    isinstance(p, dict)
                    and set(p) <= {"agency", "participant", "grade", "note"}
                    and _is_line(p.get("agency"))
                    and type(p.get("grade")) is int
                    and p["grade"] in grades
                    and (p.get("participant") is None or _is_uuid(p["participant"]))
                    and isinstance(p.get("note", ""), str)
                ):
                    raise FileCheckError("values", "evaluation.proposed_grades holds a bad entry")
    evaluation_columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(evaluation)")}
    if "dissents" in evaluation_columns:  # files before schema version 3 have none
        for (text,) in conn.execute("SELECT dissents FROM evaluation"):
            items = _load(text, "evaluation.dissents")
            if not isinstance(items, list) or not all(
                isinstance(d, dict)
                and set(d) <= {"agency", "participant", "text"}
                and _is_line(d.get("agency"))
                and isinstance(d.get("text"), str)
                and (d.get("participant") is None or _is_uuid(d["participant"]))
                for d in items
            ):
                raise FileCheckError("values", "evaluation.dissents holds a bad entry")
    if "meta" in present:
        for (text,) in conn.execute("SELECT value FROM meta WHERE key = 'previous_cycle'"):
            try:
                link = _load(text, "meta.previous_cycle")
            except ValueError:  # not JSON at all (no SQL rule checks a meta value)
                link = None
            if not _is_previous_cycle(link):
                raise FileCheckError("values", "meta.previous_cycle is not a previous workshop")
    if "workshop" in present:
        for (text,) in conn.execute("SELECT extensions FROM workshop WHERE extensions IS NOT NULL"):
            if not isinstance(_load(text, "workshop.extensions"), dict):
                raise FileCheckError("values", "workshop.extensions is not an object")


def _is_previous_cycle(doc: Any) -> bool:
    """The link a next-cycle workshop keeps to the one it came from (issue 10)."""
    if not (
        isinstance(doc, dict)
        and set(doc) <= {"id", "title", "partnership", "date", "framework", "closed_actions"}
        and _is_uuid(doc.get("id"))
        and _is_line(doc.get("title"))
        and all(isinstance(doc.get(k, ""), str) for k in ("partnership", "date", "framework"))
        and isinstance(doc.get("closed_actions", []), list)
    ):
        return False
    return all(
        isinstance(a, dict)
        and set(a) <= {"ref", "task", "status", "expected_outcome", "target", "due", "indicators"}
        and _is_line(a.get("ref"))
        and isinstance(a.get("task"), str)
        and a.get("status") in ("complete", "dropped")
        and all(isinstance(a.get(k, ""), str) for k in ("expected_outcome", "target", "due"))
        and isinstance(a.get("indicators", []), list)
        and all(isinstance(c, str) for c in a.get("indicators", []))
        for a in doc.get("closed_actions", [])
    )


_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None
