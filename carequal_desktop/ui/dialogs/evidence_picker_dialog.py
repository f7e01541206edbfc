"""Pick items from a long list with a search box: evidence from the register, or actions.

The register can hold thousands of items, so the list is a model with a filter proxy
rather than a widget per row.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.services.workshop import WorkshopService

_ID_ROLE = Qt.ItemDataRole.UserRole


class PickerDialog(QDialog):
    """A searchable list; ``selected_ids()`` after it is accepted."""

    def __init__(
        self,
        title: str,
        intro: str,
        rows: list[tuple[str, str]],
        parent: QWidget | None = None,
        search_name: str = "Search",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 520)
        layout = QVBoxLayout(self)

        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to search…")
        self.search.setAccessibleName(search_name)
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)

        self.model = QStandardItemModel(self)
        for item_id, text in rows:
            item = QStandardItem(text)
            item.setData(item_id, _ID_ROLE)
            item.setEditable(False)
            item.setToolTip(text)  # a long title is cut short in the list; whole on hover
            item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(title)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.doubleClicked.connect(self.accept)
        # Enter on a chosen item links it, as the Link button does (Space only selects).
        self.view.activated.connect(lambda _index: self._link_if_chosen())
        layout.addWidget(self.view, 1)

        self.empty_label = QLabel("Nothing to choose from yet." if not rows else "")
        self.empty_label.setVisible(not rows)
        layout.addWidget(self.empty_label)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Link")
        self.ok_button.setAccessibleName("Link the selected items")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.view.selectionModel().selectionChanged.connect(self._update_ok)
        self._update_ok()
        # Enter in the search box moves to the list; Down does too, like a search field should.
        self.search.returnPressed.connect(self._focus_list)
        self.search.setFocus()

    def _focus_list(self) -> None:
        self.view.setFocus()
        if not self.view.currentIndex().isValid() and self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def _link_if_chosen(self) -> None:
        if self.view.selectionModel().selectedIndexes():
            self.accept()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.view.selectionModel().selectedIndexes()))

    def select_ids(self, ids: list[str]) -> None:
        """Select these items (used by tests and to keep a choice)."""
        wanted = set(ids)
        sel = self.view.selectionModel()
        sel.clear()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(_ID_ROLE) in wanted:
                sel.select(index, sel.SelectionFlag.Select)

    def selected_ids(self) -> list[str]:
        indexes = sorted(self.view.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return [i.data(_ID_ROLE) for i in indexes]


def evidence_row_text(ev: rec.Evidence) -> str:
    """ "E12  Title — Agency — 82% — most" """
    parts = [f"{ev.ref}  {ev.title}"]
    if ev.agency:
        parts.append(ev.agency)
    if ev.share_text:
        parts.append(ev.share_text)
    return " — ".join(parts)


class EvidencePickerDialog(PickerDialog):
    """Choose evidence from the register to link to one indicator."""

    def __init__(self, service: WorkshopService, code: str, parent: QWidget | None = None) -> None:
        rows = [
            (ev.id, evidence_row_text(ev)) for ev in service.evidence() if code not in ev.indicators
        ]
        super().__init__(
            "Link evidence",
            f"Choose evidence from the register to link to indicator {code}. "
            "Hold Ctrl to choose several.",
            rows,
            parent,
            search_name="Search the evidence register",
        )


class ActionPickerDialog(PickerDialog):
    """Choose actions from the improvement plan to link to one indicator."""

    def __init__(self, service: WorkshopService, code: str, parent: QWidget | None = None) -> None:
        rows = [
            (a.id, f"Action {a.ref}: {a.task}" + (f" — {a.ownership}" if a.ownership else ""))
            for a in service.actions()
            if code not in a.indicators
        ]
        super().__init__(
            "Link action",
            f"Choose actions from the improvement plan to link to indicator {code}. "
            "Hold Ctrl to choose several.",
            rows,
            parent,
            search_name="Search the improvement plan",
        )
