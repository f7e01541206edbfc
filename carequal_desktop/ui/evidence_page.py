"""The evidence register: search, filter, sort, add, edit and delete evidence."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import shorten
from carequal_desktop.domain.vocabulary import EVIDENCE_KINDS, EVIDENCE_SUPPORTS
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.models.evidence_table_model import (
    AGENCY,
    DATE,
    INDICATORS,
    KIND,
    REF,
    RESPONDENTS,
    SHARE,
    SUPPORTS,
    TITLE,
    EvidenceFilterProxy,
    EvidenceTableModel,
)
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.eliding import ElidingDelegate
from carequal_desktop.ui.widgets.headings import page_heading
from carequal_desktop.ui.widgets.responsive import compact_button
from carequal_desktop.ui.widgets.table_keys import TableKeys
from carequal_desktop.ui.zoom import fit_rows

ALL = object()  # combo data for "no filter"; None is a real value elsewhere
NO_INDICATOR = ""


def long_date(iso: str | None) -> str:
    """ "2026-03-20" -> "20 March 2026" """
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


class EvidencePage(WorkshopPage):
    """The whole register as a sortable, filterable table with a detail pane."""

    title = "Evidence register"

    changed = Signal()  # evidence was added, edited or deleted

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)

        heading = page_heading("Evidence register", self)
        heading.setAccessibleName("Evidence register")

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(
            "Search title, description, agency, location or reference (Ctrl+F)"
        )
        self.search_edit.setAccessibleName("Search the evidence")
        self.search_edit.setClearButtonEnabled(True)

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Filter by kind")
        self.kind_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_combo.setMinimumContentsLength(8)
        self.kind_combo.addItem("All kinds", ALL)
        for key, label in EVIDENCE_KINDS.items():
            self.kind_combo.addItem(label, key)

        self.agency_combo = QComboBox(self)
        self.agency_combo.setAccessibleName("Filter by agency")
        self.agency_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.agency_combo.setMinimumContentsLength(8)

        self.indicator_combo = QComboBox(self)
        self.indicator_combo.setAccessibleName("Filter by indicator")
        self.indicator_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.indicator_combo.setMinimumContentsLength(8)

        self.clear_button = QPushButton("C&lear filters", self)
        self.clear_button.setAccessibleName("Clear filters")

        self.count_label = QLabel(self)
        self.count_label.setAccessibleDescription("Number of evidence items shown")
        self.count_label.setWordWrap(True)

        self.new_button = QPushButton("&New evidence…", self)
        self.new_button.setAccessibleName("New evidence")
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setAccessibleName("Edit the selected evidence")
        self.delete_button = QPushButton("&Delete", self)
        self.delete_button.setAccessibleName("Delete the selected evidence")

        self.model = EvidenceTableModel(self)
        self.proxy = EvidenceFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.table = QTableView(self)
        self.table.setAccessibleName("Evidence")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures thousands of rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Two lines a row: titles, kinds and agencies wrap once before they end in "…"
        # (the whole title is in the tooltip, the detail pane and to screen readers).
        fit_rows(self.table, 2)
        wrap = ElidingDelegate(2, self.table)
        for column in (TITLE, KIND, AGENCY, INDICATORS, SUPPORTS):
            self.table.setItemDelegateForColumn(column, wrap)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(REF, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setHighlightSections(False)
        self._size_columns()
        self.table.viewport().installEventFilter(self)

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Details of the selected evidence")
        self.detail.setOpenLinks(False)
        self.detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

        head_row = QHBoxLayout()
        head_row.addWidget(heading, 1)
        head_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        for button in (self.new_button, self.edit_button, self.delete_button):
            top.addWidget(compact_button(button))

        filters = QHBoxLayout()
        filters.addWidget(self.kind_combo, 1)
        filters.addWidget(self.agency_combo, 1)
        filters.addWidget(self.indicator_combo, 1)
        filters.addWidget(self.clear_button)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        # The detail pane may be dragged shut on a small screen; the table may not.
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, True)

        layout = QVBoxLayout(self)
        layout.addLayout(head_row)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        order = [
            self.search_edit,
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.kind_combo,
            self.agency_combo,
            self.indicator_combo,
            self.clear_button,
            self.table,
            self.detail,
        ]
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)

        self.search_edit.textChanged.connect(self._apply_filter)
        self.kind_combo.currentIndexChanged.connect(self._apply_filter)
        self.agency_combo.currentIndexChanged.connect(self._apply_filter)
        self.indicator_combo.currentIndexChanged.connect(self._apply_filter)
        self.clear_button.clicked.connect(self.clear_filters)
        self.new_button.clicked.connect(self.new_evidence)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        # The current row changes before a click selects it: follow the selection too, so a
        # clicked row fills the detail pane and enables Edit and Delete.
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.table.selectionModel().selectionChanged.connect(self._show_detail)
        self._keys = TableKeys(self.table, self.edit_selected, self.delete_selected)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self._fill_indicator_combo()
        self.refresh()

    # ------------------------------------------------------------------ setup

    def _size_columns(self) -> None:
        # Widths come from sample text in the current font, so they follow the system font.
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = metrics.averageCharWidth() * 3
        samples = {
            REF: "E5000",
            KIND: "Parents' and carers' sur",
            AGENCY: "Strathcairn Council social",
            DATE: "2026-03-27",
            SHARE: "49.5% — less than half",
            RESPONDENTS: "Respondents",
            INDICATORS: "5.2, 6.1, 9.3",
            SUPPORTS: "Area for improvement",
        }
        self._preferred = {c: metrics.horizontalAdvance(t) + pad for c, t in samples.items()}
        self._title_min = metrics.averageCharWidth() * 34
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(metrics.averageCharWidth() * 5)
        self._fit_columns()

    # On a narrow window (a projector, 150%) these columns are left out, in this order, until
    # the title has room; the detail pane, the tooltip and the filters still show them.
    _DROP_WHEN_NARROW = (RESPONDENTS, SUPPORTS, DATE, AGENCY, INDICATORS)

    def _fit_columns(self) -> None:
        """Preferred widths when there is room; on a narrow window the wordier columns give
        way first, then the least needed are left out, so the title keeps a readable width."""
        available = self.table.viewport().width()
        minimum = self.table.fontMetrics().averageCharWidth() * 9
        fixed_columns = (REF, DATE, SHARE, RESPONDENTS)  # the share word is never cut short
        hidden: set[int] = set()

        def need() -> int:
            fixed = sum(self._preferred[c] for c in fixed_columns if c not in hidden)
            flexible = sum(
                minimum for c in self._preferred if c not in fixed_columns and c not in hidden
            )
            return self._title_min + fixed + flexible

        for column in self._DROP_WHEN_NARROW:
            if need() <= available:
                break
            hidden.add(column)
        for column in self._preferred:
            self.table.setColumnHidden(column, column in hidden)
        shown_fixed = [c for c in fixed_columns if c not in hidden]
        spare = available - self._title_min - sum(self._preferred[c] for c in shown_fixed)
        flexible = [c for c in self._preferred if c not in fixed_columns and c not in hidden]
        wanted = sum(self._preferred[c] for c in flexible)
        scale = 1.0 if wanted <= spare else max(0.0, spare) / max(1, wanted)
        for column, width in self._preferred.items():
            if column in flexible:
                width = max(minimum, int(width * scale))
            self.table.setColumnWidth(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The table's visible width is known only once its viewport has been resized.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fill_indicator_combo(self) -> None:
        self.indicator_combo.blockSignals(True)
        self.indicator_combo.clear()
        self.indicator_combo.addItem("All indicators", ALL)
        for ind in self.service.framework().indicators:
            self.indicator_combo.addItem(shorten(ind.label, 48), ind.code)
            self.indicator_combo.setItemData(
                self.indicator_combo.count() - 1, ind.label, Qt.ItemDataRole.ToolTipRole
            )
        self.indicator_combo.addItem("Not linked to an indicator", NO_INDICATOR)
        self.indicator_combo.blockSignals(False)

    def _fill_agency_combo(self, records: list[rec.Evidence]) -> None:
        current = self.agency_combo.currentData()
        agencies: dict[str, str] = {}
        for e in records:
            if e.agency:
                agencies.setdefault(e.agency.casefold(), e.agency)
        self.agency_combo.blockSignals(True)
        self.agency_combo.clear()
        self.agency_combo.addItem("All agencies", ALL)
        for agency in sorted(agencies.values(), key=str.casefold):
            self.agency_combo.addItem(agency, agency)
        index = self.agency_combo.findData(current) if current is not ALL else 0
        self.agency_combo.setCurrentIndex(max(0, index))
        self.agency_combo.blockSignals(False)

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Reload the register from the workshop, keeping the filters and the selection."""
        selected = self.selected_evidence()
        try:
            records = self.service.evidence()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self._fill_agency_combo(records)
        self.model.set_evidence(records)
        header = self.table.horizontalHeader()
        if (
            header.sortIndicatorSection() != REF
            or header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder
        ):
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._apply_filter()
        if selected is not None:
            self.select_evidence(selected.id)
        else:
            self._show_detail()

    def _filter_values(self) -> tuple[str, str | None, str | None, str | None]:
        def value(combo: QComboBox) -> str | None:
            data = combo.currentData()
            return None if data is ALL or combo.currentIndex() < 0 else data

        return (
            self.search_edit.text(),
            value(self.kind_combo),
            value(self.agency_combo),
            value(self.indicator_combo),
        )

    def _apply_filter(self) -> None:
        self.proxy.set_filter(*self._filter_values())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            self.count_label.setText("No evidence yet. Add the first item with New evidence.")
        elif shown == total:
            self.count_label.setText(f"Showing all {total} items")
        else:
            self.count_label.setText(f"Showing {shown} of {total}")
        self._update_buttons()
        self._show_detail()

    def _focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def clear_filters(self) -> None:
        for combo in (self.kind_combo, self.agency_combo, self.indicator_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._apply_filter()

    def selected_evidence(self) -> rec.Evidence | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(
            index.row(), QModelIndex()
        ):
            return None
        return self.model.evidence_at(self.proxy.mapToSource(index).row())

    def select_evidence(self, evidence_id: str) -> bool:
        """Select and show one item, if the filters let it be seen."""
        row = self.model.row_of(evidence_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._show_detail()
        return True

    def _update_buttons(self) -> None:
        has = self.selected_evidence() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _show_detail(self, *_args: object) -> None:
        self._update_buttons()
        e = self.selected_evidence()
        if e is None:
            self.detail.setHtml(
                "<p>Select an item to see its description and where it is kept. "
                "Double-click or press Enter to edit it.</p>"
            )
            return
        fw = self.service.framework()
        facts = [EVIDENCE_KINDS.get(e.kind, e.kind)]
        if e.agency:
            facts.append(e.agency)
        if e.date:
            facts.append(long_date(e.date))
        if e.share_text:
            facts.append(e.share_text)
        if e.respondents is not None:
            facts.append(f"{e.respondents:,} respondents or records")
        facts.append(f"supports: {EVIDENCE_SUPPORTS.get(e.supports, e.supports).lower()}")
        labels = []
        for code in e.indicators:
            try:
                labels.append(fw.indicator(code).label)
            except KeyError:
                labels.append(code)
        esc = html.escape
        parts = [
            f"<p><b>{esc(e.ref)} {esc(e.title)}</b><br>{esc(' · '.join(facts))}</p>",
            f"<p>{esc(e.description)}</p>" if e.description else "",
            f"<p>Kept at: {esc(e.location)}</p>" if e.location else "",
            f"<p>Evidence for: {esc('; '.join(labels))}</p>"
            if labels
            else "<p>Not yet linked to an indicator.</p>",
        ]
        self.detail.setHtml("".join(parts))

    # ---------------------------------------------------------------- editing

    def new_evidence(self, indicators: tuple[str, ...] = ()) -> rec.Evidence | None:
        """Open the evidence form for a new item; select it when saved."""
        from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

        dialog = EvidenceDialog(
            self.service, self, indicators=indicators, agencies=self._agencies()
        )
        if not dialog.exec() or dialog.saved is None:
            return None
        self._after_change(dialog.saved.id)
        return dialog.saved

    def edit_selected(self) -> None:
        from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

        e = self.selected_evidence()
        if e is None:
            return
        dialog = EvidenceDialog(self.service, self, evidence=e, agencies=self._agencies())
        if dialog.exec() and dialog.saved is not None:
            self._after_change(dialog.saved.id)

    def delete_selected(self) -> None:
        e = self.selected_evidence()
        if e is None:
            return
        try:
            usage = self.service.evidence_usage(e.id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            self.refresh()
            return
        name = f"{e.ref} “{e.title}”"
        if usage:
            places = "\n".join(f"• {place}" for place in usage)
            question = (
                f"Delete {name}? It is used in this workshop:\n\n{places}\n\n"
                f"Its links will be removed. Text that mentions {e.ref} is not changed, "
                "so check it afterwards. This cannot be undone."
            )
        else:
            question = f"Delete {name}? It is not used anywhere. This cannot be undone."
        if not messages.ask(self, question, "Delete evidence", yes="Delete", destructive=True):
            return
        row = self.table.selectionModel().currentIndex().row()
        try:
            self.service.delete_evidence(e.id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.table.selectionModel().clear()
        self.refresh()
        # Keep the keyboard where it was: the next item takes the deleted one's place.
        if self.proxy.rowCount():
            index = self.proxy.index(min(row, self.proxy.rowCount() - 1), 0)
            self.select_evidence(self.model.evidence_at(self.proxy.mapToSource(index).row()).id)
        self.changed.emit()

    def _agencies(self) -> list[str]:
        return [self.agency_combo.itemData(i) for i in range(1, self.agency_combo.count())]

    def _after_change(self, evidence_id: str) -> None:
        self.refresh()
        if not self.select_evidence(evidence_id):
            # Saved but hidden by the filters: clear them so the facilitator sees it.
            self.clear_filters()
            self.select_evidence(evidence_id)
        self.table.setFocus()
        self.changed.emit()
