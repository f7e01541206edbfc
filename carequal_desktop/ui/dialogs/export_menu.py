"""The File menu's export entries, kept apart from the export dialog itself.

The main window adds these entries when it is made; the dialog, the Word report and the
readiness checks behind them are imported only when an export is chosen, so that they
are not on the way to the first screen (docs/performance.md).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from PySide6.QtGui import QAction, QKeySequence


def _dialogs() -> ModuleType:
    from carequal_desktop.ui.dialogs import export_dialog

    return export_dialog


def install_export_actions(window: Any) -> list[QAction]:
    """Add the three exports to ``window.file_menu()``, after the exchange JSON export."""
    menu = window.file_menu()
    existing = [a for a in menu.actions() if a.objectName().startswith("carequalExport")]
    if existing:
        return existing
    entries = (
        (
            "carequalExportStatement",
            "Export &position statement…",
            "Ctrl+Shift+E",
            lambda: _dialogs().export_position_statement(window),
        ),
        (
            "carequalExportPlanCsv",
            "Export improvement plan as CS&V…",
            None,
            lambda: _dialogs()._export_csv(window, "plan"),
        ),
        (
            "carequalExportEvidenceCsv",
            "Export evidence re&gister as CSV…",
            None,
            lambda: _dialogs()._export_csv(window, "evidence"),
        ),
    )
    # Insert after "Export exchange JSON…" when there is one, else at the end.
    actions = menu.actions()
    before = None
    for i, action in enumerate(actions):
        text = action.text().replace("&", "")
        if "exchange JSON" in text and "Export" in text:
            before = actions[i + 1] if i + 1 < len(actions) else None
            break
    created = []
    for name, text, shortcut, slot in entries:
        action = QAction(text, window)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, run=slot: run())
        if before is not None:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
        created.append(action)

    # The main window enables its "needs a workshop" actions whenever a workshop opens or
    # closes; joining that list keeps the shortcut live. Without it, the menu refreshes them.
    workshop_actions = getattr(window, "_workshop_actions", None)
    if isinstance(workshop_actions, list):
        workshop_actions.extend(created)

    def enable() -> None:
        has = getattr(window, "service", None) is not None
        for action in created:
            action.setEnabled(has)

    menu.aboutToShow.connect(enable)
    enable()
    return created
