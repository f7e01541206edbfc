"""File › Start the next self-evaluation…: a new workshop from the open one.

Asks for the new title, the framework (the same one, or a built-in one matched by code) and
where to keep the file, says what will be carried forward, then makes the file through
``services.new_cycle``. The window opens the new workshop when the dialog is accepted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services.new_cycle import (
    NewCycleResult,
    framework_choices,
    start_next_cycle,
    suggested_title,
)
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs.new_workshop_dialog import FILE_FILTER, file_name_for, with_suffix

TITLE = "Start the next self-evaluation"


class NewCycleDialog(QDialog):
    """Collects the new cycle's title, framework and file; ``result`` says what was made."""

    def __init__(self, service: WorkshopService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.result_info: NewCycleResult | None = None
        self._location_chosen = False
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(640)
        details = service.details()
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Make a new workshop for the next cycle from “{details.title}”. The team, the "
            "evidence (with its dates, so older items show their age) and the open actions "
            "are carried forward. Every indicator starts not started, with last cycle's grade "
            "shown as its previous grade. Completed and dropped actions are listed as what "
            "the last cycle achieved. This workshop is not changed."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.title_edit = QLineEdit(suggested_title(details.title))
        self.title_edit.setAccessibleName("Title of the new workshop")
        self.title_edit.textChanged.connect(self._title_changed)
        form.addRow("&Title:", self.title_edit)
        self.framework_combo = QComboBox()
        self.framework_combo.setAccessibleName("Framework for the new workshop")
        self.framework_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.framework_combo.setMinimumContentsLength(40)
        for key, words in framework_choices(service):
            self.framework_combo.addItem(words, key)
        form.addRow("Frame&work:", self.framework_combo)
        location = QHBoxLayout()
        self.location_edit = QLineEdit()
        self.location_edit.setAccessibleName("Where to save the new workshop file")
        self.location_edit.textEdited.connect(self._location_typed)
        self.choose_button = QPushButton("&Choose…")
        self.choose_button.setAccessibleName("Choose where to save the new workshop file")
        self.choose_button.clicked.connect(self.choose_location)
        location.addWidget(self.location_edit, 1)
        location.addWidget(self.choose_button)
        location_label = QLabel("&Save as:")
        location_label.setBuddy(self.location_edit)
        form.addRow(location_label, location)
        layout.addLayout(form)

        counts = service.counts()
        open_actions = sum(
            1 for a in service.actions() if a.status in ("not_started", "in_progress")
        )
        graded = sum(1 for e in service.evaluations() if e.grade is not None)
        self.carried_label = QLabel(
            f"To carry forward: {len(service.participants())} team member(s), "
            f"{counts['evidence']} evidence item(s), {open_actions} open action(s) of "
            f"{counts['actions']}, and {graded} grade(s) as previous grades."
        )
        self.carried_label.setTextFormat(Qt.TextFormat.PlainText)
        self.carried_label.setWordWrap(True)
        self.carried_label.setAccessibleName("What will be carried forward")
        layout.addWidget(self.carried_label)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Start the next self-evaluation")
        self.create_button.setAccessibleName("Start the next self-evaluation")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._title_changed(self.title_edit.text())
        # Wrapped labels need their height for the dialog's width, or their last line is cut.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.resize(self.fontMetrics().height() * 42, self.sizeHint().height())

    def _title_changed(self, title: str) -> None:
        if not self._location_chosen:
            self.location_edit.setText(str(self.service.path.parent / file_name_for(title)))

    def _location_typed(self) -> None:
        self._location_chosen = True

    def choose_location(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save the new workshop as", self.location_edit.text(), FILE_FILTER
        )
        if name:
            self.location_edit.setText(str(with_suffix(Path(name))))
            self._location_chosen = True

    def target_path(self) -> Path | None:
        text = self.location_edit.text().strip()
        return with_suffix(Path(text)) if text else None

    def accept(self) -> None:
        path = self.target_path()
        problem = None
        if not self.title_edit.text().strip():
            problem, widget = "Give the new workshop a title.", self.title_edit
        elif path is None:
            problem, widget = "Choose where to save the new workshop file.", self.location_edit
        elif path.exists():
            problem, widget = (
                f"There is already a file called “{path.name}” there. "
                "Choose another name or folder.",
                self.location_edit,
            )
        elif not path.parent.is_dir():
            problem, widget = f"The folder {path.parent} does not exist.", self.location_edit
        if problem:
            messages.show_error(self, problem, TITLE)
            widget.setFocus()
            return
        assert path is not None
        try:
            self.result_info = start_next_cycle(
                self.service,
                path,
                title=self.title_edit.text(),
                framework=self.framework_combo.currentData(),
            )
        except UserError as exc:
            messages.show_error(self, str(exc), TITLE)
            return
        super().accept()
