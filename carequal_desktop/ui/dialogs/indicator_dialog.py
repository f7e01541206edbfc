"""Correct one indicator inside this workshop: its title, prompts and statement mapping."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs._fields import AsksBeforeDiscarding


class IndicatorDialog(AsksBeforeDiscarding, QDialog):
    def __init__(self, service: WorkshopService, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.code = code
        fw = service.framework()
        ind = fw.indicator(code)
        self.setWindowTitle(f"Edit indicator {code}")
        self.resize(720, 520)

        layout = QVBoxLayout(self)
        note = QLabel(
            "Changes apply to this workshop only. The framework shipped with CareQual is not changed."
        )
        note.setWordWrap(True)
        layout.addWidget(note)

        form = QFormLayout()
        self.title_edit = QLineEdit(ind.title)
        self.title_edit.setAccessibleName("Indicator title")
        form.addRow("&Title:", self.title_edit)
        self.prompts_edit = QPlainTextEdit("\n".join(ind.prompts))
        self.prompts_edit.setAccessibleName("Discussion prompts, one per line")
        self.prompts_edit.setTabChangesFocus(True)
        self.prompts_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        form.addRow("&Prompts (one per line):", self.prompts_edit)
        layout.addLayout(form)

        box = QGroupBox("Reported under the inspection statements")
        box_layout = QVBoxLayout(box)
        self.statement_boxes: dict[int, QCheckBox] = {}
        for st in fw.statements:
            text = st.text if len(st.text) <= 80 else st.text[:78].rsplit(" ", 1)[0] + "…"
            check = QCheckBox(f"{st.number}. {text}")
            check.setAccessibleName(f"Statement {st.number}")
            check.setChecked(st.number in ind.statements)
            check.setToolTip(st.text)
            box_layout.addWidget(check)
            self.statement_boxes[st.number] = check
        layout.addWidget(box)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName("Save the indicator")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.remember_form()

    def values(self) -> tuple[str, str, list[int]]:
        """What the form holds (compared when Escape is pressed)."""
        checked = [n for n, box in self.statement_boxes.items() if box.isChecked()]
        return self.title_edit.text(), self.prompts_edit.toPlainText(), checked

    def accept(self) -> None:
        try:
            self.service.update_indicator(
                self.code,
                title=self.title_edit.text(),
                prompts=self.prompts_edit.toPlainText().splitlines(),
                statements=[n for n, box in self.statement_boxes.items() if box.isChecked()],
            )
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        super().accept()
