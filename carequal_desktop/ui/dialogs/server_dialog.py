"""File › Open from server: a server address, the workshops this role may open, Open.

The address is remembered without any password; a password is asked for only when the
server wants one, kept in memory until CareQual closes, and written only to PostgreSQL's
own password file if the user ticks the box. Connecting runs on a worker thread, so a
slow or unreachable server never freezes the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services import settings

ADDRESS_HINT = (
    "Write the address IT gave you, like postgresql://you@server.council.local/carequal. "
    "Passwords come from PostgreSQL's password file, or you type one below."
)


class _Lister(QThread):
    """Lists the server's workshops off the window's thread."""

    listed = Signal(list)
    failed = Signal(str)

    def __init__(self, address: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.address = address

    def run(self) -> None:
        from carequal_desktop.services.server import list_workshops

        try:
            self.listed.emit(list_workshops(self.address))
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: logged, one sentence on screen
            from carequal_desktop.log import log_bug

            log = log_bug(exc)
            self.failed.emit(f"Something went wrong that should not have; details are in {log}.")


class OpenFromServerDialog(QDialog):
    """Choose a workshop on a PostgreSQL server; ``location`` is the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location: str | None = None
        self._lister: _Lister | None = None
        self.setWindowTitle("Open from server")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        hint = QLabel(ADDRESS_HINT)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        layout.addWidget(hint)

        form = QFormLayout()
        self.address = QComboBox()
        self.address.setEditable(True)
        self.address.addItems(settings.recent_servers())
        self.address.setAccessibleName("Server address")
        self.address.setAccessibleDescription(ADDRESS_HINT)
        form.addRow("Server &address:", self.address)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password, only if the server asks for one")
        self.password.setPlaceholderText("Only if the server asks for one")
        form.addRow("&Password:", self.password)
        self.remember = QCheckBox("&Remember it in PostgreSQL's password file")
        self.remember.setAccessibleName("Remember the password in PostgreSQL's password file")
        form.addRow("", self.remember)
        layout.addLayout(form)

        self.connect_button = QPushButton("&Connect")
        self.connect_button.setAccessibleName("Connect and list the workshops")
        self.connect_button.clicked.connect(self.connect_to_server)
        layout.addWidget(self.connect_button, alignment=Qt.AlignmentFlag.AlignLeft)

        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection status")
        layout.addWidget(self.status)

        self.workshops = QListWidget()
        self.workshops.setAccessibleName("Workshops you may open")
        self.workshops.itemActivated.connect(lambda _item: self.accept())
        self.workshops.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.workshops, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.workshops.currentItem() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(chosen)
        # Enter connects until there is a workshop to open, then opens it.
        self.connect_button.setDefault(not chosen)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setDefault(chosen)

    def connect_to_server(self) -> None:
        """Read the address, use a typed password, and list the workshops on a worker."""
        from carequal_desktop.store.server import parse_location, remember_for_session

        text = self.address.currentText().strip()
        try:
            loc = parse_location(text)
        except UserError as exc:
            self.status.setText(str(exc))
            return
        if self.password.text():
            remember_for_session(loc, self.password.text())
            if self.remember.isChecked():
                from carequal_desktop.services.server_credentials import remember_password

                try:
                    remember_password(loc, self.password.text())
                except UserError as exc:
                    self.status.setText(str(exc))
                    return
        self.workshops.clear()
        self.status.setText(f"Connecting to {loc.server}…")
        self.connect_button.setEnabled(False)
        self._address = loc.display
        self._lister = _Lister(loc.display, self)
        self._lister.listed.connect(self._listed)
        self._lister.failed.connect(self._failed)
        self._lister.start()

    def _listed(self, rows: list[tuple[str, str, str]]) -> None:
        self.connect_button.setEnabled(True)
        settings.add_recent_server(self._address)
        for location, title, partnership in rows:
            item = QListWidgetItem(f"{title} — {partnership}")
            item.setData(Qt.ItemDataRole.UserRole, location)
            item.setToolTip(location)
            self.workshops.addItem(item)
        if rows:
            self.status.setText(
                f"{len(rows)} workshop{'s' if len(rows) != 1 else ''} you may open."
            )
            self.workshops.setCurrentRow(0)
            self.workshops.setFocus()
        else:
            self.status.setText(
                "There is no workshop on this server that you may open. Ask its owner to share "
                "it with you (carequal server grant), or put one there with carequal push."
            )
        self._update_buttons()

    def _failed(self, sentence: str) -> None:
        self.connect_button.setEnabled(True)
        self.status.setText(sentence)

    def accept(self) -> None:
        item = self.workshops.currentItem()
        if item is None:
            return
        self.location = str(item.data(Qt.ItemDataRole.UserRole))
        super().accept()

    def done(self, result: int) -> None:
        if self._lister is not None:
            self._lister.wait(10_000)  # a connection attempt ends within its timeout
        super().done(result)
