"""Applying an edited exchange document to an existing workshop, as edits.

``carequal update FILE EDITED.json`` is for people who edit a workshop's exchange JSON with
another tool (a script, a spreadsheet round trip): records are matched by id (evaluations
by indicator, strengths and areas by their text within each list, sessions by position),
changed fields are updated through the same service calls the window makes, new records are
added with the document's ids, and with ``delete_missing`` records the document no longer
has are deleted. Because every change goes through the service, each is recorded in the
field history like a typed edit, so copies updated this way still merge three-way.

The framework (indicators, statements, scale) is not changed by an update.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carequal_desktop.errors import UserError
from carequal_desktop.services import backups

if TYPE_CHECKING:
    from carequal_desktop.services.workshop import WorkshopService


class UpdateRefusedError(UserError):
    """The document cannot be applied to this workshop."""


@dataclass
class UpdateReport:
    """What an update changed, by kind of record."""

    changed: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.changed[what] = self.changed.get(what, 0) + n

    @property
    def total(self) -> int:
        return sum(self.changed.values())

    def summary(self) -> str:
        if not self.changed:
            return "Nothing to change: the workshop already matches the document."
        parts = ", ".join(f"{n} {what}" for what, n in sorted(self.changed.items()))
        return f"Updated: {parts}."


_DETAILS = ("title", "partnership", "scope", "context", "facilitator")
_EVALUATION = (
    "status",
    "grade",
    "how_good_now",
    "how_do_we_know",
    "what_next",
    "rationale",
    "dissent",
    "previous_grade",
)
_EVIDENCE = (
    "title",
    "kind",
    "agency",
    "date",
    "description",
    "location",
    "share_percent",
    "respondents",
    "supports",
)
_ACTION = (
    "ref",
    "statement",
    "issue",
    "task",
    "expected_outcome",
    "ownership",
    "monitoring",
    "baseline",
    "target",
    "due",
    "status",
)


def update_file(path: Path, source: Path, *, delete_missing: bool = False) -> UpdateReport:
    """Open ``path``, apply the document at ``source``, close (the command line)."""
    from carequal_desktop.services.exchange import read_json_file
    from carequal_desktop.services.workshop import WorkshopService

    doc = read_json_file(source)
    service = WorkshopService.open(path, read_only=False)
    try:
        return apply_document(service, doc, delete_missing=delete_missing)
    finally:
        service.close()


def apply_document(
    service: WorkshopService, doc: Any, *, delete_missing: bool = False
) -> UpdateReport:
    """Apply an exchange document to ``service``'s workshop as edits (see the module doc)."""
    from carequal_desktop.services.exchange import validate_document

    validate_document(doc)
    ws = doc["workshop"]
    mine = service.details()
    if str(ws["id"]).lower() != mine.id.lower():
        raise UpdateRefusedError(
            f"The document is of another workshop (“{ws['title']}”), not of “{mine.title}”, "
            "so it was not applied. Nothing was changed."
        )
    _check_refs(service, doc)
    if service.db.server is None:  # a server's backups are IT's, not a laptop's
        backups.make_backup(service.path, "before-update")
    report = UpdateReport()

    changed = {k: ws.get(k, "") for k in _DETAILS if ws.get(k, "") != getattr(mine, k)}
    if changed:
        service.update_details(**changed)
        report.count("workshop details")

    _sessions(service, ws.get("sessions", []), delete_missing, report)
    _participants(service, doc.get("participants", []), delete_missing, report)
    for ev in doc.get("evaluations", []):
        _evaluation(service, ev, report)
    _evidence(service, doc.get("evidence", []), delete_missing, report)
    _actions(service, doc.get("actions", []), delete_missing, report)
    return report


def _check_refs(service: WorkshopService, doc: dict[str, Any]) -> None:
    """Refuse before changing anything if a new record takes a reference in use."""
    for kind, records in (("evidence", service.evidence()), ("actions", service.actions())):
        by_ref = {r.ref: r.id for r in records}
        for item in doc.get(kind, []):
            holder = by_ref.get(item["ref"])
            if holder is not None and holder != item["id"]:
                what = "evidence" if kind == "evidence" else "action"
                raise UpdateRefusedError(
                    f"The document gives {item['ref']} to another {what} than the workshop "
                    "does, so it was not applied. Nothing was changed."
                )


def _sessions(
    service: WorkshopService,
    wanted: list[dict[str, Any]],
    delete_missing: bool,
    report: UpdateReport,
) -> None:
    have = service.sessions()
    for i, s in enumerate(wanted):
        if i < len(have):
            cur = have[i]
            fields = {
                k: s.get(k, "")
                for k in ("date", "place", "notes")
                if s.get(k, "") != getattr(cur, k)
            }
            if fields:
                service.update_session(cur.id, **fields)
                report.count("sessions")
        else:
            service.add_session(s["date"], s.get("place", ""), s.get("notes", ""))
            report.count("sessions")
    if delete_missing:
        for cur in have[len(wanted) :]:
            service.delete_session(cur.id)
            report.count("sessions")


def _participants(
    service: WorkshopService,
    wanted: list[dict[str, Any]],
    delete_missing: bool,
    report: UpdateReport,
) -> None:
    from carequal_desktop.services.workshop import new_id, now_iso
    from carequal_desktop.store.tables import ParticipantRow

    have = {p.id: p for p in service.participants()}
    new_rows = []
    for pos, p in enumerate(wanted):
        cur = have.get(p["id"])
        if cur is None:
            new_rows.append(
                {
                    "id": p["id"] or new_id(),
                    "position": len(have) + pos,
                    "name": p["name"],
                    "agency": p["agency"],
                    "role": p.get("role", ""),
                    "updated": now_iso(),
                }
            )
            continue
        fields = {
            k: p.get(k, "") for k in ("name", "agency", "role") if p.get(k, "") != getattr(cur, k)
        }
        if fields:
            service.update_participant(cur.id, **fields)
            report.count("participants")
    if new_rows:
        service.bulk_insert(ParticipantRow, new_rows)
        report.count("participants", len(new_rows))
    if delete_missing:
        keep = {p["id"] for p in wanted}
        for pid in have:
            if pid not in keep:
                service.delete_participant(pid)
                report.count("participants")


def _evaluation(service: WorkshopService, ev: dict[str, Any], report: UpdateReport) -> None:
    code = ev["indicator"]
    cur = service.evaluation(code)
    fields: dict[str, Any] = {
        k: ev.get(k) for k in _EVALUATION if k in ev and ev.get(k) != getattr(cur, k)
    }
    proposed = ev.get("proposed_grades", [])
    mine = [
        {
            k: v
            for k, v in (
                ("agency", p.agency),
                ("participant", p.participant),
                ("grade", p.grade),
                ("note", p.note),
            )
            if v not in (None, "")
        }
        for p in cur.proposed_grades
    ]
    if "proposed_grades" in ev and proposed != mine:
        fields["proposed_grades"] = proposed
    if fields:
        service.update_evaluation(code, **fields)
        report.count("evaluations")
    for kind, key, items in (
        ("strength", "strengths", cur.strengths),
        ("area_for_improvement", "areas_for_improvement", cur.areas_for_improvement),
    ):
        if key in ev:
            report.count(key.replace("_", " "), _list(service, code, kind, items, ev[key]))


def _list(
    service: WorkshopService, code: str, kind: str, items: list[Any], wanted: list[str]
) -> int:
    """Make a strengths or areas list say ``wanted`` with as few edits as possible."""
    texts = [i.text for i in items]
    if texts == wanted:
        return 0
    ids: list[str] = []
    edits = 0
    matcher = difflib.SequenceMatcher(a=texts, b=wanted, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            ids += [i.id for i in items[a0:a1]]
            continue
        old, new = items[a0:a1], wanted[b0:b1]
        for item, text in zip(old, new, strict=False):
            service.update_item(item.id, text)
            ids.append(item.id)
            edits += 1
        for item in old[len(new) :]:
            service.delete_item(item.id)
            edits += 1
        for text in new[len(old) :]:
            ids.append(service.add_item(code, kind, text).id)
            edits += 1
    service.reorder_items(code, kind, ids)
    return edits


def _evidence(
    service: WorkshopService,
    wanted: list[dict[str, Any]],
    delete_missing: bool,
    report: UpdateReport,
) -> None:
    from carequal_desktop.services.workshop import now_iso
    from carequal_desktop.store.tables import EvidenceIndicatorRow, EvidenceRow

    have = {e.id: e for e in service.evidence()}
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for e in wanted:
        cur = have.get(e["id"])
        if cur is None:
            rows.append(
                {
                    "id": e["id"],
                    "ref": e["ref"],
                    "ref_number": int(e["ref"][1:]),
                    **{k: e.get(k, _default(EvidenceRow, k)) for k in _EVIDENCE},
                    "updated": now_iso(),
                }
            )
            links += [
                {"evidence_id": e["id"], "indicator_code": c, "position": i}
                for i, c in enumerate(e.get("indicators", []))
            ]
            continue
        fields = {k: e.get(k, _default(EvidenceRow, k)) for k in _EVIDENCE}
        fields = {k: v for k, v in fields.items() if v != getattr(cur, k)}
        codes = list(e.get("indicators", []))
        if fields or codes != list(cur.indicators):
            service.update_evidence(
                cur.id, indicators=codes if codes != list(cur.indicators) else None, **fields
            )
            report.count("evidence")
    if rows:
        service.bulk_insert(EvidenceRow, rows)
        service.bulk_insert(EvidenceIndicatorRow, links)
        report.count("evidence", len(rows))
    if delete_missing:
        keep = {e["id"] for e in wanted}
        for eid in have:
            if eid not in keep:
                service.delete_evidence(eid)
                report.count("evidence")


def _actions(
    service: WorkshopService,
    wanted: list[dict[str, Any]],
    delete_missing: bool,
    report: UpdateReport,
) -> None:
    from carequal_desktop.services.workshop import now_iso
    from carequal_desktop.store.tables import ActionIndicatorRow, ActionRow

    have = {a.id: a for a in service.actions()}
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for pos, a in enumerate(wanted):
        cur = have.get(a["id"])
        if cur is None:
            rows.append(
                {
                    "id": a["id"],
                    "position": len(have) + pos,
                    **{k: a.get(k, _default(ActionRow, k)) for k in _ACTION},
                    "updated": now_iso(),
                }
            )
            links += [
                {"action_id": a["id"], "indicator_code": c, "position": i}
                for i, c in enumerate(a.get("indicators", []))
            ]
            continue
        fields = {k: a.get(k, _default(ActionRow, k)) for k in _ACTION}
        fields = {k: v for k, v in fields.items() if v != getattr(cur, k)}
        codes = list(a.get("indicators", []))
        if fields or codes != list(cur.indicators):
            service.update_action(
                cur.id, indicators=codes if codes != list(cur.indicators) else None, **fields
            )
            report.count("actions")
    if rows:
        service.bulk_insert(ActionRow, rows)
        service.bulk_insert(ActionIndicatorRow, links)
        report.count("actions", len(rows))
    if delete_missing:
        keep = {a["id"] for a in wanted}
        for aid in have:
            if aid not in keep:
                service.delete_action(aid)
                report.count("actions")


def _default(table: Any, name: str) -> Any:
    column = table.__table__.columns[name]
    return column.default.arg if column.default is not None else None
