"""Each field's version history, kept in the workshop file as edits are saved.

Triggers (``store/tables.py``) note every record a transaction touches, with its values
before, in ``history_dirty``. Just before every commit, whichever service module made the
change, ``fold`` turns those notes into version lineages in ``record_history``
(``domain/merge.py`` says what a lineage is) and keeps each replaced value in
``version_value`` so a conflict can show the common original. A record never changed since
it was made has no history row at all: its lineage is derived from its values, the same in
every copy, which keeps the file small and makes any byte-for-byte copy mergeable.

This module also reads a whole file into the records the merge works on (``snapshot``).
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Float, Integer, event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from carequal_desktop.domain.merge import (
    ALIVE,
    TABLES,
    VALUE_DEPTH,
    Lineage,
    RecKey,
    Record,
    delete,
    edit,
    revive,
)
from carequal_desktop.store.portable import run
from carequal_desktop.store.tables import HISTORY_SLOTS, history_key_sql, metadata

_CHUNK = 500
_has_history: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _key_sql(table: str) -> str:
    return history_key_sql(table)  # the triggers' definition, one for both


def _values_sql(table: str) -> str:
    return ", ".join(TABLES[table].fields)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


@functools.cache
def _kinds(table: str) -> tuple[str, ...]:
    """Each versioned column's kind: "b"oolean, "i"nteger, "f"loat or "s"tring."""
    out: list[str] = []
    for name in TABLES[table].fields:
        kind = metadata.tables[table].c[name].type
        if isinstance(kind, Boolean):
            out.append("b")
        elif isinstance(kind, Integer):
            out.append("i")
        elif isinstance(kind, Float):
            out.append("f")
        else:
            out.append("s")
    return tuple(out)


def _normal(table: str, values: Sequence[Any]) -> list[Any]:
    """Values as the same Python types on either engine (SQLite hands booleans back as
    0 and 1): a version id is made from a value's type as well as its text."""
    out = list(values)
    for i, kind in enumerate(_kinds(table)):
        if kind == "b" and out[i] is not None:
            out[i] = bool(out[i])
    return out


def _decoded(table: str, slots: Sequence[Any]) -> list[Any]:
    """The values before, from a note's slots: on PostgreSQL the triggers write each value
    as its text (``bytea``); on SQLite the slots hold the values themselves."""
    out: list[Any] = []
    for raw, kind in zip(slots, _kinds(table), strict=False):
        if not isinstance(raw, bytes | bytearray | memoryview):
            out.append(raw)
            continue
        text = bytes(raw).decode("utf-8")
        if kind == "b":
            out.append(text in ("true", "t", "1"))
        elif kind == "i":
            out.append(int(text))
        elif kind == "f":
            out.append(float(text))
        else:
            out.append(text)
    return _normal(table, out)


def has_history(conn: Connection) -> bool:
    """Whether this file has the history tables (files being upgraded may not yet)."""
    engine = conn.engine
    if engine.dialect.name != "sqlite":
        return True  # a server workshop's tables are all made when it is pushed
    known = _has_history.get(engine)
    if known is None:
        known = (
            run(
                conn,
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='history_dirty'",
            ).scalar_one()
            > 0
        )
        _has_history[engine] = known
    return known


# ----------------------------------------------------------------------------- reading


def current_values(conn: Connection, table: str, keys: Sequence[str]) -> dict[str, list[Any]]:
    """The versioned values of the given records as they are now (missing: deleted)."""
    out: dict[str, list[Any]] = {}
    if table in ("evidence_indicator", "action_indicator"):
        parent = "evidence_id" if table == "evidence_indicator" else "action_id"
        wanted = set(keys)
        parents = sorted({k.split("|", 1)[0] for k in keys})
        for part in _chunks(parents):
            marks = ",".join("?" * len(part))
            rows = run(
                conn,
                f"SELECT {_key_sql(table)}, {_values_sql(table)} FROM {table} "
                f"WHERE {parent} IN ({marks})",
                tuple(part),
            ).fetchall()
            out.update((k, _normal(table, v)) for k, *v in rows if k in wanted)
        return out
    col = _key_sql(table)
    for part in _chunks(list(keys)):
        marks = ",".join("?" * len(part))
        rows = run(
            conn,
            f"SELECT {col}, {_values_sql(table)} FROM {table} WHERE {col} IN ({marks})",
            tuple(part),
        ).fetchall()
        out.update((k, _normal(table, v)) for k, *v in rows)
    return out


def _stored_row(table: str, key: str, alive: int, lineages: str, last: str | None) -> Record:
    lin = {name: Lineage.from_list(v) for name, v in json.loads(lineages).items()}
    values = json.loads(last) if last else {}
    return Record(table, key, bool(alive), values, lin)


def stored(conn: Connection, table: str, keys: Sequence[str]) -> dict[str, Record]:
    """History rows of the given records (values filled in only for tombstones)."""
    out: dict[str, Record] = {}
    for part in _chunks(list(keys)):
        marks = ",".join("?" * len(part))
        rows = run(
            conn,
            "SELECT key, alive, lineages, last FROM record_history "
            f"WHERE tbl = ? AND key IN ({marks})",
            (table, *part),
        ).fetchall()
        for key, alive, lineages, last in rows:
            out[key] = _stored_row(table, key, alive, lineages, last)
    return out


# ----------------------------------------------------------------------------- folding


def pending(conn: Connection) -> tuple[dict[RecKey, Record | None], dict[int, Any]]:
    """What the noted changes make of the history: records to store (None: back to
    implicit) and replaced values by version id. Writes nothing."""
    slots = ", ".join(f"v{i}" for i in range(HISTORY_SLOTS))
    notes = run(conn, f"SELECT tbl, key, op, {slots} FROM history_dirty").fetchall()
    by_table: dict[str, list[tuple[str, list[Any] | None]]] = {}
    for table, key, op, *values in notes:
        if table in TABLES:
            old = None if op == "i" else _decoded(table, values[: len(TABLES[table].fields)])
            by_table.setdefault(table, []).append((key, old))
    records: dict[RecKey, Record | None] = {}
    replaced: dict[int, Any] = {}
    for table, items in by_table.items():
        names = list(TABLES[table].fields)
        known = stored(conn, table, [k for k, _ in items])
        # A new record with no history (the usual case: a bulk import) needs no look.
        items = [(k, old) for k, old in items if old is not None or k in known]
        now = current_values(conn, table, [k for k, _ in items])
        for key, old in items:
            cur = now.get(key)
            st = known.get(key)
            if old is None:
                if cur is None or st is None or st.alive:
                    continue  # a new record: its history is implicit
                records[(table, key)] = revive(st, dict(zip(names, cur, strict=True)))
                continue
            before = Record(table, key, True, dict(zip(names, old, strict=True)))
            if st is not None:
                before.lineages = {n: lin for n, lin in st.lineages.items() if n != ALIVE}
                if st.alive and ALIVE in st.lineages:
                    before.lineages[ALIVE] = st.lineages[ALIVE]
            if cur is None:
                records[(table, key)] = delete(before)
                continue
            rec = before
            for name, value in zip(names, cur, strict=True):
                if rec.values.get(name) != value:
                    replaced[rec.lineage(name).vid] = rec.values.get(name)
                    rec = edit(rec, name, value)
            records[(table, key)] = rec
    return records, replaced


def write_records(conn: Connection, records: Mapping[RecKey, Record | None]) -> None:
    """Store the lineages of ``records`` (a record with nothing explicit loses its row)."""
    upserts: list[tuple[str, str, int, str, str | None]] = []
    drops: list[tuple[str, str]] = []
    stale: list[tuple[int]] = []
    for (table, key), rec in records.items():
        if rec is None:
            continue
        explicit = rec.explicit()
        for lin in explicit.values():
            stale.extend((vid,) for vid in lin.ancestors[VALUE_DEPTH:])
        if rec.alive and not explicit:
            drops.append((table, key))
            continue
        lineages = json.dumps({n: lin.to_list() for n, lin in explicit.items()})
        last = None if rec.alive else json.dumps(rec.values, ensure_ascii=False)
        upserts.append((table, key, bool(rec.alive), lineages, last))
    if upserts:
        run(
            conn,
            "INSERT INTO record_history(tbl, key, alive, lineages, last) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (tbl, key) DO UPDATE SET alive = excluded.alive, "
            "lineages = excluded.lineages, last = excluded.last",
            upserts,
        )
    if drops:
        run(conn, "DELETE FROM record_history WHERE tbl = ? AND key = ?", drops)
    if stale:
        # Values past the window of a lineage are no longer shown as anyone's original.
        run(conn, "DELETE FROM version_value WHERE vid = ?", stale)


def write_values(conn: Connection, values: Mapping[int, Any]) -> None:
    if values:
        run(
            conn,
            "INSERT INTO version_value(vid, value) VALUES (?, ?) ON CONFLICT (vid) DO NOTHING",
            [(vid, json.dumps(v, ensure_ascii=False)) for vid, v in values.items()],
        )


def fold(conn: Connection) -> int:
    """Turn the noted changes into history, in the caller's transaction; returns how many."""
    if not has_history(conn):
        return 0
    records, replaced = pending(conn)
    write_values(conn, replaced)
    write_records(conn, records)
    run(conn, "DELETE FROM history_dirty")
    return len(records)


def forget_notes(conn: Connection) -> None:
    """Drop the notes of writes whose history the caller has written itself (merges)."""
    run(conn, "DELETE FROM history_dirty")


@event.listens_for(Session, "before_commit")
def _fold_before_commit(session: Session) -> None:
    """Every saved edit, from whichever module, gets its versions in the same transaction."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name not in ("sqlite", "postgresql"):
        return
    session.flush()
    conn = session.connection()
    fold(conn)


# ---------------------------------------------------------------------------- snapshots


def snapshot(conn: Connection, *, fold_pending: bool) -> dict[RecKey, Record]:
    """Every record of the file (alive, and the tombstones) with its lineages.

    ``fold_pending`` folds notes left by writes not yet folded into the records in memory
    only, for a file that must not be written (the copy being merged in).
    """
    out: dict[RecKey, Record] = {}
    item_codes: dict[str, str] = dict(
        run(
            conn,
            "SELECT i.id, e.indicator_code FROM evaluation_item i "
            "JOIN evaluation e ON e.id = i.evaluation_id",
        ).fetchall()
    )
    links: dict[str, list[str]] = {}
    for table, parent in (("evidence_indicator", "evidence_id"), ("action_indicator", "action_id")):
        for pid, code in run(
            conn, f"SELECT {parent}, indicator_code FROM {table} ORDER BY {parent}, position"
        ).fetchall():
            links.setdefault(pid, []).append(code)
    for table in TABLES:
        names = list(TABLES[table].fields)
        # The columns themselves (not json_array): the same values, read without parsing.
        rows = run(conn, f"SELECT {_key_sql(table)}, {', '.join(names)} FROM {table}").fetchall()
        for key, *values in rows:
            rec = Record(table, key, True, dict(zip(names, _normal(table, values), strict=True)))
            if table == "evaluation_item":
                rec.extra["indicator"] = item_codes.get(key, "")
            elif table in ("evidence", "improvement_action"):
                rec.extra["indicators"] = links.get(key, [])
            out[(table, key)] = rec
    for table, key, alive, lineages, last in run(
        conn, "SELECT tbl, key, alive, lineages, last FROM record_history"
    ).fetchall():
        if table not in TABLES:
            continue
        st = _stored_row(table, key, alive, lineages, last)
        live = out.get((table, key))
        if live is not None:
            live.lineages = st.lineages
        elif not st.alive:
            out[(table, key)] = st
    if fold_pending:
        records, _replaced = pending(conn)
        for rk, folded in records.items():
            if folded is None:
                continue
            live = out.get(rk)
            if live is not None and folded.alive:
                live.lineages = folded.lineages
            else:
                out[rk] = folded
    return out


def version_values(conn: Connection) -> dict[int, Any]:
    """Every replaced value the file keeps, by version id."""
    return {
        int(vid): json.loads(value)
        for vid, value in run(conn, "SELECT vid, value FROM version_value").fetchall()
    }
