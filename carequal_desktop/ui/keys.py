"""Keys that work the same everywhere in the application.

Enter presses the focused button, as Space does (Qt leaves Enter to a dialog's default
button only). In a dialog, Enter on a tick box, choice list or number box presses the
dialog's default button (Save, Export), as it does from a text box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QPushButton,
    QRadioButton,
    QToolButton,
    QWidget,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _default_button(dialog: QDialog) -> QPushButton | None:
    for button in dialog.findChildren(QPushButton):
        if button.isDefault() and button.isVisible() and button.isEnabled():
            return button
    return None


class EnterKeys(QObject):
    """An application-wide filter for the Enter key (see the module's docstring)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ENTER or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if not isinstance(watched, QWidget) or watched is not QApplication.focusWidget():
            return False
        if isinstance(watched, QPushButton | QToolButton) and watched.isEnabled():
            watched.animateClick()
            return True
        window = watched.window()
        if (
            isinstance(window, QDialog)
            and isinstance(watched, QCheckBox | QRadioButton | QAbstractSpinBox)
            or (
                isinstance(window, QDialog)
                and isinstance(watched, QComboBox)
                and not watched.isEditable()
                and not watched.view().isVisible()
            )
        ):
            button = _default_button(window)  # type: ignore[arg-type]
            if button is not None:
                button.animateClick()
                return True
        return False


_keys: EnterKeys | None = None


def install_enter_keys() -> None:
    """Make Enter press focused buttons and dialogs' default buttons (idempotent)."""
    global _keys
    app = QApplication.instance()
    if app is None or _keys is not None:
        return
    _keys = EnterKeys(app)
    app.installEventFilter(_keys)
