"""The window on a server workshop whose connection just dropped, as a PNG (for docs/server.md).

Run under Xvfb with a window manager, as the BRIEF's screenshots are taken:

    xvfb-run -a -s "-screen 0 1366x768x24" bash -c 'openbox & sleep 1; \
        .venv/bin/python tools/server_drop_screenshot.py docs/screenshots/server-connection-lost.png'

Starts a throwaway cluster (as the tests do), puts the example workshop on it, opens it in
the window through a TCP forwarder, cuts the forwarder, types a sentence and grabs the screen.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-shot-"))
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(out: Path) -> None:
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from carequal_desktop.services import server
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.store.server import init_server, parse_location
    from tests.server import pgcluster
    from tests.server.netproxy import Proxy

    cluster = pgcluster.start()
    try:
        cluster.psql("CREATE DATABASE shot")
        url = cluster.url(database="shot")
        init_server(parse_location(url))
        source = Path(tempfile.mkdtemp()) / "Glenmuir.carequal"
        example = REPO / "tests" / "data" / "example-glenmuir.json"
        import_document(json.loads(example.read_text(encoding="utf-8")), source)
        location = server.push(source, url).display
        proxy = Proxy(cluster.port)
        app = QApplication([])
        from carequal_desktop.ui import server_session
        from carequal_desktop.ui.main_window import MainWindow

        window = MainWindow()
        window.showMaximized()
        assert server_session.open_location(window, proxy.url(location))
        window.show_indicator("5.2")

        def spin(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)

        spin(1.0)
        proxy.cut()
        spin(1.5)
        field = window.indicator_page.how_good_now
        field.setFocus()
        field.moveCursor(QTextCursor.MoveOperation.End)
        field.insertPlainText(" Typed while the network was down.")
        spin(1.5)
        app.primaryScreen().grabWindow(0).save(str(out))
        assert window.server_session is not None
        window.server_session.stop()
        proxy.close()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
