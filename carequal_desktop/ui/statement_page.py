"""The position statement page: document control, key messages, statement summaries, conclusion.

What the team writes for the document as a whole, beside the indicators. The boxes save
through the workshop's one ``Autosave`` like every other (after a pause, at least every
second and a half while typing, on leaving, before an export; kept for recovery if the file
cannot take it). "Draft from the grades" fills an empty or replaced box with a first draft
the team then edits.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.text import shorten
from carequal_desktop.errors import UserError
from carequal_desktop.services.readiness import DOCUMENT_STATUSES, ReadinessService
from carequal_desktop.services.recovery import Edit
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.indicator_page import NarrativeEdit
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.headings import heading, page_heading


def _edit_for(key: str, text: str, label: str) -> Edit:
    """Box ``key`` ("key_messages", "conclusion", "summary-2") as an autosave edit."""
    if key.startswith("summary-"):
        return Edit("statement", key.split("-", 1)[1], "summary", text, label)
    return Edit("statement", "", key, text, label)


class StatementPage(WorkshopPage):
    """Edit what the team says about the whole statement, and its document control."""

    title = "Position statement"
    changed = Signal()

    def __init__(
        self, service: Any, parent: QWidget | None = None, autosave: Autosave | None = None
    ) -> None:
        super().__init__(service, parent, autosave)
        self.ready = ReadinessService(service)
        self._loading = False
        self._titles: dict[str, str] = {}

        outer = QVBoxLayout(self)
        outer.addWidget(page_heading("Position statement", self))
        intro = QLabel(
            "What the team says about the statement as a whole. Empty boxes are drafted from "
            "the agreed grades, strengths and areas for improvement when the document is "
            "exported; write your own to replace the draft.",
            self,
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop on the scroll area
        column = QWidget()
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 8, 0)
        self.scroll.setWidget(column)
        outer.addWidget(self.scroll, 1)

        control = QGroupBox("Document control", column)
        form = QFormLayout(control)
        self.version_edit = QLineEdit(control)
        self.version_edit.setAccessibleName("Version")
        self.status_box = QComboBox(control)
        self.status_box.setAccessibleName("Status")
        for key, label in DOCUMENT_STATUSES.items():
            self.status_box.addItem(label, key)
        self.date_edit = QLineEdit(control)
        self.date_edit.setAccessibleName("Date of the evaluation")
        self.approved_edit = QLineEdit(control)
        self.approved_edit.setAccessibleName("Approved by")
        self.approved_edit.setPlaceholderText("e.g. Chief officers group, 2 December 2026")
        form.addRow("&Version:", self.version_edit)
        form.addRow("S&tatus:", self.status_box)
        form.addRow("&Date of the evaluation:", self.date_edit)
        form.addRow("&Approved by:", self.approved_edit)
        col.addWidget(control)

        self.edits: dict[str, NarrativeEdit] = {}
        self.key_messages = self._text_box(
            col,
            "key_messages",
            "Key messages",
            "One message a line, starting with “- ”: what is working well and what must improve…",
        )
        self.summary_edits: dict[int, NarrativeEdit] = {}
        for st in service.framework().statements:
            edit = self._text_box(
                col,
                f"summary-{st.number}",
                f"Statement {st.number}: {shorten(st.text, 90)}",
                "A short evaluative summary of this statement…",
                lines=4,
            )
            edit.setToolTip(st.text)
            self.summary_edits[st.number] = edit
        self.conclusion = self._text_box(
            col,
            "conclusion",
            "Conclusion: our capacity for improvement",
            "How confident the team is that the partnership can improve, and why…",
            lines=4,
        )
        col.addStretch(1)

        for line in (self.version_edit, self.date_edit, self.approved_edit):
            line.editingFinished.connect(self._save_control)
        self.status_box.currentIndexChanged.connect(lambda _i: self._save_control())
        self.refresh()

    def _text_box(
        self, col: QVBoxLayout, key: str, title: str, placeholder: str, lines: int = 5
    ) -> NarrativeEdit:
        row = QHBoxLayout()
        label = heading(title, 1.05)
        row.addWidget(label, 1)
        draft = QPushButton("Draft from the grades", self)
        draft.setAccessibleName(f"Draft {title} from the grades")
        draft.clicked.connect(lambda _c=False, k=key: self.fill_draft(k))
        row.addWidget(draft)
        col.addLayout(row)
        edit = NarrativeEdit(title, placeholder, lines)
        label.setBuddy(edit)
        edit.textChanged.connect(lambda k=key: self._touched(k))
        edit.focus_lost.connect(self.box_left)
        col.addWidget(edit)
        self.edits[key] = edit
        self._titles[key] = title
        return edit

    # ----------------------------------------------------------------- reading

    def refresh(self) -> None:
        """Show what is stored (and typing the file has not taken yet)."""
        self.save_typing()
        self._loading = True
        try:
            texts = self.ready.statement_texts()
            control = self.ready.document_control()
            stored = {"key_messages": texts.key_messages, "conclusion": texts.conclusion}
            for number in self.summary_edits:
                stored[f"summary-{number}"] = texts.summaries.get(number, "")
            for key, edit in self.edits.items():
                text = self.autosave.text(_edit_for(key, "", "").key, stored.get(key, ""))
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
            self.version_edit.setText(control.version)
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(control.status)))
            self.date_edit.setText(control.evaluation_date or "")
            dates = [s.date for s in self.service.sessions() if s.date]
            self.date_edit.setPlaceholderText(
                f"The latest session ({max(dates)})" if dates else "YYYY-MM-DD"
            )
            self.approved_edit.setText(control.approved_by)
            read_only = bool(self.service.read_only)
            for widget in (
                *self.edits.values(),
                self.version_edit,
                self.date_edit,
                self.approved_edit,
            ):
                widget.setReadOnly(read_only)
            self.status_box.setEnabled(not read_only)
        finally:
            self._loading = False

    # ----------------------------------------------------------------- writing

    def _touched(self, key: str) -> None:
        if self._loading or self.service.read_only:
            return
        label = f"Position statement: {self._titles.get(key, key)}"
        self.autosave.put(_edit_for(key, self.edits[key].toPlainText(), label))

    def owns(self, edit: Edit) -> bool:
        return edit.kind == "statement"

    def edits_saved(self, edits: list[Edit]) -> None:
        if any(e.kind == "statement" for e in edits):
            self.changed.emit()

    def fill_draft(self, key: str) -> None:
        """Put a first draft from the grades in one box (the team edits it)."""
        if key == "key_messages":
            text = self.ready.draft_key_messages()
        elif key == "conclusion":
            text = self.ready.draft_conclusion()
        else:
            text = self.ready.draft_summary(int(key.split("-")[1]))
        edit = self.edits[key]
        if not text:
            messages.show_error(
                self, "There is nothing to draft from yet: grade an indicator first."
            )
            return
        edit.setPlainText(text)
        edit.setFocus()
        self.save_typing()

    def _save_control(self) -> None:
        if self._loading or self.service.read_only:
            return
        try:
            self.ready.update_document_control(
                version=self.version_edit.text(),
                status=self.status_box.currentData(),
                evaluation_date=self.date_edit.text().strip() or None,
                approved_by=self.approved_edit.text(),
            )
        except UserError as exc:
            messages.show_error(self, str(exc))
            self.refresh()
            return
        self.changed.emit()

    def focus_field(self, field: str, statement: int | None = None) -> NarrativeEdit:
        """Put the cursor in one box (for the readiness page's Go to) and return it."""
        if field == "summary" and statement in self.summary_edits:
            edit = self.summary_edits[statement]  # type: ignore[index]
        else:
            edit = self.edits.get(field, self.key_messages)
        self.scroll.ensureWidgetVisible(edit)
        edit.setFocus()
        return edit
