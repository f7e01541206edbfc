"""Window fixtures: no message box or file dialog may block a test.

Every ``QMessageBox`` is replaced by a recorder (``boxes`` lists what would have been
shown); tests that expect a question answer it through ``answer_questions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox


class Boxes(list):
    """What would have been shown: (kind, text)."""

    answer = False  # what ``messages.ask`` answers

    def texts(self) -> list[str]:
        return [text for _kind, text in self]


@pytest.fixture(autouse=True)
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    """Record message boxes instead of showing them (a modal box would hang the test)."""
    shown = Boxes()

    def static(kind: str):  # type: ignore[no-untyped-def]
        def box(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return box

    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, static(kind))

    from carequal_desktop.ui import messages

    def ask(parent, text, title="CareQual", **kwargs):  # type: ignore[no-untyped-def]
        shown.append(("ask", text))
        return shown.answer

    monkeypatch.setattr(messages, "ask", ask)

    kinds = {
        QMessageBox.Icon.Warning: "warning",
        QMessageBox.Icon.Critical: "critical",
        QMessageBox.Icon.Information: "information",
    }

    def run(box):  # type: ignore[no-untyped-def]
        shown.append((kinds.get(box.icon(), "question"), box.text()))

    monkeypatch.setattr(messages, "_run", run)
    return shown


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Make ``QFileDialog.getSaveFileName``/``getOpenFileName`` answer from a list of paths."""
    from PySide6.QtWidgets import QFileDialog

    answers: list[Path] = []

    def answer(*args, **kwargs):  # type: ignore[no-untyped-def]
        return (str(answers.pop(0)) if answers else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    return answers


@pytest.fixture
def window(qtbot) -> Iterator:  # type: ignore[no-untyped-def]
    """A main window on the start screen; closed (and its workshop file with it) at the end."""
    from carequal_desktop.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.showNormal()
    win.resize(1366, 740)
    yield win
    win.close()


@pytest.fixture
def made_workshop(workshop_path: Path) -> Path:
    """A workshop file on the 2019 framework, closed, ready for a window to open."""
    from carequal_desktop.services.workshop import WorkshopService

    service = WorkshopService.create(
        workshop_path, title="Strathcairn 2026", partnership="Strathcairn partnership"
    )
    service.close()
    return workshop_path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Showing a window offscreen makes Qt warn that it cannot pass size hints on: harmless."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture
def answer_dialog(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``answer_dialog(DialogClass, fill)``: when the dialog is shown, ``fill(dialog)`` runs
    instead of its event loop and should end with ``dialog.accept()`` or ``reject()``.

    Deterministic, unlike a timer racing the dialog's creation.
    """

    def install(cls: type, fill) -> None:  # type: ignore[no-untyped-def]
        def exec_(self):  # type: ignore[no-untyped-def]
            fill(self)
            return self.result()

        monkeypatch.setattr(cls, "exec", exec_)

    return install
