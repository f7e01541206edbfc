"""The Readiness page: what to look at before the position statement goes out.

Two tabs. *Checks* lists every finding of ``services.readiness`` (possible personal data
first), with Go to (opens the page and the box the finding is about) and, for personal data,
Not personal (remembered in the file). *Triangulation* shows each indicator against the
kinds of evidence and the agencies behind it; a gap is a cell reading "none", so it is seen
without colour. ``go_to_finding`` is shared with the export dialog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.personal_data import KINDS as PERSONAL_KINDS
from carequal_desktop.domain.readiness import FINDING_KINDS, SOURCES, Finding
from carequal_desktop.errors import UserError
from carequal_desktop.services.readiness import FIELD_LABELS, ReadinessService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.headings import page_heading

KIND_LABELS: dict[str, str] = {
    "personal_data": "Personal data?",
    "ungrounded_grade": "No evidence",
    "single_source": "One kind of evidence",
    "single_agency": "One agency",
    "stale_evidence": "Old evidence",
    "agreed_incomplete": "Agreed, incomplete",
    "smart_gap": "Not SMART",
}
GAP_FILL = QColor("#fde8e8")
GAP_TEXT = "none"


def place_text(finding: Finding) -> str:
    """ "5.1 · How good are we now?", "Evidence E3 · Title", "Action 1.2 · Baseline"."""
    parts: list[str] = []
    if finding.indicator and not (finding.evidence or finding.action):
        parts.append(finding.indicator)
    if finding.evidence:
        parts.append(f"Evidence {finding.evidence}")
    if finding.action:
        parts.append(f"Action {finding.action}")
    if finding.statement is not None:
        parts.append(f"Statement {finding.statement}")
    if finding.field and finding.field in FIELD_LABELS:
        parts.append(FIELD_LABELS[finding.field])
    elif finding.field == "grade":
        parts.append("Grade")
    elif finding.field == "date":
        parts.append("Date")
    elif finding.field == "due":
        parts.append("Due date")
    return " · ".join(parts) or "Workshop"


class FindingsModel(QAbstractTableModel):
    """Findings as rows: kind, place, what."""

    HEADERS = ("Kind", "Where", "What to look at")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.findings: list[Finding] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self.findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        f = self.findings[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            what = f.message
            if f.kind == "personal_data" and f.text and f.detail in PERSONAL_KINDS:
                what = f"“{f.text}” looks like {PERSONAL_KINDS[f.detail]}."  # place is beside it
            return (KIND_LABELS.get(f.kind, f.kind), place_text(f), what)[index.column()]
        if role == Qt.ItemDataRole.FontRole and f.kind == "personal_data" and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ReadinessPage(WorkshopPage):
    """Checks and triangulation, with a way to the place of each finding."""

    go_to_requested = Signal(object)  # Finding

    title = "Readiness"

    def __init__(
        self, service: Any, parent: QWidget | None = None, autosave: Autosave | None = None
    ) -> None:
        super().__init__(service, parent, autosave)
        self.service = service
        self.ready = ReadinessService(service)

        outer = QVBoxLayout(self)
        outer.addWidget(page_heading("Readiness", self))
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Summary of the checks")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.summary_label)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Readiness views")
        outer.addWidget(self.tabs, 1)

        # ---- checks
        checks = QWidget()
        col = QVBoxLayout(checks)
        filters = QHBoxLayout()
        kind_label = QLabel("&Show:", checks)
        self.kind_box = QComboBox(checks)
        self.kind_box.setAccessibleName("Which findings to show")
        self.kind_box.addItem("All findings", None)
        for kind, heading in FINDING_KINDS.items():
            self.kind_box.addItem(heading, kind)
        kind_label.setBuddy(self.kind_box)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._show_findings())
        filters.addWidget(kind_label)
        filters.addWidget(self.kind_box, 1)
        col.addLayout(filters)
        filters = QHBoxLayout()
        stale_label = QLabel("Evidence is &old after", checks)
        self.stale_spin = QSpinBox(checks)
        self.stale_spin.setRange(1, 240)
        self.stale_spin.setSuffix(" months")
        self.stale_spin.setAccessibleName(
            "Evidence is old after this many months before the latest session"
        )
        stale_label.setBuddy(self.stale_spin)
        self.stale_spin.editingFinished.connect(self._save_stale)
        filters.addWidget(stale_label)
        filters.addWidget(self.stale_spin)
        filters.addWidget(QLabel("before the latest session", checks))
        filters.addStretch(1)
        col.addLayout(filters)

        self.model = FindingsModel(self)
        self.table = QTableView(checks)
        self.table.setAccessibleName("Findings")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 220)
        self.table.doubleClicked.connect(lambda _i: self.go_to_selected())
        self.table.activated.connect(lambda _i: self.go_to_selected())
        col.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.go_button = QPushButton("&Go to", checks)
        self.go_button.setAccessibleName("Go to the place of the finding")
        self.go_button.clicked.connect(self.go_to_selected)
        self.not_personal_button = QPushButton("&Not personal", checks)
        self.not_personal_button.setAccessibleName("Mark these words as not personal data")
        self.not_personal_button.clicked.connect(self.mark_selected_not_personal)
        self.refresh_button = QPushButton("Check &again", checks)
        self.refresh_button.clicked.connect(self.refresh)
        for button in (self.go_button, self.not_personal_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        col.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.tabs.addTab(checks, "&Checks")

        # ---- triangulation
        tri = QWidget()
        tcol = QVBoxLayout(tri)
        note = QLabel(
            "How many items of each kind of evidence, and how many agencies, stand behind each "
            "indicator. “none” is a gap; inspectors look for numbers, people's views and "
            "observation from several agencies.",
            tri,
        )
        note.setWordWrap(True)
        tcol.addWidget(note)
        self.triangulation_table = QTableWidget(tri)
        self.triangulation_table.setAccessibleName(
            "Triangulation: indicators against kinds and agencies of evidence"
        )
        self.triangulation_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.triangulation_table.verticalHeader().hide()
        tcol.addWidget(self.triangulation_table, 1)
        self.tabs.addTab(tri, "&Triangulation")

        self.refresh()

    # ----------------------------------------------------------------- reading

    def refresh(self) -> None:
        """Run the checks again and show the results."""
        try:
            self._findings = self.ready.findings()
            self.stale_spin.setValue(self.ready.stale_months())
            self._fill_triangulation()
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        counts = {k: sum(1 for f in self._findings if f.kind == k) for k in FINDING_KINDS}
        personal = counts["personal_data"]
        if not self._findings:
            text = "Nothing to look at: no findings."
        else:
            text = f"{len(self._findings)} finding{'s' if len(self._findings) != 1 else ''}. " + (
                f"{personal} possible personal detail{'s' if personal != 1 else ''} must be "
                "removed or marked as not personal before the statement can be exported."
                if personal
                else "No possible personal data."
            )
        self.summary_label.setText(text)
        self._show_findings()

    def _show_findings(self) -> None:
        kind = self.kind_box.currentData()
        shown = [f for f in getattr(self, "_findings", []) if kind is None or f.kind == kind]
        self.model.set_findings(shown)
        self.table.resizeRowsToContents()
        if shown:
            self.table.selectRow(0)
        self._update_buttons()

    def _fill_triangulation(self) -> None:
        rows = self.ready.triangulation()
        columns = ["Indicator", *(v.split(" (")[0] for v in SOURCES.values()), "Agencies"]
        table = self.triangulation_table
        table.clear()
        table.setColumnCount(len(columns))
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels(columns)
        for c, tip in enumerate(SOURCES.values(), start=1):
            header_item = table.horizontalHeaderItem(c)
            if header_item is not None:
                header_item.setToolTip(tip)
        for r, row in enumerate(rows):
            label = f"{row.code} {row.title}" + ("" if row.graded else " (not graded)")
            name = QTableWidgetItem(label)
            name.setToolTip(label)
            table.setItem(r, 0, name)
            agencies = len([a for a in row.agencies if a != "Agency not recorded"])
            values = [row.sources.get(k, 0) for k in SOURCES] + [agencies]
            for c, value in enumerate(values, start=1):
                item = QTableWidgetItem(str(value) if value else GAP_TEXT)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not value and c <= 3 or (c == len(values) and value < 2):
                    # A gap inspectors look for: marked in words and in weight, colour only adds.
                    item.setBackground(QBrush(GAP_FILL))
                    item.setForeground(QBrush(QColor("#1a1a1a")))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if c == len(values):
                    item.setToolTip(", ".join(sorted(row.agencies)) or "No evidence")
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(columns)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)

    # ---------------------------------------------------------------- actions

    def selected_finding(self) -> Finding | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.findings[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        f = self.selected_finding()
        self.go_button.setEnabled(f is not None)
        self.not_personal_button.setEnabled(
            f is not None and f.kind == "personal_data" and not self.service.read_only
        )

    def go_to_selected(self) -> None:
        f = self.selected_finding()
        if f is not None:
            self.go_to_requested.emit(f)

    def mark_selected_not_personal(self) -> None:
        f = self.selected_finding()
        if f is None or f.kind != "personal_data":
            return
        try:
            self.ready.mark_not_personal(f)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.refresh()

    def _save_stale(self) -> None:
        if self.service.read_only or self.stale_spin.value() == self.ready.stale_months():
            return
        try:
            self.ready.set_stale_months(self.stale_spin.value())
        except UserError as exc:
            messages.show_error(self, str(exc))
        self.refresh()


def go_to_finding(window: Any, finding: Finding) -> None:
    """Open the page and the box a finding is about, selecting the words when there are some."""
    service = window.service
    if service is None:
        return
    edit: QPlainTextEdit | None = None
    if finding.evidence:
        window.show_page("evidence")
        match = next((e for e in service.evidence() if e.ref == finding.evidence), None)
        if match is not None:
            window.pages["evidence"].select_evidence(match.id)
        return
    if finding.action:
        window.show_page("plan")
        match = next((a for a in service.actions() if a.ref == finding.action), None)
        if match is not None:
            window.pages["plan"].select_action(match.id)
        return
    if finding.field in ("key_messages", "conclusion", "summary"):
        window.show_page("statement")
        edit = window.pages["statement"].focus_field(finding.field, finding.statement)
    elif finding.field in ("scope", "context"):
        window.show_page("team")
        edit = getattr(window.pages["team"], f"{finding.field}_edit", None)
    elif finding.indicator:
        window.show_indicator(finding.indicator)
        page = window.indicator_page
        edit = getattr(page, finding.field or "", None)
        if not isinstance(edit, QPlainTextEdit):
            edit = None
            target = {"strengths": "strengths", "areas_for_improvement": "areas"}.get(
                finding.field or ""
            )
            widget = getattr(page, target, None) if target else None
            if widget is not None:
                widget.setFocus()
    if isinstance(edit, QPlainTextEdit):
        edit.setFocus()
        if finding.text:
            cursor = edit.document().find(
                finding.text, 0, QTextDocument.FindFlag.FindCaseSensitively
            )
            if not cursor.isNull():
                edit.setTextCursor(cursor)
            else:
                edit.moveCursor(QTextCursor.MoveOperation.Start)
        edit.ensureCursorVisible()
