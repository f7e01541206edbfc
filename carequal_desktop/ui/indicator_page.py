"""The indicator page: the screen the team looks at most, usually on a projector.

One instance shows any indicator (``show_indicator``); switching only reloads data, it never
rebuilds widgets, so moving between indicators stays instant on a large workshop. Text goes
through the workshop's ``Autosave``: saved after a pause, at least every second and a half
while typing, on leaving a box, on switching indicator and on closing the window (``flush``):
there is no Save button to forget. A strength half-typed in "Type a strength" is filed under
its own indicator when the user moves on, never carried to the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFocusEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.vocabulary import EVALUATION_STATUSES, NOT_GRADED
from carequal_desktop.errors import UserError
from carequal_desktop.services.recovery import Edit, is_not_written
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import DEBOUNCE_MS, Autosave
from carequal_desktop.ui.colours import warning_colour
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.undo import ITEM_NAMES, AddItem, DeleteItem, Unlink
from carequal_desktop.ui.widgets.grading_panel import AgreementPanel, GradingPanel
from carequal_desktop.ui.widgets.headings import heading, scaled_font
from carequal_desktop.ui.widgets.item_list_editor import ItemListEditor
from carequal_desktop.ui.widgets.responsive import compact_button, on_width, stack_when_narrow

AUTOSAVE_MS = DEBOUNCE_MS
_ID_ROLE = Qt.ItemDataRole.UserRole
_TEXT_FIELDS = ("how_good_now", "how_do_we_know", "what_next", "rationale")
_FIELD_NAMES = {
    "how_good_now": "How good are we now?",
    "how_do_we_know": "How do we know?",
    "what_next": "What are we going to do now?",
    "rationale": "Why this grade?",
    "strength": "new strength",
    "area_for_improvement": "new area for improvement",
}
_EVALUATION_KINDS = ("evaluation", "new_item", "item")


class NarrativeEdit(QPlainTextEdit):
    """A paragraph box that tells the page when focus leaves it, so the text is saved then."""

    focus_lost = Signal()

    def __init__(self, name: str, placeholder: str, lines: int = 5) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._lines = lines
        self._fit_height()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def _fit_height(self) -> None:
        height = self.fontMetrics().lineSpacing() * self._lines + 2 * self.frameWidth() + 10
        self.setMinimumHeight(height)
        self.setMaximumHeight(height + self.fontMetrics().lineSpacing() * 2)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text zoom: keep the same number of lines
            self._fit_height()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt name)
        super().focusOutEvent(event)
        self.focus_lost.emit()


def _rule() -> QFrame:
    """A thin line between the three questions."""
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _list_height(widget: QWidget, lines: int) -> int:
    return widget.fontMetrics().lineSpacing() * lines + 12


class IndicatorPage(WorkshopPage):
    """Answers, evidence, actions, grade and status for one indicator at a time."""

    title = "Quality indicator"

    indicator_changed = Signal(str)  # status, grade or text saved: the sidebar may update
    navigate_requested = Signal(int)  # -1 previous indicator, +1 next
    workshop_changed = Signal()  # evidence or actions added: other pages may need a refresh

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)
        self.code: str | None = None
        self._status = "not_started"
        self._loading = False
        self._build()
        self.set_read_only(service.read_only)

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(6)

        # Header: what indicator this is, where it sits, and the way to the next one.
        top = QHBoxLayout()
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # the title comes from the file
        self.title_label.setFont(scaled_font(self, 1.6))
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleDescription("Indicator")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.title_label, 1)
        self.prev_button = QPushButton("‹ Previous")
        self.prev_button.setToolTip("Previous indicator (Ctrl+Page Up or Alt+Left)")
        self.prev_button.setAccessibleName("Previous indicator")
        self.prev_button.clicked.connect(lambda: self.navigate_requested.emit(-1))
        self.next_button = QPushButton("Next ›")
        self.next_button.setToolTip("Next indicator (Ctrl+Page Down or Alt+Right)")
        self.next_button.setAccessibleName("Next indicator")
        self.next_button.clicked.connect(lambda: self.navigate_requested.emit(1))
        for button in (self.prev_button, self.next_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        self.context_label = QLabel()
        self.context_label.setTextFormat(Qt.TextFormat.PlainText)  # from the file
        self.context_label.setWordWrap(True)
        self.context_label.setAccessibleDescription("Key question, area and inspection statements")
        # Secondary, but read from the back of the room: full text colour (the placeholder
        # grey was 3.9:1).
        outer.addWidget(self.context_label)

        body = QHBoxLayout()
        body.setSpacing(10)
        outer.addLayout(body, 1)

        # Main column: the three questions, in order, in a scroll area so it fits 1366×768.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop on the scroll area itself
        column = QWidget()
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 8, 0)
        col.setSpacing(6)
        self.scroll.setWidget(column)
        body.addWidget(self.scroll, 1)

        # 1 How good are we now?
        col.addWidget(heading("1  How good are we now?"))
        self.how_good_now = NarrativeEdit(
            "How good are we now?",
            "What the team says about how well we are doing, in a few sentences…",
        )
        col.addWidget(self.how_good_now)
        lists = QHBoxLayout()
        self.strengths = ItemListEditor("Strengths", "Type a strength and press Enter")
        self.areas = ItemListEditor("Areas for improvement", "Type an area and press Enter")
        lists.addWidget(self.strengths, 1)
        lists.addWidget(self.areas, 1)
        col.addLayout(lists)
        # Side by side on a laptop; one above the other on a projector or at large text.
        stack_when_narrow(self.scroll.viewport(), lists, 80)
        col.addSpacing(8)

        # 2 How do we know?
        col.addWidget(_rule())
        col.addWidget(heading("2  How do we know?"))
        self.how_do_we_know = NarrativeEdit(
            "How do we know?",
            "The evidence in words: what it shows, and how the sources agree…",
        )
        col.addWidget(self.how_do_we_know)
        ev_label = QLabel("Linked evidence")
        ev_label.setFont(scaled_font(ev_label, 1.0))
        col.addWidget(ev_label)
        self.evidence_list = QListWidget()
        self.evidence_list.setAccessibleName("Evidence linked to this indicator")
        self._fit_list_heights()
        # One line per item and uniform heights: an indicator may cite hundreds of items.
        self.evidence_list.setUniformItemSizes(True)
        self.evidence_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Long titles end in "…" (whole in the tooltip and to screen readers): never sideways.
        self.evidence_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.evidence_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.evidence_list.itemActivated.connect(self._edit_evidence)
        col.addWidget(self.evidence_list)
        ev_label.setBuddy(self.evidence_list)
        ev_buttons = QHBoxLayout()
        self.link_evidence_button = QPushButton("Link evidence…")
        self.link_evidence_button.setAccessibleName("Link evidence from the register")
        self.link_evidence_button.clicked.connect(self.link_evidence)
        self.new_evidence_button = QPushButton("New evidence…")
        self.new_evidence_button.setAccessibleName("New evidence for this indicator")
        self.new_evidence_button.setToolTip(
            "Add evidence to the register and link it here (Ctrl+E)"
        )
        self.new_evidence_button.clicked.connect(self.new_evidence)
        self.unlink_evidence_button = QPushButton("Unlink")
        self.unlink_evidence_button.setAccessibleName("Unlink the selected evidence")
        self.unlink_evidence_button.setToolTip(
            "Stop citing the selected evidence here; it stays in the register"
        )
        self.unlink_evidence_button.clicked.connect(self.unlink_evidence)
        for b in (self.link_evidence_button, self.new_evidence_button, self.unlink_evidence_button):
            ev_buttons.addWidget(compact_button(b))
        ev_buttons.addStretch(1)
        col.addLayout(ev_buttons)
        stack_when_narrow(self.scroll.viewport(), ev_buttons, 56)
        col.addSpacing(8)

        # 3 What are we going to do now?
        col.addWidget(_rule())
        col.addWidget(heading("3  What are we going to do now?"))
        self.what_next = NarrativeEdit(
            "What are we going to do now?",
            "What the team will do next, and what difference it should make…",
        )
        col.addWidget(self.what_next)
        act_label = QLabel("Linked actions in the improvement plan")
        act_label.setWordWrap(True)
        col.addWidget(act_label)
        self.action_list = QListWidget()
        self.action_list.setAccessibleName("Improvement actions linked to this indicator")

        self.action_list.setWordWrap(True)
        self.action_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.action_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.action_list.itemActivated.connect(self._edit_action)
        col.addWidget(self.action_list)
        act_label.setBuddy(self.action_list)
        act_buttons = QHBoxLayout()
        self.new_action_button = QPushButton("New action…")
        self.new_action_button.setAccessibleName("New improvement action for this indicator")
        self.new_action_button.setToolTip("Add an action to the improvement plan (Ctrl+Shift+N)")
        self.new_action_button.clicked.connect(self.new_action)
        self.link_action_button = QPushButton("Link action…")
        self.link_action_button.setAccessibleName("Link an action from the improvement plan")
        self.link_action_button.clicked.connect(self.link_action)
        self.unlink_action_button = QPushButton("Unlink")
        self.unlink_action_button.setAccessibleName("Unlink the selected action")
        self.unlink_action_button.setToolTip(
            "Stop linking the selected action here; it stays in the improvement plan"
        )
        self.unlink_action_button.clicked.connect(self.unlink_action)
        for b in (self.new_action_button, self.link_action_button, self.unlink_action_button):
            act_buttons.addWidget(compact_button(b))
        act_buttons.addStretch(1)
        col.addLayout(act_buttons)
        stack_when_narrow(self.scroll.viewport(), act_buttons, 56)
        col.addStretch(1)

        # Side panel: the grade with its meaning, status, rationale, prompts.
        side_scroll = QScrollArea()
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)

        # 330 px on a laptop, narrower on a small screen or at large text; its text wraps.
        def fit_side(width: int) -> None:
            char = self.fontMetrics().averageCharWidth()
            side_scroll.setFixedWidth(max(char * 28, min(max(330, char * 46), width * 3 // 10)))

        on_width(self, fit_side)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.side_scroll = side_scroll
        side = QWidget()
        side_scroll.setWidget(side)
        panel = QVBoxLayout(side)
        panel.setContentsMargins(8, 0, 8, 0)
        panel.setSpacing(4)
        body.addWidget(side_scroll, 0)

        # Each agency's view first, then the agreed grade (issue 10, ui/widgets/grading_panel).
        self.grading_panel = GradingPanel(self.service)
        self.agreement_panel = AgreementPanel(self.service)
        for part in (self.grading_panel, self.agreement_panel):
            part.changed.connect(lambda code: (self.refresh(), self.indicator_changed.emit(code)))
        self.indicator_changed.connect(lambda _code: self.agreement_panel.refresh())
        for part in (self.grading_panel, self.agreement_panel):
            # A list saved by colleagues meanwhile: the window's notice, like typing.
            part.collided.connect(self.autosave.collided.emit)
        panel.addWidget(self.grading_panel)
        panel.addSpacing(8)

        panel.addWidget(heading("Agreed grade", 1.15))
        self.grade_group = QButtonGroup(self)
        self.grade_buttons: dict[int, QRadioButton] = {}
        self._grade_box = QVBoxLayout()
        self._grade_box.setSpacing(0)
        panel.addLayout(self._grade_box)
        self.grade_group.idToggled.connect(self._grade_toggled)

        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setAccessibleDescription("Meaning of the chosen grade")
        self.meaning.setFrameShape(QFrame.Shape.StyledPanel)
        self.meaning.setAutoFillBackground(True)
        self.meaning.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.meaning.setMargin(8)
        self.meaning.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.meaning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        panel.addWidget(self.meaning)

        status_row = QHBoxLayout()
        status_label = QLabel("&Status:")
        status_label.setFont(scaled_font(status_label, 1.0))
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Status of this indicator")
        for key, label in EVALUATION_STATUSES.items():
            self.status_combo.addItem(label, key)
        self.status_combo.currentIndexChanged.connect(self._status_chosen)
        status_label.setBuddy(self.status_combo)
        status_row.addWidget(status_label)
        status_row.addWidget(self.status_combo, 1)
        panel.addSpacing(6)
        panel.addLayout(status_row)

        rationale_label = QLabel("&Why this grade?")
        rationale_label.setFont(scaled_font(rationale_label, 1.0))
        panel.addSpacing(6)
        panel.addWidget(rationale_label)
        self.rationale = NarrativeEdit(
            "Rationale for the grade", "The reasons the team agreed this grade…", lines=4
        )
        rationale_label.setBuddy(self.rationale)
        panel.addWidget(self.rationale)
        panel.addWidget(self.agreement_panel)

        panel.addSpacing(6)
        panel.addWidget(heading("Prompts for discussion", 1.0))
        self.prompts_label = QLabel()
        self.prompts_label.setWordWrap(True)
        self.prompts_label.setAccessibleDescription("Prompts for discussion")
        self.prompts_label.setTextFormat(Qt.TextFormat.RichText)
        self.prompts_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        panel.addWidget(self.prompts_label)
        self.edit_indicator_button = QPushButton("Edit indicator…")
        self.edit_indicator_button.setAccessibleName(
            "Edit this indicator's title, prompts and statements"
        )
        self.edit_indicator_button.clicked.connect(self.edit_indicator)
        panel.addWidget(self.edit_indicator_button, 0, Qt.AlignmentFlag.AlignLeft)
        panel.addStretch(1)

        self._texts: dict[str, NarrativeEdit] = {
            "how_good_now": self.how_good_now,
            "how_do_we_know": self.how_do_we_know,
            "what_next": self.what_next,
            "rationale": self.rationale,
        }
        for field, edit in self._texts.items():
            edit.textChanged.connect(lambda f=field: self._text_changed(f))
            edit.focus_lost.connect(self.box_left)

        for kind, editor in (("strength", self.strengths), ("area_for_improvement", self.areas)):
            editor.draft_changed.connect(lambda text, k=kind: self._draft_changed(k, text))
            editor.editing_text.connect(lambda i, text, k=kind: self._line_typed(k, i, text))
            editor.editing_finished.connect(self._line_given_up)
            editor.add_requested.connect(lambda text, k=kind: self._add_item(k, text))
            editor.edit_requested.connect(self._edit_item)
            editor.delete_requested.connect(lambda item_id, k=kind: self._delete_item(k, item_id))
            editor.reorder_requested.connect(lambda ids, k=kind: self._reorder(k, ids))

        self._fit_list_heights()
        self._build_grades()
        self._order_tabs()

    def _order_tabs(self) -> None:
        """The answers, then the grade and status, then the lists' buttons; Previous/Next last
        (Alt+Left/Right is the quick way). The lists' own buttons have keys instead (Enter
        adds, F2 edits, Delete deletes, Ctrl+Up/Down move), so they are no Tab stops."""
        for editor in (self.strengths, self.areas):
            for button in (
                editor.add_button,
                editor.edit_button,
                editor.delete_button,
                editor.up_button,
                editor.down_button,
            ):
                button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        order: list[QWidget] = [
            self.how_good_now,
            self.strengths.new_line,
            self.strengths.list,
            self.areas.new_line,
            self.areas.list,
            self.how_do_we_know,
            self.what_next,
            *self.grade_buttons.values(),
            self.status_combo,
            self.rationale,
            self.evidence_list,
            self.link_evidence_button,
            self.new_evidence_button,
            self.unlink_evidence_button,
            self.action_list,
            self.new_action_button,
            self.link_action_button,
            self.unlink_action_button,
            self.edit_indicator_button,
            self.prev_button,
            self.next_button,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _fit_list_heights(self) -> None:
        if not hasattr(self, "action_list"):
            return
        self.evidence_list.setMinimumHeight(_list_height(self, 4))
        self.evidence_list.setMaximumHeight(_list_height(self, 8))
        self.action_list.setMinimumHeight(_list_height(self, 3))
        self.action_list.setMaximumHeight(_list_height(self, 7))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text zoom
            self._fit_list_heights()

    def _build_grades(self) -> None:
        """Radio buttons for the workshop's scale, highest first, then "Not yet graded"."""
        for button in list(self.grade_buttons.values()):
            self.grade_group.removeButton(button)
            button.deleteLater()
        self.grade_buttons.clear()
        levels = [
            (lvl.value, f"{lvl.value}  {lvl.label}") for lvl in self.service.framework().scale
        ]
        levels.append((0, NOT_GRADED))
        for value, text in levels:
            button = QRadioButton(text)
            button.setAccessibleName(f"Grade {text}" if value else NOT_GRADED)
            self.grade_group.addButton(button, value)
            self.grade_buttons[value] = button
            self._grade_box.addWidget(button)

    # ------------------------------------------------------------------- load

    def refresh(self) -> None:
        """Reload the current indicator from the file."""
        if self.code is not None:
            self.show_indicator(self.code)

    def show_indicator(self, code: str) -> None:
        """Show one indicator; saves what was being typed on the previous one first."""
        if code != self.code:
            self.flush()  # leaving: a half-typed strength is filed where it was typed
        else:
            self.commit_edits()
            self.save_typing()
        fw = self.service.framework()
        ind = fw.indicator(code)
        ev = self.service.evaluation(code)
        self._loading = True
        try:
            changed = code != self.code
            self.code = code
            self._status = ev.status
            self.title_label.setText(f"{ind.code}  {ind.title}")
            statements = ", ".join(str(n) for n in ind.statements) or "none"
            noun = "statement" if len(ind.statements) == 1 else "statements"
            self.context_label.setText(
                f"{ind.area}  ·  {ind.key_question}  ·  Reported under inspection {noun} {statements}"
            )
            self.context_label.setToolTip(
                "\n".join(
                    f"{st.number}. {st.text}" for st in fw.statements if st.number in ind.statements
                )
            )
            for field, edit in self._texts.items():
                # Typing the file does not have yet (a full disk) stays on screen.
                key = self._key(code, field)
                text = self.autosave.text(key, self.base(key, getattr(ev, field)) or "")
                if changed or edit.toPlainText() != text:
                    edit.setPlainText(text)
            self.strengths.set_items(self._lines(ev.strengths))
            self.areas.set_items(self._lines(ev.areas_for_improvement))
            for kind, editor in (
                ("strength", self.strengths),
                ("area_for_improvement", self.areas),
            ):
                editor.set_draft(self.autosave.text(Edit("new_item", code, kind, "", "").key, ""))
            self._show_grade(ev.grade)
            self.status_combo.setCurrentIndex(self.status_combo.findData(ev.status))
            prompts = "".join(f"<li>{_escape(p)}</li>" for p in ind.prompts)
            self.prompts_label.setText(
                f"<ul style='margin-left:-20px'>{prompts}</ul>" if prompts else "<i>No prompts.</i>"
            )
            self._load_evidence()
            self._load_actions()
            self.grading_panel.show_indicator(code)
            self.agreement_panel.show_indicator(code, self.grading_panel.view)
            codes = [i.code for i in fw.indicators]
            pos = codes.index(code)
            self.prev_button.setEnabled(pos > 0)
            self.next_button.setEnabled(pos < len(codes) - 1)
            if changed:
                self.scroll.verticalScrollBar().setValue(0)
        finally:
            self._loading = False

    def _show_grade(self, grade: int | None) -> None:
        button = self.grade_buttons.get(grade or 0) or self.grade_buttons[0]
        button.setChecked(True)
        self._show_meaning(grade)
        self._grade_tab_stop()

    def _grade_tab_stop(self) -> None:
        """One Tab stop for the grade, on the chosen one; the arrow keys choose another."""
        checked = self.grade_group.checkedButton()
        for button in self.grade_buttons.values():
            button.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if button is checked else Qt.FocusPolicy.ClickFocus
            )

    def _show_meaning(self, grade: int | None) -> None:
        level = self.service.framework().level(grade) if grade else None
        if level is None:
            self.meaning.setText(
                "Not yet graded. Choose a grade when the team has agreed one; "
                "its meaning is shown here so everyone can check it fits."
            )
        else:
            self.meaning.setText(
                f"<b>{level.value} {_escape(level.label)}</b><br>{_escape(level.meaning)}"
            )

    def _load_evidence(self) -> None:
        assert self.code is not None
        # Hundreds of items on a large workshop: fill without repainting between items.
        self.evidence_list.setUpdatesEnabled(False)
        self.evidence_list.clear()
        for ev in self.service.evidence_for_indicator(self.code):
            text = f"{ev.ref}  {ev.title}"
            if ev.share_text:
                text += f" — {ev.share_text}"
            item = QListWidgetItem(text)
            item.setData(_ID_ROLE, ev.id)
            item.setToolTip(f"{text}\n{ev.description}" if ev.description else text)
            self.evidence_list.addItem(item)
        if not self.evidence_list.count():
            self._placeholder(self.evidence_list, "No evidence linked yet.")
        self.evidence_list.setUpdatesEnabled(True)

    def _load_actions(self) -> None:
        assert self.code is not None
        self.action_list.clear()
        for act in self.service.actions_for_indicator(self.code):
            parts = [f"Action {act.ref}: {act.task}"]  # not to be read as an indicator code
            if act.ownership:
                parts.append(act.ownership)
            if act.due:
                parts.append(f"due {act.due}")
            text = " — ".join(parts)
            item = QListWidgetItem(text)
            item.setData(_ID_ROLE, act.id)
            if act.is_overdue():
                item.setText(f"{text}  ⚠ overdue")
                item.setForeground(QBrush(warning_colour(self.action_list.palette())))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.action_list.addItem(item)
        if not self.action_list.count():
            self._placeholder(self.action_list, "No actions linked yet.")

    @staticmethod
    def _placeholder(widget: QListWidget, text: str) -> None:
        # Enabled (a disabled item's grey was 1.9:1) but not selectable; italic marks it.
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        widget.addItem(item)

    def set_read_only(self, read_only: bool) -> None:
        self.grading_panel.set_read_only(read_only)
        self.agreement_panel.set_read_only(read_only)
        for edit in self._texts.values():
            edit.setReadOnly(read_only)
        self.strengths.set_read_only(read_only)
        self.areas.set_read_only(read_only)
        for button in self.grade_buttons.values():
            button.setEnabled(not read_only)
        for w in (
            self.status_combo,
            self.link_evidence_button,
            self.new_evidence_button,
            self.unlink_evidence_button,
            self.new_action_button,
            self.link_action_button,
            self.unlink_action_button,
            self.edit_indicator_button,
        ):
            w.setEnabled(not read_only)

    # ------------------------------------------------------------------- save

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run a service call; a problem the user can act on becomes a message."""
        try:
            fn(*args, **kwargs)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return False
        return True

    @staticmethod
    def _key(code: str, field: str) -> str:
        return Edit("evaluation", code, field, "", "").key

    def _label(self, field: str) -> str:
        return f"{self.code} {_FIELD_NAMES.get(field, field)}"

    def _text_changed(self, field: str) -> None:
        if self._loading or self.code is None or self.service.read_only:
            return
        text = self._texts[field].toPlainText()
        base = self.base(self._key(self.code, field))
        self.autosave.put(Edit("evaluation", self.code, field, text, self._label(field), base=base))

    def _draft_changed(self, kind: str, text: str) -> None:
        if self._loading or self.code is None or self.service.read_only:
            return
        edit = Edit("new_item", self.code, kind, text, self._label(kind), draft=True)
        if text.strip():
            self.autosave.put(edit)
        else:
            self.autosave.drop(edit.key)

    @staticmethod
    def _item_key(item_id: str) -> str:
        return Edit("item", item_id, "text", "", "").key

    def _line_typed(self, kind: str, item_id: str, text: str) -> None:
        """A line being changed (F2) is kept for recovery; it is saved on Enter or leaving."""
        if self.code is None or self.service.read_only:
            return
        label = f"{self.code} {ITEM_NAMES.get(kind, kind)} being changed"
        base = self.base(self._item_key(item_id))
        self.autosave.put(Edit("item", item_id, "text", text, label, draft=True, base=base))

    def _line_given_up(self, item_id: str) -> None:
        self.autosave.drop_draft(self._item_key(item_id))

    def commit_edits(self) -> None:
        """A strength or area being changed with F2 is saved before anything reloads."""
        self.strengths.commit_editing()
        self.areas.commit_editing()

    def owns(self, edit: Edit) -> bool:
        if edit.kind == "item":
            return edit.target in self.strengths.ids() or edit.target in self.areas.ids()
        return edit.kind in _EVALUATION_KINDS and edit.target == self.code

    def edits_saved(self, edits: list[Edit]) -> None:
        codes = sorted({e.target for e in edits if e.kind in ("evaluation", "new_item")})
        if self.code in codes:
            ev = self.service.evaluation(self.code)
            self._loading = True
            try:
                self._status = ev.status
                self.status_combo.setCurrentIndex(self.status_combo.findData(ev.status))
            finally:
                self._loading = False
            if any(e.kind == "new_item" and e.target == self.code for e in edits):
                for kind, editor in (
                    ("strength", self.strengths),
                    ("area_for_improvement", self.areas),
                ):
                    if any(
                        e.kind == "new_item"
                        and e.field == kind
                        and e.target == self.code
                        and e.text == editor.new_line.text()
                        for e in edits
                    ):
                        editor.set_draft("")
                self._reload_items()
        for code in codes:
            self.indicator_changed.emit(code)
        for edit in edits:
            if edit.kind == "new_item" and self.isVisible():
                name = ITEM_NAMES.get(edit.field, edit.field)
                self.notice.emit(
                    f"The {name} you had typed, “{edit.text}”, was added to {edit.target}."
                )

    def _started(self) -> dict[str, str]:
        """Working on a not-started indicator moves it to in progress."""
        if self._status != "not_started":
            return {}
        self._status = "in_progress"
        self._loading = True
        try:
            self.status_combo.setCurrentIndex(self.status_combo.findData("in_progress"))
        finally:
            self._loading = False
        return {"status": "in_progress"}

    def _grade_toggled(self, value: int, checked: bool) -> None:
        if not checked:
            return
        self._grade_tab_stop()
        grade = value or None
        self._show_meaning(grade)
        if self._loading or self.code is None:
            return
        self.save_typing()
        if self._call(self.service.update_evaluation, self.code, grade=grade, **self._started()):
            self.indicator_changed.emit(self.code)
        else:
            self.refresh()

    def _status_chosen(self) -> None:
        if self._loading or self.code is None:
            return
        status = self.status_combo.currentData()
        self.save_typing()
        if status == "agreed" and self._status != "agreed":
            problem = self._not_ready_to_agree()
            if problem:
                messages.show_error(self, problem)
                self.refresh()  # back to the status it had
                return
        if self._call(self.service.update_evaluation, self.code, status=status):
            self._status = status
            self.indicator_changed.emit(self.code)
        else:
            self.refresh()

    def _not_ready_to_agree(self) -> str:
        """Why this indicator cannot be marked agreed yet ("" when it can)."""
        assert self.code is not None
        ev = self.service.evaluation(self.code)
        answers = (ev.how_good_now, ev.how_do_we_know, ev.what_next)
        empty = not any(a.strip() for a in answers) and not ev.strengths
        if empty and not ev.areas_for_improvement and ev.grade is None:
            return (
                "There is nothing to agree yet: write the team's answers to the three "
                "questions, then choose a grade, before marking this indicator agreed."
            )
        if ev.grade is None:
            return "Choose the grade the team agreed before marking this indicator agreed."
        return ""

    def set_status(self, status: str) -> None:
        """Choose a status as if from the list (used by the menu and tests)."""
        self.status_combo.setCurrentIndex(self.status_combo.findData(status))

    def set_grade(self, grade: int | None) -> None:
        """Choose a grade as if clicked (used by tests)."""
        self.grade_buttons[grade or 0].click()

    def grade(self) -> int | None:
        return self.grade_group.checkedId() or None

    # ------------------------------------------------------------ list items

    def _reload_items(self, select_id: str | None = None) -> None:
        assert self.code is not None
        ev = self.service.evaluation(self.code)
        self.strengths.set_items(self._lines(ev.strengths), select_id)
        self.areas.set_items(self._lines(ev.areas_for_improvement), select_id)

    def _lines(self, items: list[Any]) -> list[tuple[str, str]]:
        """``(id, text)`` of a list, with changes the file has not taken yet (a full disk)."""
        return [
            (
                i.id,
                self.autosave.text(
                    self._item_key(i.id), self.base(self._item_key(i.id), i.text) or ""
                ),
            )
            for i in items
        ]

    def _add_item(self, kind: str, text: str) -> None:
        if self.code is None:
            return
        try:
            command = AddItem(self.undo_stack, self.code, kind, text)
            self.undo_stack.run(command)
            started = self._started()
            if started:
                self.service.update_evaluation(self.code, **started)
        except UserError as exc:
            if is_not_written(exc):
                # The file or server could not take it: the line goes back in its box (and
                # the recovery file), to be added when it can be; it is never lost.
                editor = self.strengths if kind == "strength" else self.areas
                editor.set_draft(text)
                self._draft_changed(kind, text)
            messages.show_error(self, str(exc))
            return
        self._reload_items(command.item_id)
        self.indicator_changed.emit(self.code)

    def _edit_item(self, item_id: str, text: str) -> None:
        """A changed line goes through the autosave, so a full disk keeps it."""
        if self.code is None:
            return
        label = f"{self.code} changed line"
        base = self.base(self._item_key(item_id))
        self.autosave.put(Edit("item", item_id, "text", text, label, base=base))
        self.save_typing()
        # Reload after the list has finished committing its editor: rebuilding the list
        # inside its own itemChanged would delete the item being edited.
        code = self.code
        QTimer.singleShot(0, lambda: self._reload_items(item_id) if self.code == code else None)

    def _delete_item(self, kind: str, item_id: str) -> None:
        """Delete at once (no question in the middle of a discussion); Ctrl+Z brings it back."""
        if self.code is None:
            return
        command = DeleteItem(self.undo_stack, self.code, kind, item_id)
        if not self._call(self.undo_stack.run, command):
            return
        editor = self.strengths if kind == "strength" else self.areas
        ids = editor.ids()
        row = ids.index(item_id) if item_id in ids else 0
        rest = [i for i in ids if i != item_id]
        self._reload_items(rest[min(row, len(rest) - 1)] if rest else None)
        self.indicator_changed.emit(self.code)
        self.notice.emit(
            f"Deleted the {ITEM_NAMES.get(kind, kind)} “{command.item_text}”. "
            "Edit › Undo (Ctrl+Z) brings it back."
        )

    def _reorder(self, kind: str, ids: list[str]) -> None:
        if self.code is None:
            return
        editor = self.strengths if kind == "strength" else self.areas
        current = editor.current_id()
        if self._call(self.service.reorder_items, self.code, kind, ids):
            self._reload_items(current)

    # -------------------------------------------------------------- evidence

    def _selected_ids(self, widget: QListWidget) -> list[str]:
        return [i.data(_ID_ROLE) for i in widget.selectedItems() if i.data(_ID_ROLE)]

    def link_evidence(self) -> None:
        from carequal_desktop.ui.dialogs.evidence_picker_dialog import EvidencePickerDialog

        if self.code is None:
            return
        dialog = EvidencePickerDialog(self.service, self.code, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        for evidence_id in dialog.selected_ids():
            if not self._call(self.service.link_evidence, evidence_id, self.code):
                break
        self._load_evidence()
        self.indicator_changed.emit(self.code)

    def new_evidence(self) -> None:
        """Add evidence to the register on the spot, linked to this indicator."""
        from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

        if self.code is None:
            return
        self.save_typing()
        dialog = EvidenceDialog(self.service, self, indicators=(self.code,))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        saved = getattr(dialog, "saved", None)
        if saved is not None and self.code not in saved.indicators:
            self._call(self.service.link_evidence, saved.id, self.code)
        self._load_evidence()
        self.indicator_changed.emit(self.code)
        self.workshop_changed.emit()

    def _edit_evidence(self, item: QListWidgetItem) -> None:
        from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

        evidence_id = item.data(_ID_ROLE)
        if not evidence_id or self.service.read_only:
            return
        try:
            evidence = self.service.evidence_item(evidence_id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        dialog = EvidenceDialog(self.service, self, evidence=evidence)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._load_evidence()
            self.workshop_changed.emit()

    def _unlink(self, what: str, widget: QListWidget) -> None:
        """Unlink the selected evidence or actions; one Ctrl+Z links them all again."""
        if self.code is None:
            return
        ids = [i.data(_ID_ROLE) for i in widget.selectedItems() if i.data(_ID_ROLE)]
        if not ids:
            return
        try:
            read = self.service.evidence_item if what == "evidence" else self.service.action
            chosen = [(record_id, read(record_id).ref) for record_id in ids]
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        refs = ", ".join(ref for _id, ref in chosen)
        stack = self.undo_stack
        stack.beginMacro(f"unlink {what} {refs} from {self.code}")
        try:
            for record_id, ref in chosen:
                if not self._call(stack.run, Unlink(stack, what, record_id, self.code, ref)):
                    break
        finally:
            stack.endMacro()
        self.notice.emit(f"Unlinked {refs} from {self.code}. Edit › Undo (Ctrl+Z) links it again.")

    def unlink_evidence(self) -> None:
        if self.code is None:
            return
        self._unlink("evidence", self.evidence_list)
        self._load_evidence()
        self.indicator_changed.emit(self.code)

    # --------------------------------------------------------------- actions

    def new_action(self) -> None:
        """Add an action to the improvement plan on the spot, linked to this indicator."""
        from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

        if self.code is None:
            return
        self.save_typing()
        statements = self.service.framework().indicator(self.code).statements
        dialog = ActionDialog(
            self.service,
            self,
            indicators=(self.code,),
            statement=statements[0] if statements else None,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        saved = getattr(dialog, "saved", None)
        if saved is not None and self.code not in saved.indicators:
            self._call(self.service.link_action, saved.id, self.code)
        self._load_actions()
        self.indicator_changed.emit(self.code)
        self.workshop_changed.emit()

    def _edit_action(self, item: QListWidgetItem) -> None:
        from carequal_desktop.ui.dialogs.action_dialog import ActionDialog

        action_id = item.data(_ID_ROLE)
        if not action_id or self.service.read_only:
            return
        try:
            action = self.service.action(action_id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        dialog = ActionDialog(self.service, self, action=action)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._load_actions()
            self.workshop_changed.emit()

    def link_action(self) -> None:
        from carequal_desktop.ui.dialogs.evidence_picker_dialog import ActionPickerDialog

        if self.code is None:
            return
        dialog = ActionPickerDialog(self.service, self.code, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        for action_id in dialog.selected_ids():
            if not self._call(self.service.link_action, action_id, self.code):
                break
        self._load_actions()
        self.indicator_changed.emit(self.code)

    def unlink_action(self) -> None:
        if self.code is None:
            return
        self._unlink("action", self.action_list)
        self._load_actions()
        self.indicator_changed.emit(self.code)

    # ------------------------------------------------------------- indicator

    def edit_indicator(self) -> None:
        from carequal_desktop.ui.dialogs.indicator_dialog import IndicatorDialog

        if self.code is None:
            return
        self.save_typing()
        if IndicatorDialog(self.service, self.code, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.indicator_changed.emit(self.code)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
