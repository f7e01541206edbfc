"""Plain records the services hand to the window and the reports (no SQL, no Qt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from carequal_desktop.domain.quantities import share_with_word


@dataclass
class WorkshopDetails:
    id: str
    title: str
    partnership: str
    scope: str = ""
    context: str = ""
    facilitator: str = ""
    framework_id: str = ""
    framework_title: str = ""
    created: str = ""
    updated: str = ""


@dataclass
class Session:
    id: str
    date: str
    place: str = ""
    notes: str = ""
    updated: str = ""


@dataclass
class Participant:
    id: str
    name: str
    agency: str
    role: str = ""
    updated: str = ""


@dataclass
class ListItem:
    """One strength or area for improvement."""

    id: str
    text: str


@dataclass
class ProposedGrade:
    agency: str
    grade: int
    participant: str | None = None
    note: str = ""


@dataclass
class Dissent:
    """A view recorded against the agreed grade, in the agency's own words."""

    agency: str
    text: str
    participant: str | None = None


@dataclass
class Evaluation:
    indicator_code: str
    status: str = "not_started"
    grade: int | None = None
    how_good_now: str = ""
    strengths: list[ListItem] = field(default_factory=list)
    areas_for_improvement: list[ListItem] = field(default_factory=list)
    how_do_we_know: str = ""
    what_next: str = ""
    rationale: str = ""
    proposed_grades: list[ProposedGrade] = field(default_factory=list)
    dissent: str = ""  # dissent not attributed to one agency (and files from before dissents)
    previous_grade: int | None = None
    updated: str = ""
    proposals_hidden: bool = False
    dissents: list[Dissent] = field(default_factory=list)


@dataclass
class Evidence:
    id: str
    ref: str
    title: str
    kind: str
    agency: str = ""
    date: str | None = None
    description: str = ""
    location: str = ""
    share_percent: float | None = None
    respondents: int | None = None
    indicators: list[str] = field(default_factory=list)
    supports: str = "context"
    updated: str = ""

    @property
    def ref_number(self) -> int:
        return int(self.ref[1:])

    @property
    def share_text(self) -> str:
        """ "82% — most", or empty."""
        return share_with_word(self.share_percent)


@dataclass
class Action:
    id: str
    ref: str
    task: str = ""
    statement: int | None = None
    indicators: list[str] = field(default_factory=list)
    issue: str = ""
    expected_outcome: str = ""
    ownership: str = ""
    monitoring: str = ""
    baseline: str = ""
    target: str = ""
    due: str | None = None
    status: str = "not_started"
    updated: str = ""

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Past its due date and neither complete nor dropped."""
        if not self.due or self.status in ("complete", "dropped"):
            return False
        today = today or dt.date.today()
        return dt.date.fromisoformat(self.due) < today


@dataclass
class IndicatorSummary:
    """A row of the overview."""

    code: str
    title: str
    statements: tuple[int, ...]
    status: str
    grade: int | None
    evidence_count: int
    action_count: int
