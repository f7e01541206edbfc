"""The tables of a workshop file.

Every record has a stable UUID (``id``) and an ``updated`` time (ISO 8601, UTC), so work
from several laptops can later be merged. Timestamps and dates are stored as the text the
exchange format carries, so export gives back exactly what was imported.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

# Tables register on this metadata; init_db creates them in a new file.
metadata = SQLModel.metadata


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class WorkshopRow(SQLModel, table=True):
    __tablename__ = "workshop"
    id: str = Field(primary_key=True)
    title: str
    partnership: str
    scope: str = ""
    context: str = ""
    facilitator: str = ""
    framework_id: str = ""
    framework_title: str = ""
    extensions: str | None = None  # JSON text, carried through untouched
    created: str
    updated: str


class SessionRow(SQLModel, table=True):
    __tablename__ = "workshop_session"
    id: str = Field(primary_key=True)
    position: int = 0
    date: str
    place: str = ""
    notes: str = ""
    updated: str


class StatementRow(SQLModel, table=True):
    __tablename__ = "statement"
    id: str = Field(primary_key=True)
    number: int = Field(unique=True)
    text: str
    updated: str


class IndicatorRow(SQLModel, table=True):
    __tablename__ = "indicator"
    id: str = Field(primary_key=True)
    code: str = Field(unique=True)
    position: int = 0
    title: str
    key_question: str = ""
    area: str = ""
    statements: str = "[]"  # JSON list of statement numbers
    prompts: str = "[]"  # JSON list of strings
    updated: str


class ScaleLevelRow(SQLModel, table=True):
    __tablename__ = "scale_level"
    id: str = Field(primary_key=True)
    value: int = Field(unique=True)
    label: str
    meaning: str = ""
    updated: str


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"
    id: str = Field(primary_key=True)
    position: int = 0
    name: str
    agency: str
    role: str = ""
    updated: str


class EvaluationRow(SQLModel, table=True):
    __tablename__ = "evaluation"
    id: str = Field(primary_key=True)
    indicator_code: str = Field(unique=True)
    status: str = "not_started"
    grade: int | None = None
    how_good_now: str = ""
    how_do_we_know: str = ""
    what_next: str = ""
    rationale: str = ""
    dissent: str = ""
    previous_grade: int | None = None
    proposed_grades: str = "[]"  # JSON list of {agency, participant?, grade, note?}
    updated: str


class EvaluationItemRow(SQLModel, table=True):
    """One strength or area for improvement in an evaluation's list."""

    __tablename__ = "evaluation_item"
    id: str = Field(primary_key=True)
    evaluation_id: str = Field(foreign_key="evaluation.id", ondelete="CASCADE", index=True)
    kind: str  # "strength" | "area_for_improvement"
    position: int = 0
    text: str
    updated: str


class EvidenceRow(SQLModel, table=True):
    __tablename__ = "evidence"
    id: str = Field(primary_key=True)
    ref: str = Field(unique=True)
    ref_number: int = Field(index=True)
    title: str
    kind: str
    agency: str = ""
    date: str | None = None
    description: str = ""
    location: str = ""
    share_percent: float | None = None
    respondents: int | None = None
    supports: str = "context"
    updated: str


class EvidenceIndicatorRow(SQLModel, table=True):
    __tablename__ = "evidence_indicator"
    evidence_id: str = Field(foreign_key="evidence.id", primary_key=True, ondelete="CASCADE")
    indicator_code: str = Field(primary_key=True, index=True)
    position: int = 0


class ActionRow(SQLModel, table=True):
    __tablename__ = "improvement_action"
    id: str = Field(primary_key=True)
    ref: str = Field(unique=True)
    position: int = 0
    statement: int | None = None
    issue: str = ""
    task: str = ""
    expected_outcome: str = ""
    ownership: str = ""
    monitoring: str = ""
    baseline: str = ""
    target: str = ""
    due: str | None = None
    status: str = "not_started"
    updated: str


class ActionIndicatorRow(SQLModel, table=True):
    __tablename__ = "action_indicator"
    action_id: str = Field(
        foreign_key="improvement_action.id", primary_key=True, ondelete="CASCADE"
    )
    indicator_code: str = Field(primary_key=True, index=True)
    position: int = 0


# --- position statement: document control, team-written summaries, personal-data marks


class PositionStatementRow(SQLModel, table=True):
    """One row: the document's control block, key messages, conclusion and check settings."""

    __tablename__ = "position_statement"
    id: str = Field(primary_key=True)
    version: str = ""
    status: str = "draft"  # draft | for_sign_off | final
    evaluation_date: str | None = None
    approved_by: str = ""
    key_messages: str = ""
    conclusion: str = ""
    stale_evidence_months: int = 24
    updated: str


class StatementSummaryRow(SQLModel, table=True):
    """The team's short evaluative summary of one inspection statement."""

    __tablename__ = "statement_summary"
    id: str = Field(primary_key=True)
    number: int = Field(unique=True)
    text: str = ""
    updated: str


class NotPersonalRow(SQLModel, table=True):
    """Words the facilitator has looked at and marked as not personal data, at one place."""

    __tablename__ = "not_personal"
    id: str = Field(primary_key=True)
    place: str
    text: str
    updated: str


class AgendaItemRow(SQLModel, table=True):
    """One slot of the facilitation agenda: an indicator or a session, with its time."""

    __tablename__ = "agenda_item"
    id: str = Field(primary_key=True)
    position: int = 0
    title: str
    indicator_code: str | None = None
    minutes: int = 20
    spent_seconds: int = 0
    updated: str


class ParkingItemRow(SQLModel, table=True):
    """A point parked in the room (or a quick note), to be sorted later."""

    __tablename__ = "parking_item"
    id: str = Field(primary_key=True)
    position: int = 0
    kind: str = "parked"  # "parked": raised by someone; "note": a quick capture
    text: str
    raised_by: str = ""
    raised_at: str | None = None  # the indicator on screen when it was raised
    becomes: str = ""  # "", "action", "evidence", "indicator"
    target: str | None = None  # the indicator it was moved to, or the action/evidence made
    created: str
    updated: str
