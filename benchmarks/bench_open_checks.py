"""What checking a file from outside costs when it is opened (issue 14).

Run: .venv/bin/python benchmarks/bench_open_checks.py [--runs 5]
Builds the large generated workshop (5,000 evidence items, 500 actions) and times, median
of ``--runs``: the schema check, the value check, ``quick_check`` (every opening) and the
full ``integrity_check`` (only after finishing a save a crash interrupted), and a whole
read-only ``WorkshopService.open``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAREQUAL_DATA_DIR"] = str(Path(tmp) / "data")
        from carequal_desktop.services.generate import generate_large_workshop
        from carequal_desktop.services.workshop import WorkshopService
        from carequal_desktop.store import connection, validate

        path = Path(tmp) / "large.carequal"
        generate_large_workshop(path)
        conn = connection._connect(path, read_only=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            figures = {
                "file MB": round(path.stat().st_size / 1e6, 1),
                "schema check ms": _median_ms(
                    lambda: validate.check_schema(conn, version, connection.SCHEMA_VERSION),
                    args.runs,
                ),
                "value check ms": _median_ms(lambda: validate.check_values(conn), args.runs),
                "quick_check ms": _median_ms(
                    lambda: conn.execute("PRAGMA quick_check").fetchone(), args.runs
                ),
                "integrity_check ms": _median_ms(
                    lambda: conn.execute("PRAGMA integrity_check").fetchone(), args.runs
                ),
            }
        finally:
            conn.close()
        figures["read-only open ms"] = _median_ms(
            lambda: WorkshopService.open(path, read_only=True).close(), args.runs
        )
    for name, value in figures.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
