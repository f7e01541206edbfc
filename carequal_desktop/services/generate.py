"""A large, realistic workshop for timing exports and the window (benchmarks, tests).

Built from the bundled demo: its framework, team and evaluations are kept, and its
evidence register and improvement plan are repeated with varied wording until they reach
the requested size. The same seed always gives the same file, so figures can be compared
between runs; the workshop is written through the ordinary exchange import.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import uuid
from pathlib import Path
from typing import Any

from carequal_desktop.services.exchange import import_document

_PLACES = (
    "Cairnbridge",
    "Inverallan",
    "Dalmorrie",
    "Kilbrae",
    "Eastfield",
    "Glenlochy",
    "Ardmuir",
)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def large_workshop_document(
    evidence: int = 5000, actions: int = 500, seed: int = 1
) -> dict[str, Any]:
    """The exchange document of a workshop with ``evidence`` items and ``actions`` actions."""
    from carequal_desktop.services.demo import demo_source

    rng = random.Random(seed)
    demo = json.loads(demo_source().read_text(encoding="utf-8"))
    doc: dict[str, Any] = copy.deepcopy(demo)
    codes = [ind["code"] for ind in doc["framework"]["indicators"]]
    statements = [st["number"] for st in doc["framework"]["statements"]]
    doc["workshop"]["id"] = _uuid(rng)
    doc["workshop"]["title"] = (
        f"Large generated workshop ({evidence:,} evidence, {actions:,} actions)"
    )

    base_evidence = demo["evidence"]
    items = []
    start = dt.date(2024, 1, 1)
    for n in range(1, evidence + 1):
        src = copy.deepcopy(base_evidence[(n - 1) % len(base_evidence)])
        src["id"] = _uuid(rng)
        src["ref"] = f"E{n}"
        if n > len(base_evidence):
            src["title"] = f"{src['title']} ({rng.choice(_PLACES)}, sample {n})"
            src["date"] = (start + dt.timedelta(days=rng.randrange(0, 1000))).isoformat()
            src["indicators"] = sorted(
                rng.sample(codes, rng.randint(1, 3)),
                key=lambda c: tuple(int(p) for p in c.split(".")),
            )
            if src.get("share_percent") is not None:
                src["share_percent"] = float(rng.randint(0, 100))
        items.append(src)
    doc["evidence"] = items

    base_actions = demo["actions"]
    plan = []
    per_statement: dict[int, int] = {}
    for n in range(actions):
        src = copy.deepcopy(base_actions[n % len(base_actions)])
        src["id"] = _uuid(rng)
        statement = src.get("statement") or rng.choice(statements)
        if n >= len(base_actions):
            statement = rng.choice(statements)
            src["indicators"] = sorted(
                rng.sample(codes, rng.randint(1, 2)),
                key=lambda c: tuple(int(p) for p in c.split(".")),
            )
            src["task"] = f"{src.get('task', '')} (phase {n // len(base_actions) + 1})"
            src["due"] = (
                dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(0, 730))
            ).isoformat()
        src["statement"] = statement
        per_statement[statement] = per_statement.get(statement, 0) + 1
        src["ref"] = f"{statement}.{per_statement[statement]}"
        plan.append(src)
    plan.sort(key=lambda a: (a["statement"], int(a["ref"].split(".")[1])))
    doc["actions"] = plan
    return doc


def generate_large_workshop(
    path: Path, evidence: int = 5000, actions: int = 500, seed: int = 1
) -> Path:
    """Write a large generated workshop to ``path`` (replacing it) and return the path."""
    doc = large_workshop_document(evidence, actions, seed)
    return import_document(doc, Path(path), overwrite=True).path
