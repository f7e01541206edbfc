"""``--tour DIR`` on small screens: every page, the facilitation mode and every main dialog
fits a 1024×768 projector and a 1366×768 laptop at 150%, with no sideways scrolling.

Each tour runs in its own process on Qt's offscreen platform given a screen of that size,
so no display is needed (CI runs it as it is).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def tour(
    tmp_path: Path, width: int, height: int, scale: str = "1"
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "room",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR=scale,
        CAREQUAL_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--demo", "--tour", str(tmp_path / "shots")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(1024, 768, "1"), (1024, 720, "1"), (1366, 768, "1.5"), (1366, 768, "1")],
    ids=["projector-1024x768", "1024x720", "laptop-at-150", "laptop"],
)
def test_every_screen_fits(tmp_path: Path, width: int, height: int, scale: str) -> None:
    result = tour(tmp_path, width, height, scale)
    assert result.returncode == 0, result.stdout + result.stderr
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    for expected in (
        "page-overview.png",
        "page-evidence-register.png",
        "page-improvement-plan.png",
        "page-indicator.png",
        "dialog-action.png",
        "dialog-evidence.png",
        "dialog-export.png",
        "facilitation-mode.png",
    ):
        assert expected in shots
    assert "FAIL" not in result.stdout


def test_the_tour_fails_on_a_screen_too_small(tmp_path: Path) -> None:
    result = tour(tmp_path, 560, 380)
    assert result.returncode == 1
    assert "larger than the screen" in result.stderr
