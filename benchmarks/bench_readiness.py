"""Readiness checks and the exports that run them (issue 9).

Run: .venv/bin/python benchmarks/bench_readiness.py [--runs 5] [--json out.json] [--app DIR]
(``--app`` times another checkout's code, e.g. main for a "before", with this script).
Targets: ``carequal check`` on the large workshop (5,000 evidence items, 500 actions) within
2 s; export of the demo within 1 s and of the large workshop within 5 s, the personal-data
check included. Every measurement runs in a fresh process, ``--runs`` times; the figures
are medians, with the CPU time (user + system) beside the wall-clock time, because the
development machine is shared and its load moves wall-clock times a great deal:

- ``check_cli``: the whole ``carequal check FILE --json`` command, Python start-up included;
  ``check``: ``ReadinessService.findings()`` in a process (the rules themselves);
- ``export``: the personal-data check plus ``write_position_statement`` with the default
  options, as ``carequal export-docx`` runs them: the first export in the process (python-docx
  and matplotlib imported on the way, every chart drawn); ``export_again`` a second one in
  the same process (charts unchanged, so found in the cache);
- ``export_prepared``: the first export in a process after the export window's preparation
  (``prepare_export``: imports and charts on a background thread while the window is read),
  i.e. from pressing Export to the document written; ``prepare`` how long that preparation
  took, from the window opening;
- ``export_cli``: the whole ``carequal export-docx FILE OUT --force`` command, Python start-up,
  opening the file and the check included (CPU time from ``wait4``).
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.services.readiness import ReadinessService
from carequal_desktop.reports.position_statement import (
    ExportOptions, build_statement, write_position_statement)
path, out, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
service = WorkshopService.open(path, read_only=True)

def timed(job):
    wall, cpu = time.perf_counter(), time.process_time()
    job()
    return time.perf_counter() - wall, time.process_time() - cpu

def export(name):
    ReadinessService(service).personal_data()
    write_position_statement(service, out / name, ExportOptions(), overwrite=True)

result = {}
if mode == "plain":
    result["check"], _ = timed(lambda: ReadinessService(service).findings())
    result["export"], result["export_cpu"] = timed(lambda: export("first.docx"))
    result["export_again"], result["export_again_cpu"] = timed(lambda: export("again.docx"))
else:  # the export window: the model for the word counts, then the preparation
    from carequal_desktop.reports.position_statement import prepare_export
    from carequal_desktop.reports import chart_images
    def prepare():
        prepare_export(build_statement(service, ExportOptions()))
        chart_images.wait_until_ready()  # the facilitator reads the counts meanwhile
    result["prepare"], _ = timed(prepare)
    result["export_prepared"], result["export_prepared_cpu"] = timed(
        lambda: export("prepared.docx"))
print(json.dumps({k: round(v, 3) for k, v in result.items()}))
"""

GENERATE = r"""
import json, sys
from pathlib import Path
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.generate import generate_large_workshop
folder = Path(sys.argv[1])
demo = Path("resources/demo/demo-workshop.json")  # the measured version's own demo
import_document(json.loads(demo.read_text("utf-8")), folder / "demo.carequal")
generate_large_workshop(folder / "large.carequal", 5000, 500)
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run ``cmd``; its standard output, wall-clock time and CPU time (user + system)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=env["PYTHONPATH"], stdout=out, stderr=err)
        if hasattr(os, "wait4"):
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
        else:
            proc.wait()
            cpu = float("nan")
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed ({proc.returncode}): {err.read()}")
        return out.read(), wall, cpu


def measure(path: Path, runs: int, app: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="carequal-readiness-"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(app)}
    # Versions before the export window's preparation have only the plain export.
    window = (app / "carequal_desktop" / "reports" / "chart_images.py").is_file()
    python = [sys.executable]
    samples: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        samples.setdefault(key, []).append(value)

    findings = 0
    for _ in range(runs):
        stdout, wall, cpu = run(
            [*python, "-m", "carequal_desktop", "check", str(path), "--json"], env
        )
        findings = len(json.loads(stdout))
        add("check_cli_s", wall)
        add("check_cli_cpu_s", cpu)
        for mode in ("plain", "window") if window else ("plain",):
            stdout, _wall, _cpu = run([*python, "-c", CHILD, str(path), str(out), mode], env)
            for key, value in json.loads(stdout.strip().splitlines()[-1]).items():
                add(f"{key}_s", value)
        _out, wall, cpu = run(
            [*python, "-m", "carequal_desktop", "export-docx", str(path), str(out / "cli.docx")]
            + ["--force"],
            env,
        )
        add("export_cli_s", wall)
        add("export_cli_cpu_s", cpu)
    result: dict[str, Any] = {"findings": findings, "runs": runs}
    for key, values in samples.items():
        result[key] = round(statistics.median(values), 3)
        result[key.removesuffix("_s") + "_range"] = f"{min(values):.2f}-{max(values):.2f} s"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measurement")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--app", type=Path, default=ROOT, help="measure another checkout (e.g. main, for before)"
    )
    args = parser.parse_args()
    os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
    app = args.app.resolve()
    # The workshops are made by the measured version's own code: an older version cannot
    # open a file of a newer schema.
    folder = Path(tempfile.mkdtemp(prefix="carequal-bench-files-"))
    env = {**os.environ, "PYTHONPATH": str(app)}
    run([sys.executable, "-c", GENERATE, str(folder)], env)
    demo, large = folder / "demo.carequal", folder / "large.carequal"
    result = {
        "load_average_before": os.getloadavg()[0],
        "app": str(app),
        "demo": measure(demo, args.runs, app),
        "large_5000_evidence_500_actions": measure(large, args.runs, app),
        "load_average_after": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
