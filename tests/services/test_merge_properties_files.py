"""The merge laws on real files: random edits through the service on Explorer copies.

SQLite only, like test_merge_files.py: the copies are made by copying the file.

Fewer examples than the domain's property tests (each one writes real SQLite files), but
everything between the service calls and the merge runs for real: the triggers, the
history folded at each commit, the snapshot, the transaction.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carequal_desktop.domain.readiness import Finding
from carequal_desktop.services import merge as merging
from carequal_desktop.services.readiness import ReadinessService
from carequal_desktop.services.workshop import WorkshopService
from tests.content import content

CODES = ["1.1", "2.1", "2.2"]
WORDS = ["alpha", "beta", "gamma"]

edit_op = st.one_of(
    st.tuples(
        st.just("text"),
        st.sampled_from(CODES),
        st.sampled_from(["how_good_now", "what_next"]),
        st.sampled_from(WORDS),
    ),
    st.tuples(st.just("grade"), st.sampled_from(CODES), st.integers(1, 6)),
    st.tuples(st.just("strength"), st.sampled_from(CODES), st.sampled_from(WORDS)),
    st.tuples(st.just("evidence"), st.sampled_from(CODES), st.sampled_from(WORDS)),
    st.tuples(st.just("retitle"), st.integers(0, 9), st.sampled_from(WORDS)),
    st.tuples(st.just("delete_evidence"), st.integers(0, 9)),
    st.tuples(st.just("link"), st.integers(0, 9), st.sampled_from(CODES)),
    # the position statement's own records (one per workshop, one per statement, a set)
    st.tuples(
        st.just("statement"),
        st.sampled_from(["key_messages", "conclusion"]),
        st.sampled_from(WORDS),
    ),
    st.tuples(st.just("summary"), st.integers(1, 3), st.sampled_from(WORDS)),
    st.tuples(st.just("months"), st.sampled_from([12, 18, 36])),
    st.tuples(st.just("mark"), st.sampled_from(WORDS)),
    st.tuples(st.just("unmark"), st.sampled_from(WORDS)),
)
PLACE = "indicator 1.1 how_good_now"


def perform(path: Path, ops: list[tuple[Any, ...]], side: str) -> None:
    s = WorkshopService.open(path)
    try:
        for n, op in enumerate(ops):
            kind = op[0]
            evidence = s.evidence()
            if kind == "text":
                s.update_evaluation(op[1], **{op[2]: f"{op[3]} by {side}{n}"})
            elif kind == "grade":
                s.update_evaluation(op[1], grade=op[2])
            elif kind == "strength":
                s.add_item(op[1], "strength", f"{op[2]} {side}{n}")
            elif kind == "evidence":
                e = s.add_evidence(f"{op[2]} {side}{n}", "document", indicators=[op[1]])
                s.update_evaluation(op[1], how_do_we_know=f"See [{e.ref}].")
            elif kind == "retitle" and evidence:
                s.update_evidence(evidence[op[1] % len(evidence)].id, title=f"{op[2]} {side}{n}")
            elif kind == "delete_evidence" and evidence:
                s.delete_evidence(evidence[op[1] % len(evidence)].id)
            elif kind == "link" and evidence:
                s.link_evidence(evidence[op[1] % len(evidence)].id, op[2])
            elif kind == "statement":
                update = getattr(ReadinessService(s), f"update_{op[1]}")
                update(f"{op[2]} by {side}{n}")
            elif kind == "summary":
                ReadinessService(s).update_summary(op[1], f"{op[2]} by {side}{n}")
            elif kind == "months":
                ReadinessService(s).set_stale_months(op[1])
            elif kind == "mark":
                finding = Finding("personal_data", "", indicator="1.1", field="how_good_now")
                ReadinessService(s).mark_not_personal(replace(finding, text=op[1]))
            elif kind == "unmark":
                ReadinessService(s).unmark_not_personal(PLACE, op[1])
    finally:
        s.close()


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(edit_op, max_size=6), st.lists(edit_op, max_size=6), st.integers(0, 2))
def test_explorer_copies_merge_without_loss_repeat_and_converge(
    tmp_path_factory, ops_a: list, ops_b: list, pick: int
) -> None:
    folder = tmp_path_factory.mktemp("copies")
    original = folder / "Original.carequal"
    s = WorkshopService.create(original, title="Glenmuir", partnership="Glenmuir partnership")
    s.add_evidence("Audit", "record_reading", indicators=["1.1"])
    s.add_evidence("Survey", "staff_survey", indicators=["2.1"])
    s.close()
    a_path, b_path = folder / "A.carequal", folder / "B.carequal"
    shutil.copy(original, a_path)
    shutil.copy(original, b_path)
    perform(a_path, ops_a, "a")
    perform(b_path, ops_b, "b")

    b = WorkshopService.open(b_path)
    try:
        first = merging.merge_file(b, a_path)
        # nothing typed in A is lost: each of A's evaluation texts is here or in a conflict
        a = WorkshopService.open(a_path, read_only=True)
        try:
            a_evals = {e.indicator_code: e for e in a.evaluations()}
            a_titles = {e.title for e in a.evidence()}
            a_texts = ReadinessService(a).statement_texts()
        finally:
            a.close()
        conflicted = {(c.key, c.field) for c in first.conflicts}
        for code, ev in a_evals.items():
            here = b.evaluation(code)
            for name in ("how_good_now", "what_next"):
                value = getattr(ev, name)
                if value and value != getattr(here, name):
                    assert (code, name) in conflicted or "by b" in getattr(here, name), (code, name)
        titles_here = {e.title for e in b.evidence()}
        typed_in_a = {t for t in a_titles if re.search(r" a\d+$", t)}
        conflicted_titles = {c.theirs for c in first.conflicts if c.field == "title"}
        conflicted_titles |= {
            c.theirs["title"] for c in first.conflicts if c.field == "_record" and c.theirs
        }
        assert typed_in_a <= titles_here | conflicted_titles
        # ...nor what A wrote in the position statement: here, in a conflict, or B's is here
        here_texts = ReadinessService(b).statement_texts()
        for name in ("key_messages", "conclusion"):
            value = getattr(a_texts, name)
            if value and value != getattr(here_texts, name):
                assert ("document", name) in conflicted or " by b" in getattr(here_texts, name)
        for number, value in a_texts.summaries.items():
            if value != here_texts.summaries.get(number):
                assert (str(number), "text") in conflicted or " by b" in here_texts.summaries.get(
                    number, ""
                )
        with b.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM position_statement").scalar_one()
        assert rows in (0, 1)
        # the same copy again: nothing
        before = content(b)
        again = merging.merge_file(b, a_path)
        assert again.changes_taken == 0 and again.conflicts == []
        assert content(b) == before
        for c in merging.open_conflicts(b):
            choice = ("ours", "theirs", "text")[pick] if isinstance(c.ours, str) else "theirs"
            merging.resolve(b, c.id, choice, "decided" if choice == "text" else None)
        expected = content(b)
    finally:
        b.close()
    a = WorkshopService.open(a_path)
    try:
        back = merging.merge_file(a, b_path)
        assert back.conflicts == []
        assert content(a) == expected
    finally:
        a.close()
