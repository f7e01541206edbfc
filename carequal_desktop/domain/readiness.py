"""Is the position statement ready to send? Plain rules over a workshop's records.

Each rule returns ``Finding`` objects: a kind, the place it concerns (indicator code,
evidence or action reference, field) and one sentence. The service gathers the records and
calls these; the window, the export dialog and ``carequal check`` show the same findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from carequal_desktop.domain.personal_data import KINDS as PERSONAL_KINDS
from carequal_desktop.domain.personal_data import Context, find_personal_data
from carequal_desktop.domain.records import Action, Evaluation, Evidence
from carequal_desktop.domain.vocabulary import EVIDENCE_KINDS

# The kinds, in the order the window and ``check`` list them, with a heading for each.
FINDING_KINDS: dict[str, str] = {
    "personal_data": "Possible personal data",
    "ungrounded_grade": "Grades with no evidence",
    "single_source": "Grades resting on one kind of evidence",
    "single_agency": "Grades resting on one agency's evidence",
    "stale_evidence": "Old evidence",
    "agreed_incomplete": "Agreed indicators with something missing",
    "smart_gap": "Actions that are not yet SMART",
}

# What inspectors look for when they triangulate: numbers, people's views, observation.
SOURCES: dict[str, str] = {
    "numbers": "Numbers (data, record reading)",
    "views": "People's views (surveys, focus groups)",
    "observation": "Observation",
    "documents": "Documents",
    "other": "Other",
}
SOURCE_OF_KIND: dict[str, str] = {
    "performance_data": "numbers",
    "record_reading": "numbers",
    "staff_survey": "views",
    "children_survey": "views",
    "parents_survey": "views",
    "focus_group": "views",
    "observation": "observation",
    "document": "documents",
    "other": "other",
}
SURVEY_KINDS = frozenset({"staff_survey", "children_survey", "parents_survey"})

# Evidence gathered by the partnership as a whole (joint record reading) is multi-agency.
JOINT_AGENCY_WORDS = (
    "partnership",
    "multi-agency",
    "multiagency",
    "joint",
    "inter-agency",
    "child protection committee",
    "cpc",
    "chief officers",
)

DEFAULT_STALE_MONTHS = 24

SMART_FIELDS: dict[str, str] = {
    "ownership": "owner",
    "due": "due date",
    "baseline": "baseline",
    "target": "target",
    "monitoring": "measure (monitoring arrangements)",
}


@dataclass(frozen=True)
class Finding:
    """One thing to look at before the statement goes out."""

    kind: str
    message: str
    indicator: str | None = None
    evidence: str | None = None  # reference, e.g. "E14"
    action: str | None = None  # reference, e.g. "1.2"
    statement: int | None = None
    field: str | None = None
    text: str | None = None  # personal data: the words found
    detail: str | None = None  # personal data: what they look like ("chi_number")
    missing: tuple[str, ...] = ()  # smart_gap: every field missing

    @property
    def place(self) -> str:
        """A stable description of where: "indicator 5.1 how_good_now", "evidence E3 title"."""
        parts: list[str] = []
        if self.indicator:
            parts.append(f"indicator {self.indicator}")
        if self.evidence:
            parts.append(f"evidence {self.evidence}")
        if self.action:
            parts.append(f"action {self.action}")
        if self.statement is not None:
            parts.append(f"statement {self.statement}")
        if not parts:
            parts.append("workshop")
        if self.field:
            parts.append(self.field)
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape documented in docs/command-line.md."""
        out = asdict(self)
        out["missing"] = list(self.missing)
        return out


@dataclass
class TextPlace:
    """A piece of user text and where it lives, for the personal-data check."""

    text: str
    field: str
    indicator: str | None = None
    evidence: str | None = None
    action: str | None = None
    statement: int | None = None
    label: str = ""  # "5.1 How good are we now?", for the sentence


def source_of(kind: str) -> str:
    return SOURCE_OF_KIND.get(kind, "other")


def _agency_key(agency: str) -> str:
    return " ".join(agency.lower().split())


def _is_joint(agency: str) -> bool:
    low = agency.lower()
    return any(word in low for word in JOINT_AGENCY_WORDS)


def grounding_findings(
    evaluations: Iterable[Evaluation], evidence_by_code: Mapping[str, Sequence[Evidence]]
) -> list[Finding]:
    """ungrounded_grade, single_source and single_agency for every graded indicator."""
    out: list[Finding] = []
    for ev in evaluations:
        if ev.grade is None:
            continue
        code = ev.indicator_code
        items = evidence_by_code.get(code, [])
        if not items:
            out.append(
                Finding(
                    "ungrounded_grade",
                    f"{code} is graded {ev.grade} but no evidence is linked to it.",
                    indicator=code,
                    field="grade",
                )
            )
            continue
        sources = {source_of(e.kind) for e in items}
        if len(sources) == 1:
            (only,) = sources
            kinds = sorted({EVIDENCE_KINDS.get(e.kind, e.kind).lower() for e in items})
            out.append(
                Finding(
                    "single_source",
                    f"{code}'s grade rests on one kind of evidence ({', '.join(kinds)}); "
                    "inspectors look for numbers, people's views and observation together.",
                    indicator=code,
                    field="grade",
                    detail=only,
                )
            )
        named = {_agency_key(e.agency): e.agency.strip() for e in items if e.agency.strip()}
        if len(named) == 1 and not any(_is_joint(a) for a in named.values()):
            (agency,) = named.values()
            out.append(
                Finding(
                    "single_agency",
                    f"{code}'s grade rests on evidence from one agency only ({agency}).",
                    indicator=code,
                    field="grade",
                    detail=agency,
                )
            )
    return out


def stale_cutoff(latest_session: str | None, months: int, today: dt.date | None = None) -> dt.date:
    """The date before which evidence counts as old: ``months`` before the latest session."""
    anchor = dt.date.fromisoformat(latest_session) if latest_session else (today or dt.date.today())
    total = anchor.year * 12 + (anchor.month - 1) - months
    year, month = divmod(total, 12)
    day = min(anchor.day, 28)
    return dt.date(year, month + 1, day)


def stale_findings(evidence: Iterable[Evidence], cutoff: dt.date, months: int) -> list[Finding]:
    """Evidence dated before ``cutoff``."""
    out: list[Finding] = []
    for e in evidence:
        if e.date and dt.date.fromisoformat(e.date) < cutoff:
            out.append(
                Finding(
                    "stale_evidence",
                    f"{e.ref} ({e.title}) is dated {e.date}, more than {_months(months)} before "
                    "the latest session.",
                    evidence=e.ref,
                    field="date",
                    indicator=e.indicators[0] if e.indicators else None,
                )
            )
    return out


def _months(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return "a year" if years == 1 else f"{years} years"
    return f"{months} months"


QUESTION_FIELDS = {
    "how_good_now": "How good are we now?",
    "how_do_we_know": "How do we know?",
    "what_next": "What are we going to do now?",
}


def agreed_incomplete_findings(
    evaluations: Iterable[Evaluation],
    evidence_by_code: Mapping[str, Sequence[Evidence]],
    actions_by_code: Mapping[str, Sequence[Action]],
) -> list[Finding]:
    """An indicator marked agreed without a grade or an answer to each question."""
    out: list[Finding] = []
    for ev in evaluations:
        if ev.status != "agreed":
            continue
        code = ev.indicator_code
        answered = {
            "how_good_now": bool(
                ev.how_good_now.strip() or ev.strengths or ev.areas_for_improvement
            ),
            "how_do_we_know": bool(ev.how_do_we_know.strip() or evidence_by_code.get(code)),
            "what_next": bool(ev.what_next.strip() or actions_by_code.get(code)),
        }
        missing = [f for f, ok in answered.items() if not ok]
        if ev.grade is None:
            missing.insert(0, "grade")
        if missing:
            words = [
                "a grade" if m == "grade" else f"an answer to “{QUESTION_FIELDS[m]}”"
                for m in missing
            ]
            out.append(
                Finding(
                    "agreed_incomplete",
                    f"{code} is marked agreed but is missing {_join(words)}.",
                    indicator=code,
                    field=missing[0],
                    missing=tuple(missing),
                )
            )
    return out


def smart_findings(actions: Iterable[Action]) -> list[Finding]:
    """Open actions without an owner, a due date, a baseline, a target or a measure."""
    out: list[Finding] = []
    for a in actions:
        if a.status in ("complete", "dropped"):
            continue
        missing = [f for f in SMART_FIELDS if not (getattr(a, f) or "").strip()]
        if missing:
            out.append(
                Finding(
                    "smart_gap",
                    f"Action {a.ref} has no {_join([SMART_FIELDS[m] for m in missing], 'or')}.",
                    action=a.ref,
                    indicator=a.indicators[0] if a.indicators else None,
                    field=missing[0],
                    missing=tuple(missing),
                )
            )
    return out


def _join(words: Sequence[str], last: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {last} " + words[-1]


def personal_data_findings(
    places: Iterable[TextPlace], context: Context, not_personal: set[tuple[str, str]]
) -> list[Finding]:
    """Possible personal details, except those the facilitator marked as not personal."""
    out: list[Finding] = []
    seen: dict[str, list[Any]] = {}  # the same text (a location, a template) is read once
    for place in places:
        if not place.text:
            continue
        matches = seen.get(place.text)
        if matches is None:
            matches = seen[place.text] = find_personal_data(place.text, context)
        for match in matches:
            finding = Finding(
                "personal_data",
                f"{place.label}: “{match.text}” looks like {match.what}.",
                indicator=place.indicator,
                evidence=place.evidence,
                action=place.action,
                statement=place.statement,
                field=place.field,
                text=match.text,
                detail=match.kind,
            )
            if (finding.place, match.text) not in not_personal:
                out.append(finding)
    return out


@dataclass
class TriangulationRow:
    """One indicator's evidence by source and by agency."""

    code: str
    title: str
    graded: bool
    sources: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sources.values())


def triangulation(
    indicators: Iterable[tuple[str, str]],
    evidence_by_code: Mapping[str, Sequence[Evidence]],
    graded: set[str],
) -> list[TriangulationRow]:
    """For each indicator, how many items of each source and from each agency support it."""
    rows: list[TriangulationRow] = []
    for code, title in indicators:
        row = TriangulationRow(code, title, code in graded, {s: 0 for s in SOURCES})
        for e in evidence_by_code.get(code, []):
            row.sources[source_of(e.kind)] += 1
            agency = e.agency.strip() or "Agency not recorded"
            row.agencies[agency] = row.agencies.get(agency, 0) + 1
        rows.append(row)
    return rows


__all__ = [
    "DEFAULT_STALE_MONTHS",
    "FINDING_KINDS",
    "PERSONAL_KINDS",
    "SOURCES",
    "SURVEY_KINDS",
    "Finding",
    "TextPlace",
    "TriangulationRow",
    "agreed_incomplete_findings",
    "grounding_findings",
    "personal_data_findings",
    "smart_findings",
    "stale_cutoff",
    "stale_findings",
    "triangulation",
]
