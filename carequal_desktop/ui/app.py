"""Starting the window: the QApplication, the first screen, and the smoke check."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from carequal_desktop import APP_NAME, ORGANISATION, __version__
from carequal_desktop.errors import UserError
from carequal_desktop.log import log_bug, setup_logging
from carequal_desktop.resources import resource_path


def _application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationVersion(__version__)
    icon = resource_path("icons", "carequal.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    from carequal_desktop.ui.messages import install_link_guard

    install_link_guard(app)
    return app


def excepthook(window: Any = None) -> Any:
    """What an exception escaping a slot does: a bug is logged and explained, never shown
    as a traceback; a server that cannot be reached (a page reading while the network is
    down) is the window's connection line, not a bug."""

    def hook(exc_type, exc, tb):  # type: ignore[no-untyped-def]
        from carequal_desktop.services.offline import is_unreachable
        from carequal_desktop.ui.messages import show_bug

        if window is not None and is_unreachable(exc) and window.server_went_away(exc):
            return
        exc.__traceback__ = tb
        show_bug(log_bug(exc))

    return hook


def _install_excepthook(window: Any = None) -> None:
    sys.excepthook = excepthook(window)


def _check_first_screen(window: Any) -> None:
    """The smoke check's promise: the overview, chart included, has been painted."""
    overview = window.pages.get("overview")
    chart = getattr(overview, "chart", None)
    if chart is None or not chart.isVisible() or chart.paint_count == 0:
        raise RuntimeError("The overview and its chart were not painted.")


def _tour(window: object, out: Path) -> int:
    """``--tour DIR``: 1 if anything is larger than the screen, else 0."""
    from carequal_desktop.ui.tour import run_tour

    result = run_tour(window, out)
    for line in result.lines:
        print(line)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    window.close()  # type: ignore[attr-defined]
    return 1 if result.problems else 0


def run(
    file: Path | str | None = None,
    demo: bool = False,
    smoke: bool = False,
    screenshot: Path | None = None,
    tour: Path | None = None,
) -> int:
    """Show the window (start screen, a file, or the demo); with ``smoke``, paint once and exit.

    ``screenshot`` shows the window at 1366×768, saves a picture of it and exits: for
    machines without a screen and for the documentation.
    """
    setup_logging()
    app = _application()
    from carequal_desktop.ui.main_window import MainWindow

    window = MainWindow()
    if tour is not None:
        return _tour(window, Path(tour))
    if demo:
        from carequal_desktop.services.demo import demo_path

        file = demo_path()
    if isinstance(file, str):  # a server location: postgresql://USER@HOST/DB#WORKSHOP-ID
        from carequal_desktop.ui.server_session import open_location

        open_location(window, file, interactive=not smoke)
    elif file is not None:
        if smoke:
            # No dialogs in a check: a file that cannot be opened is an error exit.
            window.open_workshop_file(Path(file), interactive=False)
        else:
            window.open_workshop_file(Path(file))
    if screenshot is not None:
        window.resize(1366, 768)
        window.show()

        def grab() -> None:
            window.grab().save(str(screenshot))
            app.quit()

        QTimer.singleShot(1500, grab)
        app.exec()
        window.close()
        return 0
    window.show()
    if smoke:
        stamp = os.environ.get("CAREQUAL_PAINT_STAMP")
        window.repaint()  # a complete, synchronous paint of the window
        if stamp:
            # benchmarks/bench_startup.py: wall-clock time of the first complete paint
            print(f"painted {time.time():.6f}", file=sys.stderr, flush=True)
        app.processEvents()  # anything posted during the paint
        if stamp:
            print(f"settled {time.time():.6f}", file=sys.stderr, flush=True)
        try:
            if file is not None and window.service is None:
                shown = file
                if isinstance(file, str):  # never repeat a password typed into an address
                    from carequal_desktop.store.server import masked

                    shown = masked(file)
                raise UserError(f"{shown} could not be opened.")
            if file is not None:
                _check_first_screen(window)
        finally:
            # No app.exec()/quit(): the paint is done, and quitting would leave a shared
            # QApplication (tests, in-process callers) unable to run timers. The window is
            # closed (and its file with it) whether or not the check passed.
            window.close()
            app.processEvents()
        return 0
    _install_excepthook(window)
    # Typing a kill or a full disk kept from an earlier run is offered back once the window shows.
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
