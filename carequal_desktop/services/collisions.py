"""Two people typing in the same field at once: the later save becomes a merge conflict.

Saving typed text checks the field still holds what the typing began from (optimistic
concurrency: the field's version is its text, and its lineage in ``record_history``). When a
colleague saved other text meanwhile, the service raises ``EditCollisionError`` and nothing
is written. ``record_collision`` then keeps the typed text as a conflict in the workshop,
exactly like one from a merged copy (``services/merge.py``), to be decided on the Merge page
or with ``carequal conflicts`` / ``carequal resolve``:

- *ours* is what the field holds now (the colleague's text, which stays in place);
- *theirs* is the typed text that could not be saved;
- *base* is the text the typing began from.

The typed text's version descends from the base's, so it is a true conflict with the stored
version, and deciding it writes a version that descends from both (``merge.resolve``): a
laptop copy merged later sees the decision, never the typed text, and asks nothing again.

Each window session that records collisions has one row in the merge log ("Simultaneous
edit", by the person whose typing it was), so the Merge page says where its conflicts came
from. Recording is idempotent: the same typing recorded again (a retry, or more typed before
the notice) updates that person's open conflict instead of adding another.

Everything here is SQLAlchemy Core, the same on a workshop file and on PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from carequal_desktop.domain.merge import (
    TABLES,
    VALUE_DEPTH,
    Lineage,
    Record,
    initial_lineage,
    root_vid,
)
from carequal_desktop.errors import EditCollisionError
from carequal_desktop.services import locking
from carequal_desktop.services import merge as merging
from carequal_desktop.services.values import now_iso

if TYPE_CHECKING:  # pragma: no cover
    from carequal_desktop.services.unit import WorkshopDb
    from carequal_desktop.services.workshop import WorkshopService

# A session's simultaneous edits in the merge log: this source name and no source path (a
# merged copy always has its path).
SOURCE_NAME = "Simultaneous edit"
_MISSING = object()
# One merge-log row per open workshop (a window session): the engine outlives nothing else.
_sessions: weakref.WeakKeyDictionary[WorkshopDb, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Origin:
    """Where an open conflict came from, when it was typing that collided."""

    by: str  # the login name of the person whose typing could not be saved
    at: str  # ISO time it was last recorded

    @property
    def sentence(self) -> str:
        return f"From a simultaneous edit by {self.by}"


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _key_column(table: str) -> str:
    return "indicator_code" if table == "evaluation" else "id"


def _current(conn: Connection, table: str, key: str) -> Record:
    """The record as it is now, with its stored lineages and what ``_label`` needs."""
    spec = TABLES[table]
    t = _table(table)
    names = list(spec.fields)
    row = conn.execute(
        select(*(t.c[n] for n in names)).where(t.c[_key_column(table)] == key)
    ).first()
    if row is None:
        from carequal_desktop.errors import UserError

        raise UserError("The record that was being typed in has been deleted meanwhile.")
    rec = Record(table, key, True, dict(zip(names, row, strict=True)))
    h = _table("record_history")
    stored = conn.execute(
        select(h.c.lineages).where(and_(h.c.tbl == table, h.c.key == key))
    ).scalar_one_or_none()
    if stored:
        rec.lineages = {n: Lineage.from_list(v) for n, v in json.loads(stored).items()}
    if table == "evaluation_item":
        ev, item = _table("evaluation"), _table("evaluation_item")
        rec.extra["indicator"] = (
            conn.execute(
                select(ev.c.indicator_code)
                .select_from(item.join(ev, ev.c.id == item.c.evaluation_id))
                .where(item.c.id == key)
            ).scalar_one_or_none()
            or ""
        )
    return rec


def _base_lineage(conn: Connection, rec: Record, field: str, base: Any) -> Lineage:
    """The version the typing began from: found in the field's lineage when it is still
    remembered there, else the version its text implies."""
    chain = rec.lineage(field).to_list()
    older = chain[1 : VALUE_DEPTH + 1]
    vv = _table("version_value")
    values: dict[int, Any] = {}
    if older:
        rows = conn.execute(select(vv.c.vid, vv.c.value).where(vv.c.vid.in_(older))).all()
        values = {int(vid): json.loads(value) for vid, value in rows}
    root = root_vid(rec.table, rec.key, field, TABLES[rec.table].fields.get(field))
    for i, vid in enumerate(older, start=1):
        value = TABLES[rec.table].fields.get(field) if vid == root else values.get(vid, _MISSING)
        if value is not _MISSING and value == base:
            return Lineage(vid, tuple(chain[i + 1 :]))
    return initial_lineage(rec.table, rec.key, field, base)


def _session_log(db: WorkshopDb) -> str:
    log_id = _sessions.get(db)
    if log_id is None:
        log_id = _sessions[db] = str(uuid.uuid4())
    return log_id


def _is_collision_log(log: Table) -> Any:
    return and_(log.c.source_name == SOURCE_NAME, log.c.source_path == "")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def record_collision(
    service: WorkshopService, exc: EditCollisionError, *, by: str | None = None
) -> merging.ConflictInfo:
    """Keep typing that collided with a colleague's save as a conflict to decide (one
    transaction); the colleague's text stays in place. Returns the conflict."""
    if exc.table not in TABLES or not exc.key:
        raise ValueError(f"A collision needs its record: {exc.table!r} {exc.key!r}")
    by = by or locking.this_user()
    table, key, field = exc.table, exc.key, exc.field
    stamp = now_iso()
    c = _table("merge_conflict").c
    log = _table("merge_log")
    with service.db.transaction() as s:
        conn = s.connection()
        rec = _current(conn, table, key)
        ours, mine, base = rec.values.get(field), exc.mine, exc.base
        ours_lin = rec.lineage(field)
        theirs_lin = _base_lineage(conn, rec, field, base).after(mine)
        record, code = merging._label(rec)
        mine_logs = select(log.c.id).where(and_(_is_collision_log(log), log.c.merged_by == by))
        earlier = conn.execute(
            select(c.id, c.ours, c.theirs, c.created).where(
                and_(
                    c.tbl == table,
                    c.key == key,
                    c.field == field,
                    c.resolved_at.is_(None),
                    c.base == _dumps(base),
                    c.merge_id.in_(mine_logs.scalar_subquery()),
                )
            )
        ).first()
        values = {
            "ours": _dumps(ours),
            "theirs": _dumps(mine),
            "ours_lineage": _dumps(ours_lin.to_list()),
            "theirs_lineage": _dumps(theirs_lin.to_list()),
            "indicator_code": code,
            "record_label": record,
        }
        if earlier is not None:
            # The same typing again (a retry, or typed on before the notice): one conflict.
            cid, created = int(earlier.id), str(earlier.created)
            if (earlier.ours, earlier.theirs) != (values["ours"], values["theirs"]):
                conn.execute(update(_table("merge_conflict")).where(c.id == cid).values(values))
        else:
            log_id = _session_log(service.db)
            logged = conn.execute(select(log.c.conflicts).where(log.c.id == log_id)).first()
            if logged is None:
                conn.execute(
                    insert(log).values(
                        id=log_id,
                        merged_at=stamp,
                        merged_by=by,
                        source_name=SOURCE_NAME,
                        source_path="",
                        source_updated=stamp,
                        changes_taken=0,
                        conflicts=1,
                    )
                )
            else:
                conn.execute(
                    update(log)
                    .where(log.c.id == log_id)
                    .values(merged_at=stamp, conflicts=int(logged.conflicts) + 1)
                )
            cid = int(
                conn.execute(
                    insert(_table("merge_conflict"))
                    .values(
                        merge_id=log_id,
                        tbl=table,
                        key=key,
                        field=field,
                        base=_dumps(base),
                        created=stamp,
                        resolved_by="",
                        **values,
                    )
                    .returning(c.id)
                ).scalar_one()
            )
            created = stamp
    return merging.ConflictInfo(
        cid, table, key, field, record, code, base, True, ours, mine, created
    )


def origins(service: WorkshopService) -> dict[int, Origin]:
    """Open conflicts that came from typing which collided: conflict id -> whose and when."""
    c = _table("merge_conflict").c
    log = _table("merge_log")
    with service.db.reading() as s:
        rows = s.connection().execute(
            select(c.id, log.c.merged_by, c.created)
            .select_from(_table("merge_conflict").join(log, log.c.id == c.merge_id))
            .where(and_(c.resolved_at.is_(None), _is_collision_log(log)))
        )
        return {int(cid): Origin(str(who), str(at)) for cid, who, at in rows}


def is_collision_log(entry: dict[str, Any]) -> bool:
    """Whether a merge-log entry (``merge.merge_log``) is a session's simultaneous edits."""
    return entry.get("source_name") == SOURCE_NAME and not entry.get("source_path")
