"""Add or edit one item of evidence, with every field of the exchange format."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.quantities import quantity_word
from carequal_desktop.domain.vocabulary import COMMON_AGENCIES, EVIDENCE_KINDS, EVIDENCE_SUPPORTS
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs._fields import (
    AsksBeforeDiscarding,
    IndicatorChecklist,
    OptionalDateEdit,
)

NOT_RECORDED = "Not recorded"


class EvidenceDialog(AsksBeforeDiscarding, QDialog):
    """New evidence (``evidence=None``) or an edit; ``saved`` holds the result after Save.

    ``indicators`` are ticked for new evidence; ``agencies`` (optional) are the agencies
    already in the register, offered alongside the common ones.
    """

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        evidence: rec.Evidence | None = None,
        indicators: tuple[str, ...] = (),
        agencies: Iterable[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.evidence = evidence
        self.saved: rec.Evidence | None = None
        self.setWindowTitle("Edit evidence" if evidence else "New evidence")
        self.setAccessibleName(self.windowTitle())

        ref_text = (
            f"Reference {evidence.ref}"
            if evidence
            else f"This evidence will be {service.next_evidence_ref()}"
        )
        self.ref_label = QLabel(ref_text, self)
        font = self.ref_label.font()
        font.setBold(True)
        self.ref_label.setFont(font)

        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("e.g. Multi-agency staff survey 2026")

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Kind of evidence")
        for key, label in EVIDENCE_KINDS.items():
            self.kind_combo.addItem(label, key)

        self.agency_combo = QComboBox(self)
        self.agency_combo.setEditable(True)
        self.agency_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.agency_combo.setAccessibleName("Agency")
        self.agency_combo.lineEdit().setPlaceholderText("Choose or type an agency")
        for agency in self._agency_choices(agencies):
            self.agency_combo.addItem(agency)
        self.agency_combo.setCurrentIndex(-1)

        self.date_field = OptionalDateEdit("Date of the evidence", "No date", self)

        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setPlaceholderText("What it shows, in a sentence or two")
        self.description_edit.setTabChangesFocus(True)
        self._set_lines(self.description_edit, 4)

        self.location_edit = QLineEdit(self)
        self.location_edit.setAccessibleName("Where it is kept")
        self.location_edit.setPlaceholderText("e.g. CPC shared drive › Audits › 2026")

        self.share_spin = QDoubleSpinBox(self)
        self.share_spin.setRange(0.0, 100.0)
        self.share_spin.setDecimals(1)
        self.share_spin.setSuffix("%")
        self.share_spin.setAccessibleName("Share of respondents or records, per cent")
        self.share_word = QLabel(self)
        self.share_word.setAccessibleName("Standard word for the share")
        self.share_word.setMinimumWidth(self.fontMetrics().horizontalAdvance("— less than half  "))
        self.no_share_box = QCheckBox("No share", self)
        self.no_share_box.setAccessibleName("No share")
        self.share_spin.valueChanged.connect(self._update_share_word)
        self.no_share_box.toggled.connect(self._update_share_word)
        share_row = QWidget(self)
        share_layout = QHBoxLayout(share_row)
        share_layout.setContentsMargins(0, 0, 0, 0)
        share_layout.addWidget(self.share_spin)
        share_layout.addWidget(self.share_word)
        share_layout.addWidget(self.no_share_box)
        share_layout.addStretch(1)
        share_row.setFocusProxy(self.share_spin)

        self.respondents_spin = QSpinBox(self)
        # One below zero means "not recorded", shown in words.
        self.respondents_spin.setRange(-1, 10_000_000)
        self.respondents_spin.setSpecialValueText(NOT_RECORDED)
        self.respondents_spin.setAccessibleName("Number of respondents or records")
        self.respondents_spin.setGroupSeparatorShown(True)
        self.respondents_spin.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 24))

        self.supports_combo = QComboBox(self)
        self.supports_combo.setAccessibleName("What it supports")
        for key, label in EVIDENCE_SUPPORTS.items():
            self.supports_combo.addItem(label, key)

        self.indicator_list = IndicatorChecklist(
            service.framework(), "Indicators it is evidence for", self
        )
        indicators_label = QLabel("&Indicators it is evidence for:", self)
        indicators_label.setBuddy(self.indicator_list)

        form = QFormLayout()
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&Agency:", self.agency_combo)
        form.addRow("Dat&e:", self.date_field)
        form.addRow("&Description:", self.description_edit)
        form.addRow("&Where it is kept:", self.location_edit)
        form.addRow("&Share:", share_row)
        form.addRow("&Respondents:", self.respondents_spin)
        form.addRow("Su&pports:", self.supports_combo)
        hint = QLabel(
            "A share is turned into the inspectors' standard word, such as “most” for 75% to 89%.",
            self,
        )
        hint.setWordWrap(True)
        form.addRow("", hint)

        right = QVBoxLayout()
        right.addWidget(indicators_label)
        right.addWidget(self.indicator_list, 1)

        grid = QGridLayout()
        grid.addLayout(form, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.ref_label)
        layout.addLayout(grid, 1)
        layout.addWidget(self.buttons)

        self.setTabOrder(self.title_edit, self.kind_combo)
        self.setTabOrder(self.kind_combo, self.agency_combo)
        self.setTabOrder(self.agency_combo, self.date_field.date_edit)
        self.setTabOrder(self.date_field.date_edit, self.description_edit)
        self.setTabOrder(self.description_edit, self.location_edit)
        self.setTabOrder(self.location_edit, self.share_spin)
        self.setTabOrder(self.share_spin, self.no_share_box)
        self.setTabOrder(self.no_share_box, self.respondents_spin)
        self.setTabOrder(self.respondents_spin, self.supports_combo)
        self.setTabOrder(self.supports_combo, self.indicator_list)
        self.setTabOrder(self.indicator_list, self.buttons)

        self._load(evidence, indicators)
        self.remember_form()
        self.title_edit.setFocus()
        em = self.fontMetrics().averageCharWidth()
        self.resize(em * 150, self.sizeHint().height())

    # ------------------------------------------------------------------ setup

    def _agency_choices(self, agencies: Iterable[str] | None) -> list[str]:
        # The register passes the agencies it already shows, saving a read of every item.
        if agencies is None:
            agencies = (e.agency for e in self.service.evidence())
        used = {a for a in agencies if a}
        used |= {p.agency for p in self.service.participants() if p.agency}
        extra = sorted(used - set(COMMON_AGENCIES), key=str.casefold)
        return [*COMMON_AGENCIES, *extra]

    @staticmethod
    def _set_lines(edit: QPlainTextEdit, lines: int) -> None:
        height = edit.fontMetrics().lineSpacing() * lines + 2 * edit.frameWidth() + 8
        edit.setMinimumHeight(height)
        edit.setMaximumHeight(height * 2)

    def _load(self, evidence: rec.Evidence | None, indicators: tuple[str, ...]) -> None:
        if evidence is None:
            self.date_field.set_value(None)
            self.no_share_box.setChecked(True)
            self.respondents_spin.setValue(-1)
            self.supports_combo.setCurrentIndex(self.supports_combo.findData("context"))
            self.indicator_list.set_checked(indicators)
            self._update_share_word()
            return
        self.title_edit.setText(evidence.title)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(evidence.kind)))
        self.agency_combo.setEditText(evidence.agency)
        self.date_field.set_value(evidence.date)
        self.description_edit.setPlainText(evidence.description)
        self.location_edit.setText(evidence.location)
        if evidence.share_percent is None:
            self.no_share_box.setChecked(True)
        else:
            self.share_spin.setValue(evidence.share_percent)
            self.no_share_box.setChecked(False)
        self.respondents_spin.setValue(-1 if evidence.respondents is None else evidence.respondents)
        self.supports_combo.setCurrentIndex(max(0, self.supports_combo.findData(evidence.supports)))
        self.indicator_list.set_checked(evidence.indicators)
        self._update_share_word()

    def _update_share_word(self) -> None:
        no_share = self.no_share_box.isChecked()
        self.share_spin.setEnabled(not no_share)
        self.share_word.setText("" if no_share else f"— {quantity_word(self.share_spin.value())}")

    # ----------------------------------------------------------------- values

    def values(self) -> dict:
        """The form as keyword arguments for ``add_evidence`` / ``update_evidence``."""
        respondents = self.respondents_spin.value()
        return {
            "title": self.title_edit.text().strip(),
            "kind": self.kind_combo.currentData(),
            "agency": self.agency_combo.currentText().strip(),
            "date": self.date_field.value(),
            "description": self.description_edit.toPlainText().strip(),
            "location": self.location_edit.text().strip(),
            "share_percent": None if self.no_share_box.isChecked() else self.share_spin.value(),
            "respondents": None if respondents < 0 else respondents,
            "supports": self.supports_combo.currentData(),
            "indicators": self.indicator_list.checked(),
        }

    def accept(self) -> None:
        try:
            values = self.values()
        except UserError as exc:  # a date that is not a date
            messages.show_error(self, str(exc))
            self.date_field.setFocus()
            return
        if not values["title"]:
            messages.show_error(self, "Give the evidence a title.")
            self.title_edit.setFocus()
            return
        try:
            if self.evidence is None:
                title, kind = values.pop("title"), values.pop("kind")
                added = self.service.add_evidence(title, kind, **values)
                evidence_id = added.id
            else:
                evidence_id = self.evidence.id
                self.service.update_evidence(evidence_id, **values)
            self.saved = self.service.evidence_item(evidence_id)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        super().accept()
