"""File › Open from server, driven as a user would, against the real test server."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from carequal_desktop.services import server, settings
from carequal_desktop.services.exchange import import_document
from carequal_desktop.ui.dialogs.server_dialog import OpenFromServerDialog
from tests.server.pgcluster import free_port


def test_connect_list_and_choose_a_workshop(
    qtbot, server_url: str, tmp_path: Path, example_doc: dict
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)

    dialog = OpenFromServerDialog()
    qtbot.addWidget(dialog)
    dialog.address.setCurrentText(server_url)
    with qtbot.waitSignal(dialog.workshops.model().rowsInserted, timeout=10_000):
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=10_000)
    assert dialog.workshops.count() == 1
    assert dialog.status.text() == "1 workshop you may open."
    dialog.accept()
    assert dialog.location == loc.display
    # Remembered for next time, and never with a password.
    assert settings.recent_servers()[0] == server_url


def test_an_unreachable_server_is_one_sentence_in_the_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = OpenFromServerDialog()
    qtbot.addWidget(dialog)
    dialog.address.setCurrentText(
        f"postgresql://x:hunter2@127.0.0.1:{free_port()}/db?sslmode=disable"
    )
    dialog.connect_to_server()
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=15_000)
    assert "could not be reached" in dialog.status.text()
    assert "hunter2" not in dialog.status.text()
    assert dialog.status.textFormat() == Qt.TextFormat.PlainText
    assert settings.recent_servers() == []
    dialog.address.setCurrentText("not an address")
    dialog.connect_to_server()
    assert "is not a server address" in dialog.status.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Open).isEnabled()
