"""The complete first screen on the demo, as a whole process, against a bare PySide6 window.

Run: .venv/bin/python benchmarks/bench_startup.py [--runs 15] [--json OUT]

Each run starts a new process and times it from just before it starts to its exit:
``main.py --smoke --demo`` (opens the demo, paints the overview with its chart, checks the
chart was painted, closes the file and exits) and ``benchmarks/bare_window.py`` (a bare
QMainWindow started and painted the same way). The two are run alternately so that both
see the same load on the machine. The figures are the medians, their ratio, the peak
resident memory of the app's process and the CPU time of each (Linux and macOS; from
``wait4``). The wall-clock time
of the app's first complete paint is reported too. The demo copy is built once before
timing (the first run, which builds it from the bundled JSON, is reported on its own).

Targets (issue 8): median <= 0.9 s, <= 6x the bare window, peak memory <= 150 MB.
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


def run_once(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Start ``cmd``; its time to exit (s), peak memory (MB) and the paint stamp it printed."""
    start = time.time()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak_mb = cpu_s = float("nan")
    if hasattr(os, "wait4"):
        err = proc.stderr.read() if proc.stderr else ""
        _pid, status, usage = os.wait4(proc.pid, 0)
        end = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_bytes = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # Linux: KiB
        peak_mb = peak_bytes / 1e6
        cpu_s = usage.ru_utime + usage.ru_stime
    else:
        _out, err = proc.communicate()
        end = time.time()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {err}")
    stamps = {
        line.split()[0]: float(line.split()[1]) - start
        for line in err.splitlines()
        if line.startswith(("painted ", "settled "))
    }
    return {"exit": end - start, "peak_mb": peak_mb, "cpu": cpu_s, **stamps}


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--app",
        type=Path,
        default=ROOT,
        help="checkout whose main.py to time (to compare versions)",
    )
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="carequal-bench-")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CAREQUAL_DATA_DIR": data,
        "CAREQUAL_PAINT_STAMP": "1",
    }
    app_cmd = [sys.executable, str(args.app.resolve() / "main.py"), "--smoke", "--demo"]
    bare_cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_window.py")]
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cold = run_once(app_cmd, env)  # builds the demo copy from the bundled JSON
    run_once(bare_cmd, env)  # warm the file cache for both
    apps: list[dict[str, float]] = []
    bares: list[dict[str, float]] = []
    for _ in range(args.runs):
        apps.append(run_once(app_cmd, env))
        bares.append(run_once(bare_cmd, env))
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    app_exit = [r["exit"] for r in apps]
    bare_exit = [r["exit"] for r in bares]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "runs": args.runs,
        "app": str(args.app),
        "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        "first_run_building_demo_s": round(cold["exit"], 3),
        "app_start_to_exit_median_s": median(app_exit),
        "app_start_to_exit_min_max_s": [round(min(app_exit), 3), round(max(app_exit), 3)],
        "app_first_screen_painted_median_s": median([r["settled"] for r in apps]),
        "bare_window_start_to_exit_median_s": median(bare_exit),
        "ratio_to_bare": round(statistics.median(app_exit) / statistics.median(bare_exit), 2),
        # CPU time (user + system) hardly changes with the load on the machine, unlike
        # wall-clock time: a check on figures taken while other work was running.
        "app_cpu_median_s": median([r["cpu"] for r in apps]),
        "bare_cpu_median_s": median([r["cpu"] for r in bares]),
        "app_peak_rss_mb": round(max(r["peak_mb"] for r in apps), 1),
        "bare_peak_rss_mb": round(max(r["peak_mb"] for r in bares), 1),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
