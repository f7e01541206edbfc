"""Small form fields the evidence and action dialogs share: an optional date and a
checkable list of the framework's indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from carequal_desktop.domain.framework import Framework

DATE_FORMAT = "d MMMM yyyy"  # British order: 31 March 2027


class OptionalDateEdit(QWidget):
    """A date with a "no date" tick box; ``value()`` is an ISO date or ``None``."""

    def __init__(self, name: str, none_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setAccessibleName(name)
        self.none_box = QCheckBox(none_text, self)
        self.none_box.setAccessibleName(f"{name}: {none_text.lower()}")
        self.none_box.toggled.connect(self.date_edit.setDisabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.date_edit)
        layout.addWidget(self.none_box)
        layout.addStretch(1)
        self.setFocusProxy(self.date_edit)

    def set_value(self, iso: str | None) -> None:
        if iso:
            day = dt.date.fromisoformat(iso)
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
            self.none_box.setChecked(False)
        else:
            self.none_box.setChecked(True)

    def value(self) -> str | None:
        if self.none_box.isChecked():
            return None
        return self.date_edit.date().toString("yyyy-MM-dd")


class IndicatorChecklist(QListWidget):
    """The framework's indicators, each with a tick box; ``checked()`` keeps framework order."""

    def __init__(self, framework: Framework, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setUniformItemSizes(True)
        # Long titles end in "…" (the full title is the tooltip) rather than scroll sideways.
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for ind in framework.indicators:
            item = QListWidgetItem(ind.label, self)
            item.setData(Qt.ItemDataRole.UserRole, ind.code)
            item.setToolTip(ind.label)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
        # Space ticks the current row; Enter is left to the dialog's Save button.

    def set_checked(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        for row in range(self.count()):
            item = self.item(row)
            code = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked)

    def checked(self) -> list[str]:
        result = []
        for row in range(self.count()):
            item = self.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                result.append(item.data(Qt.ItemDataRole.UserRole))
        return result

    def set_code_checked(self, code: str, checked: bool = True) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
