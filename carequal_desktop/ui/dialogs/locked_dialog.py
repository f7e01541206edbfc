"""The question shown when a workshop is already open in another copy of CareQual."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from carequal_desktop.errors import WorkshopLockedError
from carequal_desktop.ui.messages import make_plain

OPEN_READ_ONLY = "Open &read-only"


def ask_open_read_only(parent: QWidget | None, error: WorkshopLockedError) -> bool:
    """Say who has the file open, where and since when; True if the user chose read-only."""
    # The owner comes from a file anyone can write: plain text, no links (make_plain).
    box = QMessageBox(parent)
    box.setWindowTitle("Workshop already open")
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(str(error))
    box.setInformativeText(
        "Read-only lets you look and save a copy without changing the file while it is open "
        "elsewhere. When the other copy closes, you can open it as usual. If that computer "
        "crashed, its hold lapses 12 hours later; to open it sooner, delete the small file "
        "whose name starts with “~$” beside the workshop."
    )
    read_only = box.addButton(OPEN_READ_ONLY, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(read_only)
    make_plain(box)
    box.exec()
    return box.clickedButton() is read_only
