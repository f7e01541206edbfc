"""Every indicator's status, grade and counts, as a Qt table model for the overview."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.vocabulary import EVALUATION_STATUSES, NOT_GRADED

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMN_TITLES = ("Code", "Indicator", "Statements", "Status", "Grade", "Evidence", "Actions")
CODE, TITLE, STATEMENTS, STATUS, GRADE, EVIDENCE, ACTIONS = range(len(COLUMN_TITLES))
_NUMERIC = {EVIDENCE, ACTIONS}


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

    def set_summaries(self, summaries: list[rec.IndicatorSummary], framework: Framework) -> None:
        self.beginResetModel()
        self._rows = list(summaries)
        self._framework = framework
        self.endResetModel()

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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(s, col)
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == TITLE:
                    return f"{s.code} {s.title}\nDouble-click or press Enter to open it."
                if col == GRADE and s.grade is not None and self._framework:
                    level = self._framework.level(s.grade)
                    return level.meaning or text if level else text
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
            return grade_text(s.grade, self._framework) if self._framework else str(s.grade or "")
        if col == EVIDENCE:
            return str(s.evidence_count)
        if col == ACTIONS:
            return str(s.action_count)
        return ""
