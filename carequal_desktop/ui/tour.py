"""``--tour DIR``: every page, the facilitation mode and every main dialog on this screen.

Each is shown in turn on the current screen, a PNG of it is saved into DIR, and each is
checked against the screen's available geometry: a window or dialog larger than the
screen, or one that scrolls sideways, is a failure (exit 1). Used by the tests at
1024×768 and at 150%, and to make the README's screenshots.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QRect, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDialog, QScrollArea, QWidget


@dataclass
class TourResult:
    """What the tour saw: one line per screen, and the problems found."""

    shots: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _settle() -> None:
    app = QApplication.instance()
    assert app is not None
    for _ in range(4):
        app.processEvents()


def _sideways(widget: QWidget) -> list[str]:
    """Visible scroll areas inside ``widget`` that scroll sideways or cut their contents off."""
    found = []
    for area in widget.findChildren(QAbstractScrollArea):
        bar = area.horizontalScrollBar()
        name = area.accessibleName() or area.objectName() or type(area).__name__
        if area.isVisible() and bar.isVisible() and bar.maximum() > 0:
            found.append(f"{name} scrolls sideways")
        inner = area.widget() if isinstance(area, QScrollArea) else None
        if (
            inner is not None
            and area.isVisible()
            and inner.minimumSizeHint().width() > area.viewport().width() + 1
        ):
            found.append(
                f"{name} is cut off on the right ({inner.minimumSizeHint().width()} px "
                f"of content in {area.viewport().width()} px)"
            )
    return found


def check_fits(widget: QWidget, name: str, screen: QRect) -> list[str]:
    """Problems with ``widget`` on ``screen`` (available geometry): too big, or scrolling sideways."""
    problems = []
    frame = widget.frameGeometry()
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    if frame.width() > screen.width() or frame.height() > screen.height():
        problems.append(
            f"{name}: {frame.width()}×{frame.height()} is larger than the screen "
            f"{screen.width()}×{screen.height()}"
        )
    elif minimum.width() > screen.width() or minimum.height() > screen.height():
        problems.append(
            f"{name}: needs at least {minimum.width()}×{minimum.height()}, more than the screen "
            f"{screen.width()}×{screen.height()}"
        )
    elif not screen.contains(frame):
        problems.append(f"{name}: partly off the screen at {frame.x()},{frame.y()}")
    for area in _sideways(widget):
        problems.append(f"{name}: {area}")
    return problems


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _dialogs(window: Any) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    """The main dialogs, each made ready to show on the open demo workshop."""
    from carequal_desktop.ui.dialogs.action_dialog import ActionDialog
    from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog
    from carequal_desktop.ui.dialogs.evidence_picker_dialog import (
        ActionPickerDialog,
        EvidencePickerDialog,
    )
    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog
    from carequal_desktop.ui.dialogs.indicator_dialog import IndicatorDialog
    from carequal_desktop.ui.dialogs.new_workshop_dialog import NewWorkshopDialog
    from carequal_desktop.ui.dialogs.restore_dialog import RestoreDialog
    from carequal_desktop.ui.team_page import ParticipantDialog, SessionDialog

    service = window.service
    code = service.framework().indicators[0].code
    evidence = service.evidence()
    actions = service.actions()
    yield "dialog-new-workshop", lambda: NewWorkshopDialog(window)
    yield (
        "dialog-evidence",
        lambda: EvidenceDialog(service, window, evidence=evidence[0] if evidence else None),
    )
    yield (
        "dialog-action",
        lambda: ActionDialog(service, window, action=actions[0] if actions else None),
    )
    yield "dialog-link-evidence", lambda: EvidencePickerDialog(service, code, window)
    yield "dialog-link-action", lambda: ActionPickerDialog(service, code, window)
    yield "dialog-edit-indicator", lambda: IndicatorDialog(service, code, window)
    yield "dialog-export", lambda: ExportDialog(service, window)
    yield "dialog-session", lambda: SessionDialog(window)
    yield "dialog-participant", lambda: ParticipantDialog(window)
    yield "dialog-restore", lambda: RestoreDialog(window, service.path, [])
    yield "dialog-shortcuts", lambda: window.shortcuts_dialog()
    yield "dialog-recovered-typing", lambda: _recovery_dialog(window)


def _recovery_dialog(window: Any) -> QDialog:
    """What the next start shows after typing never reached the file (a sample, not saved)."""
    from carequal_desktop.services.recovery import Edit, Recovery
    from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog

    service = window.service
    code = service.framework().indicators[0].code
    sample = Recovery(
        workshop=service.path,
        title=service.details().title,
        saved="2026-11-29T14:05:00+00:00",
        edits=(
            Edit(
                "evaluation",
                code,
                "how_good_now",
                "Most referrals get a same-day reply.",
                f"{code} How good are we now?",
            ),
            Edit(
                "new_item",
                code,
                "strength",
                "Chronologies are up to date.",
                f"{code} new strength",
                draft=True,
            ),
        ),
        file=Path(),
    )
    return RecoveryDialog(sample, window)


def run_tour(window: Any, out: Path) -> TourResult:
    """Show everything in ``window`` (a MainWindow on the start screen) and save PNGs in ``out``."""
    from carequal_desktop.services.demo import demo_path
    from carequal_desktop.ui.main_window import PAGES

    out.mkdir(parents=True, exist_ok=True)
    result = TourResult()
    screen_obj = window.screen() or QApplication.primaryScreen()
    screen = screen_obj.availableGeometry()
    result.lines.append(
        f"screen {screen.width()}×{screen.height()} (device pixel ratio "
        f"{screen_obj.devicePixelRatio():g})"
    )
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.setGeometry(screen)
    window.showMaximized()
    _settle()

    def shot(widget: QWidget, name: str) -> None:
        _wait_exposed(widget.window(), 3000)
        _wait(150)  # the window manager's placement and the first paint
        _settle()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        result.shots.append(path)
        problems = check_fits(widget, name, screen)
        result.problems.extend(problems)
        size = widget.frameGeometry()
        result.lines.append(
            f"{'FAIL' if problems else 'ok  '} {name}: {size.width()}×{size.height()}"
        )

    shot(window, "start-screen")
    window.open_workshop_file(demo_path(), interactive=False)
    _settle()
    for key, label, _shortcut in PAGES:
        window.show_page(key)
        shot(window, f"page-{_slug(label)}")
    codes = [ind.code for ind in window.service.framework().indicators]
    window.show_indicator(codes[min(len(codes) - 1, 9)] if codes else codes[0])
    shot(window, "page-indicator")
    page = window.indicator_page
    for area in page.findChildren(QAbstractScrollArea):
        bar = area.verticalScrollBar()
        bar.setValue(bar.maximum())
    shot(window, "page-indicator-lower")
    facilitate = getattr(window, "facilitate", None)
    if facilitate is not None:
        mode = facilitate()
        shot(mode, "facilitation-mode")
        mode.close()
        _settle()
    for name, make in _dialogs(window):
        dialog = make()
        dialog.setModal(False)
        dialog.show()
        shot(dialog, name)
        dialog.reject()
        dialog.deleteLater()
    window.show_page(PAGES[0][0])
    return result


def _wait(ms: int) -> None:
    """Let Qt run for ``ms`` milliseconds (QtTest is not in the frozen build)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait_exposed(window: QWidget, timeout_ms: int) -> None:
    """Wait until the window is on screen, or the time is up."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            return
        _wait(20)
