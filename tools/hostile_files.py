"""Crafted workshop files and exchange documents: every one must give exit 0 or 2, never a bug.

``python tools/hostile_files.py --files 400 --seed 1`` makes crafted ``.carequal`` files from
a healthy one (every column of every table given values of the wrong type, shape or
range; schemas with objects CareQual did not create; stray journals) and crafted JSON
documents (deep nesting, huge and long numbers, NaN, wrong types), then runs
``carequal export-json`` / ``import-json`` on each inside child processes (a segfault kills
only the child, and is counted). It prints how many were tried and how each ended:
refused with one sentence (exit 2), accepted (exit 0: the export must then import again),
or a bug (exit 1, a crash, a hang).

``tests/reliability/test_crafted_files.py`` uses the same generators with hypothesis.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Values of the wrong kind, as SQL expressions.
VALUES: dict[str, str] = {
    "text": "'abc'",
    "empty text": "''",
    "integer": "99",
    "negative": "-1",
    "zero": "0",
    "largest integer": "9223372036854775807",
    "real": "1.5",
    "huge real": "1e308",
    "null": "NULL",
    "blob": "x'00ff'",
    "long text": "printf('%.*c', 100000, 'x')",
    "garbage JSON": "'{{{'",
    "deep JSON": "'" + "[" * 300 + "]" * 300 + "'",
    "JSON string": "'\"just text\"'",
    "JSON wrong shape": '\'[{"grade": "six", "agency": 1}]\'',
    "JSON object": "'{\"a\": 1}'",
    "impossible date": "'2026-02-30'",
    "date out of range": "'0000-01-01'",
    "garbage timestamp": "'yesterday at 3'",
    "markup": "'<a href=\"file:///tmp/x.sh\">x</a>'",
}

STRUCTURAL: dict[str, str] = {
    "empty scale": "DELETE FROM scale_level",
    "no indicators": "DELETE FROM indicator",
    "no workshop": "DELETE FROM workshop",
    "two workshops": "INSERT INTO workshop SELECT lower(hex(randomblob(4))) || '-0000-4000-8000-000000000000', "
    "title, partnership, scope, context, facilitator, framework_id, framework_title, extensions, "
    "created, updated FROM workshop",
    "orphan evidence link": "INSERT INTO evidence_indicator VALUES ('nope', '1.1', 0)",
    "trigger": "CREATE TRIGGER t AFTER UPDATE ON evaluation BEGIN UPDATE evaluation SET grade = 6; END",
    "view": "CREATE VIEW v AS SELECT * FROM evidence",
    "hidden table": "CREATE TABLE keep_copy (text TEXT)",
    "extra index": "CREATE INDEX ix_extra ON evidence (title)",
    "extra column": "ALTER TABLE evidence ADD COLUMN spy TEXT",
    "dropped index": "DROP INDEX ix_evidence_ref_number",
}


def columns() -> list[tuple[str, str]]:
    """Every (table, column) CareQual stores."""
    from carequal_desktop.store.tables import metadata

    return [(t.name, c.name) for t in metadata.sorted_tables for c in t.columns]


def craft(source: Path, dest: Path, table: str, column: str, kind: str, *, every_row: bool) -> Path:
    """A copy of ``source`` with ``table.column`` set to a value of ``kind``."""
    shutil.copyfile(source, dest)
    conn = sqlite3.connect(dest)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA ignore_check_constraints=ON")
        where = "" if every_row else f' WHERE rowid = (SELECT min(rowid) FROM "{table}")'
        # NOT NULL: the file cannot hold it, which is a finding too (nothing changes).
        with contextlib.suppress(sqlite3.IntegrityError):
            conn.execute(f'UPDATE OR IGNORE "{table}" SET "{column}" = {VALUES[kind]}{where}')
        conn.commit()
    finally:
        conn.close()
    return dest


def craft_structural(source: Path, dest: Path, kind: str) -> Path:
    shutil.copyfile(source, dest)
    conn = sqlite3.connect(dest)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute(STRUCTURAL[kind])
        conn.commit()
    finally:
        conn.close()
    return dest


def crafted_json(base: dict[str, Any], rng: random.Random) -> tuple[str, str]:
    """A crafted exchange document as text, and what was done to it."""
    doc = json.loads(json.dumps(base))
    choice = rng.randrange(9)
    if choice == 0:
        depth = rng.choice([65, 500, 5000, 100000])
        return "[" * depth + "]" * depth, f"nesting {depth}"
    if choice == 1:
        digits = rng.choice([20, 400, 4400, 100000])
        text = json.dumps(doc).replace('"version": 1', '"version": ' + "9" * digits, 1)
        return text, f"{digits}-digit number"
    if choice == 2:
        return json.dumps(doc).replace('"version": 1', '"version": NaN', 1), "NaN"
    if choice == 3:
        return json.dumps(doc).replace('"version": 1', '"version": 1e400', 1), "1e400"
    paths = list(_leaves(doc))
    where, _value = rng.choice(paths)
    junk = rng.choice(
        [None, "", "x" * 3000, -1, 0, 2**63, 2**70, 1.5, True, [], {}, [[[]]], {"a": {"b": {}}}]
    )
    parent = doc
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = junk
    return json.dumps(doc), f"{'.'.join(map(str, where))} = {json.dumps(junk)[:20]}"


def _leaves(value: Any, where: tuple[Any, ...] = ()) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*where, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*where, i))
    if where:
        yield where, value


# ------------------------------------------------------------------ child


def child(listing: Path) -> int:
    """Run the command line on every job in ``listing``; print one RESULT line per job."""
    from carequal_desktop.cli import main

    devnull = open(os.devnull, "w")  # noqa: SIM115 (kept for the whole run)
    for line in listing.read_text(encoding="utf-8").splitlines():
        kind, source, target = line.split("\t")
        real_err = sys.stderr
        sys.stderr = devnull
        try:
            if kind == "file":
                code = main(["export-json", source, target])
                if code == 0:
                    # Whatever the app accepts it can export and import again.
                    code = main(["import-json", target, target + ".carequal"]) or 0
                    code = 10 + code if code else 0
            else:
                code = main(["import-json", source, target])
                if code == 0:
                    code = main(["export-json", target, target + ".json"])
                    code = 10 + code if code else 0
        finally:
            sys.stderr = real_err
        print(f"RESULT\t{code}\t{source}", flush=True)
    return 0


# ----------------------------------------------------------------- parent


def run(
    files: int, seed: int, workdir: Path, batch: int = 40, quiet: bool = False
) -> dict[str, Any]:
    from carequal_desktop.services.exchange import export_document, import_document
    from carequal_desktop.services.workshop import WorkshopService

    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CAREQUAL_DATA_DIR": str(workdir / "data")}
    os.environ["CAREQUAL_DATA_DIR"] = env["CAREQUAL_DATA_DIR"]
    demo = json.loads((REPO / "resources" / "demo" / "demo-workshop.json").read_text("utf-8"))
    healthy = workdir / "healthy.carequal"
    if not healthy.exists():
        import_document(demo, healthy)
    service = WorkshopService.open(healthy, read_only=True)
    base_doc = export_document(service)
    service.close()

    jobs: list[tuple[str, str, str, str]] = []  # kind, source, target, what
    cols = columns()
    for i in range(files):
        path = workdir / f"crafted-{i}.carequal"
        roll = rng.random()
        if roll < 0.1:
            what = rng.choice(sorted(STRUCTURAL))
            craft_structural(healthy, path, what)
        elif roll < 0.75:
            table, column = rng.choice(cols)
            kind = rng.choice(sorted(VALUES))
            every = rng.random() < 0.3
            craft(healthy, path, table, column, kind, every_row=every)
            what = f"{table}.{column} = {kind}{' (every row)' if every else ''}"
        else:
            text, what = crafted_json(base_doc, rng)
            src = workdir / f"crafted-{i}.json"
            src.write_text(text, encoding="utf-8")
            jobs.append(("json", str(src), str(workdir / f"imported-{i}.carequal"), what))
            continue
        jobs.append(("file", str(path), str(workdir / f"exported-{i}.json"), what))

    results: dict[str, int] = {}
    crashes: list[str] = []
    pending = list(jobs)
    started = time.monotonic()
    while pending:
        chunk, pending = pending[:batch], pending[batch:]
        listing = workdir / "listing.tsv"
        listing.write_text("\n".join("\t".join(j[:3]) for j in chunk), encoding="utf-8")
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(listing)],
                capture_output=True,
                text=True,
                env=env,
                timeout=600,
            )
            stdout, rc = out.stdout, out.returncode
        except subprocess.TimeoutExpired as exc:
            stdout, rc = (
                (exc.stdout or b"").decode()
                if isinstance(exc.stdout, bytes)
                else (exc.stdout or ""),
                -9,
            )
        done = {}
        for line in stdout.splitlines():
            if line.startswith("RESULT\t"):
                _tag, code, source = line.split("\t", 2)
                done[source] = int(code)
        results.update(done)
        if rc != 0:
            # The child died (a crash or a hang): the job it was on is a bug; go on after it.
            rest = [j for j in chunk if j[1] not in done]
            if rest:
                crashes.append(f"{rest[0][3]} (child exit {rc})")
                results[rest[0][1]] = -abs(rc) or -1
                pending = rest[1:] + pending
    by_what = {j[1]: j[3] for j in jobs}
    summary = {
        "tried": len(jobs),
        "crafted .carequal files": sum(1 for j in jobs if j[0] == "file"),
        "crafted JSON documents": sum(1 for j in jobs if j[0] == "json"),
        "refused with one sentence (exit 2)": sum(1 for c in results.values() if c == 2),
        "accepted, exported and imported again (exit 0)": sum(
            1 for c in results.values() if c == 0
        ),
        "accepted but the export did not import again": sum(1 for c in results.values() if c >= 10),
        "bug exits (1)": sum(1 for c in results.values() if c == 1),
        "crashes or hangs": len(crashes),
        "seconds": round(time.monotonic() - started, 1),
        "failures": [f"{by_what[s]}: exit {c}" for s, c in results.items() if c not in (0, 2)][:30],
    }
    if not quiet:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


_CRASH = (
    "import os, random, signal, sqlite3, sys\n"
    "rng = random.Random(int(sys.argv[2]))\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('PRAGMA cache_size=1')\n"  # spill to the file before the commit
    "c.execute('BEGIN')\n"
    "c.execute('UPDATE workshop SET context = ?', ('half-saved ' * rng.randint(100, 20000),))\n"
    "c.execute('UPDATE evidence SET description = ? WHERE rowid % ? = 0',\n"
    "          ('x' * rng.randint(10, 5000), rng.randint(1, 5)))\n"
    "os.kill(os.getpid(), signal.SIGKILL)\n"
)


def stray_journals(
    trials: int, seed: int, workdir: Path, age: tuple[float, float] | None = (300, 36000)
) -> dict[str, Any]:
    """A journal left by a crash of one copy, put beside another copy of the same file.

    Each trial kills a save of copy B halfway (a real hot journal), edits copy C 0-5 times
    (0: C is B's starting point, so the journal truly fits it), puts B's journal beside C
    and opens C read-only, as the command line's export does. C must come out unchanged
    (or, when the journal fits, exactly as C was) and healthy, and never hold B's edit.
    """
    import hashlib

    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.workshop import WorkshopService

    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["CAREQUAL_DATA_DIR"] = str(workdir / "data")
    demo = json.loads((REPO / "resources" / "demo" / "demo-workshop.json").read_text("utf-8"))
    healthy = workdir / "healthy.carequal"
    if not healthy.exists():
        import_document(demo, healthy)
    counts: dict[str, Any] = {
        "trials": 0,
        "set aside unused": 0,
        "rolled back (it fitted)": 0,
        "recovery undone": 0,
        "refused": 0,
        "file changed": 0,
        "damaged": 0,
        "other copy's edit rolled in": 0,
    }
    for i in range(trials):
        folder_b, folder_c = workdir / f"b{i}", workdir / f"c{i}"
        folder_b.mkdir()
        folder_c.mkdir()
        b, c = folder_b / "Workshop.carequal", folder_c / "Workshop.carequal"
        shutil.copyfile(healthy, b)
        shutil.copyfile(healthy, c)
        subprocess.run(
            [sys.executable, "-c", _CRASH, str(b), str(rng.randrange(10**6))], check=False
        )
        edits = rng.randint(0, 5)
        if edits:
            service = WorkshopService.open(c)
            for k in range(edits):
                service.update_details(context=f"copy C, edit {k} " * rng.randint(1, 400))
            service.close()
        before = hashlib.sha256(c.read_bytes()).hexdigest()
        shutil.copyfile(f"{b}-journal", f"{c}-journal")
        if age:
            # The stray journal is older than the good copy's last save, as on a stick
            # where the good copy was put back after the crash.
            then = time.time() - rng.uniform(age[0], age[1])
            os.utime(f"{c}-journal", (then, then))
        counts["trials"] += 1
        try:
            service = WorkshopService.open(c, read_only=True)
            context = service.details().context
            notices = list(service.notices)
            service.close()
        except Exception:  # noqa: BLE001 (a refusal is counted, a bug too)
            counts["refused"] += 1
            continue
        if "half-saved" in context:
            counts["other copy's edit rolled in"] += 1
        if any("came from another copy" in n for n in notices):
            counts["set aside unused"] += 1
        elif any("would have damaged" in n for n in notices):
            counts["recovery undone"] += 1
        else:
            counts["rolled back (it fitted)"] += 1
        conn = sqlite3.connect(c)
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        counts["damaged"] += not ok
        if edits and hashlib.sha256(c.read_bytes()).hexdigest() != before:
            counts["file changed"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="how many crafted inputs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the files here")
    parser.add_argument("--stray", type=int, metavar="N", help="instead: N stray-journal trials")
    parser.add_argument(
        "--fresh", action="store_true", help="with --stray: journals as new as the good copy"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.stray:
        with tempfile.TemporaryDirectory(prefix="carequal-stray-") as tmp:
            age = None if args.fresh else (300.0, 36000.0)
            counts = stray_journals(args.stray, args.seed, args.workdir or Path(tmp), age)
        print(json.dumps(counts, indent=2))
        bad = ("file changed", "damaged", "other copy's edit rolled in", "refused")
        return 0 if not any(counts[k] for k in bad) else 1
    with tempfile.TemporaryDirectory(prefix="carequal-hostile-") as tmp:
        summary = run(args.files, args.seed, args.workdir or Path(tmp))
    return 0 if not summary["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
