"""The report's chart images: drawn once per content, prepared early, font list kept when frozen."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from PIL import Image

from carequal_desktop.reports import chart_images
from carequal_desktop.reports.position_statement import (
    ExportOptions,
    build_statement,
    draw_charts,
    prepare_export,
    write_position_statement,
)
from tests.conftest import REPO


def small_figure(label: str) -> Figure:
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().set_title(label)
    return figure


def test_a_chart_is_drawn_once_for_the_same_content() -> None:
    chart_images.clear_cache()
    drawn: list[str] = []

    def draw(label: str) -> Callable[[], Figure]:
        def make() -> Figure:
            drawn.append(label)
            return small_figure(label)

        return make

    first = chart_images.png("test", ("A", 1), draw("A"))
    again = chart_images.png("test", ("A", 1), draw("A"))
    other = chart_images.png("test", ("B", 1), draw("B"))
    assert first.startswith(b"\x89PNG") and again == first and other != first
    assert drawn == ["A", "B"]
    assert chart_images.cached_count() == 2
    # The same content under another kind of chart is another image.
    chart_images.png("other kind", ("A", 1), draw("A"))
    assert drawn == ["A", "B", "A"]


def test_the_document_uses_the_charts_prepared_while_the_window_was_open(
    demo_service: Any, tmp_path: Path
) -> None:
    model = build_statement(demo_service, ExportOptions())
    chart_images.clear_cache()
    prepare_export(model)  # as the export window does once it has opened
    chart_images.wait_until_ready()
    assert chart_images.cached_count() == 3  # grades, previous against now, triangulation
    prepared = set(draw_charts(model))
    assert len(prepared) == 3 and chart_images.cached_count() == 3  # found, not drawn again

    target = tmp_path / "statement.docx"
    write_position_statement(demo_service, target, ExportOptions())
    assert chart_images.cached_count() == 3  # nothing new was drawn
    with zipfile.ZipFile(target) as z:
        media = {z.read(n) for n in z.namelist() if n.startswith("word/media/")}
    assert media == prepared
    for png in media:
        # 150 dpi at the 6.5 inches (16.5 cm) the pictures are placed at.
        image = Image.open(io.BytesIO(png))
        assert image.size[0] == 975 and image.mode == "RGB"  # opaque: no alpha to store


def test_changed_grades_draw_a_new_chart(demo_service: Any) -> None:
    chart_images.clear_cache()
    draw_charts(build_statement(demo_service, ExportOptions()))
    before = chart_images.cached_count()
    code = demo_service.framework().indicators[0].code
    grade = demo_service.evaluation(code).grade
    demo_service.update_evaluation(code, grade=2 if grade != 2 else 3)
    draw_charts(build_statement(demo_service, ExportOptions()))
    # The grades chart and the previous-against-now chart change; the triangulation does not.
    assert chart_images.cached_count() == before + 2


def test_a_failed_preparation_is_left_for_the_export_to_report() -> None:
    def broken() -> None:
        raise ValueError("no chart")

    chart_images.prepare_in_background(broken)
    chart_images.wait_until_ready()  # no error here: the export draws again and reports


def test_the_frozen_app_keeps_matplotlib_font_list_between_runs(tmp_path: Path) -> None:
    # PyInstaller's start-up hook points matplotlib at a new temporary folder on every run.
    code = (
        "import os, sys, tempfile; sys.frozen = True;"
        "os.environ['MPLCONFIGDIR'] = tempfile.mkdtemp();"
        "from carequal_desktop.reports import chart_images; chart_images.configure();"
        "import matplotlib; print(matplotlib.get_cachedir())"
    )
    data = tmp_path / "data"
    env = {**os.environ, "CAREQUAL_DATA_DIR": str(data)}
    env.pop("MPLCONFIGDIR", None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert out.returncode == 0, out.stderr
    kept = data / "matplotlib"
    assert Path(out.stdout.strip()) == kept
    assert list(kept.glob("fontlist-*.json"))  # found again by the next run
