"""The overview: every indicator's status, grade and counts at a glance, with a chart of grades.

matplotlib is slow to import, so the chart is made the first time the page is shown,
just after it has painted, and never on the way to the first window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.evidence_page import TableKeys
from carequal_desktop.ui.models.overview_table_model import (
    ACTIONS,
    CODE,
    CODE_ROLE,
    EVIDENCE,
    GRADE,
    STATEMENTS,
    STATUS,
    TITLE,
    OverviewTableModel,
)
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.headings import page_heading
from carequal_desktop.ui.widgets.responsive import split_when_narrow


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
        self.chart_canvas: Any = None  # FigureCanvasQTAgg, made on first show
        self._chart_pending = False
        self._chart_stale = True
        self._split_done = False

        heading = page_heading("Overview", self)

        self.summary_label = QLabel(self)
        self.summary_label.setAccessibleDescription("Summary of the workshop")
        self.summary_label.setWordWrap(True)

        self.model = OverviewTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Indicators: status, grade, evidence and actions")
        self.table.setModel(self.model)
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

        self.chart_area = QWidget(self)
        self.chart_area.setAccessibleName("Chart of grades by indicator")
        self.chart_layout = QVBoxLayout(self.chart_area)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_placeholder = QLabel("Drawing the chart…", self.chart_area)
        self.chart_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart_layout.addWidget(self.chart_placeholder)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        # Table above chart on a projector or at large text, so the titles stay readable.
        split_when_narrow(self, splitter, 155)

        hint = QLabel("Double-click an indicator, or select it and press Enter, to open it.", self)
        hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(hint)

        self.table.doubleClicked.connect(self._activate)
        self._keys = TableKeys(self.table, self._activate)

        self.refresh()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        pad = metrics.averageCharWidth() * 2
        samples = {
            CODE: "10.1",
            STATEMENTS: "Statements",
            STATUS: "Not started",
            GRADE: "Not yet graded",
            EVIDENCE: "Evidence",
            ACTIONS: "Actions",
        }
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, sample in samples.items():
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + pad)

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Read the overview again; the chart follows when the page is visible."""
        try:
            summaries = self.service.overview()
            framework = self.service.framework()
            counts = self.service.counts()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        current = self.table.currentIndex()
        self.model.set_summaries(summaries, framework)
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
        self._chart_stale = True
        if self.isVisible():
            self._schedule_chart()

    def showEvent(self, event):  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if not self._split_done:
            # The table would take nearly all the width; give the chart a fair share.
            self._split_done = True
            width = max(self.splitter.width(), 2)
            self.splitter.setSizes([width * 3 // 5, width * 2 // 5])
        if self._chart_stale:
            self._schedule_chart()

    def _schedule_chart(self) -> None:
        # After this paint, so the page appears at once and the chart a moment later.
        if not self._chart_pending:
            self._chart_pending = True
            QTimer.singleShot(0, self._draw_chart)

    def _draw_chart(self) -> None:
        self._chart_pending = False
        if not self._chart_stale:
            return
        from carequal_desktop.reports.charts import grades_figure

        font_size = QApplication.font().pointSizeF()
        font_size = 0.9 * font_size if font_size > 0 else 8.0
        if self.chart_canvas is None:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

            figure = grades_figure(
                self.model.summaries(),
                self.service.framework(),
                font_size=font_size,
                titles=False,
                slanted_levels=True,
            )
            self.chart_canvas = FigureCanvasQTAgg(figure)
            self.chart_canvas.setParent(self.chart_area)
            self.chart_canvas.setAccessibleName("Chart of grades by indicator")
            self.chart_canvas.setMinimumSize(
                self.fontMetrics().averageCharWidth() * 40, self.fontMetrics().height() * 12
            )
            self.chart_layout.removeWidget(self.chart_placeholder)
            self.chart_placeholder.deleteLater()
            self.chart_placeholder = None
            self.chart_layout.addWidget(self.chart_canvas)
            self.chart_canvas.show()
        else:
            grades_figure(
                self.model.summaries(),
                self.service.framework(),
                figure=self.chart_canvas.figure,
                font_size=font_size,
                titles=False,
                slanted_levels=True,
            )
            self.chart_canvas.draw_idle()
        self._chart_stale = False

    # -------------------------------------------------------------- choosing

    def _activate(self, index: Any = None) -> None:
        index = index if index is not None and index.isValid() else self.table.currentIndex()
        if index.isValid():
            self.indicator_activated.emit(self.model.index(index.row(), 0).data(CODE_ROLE))
