"""New workshop: title, partnership, facilitator, framework and where to keep the file."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop import FILE_SUFFIX
from carequal_desktop.domain.framework import (
    DEFAULT_FRAMEWORK_ID,
    builtin_framework_ids,
    load_builtin,
)
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages

FILE_FILTER = f"CareQual workshops (*{FILE_SUFFIX})"


def default_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def file_name_for(title: str) -> str:
    """A safe file name from the workshop title: "Glenmuir 2026.carequal"."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "", title).strip().rstrip(".") or "Workshop"
    return name[:80] + FILE_SUFFIX


def with_suffix(path: Path) -> Path:
    return path if path.suffix.lower() == FILE_SUFFIX else path.with_name(path.name + FILE_SUFFIX)


class NewWorkshopDialog(QDialog):
    """Collects what a new workshop needs and creates it; ``service`` is the open workshop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service: WorkshopService | None = None
        self._location_chosen = False
        self.setWindowTitle("New workshop")
        self.setMinimumWidth(700)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A workshop is kept in one file. Everything is saved as you go, and the file can "
            "be copied to a USB stick or sent to a colleague."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Workshop title")
        self.title_edit.setPlaceholderText("e.g. Self-evaluation 2026")
        self.title_edit.textChanged.connect(self._title_changed)
        form.addRow("&Title:", self.title_edit)
        self.partnership_edit = QLineEdit()
        self.partnership_edit.setAccessibleName("Partnership")
        self.partnership_edit.setPlaceholderText("e.g. Glenmuir Community Planning Partnership")
        form.addRow("&Partnership:", self.partnership_edit)
        self.facilitator_edit = QLineEdit()
        self.facilitator_edit.setAccessibleName("Facilitator")
        self.facilitator_edit.setPlaceholderText("Your name (optional)")
        form.addRow("&Facilitator:", self.facilitator_edit)
        self.framework_combo = QComboBox()
        self.framework_combo.setAccessibleName("Framework")
        for fid, title in builtin_framework_ids():
            self.framework_combo.addItem(title, fid)
        self.framework_combo.setCurrentIndex(
            max(0, self.framework_combo.findData(DEFAULT_FRAMEWORK_ID))
        )
        form.addRow("Frame&work:", self.framework_combo)

        location = QHBoxLayout()
        self.location_edit = QLineEdit()
        self.location_edit.setAccessibleName("Where to save the workshop file")
        self.location_edit.textEdited.connect(self._location_typed)
        self.choose_button = QPushButton("&Choose…")
        self.choose_button.setAccessibleName("Choose where to save the workshop file")
        self.choose_button.clicked.connect(self.choose_location)
        location.addWidget(self.location_edit, 1)
        location.addWidget(self.choose_button)
        location_label = QLabel("&Save as:")
        location_label.setBuddy(self.location_edit)
        form.addRow(location_label, location)
        layout.addLayout(form)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create workshop")
        self.create_button.setAccessibleName("Create workshop")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._title_changed("")

    def _title_changed(self, title: str) -> None:
        if not self._location_chosen:
            self.location_edit.setText(str(default_folder() / file_name_for(title)))

    def _location_typed(self) -> None:
        self._location_chosen = True

    def choose_location(self) -> None:
        start = self.location_edit.text() or str(
            default_folder() / file_name_for(self.title_edit.text())
        )
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save the new workshop as", start, FILE_FILTER
        )
        if name:
            self.location_edit.setText(str(with_suffix(Path(name))))
            self._location_chosen = True

    def target_path(self) -> Path | None:
        text = self.location_edit.text().strip()
        return with_suffix(Path(text)) if text else None

    def accept(self) -> None:
        title = self.title_edit.text().strip()
        partnership = self.partnership_edit.text().strip()
        path = self.target_path()
        problem = None
        if not title:
            problem, widget = "Give the workshop a title.", self.title_edit
        elif not partnership:
            problem, widget = "Name the partnership.", self.partnership_edit
        elif path is None:
            problem, widget = "Choose where to save the workshop file.", self.location_edit
        elif path.exists():
            problem, widget = (
                f"There is already a file called “{path.name}” there. "
                "Choose another name or folder.",
                self.location_edit,
            )
        elif not path.parent.is_dir():
            problem, widget = f"The folder {path.parent} does not exist.", self.location_edit
        if problem:
            messages.show_error(self, problem, "New workshop")
            widget.setFocus()
            return
        assert path is not None
        try:
            self.service = WorkshopService.create(
                path,
                title=title,
                partnership=partnership,
                facilitator=self.facilitator_edit.text(),
                framework=load_builtin(self.framework_combo.currentData()),
            )
        except UserError as exc:
            messages.show_error(self, str(exc), "New workshop")
            return
        except OSError as exc:
            messages.show_error(
                self, f"The workshop file could not be created ({exc.strerror}).", "New workshop"
            )
            return
        super().accept()
