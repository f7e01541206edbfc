"""Every indicator's status, grade and counts, as a Qt table model for the overview."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.vocabulary import EVALUATION_STATUSES, NOT_GRADED
from carequal_desktop.services.grading import GradingRow

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # what the sortable overview sorts by

COLUMN_TITLES = (
    "Code",
    "Indicator",
    "Statements",
    "Status",
    "Grade",
    "Change",
    "Views",
    "Evidence",
    "Actions",
)
CODE, TITLE, STATEMENTS, STATUS, GRADE, CHANGE, VIEWS, EVIDENCE, ACTIONS = range(len(COLUMN_TITLES))
_NUMERIC = {EVIDENCE, ACTIONS}
_STATUS_ORDER = {key: i for i, key in enumerate(EVALUATION_STATUSES)}


def change_text(row: GradingRow | None) -> str:
    """ "▲ up from 3", "▼ down from 4", "= same", "was 4" (not graded yet), or ""."""
    if row is None or row.previous is None:
        return ""
    if row.change is None:
        return f"was {row.previous}"
    if row.change > 0:
        return f"▲ up from {row.previous}"
    if row.change < 0:
        return f"▼ down from {row.previous}"
    return "= same"


def views_text(row: GradingRow | None) -> str:
    """The spread of proposed grades: "⚠ 2–5" (disagreement), "4–5", "all 4", "hidden (3)",
    or "" with none. Narrow on purpose: the overview must fit beside its chart."""
    if row is None or not row.proposals:
        return ""
    if row.hidden:
        return f"hidden ({row.proposals})"
    s = row.spread
    span = f"all {s.lowest}" if s.lowest == s.highest else f"{s.lowest}–{s.highest}"
    return f"⚠ {span}" if s.disagreement else span


def change_mark(row: GradingRow | None) -> str:
    """ " ▲" or " ▼" after a grade that went up or down since the previous cycle."""
    if row is None or not row.change:
        return ""
    return " ▲" if row.change > 0 else " ▼"


def grade_text(grade: int | None, framework: Framework) -> str:
    """ "4 Good", or "Not yet graded"."""
    if grade is None:
        return NOT_GRADED
    level = framework.level(grade)
    return f"{grade} {level.label}" if level else str(grade)


class OverviewTableModel(QAbstractTableModel):
    """One row per indicator, in framework order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[rec.IndicatorSummary] = []
        self._framework: Framework | None = None
        self._grading: dict[str, GradingRow] = {}

    def set_summaries(
        self,
        summaries: list[rec.IndicatorSummary],
        framework: Framework,
        grading: dict[str, GradingRow] | None = None,
    ) -> None:
        self.beginResetModel()
        self._rows = list(summaries)
        self._framework = framework
        self._grading = dict(grading or {})
        self.endResetModel()

    def grading_at(self, row: int) -> GradingRow | None:
        return self._grading.get(self._rows[row].code)

    def summaries(self) -> list[rec.IndicatorSummary]:
        return self._rows

    def summary_at(self, row: int) -> rec.IndicatorSummary:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMN_TITLES[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == CODE_ROLE:
            return s.code
        if role == SUMMARY_ROLE:
            return s
        if role == SORT_ROLE:
            return self._sort_key(s, col)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(s, col)
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == TITLE:
                    return f"{s.code} {s.title}\nDouble-click or press Enter to open it."
                if col == GRADE and s.grade is not None and self._framework:
                    level = self._framework.level(s.grade)
                    meaning = level.meaning or text if level else text
                    change = change_text(self._grading.get(s.code))
                    return f"{meaning}\nSince the previous cycle: {change}" if change else meaning
                if col == VIEWS and text:
                    return "Agencies' proposed grades: " + (
                        f"{text[2:]}; they differ, so talk this one through."
                        if text.startswith("⚠")
                        else text
                    )
                if col == CHANGE and text:
                    return f"Grade since the previous cycle: {text}"
                return text or None
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == STATUS and s.status == "agreed":
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.FontRole and col == GRADE and s.grade is None:
            font = QFont(QApplication.font())
            font.setItalic(True)
            return font
        return None

    def _text(self, s: rec.IndicatorSummary, col: int) -> str:
        if col == CODE:
            return s.code
        if col == TITLE:
            return s.title
        if col == STATEMENTS:
            return ", ".join(str(n) for n in s.statements)
        if col == STATUS:
            return EVALUATION_STATUSES.get(s.status, s.status)
        if col == GRADE:
            text = grade_text(s.grade, self._framework) if self._framework else str(s.grade or "")
            return text + change_mark(self._grading.get(s.code))
        if col == CHANGE:
            return change_text(self._grading.get(s.code))
        if col == VIEWS:
            return views_text(self._grading.get(s.code))
        if col == EVIDENCE:
            return str(s.evidence_count)
        if col == ACTIONS:
            return str(s.action_count)
        return ""

    def _sort_key(self, s: rec.IndicatorSummary, col: int) -> Any:
        """A number or text to sort by; the proxy's stable sort keeps framework order for ties."""
        g = self._grading.get(s.code)
        if col == CODE:
            return self._rows.index(s)
        if col == GRADE:
            return s.grade if s.grade is not None else -1
        if col == STATUS:
            return _STATUS_ORDER.get(s.status, 99)
        if col == CHANGE:
            return g.change if g is not None and g.change is not None else -99
        if col == VIEWS:
            if g is None or not g.proposals or g.hidden:
                return -1
            return 100 * int(g.spread.disagreement) + (g.spread.spread or 0)
        if col == EVIDENCE:
            return s.evidence_count
        if col == ACTIONS:
            return s.action_count
        if col == STATEMENTS:
            return s.statements[0] if s.statements else 99
        return self._text(s, col).casefold()
