"""What the evidence, action, participant and session dialogs share: an optional date, a
checkable list of the framework's indicators, and asking before a changed form is thrown away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

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
from carequal_desktop.ui import messages

DATE_FORMAT = "d MMMM yyyy"  # British order: 31 March 2027


class AsksBeforeDiscarding:
    """Escape, Cancel or the close box on a changed form asks before the typing is lost.

    Mix in before ``QDialog`` (``class EvidenceDialog(AsksBeforeDiscarding, QDialog)``), call
    ``remember_form()`` once the form is filled; ``values()`` is what is compared.
    """

    _form_at_start: Any = None

    def values(self) -> Any:
        raise NotImplementedError

    def remember_form(self) -> None:
        """The form as shown: leaving it unchanged needs no question."""
        self._form_at_start = self.values()

    def form_changed(self) -> bool:
        return self._form_at_start is not None and self.values() != self._form_at_start

    def reject(self) -> None:
        if self.form_changed() and not messages.ask(
            self,  # type: ignore[arg-type]  # mixed into a QDialog
            "Discard what you typed in this form?",
            yes="Discard",
            no="Keep editing",
            destructive=True,
        ):
            return
        super().reject()  # type: ignore[misc]  # QDialog.reject, next in the class order


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
