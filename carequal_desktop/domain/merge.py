"""Three-way merge of two copies of a workshop, field by field (plain Python, no database).

Every field of every record carries a *lineage*: the id of the version it holds now and the
ids of the versions it replaced (newest first). Version ids are derived from content
(``next_vid(parent, value)``), never from the clock or the machine, so two byte-identical
copies (made with Explorer, email, a USB stick or Save a copy as) that make the same edit
get the same id, and a record's first version is derived from where it sits
(``root_vid(table, key, field, default)``), so nothing has to be recorded until a field is
first changed. Merging one field is then a question of ancestry:

- theirs is ours or an ancestor of ours: keep ours (nothing new over there);
- ours is an ancestor of theirs: take theirs, silently (changed over there only);
- both changed to the same value: converged, keep it;
- both changed differently: a *conflict*, kept open (ours stays in place, theirs is kept in
  the conflict) until a person decides; positions in lists are the exception: concurrent
  reorderings are settled the same way on every laptop, without asking.

Deciding a conflict writes a version that descends from both sides, so merging the same
copy again asks nothing, and merging back the other way converges. The same rules hold
for a record's existence (a tombstone is the version "deleted"): a deletion on one side
and an edit on the other is a conflict.

Citations: evidence references ("E12") and action references ("2.3") are unique within a
workshop. Records added on both sides with the same reference are both kept; the incoming
one is renumbered and every citation in the incoming text follows it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# How many replaced versions a field remembers: enough for a day of autosaves between
# merges; a copy more than this many saves behind on one field gives a conflict, not a loss.
MAX_ANCESTORS = 200
# How many replaced *values* a field keeps, to show the common original of a conflict.
VALUE_DEPTH = 12
ALIVE = "_alive"
RECORD = "_record"  # the pseudo-field of a conflict between a deletion and an edit


@dataclass(frozen=True)
class TableSpec:
    """What the merge needs to know about one table."""

    name: str
    # What identifies a record in every copy: a column, or columns joined by "|" (a record's
    # key is then their values joined by "|"). Random ids identify only records made in
    # one copy; a record that two copies may each make (an indicator's evaluation, the
    # summary of statement 2) is known by what it is about. The one SQL form of a key is
    # ``store.tables.history_key_sql``.
    key: str
    fields: dict[str, Any]  # versioned columns and their defaults (None: no default)
    soft: frozenset[str] = frozenset()  # settled without asking (positions)
    text: frozenset[str] = frozenset()  # free text where citations are rewritten
    links: bool = False  # a link between records: merges as a set, deletion wins
    ref: str | None = None  # "evidence" | "action": references renumbered on collision
    # The key of a table's only record, whatever its columns hold (``key`` is then ""):
    # two copies that each made it hold one record, merged field by field.
    singleton: str | None = None

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns whose values make a record's key (none for a table's one record)."""
        return () if self.singleton is not None else tuple(self.key.split("|"))


_POS = frozenset({"position"})

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "workshop",
            "id",
            {
                "title": None,
                "partnership": None,
                "scope": "",
                "context": "",
                "facilitator": "",
                "framework_id": "",
                "framework_title": "",
                "extensions": None,
            },
            text=frozenset({"scope", "context"}),
        ),
        TableSpec(
            "workshop_session",
            "id",
            {"position": 0, "date": None, "place": "", "notes": ""},
            _POS,
            frozenset({"notes"}),
        ),
        TableSpec("statement", "id", {"number": None, "text": None}),
        TableSpec(
            "indicator",
            "id",
            {
                "code": None,
                "position": 0,
                "title": None,
                "key_question": "",
                "area": "",
                "statements": "[]",
                "prompts": "[]",
            },
            _POS,
        ),
        TableSpec("scale_level", "id", {"value": None, "label": None, "meaning": ""}),
        TableSpec(
            "participant", "id", {"position": 0, "name": None, "agency": None, "role": ""}, _POS
        ),
        TableSpec(
            "evaluation",
            "indicator_code",
            {
                "status": "not_started",
                "grade": None,
                "how_good_now": "",
                "how_do_we_know": "",
                "what_next": "",
                "rationale": "",
                "dissent": "",
                "previous_grade": None,
                "proposed_grades": "[]",
                "proposals_hidden": False,  # issue 10: the reveal state
                "dissents": "[]",  # issue 10: dissent per agency
            },
            text=frozenset({"how_good_now", "how_do_we_know", "what_next", "rationale", "dissent"}),
        ),
        TableSpec(
            "evaluation_item",
            "id",
            {"kind": None, "position": 0, "text": None},
            _POS,
            frozenset({"text"}),
        ),
        TableSpec(
            "evidence",
            "id",
            {
                "ref": None,
                "title": None,
                "kind": None,
                "agency": "",
                "date": None,
                "description": "",
                "location": "",
                "share_percent": None,
                "respondents": None,
                "supports": "context",
            },
            text=frozenset({"title", "description"}),
            ref="evidence",
        ),
        TableSpec(
            "evidence_indicator", "evidence_id|indicator_code", {"position": 0}, _POS, links=True
        ),
        TableSpec(
            "improvement_action",
            "id",
            {
                "ref": None,
                "position": 0,
                "statement": None,
                "issue": "",
                "task": "",
                "expected_outcome": "",
                "ownership": "",
                "monitoring": "",
                "baseline": "",
                "target": "",
                "due": None,
                "status": "not_started",
            },
            _POS,
            frozenset({"issue", "task", "expected_outcome", "monitoring", "baseline", "target"}),
            ref="action",
        ),
        TableSpec(
            "action_indicator", "action_id|indicator_code", {"position": 0}, _POS, links=True
        ),
        # The facilitation mode's agenda and parked points (issue 13): a timer's seconds
        # are settled without asking, like a position.
        TableSpec(
            "agenda_item",
            "id",
            {
                "position": 0,
                "title": None,
                "indicator_code": None,
                "minutes": 20,
                "spent_seconds": 0,
            },
            frozenset({"position", "spent_seconds"}),
        ),
        TableSpec(
            "parking_item",
            "id",
            {
                "position": 0,
                "kind": "parked",
                "text": None,
                "raised_by": "",
                "raised_at": None,
                "becomes": "",
                "target": None,
                "created": None,
            },
            _POS,
            frozenset({"text"}),
        ),
        # The position statement's own texts (issue 9). Document control, key messages,
        # conclusion and the evidence-age setting are one record in every copy, whatever id
        # each copy gave it; a statement's summary is known by the statement's number; a
        # mark "these words here are not personal data" by its place and words, and merges
        # as a set (a mark made on either side is kept, one unmarked is removed).
        TableSpec(
            "position_statement",
            "",
            {
                "version": "0.1",  # what the statement starts with when first written
                "status": "draft",
                "evaluation_date": None,
                "approved_by": "",
                "key_messages": "",
                "conclusion": "",
                "stale_evidence_months": 24,
            },
            text=frozenset({"key_messages", "conclusion"}),
            singleton="document",
        ),
        TableSpec("statement_summary", "number", {"text": ""}, text=frozenset({"text"})),
        TableSpec("not_personal", "place|text", {"place": None, "text": None}),
    )
}

# Records that belong to another record: merged only while their parent is there.
PARENT_OF = {"evidence_indicator": "evidence", "action_indicator": "improvement_action"}


# ----------------------------------------------------------------------------- versions


def canonical(value: Any) -> str:
    """The one text form of a value that version ids are made from (typed, so 1 ≠ "1")."""
    # Plain values are by far the most common: a quick form for them (merging a large
    # workshop hashes tens of thousands).
    if value is None:
        return "n"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    return "j" + json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _h(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits SQLite's signed 64-bit integer


def root_vid(table: str, key: str, name: str, value: Any) -> int:
    """The id of a field's first version: the same in every copy of the workshop."""
    return _h("root", table, key, name, canonical(value))


def next_vid(parent: int, value: Any) -> int:
    """The id of the version that replaces ``parent`` with ``value``."""
    return _h("next", str(parent), canonical(value))


def join_vid(a: int, b: int, value: Any) -> int:
    """The id of the version that settles ``a`` and ``b`` with ``value`` (order-free)."""
    lo, hi = sorted((a, b))
    return _h("join", str(lo), str(hi), canonical(value))


@dataclass(frozen=True)
class Lineage:
    """A field's current version and the versions it replaced, newest first."""

    vid: int
    ancestors: tuple[int, ...] = ()

    def knows(self, vid: int) -> bool:
        """Whether ``vid`` is this version or one it replaced."""
        return vid == self.vid or vid in self.ancestors

    def after(self, value: Any) -> Lineage:
        """The lineage once ``value`` replaces this version."""
        return Lineage(next_vid(self.vid, value), ((self.vid,) + self.ancestors)[:MAX_ANCESTORS])

    def joined(self, other: Lineage, value: Any) -> Lineage:
        """A version that descends from both, holding ``value`` (the same whichever is self)."""
        a, b = sorted((self, other), key=lambda lin: lin.vid)
        seen: set[int] = set()
        merged: list[int] = []
        for vid in _interleave((a.vid,) + a.ancestors, (b.vid,) + b.ancestors):
            if vid not in seen:
                seen.add(vid)
                merged.append(vid)
        return Lineage(join_vid(a.vid, b.vid, value), tuple(merged[:MAX_ANCESTORS]))

    def to_list(self) -> list[int]:
        return [self.vid, *self.ancestors]

    @classmethod
    def from_list(cls, values: Iterable[int]) -> Lineage:
        items = [int(v) for v in values]
        return cls(items[0], tuple(items[1:]))


def _interleave(a: tuple[int, ...], b: tuple[int, ...]) -> Iterable[int]:
    for i in range(max(len(a), len(b))):
        if i < len(a):
            yield a[i]
        if i < len(b):
            yield b[i]


@functools.lru_cache(maxsize=1 << 16, typed=True)
def initial_lineage(table: str, key: str, name: str, value: Any) -> Lineage:
    """The lineage of a field never changed since its record was made.

    A record is taken to have been made holding the column defaults and then given its
    values, so a record made on both sides (an indicator's evaluation, keyed by its code)
    merges field by field like any other.
    """
    default = TABLES[table].fields.get(name) if name != ALIVE else True
    root = root_vid(table, key, name, default)
    if value == default:
        return Lineage(root)
    return Lineage(next_vid(root, value), (root,))


def common_ancestor(a: Lineage, b: Lineage) -> int | None:
    """The newest version both lineages share, if either still remembers one."""
    other = set(b.to_list())
    for vid in a.to_list():
        if vid in other:
            return vid
    return None


# ------------------------------------------------------------------------------ records


@dataclass
class Record:
    """One record of one copy, with the lineages that are not implicit.

    ``lineages`` holds only what differs from ``initial_lineage`` of the current value (or,
    for a deleted record, everything it had); ``extra`` carries what is not merged field by
    field but is needed to put the record back (an item's indicator, a record's links).
    """

    table: str
    key: str
    alive: bool
    values: dict[str, Any]
    lineages: dict[str, Lineage] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def lineage(self, name: str) -> Lineage:
        found = self.lineages.get(name)
        if found is not None:
            return found
        value = self.alive if name == ALIVE else self.values.get(name)
        return initial_lineage(self.table, self.key, name, value)

    def explicit(self) -> dict[str, Lineage]:
        """The lineages worth storing: those an initial lineage would not give back."""
        out: dict[str, Lineage] = {}
        for name in [*TABLES[self.table].fields, ALIVE]:
            lin = self.lineage(name)
            value = self.alive if name == ALIVE else self.values.get(name)
            if not self.alive or lin != initial_lineage(self.table, self.key, name, value):
                out[name] = lin
        return out

    def copy(self) -> Record:
        return Record(
            self.table,
            self.key,
            self.alive,
            dict(self.values),
            dict(self.lineages),
            dict(self.extra),
        )


RecKey = tuple[str, str]


def edit(record: Record, name: str, value: Any) -> Record:
    """``record`` after one saved edit of one field (what the history keeps for each save)."""
    out = record.copy()
    if out.values.get(name) == value:
        return out
    out.lineages[name] = record.lineage(name).after(value)
    out.values[name] = value
    return out


def delete(record: Record) -> Record:
    """``record`` deleted: a tombstone that remembers every field's lineage and last value."""
    out = record.copy()
    for name in TABLES[record.table].fields:
        out.lineages[name] = record.lineage(name)
    out.lineages[ALIVE] = record.lineage(ALIVE).after(False)
    out.alive = False
    return out


def revive(record: Record, values: Mapping[str, Any]) -> Record:
    """A deleted record made again (a link put back): descends from its tombstone."""
    out = record.copy()
    out.lineages[ALIVE] = record.lineage(ALIVE).after(True)
    out.alive = True
    for name, value in values.items():
        out = edit(out, name, value)
    return out


# -------------------------------------------------------------------------------- merge


@dataclass
class Conflict:
    """The same field changed differently in both copies (or changed here, deleted there)."""

    table: str
    key: str
    field: str  # a column, or RECORD for a deletion against an edit
    base: Any
    base_known: bool
    ours: Any
    theirs: Any
    ours_lineage: Lineage
    theirs_lineage: Lineage
    theirs_record: Record | None = None  # for RECORD conflicts: what to put back
    theirs_links: list[Record] = dataclasses.field(default_factory=list)  # its links there


@dataclass
class MergeResult:
    """What merging theirs into ours changes in ours."""

    records: dict[RecKey, Record]  # final state of every record written (alive or tombstone)
    conflicts: list[Conflict]
    changes_taken: int
    renumbered: dict[str, dict[str, str]]  # "evidence"/"action" -> {old ref: new ref}
    replaced: dict[int, Any]  # values ours no longer holds, by version id (for later bases)


BaseLookup = Callable[[int], tuple[bool, Any]]


def _base_value(
    table: str, key: str, name: str, a: Lineage, b: Lineage, lookup: BaseLookup
) -> tuple[bool, Any]:
    vid = common_ancestor(a, b)
    if vid is None:
        return False, None
    default = TABLES[table].fields.get(name) if name != ALIVE else True
    if vid == root_vid(table, key, name, default):
        return True, default
    return lookup(vid)


def merge(
    ours: Mapping[RecKey, Record],
    theirs: Mapping[RecKey, Record],
    lookup: BaseLookup = lambda vid: (False, None),
    open_conflicts: Mapping[tuple[str, str, str], Collection[int]] | None = None,
) -> MergeResult:
    """Merge ``theirs`` into ``ours``; neither mapping is changed.

    ``lookup`` gives a replaced value by version id (for a conflict's common original);
    ``open_conflicts`` maps (table, key, field) of conflicts already open in ours to the
    versions of theirs they hold, so merging the same copy again raises nothing new.
    """
    open_conflicts = open_conflicts or {}
    out: dict[RecKey, Record] = {}
    conflicts: list[Conflict] = []
    replaced: dict[int, Any] = {}
    taken = 0
    from_theirs: dict[RecKey, set[str]] = {}  # fields whose value came from theirs

    def conflict(c: Conflict) -> None:
        if c.theirs_lineage.vid in open_conflicts.get((c.table, c.key, c.field), ()):
            return
        conflicts.append(c)

    links = _Links(ours, theirs)
    for rk in sorted(theirs):
        t = theirs[rk]
        o = ours.get(rk)
        spec = TABLES[t.table]
        if o is None:
            out[rk] = t.copy()
            if t.alive:
                taken += 1
                from_theirs[rk] = set(spec.fields)
            continue
        la_o, la_t = o.lineage(ALIVE), t.lineage(ALIVE)
        if o.alive and t.alive:
            merged, n, names = _merge_fields(o, t, lookup, conflict, replaced)
            if merged is not None:
                out[rk] = merged
                taken += n
                if names:
                    from_theirs[rk] = names
            continue
        if not o.alive and not t.alive:
            continue
        if la_o.knows(la_t.vid):
            stale = t if t.alive else None
            if stale is not None and not spec.links and _unknown_edits(stale, o, links):
                # Deleted here, edited there after the copy was made.
                conflict(_record_conflict(o, t, links))
            continue
        if la_t.knows(la_o.vid):
            if t.alive:  # put back over there after it was deleted here
                out[rk] = t.copy()
                taken += 1
                from_theirs[rk] = set(spec.fields)
            elif not spec.links and _unknown_edits(o, t, links):
                conflict(_record_conflict(o, t, links))  # edited here, deleted there
            else:
                out[rk] = t.copy()  # its tombstone keeps the last values
                taken += 1
            continue
        # Both changed whether it exists (deleted and put back): keep it, descending from both.
        keep = o if o.alive else t
        rec = keep.copy()
        rec.lineages[ALIVE] = la_o.joined(la_t, True)
        out[rk] = rec
        if not o.alive:
            taken += 1
            from_theirs[rk] = set(spec.fields)

    final = dict(ours)
    final.update(out)
    brought = {
        rk for rk, rec in out.items() if rec.alive and (rk not in ours or not ours[rk].alive)
    }
    taken -= len(brought & _drop_orphans(ours, final, out))  # links left behind do not count
    renumbered = _renumber(ours, final, out, from_theirs, conflicts)
    _untie_positions(final, out)
    return MergeResult(out, conflicts, taken, renumbered, replaced)


def free_position(rec: Record, others: Iterable[Record]) -> Record:
    """A record put back whose place in its list is now another's: at the end of the list."""
    group = _group(rec)
    if group is None:
        return rec
    taken = [
        o.values.get("position") or 0
        for o in others
        if o.alive and o.key != rec.key and o.table == rec.table and _group(o) == group
    ]
    if rec.values.get("position") not in taken:
        return rec
    return edit(rec, "position", max(taken) + 1)


def _group(rec: Record) -> tuple[str, ...] | None:
    """The list a record's position orders it in (None: not in an ordered list)."""
    if "position" not in TABLES[rec.table].fields:
        return None
    if rec.table == "evaluation_item":
        return (rec.table, str(rec.extra.get("indicator", "")), str(rec.values.get("kind")))
    if TABLES[rec.table].links:
        return (rec.table, rec.key.split("|", 1)[0])
    return (rec.table,)


def _untie_positions(final: dict[RecKey, Record], out: dict[RecKey, Record]) -> None:
    """Records added on both sides at the same place: one order, the same in every copy.

    Only lists this merge touched are looked at; ties are broken by record key, and the new
    positions are versions like any other, so merging back takes them without asking.
    """
    touched = {g for rec in out.values() if rec.alive and (g := _group(rec)) is not None}
    if not touched:
        return
    lists: dict[tuple[str, ...], list[Record]] = {}
    tables = {g[0] for g in touched}
    for rk, rec in final.items():
        rec = out.get(rk, rec)  # with its citations followed
        if rec.alive and rec.table in tables:
            group = _group(rec)
            if group in touched:
                lists.setdefault(group, []).append(rec)
    for members in lists.values():
        positions = [r.values.get("position") for r in members]
        if len(set(positions)) == len(positions):
            continue
        members.sort(key=lambda r: (r.values.get("position") or 0, r.key))
        for pos, rec in enumerate(members):
            if rec.values.get("position") != pos:
                moved = edit(rec, "position", pos)
                out[(rec.table, rec.key)] = final[(rec.table, rec.key)] = moved


def _merge_fields(
    o: Record,
    t: Record,
    lookup: BaseLookup,
    conflict: Callable[[Conflict], None],
    replaced: dict[int, Any],
) -> tuple[Record | None, int, set[str]]:
    spec = TABLES[o.table]
    if o.values == t.values and o.lineages == t.lineages:
        return None, 0, set()
    rec: Record | None = None
    taken = 0
    names: set[str] = set()
    for name in spec.fields:
        vo, vt = o.values.get(name), t.values.get(name)
        if vo == vt and name not in o.lineages and name not in t.lineages:
            continue  # never changed on either side: the same implicit lineage
        lo, lt = o.lineage(name), t.lineage(name)
        if lo.vid == lt.vid or lo.knows(lt.vid):
            continue
        if not lt.knows(lo.vid) and vo != vt and name not in spec.soft:
            known, base = _base_value(o.table, o.key, name, lo, lt, lookup)
            conflict(Conflict(o.table, o.key, name, base, known, vo, vt, lo, lt))
            continue
        rec = rec or o.copy()
        if lt.knows(lo.vid):
            rec.lineages[name] = lt
            if vo != vt:
                rec.values[name] = vt
                replaced[lo.vid] = vo
                taken += 1
                names.add(name)
        elif vo == vt:
            rec.lineages[name] = lo.joined(lt, vo)
        else:  # a position moved both ways: the same winner on every laptop
            winner = vo if lo.vid > lt.vid else vt
            rec.lineages[name] = lo.joined(lt, winner)
            if winner != vo:
                rec.values[name] = winner
                replaced[lo.vid] = vo
                taken += 1
    return rec, taken, names


def _unknown_edits(newer: Record, older: Record, links: _Links | None = None) -> bool:
    """Whether ``newer`` holds edits that ``older`` has never seen (its links included)."""
    if any(
        not older.lineage(name).knows(newer.lineage(name).vid)
        for name in TABLES[newer.table].fields
    ):
        return True
    return links is not None and links.unknown(newer, older)


class _Links:
    """The links of each evidence item and action, in both copies (built once per merge)."""

    def __init__(self, ours: Mapping[RecKey, Record], theirs: Mapping[RecKey, Record]) -> None:
        self.ours, self.theirs = ours, theirs
        self.by_parent: dict[tuple[str, str], set[RecKey]] = {}
        for side in (ours, theirs):
            for rk in side:
                parent = PARENT_OF.get(rk[0])
                if parent is not None:
                    self.by_parent.setdefault((parent, rk[1].split("|", 1)[0]), set()).add(rk)

    def of(self, table: str, key: str, side: Mapping[RecKey, Record]) -> list[Record]:
        """The link records (alive or not) of one record in one copy."""
        return [
            side[rk].copy() for rk in sorted(self.by_parent.get((table, key), ())) if rk in side
        ]

    def unknown(self, newer: Record, older: Record) -> bool:
        """Links made on ``newer``'s side since the copies parted (a link is an edit too)."""
        newer_side = self.ours if self.ours.get((newer.table, newer.key)) is newer else self.theirs
        older_side = self.theirs if newer_side is self.ours else self.ours
        for rk in self.by_parent.get((newer.table, newer.key), ()):
            link = newer_side.get(rk)
            if link is None or not link.alive:
                continue
            seen = older_side.get(rk)
            if seen is None or not seen.lineage(ALIVE).knows(link.lineage(ALIVE).vid):
                return True
        return False


def _record_conflict(o: Record, t: Record, links: _Links) -> Conflict:
    return Conflict(
        o.table,
        o.key,
        RECORD,
        None,
        False,
        dict(o.values) if o.alive else None,
        dict(t.values) if t.alive else None,
        o.lineage(ALIVE),
        t.lineage(ALIVE),
        t.copy(),
        links.of(t.table, t.key, links.theirs),
    )


def _drop_orphans(
    ours: Mapping[RecKey, Record], final: dict[RecKey, Record], out: dict[RecKey, Record]
) -> set[RecKey]:
    """Links go with their evidence or action: none brought in or kept without it.

    Returns the incoming links left behind."""
    dropped: set[RecKey] = set()
    for rk in list(final):
        parent_table = PARENT_OF.get(rk[0])
        rec = final[rk]
        if parent_table is None or not rec.alive:
            continue
        parent = final.get((parent_table, rec.key.split("|", 1)[0]))
        if parent is not None and parent.alive:
            continue
        mine = ours.get(rk)
        if mine is not None and mine.alive:
            out[rk] = final[rk] = delete(mine)
        else:
            if out.pop(rk, None) is not None:
                dropped.add(rk)
            if mine is None:
                del final[rk]
            else:
                final[rk] = mine
    return dropped


# ------------------------------------------------------------------- references, citations

_EVIDENCE_REF = re.compile(r"^E(\d+)$")
_ACTION_REF = re.compile(r"^(\d+)\.(\d+)$")


def _renumber(
    ours: Mapping[RecKey, Record],
    final: dict[RecKey, Record],
    out: dict[RecKey, Record],
    from_theirs: dict[RecKey, set[str]],
    conflicts: list[Conflict],
) -> dict[str, dict[str, str]]:
    """Give incoming records whose reference is taken here the next free one; follow citations."""
    maps: dict[str, dict[str, str]] = {}
    for table, spec in TABLES.items():
        if spec.ref is None:
            continue
        holders: dict[str, list[RecKey]] = {}
        for rk, rec in final.items():
            if rk[0] == table and rec.alive:
                holders.setdefault(str(rec.values.get("ref")), []).append(rk)
        used = set(holders)
        mapping: dict[str, str] = {}
        for ref, keys in sorted(holders.items()):
            if len(keys) < 2:
                continue
            keep = [
                k for k in keys if k in ours and ours[k].alive and ours[k].values.get("ref") == ref
            ]
            stay = keep[0] if keep else sorted(keys)[0]
            for rk in sorted(k for k in keys if k != stay):
                new = _next_ref(spec.ref, ref, used)
                used.add(new)
                rec = edit(final[rk], "ref", new)
                out[rk] = final[rk] = rec
                mapping[ref] = new
        if mapping:
            maps[spec.ref] = mapping
    if maps:
        _follow_citations(maps, out, from_theirs, conflicts)
    return maps


def _next_ref(kind: str, ref: str, used: set[str]) -> str:
    if kind == "evidence":
        top = max((int(m.group(1)) for r in used if (m := _EVIDENCE_REF.match(r))), default=0)
        return f"E{top + 1}"
    m = _ACTION_REF.match(ref)
    if m is None:
        n = 2
        while f"{ref}-{n}" in used:
            n += 1
        return f"{ref}-{n}"
    prefix = m.group(1)
    top = max(
        (int(mm.group(2)) for r in used if (mm := _ACTION_REF.match(r)) and mm.group(1) == prefix),
        default=0,
    )
    return f"{prefix}.{top + 1}"


def citation_pattern(
    maps: Mapping[str, Mapping[str, str]],
) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern that finds every old reference as a whole citation, and the mapping."""
    mapping: dict[str, str] = {}
    parts: list[str] = []
    for kind, refs in maps.items():
        for old, new in refs.items():
            mapping[old] = new
            esc = re.escape(old)
            if kind == "evidence":
                parts.append(rf"(?<![A-Za-z0-9]){esc}(?!\d)")
            else:
                parts.append(rf"(?<![\w.]){esc}(?!\.?\d)")
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(parts)), mapping


def rewrite_citations(text: str, maps: Mapping[str, Mapping[str, str]]) -> str:
    """``text`` with every cited old reference replaced by its new one, all at once."""
    if not maps or not text:
        return text
    pattern, mapping = citation_pattern(maps)
    return pattern.sub(lambda m: mapping[m.group(0)], text)


def _follow_citations(
    maps: dict[str, dict[str, str]],
    out: dict[RecKey, Record],
    from_theirs: dict[RecKey, set[str]],
    conflicts: list[Conflict],
) -> None:
    for rk, names in from_theirs.items():
        rec = out.get(rk)
        if rec is None:
            continue
        spec = TABLES[rk[0]]
        for name in names & spec.text:
            value = rec.values.get(name)
            if isinstance(value, str):
                new = rewrite_citations(value, maps)
                if new != value:
                    rec = edit(rec, name, new)
                    out[rk] = rec
    for c in conflicts:
        if isinstance(c.theirs, str) and c.field in TABLES[c.table].text:
            c.theirs = rewrite_citations(c.theirs, maps)


# ------------------------------------------------------------------------------ deciding


def decide(current: Record, c: Conflict, choice: str, text: str | None = None) -> Record:
    """The record once a person decided conflict ``c`` (``ours``, ``theirs`` or ``text``).

    The decided version descends from both sides, so neither copy asks again.
    """
    if choice not in ("ours", "theirs", "text"):
        raise ValueError(choice)
    if c.field == RECORD:
        if choice == "text":
            raise ValueError("a deleted record is kept or not; there is no text to choose")
        other = c.theirs_record if c.theirs_record is not None else current
        source = other if choice == "theirs" else current
        rec = source.copy()
        rec.key = current.key
        for name in TABLES[current.table].fields:
            a, b = current.lineage(name), other.lineage(name)
            rec.lineages[name] = a if a.vid == b.vid else a.joined(b, rec.values.get(name))
        rec.lineages[ALIVE] = current.lineage(ALIVE).joined(c.theirs_lineage, rec.alive)
        return rec
    if choice == "ours":
        value = current.values.get(c.field)
    elif choice == "theirs":
        value = c.theirs
    else:
        value = text
    rec = current.copy()
    rec.values[c.field] = value
    rec.lineages[c.field] = current.lineage(c.field).joined(c.theirs_lineage, value)
    return rec


def decide_links(
    decided: Record, c: Conflict, choice: str, ours_links: Iterable[Record]
) -> dict[RecKey, Record]:
    """The links of a record whose deletion conflict was decided, descending from both sides.

    A record kept or put back has the links of the side chosen; a record deleted has none.
    Every link's existence becomes a version both copies know, so merging either way
    afterwards agrees without asking again.
    """
    mine = {(r.table, r.key): r for r in ours_links}
    other = {(r.table, r.key): r for r in c.theirs_links}
    out: dict[RecKey, Record] = {}
    for rk in sorted(set(mine) | set(other)):
        o, t = mine.get(rk), other.get(rk)
        source = t if choice == "theirs" else o
        alive = decided.alive and source is not None and source.alive
        base = source or o or t
        assert base is not None
        rec = base.copy()
        rec.alive = alive
        if o is not None and t is not None and o.lineage(ALIVE).vid != t.lineage(ALIVE).vid:
            rec.lineages[ALIVE] = o.lineage(ALIVE).joined(t.lineage(ALIVE), alive)
        elif base.alive != alive:
            rec.lineages[ALIVE] = base.lineage(ALIVE).after(alive)
        if o is not None and t is not None:
            lo, lt = o.lineage("position"), t.lineage("position")
            if lo.vid != lt.vid:
                rec.lineages["position"] = lo.joined(lt, rec.values.get("position"))
        if not alive:
            for name in TABLES[rec.table].fields:
                rec.lineages[name] = rec.lineage(name)
        out[rk] = rec
    return out


# ----------------------------------------------------------------------- showing changes

_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` word by word: ("equal"|"insert"|"delete", text) pieces.

    Whitespace is kept as its own pieces, so joining the "equal" and "insert" pieces gives
    back ``new`` exactly, and joining "equal" and "delete" gives back ``old``.
    """
    import difflib

    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[a0:a1])))
            continue
        if a1 > a0:
            out.append(("delete", "".join(a[a0:a1])))
        if b1 > b0:
            out.append(("insert", "".join(b[b0:b1])))
    return out
