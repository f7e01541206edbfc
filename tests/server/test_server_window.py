"""The window on a server workshop: opened from File › Open from server, in step with a
colleague's saved edits, never disturbing what is being typed here."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from carequal_desktop.services import server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.ui import server_session
from carequal_desktop.ui.dialogs.server_dialog import OpenFromServerDialog

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def location(server_url: str, tmp_path: Path, example_doc: dict) -> str:
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    return server.push(source, server_url).display


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    win = MainWindow()
    win.shown_errors = shown  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.showNormal()
    win.resize(1366, 740)
    yield win
    win.close()


def test_open_from_server_then_see_a_colleagues_edit(
    qtbot, window, location: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def choose(dialog: OpenFromServerDialog) -> int:
        dialog.location = location
        return OpenFromServerDialog.DialogCode.Accepted

    monkeypatch.setattr(OpenFromServerDialog, "exec", choose)
    assert window.open_from_server()
    assert window.service is not None and window.server_session is not None
    assert location in window.windowTitle()

    window.show_indicator("5.2")
    page = window.indicator_page
    colleague = server.open_server_workshop(location)
    try:
        with qtbot.waitSignal(window.server_session.reloaded, timeout=5000) as got:
            colleague.update_evaluation("5.2", how_good_now="Saved on the colleague's laptop")
        assert "evaluation" in got.args[0]
        qtbot.waitUntil(
            lambda: page.how_good_now.toPlainText() == "Saved on the colleague's laptop",
            timeout=3000,
        )
        # While someone here types, the window waits: their typing is not disturbed.
        page.how_good_now.setFocus()
        page.how_good_now.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(page.how_good_now, " and ours")
        colleague.update_evaluation("5.2", what_next="The colleague's plan")
        qtbot.wait(800)
        assert page.how_good_now.toPlainText().endswith(" and ours")
        assert window.server_session._waiting  # held back until the pause
        with qtbot.waitSignal(window.server_session.reloaded, timeout=5000):
            pass
        assert page.how_good_now.toPlainText().endswith(" and ours")
        window.flush()
        assert colleague.evaluation("5.2").how_good_now.endswith(" and ours")
    finally:
        colleague.close()
    window.close_workshop()
    assert window.server_session is None


def test_a_location_that_cannot_be_opened_is_one_sentence(window) -> None:  # type: ignore[no-untyped-def]
    assert not server_session.open_location(
        window,
        "postgresql://nobody@127.0.0.1:9/none?sslmode=disable#9b2f6c1e-8a1d-4c3e-9f00-0a1b2c3d4e5f",
    )
    assert window.service is None
    assert len(window.shown_errors) == 1 and "could not be reached" in window.shown_errors[0]
    assert Qt  # the window stays on the start screen


def test_the_command_line_opens_a_location_in_the_window(location: str) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    ok = subprocess.run(
        [sys.executable, "main.py", "--smoke", location], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--smoke",
            location.split("#")[0] + "#" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and "could not be opened" in bad.stderr
