"""Add or edit one action of the improvement plan, with every field partnerships use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import shorten
from carequal_desktop.domain.vocabulary import ACTION_STATUSES
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs._fields import (
    AsksBeforeDiscarding,
    IndicatorChecklist,
    OptionalDateEdit,
)

SMART_HINT = (
    "Make each action SMART: specific, measurable, achievable, realistic and time-bound. "
    "Give a baseline and a target so progress can be measured, and say what will be "
    "better for children and families, not only the task."
)
NO_STATEMENT = "Not linked to a statement"


class ActionDialog(AsksBeforeDiscarding, QDialog):
    """New action (``action=None``) or an edit; ``saved`` holds the result after Save."""

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        action: rec.Action | None = None,
        indicators: tuple[str, ...] = (),
        statement: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.action = action
        self.saved: rec.Action | None = None
        framework = service.framework()
        self.setWindowTitle(f"Edit action {action.ref}" if action else "New action")
        self.setAccessibleName(self.windowTitle())

        self.statement_combo = QComboBox(self)
        self.statement_combo.setAccessibleName("Inspection statement")
        self.statement_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.statement_combo.setMinimumContentsLength(40)
        for st in framework.statements:
            full = f"{st.number} {st.text}"
            self.statement_combo.addItem(shorten(full, 70), st.number)
            self.statement_combo.setItemData(
                self.statement_combo.count() - 1, full, Qt.ItemDataRole.ToolTipRole
            )
        self.statement_combo.addItem(NO_STATEMENT, None)

        self.ref_edit = QLineEdit(self)
        self.ref_edit.setAccessibleName("Reference")
        self.ref_edit.setMaxLength(50)
        self.ref_edit.textEdited.connect(self._ref_typed)
        self._ref_is_automatic = action is None

        self.indicator_list = IndicatorChecklist(framework, "Indicators the action addresses", self)
        indicators_label = QLabel("&Indicators it addresses:", self)
        indicators_label.setBuddy(self.indicator_list)

        self.issue_edit = self._text("Issue", "What needs to improve, and how we know")
        self.task_edit = self._text("Task", "What will be done")
        self.outcome_edit = self._text(
            "Expected outcome", "What will be better for children, young people and families"
        )
        self.ownership_edit = self._text("Ownership", "Who is responsible", lines=2)
        self.monitoring_edit = self._text(
            "Monitoring arrangements", "How and where progress is reported", lines=2
        )
        self.baseline_edit = self._text("Baseline", "Where we are now, e.g. 52% (E2)", lines=2)
        self.target_edit = self._text(
            "Target", "The measure of success, e.g. 75% by March", lines=2
        )

        self.due_field = OptionalDateEdit("Due date", "No due date", self, due=True)
        self.status_combo = QComboBox(self)
        self.status_combo.setAccessibleName("Status")
        for key, label in ACTION_STATUSES.items():
            self.status_combo.addItem(label, key)

        hint = QLabel(SMART_HINT, self)
        hint.setWordWrap(True)
        hint.setAccessibleName("Hint: plans should be SMART")

        left = QFormLayout()
        left.addRow("&Statement:", self.statement_combo)
        left.addRow("&Reference:", self.ref_edit)
        left.addRow("Sta&tus:", self.status_combo)
        left.addRow("&Due date:", self.due_field)
        left.addRow("O&wnership:", self.ownership_edit)
        left.addRow(indicators_label)
        left.addRow(self.indicator_list)

        right = QFormLayout()
        right.addRow("Iss&ue:", self.issue_edit)
        right.addRow("T&ask:", self.task_edit)
        right.addRow("E&xpected outcome:", self.outcome_edit)
        right.addRow("&Monitoring:", self.monitoring_edit)
        right.addRow("&Baseline:", self.baseline_edit)
        right.addRow("Tar&get:", self.target_edit)

        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(grid, 1)
        layout.addWidget(self.buttons)

        order = [
            self.statement_combo,
            self.ref_edit,
            self.status_combo,
            self.due_field.date_edit,
            self.ownership_edit,
            self.indicator_list,
            self.issue_edit,
            self.task_edit,
            self.outcome_edit,
            self.monitoring_edit,
            self.baseline_edit,
            self.target_edit,
            self.buttons,
        ]
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)

        self._load(action, indicators, statement)
        self.remember_form()
        self.statement_combo.currentIndexChanged.connect(self._statement_changed)
        (self.task_edit if action else self.statement_combo).setFocus()
        em = self.fontMetrics().averageCharWidth()
        self.resize(em * 170, self.sizeHint().height())

    # ------------------------------------------------------------------ setup

    def _text(self, name: str, placeholder: str, lines: int = 3) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        height = edit.fontMetrics().lineSpacing() * lines + 2 * edit.frameWidth() + 8
        edit.setMinimumHeight(height)
        edit.setMaximumHeight(height * 2)
        return edit

    def _load(
        self, action: rec.Action | None, indicators: tuple[str, ...], statement: int | None
    ) -> None:
        if action is None:
            self._select_statement(statement)
            self.ref_edit.setText(self.service.next_action_ref(self.statement()))
            self.due_field.set_value(None)
            self.indicator_list.set_checked(indicators)
            return
        self._select_statement(action.statement)
        self.ref_edit.setText(action.ref)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(action.status)))
        self.due_field.set_value(action.due)
        self.indicator_list.set_checked(action.indicators)
        self.issue_edit.setPlainText(action.issue)
        self.task_edit.setPlainText(action.task)
        self.outcome_edit.setPlainText(action.expected_outcome)
        self.ownership_edit.setPlainText(action.ownership)
        self.monitoring_edit.setPlainText(action.monitoring)
        self.baseline_edit.setPlainText(action.baseline)
        self.target_edit.setPlainText(action.target)

    def _select_statement(self, number: int | None) -> None:
        index = self.statement_combo.findData(number) if number is not None else -1
        if index < 0:
            index = self.statement_combo.count() - 1 if number is None else 0
        self.statement_combo.setCurrentIndex(index)

    def statement(self) -> int | None:
        return self.statement_combo.currentData()

    def _ref_typed(self, text: str) -> None:
        # Once the facilitator types a reference, it is theirs; an empty box is automatic again.
        self._ref_is_automatic = self.action is None and not text.strip()

    def _statement_changed(self) -> None:
        if self._ref_is_automatic:
            self.ref_edit.setText(self.service.next_action_ref(self.statement()))

    # ----------------------------------------------------------------- values

    def values(self) -> dict:
        """The form as keyword arguments for ``add_action`` / ``update_action``."""
        return {
            "ref": self.ref_edit.text().strip(),
            "statement": self.statement(),
            "indicators": self.indicator_list.checked(),
            "issue": self.issue_edit.toPlainText().strip(),
            "task": self.task_edit.toPlainText().strip(),
            "expected_outcome": self.outcome_edit.toPlainText().strip(),
            "ownership": self.ownership_edit.toPlainText().strip(),
            "monitoring": self.monitoring_edit.toPlainText().strip(),
            "baseline": self.baseline_edit.toPlainText().strip(),
            "target": self.target_edit.toPlainText().strip(),
            "due": self.due_field.value(),
            "status": self.status_combo.currentData(),
        }

    def accept(self) -> None:
        try:
            values = self.values()
        except UserError as exc:  # a due date that is not a date
            messages.show_error(self, str(exc))
            self.due_field.setFocus()
            return
        if not values["task"]:
            messages.show_error(self, "Say what the task is.")
            self.task_edit.setFocus()
            return
        if not values["ref"]:
            values["ref"] = self.service.next_action_ref(values["statement"])
        try:
            if self.action is None:
                task = values.pop("task")
                added = self.service.add_action(task, **values)
                action_id = added.id
            else:
                action_id = self.action.id
                self.service.update_action(action_id, **values)
            self.saved = self.service.action(action_id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        super().accept()
