"""The improvement plan and the evidence register as CSV that Excel opens correctly.

Excel on Windows reads a CSV as UTF-8 only when it starts with a byte order mark, and
expects CRLF line endings; both are written here. Columns carry the names the window uses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carequal_desktop.domain.text import count_xml_forbidden, for_xml
from carequal_desktop.domain.vocabulary import ACTION_STATUSES, EVIDENCE_KINDS, EVIDENCE_SUPPORTS
from carequal_desktop.services.files import write_atomically

PLAN_COLUMNS = (
    "Ref",
    "Statement",
    "Indicators",
    "Issue",
    "Task",
    "Expected outcome",
    "Ownership",
    "Monitoring arrangements",
    "Baseline",
    "Target",
    "Due",
    "Status",
)
EVIDENCE_COLUMNS = (
    "Ref",
    "Title",
    "Kind",
    "Agency",
    "Date",
    "Share",
    "Respondents",
    "Indicators",
    "Supports",
    "Description",
    "Location",
)

# Formula injection: a cell that starts with one of these is run as a formula by Excel,
# LibreOffice and Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "-2+3"), so text typed in a
# workshop could act when someone opens the CSV. Such cells get a leading apostrophe, which
# the spreadsheet shows as plain text. Tab and carriage return are included as OWASP advises.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CsvResult:
    path: Path
    warnings: list[str] = field(default_factory=list)


def dropped_characters(rows: Iterable[Sequence[Any]]) -> int:
    """How many characters ``safe_cell`` will leave out of these rows."""
    return sum(count_xml_forbidden(str(v)) for row in rows for v in row if v is not None)


def safe_cell(value: Any) -> str:
    """One cell's text: no characters a spreadsheet chokes on, never a formula."""
    if value is None:
        return ""
    # Control characters and lone surrogates are dropped exactly as in the Word export.
    text = for_xml(str(value))
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
            a.ref,
            "" if a.statement is None else a.statement,
            ", ".join(a.indicators),
            a.issue,
            a.task,
            a.expected_outcome,
            a.ownership,
            a.monitoring,
            a.baseline,
            a.target,
            a.due or "",
            ACTION_STATUSES.get(a.status, a.status),
        ]
        for a in service.actions()
    ]


def evidence_rows(service: Any) -> list[list[Any]]:
    return [
        [
            e.ref,
            e.title,
            EVIDENCE_KINDS.get(e.kind, e.kind),
            e.agency,
            e.date or "",
            e.share_text,
            "" if e.respondents is None else e.respondents,
            ", ".join(e.indicators),
            EVIDENCE_SUPPORTS.get(e.supports, e.supports),
            e.description,
            e.location,
        ]
        for e in service.evidence()
    ]


def _write(
    target: Path, columns: Sequence[str], rows: list[list[Any]], overwrite: bool
) -> CsvResult:
    target = Path(target)
    write_atomically(target, csv_bytes(columns, rows), overwrite=overwrite)
    result = CsvResult(target)
    dropped = dropped_characters(rows)
    if dropped:
        result.warnings.append(
            f"{dropped} character{'s' if dropped != 1 else ''} that a spreadsheet cannot hold "
            "(control characters) were left out of the file."
        )
    return result


def write_plan_csv(service: Any, target: Path, *, overwrite: bool = False) -> CsvResult:
    """Write the improvement plan to ``target`` as CSV (never half-written)."""
    return _write(target, PLAN_COLUMNS, plan_rows(service), overwrite)


def write_evidence_csv(service: Any, target: Path, *, overwrite: bool = False) -> CsvResult:
    """Write the evidence register to ``target`` as CSV (never half-written)."""
    return _write(target, EVIDENCE_COLUMNS, evidence_rows(service), overwrite)
