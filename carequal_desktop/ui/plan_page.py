"""The improvement plan: actions grouped by inspection statement, with overdue ones marked."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import shorten
from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.colours import warning_colour
from carequal_desktop.ui.evidence_page import TableKeys, long_date
from carequal_desktop.ui.models.plan_table_model import (
    DUE,
    INDICATORS,
    REF,
    STATEMENT,
    STATUS,
    PlanTableModel,
)
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.eliding import ElidingDelegate
from carequal_desktop.ui.widgets.headings import page_heading
from carequal_desktop.ui.widgets.responsive import compact_button

ALL = "all"
MAX_ROW_LINES = 5  # longer cells are cut short; the full text is in the tooltip and the pane


class PlanPage(WorkshopPage):
    """The improvement plan as a table grouped by statement, with a detail pane."""

    title = "Improvement plan"

    changed = Signal()  # an action was added, edited or deleted

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)

        heading = page_heading("Improvement plan", self)

        self.statement_combo = QComboBox(self)
        self.statement_combo.setAccessibleName("Show statement")
        self.statement_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.statement_combo.setMinimumContentsLength(12)
        show_label = QLabel("&Show:", self)
        show_label.setBuddy(self.statement_combo)

        self.overdue_box = QCheckBox("Only &overdue actions", self)
        self.overdue_box.setAccessibleName("Show only overdue actions")

        self.count_label = QLabel(self)
        self.count_label.setAccessibleDescription("Number of actions")
        self.count_label.setWordWrap(True)

        self.new_button = QPushButton("&New action…", self)
        self.new_button.setAccessibleName("New action")
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setAccessibleName("Edit the selected action")
        self.delete_button = QPushButton("&Delete", self)
        self.delete_button.setAccessibleName("Delete the selected action")

        self.model = PlanTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Actions, grouped by statement")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._size_columns()

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Details of the selected action")
        self.detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

        top = QHBoxLayout()
        top.addWidget(show_label)
        top.addWidget(self.statement_combo, 2)
        top.addWidget(self.overdue_box)
        top.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        top.addWidget(self.count_label, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        head_row = QHBoxLayout()
        head_row.addWidget(heading, 1)
        for button in (self.new_button, self.edit_button, self.delete_button):
            head_row.addWidget(compact_button(button), 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(head_row)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        for first, second in [
            (self.statement_combo, self.overdue_box),
            (self.overdue_box, self.table),
            (self.table, self.new_button),
            (self.new_button, self.edit_button),
            (self.edit_button, self.delete_button),
            (self.delete_button, self.detail),
        ]:
            self.setTabOrder(first, second)

        self.statement_combo.currentIndexChanged.connect(self._reload_view)
        self.overdue_box.toggled.connect(self._reload_view)
        self.new_button.clicked.connect(lambda: self.new_action())
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._show_detail)
        self._keys = TableKeys(self.table, self.edit_selected, self.delete_selected)

        self._actions: list[rec.Action] = []
        self._fill_statement_combo()
        self.refresh()

    # ------------------------------------------------------------------ setup

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = metrics.averageCharWidth() * 2
        # Narrow fixed columns (their text wraps: "5.2, 5.3, 6.4", "Not started") leave
        # the room to the seven columns of prose.
        samples = {
            REF: "Action 10.10",
            STATEMENT: "Statement",
            INDICATORS: "5.2, 5.3,",
            DUE: "30 Sept 2027",
            STATUS: "In progress",
        }
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, sample in samples.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + pad)
        # Long headings such as "Monitoring arrangements" wrap rather than vanish.
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        )
        header.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.setMinimumHeight(metrics.lineSpacing() * 2 + pad // 2)
        self.table.setItemDelegate(ElidingDelegate(MAX_ROW_LINES, self.table))

    def _fill_statement_combo(self) -> None:
        self.statement_combo.blockSignals(True)
        self.statement_combo.clear()
        self.statement_combo.addItem("All statements", ALL)
        for st in self.service.framework().statements:
            full = f"Statement {st.number}: {st.text}"
            self.statement_combo.addItem(shorten(full, 70), st.number)
            self.statement_combo.setItemData(
                self.statement_combo.count() - 1, full, Qt.ItemDataRole.ToolTipRole
            )
        self.statement_combo.addItem("Not linked to a statement", None)
        self.statement_combo.blockSignals(False)

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Reload the plan from the workshop, keeping the filter and the selection."""
        try:
            self._actions = self.service.actions()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self._reload_view()

    def _reload_view(self) -> None:
        selected = self.selected_action()
        statement = self.statement_combo.currentData()
        self.model.set_actions(
            self._actions,
            self.service.framework(),
            statement=statement,
            overdue_only=self.overdue_box.isChecked(),
        )
        self.table.clearSpans()
        for row in self.model.group_rows():
            self.table.setSpan(row, 0, 1, self.model.columnCount())
        self._fit_rows()
        total = len(self._actions)
        overdue = sum(1 for a in self._actions if a.is_overdue(self.model.today))
        shown = self.model.action_count()
        text = f"{total} action" + ("" if total == 1 else "s")
        if overdue:
            text += f", {overdue} overdue"
        if shown != total:
            text = f"Showing {shown} of {text}"
        if total == 0:
            text = "No actions yet. Add the first with New action."
        self.count_label.setText(text)
        if selected is None or not self.select_action(selected.id):
            self._show_detail()

    def _fit_rows(self) -> None:
        """Rows as tall as their text, up to a few lines, so the plan reads without clicking."""
        self.table.resizeRowsToContents()
        limit = self.table.fontMetrics().lineSpacing() * MAX_ROW_LINES + 8
        for row in range(self.model.rowCount()):
            if self.table.rowHeight(row) > limit:
                self.table.setRowHeight(row, limit)

    def resizeEvent(self, event):  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        # Column widths change with the window, so wrapped rows need measuring again.
        if event.oldSize().width() != event.size().width():
            self._fit_rows()

    def selected_action(self) -> rec.Action | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.action_at(rows[0].row())

    def select_action(self, action_id: str) -> bool:
        row = self.model.row_of(action_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._show_detail()
        return True

    def _show_detail(self, *_args: object) -> None:
        a = self.selected_action()
        self.edit_button.setEnabled(a is not None)
        self.delete_button.setEnabled(a is not None)
        if a is None:
            self.detail.setHtml(
                "<p>Select an action to read it in full. Double-click or press Enter to edit it. "
                "Overdue actions are marked “Overdue” in red in the due date column.</p>"
            )
            return
        esc = html.escape
        fw = self.service.framework()
        labels = []
        for code in a.indicators:
            try:
                labels.append(fw.indicator(code).label)
            except KeyError:
                labels.append(code)
        due = long_date(a.due) if a.due else "no due date"
        if a.is_overdue(self.model.today):
            colour = warning_colour(self.detail.palette()).name()
            due = f"<span style='color:{colour}'><b>{esc(due)} — overdue</b></span>"
        else:
            due = esc(due)
        rows = [
            ("Issue", a.issue),
            ("Task", a.task),
            ("Expected outcome", a.expected_outcome),
            ("Ownership", a.ownership),
            ("Monitoring arrangements", a.monitoring),
            ("Baseline", a.baseline),
            ("Target", a.target),
        ]
        body = "".join(
            f"<tr><td style='padding-right:12px'><b>{esc(name)}</b></td><td>{esc(value)}</td></tr>"
            for name, value in rows
            if value
        )
        self.detail.setHtml(
            f"<p><b>Action {esc(a.ref)}</b> · {esc(ACTION_STATUSES.get(a.status, a.status))} · "
            f"due {due}"
            + (f" · {esc('; '.join(labels))}" if labels else "")
            + f"</p><table>{body}</table>"
        )

    # ---------------------------------------------------------------- editing

    def _current_statement(self) -> int | None:
        data = self.statement_combo.currentData()
        if data != ALL:
            return data
        a = self.selected_action()
        return a.statement if a else None

    def new_action(self, indicators: tuple[str, ...] = ()) -> rec.Action | None:
        """Open the action form for a new action; select it when saved."""
        from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

        statement = self._current_statement()
        if statement is None and self.statement_combo.currentData() == ALL:
            statement = (
                self.service.framework().statements[0].number
                if self.service.framework().statements
                else None
            )
        dialog = ActionDialog(self.service, self, indicators=indicators, statement=statement)
        if not dialog.exec() or dialog.saved is None:
            return None
        self._after_change(dialog.saved.id)
        return dialog.saved

    def edit_selected(self) -> None:
        from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

        a = self.selected_action()
        if a is None:
            return
        dialog = ActionDialog(self.service, self, action=a)
        if dialog.exec() and dialog.saved is not None:
            self._after_change(dialog.saved.id)

    def delete_selected(self) -> None:
        a = self.selected_action()
        if a is None:
            return
        where = (
            f" It is linked to indicator{'s' if len(a.indicators) > 1 else ''} "
            f"{', '.join(a.indicators)}."
            if a.indicators
            else ""
        )
        task = shorten(a.task, 80) if a.task else "(no task)"
        question = f"Delete action {a.ref} “{task}”?{where} This cannot be undone."
        if not messages.ask(self, question, "Delete action", yes="Delete", destructive=True):
            return
        row = self.model.row_of(a.id)
        try:
            self.service.delete_action(a.id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.table.selectionModel().clear()
        self.refresh()
        for candidate in (row, row - 1):
            if 0 <= candidate < self.model.rowCount():
                neighbour = self.model.action_at(candidate)
                if neighbour is not None:
                    self.select_action(neighbour.id)
                    break
        self.changed.emit()

    def _after_change(self, action_id: str) -> None:
        self.refresh()
        if not self.select_action(action_id):
            # Saved but hidden by the filter: show everything so the facilitator sees it.
            self.overdue_box.blockSignals(True)
            self.overdue_box.setChecked(False)
            self.overdue_box.blockSignals(False)
            self.statement_combo.setCurrentIndex(0)
            self._reload_view()
            self.select_action(action_id)
        self.table.setFocus()
        self.changed.emit()
