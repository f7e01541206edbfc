"""What the evidence, action, participant and session dialogs share: an optional date, a
checkable list of the framework's indicators, and asking before a changed form is thrown away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from carequal_desktop.domain.dates import DateNotUnderstood, long_date, parse_date
from carequal_desktop.domain.framework import Framework
from carequal_desktop.ui import messages


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
    """A date typed as people write it ("1/3/2026", "1 Mar 2026", "Mar", "today"), or left
    empty for no date; ``value()`` is an ISO date or ``None``.

    One text box, so Tab goes straight on to the next field (a date spin box's day, month
    and year sections held the keyboard); what the text means is shown beside it.
    """

    def __init__(
        self, name: str, none_text: str, parent: QWidget | None = None, *, due: bool = False
    ) -> None:
        super().__init__(parent)
        self._due = due  # a due date looks forward, and "March" means by the end of March
        self._none_text = none_text
        self.date_edit = QLineEdit(self)
        self.date_edit.setAccessibleName(name)
        self.date_edit.setPlaceholderText(f"{none_text}; e.g. 31/3/2027 or 31 Mar 2027")
        self.date_edit.setClearButtonEnabled(True)
        self.meaning = QLabel(self)
        self.meaning.setTextFormat(Qt.TextFormat.PlainText)
        self.meaning.setAccessibleDescription(f"{name} as understood")
        self.date_edit.textChanged.connect(self._show_meaning)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.date_edit, 1)
        layout.addWidget(self.meaning, 1)
        self.setFocusProxy(self.date_edit)
        self._show_meaning()

    def _parse(self) -> dt.date | None:
        return parse_date(self.date_edit.text(), future=self._due, month_end=self._due)

    def _show_meaning(self) -> None:
        try:
            day = self._parse()
        except DateNotUnderstood:
            text = "Not a date yet"
        else:
            text = self._none_text if day is None else long_date(day)
        self.meaning.setText(text)
        self.date_edit.setAccessibleDescription(text)

    def set_value(self, iso: str | None) -> None:
        self.date_edit.setText(long_date(dt.date.fromisoformat(iso)) if iso else "")

    def value(self) -> str | None:
        """The ISO date, ``None`` when empty; ``DateNotUnderstood`` (one sentence) otherwise."""
        day = self._parse()
        return None if day is None else day.isoformat()


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
