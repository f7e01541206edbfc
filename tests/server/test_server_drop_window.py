"""The network fails politely: a window on a server workshop whose connection drops.

The window reaches the test cluster through a TCP forwarder (tests/server/netproxy.py) that
a test cuts and restores, as a dropped network or a restarting server looks to CareQual;
the database is checked through a connection of the test's own that never goes through it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog, QLabel
from sqlalchemy import create_engine, text

from carequal_desktop.services import offline, server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.recovery import Edit
from carequal_desktop.ui import server_session
from tests.server.netproxy import Proxy
from tests.server.pgcluster import Cluster

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

RECONNECT_MS = 20000  # the first automatic retries come after 2, 2 and 4 seconds


@pytest.fixture
def proxy(cluster: Cluster):  # type: ignore[no-untyped-def]
    net = Proxy(cluster.port)
    yield net
    net.close()


@pytest.fixture
def direct(server_url: str, tmp_path: Path, example_doc: dict) -> str:
    """The workshop's location on the cluster itself (the test's own view of the truth)."""
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    return server.push(source, server_url).display


@pytest.fixture
def location(direct: str, proxy: Proxy) -> str:
    """The same workshop, reached through the forwarder the test can cut."""
    return proxy.url(direct)


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
def window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "_run", lambda box: shown.append(box.text()))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: shown.append(str(a[1])) or False)
    answers: list[Path] = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(answers.pop(0)) if answers else "", ""),
    )
    monkeypatch.setattr(server_session, "BACK_LINE_MS", 300)
    win = MainWindow()
    win.shown = shown  # type: ignore[attr-defined]
    win.save_answers = answers  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.showNormal()
    win.resize(1366, 740)
    yield win
    win.close()


def _open(window, location: str, code: str = "5.2"):  # type: ignore[no-untyped-def]
    assert server_session.open_location(window, location)
    window.show_indicator(code)
    return window.server_session, window.indicator_page


def _type(qtbot, field, words: str) -> None:  # type: ignore[no-untyped-def]
    field.setFocus()
    field.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(field, words)


def _how_good(truth, code: str = "5.2") -> str:  # type: ignore[no-untyped-def]
    rows = truth("SELECT how_good_now FROM evaluation WHERE indicator_code = :c", c=code)
    return str(rows[0][0])


def _own_connections(cluster: Cluster, database: str, client: str) -> int:
    return int(
        cluster.psql(
            f"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '{client}%'",
            database,
        )
    )


def test_typing_while_the_network_is_down_is_saved_once_when_it_returns(
    qtbot, window, location: str, proxy: Proxy, truth, direct: str
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, location)
    before = page.how_good_now.toPlainText()
    banner = session.banner
    assert not banner.isVisible()

    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    assert banner.isVisible() and banner.retry_button.isVisible()
    line = banner.label.text()
    assert line.startswith("Connection to the server lost at ")
    assert "Your typing is kept and will be saved when the server answers." in line
    assert line.endswith("Trying again in 2 s.") and "\n" not in line
    assert banner.label.accessibleDescription() == line  # a screen reader hears it
    assert window.saved_label.text() == "Not saved yet: waiting for the server"

    # Another page could not be read now: the window stays where the typing is.
    window.show_indicator("9.2")
    window.show_page("evidence")
    assert window.current_indicator_code() == "5.2"
    assert window.sidebar.currentItem().text().startswith("5.2")
    assert window.statusBar().currentMessage().startswith("Other pages open when the server")
    _type(qtbot, page.how_good_now, " Typed while the network was down.")
    qtbot.wait(1200)  # a pause: the autosave would save now, but keeps the typing instead
    assert window.autosave.has_pending()
    assert page.how_good_now.toPlainText().endswith("network was down.")
    assert _how_good(truth) == before
    # A colleague saves meanwhile: the window catches up when it is back.
    colleague = server.open_server_workshop(direct)
    try:
        colleague.update_evaluation("5.2", what_next="The colleague's plan, saved meanwhile")
    finally:
        colleague.close()

    with qtbot.waitSignal(session.reconnected, timeout=RECONNECT_MS):
        proxy.restore()
    assert _how_good(truth) == before + " Typed while the network was down."  # once
    assert not window.autosave.has_pending()
    assert banner.label.text().startswith("Connected to the server again at ")
    assert "your typing is saved" in banner.label.text()
    assert not banner.retry_button.isVisible()
    qtbot.waitUntil(
        lambda: page.what_next.toPlainText() == "The colleague's plan, saved meanwhile",
        timeout=5000,
    )
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=3000)  # the line clears
    assert page.how_good_now.toPlainText() == before + " Typed while the network was down."
    assert window.saved_label.text().startswith("Saved at")
    assert window.shown == []  # no message box: one line said it all
    window.show_indicator("9.2")  # every page opens again
    assert window.current_indicator_code() == "9.2"


def test_try_again_now_and_a_server_restart(
    qtbot, window, location: str, proxy: Proxy, truth, cluster: Cluster, database: str
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, location)
    before = page.how_good_now.toPlainText()
    # A restart: the server ends every connection of this window.
    client = window.service.db.server.client
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        cluster.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE application_name LIKE '{client}%'",
            database,
        )
    _type(qtbot, page.how_good_now, " After the restart.")
    with qtbot.waitSignal(session.reconnected, timeout=RECONNECT_MS):
        pass
    window.flush()
    assert _how_good(truth) == before + " After the restart."

    # "Try again now" checks at once rather than after the pause.
    session._backoff = offline.Backoff((600,))  # the automatic retry would be far off
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    assert "Trying again in 600 s." in session.banner.label.text()
    _type(qtbot, page.how_good_now, " And after the cut.")
    with qtbot.waitSignal(session._done, timeout=10000):
        session.banner.retry_button.click()  # the server is still cut off
    assert session.offline and "Trying again in 600 s." in session.banner.label.text()
    proxy.restore()
    with qtbot.waitSignal(session.reconnected, timeout=10000):
        session.banner.retry_button.click()
    assert _how_good(truth) == before + " After the restart. And after the cut."


def test_an_edit_whose_commit_answer_was_lost_is_not_applied_twice(
    qtbot, window, location: str, proxy: Proxy, truth
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, location)
    before = page.how_good_now.toPlainText()
    items = "SELECT count(*) FROM evaluation_item WHERE text = :t"
    _type(qtbot, page.how_good_now, " Committed, but the answer was lost.")
    proxy.lose_next_commit()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        window.flush()
    assert proxy.commits_lost == 1
    # The server did save it; the window could not know, so it still holds it.
    assert _how_good(truth) == before + " Committed, but the answer was lost."
    assert window.autosave.has_pending() and window.autosave.uncertain()
    stamp = "SELECT updated FROM evaluation WHERE indicator_code = '5.2'"
    first = truth(stamp)
    with qtbot.waitSignal(session.reconnected, timeout=RECONNECT_MS):
        pass
    assert _how_good(truth) == before + " Committed, but the answer was lost."
    assert truth(stamp) == first  # found saved, not written a second time
    assert window.shown == []  # saved again without a collision: it was the same text
    assert not window.autosave.has_pending()

    # A line typed to be added (not a field): it must not be added twice either.
    line = "Strength whose commit answer was lost"
    window.autosave.put(Edit("new_item", "5.2", "strength", line, "Strength", draft=True))
    proxy.lose_next_commit()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        window.autosave.flush()
    assert truth(items, t=line) == [(1,)]
    with qtbot.waitSignal(session.reconnected, timeout=RECONNECT_MS):
        pass
    window.autosave.flush()
    assert truth(items, t=line) == [(1,)]
    assert not window.autosave.has_pending()


def test_an_offline_copy_from_the_server_takes_the_typing_and_the_session_stops(
    qtbot,
    window,
    location: str,
    proxy: Proxy,
    truth,
    tmp_path: Path,
    cluster: Cluster,
    database: str,
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, location)
    session._backoff = offline.Backoff((600,))  # no automatic retry during the test
    client = window.service.db.server.client
    before = page.how_good_now.toPlainText()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    _type(qtbot, page.how_good_now, " Typed before the offline copy.")
    qtbot.wait(900)
    proxy.restore()  # the server answers again, but the window has not tried yet
    target = tmp_path / "Glenmuir (offline).carequal"
    window.save_answers.append(target)
    assert session.banner.copy_button.isVisible()
    with qtbot.waitSignal(session.copy_finished, timeout=20000) as done:
        session.banner.copy_button.click()
    made = done.args[0]
    assert isinstance(made, offline.OfflineCopy) and made.from_server
    assert window.service is not None and window.service.path == target
    assert window.service.db.server is None and window.server_session is None
    assert window.service.evaluation("5.2").how_good_now.endswith("before the offline copy.")
    assert window.current_indicator_code() == "5.2"  # back on the page of the typing
    assert window.indicator_page.how_good_now.toPlainText().endswith("before the offline copy.")
    assert any("taken from the server" in s for s in window.shown)
    # The old session is stopped: the typing went into the copy only, never to the server.
    qtbot.wait(2500)
    assert _how_good(truth) == before
    assert _own_connections(cluster, database, client) == 0


def test_an_offline_copy_from_the_mirror_when_the_server_is_down(
    qtbot, window, location: str, proxy: Proxy, truth, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    session, page = _open(window, location)
    with qtbot.waitSignal(session.mirrored, timeout=20000) as got:
        pass  # the first mirror is pulled in the background a moment after opening
    assert got.args == [True] and session.mirror_file.is_file()
    before = page.how_good_now.toPlainText()
    # Saved to the server after the mirror was taken: the copy must still have it.
    _type(qtbot, page.what_next, " Saved after the mirror.")
    assert window.flush()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    _type(qtbot, page.how_good_now, " Typed with the server down.")
    target = tmp_path / "From the mirror.carequal"
    window.save_answers.append(target)
    with qtbot.waitSignal(session.copy_finished, timeout=20000) as done:
        session.banner.copy_button.click()
    made = done.args[0]
    assert isinstance(made, offline.OfflineCopy) and not made.from_server
    assert window.service is not None and window.service.path == target
    ev = window.service.evaluation("5.2")
    assert ev.how_good_now == before + " Typed with the server down."
    assert ev.what_next.endswith(" Saved after the mirror.")
    told = [s for s in window.shown if "this computer's copy of the workshop" in s]
    assert len(told) == 1 and "old" in told[0]
    proxy.restore()
    qtbot.wait(2500)
    assert _how_good(truth) == before  # the old session sent nothing after the switch


def test_no_mirror_yet_and_the_server_down_says_so_and_keeps_trying(
    qtbot, window, location: str, proxy: Proxy, truth, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(server_session, "MIRROR_FIRST_MS", 600_000)
    session, page = _open(window, location)
    before = page.how_good_now.toPlainText()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    _type(qtbot, page.how_good_now, " Kept although no copy could be made.")
    window.save_answers.append(tmp_path / "Nothing.carequal")
    with qtbot.waitSignal(session.copy_finished, timeout=20000):
        session.banner.copy_button.click()
    assert not session.mirror_file.exists()
    assert any(s.startswith("No offline copy can be made yet") for s in window.shown)
    assert not (tmp_path / "Nothing.carequal").exists()
    assert window.server_session is session and session.offline
    assert window._workshop_view.isEnabled()
    assert session.banner.label.text().startswith("Connection to the server lost")
    # Closing now would leave the typing behind: the window says what to do instead.
    assert not window.close_workshop()
    assert "use “Take an offline copy…”" in window.shown[-1]
    assert window.server_session is session
    with qtbot.waitSignal(session.reconnected, timeout=RECONNECT_MS):
        proxy.restore()
    assert _how_good(truth) == before + " Kept although no copy could be made."


def test_a_line_added_while_offline_goes_back_in_its_box_and_is_added_once(
    qtbot, window, location: str, proxy: Proxy, truth
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    session, page = _open(window, location)
    session._backoff = offline.Backoff((600,))
    line = "A strength typed with the network down"
    items = "SELECT count(*) FROM evaluation_item WHERE text = :t"
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    box = page.strengths.new_line
    box.setFocus()
    qtbot.keyClicks(box, line)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.text() == line  # not lost: back where it was typed
    assert len(window.shown) == 1 and "could not be reached" in window.shown[0]
    assert [e.text for e in window.autosave.pending()] == [line]
    proxy.restore()
    with qtbot.waitSignal(session.reconnected, timeout=10000):
        session.banner.retry_button.click()
    assert truth(items, t=line) == [(0,)]  # a line in its box is added when Enter is pressed
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert truth(items, t=line) == [(1,)] and box.text() == ""
    window.flush()
    assert truth(items, t=line) == [(1,)]


def test_the_mirror_follows_colleagues_changes_when_nobody_types(
    qtbot, window, location: str, direct: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from carequal_desktop.services.workshop import WorkshopService

    monkeypatch.setattr(server_session, "MIRROR_EVERY_S", 0.0)  # no pause between pulls
    session, _page = _open(window, location)
    with qtbot.waitSignal(session.mirrored, timeout=20000):
        pass
    colleague = server.open_server_workshop(direct)
    try:
        colleague.update_evaluation("9.2", what_next="A colleague's plan, for the mirror")
    finally:
        colleague.close()
    with qtbot.waitSignal(session.reloaded, timeout=5000):
        pass
    with qtbot.waitSignal(session.mirrored, timeout=20000) as got:
        pass
    assert got.args == [True]
    mirror = WorkshopService.open(session.mirror_file, read_only=True)
    try:
        assert mirror.evaluation("9.2").what_next == "A colleague's plan, for the mirror"
    finally:
        mirror.close()


def test_the_connection_line_is_announced_to_a_screen_reader(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAccessible

    banner = server_session.ConnectionBanner()
    qtbot.addWidget(banner)
    assert banner.accessibleName() == "Connection to the server"
    assert banner.retry_button.accessibleName() == "Try again now"
    assert banner.copy_button.accessibleName() == "Take an offline copy"
    QAccessible.setActive(True)  # as when a screen reader is running
    try:
        banner.show_line("Connection to the server lost at 10:00.", True)
        assert not banner.isHidden() and banner.accessibleDescription().endswith("10:00.")
        banner.show_line("", False)
        assert banner.isHidden()
    finally:
        QAccessible.setActive(False)


@pytest.mark.qt_no_exception_capture
def test_a_page_that_cannot_read_the_server_is_the_connection_line_not_a_bug(
    qtbot, window, location: str, proxy: Proxy, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    import sys

    from carequal_desktop.ui import messages
    from carequal_desktop.ui.app import excepthook

    bugs: list[object] = []
    monkeypatch.setattr(messages, "show_bug", bugs.append)
    monkeypatch.setattr(sys, "excepthook", excepthook(window))
    session, page = _open(window, location)
    session._backoff = offline.Backoff((600,))
    proxy.cut()
    # A grade chosen the moment the network went: it cannot be saved (one sentence), and
    # the page's reread after that cannot reach the server either (the connection line).
    page.grade_group.button(3).click()
    qtbot.waitUntil(lambda: session.offline, timeout=5000)
    assert len(window.shown) == 1 and "could not be reached" in window.shown[0]
    assert bugs == []
    assert "A page could not read the server workshop" in caplog.text  # it went this way
    assert session.banner.label.text().startswith("Connection to the server lost at ")
    sys.excepthook(RuntimeError, RuntimeError("a real bug"), None)  # still a bug
    assert len(bugs) == 1


def test_typing_kept_when_closing_offline_goes_to_the_server_next_time(
    qtbot, window, location: str, proxy: Proxy, truth, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from carequal_desktop.services import recovery
    from carequal_desktop.ui import messages
    from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog

    session, page = _open(window, location)
    before = page.how_good_now.toPlainText()
    with qtbot.waitSignal(session.went_offline, timeout=5000):
        proxy.cut()
    _type(qtbot, page.how_good_now, " Kept over a restart of CareQual.")
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)  # close, keep it for next time
    assert window.close_workshop() and window.service is None
    kept = recovery.waiting()
    assert len(kept) == 1 and kept[0].location == location  # the address, no file path
    intro = RecoveryDialog(kept[0], window).findChild(QLabel, "")
    assert intro is not None and "never reached the server" in intro.text()
    assert "Server: postgresql://" in intro.text()
    proxy.restore()

    seen: list[str] = []

    def apply(dialog: RecoveryDialog) -> int:
        seen.append(dialog.lines()[0])
        dialog.apply_all()
        return 1

    monkeypatch.setattr(RecoveryDialog, "exec", apply)
    window.offer_recovery()  # the next start
    assert len(seen) == 1 and "Kept over a restart" in seen[0]
    assert window.service is not None and window.server_session is not None
    assert _how_good(truth) == before + " Kept over a restart of CareQual."
    assert recovery.waiting() == []
