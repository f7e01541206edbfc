"""Power cut at any moment: kill a process that is editing a workshop, then check the file.

    python tools/fault_injection.py --trials 200             # the full run (a few minutes)
    python tools/fault_injection.py --trials 20 --seed 7     # a short one, as the tests do

Each trial starts ``tools/fault_injection_child.py``, which opens the workshop through
``WorkshopService`` (the calls the window makes) and edits it without pause: narrative text,
grades, statuses, strengths, evidence, actions and their deletions, workshop details. After
each call returns it prints ``COMMITTED <n> <digest>`` (flushed). The parent kills it with
SIGKILL (``TerminateProcess`` on Windows) after a random, seeded delay, then checks:

1. ``WorkshopService.open()`` opens the file, as the window would: it must roll back a save
   the kill interrupted and see the killed child's lock as stale;
2. ``PRAGMA integrity_check`` is ``ok``;
3. the file holds exactly the state after the last edit reported committed, or after the
   one that was in flight when the kill came (which may or may not have been saved).

Results and how to read them: docs/reliability.md.

The edits are a deterministic script: edit ``n`` is chosen from ``(seed, n)`` and the state
before it, and every edit leaves a marker ("edit 17") that can be read back, so the parent
knows the whole expected state, including deletions and overwritten fields. One workshop
file carries on from trial to trial, so it grows as it would over a workshop day.

A SIGKILL stops the process but not the operating system: what was handed to the OS is
still written. That is what this proves (every committed transaction survives, none is
half-applied). Surviving the machine losing power also needs the data on the disk itself;
``synchronous=FULL`` makes SQLite fsync before each commit returns, which is the
operating system's promise and is not tested here.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CHILD = Path(__file__).resolve().parent / "fault_injection_child.py"
MARKER = re.compile(r"^edit (\d+)$")
NARRATIVE_LIMIT = 3000

OPS = (
    ("narrative", 25),
    ("grade", 8),
    ("status", 8),
    ("add_item", 12),
    ("delete_item", 4),
    ("add_evidence", 12),
    ("update_evidence", 8),
    ("delete_evidence", 4),
    ("add_action", 8),
    ("update_action", 6),
    ("delete_action", 3),
    ("details", 4),
)

# --------------------------------------------------------------------------- the script
# A model is plain JSON: what the edits have made of the parts of the file they touch.


def read_model(service: Any) -> dict[str, Any]:
    """The parts of an open workshop that the scripted edits change, as plain data."""
    fw = service.framework()
    codes = [ind.code for ind in fw.indicators][:4]
    model: dict[str, Any] = {
        "codes": codes,
        "grades": sorted(level.value for level in fw.scale),
        "context": service.details().context,
        "narrative": {},
        "grade": {},
        "status": {},
        "items": {},
        "evidence": {},
        "actions": {},
    }
    for code in codes:
        ev = service.evaluation(code)
        model["narrative"][code] = ev.how_good_now
        model["grade"][code] = ev.grade
        model["status"][code] = ev.status
        for kind, items in (
            ("strength", ev.strengths),
            ("area_for_improvement", ev.areas_for_improvement),
        ):
            for item in items:
                m = MARKER.match(item.text)
                if m:
                    model["items"][m.group(1)] = [code, kind]
    for e in service.evidence():
        m = MARKER.match(e.title)
        if m:
            model["evidence"][m.group(1)] = e.description
    for a in service.actions():
        m = MARKER.match(a.task)
        if m:
            model["actions"][m.group(1)] = a.status
    return model


def plan(model: dict[str, Any], n: int, seed: int) -> dict[str, Any]:
    """Edit number ``n``: what it does, decided by the seed, ``n`` and the state before it."""
    rng = random.Random(f"{seed}/{n}")
    names = [name for name, _ in OPS]
    weights = [w for _, w in OPS]
    name = rng.choices(names, weights)[0]
    code = rng.choice(model["codes"])
    targets = {
        "delete_item": "items",
        "update_evidence": "evidence",
        "delete_evidence": "evidence",
        "update_action": "actions",
        "delete_action": "actions",
    }
    if name in targets:
        pool = sorted(model[targets[name]], key=int)
        if not pool:
            name = {"items": "add_item", "evidence": "add_evidence", "actions": "add_action"}[
                targets[name]
            ]
        else:
            return {"n": n, "op": name, "marker": rng.choice(pool), "code": code}
    op: dict[str, Any] = {"n": n, "op": name, "code": code}
    if name == "narrative":
        text = f"{model['narrative'][code]} [edit {n}]".strip()
        op["text"] = text if len(text) <= NARRATIVE_LIMIT else f"[edit {n}]"
    elif name == "grade":
        op["grade"] = rng.choice([None, *model["grades"]])
    elif name == "status":
        op["status"] = rng.choice(["not_started", "in_progress", "agreed"])
    elif name == "add_item":
        op["kind"] = rng.choice(["strength", "area_for_improvement"])
    elif name == "add_evidence":
        op["kind"] = rng.choice(["staff_survey", "record_reading", "document", "observation"])
    elif name == "add_action":
        op["statement"] = rng.choice([1, 2, 3, 4])
    return op


def digest(op: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(op, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def apply(model: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """The model after ``op``."""
    m = copy.deepcopy(model)
    n, name, code = str(op["n"]), op["op"], op["code"]
    if name == "narrative":
        m["narrative"][code] = op["text"]
    elif name == "grade":
        m["grade"][code] = op["grade"]
    elif name == "status":
        m["status"][code] = op["status"]
    elif name == "add_item":
        m["items"][n] = [code, op["kind"]]
    elif name == "delete_item":
        del m["items"][op["marker"]]
    elif name == "add_evidence":
        m["evidence"][n] = ""
    elif name == "update_evidence":
        m["evidence"][op["marker"]] = f"updated by edit {n}"
    elif name == "delete_evidence":
        del m["evidence"][op["marker"]]
    elif name == "add_action":
        m["actions"][n] = "not_started"
    elif name == "update_action":
        m["actions"][op["marker"]] = ["not_started", "in_progress", "complete", "dropped"][
            int(n) % 4
        ]
    elif name == "delete_action":
        del m["actions"][op["marker"]]
    elif name == "details":
        m["context"] = f"edit {n}"
    return m


def perform(service: Any, op: dict[str, Any]) -> None:
    """Make the edit through the same service calls the window uses."""
    n, name, code = op["n"], op["op"], op["code"]
    if name == "narrative":
        service.update_evaluation(code, how_good_now=op["text"])
    elif name == "grade":
        service.update_evaluation(code, grade=op["grade"])
    elif name == "status":
        service.update_evaluation(code, status=op["status"])
    elif name == "add_item":
        service.add_item(code, op["kind"], f"edit {n}")
    elif name == "delete_item":
        service.delete_item(_find_item(service, op["marker"]))
    elif name == "add_evidence":
        service.add_evidence(f"edit {n}", op["kind"], indicators=[code], agency="Police Scotland")
    elif name == "update_evidence":
        service.update_evidence(
            _find(service.evidence(), "title", op["marker"]), description=f"updated by edit {n}"
        )
    elif name == "delete_evidence":
        service.delete_evidence(_find(service.evidence(), "title", op["marker"]))
    elif name == "add_action":
        service.add_action(f"edit {n}", statement=op["statement"], indicators=[code])
    elif name == "update_action":
        status = ["not_started", "in_progress", "complete", "dropped"][n % 4]
        service.update_action(_find(service.actions(), "task", op["marker"]), status=status)
    elif name == "delete_action":
        service.delete_action(_find(service.actions(), "task", op["marker"]))
    elif name == "details":
        service.update_details(context=f"edit {n}")
    else:  # pragma: no cover - the script only makes the ops above
        raise ValueError(name)


def _find(records: list[Any], attr: str, marker: str) -> str:
    for r in records:
        if getattr(r, attr) == f"edit {marker}":
            return str(r.id)
    raise LookupError(f"edit {marker} is not in the file")


def _find_item(service: Any, marker: str) -> str:
    for ev in service.evaluations():
        for item in (*ev.strengths, *ev.areas_for_improvement):
            if item.text == f"edit {marker}":
                return str(item.id)
    raise LookupError(f"edit {marker} is not in the file")


def edit_until_killed(path: Path, seed: int, first: int, out: Any) -> None:
    """The child's work: open, say READY, then edit and report each committed edit."""
    from carequal_desktop.services.workshop import WorkshopService

    service = WorkshopService.open(path)
    model = read_model(service)
    print("READY", file=out, flush=True)
    for n in range(first, first + 100_000):
        op = plan(model, n, seed)
        perform(service, op)
        print(f"COMMITTED {n} {digest(op)}", file=out, flush=True)
        model = apply(model, op)
    service.close()


# --------------------------------------------------------------------------- the parent


@dataclass
class Trial:
    number: int
    delay_ms: int
    early: bool
    committed: int = 0
    in_flight_saved: bool | None = None
    hot_journal: bool = False
    stale_lock: bool = False
    seconds: float = 0.0
    failure: str = ""


@dataclass
class Report:
    seed: int
    trials: list[Trial] = field(default_factory=list)
    seconds: float = 0.0
    file_bytes: int = 0

    @property
    def failures(self) -> list[Trial]:
        return [t for t in self.trials if t.failure]

    def summary(self) -> dict[str, Any]:
        killed_editing = [t for t in self.trials if t.committed or t.in_flight_saved is not None]
        return {
            "trials": len(self.trials),
            "failures": len(self.failures),
            "seed": self.seed,
            "edits_committed_and_verified": sum(t.committed for t in self.trials),
            "kills_while_opening": sum(1 for t in self.trials if t.early),
            "kills_during_an_edit_saved": sum(1 for t in self.trials if t.in_flight_saved),
            "kills_during_an_edit_not_saved": sum(
                1 for t in self.trials if t.in_flight_saved is False
            ),
            "hot_journal_after_kill": sum(1 for t in self.trials if t.hot_journal),
            "stale_locks_cleared": sum(1 for t in self.trials if t.stale_lock),
            "trials_with_edits": len(killed_editing),
            "median_trial_seconds": round(statistics.median(t.seconds for t in self.trials), 2)
            if self.trials
            else 0,
            "total_seconds": round(self.seconds, 1),
            "final_file_bytes": self.file_bytes,
        }


def _prepare(workdir: Path, source: Path | None) -> Path:
    from carequal_desktop.services.exchange import import_document

    target = workdir / "Fault injection.carequal"
    if source is not None and source.suffix == ".carequal":
        shutil.copyfile(source, target)
    else:
        json_path = source or REPO / "resources" / "demo" / "demo-workshop.json"
        import_document(json.loads(json_path.read_text(encoding="utf-8")), target)
    return target


def _check(path: Path, expected: list[dict[str, Any]]) -> tuple[int | None, str]:
    """Integrity, opening, and which expected state the file holds (index or None)."""
    from carequal_desktop.services.workshop import WorkshopService

    # Open it the way the window does first: that is what has to cope with the journal
    # and the lock the killed child left behind.
    try:
        service = WorkshopService.open(path)
    except Exception as exc:  # any failure to open is what we are looking for
        return None, f"open failed: {type(exc).__name__}: {exc}"
    try:
        found = read_model(service)
        notices = list(service.notices)
    finally:
        service.close()
    if notices:
        # A killed child's own journal judged foreign (set aside, not rolled back) or a
        # recovery undone would be a bug in the journal check: report it.
        return None, f"opening said: {notices[0]}"
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        result = [(str(exc),)]
    finally:
        conn.close()
    if result != [("ok",)]:
        return None, f"integrity_check: {result[:3]}"
    for i, state in enumerate(expected):
        if found == state:
            return i, ""
    diffs = [k for k in found if found[k] != expected[0].get(k)]
    return None, f"file holds neither expected state (differs in {diffs})"


def _run_child(
    path: Path,
    seed: int,
    first: int,
    env: dict[str, str],
    early: bool,
    delay_ms: int,
    stderr: Any,
    trial: Trial,
    fork: bool,
) -> list[str]:
    """Start the child, kill it after the delay, and return what it printed."""
    if fork:
        return _run_forked(path, seed, first, early, delay_ms, trial)
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), str(seed), str(first)],
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    if not early:
        line = child.stdout.readline()
        if line.strip() != "READY":
            child.kill()
            child.wait()
            stderr.seek(0)
            trial.failure = f"child did not start: {line!r} {stderr.read()[-500:]!r}"
            return []
    time.sleep(delay_ms / 1000)
    child.kill()
    child.wait()
    lines = child.stdout.read().splitlines()
    child.stdout.close()
    return lines


def _run_forked(
    path: Path, seed: int, first: int, early: bool, delay_ms: int, trial: Trial
) -> list[str]:
    """As ``_run_child``, but the child is a fork of this process (no start-up cost)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        try:
            with os.fdopen(write_fd, "w") as out:
                edit_until_killed(path, seed, first, out)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        if not early:
            line = reader.readline()
            if line.strip() != "READY":
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                trial.failure = f"child did not start: {line!r}"
                return []
        time.sleep(delay_ms / 1000)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return reader.read().splitlines()


def run(
    trials: int = 200,
    seed: int = 20261124,
    workdir: Path | None = None,
    source: Path | None = None,
    max_delay_ms: int = 400,
    early_share: float = 0.1,
    echo: bool = False,
    fork: bool = False,
) -> Report:
    """Run ``trials`` kill trials; returns the report (failures listed, never raised)."""
    started = time.monotonic()
    own_dir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="carequal-fault-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CAREQUAL_DATA_DIR": str(workdir / "userdata")}
    os.environ["CAREQUAL_DATA_DIR"] = env["CAREQUAL_DATA_DIR"]
    from carequal_desktop.services import locking
    from carequal_desktop.services.workshop import WorkshopService

    path = _prepare(workdir, source)
    service = WorkshopService.open(path)
    model = read_model(service)
    service.close()
    rng = random.Random(seed)
    report = Report(seed=seed)
    next_n = 1
    for number in range(1, trials + 1):
        early = rng.random() < early_share
        delay_ms = rng.randint(5, max_delay_ms)
        trial = Trial(number, delay_ms, early)
        t0 = time.monotonic()
        with tempfile.TemporaryFile() as stderr:
            lines = _run_child(path, seed, next_n, env, early, delay_ms, stderr, trial, fork)
        trial.hot_journal = Path(f"{path}-journal").exists()
        trial.stale_lock = locking.lock_path(path).exists()
        # Replay what the child reported, checking it ran the same script.
        state = model
        last = next_n - 1
        for line in lines:
            parts = line.split()
            if len(parts) != 3 or parts[0] != "COMMITTED":
                continue
            n = int(parts[1])
            op = plan(state, n, seed)
            if n != last + 1 or digest(op) != parts[2]:
                trial.failure = (
                    trial.failure or f"child reported {line!r}, expected edit {last + 1}"
                )
                break
            state = apply(state, op)
            last = n
        trial.committed = last - (next_n - 1)
        in_flight = apply(state, plan(state, last + 1, seed))
        if not trial.failure:
            which, problem = _check(path, [state, in_flight])
            if which is None:
                trial.failure = problem
            else:
                started_editing = any(line.strip() == "READY" for line in lines) or not early
                trial.in_flight_saved = bool(which) if started_editing else None
                if which == 1:
                    state, last = in_flight, last + 1
        model = state
        next_n = last + 1
        trial.seconds = time.monotonic() - t0
        report.trials.append(trial)
        if echo:
            status = "FAIL " + trial.failure if trial.failure else "ok"
            print(
                f"trial {number:4d}: killed after {delay_ms:3d} ms"
                f"{' (while starting)' if early else ''}, {trial.committed:3d} edits committed, "
                f"in flight {'saved' if trial.in_flight_saved else 'not saved' if trial.in_flight_saved is False else '-'}"
                f"{', hot journal' if trial.hot_journal else ''}: {status}",
                flush=True,
            )
        if trial.failure:
            # Keep the damaged file for inspection, and carry on from a clean model.
            shutil.copyfile(path, workdir / f"failed-trial-{number}.carequal")
            try:
                service = WorkshopService.open(path)
            except Exception:
                break  # the file cannot be used any more: stop and report
            model = read_model(service)
            service.close()
    report.seconds = time.monotonic() - started
    report.file_bytes = path.stat().st_size
    if own_dir and not report.failures:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--max-delay-ms", type=int, default=400)
    parser.add_argument(
        "--source",
        type=Path,
        help="a .carequal or exchange .json to start from (default: the demo)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the files here (default: a temporary folder)"
    )
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument(
        "--fork",
        action="store_true",
        help="fork the child from this process instead of starting Python afresh (POSIX, faster)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    report = run(
        trials=args.trials,
        seed=args.seed,
        workdir=args.workdir,
        source=args.source,
        max_delay_ms=args.max_delay_ms,
        echo=not args.quiet,
        fork=args.fork,
    )
    summary = report.summary()
    print(json.dumps(summary, indent=2))
    for t in report.failures:
        print(f"FAILED trial {t.number}: {t.failure}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
