"""The few message boxes every screen uses, so they read the same everywhere.

Everything shown here can quote a file (a file name, a value from an import, the owner
in a lock file), and a file from outside is hostile: every box is plain text, and no
label in it opens links. ``install_link_guard`` goes further for the whole application:
no label anywhere can hand a link to the desktop (a planted ``file:///…`` link once made
CareQual ask the desktop to open a script).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

_LINKS = (
    Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
)


def no_links(label: QLabel) -> None:
    """The label never opens or follows a link, whatever its text says."""
    label.setOpenExternalLinks(False)
    flags = label.textInteractionFlags()
    if flags & _LINKS:
        label.setTextInteractionFlags(flags & ~_LINKS)


def make_plain(box: QMessageBox) -> QMessageBox:
    """Plain text in every label of ``box`` (text and informative text), and no links."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
        no_links(label)
    return box


def plain_box(
    parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon, informative: str = ""
) -> QMessageBox:
    """A message box whose text is shown exactly as given, never as rich text."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(icon)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    return make_plain(box)


def _run(box: QMessageBox) -> None:
    """Show ``box`` and wait (tests replace this to record what would be shown)."""
    make_plain(box)
    box.exec()


def show_error(parent: QWidget | None, text: str, title: str = "CareQual") -> None:
    """One clear sentence about something the user can act on."""
    box = plain_box(parent, title, text, QMessageBox.Icon.Warning)
    box.addButton(QMessageBox.StandardButton.Ok)
    _run(box)


def show_info(parent: QWidget | None, text: str, title: str = "CareQual") -> None:
    """Something the user should know (warnings from an import, a file tidied on opening)."""
    box = plain_box(parent, title, text, QMessageBox.Icon.Information)
    box.addButton(QMessageBox.StandardButton.Ok)
    _run(box)


def show_bug(log: Path, parent: QWidget | None = None) -> None:
    box = plain_box(
        parent,
        "CareQual",
        "Something went wrong that should not have. Your work up to the last change is saved.\n\n"
        f"Details for support are in {log}.",
        QMessageBox.Icon.Critical,
    )
    box.addButton(QMessageBox.StandardButton.Ok)
    _run(box)


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
    icon = QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question
    box = plain_box(parent, title, text, icon)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


class _LinkGuard(QObject):
    """Strips link activation from every label as it is first shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Polish and isinstance(watched, QLabel):
            no_links(watched)
        return False


_guard: _LinkGuard | None = None


def install_link_guard(app: QApplication) -> None:
    """Install (once) the application-wide guard: no label opens links."""
    global _guard
    if _guard is None:
        _guard = _LinkGuard()
        app.installEventFilter(_guard)
