"""The large workshop on a PostgreSQL server on this machine: push, open, reads, pull.

Run: .venv/bin/python benchmarks/bench_server.py [--json out.json]
Starts a throwaway cluster (as the tests do), generates the large workshop (5,000
evidence items, 500 actions), then times: push; opening it from the server as a service
(first read done); the reads an indicator page makes (evaluation, linked evidence and
actions), median and slowest over the 22 indicators, twice round; one autosave-sized edit;
the time until a second client's listener sees an edit; pull of an offline copy; then,
with 500 records changed on the server and 500 in the offline copy (50 of them the same
field, so there are conflicts), merging the copy back (``carequal merge LOCATION FILE``).
The cluster is stopped and deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CAREQUAL_DATA_DIR", tempfile.mkdtemp(prefix="carequal-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _merge_back(loc: object, copy: Path) -> tuple[float, int, int]:
    """500 records changed on each side (50 fields on both), then the copy merged back."""
    import random

    from carequal_desktop.services import merge, server
    from carequal_desktop.services.workshop import WorkshopService

    rng = random.Random(12)
    on_server = server.open_server_workshop(loc)  # type: ignore[arg-type]
    offline = WorkshopService.open(copy)
    try:
        ids = [e.id for e in on_server.evidence()]
        both = rng.sample(ids, 50)
        rest = [i for i in ids if i not in both]
        rng.shuffle(rest)
        for n, eid in enumerate(both + rest[:450]):
            on_server.update_evidence(eid, description=f"Changed on the server ({n}).")
        for n, eid in enumerate(both + rest[450:900]):
            offline.update_evidence(eid, description=f"Changed offline ({n}).")
    finally:
        on_server.close()
        offline.close()
    t = time.perf_counter()
    report = merge.merge_paths(loc.display, copy)  # type: ignore[attr-defined]
    return time.perf_counter() - t, report.changes_taken, len(report.conflicts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evidence", type=int, default=5000)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from carequal_desktop.services import server
    from carequal_desktop.services.generate import generate_large_workshop
    from carequal_desktop.store.server import init_server, parse_location
    from tests.server import pgcluster

    cluster = pgcluster.start()
    try:
        cluster.psql("CREATE DATABASE bench")
        url = cluster.url(database="bench")
        init_server(parse_location(url))
        folder = Path(tempfile.mkdtemp(prefix="carequal-large-"))
        path = generate_large_workshop(folder / "Large.carequal", args.evidence, args.actions)

        t = time.perf_counter()
        loc = server.push(path, url)
        push_s = time.perf_counter() - t

        t = time.perf_counter()
        service = server.open_server_workshop(loc)
        codes = [ind.code for ind in service.framework().indicators]
        service.overview()
        open_s = time.perf_counter() - t

        switches = []
        for _ in range(2):
            for code in codes:
                t = time.perf_counter()
                service.evaluation(code)
                service.evidence_for_indicator(code)
                service.actions_for_indicator(code)
                switches.append(time.perf_counter() - t)

        saves = []
        for i in range(20):
            t = time.perf_counter()
            service.update_evaluation("5.2", how_good_now=f"Typing {i}")
            saves.append(time.perf_counter() - t)

        t = time.perf_counter()
        service.evidence()
        register_s = time.perf_counter() - t

        # Another client sees a change: from the edit's call to its notice polled by a
        # second client (polling every 10 ms, as a timer in the window would).
        from carequal_desktop.services.live import ChangeListener

        other = server.open_server_workshop(loc)
        assert other.db.server is not None
        listener = ChangeListener(other.db.server)
        listener.start()
        seen_after = []
        for i in range(20):
            t = time.perf_counter()
            service.update_evaluation("9.1", how_good_now=f"Edit {i}")
            while not listener.poll():
                time.sleep(0.01)
            seen_after.append(time.perf_counter() - t)
        listener.close()
        other.close()
        service.close()

        t = time.perf_counter()
        copy = server.pull(loc, folder / "copy.carequal")
        pull_s = time.perf_counter() - t

        merge_s, taken, conflicts = _merge_back(loc, copy)
    finally:
        cluster.stop()

    result = {
        "evidence": args.evidence,
        "actions": args.actions,
        "push_s": round(push_s, 3),
        "open_s": round(open_s, 3),
        "indicator_reads_median_ms": round(statistics.median(switches) * 1000, 1),
        "indicator_reads_max_ms": round(max(switches) * 1000, 1),
        "autosave_median_ms": round(statistics.median(saves) * 1000, 1),
        "whole_register_s": round(register_s, 3),
        "other_client_sees_change_median_ms": round(statistics.median(seen_after) * 1000, 1),
        "other_client_sees_change_max_ms": round(max(seen_after) * 1000, 1),
        "pull_s": round(pull_s, 3),
        "merge_back_s": round(merge_s, 3),
        "merge_back_changes_taken": taken,
        "merge_back_conflicts": conflicts,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
