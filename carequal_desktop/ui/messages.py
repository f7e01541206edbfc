"""The few message boxes every screen uses, so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, text: str, title: str = "CareQual") -> None:
    """One clear sentence about something the user can act on."""
    QMessageBox.warning(parent, title, text)


def show_bug(log: Path, parent: QWidget | None = None) -> None:
    QMessageBox.critical(
        parent,
        "CareQual",
        "Something went wrong that should not have. Your work up to the last change is saved.\n\n"
        f"Details for support are in {log}.",
    )


def ask(
    parent: QWidget | None,
    text: str,
    title: str = "CareQual",
    *,
    yes: str = "Yes",
    no: str = "Cancel",
    destructive: bool = False,
) -> bool:
    """A yes/no question; the safe answer is the default."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button
