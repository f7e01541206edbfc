"""The window on a server workshop: a colleague's save collides with typing here, and the
typing is kept as a conflict the Merge page lists, with no dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from carequal_desktop.services import merge as merging
from carequal_desktop.services import server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.ui import server_session

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: shown.append(str(a)) or False)
    win = MainWindow()
    win.shown_boxes = shown  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.showNormal()
    win.resize(1366, 740)
    yield win
    win.close()


def test_typing_that_collides_on_a_server_is_listed_on_the_merge_page(
    qtbot, window, server_url: str, tmp_path: Path, example_doc: dict
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    location = server.push(source, server_url).display
    assert server_session.open_location(window, location)
    window.show_indicator("5.2")
    page = window.indicator_page
    colleague = server.open_server_workshop(location)
    try:
        page.how_good_now.setFocus()
        qtbot.keyClicks(page.how_good_now, " Typed here")
        colleague.update_evaluation("5.2", how_good_now="Saved by the colleague")
        with qtbot.waitSignal(window.autosave.collided, timeout=5000):
            window.flush()
        qtbot.waitUntil(window.collision_notice.isVisible, timeout=3000)
        assert window.shown_boxes == []
        assert page.how_good_now.toPlainText() == "Saved by the colleague"
        assert window.sidebar.currentItem().text().startswith("⚠ 5.2")
        # The colleague's window marks it too when it next reads the workshop.
        assert merging.conflict_codes(colleague) == {"5.2"}
        qtbot.mouseClick(window.collision_notice.decide_button, Qt.MouseButton.LeftButton)
        merge = window.pages["merge"]
        conflict = merge.current_conflict()
        assert conflict is not None and conflict.ours == "Saved by the colleague"
        assert "Typed here" in str(conflict.theirs)
        assert "simultaneous edits by" in merge.log.text()
    finally:
        colleague.close()
    window.close_workshop()


def test_when_the_conflict_cannot_be_stored_the_typing_stays_and_is_tried_again(
    qtbot, window, cluster, database: str, server_url: str, tmp_path: Path, example_doc: dict
) -> None:  # type: ignore[no-untyped-def]
    from carequal_desktop.services import recovery
    from carequal_desktop.store.server import init_server, parse_location

    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    cluster.psql(
        "DO $$ BEGIN CREATE ROLE ian LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO ian")
    server.grant(loc, "ian")
    # As if granted by an older CareQual: tables, but not the sequence a conflict needs.
    cluster.psql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {loc.schema} FROM ian", database)
    as_ian = parse_location(cluster.url("ian", database)).with_workshop(str(loc.workshop_id))
    assert server_session.open_location(window, as_ian.display)
    window.show_indicator("5.2")
    page = window.indicator_page
    colleague = server.open_server_workshop(loc)
    try:
        page.how_good_now.setFocus()
        qtbot.keyClicks(page.how_good_now, "Ian's words ")
        colleague.update_evaluation("5.2", how_good_now="Saved by the colleague")
        assert not window.flush()  # neither saved nor kept as a conflict: kept here
        assert window.autosave.has_pending() and not window.collision_notice.isVisible()
        assert window.saved_label.text().startswith("Not saved")
        assert recovery.for_workshop(window.service.path) is not None
        init_server(parse_location(server_url))  # IT grants what is missing
        with qtbot.waitSignal(window.autosave.collided, timeout=5000):
            window.flush()
        qtbot.waitUntil(window.collision_notice.isVisible, timeout=3000)
        [conflict] = merging.open_conflicts(colleague)
        assert conflict.ours == "Saved by the colleague"
        assert str(conflict.theirs).startswith("Ian's words ")
        assert not window.autosave.has_pending()
    finally:
        colleague.close()
    window.close_workshop()
