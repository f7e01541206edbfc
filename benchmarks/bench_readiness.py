"""Readiness checks and the exports that run them (issue 9).

Run: .venv/bin/python benchmarks/bench_readiness.py [--json out.json]
Targets: ``carequal check`` on the large workshop (5,000 evidence items, 500 actions) within
2 s; export of the demo within 1 s and of the large workshop within 5 s, the personal-data
check included. Each measurement runs in a fresh process:
- ``check_cli_s``: the whole ``carequal check FILE --json`` command, Python start-up included;
- ``check_s``: ``ReadinessService.findings()`` in that process (the rules themselves);
- ``export_s``: the personal-data check plus ``write_position_statement`` with the default
  options, as ``carequal export-docx`` runs them, the first export in the process (python-docx
  and matplotlib loaded on the way, as a facilitator meets it); ``export_again_s`` a second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.services.readiness import ReadinessService
from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement
path, out = Path(sys.argv[1]), Path(sys.argv[2])
service = WorkshopService.open(path, read_only=True)
t = time.perf_counter(); findings = ReadinessService(service).findings()
check = time.perf_counter() - t
def export(name):
    t = time.perf_counter()
    ReadinessService(service).personal_data()
    write_position_statement(service, out / name, ExportOptions())
    return time.perf_counter() - t
first = export("first.docx"); again = export("again.docx")
print(json.dumps({"findings": len(findings), "check_s": round(check, 2),
                  "export_s": round(first, 2), "export_again_s": round(again, 2)}))
"""


def measure(path: Path) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(prefix="carequal-readiness-"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    cli = subprocess.run(
        [sys.executable, "-m", "carequal_desktop", "check", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    cli_s = time.perf_counter() - t
    if cli.returncode != 0:
        raise SystemExit(cli.stderr)
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    return {"check_cli_s": round(cli_s, 2), **json.loads(run.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
    sys.path.insert(0, str(ROOT))
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.generate import generate_large_workshop

    folder = Path(tempfile.mkdtemp(prefix="carequal-bench-files-"))
    demo_doc = json.loads((ROOT / "resources" / "demo" / "demo-workshop.json").read_text("utf-8"))
    demo = import_document(demo_doc, folder / "demo.carequal").path
    large = generate_large_workshop(folder / "large.carequal", 5000, 500)
    result = {
        "load_average": os.getloadavg()[0],
        "demo": measure(demo),
        "large_5000_evidence_500_actions": measure(large),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
