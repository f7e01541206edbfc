"""The large workshop opened from a server in the window, and its mirror pulled meanwhile.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_server_mirror.py [--json out.json]
Starts a throwaway cluster (as the tests do), generates and pushes the large workshop
(5,000 evidence items, 500 actions), then times: opening it in the window (service, session
and first page); the background pull of this computer's mirror (services/offline.py), from
its start to its end; and, while that pull runs in its worker thread, the longest gap
between ticks of a 10 ms timer on the window's thread (how long typing could stall). Then
the network "drops" (the mirror is used): an offline copy taken from the mirror.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evidence", type=int, default=5000)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from carequal_desktop.services import offline, server
    from carequal_desktop.services.generate import generate_large_workshop
    from carequal_desktop.store.server import init_server, parse_location
    from tests.server import pgcluster

    cluster = pgcluster.start()
    try:
        cluster.psql("CREATE DATABASE bench")
        url = cluster.url(database="bench")
        init_server(parse_location(url))
        folder = Path(tempfile.mkdtemp(prefix="carequal-large-"))
        path = generate_large_workshop(folder / "Large.carequal", args.evidence, args.actions)
        loc = server.push(path, url)

        app = QApplication([])
        from carequal_desktop.ui import server_session
        from carequal_desktop.ui.main_window import MainWindow

        window = MainWindow()
        window.resize(1366, 740)
        window.show()
        app.processEvents()
        t = time.perf_counter()
        assert server_session.open_location(window, loc.display, interactive=False)
        app.processEvents()
        open_s = time.perf_counter() - t
        session = window.server_session
        assert session is not None

        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        finished: list[float] = []
        session.mirrored.connect(lambda ok: finished.append(time.perf_counter()))
        timer.start()
        t = time.perf_counter()
        assert session.refresh_mirror()
        while not finished:
            app.processEvents()
            time.sleep(0.001)
        mirror_s = finished[0] - t
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        size_mb = session.mirror_file.stat().st_size / 1e6

        session.stop()
        window.close()
        # The copy from the mirror (the server "down": an address nothing listens on).
        down = parse_location(url.replace(f":{cluster.port}/", f":{pgcluster.free_port()}/"))
        down = down.with_workshop(str(loc.workshop_id))
        offline.mirror_path(down).write_bytes(session.mirror_file.read_bytes())
        t = time.perf_counter()
        copy = offline.take_offline_copy(down, folder / "offline.carequal", [])
        copy_s = time.perf_counter() - t
        assert not copy.from_server
    finally:
        cluster.stop()

    result = {
        "evidence": args.evidence,
        "actions": args.actions,
        "window_open_s": round(open_s, 3),
        "mirror_pull_s": round(mirror_s, 3),
        "mirror_mb": round(size_mb, 1),
        "ui_longest_gap_during_mirror_ms": round(max(gaps) * 1000, 1) if gaps else None,
        "ui_ticks_during_mirror": len(ticks),
        "offline_copy_from_mirror_s": round(copy_s, 3),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
