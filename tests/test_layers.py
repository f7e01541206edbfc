"""Layers point one way: nothing below ui/ imports Qt, and the start-up path stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "carequal_desktop"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "matplotlib.backends.backend_qtagg")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_below_ui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui":
            continue
        for name in imports_of(path):
            if name.startswith(QT_MODULES):
                offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_domain_imports_no_storage_or_services() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in imports_of(path):
            assert not name.startswith(
                (
                    "sqlmodel",
                    "sqlalchemy",
                    "carequal_desktop.store",
                    "carequal_desktop.services",
                    "carequal_desktop.ui",
                )
            ), (path, name)


def test_store_does_not_reach_up() -> None:
    for path in (PACKAGE / "store").rglob("*.py"):
        for name in imports_of(path):
            assert not name.startswith(
                ("carequal_desktop.services", "carequal_desktop.ui", "carequal_desktop.reports")
            ), (path, name)


def test_services_do_not_import_qt_even_at_run_time() -> None:
    code = (
        "import sys, carequal_desktop.services.workshop, carequal_desktop.services.exchange, "
        "carequal_desktop.services.demo, carequal_desktop.cli;"
        "bad=[m for m in sys.modules if m.startswith(('PySide6','matplotlib','docx'))];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr


def test_opening_the_main_window_does_not_import_docx_or_matplotlib() -> None:
    code = (
        "import os,sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "import carequal_desktop.ui.app, carequal_desktop.ui.main_window;"
        "bad=[m for m in sys.modules if m.startswith(('matplotlib','docx'))];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_whole_first_screen_on_the_demo_needs_no_matplotlib_docx_or_numpy() -> None:
    """``--smoke --demo`` paints the overview, chart included, without the export libraries
    (nor the Word report and export dialog, which are imported when an export is chosen)."""
    code = (
        "import os,sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "from carequal_desktop.cli import main; rc = main(['--smoke', '--demo']);"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('matplotlib','docx','numpy','PIL')"
        "     or m in ('carequal_desktop.reports.position_statement',"
        "              'carequal_desktop.ui.dialogs.export_dialog')];"
        "order=list(sys.modules);"
        "print(rc, bad, order.index('sqlmodel') < order.index('PySide6'),"
        "      order.index('sqlalchemy.dialects.sqlite') < order.index('PySide6'));"
        "raise SystemExit(rc or (1 if bad else 0))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    # The storage layer is imported before PySide6, whose import hook would otherwise read
    # the source of every one of its modules (docs/performance.md).
    assert out.stdout.split() == ["0", "[]", "True", "True"]
