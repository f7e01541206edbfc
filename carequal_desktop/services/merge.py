"""Merging another copy of the workshop into this one, and deciding the conflicts.

``merge_file(service, source)`` brings every change made in ``source`` (a copy made any
way: Save a copy as, Explorer, email, USB stick) into the open workshop, field by field,
three-way (``domain/merge.py``), in ONE transaction after a backup copy. Conflicts are
stored in the file with both versions until someone decides them with ``resolve``. The
merge log records which file was merged, when and by whom.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from carequal_desktop.domain.merge import (
    ALIVE,
    RECORD,
    TABLES,
    VALUE_DEPTH,
    Conflict,
    Lineage,
    RecKey,
    Record,
    decide,
    decide_links,
    edit,
    merge,
)
from carequal_desktop.domain.text import for_storage
from carequal_desktop.errors import DamagedWorkshopError, ReadOnlyError, StorageError, UserError
from carequal_desktop.services import backups, history, locking
from carequal_desktop.store import migrations
from carequal_desktop.store.connection import check_header, init_db
from carequal_desktop.store.portable import run
from carequal_desktop.store.tables import MergeConflictRow, MergeLogRow, history_key_values

if TYPE_CHECKING:
    from carequal_desktop.services.workshop import WorkshopService


class MergeRefusedError(UserError):
    """The other file cannot be merged into this one (another workshop, the same file)."""


FIELD_LABELS = {
    "how_good_now": "How good are we now?",
    "how_do_we_know": "How do we know?",
    "what_next": "What are we going to do now?",
    "rationale": "Why this grade?",
    "dissent": "Different views",
    "grade": "Grade",
    "previous_grade": "Previous grade",
    "status": "Status",
    "proposed_grades": "Grades proposed by agencies",
    "text": "Text",
    "title": "Title",
    "description": "Description",
    "expected_outcome": "Expected outcome",
    "share_percent": "Share (%)",
    "key_question": "Key question",
    "framework_title": "Framework",
    "stale_evidence_months": "Evidence counts as old after (months)",
    "evaluation_date": "Date of the evaluation",
    RECORD: "Deleted in one copy, changed in the other",
}

_REF_TABLES = {"evidence": "E", "improvement_action": ""}


def field_label(name: str) -> str:
    """The words the window uses for a field."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass
class ConflictInfo:
    """One conflict as the window and the command line show it."""

    id: int
    table: str
    key: str
    field: str
    record: str
    indicator: str
    base: Any
    base_known: bool
    ours: Any
    theirs: Any
    created: str = ""
    resolution: str | None = None

    @property
    def field_label(self) -> str:
        return field_label(self.field)

    def to_json(self) -> dict[str, Any]:
        """The stable ``--json`` form (docs/merging.md)."""
        return {
            "id": self.id,
            "record": self.record,
            "field": self.field,
            "base": self.base,
            "ours": self.ours,
            "theirs": self.theirs,
            "indicator": self.indicator or None,
        }


@dataclass
class MergeReport:
    """What one merge did."""

    merge_id: str
    source: Path
    changes_taken: int
    conflicts: list[ConflictInfo] = field(default_factory=list)
    open_conflicts: int = 0
    renumbered: dict[str, dict[str, str]] = field(default_factory=dict)
    agency: str = ""  # whose copy it was, when it was made with Prepare copies for agencies

    def to_json(self) -> dict[str, Any]:
        return {
            "changes_taken": self.changes_taken,
            "conflicts": [c.to_json() for c in self.conflicts],
            "open_conflicts": self.open_conflicts,
            "renumbered": self.renumbered,
        }

    def summary(self) -> str:
        """Sentences for the window's message or the command line."""
        whose = f" (the copy prepared for {self.agency})" if self.agency else ""
        parts = [
            f"{self.changes_taken} change{'s' if self.changes_taken != 1 else ''} taken "
            f"from “{self.source.name}”{whose}."
        ]
        for kind, refs in self.renumbered.items():
            moved = ", ".join(f"{old} → {new}" for old, new in refs.items())
            what = "Evidence" if kind == "evidence" else "Actions"
            parts.append(f"{what} added in both copies renumbered: {moved}.")
        n = len(self.conflicts)
        if n:
            parts.append(
                f"{n} conflict{'s' if n != 1 else ''} to decide (both versions are kept until "
                "you do)."
            )
        elif self.open_conflicts:
            parts.append(f"{self.open_conflicts} earlier conflicts are still to decide.")
        else:
            parts.append("No conflicts.")
        return " ".join(parts)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------- the source


@contextmanager
def _source_connection(source: Path | str) -> Iterator[Connection]:
    """The copy to merge in, opened without ever writing to it (older files: a copy).

    ``source`` is a workshop file or a server location (``postgresql://…#ID``).
    """
    if isinstance(source, str):
        from carequal_desktop.store.server import is_location

        if is_location(source):
            with _server_source(source) as conn:
                yield conn
            return
    source = Path(source)
    head = check_header(source)
    version = int.from_bytes(head[60:64], "big")
    tmp: Path | None = None
    path = source
    if version < migrations.SCHEMA_VERSION:
        # An older copy: upgrade a private copy, never the file someone handed over.
        fd, name = tempfile.mkstemp(prefix=".carequal-merge-", suffix=".carequal")
        os.close(fd)
        tmp = Path(name)
        try:
            src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
            dest = sqlite3.connect(tmp)
            try:
                src.backup(dest)
            finally:
                dest.close()
                src.close()
        except sqlite3.Error:
            tmp.unlink(missing_ok=True)
            raise DamagedWorkshopError(
                f"“{source.name}” is damaged: part of it cannot be read, so it was not merged."
            ) from None
        path = tmp
    try:
        engine = init_db(path, read_only=tmp is None)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


@contextmanager
def _server_source(location: str) -> Iterator[Connection]:
    """A workshop on a server as the copy to merge in: read in one consistent snapshot."""
    from carequal_desktop.services.server import open_server_workshop

    theirs = open_server_workshop(location, read_only=True)
    try:
        try:
            with theirs.engine.connect() as conn:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield conn
        except DBAPIError as exc:
            raise theirs.db.describe_error(exc) from None
    finally:
        theirs.close()


def _source_name(source: Path | str) -> tuple[str, str]:
    """(short name, where) of the copy being merged in, for messages and the merge log."""
    from carequal_desktop.store.server import is_location, masked

    if isinstance(source, str) and is_location(source):
        return masked(source), masked(source)
    path = Path(source)
    return path.name, str(path.resolve())


def _workshop_id(conn: Connection) -> tuple[str, str, str]:
    row = run(conn, "SELECT id, title, updated FROM workshop").first()
    if row is None:
        raise DamagedWorkshopError("The file holds no workshop, so it was not merged.")
    return str(row[0]), str(row[1]), str(row[2])


# ------------------------------------------------------------------------------- merging


def merge_file(
    service: WorkshopService, source: Path | str, *, merged_by: str | None = None
) -> MergeReport:
    """Merge the copy at ``source`` (a file or a server location) into ``service``'s
    workshop (a file or a server workshop): one transaction, after a backup of a file."""
    from carequal_desktop.store.server import is_location

    if not (isinstance(source, str) and is_location(source)):
        source = Path(source)
    name = service.db.name
    source_name, source_where = _source_name(source)
    if service.read_only:
        raise ReadOnlyError(f"“{name}” is open read-only, so nothing can be merged into it.")
    on_server = service.db.server is not None
    if on_server:
        if isinstance(source, str) and _same_location(source, service):
            raise MergeRefusedError("A workshop cannot be merged with itself; choose another copy.")
    elif isinstance(source, Path) and source.resolve() == service.path.resolve():
        raise MergeRefusedError("A workshop cannot be merged with itself; choose another copy.")
    merged_by = merged_by or locking.this_user()
    with _source_connection(source) as theirs_conn:
        their_id, _title, their_updated = _workshop_id(theirs_conn)
        theirs = history.snapshot(theirs_conn, fold_pending=True)
        their_values = history.version_values(theirs_conn)
    try:
        with Session(service.engine) as s:
            conn = s.connection()
            our_id, _t, _u = _workshop_id(conn)
            if our_id != their_id:
                raise MergeRefusedError(
                    f"“{source_name}” is a copy of another workshop, so it cannot be merged "
                    f"into “{name}”. Nothing was changed."
                )
            if on_server:
                # Colleagues' edits wait (reading goes on) while the merge works out and
                # writes its result, so none is overwritten by a merge that read before it.
                tables = ", ".join(f'"{t}"' for t in TABLES)
                conn.exec_driver_sql(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            else:
                try:
                    backups.make_backup(service.path, "before-merge")
                except (OSError, sqlite3.Error) as exc:
                    raise StorageError(
                        f"No backup copy of “{name}” could be made before merging "
                        f"({getattr(exc, 'strerror', None) or exc}), so nothing was merged. "
                        "Free some space on this computer and try again."
                    ) from None
            history.fold(conn)
            ours = history.snapshot(conn, fold_pending=False)
            our_values = history.version_values(conn)
            open_map: dict[tuple[str, str, str], set[int]] = {}
            for t, k, f, lin in run(
                conn,
                "SELECT tbl, key, field, theirs_lineage FROM merge_conflict "
                "WHERE resolved_at IS NULL",
            ).fetchall():
                open_map.setdefault((t, k, f), set()).add(Lineage.from_list(json.loads(lin)).vid)

            def lookup(vid: int) -> tuple[bool, Any]:
                if vid in our_values:
                    return True, our_values[vid]
                if vid in their_values:
                    return True, their_values[vid]
                return False, None

            result = merge(ours, theirs, lookup, open_map)
            stamp = now_iso()
            merge_id = str(uuid.uuid4())
            apply_records(conn, ours, result.records, stamp)
            # Keep the originals the other copy knew, for conflicts with a third copy later.
            kept: dict[int, Any] = dict(result.replaced)
            for rec in result.records.values():
                for lin in rec.explicit().values():
                    for vid in lin.ancestors[:VALUE_DEPTH]:
                        if vid in their_values and vid not in our_values:
                            kept[vid] = their_values[vid]
            history.write_values(conn, kept)
            history.write_records(conn, result.records)
            history.forget_notes(conn)
            infos = _store_conflicts(conn, merge_id, result.conflicts, ours, theirs, stamp)
            if result.changes_taken:
                run(conn, "UPDATE workshop SET updated = ?", (stamp,))
            run(
                conn,
                "INSERT INTO merge_log(id, merged_at, merged_by, source_name, source_path, "
                "source_updated, changes_taken, conflicts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    merge_id,
                    stamp,
                    merged_by,
                    source_name,
                    source_where,
                    their_updated,
                    result.changes_taken,
                    len(infos),
                ),
            )
            open_count = run(
                conn, "SELECT count(*) FROM merge_conflict WHERE resolved_at IS NULL"
            ).scalar_one()
            s.commit()
    except DBAPIError as exc:
        raise service.db.describe_error(exc) from None
    agency = next(
        (c["agency"] for c in prepared_copies(service) if c.get("path") == source_where), ""
    )
    return MergeReport(
        merge_id,
        Path(source_name) if isinstance(source, str) else source,
        result.changes_taken,
        infos,
        int(open_count),
        result.renumbered,
        agency,
    )


def _same_location(source: str, service: WorkshopService) -> bool:
    from carequal_desktop.store.server import parse_location

    server = service.db.server
    assert server is not None
    theirs = parse_location(source)
    ours = server.location
    return bool(
        theirs.workshop_id == ours.workshop_id
        and theirs.url.host == ours.url.host
        and (theirs.url.port or 5432) == (ours.url.port or 5432)
        and theirs.url.database == ours.url.database
    )


def _require_file(service: WorkshopService) -> None:
    if service.engine.dialect.name != "sqlite":
        raise MergeRefusedError(
            "Copies for agencies are prepared from a workshop file: take an offline copy "
            "with 'carequal pull' and prepare the copies from that."
        )


def merge_paths(
    into: Path | str, source: Path | str, *, merged_by: str | None = None
) -> MergeReport:
    """Open ``into``, merge ``source`` into it, close it (the command line). Either may be
    a workshop file or a server location."""
    from carequal_desktop.services.workshop import WorkshopService
    from carequal_desktop.store.server import is_location

    if not (isinstance(source, str) and is_location(source)):
        with _source_connection(Path(source)):
            pass  # a damaged or foreign copy is refused before the file is opened for writing
    if isinstance(into, str) and is_location(into):
        from carequal_desktop.services.server import open_server_workshop

        service = open_server_workshop(into)
    else:
        service = WorkshopService.open(Path(into), read_only=False)
    try:
        return merge_file(service, source, merged_by=merged_by)
    finally:
        service.close()


# ------------------------------------------------------------------------------ applying

_ORDER = list(TABLES)


def _where(table: str) -> str:
    if TABLES[table].singleton is not None:
        return "1 = 1"  # the table's one record
    return " AND ".join(f"{name} = ?" for name in TABLES[table].key_columns)


def _key_params(table: str, key: str) -> tuple[Any, ...]:
    return tuple(history_key_values(table, key).values())


def apply_records(
    conn: Connection, ours: Mapping[RecKey, Record], records: Mapping[RecKey, Record], stamp: str
) -> None:
    """Make the rows of ``conn``'s file match ``records`` (history is written separately)."""
    # Deletions first (links before what they link), then references out of the way, then
    # updates, then new records (what is linked before its links).
    for table in reversed(_ORDER):
        for (t, key), rec in records.items():
            mine = ours.get((t, key))
            if t == table and not rec.alive and mine is not None and mine.alive:
                run(conn, f"DELETE FROM {table} WHERE {_where(table)}", _key_params(table, key))
    for table in _REF_TABLES:
        for (t, key), rec in records.items():
            mine = ours.get((t, key))
            if (
                t == table
                and rec.alive
                and mine is not None
                and mine.alive
                and mine.values.get("ref") != rec.values.get("ref")
            ):
                run(conn, f"UPDATE {table} SET ref = ? WHERE id = ?", (f"~{key}", key))
    for table in _ORDER:
        spec = TABLES[table]
        for (t, key), rec in records.items():
            if t != table or not rec.alive:
                continue
            mine = ours.get((t, key))
            values = dict(rec.values)
            if table == "evidence":
                values["ref_number"] = _ref_number(str(values.get("ref")))
            if mine is not None and mine.alive:
                if mine.values == rec.values:
                    continue
                if not spec.links:
                    values["updated"] = stamp
                sets = ", ".join(f"{c} = ?" for c in values)
                run(
                    conn,
                    f"UPDATE {table} SET {sets} WHERE {_where(table)}",
                    (*values.values(), *_key_params(table, key)),
                )
                continue
            _insert(conn, table, key, rec, values, stamp)


def _ref_number(ref: str) -> int:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else 0


def _insert(
    conn: Connection, table: str, key: str, rec: Record, values: dict[str, Any], stamp: str
) -> None:
    spec = TABLES[table]
    if spec.links:
        parent, code = key.split("|", 1)
        parent_col = "evidence_id" if table == "evidence_indicator" else "action_id"
        values[parent_col] = parent
        values["indicator_code"] = code
    elif spec.key != "id":
        # Known by what it is about (an indicator's evaluation, a statement's summary, the
        # position statement): this copy gives it an id of its own.
        values.update(history_key_values(table, key))
        values["id"] = str(uuid.uuid4())
        values["updated"] = stamp
    else:
        values["id"] = key
        values["updated"] = stamp
    if table == "evaluation_item":
        code = str(rec.extra.get("indicator", ""))
        row = run(conn, "SELECT id FROM evaluation WHERE indicator_code = ?", (code,)).first()
        if row is None:
            run(
                conn,
                "INSERT INTO evaluation(id, indicator_code, status, how_good_now, how_do_we_know,"
                " what_next, rationale, dissent, proposed_grades, updated) "
                "VALUES (?, ?, 'not_started', '', '', '', '', '', '[]', ?)",
                (str(uuid.uuid4()), code, stamp),
            )
            row = run(conn, "SELECT id FROM evaluation WHERE indicator_code = ?", (code,)).first()
        assert row is not None
        values["evaluation_id"] = row[0]
    if table == "workshop":
        values["created"] = stamp
    cols = ", ".join(values)
    marks = ", ".join("?" * len(values))
    run(conn, f"INSERT INTO {table}({cols}) VALUES ({marks})", tuple(values.values()))


# ----------------------------------------------------------------------------- conflicts


def _label(rec: Record | None) -> tuple[str, str]:
    """(what the record is, in words; the indicator it belongs to, if any)."""
    if rec is None:
        return "A record", ""
    v = rec.values
    t = rec.table
    if t == "evaluation":
        return f"Indicator {rec.key}", rec.key
    if t == "evaluation_item":
        code = str(rec.extra.get("indicator", ""))
        kind = "Strength" if v.get("kind") == "strength" else "Area for improvement"
        return f"{kind} in {code}", code
    codes = rec.extra.get("indicators") or []
    first = str(codes[0]) if codes else ""
    if t == "evidence":
        return f"Evidence {v.get('ref')} “{v.get('title')}”", first
    if t == "improvement_action":
        return f"Action {v.get('ref')}", first
    if t == "participant":
        return f"Participant {v.get('name')}", ""
    if t == "workshop":
        return "Workshop details", ""
    if t == "workshop_session":
        return f"Session on {v.get('date')}", ""
    if t == "indicator":
        return f"Framework indicator {v.get('code')}", str(v.get("code") or "")
    if t == "statement":
        return f"Quality statement {v.get('number')}", ""
    if t == "scale_level":
        return f"Scale level {v.get('value')}", ""
    if t == "agenda_item":
        return f"Agenda item “{v.get('title')}”", str(v.get("indicator_code") or "")
    if t == "parking_item":
        return "Parked point", str(v.get("raised_at") or "")
    if t == "position_statement":
        return "Document control", ""
    if t == "statement_summary":
        return f"Summary of statement {rec.key}", ""
    if t == "not_personal":
        return "Not-personal mark", ""
    return t.replace("_", " ").capitalize(), ""


def _rec_dict(rec: Record) -> dict[str, Any]:
    return {
        "table": rec.table,
        "key": rec.key,
        "alive": rec.alive,
        "values": rec.values,
        "lineages": {n: lin.to_list() for n, lin in rec.lineages.items()},
        "extra": rec.extra,
    }


def _rec_from(d: dict[str, Any]) -> Record:
    return Record(
        d["table"],
        d["key"],
        bool(d["alive"]),
        d["values"],
        {n: Lineage.from_list(v) for n, v in d["lineages"].items()},
        d.get("extra") or {},
    )


def _record_json(rec: Record | None, links: list[Record]) -> str | None:
    if rec is None:
        return None
    d = _rec_dict(rec)
    d["links"] = [_rec_dict(link) for link in links]
    return json.dumps(d, ensure_ascii=False)


def _record_from_json(text: str | None) -> tuple[Record | None, list[Record]]:
    if not text:
        return None, []
    d = json.loads(text)
    return _rec_from(d), [_rec_from(link) for link in d.get("links", [])]


def _store_conflicts(
    conn: Connection,
    merge_id: str,
    conflicts: list[Conflict],
    ours: Mapping[RecKey, Record],
    theirs: Mapping[RecKey, Record],
    stamp: str,
) -> list[ConflictInfo]:
    infos: list[ConflictInfo] = []
    for c in conflicts:
        rk = (c.table, c.key)
        mine, other = ours.get(rk), theirs.get(rk)
        record, code = _label(mine if mine is not None and mine.alive else other)
        # A newer version of what an open conflict holds replaces it; another copy's
        # version of the same field is a conflict of its own.
        for cid, lin in run(
            conn,
            "SELECT id, theirs_lineage FROM merge_conflict "
            "WHERE tbl = ? AND key = ? AND field = ? AND resolved_at IS NULL",
            (c.table, c.key, c.field),
        ).fetchall():
            if c.theirs_lineage.knows(Lineage.from_list(json.loads(lin)).vid):
                run(
                    conn,
                    "UPDATE merge_conflict SET resolved_at = ?, resolution = 'superseded' "
                    "WHERE id = ?",
                    (stamp, cid),
                )
        cid = run(
            conn,
            "INSERT INTO merge_conflict(merge_id, tbl, key, field, indicator_code, record_label,"
            " base, ours, theirs, ours_lineage, theirs_lineage, theirs_record, created,"
            " resolved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') RETURNING id",
            (
                merge_id,
                c.table,
                c.key,
                c.field,
                code,
                record,
                json.dumps(c.base, ensure_ascii=False) if c.base_known else None,
                json.dumps(c.ours, ensure_ascii=False),
                json.dumps(c.theirs, ensure_ascii=False),
                json.dumps(c.ours_lineage.to_list()),
                json.dumps(c.theirs_lineage.to_list()),
                _record_json(c.theirs_record, c.theirs_links),
                stamp,
            ),
        ).scalar_one()
        infos.append(
            ConflictInfo(
                int(cid),
                c.table,
                c.key,
                c.field,
                record,
                code,
                c.base,
                c.base_known,
                c.ours,
                c.theirs,
                stamp,
            )
        )
    return infos


_CONFLICT_COLUMNS = (
    "id, tbl, key, field, record_label, indicator_code, base, ours, theirs, created, resolution"
)


def _info(row: Any) -> ConflictInfo:
    cid, table, key, name, record, code, base, ours, theirs, created, resolution = row
    return ConflictInfo(
        int(cid),
        table,
        key,
        name,
        record,
        code or "",
        json.loads(base) if base is not None else None,
        base is not None,
        json.loads(ours),
        json.loads(theirs),
        created,
        resolution,
    )


def open_conflicts(service: WorkshopService) -> list[ConflictInfo]:
    """Conflicts not yet decided, by indicator then in the order they arose."""
    t = MergeConflictRow.__table__.c  # type: ignore[attr-defined]  # SQLModel sets it
    columns = [t.id, t.tbl, t.key, t.field, t.record_label, t.indicator_code, t.base, t.ours]
    columns += [t.theirs, t.created, t.resolution]
    with service.engine.connect() as conn:
        if not history.has_history(conn):
            return []
        rows = conn.execute(select(*columns).where(t.resolved_at.is_(None))).fetchall()
    from carequal_desktop.domain.framework import indicator_sort_key

    infos = [_info(r) for r in rows]
    infos.sort(
        key=lambda c: (
            c.indicator == "",
            indicator_sort_key(c.indicator) if c.indicator else (),
            c.id,
        )
    )
    return infos


def conflict_codes(service: WorkshopService) -> set[str]:
    """Indicators with a conflict still to decide (the window marks them)."""
    return {c.indicator for c in open_conflicts(service) if c.indicator}


def conflict_fields(service: WorkshopService) -> set[tuple[str, str, str]]:
    """(table, key, field) of every open conflict."""
    return {(c.table, c.key, c.field) for c in open_conflicts(service)}


def export_warning(service: WorkshopService) -> str | None:
    """The sentence an export shows while conflicts are open, else None."""
    n = len(open_conflicts(service))
    if not n:
        return None
    return (
        f"{n} merge conflict{'s are' if n != 1 else ' is'} still to decide: the document shows "
        "this copy's version of those fields. Decide them on the Merge page first."
    )


def prepare_copies(
    service: WorkshopService, folder: Path, agencies: list[str], *, made_by: str | None = None
) -> list[Path]:
    """Write one copy of the workshop per agency into ``folder`` and record who has which.

    A convenience only: a copy made any other way merges just as well.
    """
    from carequal_desktop.domain.text import one_line
    from carequal_desktop.errors import TargetExistsError
    from carequal_desktop.services.values import now_iso as stamp_now

    _require_file(service)
    names = [one_line(a) for a in agencies if one_line(a)]
    if not names:
        raise UserError("Give at least one agency to prepare a copy for.")
    title = service.details().title
    made: list[Path] = []
    for agency in names:
        safe = "".join(ch if ch.isalnum() or ch in " -_()" else "-" for ch in f"{title} - {agency}")
        target = Path(folder) / f"{safe.strip()}.carequal"
        if target.exists():
            raise TargetExistsError(
                f"{target.name} already exists in {folder}; choose another folder. "
                f"{len(made)} of {len(names)} copies were made."
            )
        service.save_copy_as(target)
        made.append(target)
        with service.db.transaction() as s:
            run(
                s.connection(),
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                (
                    f"copy:{uuid.uuid4()}",
                    json.dumps(
                        {
                            "agency": agency,
                            "path": str(target.resolve()),
                            "made_at": stamp_now(),
                            "made_by": made_by or locking.this_user(),
                        },
                        ensure_ascii=False,
                    ),
                ),
            )
    return made


def prepared_copies(service: WorkshopService) -> list[dict[str, Any]]:
    """The copies made with ``prepare_copies``: agency, path, when, by whom (oldest first)."""
    with service.engine.connect() as conn:
        rows = run(conn, "SELECT value FROM meta WHERE key LIKE 'copy:%'").fetchall()
    return sorted((json.loads(v) for (v,) in rows), key=lambda d: str(d.get("made_at")))


def merge_log(service: WorkshopService) -> list[dict[str, Any]]:
    """Every merge into this file, newest first."""
    with service.engine.connect() as conn:
        if not history.has_history(conn):
            return []
        t = MergeLogRow.__table__.c  # type: ignore[attr-defined]  # SQLModel sets it
        rows = conn.execute(
            select(
                t.merged_at, t.merged_by, t.source_name, t.source_path, t.changes_taken, t.conflicts
            ).order_by(t.merged_at.desc())
        ).fetchall()
    keys = ("merged_at", "merged_by", "source_name", "source_path", "changes_taken", "conflicts")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _load_record(conn: Connection, table: str, key: str) -> Record | None:
    values = history.current_values(conn, table, [key]).get(key)
    st = history.stored(conn, table, [key]).get(key)
    if values is not None:
        rec = Record(table, key, True, dict(zip(TABLES[table].fields, values, strict=True)))
        if st is not None:
            rec.lineages = st.lineages
        return rec
    return st


def _coerce(text: str, c: ConflictInfo) -> Any:
    sample = c.ours if c.ours is not None else c.theirs
    if isinstance(sample, bool) or not isinstance(sample, int | float):
        return for_storage(text)
    try:
        return type(sample)(text.strip()) if text.strip() else None
    except ValueError:
        raise UserError(f"“{text}” is not a number, so it cannot be the {c.field_label}.") from None


def resolve(
    service: WorkshopService,
    conflict_id: int,
    choice: str,
    text: str | None = None,
    *,
    resolved_by: str | None = None,
) -> None:
    """Decide a conflict: keep this copy's version (``ours``), the incoming one (``theirs``),
    or an edited combination (``text``). One transaction."""
    if choice not in ("ours", "theirs", "text"):
        raise UserError("Choose this copy's version, the incoming one, or type a combination.")
    if choice == "text" and text is None:
        raise UserError("Type the text to keep.")
    if service.read_only:
        raise ReadOnlyError(f"“{service.db.name}” is open read-only, so nothing can be decided.")
    stamp = now_iso()
    try:
        with Session(service.engine) as s:
            conn = s.connection()
            row = run(
                conn,
                f"SELECT {_CONFLICT_COLUMNS}, theirs_lineage, theirs_record, ours_lineage "
                "FROM merge_conflict WHERE id = ?",
                (int(conflict_id),),
            ).first()
            if row is None:
                raise UserError(f"There is no conflict {conflict_id} in “{service.db.name}”.")
            info = _info(row[:11])
            if info.resolution is not None:
                raise UserError(f"Conflict {conflict_id} has already been decided.")
            if info.field == RECORD and choice == "text":
                raise UserError(
                    "A record deleted in one copy is either kept or deleted; choose --ours or "
                    "--theirs."
                )
            history.fold(conn)
            current = _load_record(conn, info.table, info.key)
            theirs_record, theirs_links = _record_from_json(row[12])
            if current is None:
                current = theirs_record
            if current is None:
                raise UserError("That record is no longer in the workshop.")
            value = _coerce(text, info) if choice == "text" and text is not None else None
            conflict = Conflict(
                info.table,
                info.key,
                info.field,
                info.base,
                info.base_known,
                info.ours,
                info.theirs,
                current.lineage(info.field if info.field != RECORD else ALIVE),
                Lineage.from_list(json.loads(row[11])),
                theirs_record,
                theirs_links,
            )
            decided = decide(current, conflict, choice, value)
            if info.field == RECORD and decided.alive and not current.alive:
                decided = _free_ref(conn, decided)
                decided = _free_position(conn, decided)
            ours_now: dict[RecKey, Record] = {(info.table, info.key): current}
            records: dict[RecKey, Record] = {(info.table, info.key): decided}
            if info.field == RECORD:
                mine = _links_of(conn, current)
                ours_now.update(((r.table, r.key), r) for r in mine)
                records.update(decide_links(decided, conflict, choice, mine))
            apply_records(conn, ours_now, records, stamp)
            if choice == "text" and text is not None:
                _check_typed(conn, info, text)
            history.write_records(conn, records)
            history.forget_notes(conn)
            run(
                conn,
                "UPDATE merge_conflict SET resolved_at = ?, resolution = ?, resolved_by = ? "
                "WHERE id = ?",
                (stamp, choice, resolved_by or locking.this_user(), int(conflict_id)),
            )
            run(conn, "UPDATE workshop SET updated = ?", (stamp,))
            s.commit()
    except DBAPIError as exc:
        raise service.db.describe_error(exc) from None


def _check_typed(conn: Connection, info: ConflictInfo, text: str) -> None:
    """A typed combination must be a value the file accepts there (a number in range, a
    known status), or the file would be refused the next time it is opened."""
    from carequal_desktop.store.validate import RULES

    rule = RULES.get(info.table, {}).get(info.field)
    if rule is None or conn.dialect.name != "sqlite":
        return  # the rules are SQLite's; a server's column types hold their own values
    bad = run(
        conn,
        f"SELECT 1 FROM {info.table} WHERE {_where(info.table)} AND NOT coalesce({rule}, 0)",
        _key_params(info.table, info.key),
    ).first()
    if bad is not None:
        raise UserError(
            f"“{text}” cannot be kept as “{info.field_label}”: that field does not accept it, "
            "so nothing was decided."
        )


def _free_ref(conn: Connection, rec: Record) -> Record:
    """A record put back whose reference has since been given to another: the next free one."""
    if rec.table not in _REF_TABLES:
        return rec
    ref = str(rec.values.get("ref"))
    taken = run(
        conn, f"SELECT count(*) FROM {rec.table} WHERE ref = ? AND id != ?", (ref, rec.key)
    ).scalar_one()
    if not taken:
        return rec
    refs = {r for (r,) in run(conn, f"SELECT ref FROM {rec.table}").fetchall()}
    from carequal_desktop.domain.merge import _next_ref

    return edit(rec, "ref", _next_ref(TABLES[rec.table].ref or "", ref, refs))


def _free_position(conn: Connection, rec: Record) -> Record:
    """A record put back whose place in its list was taken meanwhile: at the end."""
    if "position" not in TABLES[rec.table].fields or TABLES[rec.table].links:
        return rec
    if rec.table == "evaluation_item":
        code = str(rec.extra.get("indicator", ""))
        rows = run(
            conn,
            "SELECT i.position FROM evaluation_item i JOIN evaluation e ON e.id = i.evaluation_id "
            "WHERE e.indicator_code = ? AND i.kind = ? AND i.id != ?",
            (code, rec.values.get("kind"), rec.key),
        ).fetchall()
    else:
        rows = run(conn, f"SELECT position FROM {rec.table} WHERE id != ?", (rec.key,)).fetchall()
    taken = [r[0] or 0 for r in rows]
    if rec.values.get("position") not in taken:
        return rec
    return edit(rec, "position", max(taken) + 1)


def _links_of(conn: Connection, rec: Record) -> list[Record]:
    """An evidence item's or action's links here, alive or not, with their lineages."""
    if rec.table not in ("evidence", "improvement_action"):
        return []
    table, col = (
        ("evidence_indicator", "evidence_id")
        if rec.table == "evidence"
        else ("action_indicator", "action_id")
    )
    live = {
        f"{rec.key}|{code}": pos
        for code, pos in run(
            conn, f"SELECT indicator_code, position FROM {table} WHERE {col} = ?", (rec.key,)
        ).fetchall()
    }
    kept = {
        key
        for (key,) in run(
            conn,
            "SELECT key FROM record_history WHERE tbl = ? AND key LIKE ? ESCAPE '\\'",
            (table, rec.key.replace("%", "\\%").replace("_", "\\_") + "|%"),
        ).fetchall()
    }
    st = history.stored(conn, table, sorted(kept))
    out: list[Record] = []
    for key in sorted(set(live) | kept):
        if key in live:
            link = Record(table, key, True, {"position": live[key]})
            if key in st:
                link.lineages = st[key].lineages
            out.append(link)
        elif key in st:
            out.append(st[key])
    return out
