"""Workshop exchange JSON (``resources/exchange/workshop.schema.json``): import and export.

Export writes every field the file stores. Import validates against the schema and then
against the document's own consistency, and writes nothing unless all of it is sound: the
new workshop is built in a temporary file beside the target and moved into place at the end.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.text import for_storage, needs_storage_cleaning
from carequal_desktop.errors import InvalidExchangeError, StorageError, TargetExistsError, UserError
from carequal_desktop.resources import resource_path
from carequal_desktop.services import backups, files, locking
from carequal_desktop.services.files import write_atomically
from carequal_desktop.services.new_cycle import PREVIOUS_CYCLE_KEY, previous_cycle_document
from carequal_desktop.services.values import new_id, now_iso
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.connection import init_db
from carequal_desktop.store.jsonlimits import (
    INT_MAX,
    INT_MIN,
    MAX_DEPTH,
    JsonLimitError,
    dumps_strict,
    loads_limited,
)
from carequal_desktop.store.tables import (
    MAX_INTEGER,
    ActionIndicatorRow,
    ActionRow,
    AgendaItemRow,
    EvaluationItemRow,
    EvaluationRow,
    EvidenceIndicatorRow,
    EvidenceRow,
    Meta,
    ParkingItemRow,
    ParticipantRow,
    SessionRow,
    WorkshopRow,
)

FORMAT = "carequal-workshop"
VERSION = 1
MAX_IMPORT_BYTES = 512 * 1024 * 1024


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    with resource_path("exchange", "workshop.schema.json").open(encoding="utf-8") as fh:
        schema = json.load(fh)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def json_path(parts: Any) -> str:
    """``["evaluations", 0, "grade"]`` -> ``$.evaluations[0].grade``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


# ------------------------------------------------------------------ export


def export_document(service: WorkshopService) -> dict[str, Any]:
    """The whole workshop as an exchange document (a dict ready for ``json.dump``), read in
    one snapshot (colleagues' edits on a server never half appear in it)."""
    with service.db.snapshot():
        return _export(service)


def _export(service: WorkshopService) -> dict[str, Any]:
    d = service.details()
    fw = service.framework()
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "workshop": {
            "id": d.id,
            "title": d.title,
            "partnership": d.partnership,
            "scope": d.scope,
            "context": d.context,
            "facilitator": d.facilitator,
            "sessions": [
                {"date": s.date, "place": s.place, "notes": s.notes} for s in service.sessions()
            ],
            "created": d.created,
            "updated": d.updated,
        },
        "framework": fw.to_dict(),
        "participants": [
            {"id": p.id, "name": p.name, "agency": p.agency, "role": p.role}
            for p in service.participants()
        ],
        "evaluations": [],
        "evidence": [],
        "actions": [],
    }
    previous = previous_cycle_document(service)
    if previous is not None:
        doc["workshop"]["previous_cycle"] = previous
    for ev in service.evaluations():
        proposed = []
        for p in ev.proposed_grades:
            item: dict[str, Any] = {"agency": p.agency, "grade": p.grade}
            if p.participant:
                item["participant"] = p.participant
            if p.note:
                item["note"] = p.note
            proposed.append(item)
        entry: dict[str, Any] = {
            "indicator": ev.indicator_code,
            "status": ev.status,
            "grade": ev.grade,
            "how_good_now": ev.how_good_now,
            "strengths": [i.text for i in ev.strengths],
            "areas_for_improvement": [i.text for i in ev.areas_for_improvement],
            "how_do_we_know": ev.how_do_we_know,
            "what_next": ev.what_next,
            "rationale": ev.rationale,
            "proposed_grades": proposed,
        }
        # Optional since issue 10: written only when they say something, so version-1
        # documents export exactly as they were.
        if ev.proposals_hidden and ev.proposed_grades:  # with none, a round starts hidden
            entry["proposed_grades_hidden"] = True
        entry["dissent"] = ev.dissent
        if ev.dissents:
            entry["dissents"] = [_dissent_to_dict(x) for x in ev.dissents]
        entry.update({"previous_grade": ev.previous_grade, "updated": ev.updated})
        doc["evaluations"].append(entry)
    for e in service.evidence():
        item = {"id": e.id, "ref": e.ref, "title": e.title, "kind": e.kind, "agency": e.agency}
        if e.date:
            item["date"] = e.date
        item.update(
            {
                "description": e.description,
                "location": e.location,
                "share_percent": e.share_percent,
                "respondents": e.respondents,
                "indicators": list(e.indicators),
                "supports": e.supports,
                "updated": e.updated,
            }
        )
        doc["evidence"].append(item)
    for a in service.actions():
        item = {
            "id": a.id,
            "ref": a.ref,
            "statement": a.statement,
            "indicators": list(a.indicators),
            "issue": a.issue,
            "task": a.task,
            "expected_outcome": a.expected_outcome,
            "ownership": a.ownership,
            "monitoring": a.monitoring,
            "baseline": a.baseline,
            "target": a.target,
        }
        if a.due:
            item["due"] = a.due
        item.update({"status": a.status, "updated": a.updated})
        doc["actions"].append(item)
    from carequal_desktop.services.readiness import export_position_statement

    statement = export_position_statement(service)  # issue 9: optional, absent when unused
    if statement is not None:
        doc["position_statement"] = statement
    facilitation = _export_facilitation(service)
    if facilitation:
        doc["facilitation"] = facilitation
    extensions = service.extensions()
    if extensions is not None:
        doc["extensions"] = extensions
    return doc


def _dissent_to_dict(d: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"agency": d.agency}
    if d.participant:
        out["participant"] = d.participant
    out["text"] = d.text
    return out


def _export_facilitation(service: WorkshopService) -> dict[str, Any]:
    """The agenda and parking lot, or nothing when both are empty (older documents stay as they were)."""
    from carequal_desktop.services.facilitation import Facilitation

    f = Facilitation(service)
    agenda = []
    for a in f.agenda():
        slot: dict[str, Any] = {"id": a.id, "title": a.title}
        if a.indicator_code:
            slot["indicator"] = a.indicator_code
        slot.update({"minutes": a.minutes, "spent_seconds": a.spent_seconds})
        agenda.append(slot)
    parking = []
    for p in f.parking_lot():
        item: dict[str, Any] = {
            "id": p.id,
            "kind": p.kind,
            "text": p.text,
            "raised_by": p.raised_by,
        }
        if p.raised_at:
            item["raised_at"] = p.raised_at
        item["becomes"] = p.becomes
        if p.target:
            item["target"] = p.target
        item["created"] = p.created
        parking.append(item)
    out: dict[str, Any] = {}
    if agenda:
        out["agenda"] = agenda
    if parking:
        out["parking_lot"] = parking
    return out


def export_json(service: WorkshopService, target: Path, *, overwrite: bool = False) -> Path:
    """Write the exchange document to ``target`` (via a temporary file, never half-written)."""
    doc = export_document(service)
    try:
        text = dumps_strict(doc, indent=2) + "\n"  # never a bare NaN or Infinity
    except ValueError:
        raise UserError(
            f"“{service.path.name}” holds a number that JSON cannot carry, so it was not exported."
        ) from None
    write_atomically(Path(target), text.encode("utf-8"), overwrite=overwrite)
    return Path(target)


# ------------------------------------------------------------------ import


@dataclass
class ImportResult:
    path: Path
    warnings: list[str] = field(default_factory=list)


def _read_bounded(source: Path) -> bytes:
    """The bytes of a regular file, never more than ``MAX_IMPORT_BYTES``.

    Special files are refused before a byte is read (a FIFO would block for ever,
    ``/dev/zero`` would never end), and the size is bounded while reading, not only by
    what ``stat`` said.
    """
    st = os.stat(source)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(source)
    if not stat.S_ISREG(st.st_mode):
        raise UserError(
            f"{source.name} is not an ordinary file (it is a device, a pipe or a socket), "
            "so it was not read."
        )
    if st.st_size > MAX_IMPORT_BYTES:
        raise UserError(
            f"{source.name} is {st.st_size // (1024 * 1024)} MB, too large to be a workshop."
        )
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise UserError(f"{source.name} is not an ordinary file, so it was not read.")
        raw = fh.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise UserError(
            f"{source.name} is more than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, "
            "too large to be a workshop."
        )
    return raw


def parse_json_bytes(raw: bytes) -> Any:
    """Exchange JSON text to a document, with CareQual's limits (depth, numbers, no NaN)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidExchangeError("$", f"the file is not UTF-8 text (byte {exc.start})") from None
    try:
        return loads_limited(text)
    except JsonLimitError as exc:
        raise InvalidExchangeError("$", str(exc)) from None
    except json.JSONDecodeError as exc:
        raise InvalidExchangeError(
            "$", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def read_json_file(source: Path) -> Any:
    """Read a JSON file, turning every way it can fail into one sentence."""
    source = Path(source)
    try:
        raw = _read_bounded(source)
    except FileNotFoundError:
        raise UserError(f"There is no file at {source}.") from None
    except IsADirectoryError:
        raise UserError(f"{source} is a folder, not a JSON file.") from None
    except MemoryError:
        raise UserError(f"{source.name} is too large to read on this computer.") from None
    except OSError as exc:
        raise UserError(f"{source} could not be read ({exc.strerror or exc}).") from None
    return parse_json_bytes(raw)


def validate_document(doc: Any) -> None:
    """Raise ``InvalidExchangeError`` for the first problem in ``doc`` (schema, then consistency)."""
    import jsonschema

    validator = _validator()
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    except RecursionError:
        raise InvalidExchangeError("$", "the JSON is nested too deeply") from None
    if error is not None:
        raise InvalidExchangeError(json_path(error.absolute_path), _reason(error))
    _check_integers(doc)
    _check_consistency(doc)


def _check_integers(doc: dict[str, Any]) -> None:
    """Refuse a whole number a workshop cannot store on every engine (``extensions`` are kept
    as JSON text, so any number JSON allows may stay there)."""
    stack: list[tuple[Any, list[Any]]] = [
        (value, [key]) for key, value in doc.items() if key != "extensions"
    ]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, [*where, k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*where, i]) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and value > MAX_INTEGER:
            raise InvalidExchangeError(
                json_path(where),
                f"the number is larger than {MAX_INTEGER:,}, the most CareQual stores",
            )


def _reason(error: Any) -> str:
    """The schema's reason, without quoting a huge value back at the user."""
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return (
            f"the text is {len(error.instance):,} characters long; "
            f"at most {error.validator_value:,} are allowed"
        )
    message: str = error.message
    shown = repr(error.instance)
    if len(shown) > 80:
        message = message.replace(shown, shown[:60] + "…")
    return message if len(message) <= 300 else message[:299] + "…"


def _check_consistency(doc: dict[str, Any]) -> None:
    fw = doc["framework"]
    numbers: set[int] = set()
    for i, st in enumerate(fw["statements"]):
        if st["number"] in numbers:
            raise InvalidExchangeError(
                json_path(["framework", "statements", i, "number"]),
                f"statement {st['number']} appears twice",
            )
        numbers.add(st["number"])
    codes: set[str] = set()
    for i, ind in enumerate(fw["indicators"]):
        if ind["code"] in codes:
            raise InvalidExchangeError(
                json_path(["framework", "indicators", i, "code"]),
                f"indicator {ind['code']} appears twice",
            )
        codes.add(ind["code"])
        for j, n in enumerate(ind.get("statements", [])):
            if n not in numbers:
                raise InvalidExchangeError(
                    json_path(["framework", "indicators", i, "statements", j]),
                    f"there is no statement {n} in the framework",
                )
    values: set[int] = set()
    for i, lvl in enumerate(fw["scale"]):
        if lvl["value"] in values:
            raise InvalidExchangeError(
                json_path(["framework", "scale", i, "value"]), f"grade {lvl['value']} appears twice"
            )
        values.add(lvl["value"])

    ids: dict[str, str] = {doc["workshop"]["id"].lower(): "$.workshop.id"}

    def unique_id(value: str, where: list[Any]) -> None:
        key = value.lower()
        if key in ids:
            raise InvalidExchangeError(
                json_path(where), f"id {value} is already used at {ids[key]}"
            )
        ids[key] = json_path(where)

    def known_code(code: str, where: list[Any]) -> None:
        if code not in codes:
            raise InvalidExchangeError(
                json_path(where), f"there is no indicator {code} in the framework"
            )

    def known_grade(value: int | None, where: list[Any]) -> None:
        if value is not None and value not in values:
            raise InvalidExchangeError(
                json_path(where), f"{value} is not a grade on the framework's scale"
            )

    participants = set()
    for i, p in enumerate(doc.get("participants", [])):
        unique_id(p["id"], ["participants", i, "id"])
        participants.add(p["id"].lower())
    seen_eval: set[str] = set()
    for i, ev in enumerate(doc.get("evaluations", [])):
        known_code(ev["indicator"], ["evaluations", i, "indicator"])
        if ev["indicator"] in seen_eval:
            raise InvalidExchangeError(
                json_path(["evaluations", i, "indicator"]),
                f"indicator {ev['indicator']} has two evaluations",
            )
        seen_eval.add(ev["indicator"])
        known_grade(ev.get("grade"), ["evaluations", i, "grade"])
        known_grade(ev.get("previous_grade"), ["evaluations", i, "previous_grade"])
        for j, pg in enumerate(ev.get("proposed_grades", [])):
            known_grade(pg["grade"], ["evaluations", i, "proposed_grades", j, "grade"])
            if "participant" in pg and pg["participant"].lower() not in participants:
                raise InvalidExchangeError(
                    json_path(["evaluations", i, "proposed_grades", j, "participant"]),
                    f"there is no participant with id {pg['participant']}",
                )
        for j, ds in enumerate(ev.get("dissents", [])):
            if "participant" in ds and ds["participant"].lower() not in participants:
                raise InvalidExchangeError(
                    json_path(["evaluations", i, "dissents", j, "participant"]),
                    f"there is no participant with id {ds['participant']}",
                )
    refs: dict[str, str] = {}
    for i, e in enumerate(doc.get("evidence", [])):
        unique_id(e["id"], ["evidence", i, "id"])
        ref_key = f"E{int(e['ref'][1:])}"
        if ref_key in refs:
            raise InvalidExchangeError(
                json_path(["evidence", i, "ref"]),
                f"reference {e['ref']} is already used at {refs[ref_key]}",
            )
        refs[ref_key] = json_path(["evidence", i, "ref"])
        for j, code in enumerate(e.get("indicators", [])):
            known_code(code, ["evidence", i, "indicators", j])
    action_refs: dict[str, str] = {}
    for i, a in enumerate(doc.get("actions", [])):
        unique_id(a["id"], ["actions", i, "id"])
        if a["ref"] in action_refs:
            raise InvalidExchangeError(
                json_path(["actions", i, "ref"]),
                f"reference {a['ref']} is already used at {action_refs[a['ref']]}",
            )
        action_refs[a["ref"]] = json_path(["actions", i, "ref"])
        if a.get("statement") is not None and a["statement"] not in numbers:
            raise InvalidExchangeError(
                json_path(["actions", i, "statement"]),
                f"there is no statement {a['statement']} in the framework",
            )
        for j, code in enumerate(a.get("indicators", [])):
            known_code(code, ["actions", i, "indicators", j])


def import_document(doc: Any, target: Path, *, overwrite: bool = False) -> ImportResult:
    """Validate ``doc`` and build a new workshop file at ``target`` from it."""
    _check_limits(doc)
    validate_document(doc)
    target = Path(target)
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist.")
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        raise UserError(f"“{target.name}” is not an ordinary file, so it was not replaced.")
    cleaned = _count_uncleanable(doc)
    if locking.held_here(target):
        raise UserError(
            f"“{target.name}” is open in CareQual here, so it cannot be replaced; choose a "
            "different name for the imported workshop."
        )
    # The target's lock is held from the start: no window can open the old file while
    # its replacement is being built (its edits would be lost when it is replaced).
    locking.acquire(target)
    try:
        if target.exists():
            # Replacing keeps a copy of what was there (File › Restore an earlier version).
            try:
                backups.make_backup(target, "before-replace")
            except OSError as exc:
                raise StorageError(
                    f"“{target.name}” was not replaced, because no backup copy of it could be "
                    f"made first ({exc.strerror or exc}). Free some space and try again."
                ) from None

        def fill(tmp: Path) -> None:
            _build(doc, tmp)

        files.set_aside_journal(target)
        try:
            files.write_with(target, fill, overwrite=overwrite)
        except TargetExistsError:
            raise
        except StorageError as exc:
            raise files.not_created(target, exc) from None
    finally:
        locking.release(target)
    warnings = []
    if cleaned:
        warnings.append(
            f"{cleaned} piece(s) of text held characters that cannot be stored "
            "(NUL or unpaired surrogate code points); each was replaced with “\ufffd”."
        )
    return ImportResult(target, warnings)


def _check_limits(doc: Any) -> None:
    """Depth and number limits for a document built in Python (not read by ``read_json_file``)."""
    stack: list[tuple[Any, list[Any]]] = [(doc, [])]
    while stack:
        value, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise InvalidExchangeError("$", f"the JSON is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, [*where, k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*where, i]) for i, v in enumerate(value))
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        elif isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            raise InvalidExchangeError(json_path(where), "the number is too large to be stored")
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidExchangeError(json_path(where), f"{value} is not a number JSON allows")


def import_json(source: Path, target: Path, *, overwrite: bool = False) -> ImportResult:
    """Read an exchange file and build a workshop file from it."""
    return import_document(read_json_file(source), target, overwrite=overwrite)


def _count_uncleanable(value: Any) -> int:
    if isinstance(value, str):
        return int(needs_storage_cleaning(value))
    if isinstance(value, list):
        return sum(_count_uncleanable(v) for v in value)
    if isinstance(value, dict):
        return sum(_count_uncleanable(k) + _count_uncleanable(v) for k, v in value.items())
    return 0


def _clean_tree(value: Any) -> Any:
    if isinstance(value, str):
        return for_storage(value)
    if isinstance(value, list):
        return [_clean_tree(v) for v in value]
    if isinstance(value, dict):
        return {for_storage(k): _clean_tree(v) for k, v in value.items()}
    return value


def _build(doc: dict[str, Any], path: Path) -> None:
    doc = _clean_tree(doc)
    stamp = now_iso()
    engine = init_db(path, create=True)
    service = WorkshopService(path, engine)
    try:
        ws = doc["workshop"]
        with service.db.transaction() as s:
            extensions = doc.get("extensions")
            s.add(
                WorkshopRow(
                    id=ws["id"],
                    title=ws["title"],
                    partnership=ws["partnership"],
                    scope=ws.get("scope", ""),
                    context=ws.get("context", ""),
                    facilitator=ws.get("facilitator", ""),
                    extensions=None
                    if extensions is None
                    else json.dumps(extensions, ensure_ascii=False),
                    created=ws.get("created", stamp),
                    updated=ws.get("updated", stamp),
                )
            )
            service.frameworks.write(s, Framework.from_dict(doc["framework"]), stamp)
            s.add(Meta(key="imported", value=stamp))
            if "previous_cycle" in ws:
                link = json.dumps(ws["previous_cycle"], ensure_ascii=False)
                s.add(Meta(key=PREVIOUS_CYCLE_KEY, value=link))
        service.bulk_insert(
            SessionRow,
            [
                {
                    "id": new_id(),
                    "position": i,
                    "date": x["date"],
                    "place": x.get("place", ""),
                    "notes": x.get("notes", ""),
                    "updated": stamp,
                }
                for i, x in enumerate(ws.get("sessions", []))
            ],
        )
        service.bulk_insert(
            ParticipantRow,
            [
                {
                    "id": p["id"],
                    "position": i,
                    "name": p["name"],
                    "agency": p["agency"],
                    "role": p.get("role", ""),
                    "updated": stamp,
                }
                for i, p in enumerate(doc.get("participants", []))
            ],
        )
        eval_rows, item_rows = [], []
        for ev in doc.get("evaluations", []):
            eid = new_id()
            eval_rows.append(
                {
                    "id": eid,
                    "indicator_code": ev["indicator"],
                    "status": ev.get("status", "not_started"),
                    "grade": ev.get("grade"),
                    "how_good_now": ev.get("how_good_now", ""),
                    "how_do_we_know": ev.get("how_do_we_know", ""),
                    "what_next": ev.get("what_next", ""),
                    "rationale": ev.get("rationale", ""),
                    "dissent": ev.get("dissent", ""),
                    "previous_grade": ev.get("previous_grade"),
                    "proposed_grades": json.dumps(
                        ev.get("proposed_grades", []), ensure_ascii=False
                    ),
                    "proposals_hidden": bool(ev.get("proposed_grades_hidden", False)),
                    "dissents": json.dumps(ev.get("dissents", []), ensure_ascii=False),
                    "updated": ev.get("updated", stamp),
                }
            )
            for kind in ("strengths", "areas_for_improvement"):
                for pos, text in enumerate(ev.get(kind, [])):
                    item_rows.append(
                        {
                            "id": new_id(),
                            "evaluation_id": eid,
                            "kind": "strength" if kind == "strengths" else "area_for_improvement",
                            "position": pos,
                            "text": text,
                            "updated": stamp,
                        }
                    )
        service.bulk_insert(EvaluationRow, eval_rows)
        service.bulk_insert(EvaluationItemRow, item_rows)
        ev_rows, ev_links = [], []
        for e in doc.get("evidence", []):
            ev_rows.append(
                {
                    "id": e["id"],
                    "ref": e["ref"],
                    "ref_number": int(e["ref"][1:]),
                    "title": e["title"],
                    "kind": e["kind"],
                    "agency": e.get("agency", ""),
                    "date": e.get("date"),
                    "description": e.get("description", ""),
                    "location": e.get("location", ""),
                    "share_percent": None
                    if e.get("share_percent") is None
                    else float(e["share_percent"]),
                    "respondents": e.get("respondents"),
                    "supports": e.get("supports", "context"),
                    "updated": e.get("updated", stamp),
                }
            )
            for pos, code in enumerate(dict.fromkeys(e.get("indicators", []))):
                ev_links.append({"evidence_id": e["id"], "indicator_code": code, "position": pos})
        service.bulk_insert(EvidenceRow, ev_rows)
        service.bulk_insert(EvidenceIndicatorRow, ev_links)
        act_rows, act_links = [], []
        for pos, a in enumerate(doc.get("actions", [])):
            act_rows.append(
                {
                    "id": a["id"],
                    "ref": a["ref"],
                    "position": pos,
                    "statement": a.get("statement"),
                    "issue": a.get("issue", ""),
                    "task": a.get("task", ""),
                    "expected_outcome": a.get("expected_outcome", ""),
                    "ownership": a.get("ownership", ""),
                    "monitoring": a.get("monitoring", ""),
                    "baseline": a.get("baseline", ""),
                    "target": a.get("target", ""),
                    "due": a.get("due"),
                    "status": a.get("status", "not_started"),
                    "updated": a.get("updated", stamp),
                }
            )
            for i, code in enumerate(dict.fromkeys(a.get("indicators", []))):
                act_links.append({"action_id": a["id"], "indicator_code": code, "position": i})
        service.bulk_insert(ActionRow, act_rows)
        service.bulk_insert(ActionIndicatorRow, act_links)
        from carequal_desktop.services.readiness import import_position_statement

        import_position_statement(service, doc.get("position_statement"))
        facilitation = doc.get("facilitation", {})
        service.bulk_insert(
            AgendaItemRow,
            [
                {
                    "id": a["id"],
                    "position": i,
                    "title": a["title"],
                    "indicator_code": a.get("indicator"),
                    "minutes": a["minutes"],
                    "spent_seconds": a.get("spent_seconds", 0),
                    "updated": stamp,
                }
                for i, a in enumerate(facilitation.get("agenda", []))
            ],
        )
        service.bulk_insert(
            ParkingItemRow,
            [
                {
                    "id": p["id"],
                    "position": i,
                    "kind": p["kind"],
                    "text": p["text"],
                    "raised_by": p.get("raised_by", ""),
                    "raised_at": p.get("raised_at"),
                    "becomes": p.get("becomes", ""),
                    "target": p.get("target"),
                    "created": p["created"],
                    "updated": stamp,
                }
                for i, p in enumerate(facilitation.get("parking_lot", []))
            ],
        )
    finally:
        service.close()
