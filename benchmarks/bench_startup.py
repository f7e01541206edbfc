"""Process start to the main window painted on the demo, against a bare PySide6 window.

Run: .venv/bin/python benchmarks/bench_startup.py [--runs 15]
Each run is a new process (``main.py --smoke --demo``) that prints the wall-clock time of
its first complete paint; the figure is that time minus the moment before the process
was started. The overview's chart is drawn just after the first paint (matplotlib is
imported then); the time until it is drawn is reported too. The demo copy is built once
before timing (a first run builds it from JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_to_paint(cmd: list[str], env: dict[str, str], what: str = "painted") -> float:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed: {out.stderr}")
    stamp = next(line for line in out.stderr.splitlines() if line.startswith(what + " "))
    return float(stamp.split()[1]) - start


def time_both(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed: {out.stderr}")
    stamps = dict(
        line.split()
        for line in out.stderr.splitlines()
        if line.startswith(("painted ", "settled "))
    )
    return float(stamps["painted"]) - start, float(stamps["settled"]) - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="carequal-bench-")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CAREQUAL_DATA_DIR": data,
        "CAREQUAL_PAINT_STAMP": "1",
    }
    app_cmd = [sys.executable, "main.py", "--smoke", "--demo"]
    bare_cmd = [sys.executable, "benchmarks/bare_window.py"]
    cold = time_to_paint(app_cmd, env)  # builds the demo copy
    app_times, settled_times, bare_times = [], [], []
    for _ in range(args.runs):
        painted, settled = time_both(app_cmd, env)
        app_times.append(painted)
        settled_times.append(settled)
        bare_times.append(time_to_paint(bare_cmd, env))
    result = {
        "runs": args.runs,
        "first_run_building_demo_s": round(cold, 3),
        "app_median_s": round(statistics.median(app_times), 3),
        "app_min_s": round(min(app_times), 3),
        "app_max_s": round(max(app_times), 3),
        "app_with_overview_chart_drawn_median_s": round(statistics.median(settled_times), 3),
        "bare_median_s": round(statistics.median(bare_times), 3),
        "ratio_to_bare": round(statistics.median(app_times) / statistics.median(bare_times), 2),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
