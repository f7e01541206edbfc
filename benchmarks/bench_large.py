"""The large generated workshop (22 indicators, 5,000 evidence items, 500 actions) in the window.

Run: .venv/bin/python benchmarks/bench_large.py [--json out.json]
Measures, in one fresh process on the real window (offscreen):
- open: from asking the window to open the file to the first page painted;
- switching indicator pages: each of the 22 pages shown and painted, twice round;
- filtering the evidence register: typing a search, choosing a kind, an indicator;
- peak memory (maximum resident set size) of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evidence", type=int, default=5000)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from carequal_desktop.services.generate import generate_large_workshop

    folder = Path(tempfile.mkdtemp(prefix="carequal-large-"))
    t = time.perf_counter()
    path = generate_large_workshop(folder / "Large.carequal", args.evidence, args.actions)
    generate_s = time.perf_counter() - t

    from PySide6.QtWidgets import QApplication

    from carequal_desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()

    def painted() -> None:
        window.repaint()
        app.processEvents()

    t = time.perf_counter()
    assert window.open_workshop_file(path, interactive=False)
    painted()
    open_s = time.perf_counter() - t

    codes = [ind.code for ind in window.service.framework().indicators]
    window.show_indicator(codes[0])
    painted()
    switch_ms = []
    for _ in range(2):
        for code in codes[1:] + codes[:1]:
            t = time.perf_counter()
            window.show_indicator(code)
            painted()
            switch_ms.append((time.perf_counter() - t) * 1000)

    t = time.perf_counter()
    window.show_page("evidence")
    painted()
    register_open_ms = (time.perf_counter() - t) * 1000
    page = window._page("evidence")
    filter_ms: dict[str, float] = {}

    def timed(name: str, action) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        action()
        painted()
        filter_ms[name] = round((time.perf_counter() - t0) * 1000, 1)

    timed("search 'Cairnbridge'", lambda: page.search_edit.setText("Cairnbridge"))
    shown_search = page.proxy.rowCount() if hasattr(page, "proxy") else None
    timed("clear search", lambda: page.search_edit.setText(""))
    timed(
        "kind = record reading",
        lambda: page.kind_combo.setCurrentIndex(page.kind_combo.findText("Record reading")),
    )
    timed(
        "indicator = 5.2",
        lambda: page.indicator_combo.setCurrentIndex(
            next(
                i
                for i in range(page.indicator_combo.count())
                if page.indicator_combo.itemText(i).startswith("5.2")
            )
        ),
    )
    timed("clear filters", page.clear_filters)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "evidence": args.evidence,
        "actions": args.actions,
        "generate_file_s": round(generate_s, 2),
        "file_size_mb": round(path.stat().st_size / 1e6, 1),
        "open_to_painted_s": round(open_s, 3),
        "switch_indicator_ms_median": round(statistics.median(switch_ms), 1),
        "switch_indicator_ms_max": round(max(switch_ms), 1),
        "evidence_register_first_open_ms": round(register_open_ms, 1),
        "filter_ms": filter_ms,
        "filter_ms_max": max(filter_ms.values()),
        "search_rows_shown": shown_search,
        "peak_memory_mb": round(peak_mb, 1),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    window.close()


if __name__ == "__main__":
    main()
