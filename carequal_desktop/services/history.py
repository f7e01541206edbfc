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

import json
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import event
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
from carequal_desktop.store.tables import HISTORY_SLOTS, history_key_sql

_CHUNK = 500
_has_history: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _key_sql(table: str) -> str:
    return history_key_sql(table)  # the triggers' definition, one for both


def _values_sql(table: str) -> str:
    return ", ".join(TABLES[table].fields)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def has_history(conn: Connection) -> bool:
    """Whether this file has the history tables (files being upgraded may not yet)."""
    engine = conn.engine
    if engine.dialect.name != "sqlite":
        return True  # a server workshop's tables are all made when it is pushed
    known = _has_history.get(engine)
    if known is None:
        known = (
            conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='history_dirty'"
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
            rows = conn.exec_driver_sql(
                f"SELECT {_key_sql(table)}, {_values_sql(table)} FROM {table} "
                f"WHERE {parent} IN ({marks})",
                tuple(part),
            ).fetchall()
            out.update((k, list(v)) for k, *v in rows if k in wanted)
        return out
    col = _key_sql(table)
    for part in _chunks(list(keys)):
        marks = ",".join("?" * len(part))
        rows = conn.exec_driver_sql(
            f"SELECT {col}, {_values_sql(table)} FROM {table} WHERE {col} IN ({marks})",
            tuple(part),
        ).fetchall()
        out.update((k, list(v)) for k, *v in rows)
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
        rows = conn.exec_driver_sql(
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
    notes = conn.exec_driver_sql(f"SELECT tbl, key, op, {slots} FROM history_dirty").fetchall()
    by_table: dict[str, list[tuple[str, list[Any] | None]]] = {}
    for table, key, op, *values in notes:
        if table in TABLES:
            old = None if op == "i" else list(values[: len(TABLES[table].fields)])
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
        upserts.append((table, key, int(rec.alive), lineages, last))
    if upserts:
        conn.exec_driver_sql(
            "INSERT OR REPLACE INTO record_history(tbl, key, alive, lineages, last) "
            "VALUES (?, ?, ?, ?, ?)",
            upserts,
        )
    if drops:
        conn.exec_driver_sql("DELETE FROM record_history WHERE tbl = ? AND key = ?", drops)
    if stale:
        # Values past the window of a lineage are no longer shown as anyone's original.
        conn.exec_driver_sql("DELETE FROM version_value WHERE vid = ?", stale)


def write_values(conn: Connection, values: Mapping[int, Any]) -> None:
    if values:
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO version_value(vid, value) VALUES (?, ?)",
            [(vid, json.dumps(v, ensure_ascii=False)) for vid, v in values.items()],
        )


def fold(conn: Connection) -> int:
    """Turn the noted changes into history, in the caller's transaction; returns how many."""
    if not has_history(conn):
        return 0
    records, replaced = pending(conn)
    write_values(conn, replaced)
    write_records(conn, records)
    conn.exec_driver_sql("DELETE FROM history_dirty")
    return len(records)


def forget_notes(conn: Connection) -> None:
    """Drop the notes of writes whose history the caller has written itself (merges)."""
    conn.exec_driver_sql("DELETE FROM history_dirty")


@event.listens_for(Session, "before_commit")
def _fold_before_commit(session: Session) -> None:
    """Every saved edit, from whichever module, gets its versions in the same transaction."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
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
        conn.exec_driver_sql(
            "SELECT i.id, e.indicator_code FROM evaluation_item i "
            "JOIN evaluation e ON e.id = i.evaluation_id"
        ).fetchall()
    )
    links: dict[str, list[str]] = {}
    for table, parent in (("evidence_indicator", "evidence_id"), ("action_indicator", "action_id")):
        for pid, code in conn.exec_driver_sql(
            f"SELECT {parent}, indicator_code FROM {table} ORDER BY {parent}, position"
        ).fetchall():
            links.setdefault(pid, []).append(code)
    for table in TABLES:
        names = list(TABLES[table].fields)
        # The columns themselves (not json_array): the same values, read without parsing.
        rows = conn.exec_driver_sql(
            f"SELECT {_key_sql(table)}, {', '.join(names)} FROM {table}"
        ).fetchall()
        for key, *values in rows:
            rec = Record(table, key, True, dict(zip(names, values, strict=True)))
            if table == "evaluation_item":
                rec.extra["indicator"] = item_codes.get(key, "")
            elif table in ("evidence", "improvement_action"):
                rec.extra["indicators"] = links.get(key, [])
            out[(table, key)] = rec
    for table, key, alive, lineages, last in conn.exec_driver_sql(
        "SELECT tbl, key, alive, lineages, last FROM record_history"
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
        for vid, value in conn.exec_driver_sql("SELECT vid, value FROM version_value").fetchall()
    }
