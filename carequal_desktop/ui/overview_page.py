"""The overview: every indicator's status, grade and counts at a glance, with a chart of grades.

The overview is the first screen of an open workshop, so it must be complete at once: the
chart is drawn with QPainter (``ui/widgets/grade_chart.py``), not matplotlib, which costs
more to import than the rest of the window takes to start.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.models.overview_table_model import (
    ACTIONS,
    CHANGE,
    CODE,
    CODE_ROLE,
    EVIDENCE,
    GRADE,
    SORT_ROLE,
    STATEMENTS,
    STATUS,
    TITLE,
    VIEWS,
    OverviewTableModel,
)
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.grade_chart import GradeChart
from carequal_desktop.ui.widgets.headings import page_heading
from carequal_desktop.ui.widgets.responsive import split_when_narrow
from carequal_desktop.ui.widgets.table_keys import TableKeys


class OverviewPage(WorkshopPage):
    """A table of indicators beside a bar chart of their grades."""

    title = "Overview"

    indicator_activated = Signal(str)  # the code of the indicator to open

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)
        self._split_done = False

        heading = page_heading("Overview", self)

        self.summary_label = QLabel(self)
        self.summary_label.setAccessibleDescription("Summary of the workshop")
        self.summary_label.setWordWrap(True)

        self.model = OverviewTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Indicators: status, grade, evidence and actions")
        # Sortable by any column (issue 10: grade, change, agency views), framework order first.
        self.sorted_model = QSortFilterProxyModel(self)
        self.sorted_model.setSourceModel(self.model)
        self.sorted_model.setSortRole(SORT_ROLE)
        self.table.setModel(self.sorted_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(CODE, Qt.SortOrder.AscendingOrder)
        # Sorting by keyboard too: the table's context menu (Menu key or Shift+F10).
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, column, order in (
            ("Sort in framework order", CODE, Qt.SortOrder.AscendingOrder),
            ("Sort by grade, highest first", GRADE, Qt.SortOrder.DescendingOrder),
            ("Sort by change since the last cycle, up first", CHANGE, Qt.SortOrder.DescendingOrder),
            ("Sort by agency views, disagreement first", VIEWS, Qt.SortOrder.DescendingOrder),
        ):
            action = QAction(text, self.table)
            action.triggered.connect(
                lambda _c=False, col=column, o=order: self.table.sortByColumn(col, o)
            )
            self.table.addAction(action)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setHighlightSections(False)
        self._size_columns()

        self.chart = GradeChart(self)
        # The chart scrolls (up and down only) rather than make the window taller than a
        # short screen, at large text or 150 % scaling; its text shrinks a little first.
        self.chart_area = QScrollArea(self)
        self.chart_area.setAccessibleName("Chart of grades by indicator")
        self.chart_area.setWidget(self.chart)
        self.chart_area.setWidgetResizable(True)
        self.chart_area.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table is the keyboard route
        self._size_chart_area()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        # Table above chart on a projector or at large text, so the titles stay readable.
        split_when_narrow(self, splitter, 155)

        hint = QLabel(
            "Double-click an indicator or click its bar, or select it and press Enter, to open it.",
            self,
        )
        hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(hint)

        self.table.doubleClicked.connect(self._activate)
        self.chart.indicator_clicked.connect(self.indicator_activated)
        self._keys = TableKeys(self.table, self._activate)

        self.refresh()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = metrics.averageCharWidth() * 2
        arrow = metrics.height()  # the sort indicator beside a heading
        samples = {
            CODE: "10.1",
            STATEMENTS: "Statements",
            STATUS: "Not started",
            GRADE: "Not yet graded",
            CHANGE: "▼ down from 3",
            VIEWS: "hidden (5)",
            EVIDENCE: "Evidence",
            ACTIONS: "Actions",
        }
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, sample in samples.items():
            heading = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(
                metrics.horizontalAdvance(sample), metrics.horizontalAdvance(heading) + arrow
            )
            self.table.setColumnWidth(column, width + pad)
        # The grade carries ▲/▼ for a change since the last cycle; the Change column (in words)
        # stays sortable from the context menu but is not shown, so the table fits its chart.
        self.table.setColumnHidden(CHANGE, True)

    def _size_chart_area(self) -> None:
        scrollbar = self.chart_area.verticalScrollBar().sizeHint().width()
        self.chart_area.setMinimumWidth(self.chart.minimumSizeHint().width() + scrollbar)
        self.chart_area.setMinimumHeight(self.fontMetrics().height() * 10)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_chart_area()

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Read the overview again and show it in the table, the summary line and the chart."""
        try:
            summaries = self.service.overview()
            framework = self.service.framework()
            counts = self.service.counts()
            grading = GradingService(self.service).overview()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        current = self.table.currentIndex()
        self.model.set_summaries(summaries, framework, grading)
        self.chart.set_summaries(summaries, framework)
        if current.isValid():
            self.table.selectRow(current.row())
        agreed = sum(1 for s in summaries if s.status == "agreed")
        graded = sum(1 for s in summaries if s.grade is not None)
        evidence_count, action_count, overdue = (
            counts["evidence"],
            counts["actions"],
            counts["overdue"],
        )
        parts = [
            f"{agreed} of {len(summaries)} agreed",
            f"{graded} graded",
            f"{evidence_count} evidence item" + ("" if evidence_count == 1 else "s"),
            f"{action_count} action"
            + ("" if action_count == 1 else "s")
            + (f", {overdue} overdue" if overdue else ""),
        ]
        self.summary_label.setText(" · ".join(parts))

    def showEvent(self, event):  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if not self._split_done and self.splitter.orientation() == Qt.Orientation.Horizontal:
            # The table would take nearly all the width; give the chart a fair share.
            self._split_done = True
            width = max(self.splitter.width(), 2)
            # Two fifths for the chart, but on a narrow screen the titles come first:
            # the table keeps room for its fixed columns and some of every title.
            fixed = sum(
                self.table.columnWidth(c) for c in range(self.model.columnCount()) if c != TITLE
            )
            table_needs = fixed + self.table.fontMetrics().averageCharWidth() * 24
            chart = max(self.chart_area.minimumWidth(), min(width * 2 // 5, width - table_needs))
            self.splitter.setSizes([width - chart, chart])

    # -------------------------------------------------------------- choosing

    def _activate(self, index: Any = None) -> None:
        index = index if index is not None and index.isValid() else self.table.currentIndex()
        if index.isValid():
            self.indicator_activated.emit(index.siblingAtColumn(CODE).data(CODE_ROLE))
