"""The next self-evaluation cycle: a new workshop started from a previous one.

The new workshop keeps the framework (or moves to a built-in one, matching indicators by
code), the team, the evidence with its dates (so stale items show their age) and the open
actions with their progress. Every indicator starts *not started* with no grade, the previous
cycle's agreed grade kept as its previous grade. Completed and dropped actions are left
behind, but listed (in the new file and its Word document) as what the last cycle achieved,
and the new workshop records which workshop it came from.

The new file is built as an exchange document and imported, so it gets the same checks and
the same never-half-written guarantee as any import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carequal_desktop.domain.framework import Framework, load_builtin
from carequal_desktop.domain.text import one_line
from carequal_desktop.errors import UserError
from carequal_desktop.store.tables import Meta

if TYPE_CHECKING:  # pragma: no cover
    from carequal_desktop.services.workshop import WorkshopService

PREVIOUS_CYCLE_KEY = "previous_cycle"
SAME_FRAMEWORK = "same"
OPEN_ACTION_STATUSES = ("not_started", "in_progress")
CLOSED_ACTION_STATUSES = ("complete", "dropped")


@dataclass(frozen=True)
class ClosedAction:
    """An action the previous cycle completed or dropped."""

    ref: str
    task: str
    status: str  # "complete" | "dropped"
    expected_outcome: str = ""
    target: str = ""
    due: str | None = None
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreviousCycle:
    """The workshop this one was started from."""

    id: str
    title: str
    date: str | None = None
    partnership: str = ""
    framework: str = ""
    closed_actions: tuple[ClosedAction, ...] = ()

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> PreviousCycle:
        return cls(
            id=doc["id"],
            title=doc["title"],
            date=doc.get("date"),
            partnership=doc.get("partnership", ""),
            framework=doc.get("framework", ""),
            closed_actions=tuple(
                ClosedAction(
                    ref=a["ref"],
                    task=a["task"],
                    status=a["status"],
                    expected_outcome=a.get("expected_outcome", ""),
                    target=a.get("target", ""),
                    due=a.get("due"),
                    indicators=tuple(a.get("indicators", [])),
                )
                for a in doc.get("closed_actions", [])
            ),
        )

    @property
    def completed(self) -> list[ClosedAction]:
        return [a for a in self.closed_actions if a.status == "complete"]

    @property
    def dropped(self) -> list[ClosedAction]:
        return [a for a in self.closed_actions if a.status == "dropped"]


@dataclass
class NewCycleResult:
    """What ``start_next_cycle`` made, for the message or the command line."""

    path: Path
    title: str
    framework_title: str
    previous_title: str = ""
    previous_grades: int = 0
    participants: int = 0
    evidence: int = 0
    evidence_from_last_cycle: int = 0  # dated on or before the last cycle's date
    last_cycle_date: str | None = None
    open_actions: int = 0
    closed_actions: int = 0
    unmatched_indicators: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self, *, with_warnings: bool = True) -> str:
        """A few lines a facilitator can read."""
        lines = [
            f"“{self.title}” was started from “{self.previous_title}”, "
            f"on the {self.framework_title}.",
            f"{self.participants} team member(s), {self.evidence} evidence item(s) with their dates "
            f"and {self.open_actions} open action(s) were carried forward.",
            f"{self.previous_grades} indicator(s) show last cycle's grade as the previous grade.",
        ]
        if self.evidence_from_last_cycle and self.last_cycle_date:
            lines.append(
                f"{self.evidence_from_last_cycle} evidence item(s) are dated on or before "
                f"{self.last_cycle_date}, when the last cycle met: check they are still current."
            )
        if self.closed_actions:
            lines.append(
                f"{self.closed_actions} completed or dropped action(s) are listed as what the "
                "last cycle achieved."
            )
        if with_warnings:
            lines.extend(self.warnings)
        return "\n".join(lines)


# ----------------------------------------------------------- reading the link


def previous_cycle_document(service: WorkshopService) -> dict[str, Any] | None:
    """The stored link to the previous workshop, in the exchange format's shape, or None."""
    from sqlalchemy import select

    with service.db.reading() as s:
        value = s.exec(select(Meta.value).where(Meta.key == PREVIOUS_CYCLE_KEY)).scalar()  # type: ignore[call-overload]
    if value is None:
        return None
    doc: dict[str, Any] = json.loads(value)
    return doc


def previous_cycle(service: WorkshopService) -> PreviousCycle | None:
    """The workshop this one was started from, with the actions it closed, or None."""
    doc = previous_cycle_document(service)
    return None if doc is None else PreviousCycle.from_document(doc)


# ---------------------------------------------------------- starting a cycle


def framework_choices(service: WorkshopService) -> list[tuple[str, str]]:
    """(key, words) for the choice of framework: the workshop's own first, then built-ins."""
    fw = service.framework()
    from carequal_desktop.domain.framework import builtin_framework_ids

    choices = [(SAME_FRAMEWORK, f"The same framework as before ({fw.title}), with its corrections")]
    for fid, title in builtin_framework_ids():
        choices.append((fid, f"The built-in {title}, matching indicators by code"))
    return choices


def suggested_title(previous_title: str, today: dt.date | None = None) -> str:
    """The previous title with its year moved on ("… 2026" -> "… 2027"), or "… (next cycle)"."""
    today = today or dt.date.today()
    years = list(re.finditer(r"\b(19|20)\d{2}\b", previous_title))
    if not years:
        return f"{previous_title} (next cycle)"
    last = years[-1]
    year = int(last.group())
    new_year = max(year + 1, today.year)
    return previous_title[: last.start()] + str(new_year) + previous_title[last.end() :]


def _cycle_date(service: WorkshopService) -> str | None:
    sessions = [s.date for s in service.sessions() if s.date]
    if sessions:
        return max(sessions)
    updated = service.details().updated
    return updated[:10] if updated else None


def next_cycle_document(
    previous: WorkshopService,
    *,
    title: str | None = None,
    framework: str = SAME_FRAMEWORK,
    new_id: str | None = None,
    stamp: str | None = None,
) -> tuple[dict[str, Any], NewCycleResult]:
    """The new workshop as an exchange document, and what it carries (path not yet known)."""
    from carequal_desktop.services.exchange import export_document
    from carequal_desktop.services.values import new_id as make_id
    from carequal_desktop.services.values import now_iso

    old = export_document(previous)
    stamp = stamp or now_iso()
    if framework == SAME_FRAMEWORK:
        fw_doc = old["framework"]
    else:
        try:
            fw_doc = load_builtin(framework).to_dict()
        except KeyError:
            raise UserError(f"There is no built-in framework called “{framework}”.") from None
    new_fw = Framework.from_dict(fw_doc)
    codes = {ind.code for ind in new_fw.indicators}
    statements = {st.number for st in new_fw.statements}
    scale = {lvl.value for lvl in new_fw.scale}

    title = one_line(title or suggested_title(old["workshop"]["title"]))
    if not title:
        raise UserError("The new workshop needs a title.")
    ws_old = old["workshop"]
    link: dict[str, Any] = {"id": ws_old["id"], "title": ws_old["title"]}
    if ws_old.get("partnership"):
        link["partnership"] = ws_old["partnership"]
    date = _cycle_date(previous)
    if date:
        link["date"] = date
    link["framework"] = old["framework"]["title"]
    closed = []
    for a in old["actions"]:
        if a["status"] in CLOSED_ACTION_STATUSES:
            item: dict[str, Any] = {"ref": a["ref"], "task": a["task"], "status": a["status"]}
            if a.get("expected_outcome"):
                item["expected_outcome"] = a["expected_outcome"]
            if a.get("target"):
                item["target"] = a["target"]
            if a.get("due"):
                item["due"] = a["due"]
            if a.get("indicators"):
                item["indicators"] = list(a["indicators"])
            closed.append(item)
    if closed:
        link["closed_actions"] = closed

    result = NewCycleResult(Path(), title, new_fw.title, previous_title=ws_old["title"])
    doc: dict[str, Any] = {
        "format": old["format"],
        "version": old["version"],
        "workshop": {
            "id": new_id or make_id(),
            "title": title,
            "partnership": ws_old["partnership"],
            "scope": ws_old.get("scope", ""),
            "context": ws_old.get("context", ""),
            "facilitator": ws_old.get("facilitator", ""),
            "sessions": [],
            "created": stamp,
            "updated": stamp,
            "previous_cycle": link,
        },
        "framework": fw_doc,
        "participants": old["participants"],
        "evaluations": [],
        "evidence": [],
        "actions": [],
    }
    result.participants = len(old["participants"])

    previous_grades = {e["indicator"]: e.get("grade") for e in old["evaluations"]}
    for ind in new_fw.indicators:
        grade = previous_grades.get(ind.code)
        if grade is not None and grade in scale:
            doc["evaluations"].append(
                {
                    "indicator": ind.code,
                    "status": "not_started",
                    "grade": None,
                    "proposed_grades": [],
                    "previous_grade": grade,
                    "updated": stamp,
                }
            )
            result.previous_grades += 1
    result.unmatched_indicators = sorted(
        (c for c, g in previous_grades.items() if g is not None and c not in codes),
        key=lambda c: tuple(int(p) for p in c.split(".")),
    )
    if result.unmatched_indicators:
        result.warnings.append(
            "These indicators are not in the new framework, so their grades were not carried: "
            + ", ".join(result.unmatched_indicators)
            + "."
        )

    dropped_links = 0
    for e in old["evidence"]:
        item = dict(e)
        kept = [c for c in e.get("indicators", []) if c in codes]
        dropped_links += len(e.get("indicators", [])) - len(kept)
        item["indicators"] = kept
        doc["evidence"].append(item)
    result.evidence = len(doc["evidence"])
    result.last_cycle_date = date
    if date:
        result.evidence_from_last_cycle = sum(
            1 for e in doc["evidence"] if e.get("date") and e["date"] <= date
        )
    for a in old["actions"]:
        if a["status"] not in OPEN_ACTION_STATUSES:
            continue
        item = dict(a)
        kept = [c for c in a.get("indicators", []) if c in codes]
        dropped_links += len(a.get("indicators", [])) - len(kept)
        item["indicators"] = kept
        if item.get("statement") is not None and item["statement"] not in statements:
            item["statement"] = None
        doc["actions"].append(item)
    result.open_actions = len(doc["actions"])
    result.closed_actions = len(closed)
    if dropped_links:
        result.warnings.append(
            f"{dropped_links} link(s) from evidence or actions to indicators the new framework "
            "does not have were left out."
        )
    if "extensions" in old:
        doc["extensions"] = old["extensions"]
    return doc, result


def start_next_cycle(
    previous: WorkshopService,
    target: Path,
    *,
    title: str | None = None,
    framework: str = SAME_FRAMEWORK,
    overwrite: bool = False,
) -> NewCycleResult:
    """Make the next cycle's workshop at ``target`` from ``previous`` (never half-written)."""
    from carequal_desktop.services.exchange import import_document

    target = Path(target)
    if target.resolve() == previous.path.resolve():
        raise UserError(
            "Choose a different file for the new workshop; that one is the previous cycle."
        )
    doc, result = next_cycle_document(previous, title=title, framework=framework)
    imported = import_document(doc, target, overwrite=overwrite)
    result.path = imported.path
    result.warnings.extend(imported.warnings)
    return result
