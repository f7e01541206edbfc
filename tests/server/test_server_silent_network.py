"""An autosave never blocks typing: a server workshop whose network goes silent.

The window reaches the test cluster through a TCP forwarder (tests/server/netproxy.py) that a
test *stalls*: nothing is forwarded and nothing is closed, as when a laptop leaves the Wi-Fi.
A timed save caught by it runs in a worker thread, so the window keeps handling events and
typing; when the network flows again the typing is saved once. The database is checked
through a connection of the test's own that never goes through the forwarder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import create_engine, text

from carequal_desktop.services import recovery, server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.recovery import Edit
from carequal_desktop.ui import server_session
from tests.server.netproxy import Proxy
from tests.server.pgcluster import Cluster

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

WATCHDOG_S = 60.0  # a window that did freeze is let go this late, so the test fails, not hangs


@pytest.fixture
def proxy(cluster: Cluster) -> Iterator[Proxy]:
    net = Proxy(cluster.port)
    # A frozen window cannot release the stall itself: this does, so a failure ends.
    watchdog = threading.Timer(WATCHDOG_S, net.flow)
    watchdog.daemon = True
    watchdog.start()
    yield net
    watchdog.cancel()
    net.close()


@pytest.fixture
def direct(server_url: str, tmp_path: Path, example_doc: dict) -> str:  # type: ignore[type-arg]
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    return server.push(source, server_url).display


@pytest.fixture
def truth(direct: str):  # type: ignore[no-untyped-def]
    """Reads the server workshop directly: ``truth(sql)`` returns all rows."""
    from carequal_desktop.store.server import parse_location

    parsed = parse_location(direct)
    engine = create_engine(parsed.url.set(drivername="postgresql+psycopg"))

    def run(sql: str, **params: object) -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            conn.execute(text(f"SET search_path TO {parsed.schema}"))
            return [tuple(r) for r in conn.execute(text(sql), params).all()]

    yield run
    engine.dispose()


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: shown.append(str(a[1])) or False)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    # The first mirror would be pulled during the stall: not what these tests are about.
    monkeypatch.setattr(server_session, "MIRROR_FIRST_MS", 600_000)
    win = MainWindow()
    win.shown = shown  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.showNormal()
    win.resize(1366, 740)
    yield win
    win.close()


def _open(window, location: str):  # type: ignore[no-untyped-def]
    assert server_session.open_location(window, location)
    window.show_indicator("5.2")
    return window.server_session, window.indicator_page


def _type(qtbot, field, words: str) -> None:  # type: ignore[no-untyped-def]
    field.setFocus()
    field.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(field, words)


def _how_good(truth) -> str:  # type: ignore[no-untyped-def]
    rows = truth("SELECT how_good_now FROM evaluation WHERE indicator_code = '5.2'")
    return str(rows[0][0])


def _stalled_save(qtbot, window, proxy: Proxy, page, words: str) -> None:  # type: ignore[no-untyped-def]
    """Silence the network, type, and wait until the timed save has started (and hangs)."""
    proxy.stall()
    _type(qtbot, page.how_good_now, words)
    qtbot.waitUntil(window.autosave.saving, timeout=5000)


def _events_go_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window's thread handles events: a timer ticking every 20 ms fires 50 times."""
    ticks: list[int] = []
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start()
    qtbot.waitUntil(lambda: len(ticks) >= 50, timeout=20000)
    ticker.stop()


def test_a_save_held_by_a_silent_network_does_not_hold_the_window(
    qtbot, window, proxy: Proxy, direct: str, truth
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, proxy.url(direct))
    autosave = window.autosave
    before = page.how_good_now.toPlainText()
    texts: list[str] = []
    autosave.saved.connect(lambda edits: texts.extend(e.text for e in edits))

    _stalled_save(qtbot, window, proxy, page, " Typed as the network went silent.")
    # The window's thread keeps handling events: a timer ticking every 20 ms keeps firing,
    # and typing goes on while the save waits for the network.
    _events_go_on(qtbot)
    _type(qtbot, page.how_good_now, " And typed on.")
    _events_go_on(qtbot)  # longer than a pause in typing: the next timed save came and went
    assert (
        page.how_good_now.toPlainText()
        == before + " Typed as the network went silent. And typed on."
    )
    assert autosave.saving()  # the first save still waits for the network
    assert autosave.text(page_key(page), "") == page.how_good_now.toPlainText()
    assert _how_good(truth) == before
    assert texts == []

    # The network flows again: the save held by it ends, then the typing after it is saved.
    proxy.flow()
    qtbot.waitUntil(lambda: not autosave.has_pending(), timeout=10000)
    assert not autosave.saving()
    full = before + " Typed as the network went silent. And typed on."
    assert _how_good(truth) == full  # each piece once
    assert texts == [before + " Typed as the network went silent.", full]
    # The second save began from the first one's text, not from the text before it: it is
    # not taken for a colleague's change (no conflict, no notice).
    assert truth("SELECT count(*) FROM merge_conflict") == [(0,)]
    assert not window.collision_notice.isVisible()
    assert window.shown == [] and not session.offline
    assert window.saved_label.text().startswith("Saved at")
    assert recovery.waiting() == []


def page_key(page) -> str:  # type: ignore[no-untyped-def]
    return Edit("evaluation", page.code, "how_good_now", "", "").key


def test_an_explicit_flush_waits_for_the_save_in_flight_then_saves_the_rest(
    qtbot, window, proxy: Proxy, direct: str, truth
) -> None:  # type: ignore[no-untyped-def]
    _session, page = _open(window, proxy.url(direct))
    autosave = window.autosave
    before = page.how_good_now.toPlainText()
    plan_before = page.what_next.toPlainText()
    _stalled_save(qtbot, window, proxy, page, " Being saved.")
    _type(qtbot, page.how_good_now, " Typed during the save.")
    _type(qtbot, page.what_next, " A plan typed during the save.")
    assert autosave.saving()  # leaving a box started no wait for the network
    # Leaving (an export, a page switch, closing) flushes on the window's thread: it waits
    # for the save in flight, which ends when the network flows again (from another thread,
    # as this one is waiting).
    threading.Timer(0.3, proxy.flow).start()
    assert window.flush()
    assert not autosave.saving() and not autosave.has_pending()
    assert _how_good(truth) == before + " Being saved. Typed during the save."
    plan = truth("SELECT what_next FROM evaluation WHERE indicator_code = '5.2'")
    assert plan == [(plan_before + " A plan typed during the save.",)]
    assert truth("SELECT count(*) FROM merge_conflict") == [(0,)]
    qtbot.wait(100)  # the worker's own delivery arrives after the flush took it: ignored
    assert _how_good(truth) == before + " Being saved. Typed during the save."
    assert window.shown == []


def test_a_save_in_flight_when_the_autosave_stops_keeps_what_it_did_not_save(
    qtbot, window, proxy: Proxy, direct: str, truth
) -> None:  # type: ignore[no-untyped-def]
    _session, page = _open(window, proxy.url(direct))
    autosave = window.autosave
    before = page.how_good_now.toPlainText()
    _stalled_save(qtbot, window, proxy, page, " Saved after the stop.")
    _type(qtbot, page.how_good_now, " Not saved: kept for next time.")
    qtbot.waitUntil(lambda: len(recovery.waiting()) == 1, timeout=5000)
    autosave.stop()
    proxy.flow()
    qtbot.waitUntil(lambda: not autosave.saving(), timeout=10000)
    assert _how_good(truth) == before + " Saved after the stop."
    kept = recovery.waiting()
    assert len(kept) == 1 and len(kept[0].edits) == 1
    edit = kept[0].edits[0]
    assert edit.text == before + " Saved after the stop. Not saved: kept for next time."
    assert edit.base == before + " Saved after the stop."  # begins from what was saved
    autosave.forget_all()


def test_a_save_that_lands_after_the_server_was_found_gone_keeps_the_rest_waiting(
    qtbot, window, proxy: Proxy, direct: str, truth
) -> None:  # type: ignore[no-untyped-def]
    from carequal_desktop.services import offline

    session, page = _open(window, proxy.url(direct))
    session._backoff = offline.Backoff((600,))  # no automatic retry during the test
    autosave = window.autosave
    before = page.how_good_now.toPlainText()
    _stalled_save(qtbot, window, proxy, page, " Saved as the line went.")
    _type(qtbot, page.how_good_now, " Typed after it.")
    session.connection_lost("The server could not be reached.")  # as the listener finds
    assert autosave.paused is not None
    _events_go_on(qtbot)  # the save held by the network is not waited for
    assert autosave.saving()
    proxy.flow()
    qtbot.waitUntil(lambda: not autosave.saving(), timeout=10000)
    assert _how_good(truth) == before + " Saved as the line went."
    assert autosave.has_pending() and session.offline
    assert window.saved_label.text() == "Not saved yet: waiting for the server"
    assert window.shown == []
    with qtbot.waitSignal(session.reconnected, timeout=10000):
        session.banner.retry_button.click()
    assert _how_good(truth) == before + " Saved as the line went. Typed after it."
    assert not autosave.has_pending()
    assert truth("SELECT count(*) FROM merge_conflict") == [(0,)]
