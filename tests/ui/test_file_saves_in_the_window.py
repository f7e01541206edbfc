"""A workshop file saves on the window's thread, as before the server's background saves.

Only a server workshop's timed saves run in a worker thread (tests/server/
test_server_silent_network.py); a file's are written the moment the timer fires, and a box
left is saved before the focus has moved on.
"""

from __future__ import annotations

import threading
from pathlib import Path

from carequal_desktop.services.workshop import WorkshopService


def _answer(path: Path, field: str) -> str:
    service = WorkshopService.open(path, read_only=True)
    try:
        return str(getattr(service.evaluation("5.2"), field))
    finally:
        service.close()


def test_a_files_timed_save_and_a_box_left_are_written_at_once_on_the_window_thread(
    qtbot, window, made_workshop: Path
) -> None:  # type: ignore[no-untyped-def]
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    page = window.indicator_page
    autosave = window.autosave
    threads: set[int] = set()
    autosave.saved.connect(lambda _edits: threads.add(threading.get_ident()))
    before = page.how_good_now.toPlainText()
    page.how_good_now.setFocus()
    qtbot.keyClicks(page.how_good_now, " Saved after a pause.")
    with qtbot.waitSignal(autosave.saved, timeout=5000):
        pass  # the pause in typing: the timer's save
    assert not autosave.saving() and not autosave.has_pending()
    assert _answer(made_workshop, "how_good_now") == before + " Saved after a pause."
    qtbot.keyClicks(page.how_good_now, " Saved on leaving the box.")
    page.what_next.setFocus()  # the box is left: saved before this returns
    assert not autosave.has_pending() and not autosave.saving()
    assert _answer(made_workshop, "how_good_now").endswith(" Saved on leaving the box.")
    assert threads == {threading.get_ident()}  # every save on the window's thread
