"""The evidence register as a Qt table model, and the proxy that filters and sorts it.

Built for thousands of items: each record's search text and sort keys are worked out
once when the register is loaded, filtering is one pass in Python over those, and sorting
reorders the model's list with Python's sort rather than row-by-row comparisons from Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.framework import indicator_sort_key
from carequal_desktop.domain.vocabulary import EVIDENCE_KINDS, EVIDENCE_SUPPORTS

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex

# (heading, text of the cell, sort key)
_COLUMNS: tuple[tuple[str, Callable[[rec.Evidence], str], Callable[[rec.Evidence], Any]], ...] = (
    ("Ref", lambda e: e.ref, lambda e: e.ref_number),
    ("Title", lambda e: e.title, lambda e: e.title.casefold()),
    (
        "Kind",
        lambda e: EVIDENCE_KINDS.get(e.kind, e.kind),
        lambda e: EVIDENCE_KINDS.get(e.kind, e.kind).casefold(),
    ),
    ("Agency", lambda e: e.agency, lambda e: e.agency.casefold()),
    ("Date", lambda e: e.date or "", lambda e: e.date or ""),
    (
        "Share",
        lambda e: e.share_text,
        lambda e: -1.0 if e.share_percent is None else e.share_percent,
    ),
    (
        "Respondents",
        lambda e: "" if e.respondents is None else f"{e.respondents:,}",
        lambda e: -1 if e.respondents is None else e.respondents,
    ),
    (
        "Indicators",
        lambda e: ", ".join(e.indicators),
        lambda e: tuple(indicator_sort_key(c) for c in e.indicators) or ((99,),),
    ),
    ("Supports", lambda e: EVIDENCE_SUPPORTS.get(e.supports, e.supports), lambda e: e.supports),
)
COLUMN_TITLES = tuple(c[0] for c in _COLUMNS)
REF, TITLE, KIND, AGENCY, DATE, SHARE, RESPONDENTS, INDICATORS, SUPPORTS = range(len(_COLUMNS))
_RIGHT_ALIGNED = {SHARE, RESPONDENTS}


def search_text(e: rec.Evidence) -> str:
    """What the search box looks in: title, description, agency, location and reference."""
    return "\n".join((e.ref, e.title, e.description, e.agency, e.location)).casefold()


class EvidenceTableModel(QAbstractTableModel):
    """Read-only rows of ``rec.Evidence``; edits go through the service and a reload."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[rec.Evidence] = []
        self._texts: list[tuple[str, ...]] = []

    # -------------------------------------------------------------- contents

    def set_evidence(self, items: list[rec.Evidence]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self._texts = [tuple(col[1](e) for col in _COLUMNS) for e in self._rows]
        self.endResetModel()

    def evidence_at(self, row: int) -> rec.Evidence:
        return self._rows[row]

    def records(self) -> list[rec.Evidence]:
        return self._rows

    def row_of(self, evidence_id: str) -> int:
        for row, e in enumerate(self._rows):
            if e.id == evidence_id:
                return row
        return -1

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            e = self._rows[row]
            if col == TITLE:
                parts = [f"{e.ref} {e.title}"]
                if e.description:
                    parts.append(e.description)
                if e.location:
                    parts.append(f"Kept at: {e.location}")
                return "\n\n".join(parts)
            return self._texts[row][col] or None
        if role == SORT_ROLE:
            return _COLUMNS[col][2](self._rows[row])
        if role == EVIDENCE_ROLE:
            return self._rows[row]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the records themselves: one Python sort, not thousands of calls from Qt."""
        if not 0 <= column < len(_COLUMNS):
            return
        key = _COLUMNS[column][2]
        rows = self._rows
        # Ties fall back to the reference, so the order is the same every time.
        order_ = sorted(
            range(len(rows)),
            key=lambda i: (key(rows[i]), rows[i].ref_number),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self.layoutAboutToBeChanged.emit()
        new_row = [0] * len(rows)
        for new, old in enumerate(order_):
            new_row[old] = new
        self._rows = [rows[i] for i in order_]
        self._texts = [self._texts[i] for i in order_]
        moved_from = self.persistentIndexList()
        moved_to = [self.index(new_row[idx.row()], idx.column()) for idx in moved_from]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()


class EvidenceFilterProxy(QSortFilterProxyModel):
    """Filters by words, kind, agency and indicator; sorting is handed to the source model."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._accepted: set[int] | None = None  # id() of accepted records; None = all
        self._criteria: tuple[str, str | None, str | None, str | None] = ("", None, None, None)
        self._search: list[str] = []
        self._search_for: list[rec.Evidence] | None = None

    def source(self) -> EvidenceTableModel:
        return self.sourceModel()  # type: ignore[return-value]

    def set_filter(
        self,
        text: str = "",
        kind: str | None = None,
        agency: str | None = None,
        indicator: str | None = None,
    ) -> None:
        """Show only evidence matching every given criterion; every word of ``text`` must appear.

        ``indicator`` may be ``""`` for evidence not yet linked to any indicator.
        """
        self._criteria = (text, kind, agency, indicator)
        self._recompute()

    def refilter(self) -> None:
        """Apply the current criteria again after the source was reloaded."""
        self._recompute()

    def _recompute(self) -> None:
        text, kind, agency, indicator = self._criteria
        records = self.source().records()
        words = text.casefold().split()
        if not words and kind is None and agency is None and indicator is None:
            accepted = None
        else:
            if self._search_for is not records:
                self._search = [search_text(e) for e in records]
                self._search_for = records
            agency_key = agency.casefold() if agency is not None else None
            accepted = set()
            for e, hay in zip(records, self._search, strict=True):
                if kind is not None and e.kind != kind:
                    continue
                if agency_key is not None and e.agency.casefold() != agency_key:
                    continue
                if indicator is not None:
                    if indicator == "":
                        if e.indicators:
                            continue
                    elif indicator not in e.indicators:
                        continue
                if words and not all(w in hay for w in words):
                    continue
                accepted.add(id(e))
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self._accepted = accepted
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._accepted = accepted
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._accepted is None:
            return True
        return id(self.source().evidence_at(source_row)) in self._accepted

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)
