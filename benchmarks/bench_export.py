"""Word export time: the demo (target 2 s) and the large generated workshop (target 10 s).

Run: .venv/bin/python benchmarks/bench_export.py [--json out.json]
Each export runs in a fresh process so the first-export cost (loading python-docx and
matplotlib) is included, as a facilitator would meet it; a second export in the same
process is reported too. CSV exports of the large workshop are timed alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
from carequal_desktop.reports.csv_export import write_evidence_csv, write_plan_csv
from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement
from carequal_desktop.services.workshop import WorkshopService
path, out = Path(sys.argv[1]), Path(sys.argv[2])
service = WorkshopService.open(path, read_only=True)
progress = []
t = time.perf_counter()
write_position_statement(service, out / "first.docx", ExportOptions(),
                         progress=lambda pct, label: progress.append(pct))
first = time.perf_counter() - t
t = time.perf_counter()
write_position_statement(service, out / "second.docx", ExportOptions())
second = time.perf_counter() - t
t = time.perf_counter()
write_plan_csv(service, out / "plan.csv")
write_evidence_csv(service, out / "evidence.csv")
csv_s = time.perf_counter() - t
print(json.dumps({"first_export_s": round(first, 2), "second_export_s": round(second, 2),
                  "csv_both_s": round(csv_s, 2), "progress_updates": len(progress),
                  "docx_kb": round((out / "first.docx").stat().st_size / 1024)}))
"""


def export_times(path: Path) -> dict:
    out = Path(tempfile.mkdtemp(prefix="carequal-export-"))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


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
    result = {"demo": export_times(demo), "large_5000_evidence_500_actions": export_times(large)}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
