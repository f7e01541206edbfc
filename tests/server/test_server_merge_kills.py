"""A merge into a server workshop killed at any moment leaves it as before or as after.

The merge is one PostgreSQL transaction: a client that dies mid-way (power cut, Task
Manager, a laptop lid) has its transaction rolled back by the server, so colleagues never
see half a merge. Each trial starts from the same server workshop and the same edited
offline copy, so the two allowed states are known exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from carequal_desktop.services import merge as merging
from carequal_desktop.services import server
from carequal_desktop.services.workshop import WorkshopService
from tests.content import content
from tests.server.pgcluster import Cluster

CHILD = """
import sys, time
from carequal_desktop.services import merge, server
service = server.open_server_workshop(sys.argv[1])
print("READY", flush=True)
STARTED = time.monotonic()
merge.merge_file(service, sys.argv[2])
print("MERGED", flush=True)
service.close()
"""


def _state(location: str, cluster: Cluster, database: str, schema: str) -> str:
    service = server.open_server_workshop(location, read_only=True)
    try:
        doc = content(service)
    finally:
        service.close()
    extra = cluster.psql(
        f"SELECT (SELECT count(*) FROM {schema}.merge_log) || '/' || "
        f"(SELECT count(*) FROM {schema}.merge_conflict) || '/' || "
        f"(SELECT coalesce(string_agg(tbl || key || lineages, ',' ORDER BY tbl, key), '') "
        f"FROM {schema}.record_history)",
        database,
    )
    return hashlib.sha256(json.dumps([doc, extra], sort_keys=True).encode()).hexdigest()


def _reset(cluster: Cluster, database: str, schema: str, pristine: Path, url: str) -> None:
    cluster.psql(
        f"DROP SCHEMA {schema} CASCADE; DELETE FROM carequal.workshop WHERE schema_name = "
        f"'{schema}'",
        database,
    )
    server.push(pristine, url)


def test_a_merge_killed_at_any_moment_is_all_or_nothing(
    server_url: str, tmp_path: Path, cluster: Cluster, database: str
) -> None:
    pristine = tmp_path / "Original.carequal"
    s = WorkshopService.create(pristine, title="Glenmuir", partnership="Glenmuir partnership")
    for n in range(150):
        s.add_evidence(f"Audit {n}", "record_reading", indicators=["1.1"], description="Start")
    s.close()
    loc = server.push(pristine, server_url)
    copy = server.pull(loc, tmp_path / "laptop.carequal")
    offline = WorkshopService.open(copy)
    try:
        for n, item in enumerate(offline.evidence()):
            offline.update_evidence(item.id, description=f"Read again offline ({n}).")
        offline.update_evaluation("1.1", how_good_now="Offline words.")
    finally:
        offline.close()
    # The server's own edits since the copy was taken, kept in the pristine file for resets.
    on_server = server.open_server_workshop(loc)
    try:
        on_server.update_evaluation("1.1", how_good_now="Server words.")
    finally:
        on_server.close()
    pristine_now = server.pull(loc, tmp_path / "pristine-now.carequal")
    before = _state(loc.display, cluster, database, loc.schema)
    # One merge to the end, in a child as the trials run it: the state after, and how long
    # a merge takes there (from READY to MERGED), to spread the kills over.
    timed = CHILD + "print(time.monotonic() - STARTED, flush=True)"
    done = subprocess.run(
        [sys.executable, "-c", timed, loc.display, str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["READY", "MERGED"]
    merge_seconds = float(done.stdout.split()[2])
    after = _state(loc.display, cluster, database, loc.schema)
    assert before != after
    service = server.open_server_workshop(loc)
    try:
        assert len(merging.open_conflicts(service)) == 1
        assert service.evaluation("1.1").how_good_now == "Server words."
        assert {e.description for e in service.evidence()} != {"Start"}
    finally:
        service.close()

    rng = random.Random(11)
    seen = {"before": 0, "after": 0}
    env = dict(os.environ)
    for _trial in range(8):
        _reset(cluster, database, loc.schema, pristine_now, server_url)
        assert _state(loc.display, cluster, database, loc.schema) == before
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, loc.display, str(copy)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        time.sleep(rng.uniform(0, merge_seconds * 1.3))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        # The server notices the dead client and rolls its transaction back.
        deadline = time.monotonic() + 10
        while (
            cluster.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'CareQual-%' "
                "AND state <> 'idle'",
                database,
            )
            != "0"
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        found = _state(loc.display, cluster, database, loc.schema)
        assert found in (before, after)
        seen["before" if found == before else "after"] += 1
    assert seen["before"] + seen["after"] == 8
