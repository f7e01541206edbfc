"""Fixed lists the user chooses from, with the words the window and the documents show."""

from __future__ import annotations

EVALUATION_STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "agreed": "Agreed",
}

ACTION_STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "dropped": "Dropped",
}

EVIDENCE_KINDS: dict[str, str] = {
    "staff_survey": "Staff survey",
    "children_survey": "Children and young people's survey",
    "parents_survey": "Parents' and carers' survey",
    "record_reading": "Record reading",
    "performance_data": "Performance data",
    "focus_group": "Focus group or meeting",
    "document": "Document",
    "observation": "Observation",
    "other": "Other",
}

EVIDENCE_SUPPORTS: dict[str, str] = {
    "strength": "Strength",
    "area_for_improvement": "Area for improvement",
    "both": "Both",
    "context": "Context",
}

# Offered in the team and evidence forms; free text is always allowed as well.
COMMON_AGENCIES: tuple[str, ...] = (
    "Council social work",
    "Council education",
    "NHS board",
    "Police Scotland",
    "Scottish Children's Reporter Administration (SCRA)",
    "Third sector",
    "Partnership",
)

NOT_GRADED = "Not yet graded"
