"""The improvement plan as a Qt table: a header row for each statement, then its actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.ui.colours import warning_colour

ACTION_ROLE = Qt.ItemDataRole.UserRole + 1
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2  # the statement number (or None) on header rows
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMN_TITLES = (
    "Reference",
    "Statement",
    "Indicators",
    "Issue",
    "Task",
    "Expected outcome",
    "Ownership",
    "Monitoring arrangements",
    "Baseline",
    "Target",
    "Due date",
    "Status",
)
(
    REF,
    STATEMENT,
    INDICATORS,
    ISSUE,
    TASK,
    OUTCOME,
    OWNERSHIP,
    MONITORING,
    BASELINE,
    TARGET,
    DUE,
    STATUS,
) = range(len(COLUMN_TITLES))
TEXT_COLUMNS = (ISSUE, TASK, OUTCOME, OWNERSHIP, MONITORING, BASELINE, TARGET)
OVERDUE = "Overdue"
NO_STATEMENT_HEADING = "Not linked to a statement"


def short_date(iso: str | None) -> str:
    """ "2027-03-31" -> "31 Mar 2027" """
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


@dataclass
class _Group:
    statement: int | None
    heading: str
    full_text: str
    count: int
    overdue: int


class PlanTableModel(QAbstractTableModel):
    """Rows are statement headings (``_Group``) and actions (``rec.Action``) beneath them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[_Group | rec.Action] = []
        self._overdue: set[str] = set()
        self.today = dt.date.today()

    # -------------------------------------------------------------- contents

    def set_actions(
        self,
        actions: list[rec.Action],
        framework: Framework,
        *,
        statement: int | None | str = "all",
        overdue_only: bool = False,
    ) -> None:
        """Group ``actions`` by statement; ``statement`` is a number, ``None`` or "all"."""
        self.beginResetModel()
        self.today = dt.date.today()
        self._overdue = {a.id for a in actions if a.is_overdue(self.today)}
        numbers = [s.number for s in framework.statements]
        groups: dict[int | None, list[rec.Action]] = {n: [] for n in numbers}
        groups[None] = []
        for a in actions:
            key = a.statement if a.statement in groups else None
            groups[key].append(a)
        rows: list[_Group | rec.Action] = []
        for key, members in groups.items():
            if statement != "all" and key != statement:
                continue
            if overdue_only:
                members = [a for a in members if a.id in self._overdue]
            if not members and (statement == "all" or overdue_only):
                continue
            st = framework.statement(key) if key is not None else None
            full = f"Statement {st.number}: {st.text}" if st else NO_STATEMENT_HEADING
            overdue = sum(1 for a in members if a.id in self._overdue)
            rows.append(_Group(key, full, full, len(members), overdue))
            rows.extend(members)
        self._rows = rows
        self.endResetModel()

    def action_at(self, row: int) -> rec.Action | None:
        item = self._rows[row] if 0 <= row < len(self._rows) else None
        return item if isinstance(item, rec.Action) else None

    def is_group(self, row: int) -> bool:
        return isinstance(self._rows[row], _Group)

    def group_rows(self) -> list[int]:
        return [r for r, item in enumerate(self._rows) if isinstance(item, _Group)]

    def row_of(self, action_id: str) -> int:
        for row, item in enumerate(self._rows):
            if isinstance(item, rec.Action) and item.id == action_id:
                return row
        return -1

    def action_count(self) -> int:
        return sum(1 for item in self._rows if isinstance(item, rec.Action))

    def overdue_count(self) -> int:
        return sum(
            1 for item in self._rows if isinstance(item, rec.Action) and item.id in self._overdue
        )

    # ------------------------------------------------------------ Qt model

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

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], _Group):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        col = index.column()
        if isinstance(item, _Group):
            return self._group_data(item, col, role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(item, col)
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == DUE and item.id in self._overdue:
                    return f"Overdue: due {short_date(item.due)} and not complete"
                return text or None
            return text
        overdue = item.id in self._overdue
        if role == OVERDUE_ROLE:
            return overdue
        if role == ACTION_ROLE:
            return item
        if overdue and col in (REF, DUE):
            if role == Qt.ItemDataRole.ForegroundRole:
                return warning_colour()  # readable on a light or a dark palette
            if role == Qt.ItemDataRole.FontRole:
                font = QFont(QApplication.font())
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None

    def _group_data(self, group: _Group, col: int, role: int) -> Any:
        if role == GROUP_ROLE:
            return group.statement
        if col != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            count = f"{group.count} action" + ("" if group.count == 1 else "s")
            if group.overdue:
                count += f", {group.overdue} overdue"
            return f"{group.heading}  ({count})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return group.full_text
        if role == Qt.ItemDataRole.FontRole:
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            # A tint of the highlight colour over the base: visible in light and dark themes.
            palette = QApplication.palette()
            base = palette.color(QPalette.ColorRole.Base)
            tint = palette.color(QPalette.ColorRole.Highlight)
            return QColor(
                round(base.red() * 0.82 + tint.red() * 0.18),
                round(base.green() * 0.82 + tint.green() * 0.18),
                round(base.blue() * 0.82 + tint.blue() * 0.18),
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Statement group: {group.heading}"
        return None

    def _text(self, a: rec.Action, col: int) -> str:
        if col == REF:
            return f"Action {a.ref}"  # "2.1" alone looked like an indicator's code
        if col == STATEMENT:
            return "" if a.statement is None else str(a.statement)
        if col == INDICATORS:
            return ", ".join(a.indicators)
        if col == DUE:
            if a.id in self._overdue:
                return f"{short_date(a.due)}\n⚠ {OVERDUE}"
            return short_date(a.due)
        if col == STATUS:
            return ACTION_STATUSES.get(a.status, a.status)
        field = {
            ISSUE: a.issue,
            TASK: a.task,
            OUTCOME: a.expected_outcome,
            OWNERSHIP: a.ownership,
            MONITORING: a.monitoring,
            BASELINE: a.baseline,
            TARGET: a.target,
        }
        return field.get(col, "")
