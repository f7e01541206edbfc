"""The improvement plan and the evidence register as CSV that Excel opens correctly.

Excel on Windows reads a CSV as UTF-8 only when it starts with a byte order mark, and
expects CRLF line endings; both are written here. Columns carry the names the window uses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from carequal_desktop.domain.text import for_xml
from carequal_desktop.domain.vocabulary import ACTION_STATUSES, EVIDENCE_KINDS, EVIDENCE_SUPPORTS
from carequal_desktop.services.files import write_atomically

PLAN_COLUMNS = (
    "Ref", "Statement", "Indicators", "Issue", "Task", "Expected outcome", "Ownership",
    "Monitoring arrangements", "Baseline", "Target", "Due", "Status",
)
EVIDENCE_COLUMNS = (
    "Ref", "Title", "Kind", "Agency", "Date", "Share", "Respondents", "Indicators", "Supports",
    "Description", "Location",
)

# Formula injection: a cell that starts with one of these is run as a formula by Excel,
# LibreOffice and Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "-2+3"), so text typed in a
# workshop could act when someone opens the CSV. Such cells get a leading apostrophe, which
# the spreadsheet shows as plain text. Tab and carriage return are included as OWASP advises.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """One cell's text: no characters a spreadsheet chokes on, never a formula."""
    if value is None:
        return ""
    text = for_xml(str(value))  # control characters and lone surrogates cannot be written
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The CSV file's bytes: UTF-8 with a byte order mark, CRLF line endings, all cells safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def plan_rows(service: Any) -> list[list[Any]]:
    return [
        [
            a.ref, "" if a.statement is None else a.statement, ", ".join(a.indicators),
            a.issue, a.task, a.expected_outcome, a.ownership, a.monitoring, a.baseline,
            a.target, a.due or "", ACTION_STATUSES.get(a.status, a.status),
        ]
        for a in service.actions()
    ]


def evidence_rows(service: Any) -> list[list[Any]]:
    return [
        [
            e.ref, e.title, EVIDENCE_KINDS.get(e.kind, e.kind), e.agency, e.date or "",
            e.share_text, "" if e.respondents is None else e.respondents,
            ", ".join(e.indicators), EVIDENCE_SUPPORTS.get(e.supports, e.supports),
            e.description, e.location,
        ]
        for e in service.evidence()
    ]


def write_plan_csv(service: Any, target: Path, *, overwrite: bool = False) -> Path:
    """Write the improvement plan to ``target`` as CSV (never half-written)."""
    target = Path(target)
    write_atomically(target, csv_bytes(PLAN_COLUMNS, plan_rows(service)), overwrite=overwrite)
    return target


def write_evidence_csv(service: Any, target: Path, *, overwrite: bool = False) -> Path:
    """Write the evidence register to ``target`` as CSV (never half-written)."""
    target = Path(target)
    write_atomically(
        target, csv_bytes(EVIDENCE_COLUMNS, evidence_rows(service)), overwrite=overwrite
    )
    return target
