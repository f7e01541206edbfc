"""The "Workshop and team" page: the workshop's details, its sessions and its participants.

Details are saved as they are typed, through the workshop's ``Autosave`` like the indicator
page. Sessions and participants are short lists, edited in small dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.vocabulary import COMMON_AGENCIES
from carequal_desktop.errors import UserError
from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.dialogs._fields import AsksBeforeDiscarding
from carequal_desktop.ui.indicator_page import NarrativeEdit, heading
from carequal_desktop.ui.page import WorkshopPage
from carequal_desktop.ui.widgets.responsive import stack_when_narrow

_ID_ROLE = Qt.ItemDataRole.UserRole


class _LineEdit(QLineEdit):
    focus_lost = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt name)
        super().focusOutEvent(event)
        self.focus_lost.emit()


class SessionDialog(AsksBeforeDiscarding, QDialog):
    """Add or change one workshop session: date, place, notes."""

    def __init__(self, parent: QWidget | None = None, session: rec.Session | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit session" if session else "Add a session")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setAccessibleName("Session date")
        date = QDate.fromString(session.date, "yyyy-MM-dd") if session else QDate.currentDate()
        self.date_edit.setDate(date if date.isValid() else QDate.currentDate())
        form.addRow("&Date:", self.date_edit)
        self.place_edit = QLineEdit(session.place if session else "")
        self.place_edit.setAccessibleName("Session place")
        self.place_edit.setPlaceholderText("e.g. Council chambers, committee room 2")
        form.addRow("&Place:", self.place_edit)
        self.notes_edit = QPlainTextEdit(session.notes if session else "")
        self.notes_edit.setAccessibleName("Session notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        form.addRow("&Notes:", self.notes_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.remember_form()

    def values(self) -> dict[str, str]:
        return {
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "place": self.place_edit.text(),
            "notes": self.notes_edit.toPlainText(),
        }


class ParticipantDialog(AsksBeforeDiscarding, QDialog):
    """Add or change one participant: name, agency (common ones offered), role."""

    def __init__(
        self,
        parent: QWidget | None = None,
        participant: rec.Participant | None = None,
        agencies: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit participant" if participant else "Add a participant")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(participant.name if participant else "")
        self.name_edit.setAccessibleName("Participant's name")
        form.addRow("&Name:", self.name_edit)
        self.agency_combo = QComboBox()
        self.agency_combo.setEditable(True)
        self.agency_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.agency_combo.setAccessibleName("Participant's agency")
        offered = list(COMMON_AGENCIES)
        for extra in agencies or []:
            if extra not in offered:
                offered.append(extra)
        self.agency_combo.addItems(offered)
        self.agency_combo.setCurrentText(participant.agency if participant else "")
        self.agency_combo.lineEdit().setPlaceholderText("Choose or type an agency")
        form.addRow("&Agency:", self.agency_combo)
        self.role_edit = QLineEdit(participant.role if participant else "")
        self.role_edit.setAccessibleName("Participant's role")
        self.role_edit.setPlaceholderText("e.g. Team manager, child protection")
        form.addRow("&Role:", self.role_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.remember_form()

    def values(self) -> dict[str, str]:
        return {
            "name": self.name_edit.text(),
            "agency": self.agency_combo.currentText(),
            "role": self.role_edit.text(),
        }


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    # Columns share the width and long text ends in "…" (full text on hover): never sideways.
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    table.setMinimumHeight(table.fontMetrics().lineSpacing() * 7)
    return table


class TeamPage(WorkshopPage):
    """Workshop details, sessions and participants."""

    title = "Workshop and team"
    details_changed = Signal()  # the title may have changed: the window title follows

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(service, parent, autosave)
        self._loading = False
        self._build()
        self.refresh()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.addWidget(heading("Workshop and team", 1.6))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget()
        scroll.setWidget(inner)
        columns = QHBoxLayout(inner)
        stack_when_narrow(scroll.viewport(), columns, 100)
        columns.setContentsMargins(0, 0, 8, 0)
        columns.setSpacing(16)

        # Left: details.
        details = QGroupBox("Workshop details")
        form = QFormLayout(details)
        self.title_edit = _LineEdit()
        self.title_edit.setAccessibleName("Workshop title")
        form.addRow("&Title:", self.title_edit)
        self.partnership_edit = _LineEdit()
        self.partnership_edit.setAccessibleName("Partnership")
        form.addRow("&Partnership:", self.partnership_edit)
        self.facilitator_edit = _LineEdit()
        self.facilitator_edit.setAccessibleName("Facilitator")
        form.addRow("&Facilitator:", self.facilitator_edit)
        self.framework_label = QLabel()
        self.framework_label.setWordWrap(True)
        self.framework_label.setAccessibleDescription("Framework")
        form.addRow("Framework:", self.framework_label)
        self.scope_edit = NarrativeEdit(
            "Scope", "Which services, which children and young people, which period…", lines=6
        )
        form.addRow("S&cope:", self.scope_edit)
        self.context_edit = NarrativeEdit(
            "Context", "The partnership's context: population, changes, pressures…", lines=10
        )
        form.addRow("C&ontext:", self.context_edit)
        columns.addWidget(details, 1)
        self._edits: dict[str, QLineEdit | QPlainTextEdit] = {
            "title": self.title_edit,
            "partnership": self.partnership_edit,
            "facilitator": self.facilitator_edit,
            "scope": self.scope_edit,
            "context": self.context_edit,
        }
        for field, edit in self._edits.items():
            if isinstance(edit, QLineEdit):
                edit.textEdited.connect(lambda _t, f=field: self._changed(f))
            else:
                edit.textChanged.connect(lambda f=field: self._changed(f))
            edit.focus_lost.connect(self.box_left)  # type: ignore[union-attr]

        # Right: participants, then sessions.
        right = QVBoxLayout()
        columns.addLayout(right, 1)

        people = QGroupBox("Participants")
        pl = QVBoxLayout(people)
        self.participants_table = _table(["Name", "Agency", "Role"], "Participants")
        self.participants_table.doubleClicked.connect(self.edit_participant)
        pl.addWidget(self.participants_table, 1)
        self.agencies_label = QLabel()
        self.agencies_label.setWordWrap(True)
        self.agencies_label.setAccessibleDescription("Agencies in the team")
        pl.addWidget(self.agencies_label)
        row = QHBoxLayout()
        self.add_participant_button = QPushButton("Add participant…")
        self.add_participant_button.setAccessibleName("Add a participant")
        self.add_participant_button.clicked.connect(self.add_participant)
        self.edit_participant_button = QPushButton("Edit…")
        self.edit_participant_button.setAccessibleName("Edit the selected participant")
        self.edit_participant_button.clicked.connect(self.edit_participant)
        self.delete_participant_button = QPushButton("Delete")
        self.delete_participant_button.setAccessibleName("Delete the selected participant")
        self.delete_participant_button.clicked.connect(self.delete_participant)
        for b in (
            self.add_participant_button,
            self.edit_participant_button,
            self.delete_participant_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        pl.addLayout(row)
        right.addWidget(people, 3)

        sessions = QGroupBox("Sessions")
        sl = QVBoxLayout(sessions)
        self.sessions_table = _table(["Date", "Place", "Notes"], "Sessions")
        self.sessions_table.doubleClicked.connect(self.edit_session)
        sl.addWidget(self.sessions_table, 1)
        row = QHBoxLayout()
        self.add_session_button = QPushButton("Add session…")
        self.add_session_button.setAccessibleName("Add a session")
        self.add_session_button.clicked.connect(self.add_session)
        self.edit_session_button = QPushButton("Edit…")
        self.edit_session_button.setAccessibleName("Edit the selected session")
        self.edit_session_button.clicked.connect(self.edit_session)
        self.delete_session_button = QPushButton("Delete")
        self.delete_session_button.setAccessibleName("Delete the selected session")
        self.delete_session_button.clicked.connect(self.delete_session)
        for b in (self.add_session_button, self.edit_session_button, self.delete_session_button):
            row.addWidget(b)
        row.addStretch(1)
        sl.addLayout(row)
        right.addWidget(sessions, 2)

        for table, slot in (
            (self.participants_table, self.delete_participant),
            (self.sessions_table, self.delete_session),
        ):
            shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        for table, slot in (
            (self.participants_table, self.edit_participant),
            (self.sessions_table, self.edit_session),
        ):
            for key in ("Return", "Enter", "F2"):
                shortcut = QShortcut(QKeySequence(key), table)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(slot)

        if self.service.read_only:
            for edit in self._edits.values():
                edit.setReadOnly(True)
            for b in (
                self.add_participant_button,
                self.edit_participant_button,
                self.delete_participant_button,
                self.add_session_button,
                self.edit_session_button,
                self.delete_session_button,
            ):
                b.setEnabled(False)

    # ------------------------------------------------------------------- load

    def refresh(self) -> None:
        self.save_typing()
        d = self.service.details()
        self._loading = True
        try:
            for field, edit in self._edits.items():
                # Typing the file does not have yet (a full disk) stays on screen.
                key = Edit("details", "", field, "", "").key
                value = self.autosave.text(key, self.base(key, getattr(d, field)) or "")
                if isinstance(edit, QLineEdit):
                    if edit.text() != value:
                        edit.setText(value)
                        edit.setCursorPosition(0)  # show the start of a long title
                elif edit.toPlainText() != value:
                    edit.setPlainText(value)
            self.framework_label.setText(d.framework_title or self.service.framework().title)
        finally:
            self._loading = False
        self._load_participants()
        self._load_sessions()

    def _load_participants(self, select_id: str | None = None) -> None:
        people = self.service.participants()
        self._fill(
            self.participants_table, [(p.id, [p.name, p.agency, p.role]) for p in people], select_id
        )
        summary = self.service.agencies_summary()
        if summary:
            parts = [f"{agency} ({n})" for agency, n in summary]
            self.agencies_label.setText(
                f"{len(people)} participants from {len(summary)} "
                f"{'agency' if len(summary) == 1 else 'agencies'}: " + ", ".join(parts)
            )
        else:
            self.agencies_label.setText("No participants yet.")

    def _load_sessions(self, select_id: str | None = None) -> None:
        rows = [
            (s.id, [s.date, s.place, s.notes.replace("\n", " ")]) for s in self.service.sessions()
        ]
        self._fill(self.sessions_table, rows, select_id)

    @staticmethod
    def _fill(
        table: QTableWidget, rows: list[tuple[str, list[str]]], select_id: str | None
    ) -> None:
        table.setRowCount(len(rows))
        for r, (row_id, values) in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(_ID_ROLE, row_id)
                item.setToolTip(value)  # the cell may be cut short; the full text on hover
                table.setItem(r, c, item)
            if row_id == select_id:
                table.selectRow(r)

    @staticmethod
    def _selected_id(table: QTableWidget) -> str | None:
        items = table.selectedItems()
        return items[0].data(_ID_ROLE) if items else None

    # ------------------------------------------------------------------- save

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return None

    def _changed(self, field: str) -> None:
        if self._loading or self.service.read_only:
            return
        edit = self._edits[field]
        text = edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()
        name = edit.accessibleName()
        key = Edit("details", "", field, "", "").key
        label = f"Workshop details: {name}"
        self.autosave.put(Edit("details", "", field, text, label, base=self.base(key)))

    def owns(self, edit: Edit) -> bool:
        return edit.kind == "details"

    def edits_saved(self, edits: list[Edit]) -> None:
        if any(e.kind == "details" for e in edits):
            self.details_changed.emit()

    # ------------------------------------------------------------ participants

    def add_participant(self) -> None:
        agencies = [a for a, _n in self.service.agencies_summary()]
        dialog = ParticipantDialog(self, agencies=agencies)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            added = self._call(self.service.add_participant, **dialog.values())
            if added is not None:
                self._load_participants(added.id)
                return

    def edit_participant(self) -> None:
        pid = self._selected_id(self.participants_table)
        if pid is None or self.service.read_only:
            return
        person = next((p for p in self.service.participants() if p.id == pid), None)
        if person is None:
            return
        agencies = [a for a, _n in self.service.agencies_summary()]
        dialog = ParticipantDialog(self, person, agencies)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.service.update_participant(pid, **dialog.values())
            except UserError as exc:
                messages.show_error(self, str(exc))
                continue
            break
        self._load_participants(pid)

    def delete_participant(self) -> None:
        pid = self._selected_id(self.participants_table)
        if pid is None or self.service.read_only:
            return
        name = self.participants_table.selectedItems()[0].text()
        if messages.ask(self, f"Remove {name} from the team?", yes="Remove", destructive=True):
            self._call(self.service.delete_participant, pid)
            self._load_participants()

    # ---------------------------------------------------------------- sessions

    def add_session(self) -> None:
        dialog = SessionDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            added = self._call(self.service.add_session, **dialog.values())
            if added is not None:
                self._load_sessions(added.id)
                return

    def edit_session(self) -> None:
        sid = self._selected_id(self.sessions_table)
        if sid is None or self.service.read_only:
            return
        session = next((s for s in self.service.sessions() if s.id == sid), None)
        if session is None:
            return
        dialog = SessionDialog(self, session)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._call(self.service.update_session, sid, **dialog.values())
            self._load_sessions(sid)

    def delete_session(self) -> None:
        sid = self._selected_id(self.sessions_table)
        if sid is None or self.service.read_only:
            return
        date = self.sessions_table.selectedItems()[0].text()
        if messages.ask(self, f"Delete the session on {date}?", yes="Delete", destructive=True):
            self._call(self.service.delete_session, sid)
            self._load_sessions()
