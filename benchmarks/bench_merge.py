"""Merging two copies of the large workshop (5,000 evidence items, 500 actions).

Run: .venv/bin/python benchmarks/bench_merge.py [--cycles 3] [--json out.json]

Each cycle: the facilitator's file and an agency's copy (a byte-for-byte copy, as Explorer
or a USB stick makes) each get 500 records changed through the service (evidence
descriptions and titles, action tasks; about one in ten changed on both sides, some of
them the same field, so there are conflicts), then the copy is merged into the file, the
conflicts are decided, and the file is merged back into the copy so both hold the same.
Measured: the merge time (target: within 3 s) and how much the file grows per cycle
(target: under 20%), cycle after cycle.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def edit(path: Path, seed: int, shared: list[str], label: str) -> None:
    """Change 500 records: 450 evidence items and 50 actions, 50 of them from ``shared``."""
    from carequal_desktop.services.workshop import WorkshopService

    rng = random.Random(seed)
    service = WorkshopService.open(path)
    try:
        evidence = [e.id for e in service.evidence()]
        actions = [a.id for a in service.actions()]
        own = [e for e in rng.sample(evidence, 450) if e not in shared][:400]
        for n, eid in enumerate([*shared, *own]):
            if n % 2:
                service.update_evidence(eid, description=f"Described by {label}, edit {seed}.{n}")
            else:
                service.update_evidence(eid, title=f"Title by {label} {seed}.{n}")
        for n, aid in enumerate(rng.sample(actions, 50)):
            service.update_action(aid, task=f"Task set by {label} {seed}.{n}")
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evidence", type=int, default=5000)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from carequal_desktop.services import merge as merging
    from carequal_desktop.services.generate import generate_large_workshop
    from carequal_desktop.services.workshop import WorkshopService

    folder = Path(tempfile.mkdtemp(prefix="carequal-merge-bench-"))
    main_file = generate_large_workshop(folder / "Large.carequal", args.evidence, args.actions)
    copy = folder / "Agency copy.carequal"
    shutil.copy(main_file, copy)
    start_size = main_file.stat().st_size
    cycles = []
    for cycle in range(1, args.cycles + 1):
        before = main_file.stat().st_size
        service = WorkshopService.open(main_file, read_only=True)
        ids = [e.id for e in service.evidence()]
        service.close()
        shared = random.Random(cycle).sample(ids, 50)
        edit(main_file, 100 + cycle, shared, "the facilitator")
        edit(copy, 200 + cycle, shared, "the agency")
        edited = main_file.stat().st_size

        service = WorkshopService.open(main_file)
        t = time.perf_counter()
        report = merging.merge_file(service, copy)
        merge_s = time.perf_counter() - t
        for c in report.conflicts:
            merging.resolve(service, c.id, "theirs" if c.id % 2 else "ours")
        service.close()

        other = WorkshopService.open(copy)
        t = time.perf_counter()
        back = merging.merge_file(other, main_file)
        back_s = time.perf_counter() - t
        other.close()
        after = main_file.stat().st_size
        cycles.append(
            {
                "cycle": cycle,
                "merge_s": round(merge_s, 2),
                "merge_back_s": round(back_s, 2),
                "changes_taken": report.changes_taken,
                "conflicts": len(report.conflicts),
                "conflicts_on_merging_back": len(back.conflicts),
                "file_mb_before_cycle": round(before / 1e6, 2),
                "file_mb_after_edits": round(edited / 1e6, 2),
                "file_mb_after_merge": round(after / 1e6, 2),
                "growth_per_cycle_percent": round(100 * (after - before) / before, 1),
                "growth_from_the_merge_percent": round(100 * (after - edited) / edited, 1),
            }
        )
        print(json.dumps(cycles[-1]), flush=True)
    result = {
        "evidence": args.evidence,
        "actions": args.actions,
        "records_changed_per_copy_per_cycle": 500,
        "start_file_mb": round(start_size / 1e6, 2),
        "cycles": cycles,
        "worst_merge_s": max(c["merge_s"] for c in cycles),
        "worst_growth_per_cycle_percent": max(c["growth_per_cycle_percent"] for c in cycles),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
