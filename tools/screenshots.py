"""Screenshots for the README and docs, from the tour (``main.py --demo --tour``).

Run: xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots.py docs/screenshots
(add ``QT_SCALE_FACTOR=1.5`` or a 1024x768 screen to see the projector and 150% layouts).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-shots-"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from carequal_desktop.ui.main_window import MainWindow  # noqa: E402
from carequal_desktop.ui.tour import run_tour  # noqa: E402

# tour picture -> the name the docs use
DOC_NAMES = {
    "start-screen": "start-screen",
    "page-overview": "overview",
    "page-indicator": "indicator-page",
    "page-workshop-and-team": "team-page",
    "page-evidence-register": "evidence-register",
    "page-improvement-plan": "improvement-plan",
    "facilitation-mode": "facilitation-mode",
}


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    with tempfile.TemporaryDirectory() as folder:
        result = run_tour(window, Path(folder))
        for shot in result.shots:
            name = DOC_NAMES.get(shot.stem)
            if name:
                shutil.copyfile(shot, out / f"{name}.png")
    window.close()
    app.processEvents()
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
