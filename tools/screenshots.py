"""Screenshots of every screen at 1366x768 on the demo workshop, for looking and for docs.

Run: xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots.py OUTDIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-shots-"))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from carequal_desktop.services.demo import demo_path  # noqa: E402
from carequal_desktop.ui.main_window import MainWindow  # noqa: E402

SHOTS = [
    ("start-screen", None),
    ("overview", ("page", "overview")),
    ("indicator-page", ("indicator", "5.2")),
    ("indicator-page-lower", ("scroll", "5.2")),
    ("team", ("page", "team")),
    ("evidence-register", ("page", "evidence")),
    ("improvement-plan", ("page", "plan")),
]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    steps = list(SHOTS)

    def next_shot() -> None:
        if not steps:
            window.close()
            app.quit()
            return
        name, what = steps.pop(0)
        if what is None:
            pass
        elif window.service is None:
            window.open_workshop_file(demo_path(), interactive=False)
        if what and what[0] == "page":
            window.show_page(what[1])
        elif what and what[0] in ("indicator", "scroll"):
            window.show_indicator(what[1])
            page = window.indicator_page if hasattr(window, "indicator_page") else None
            if what[0] == "scroll" and page is not None:
                from PySide6.QtWidgets import QScrollArea

                for area in page.findChildren(QScrollArea):
                    bar = area.verticalScrollBar()
                    bar.setValue(bar.maximum())
        QTimer.singleShot(900, lambda: (window.grab().save(str(out / f"{name}.png")), next_shot()))

    QTimer.singleShot(300, next_shot)
    app.exec()


if __name__ == "__main__":
    main()
