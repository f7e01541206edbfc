"""The three-way merge rules on plain records (no database)."""

from __future__ import annotations

from carequal_desktop.domain.merge import (
    ALIVE,
    RECORD,
    Lineage,
    Record,
    decide,
    delete,
    edit,
    initial_lineage,
    merge,
    rewrite_citations,
)


def evaluation(code: str = "1.1", **values: object) -> Record:
    base = {
        "status": "not_started",
        "grade": None,
        "how_good_now": "",
        "how_do_we_know": "",
        "what_next": "",
        "rationale": "",
        "dissent": "",
        "previous_grade": None,
        "proposed_grades": "[]",
    }
    base.update(values)
    return Record("evaluation", code, True, base)


def evidence(key: str, ref: str, title: str = "Audit", description: str = "") -> Record:
    return Record(
        "evidence",
        key,
        True,
        {
            "ref": ref,
            "title": title,
            "kind": "document",
            "agency": "",
            "date": None,
            "description": description,
            "location": "",
            "share_percent": None,
            "respondents": None,
            "supports": "context",
        },
    )


def as_copy(*records: Record) -> dict[tuple[str, str], Record]:
    return {(r.table, r.key): r for r in records}


def applied(ours: dict, result) -> dict:  # type: ignore[no-untyped-def]
    out = dict(ours)
    out.update(result.records)
    return out


def test_lineage_ids_depend_only_on_content_so_identical_copies_agree() -> None:
    a = edit(evaluation(), "how_good_now", "Strong")
    b = edit(evaluation(), "how_good_now", "Strong")
    assert a.lineage("how_good_now") == b.lineage("how_good_now")
    assert edit(a, "how_good_now", "x").lineage("how_good_now").knows(a.lineage("how_good_now").vid)


def test_joined_is_the_same_whichever_side_joins() -> None:
    x = Lineage(1, (0,))
    y = Lineage(2, (0,))
    assert x.joined(y, "v") == y.joined(x, "v")
    assert x.joined(y, "v").knows(1) and x.joined(y, "v").knows(2)


def test_field_changed_on_one_side_is_taken_silently() -> None:
    base = evaluation(how_good_now="base")
    ours = as_copy(base)
    theirs = as_copy(edit(base, "how_good_now", "theirs"))
    result = merge(ours, theirs)
    assert result.conflicts == []
    assert result.changes_taken == 1
    assert applied(ours, result)[("evaluation", "1.1")].values["how_good_now"] == "theirs"


def test_change_only_here_is_kept_and_nothing_is_written() -> None:
    base = evaluation(how_good_now="base")
    ours = as_copy(edit(base, "how_good_now", "ours"))
    result = merge(ours, as_copy(base))
    assert result.records == {} and result.conflicts == []


def test_different_fields_of_one_record_are_both_kept() -> None:
    base = evaluation()
    ours = as_copy(edit(base, "how_good_now", "ours"))
    theirs = as_copy(edit(base, "what_next", "theirs"))
    merged = applied(ours, merge(ours, theirs))[("evaluation", "1.1")]
    assert merged.values["how_good_now"] == "ours"
    assert merged.values["what_next"] == "theirs"


def test_same_field_changed_two_ways_is_a_conflict_with_the_common_original() -> None:
    base = evaluation(how_good_now="the original")
    o = edit(base, "how_good_now", "ours")
    t = edit(base, "how_good_now", "theirs")
    replaced = {base.lineage("how_good_now").vid: "the original"}
    result = merge(as_copy(o), as_copy(t), lambda vid: (vid in replaced, replaced.get(vid)))
    (c,) = result.conflicts
    assert (c.field, c.base, c.ours, c.theirs) == ("how_good_now", "the original", "ours", "theirs")
    assert c.base_known
    # Until decided, this copy's text stays in place.
    assert ("evaluation", "1.1") not in result.records


def test_same_change_on_both_sides_is_no_conflict() -> None:
    base = evaluation()
    result = merge(as_copy(edit(base, "grade", 4)), as_copy(edit(base, "grade", 4)))
    assert result.conflicts == []


def test_evaluation_made_on_both_sides_merges_field_by_field() -> None:
    # Evaluations are made lazily, keyed by indicator code: both copies may make one.
    ours = as_copy(evaluation(how_good_now="ours"))
    theirs = as_copy(evaluation(what_next="theirs"))
    result = merge(ours, theirs)
    assert result.conflicts == []
    merged = applied(ours, result)[("evaluation", "1.1")]
    assert merged.values["how_good_now"] == "ours" and merged.values["what_next"] == "theirs"


def test_edit_against_deletion_is_a_conflict_both_ways() -> None:
    base = evidence("e1", "E1")
    edited = edit(base, "title", "Better title")
    gone = delete(base)
    here = merge(as_copy(gone), as_copy(edited))
    assert [c.field for c in here.conflicts] == [RECORD]
    there = merge(as_copy(edited), as_copy(gone))
    assert [c.field for c in there.conflicts] == [RECORD]


def test_deletion_of_an_unchanged_record_is_taken() -> None:
    base = evidence("e1", "E1")
    result = merge(as_copy(base), as_copy(delete(base)))
    assert result.conflicts == []
    assert not result.records[("evidence", "e1")].alive


def test_links_of_a_deleted_record_go_with_it() -> None:
    ev = evidence("e1", "E1")
    link = Record("evidence_indicator", "e1|1.1", True, {"position": 0})
    result = merge(as_copy(ev, link), as_copy(delete(ev), delete(link)))
    assert not result.records[("evidence_indicator", "e1|1.1")].alive


def test_links_merge_as_a_set() -> None:
    ev = evidence("e1", "E1")
    a = Record("evidence_indicator", "e1|1.1", True, {"position": 0})
    b = Record("evidence_indicator", "e1|2.1", True, {"position": 1})
    ours = as_copy(ev, a)
    theirs = as_copy(ev, b)
    merged = applied(ours, merge(ours, theirs))
    assert merged[("evidence_indicator", "e1|1.1")].alive
    assert merged[("evidence_indicator", "e1|2.1")].alive


def test_positions_settle_the_same_way_on_both_laptops_without_asking() -> None:
    base = Record("evaluation_item", "i1", True, {"kind": "strength", "position": 0, "text": "x"})
    o = as_copy(edit(base, "position", 2))
    t = as_copy(edit(base, "position", 5))
    r1, r2 = merge(o, t), merge(t, o)
    assert r1.conflicts == [] and r2.conflicts == []
    a = applied(o, r1)[("evaluation_item", "i1")]
    b = applied(t, r2)[("evaluation_item", "i1")]
    assert a.values == b.values and a.lineage("position") == b.lineage("position")


def test_records_added_on_both_sides_are_renumbered_and_citations_follow() -> None:
    ours = as_copy(evidence("mine", "E5"), evaluation(how_do_we_know="See E5."))
    base_eval = evaluation()
    theirs = as_copy(
        evidence("yours", "E5", description="Compare [E5] and E50"),
        edit(base_eval, "what_next", "Follow up E5, not E50"),
    )
    # the evaluation in "ours" must share the origin of theirs
    ours[("evaluation", "1.1")] = edit(base_eval, "how_do_we_know", "See E5.")
    result = merge(ours, theirs)
    merged = applied(ours, result)
    assert result.renumbered == {"evidence": {"E5": "E6"}}
    assert merged[("evidence", "mine")].values["ref"] == "E5"
    assert merged[("evidence", "yours")].values["ref"] == "E6"
    assert merged[("evidence", "yours")].values["description"] == "Compare [E6] and E50"
    ev = merged[("evaluation", "1.1")].values
    assert ev["what_next"] == "Follow up E6, not E50"
    assert ev["how_do_we_know"] == "See E5."  # our own citations mean our own evidence


def test_action_refs_are_renumbered_within_their_statement() -> None:
    def action(key: str, ref: str) -> Record:
        return Record(
            "improvement_action",
            key,
            True,
            {
                "ref": ref,
                "position": 0,
                "statement": 2,
                "issue": "",
                "task": f"do {ref}",
                "expected_outcome": "",
                "ownership": "",
                "monitoring": "",
                "baseline": "",
                "target": "",
                "due": None,
                "status": "not_started",
            },
        )

    ours = as_copy(action("a", "2.3"), action("b", "2.4"))
    theirs = as_copy(action("c", "2.3"))
    result = merge(ours, theirs)
    assert result.renumbered == {"action": {"2.3": "2.5"}}
    assert (
        applied(ours, result)[("improvement_action", "c")].values["task"] == "do 2.5"
    )  # citations follow


def test_rewrite_citations_is_simultaneous_and_whole_word() -> None:
    maps = {"evidence": {"E1": "E2", "E2": "E3"}, "action": {"1.2": "1.4"}}
    assert rewrite_citations("E1, E2, E12, [E1]; action 1.2, 1.23, 11.2", maps) == (
        "E2, E3, E12, [E2]; action 1.4, 1.23, 11.2"
    )


def test_deciding_writes_a_version_both_sides_know() -> None:
    base = evaluation(how_good_now="b")
    o, t = edit(base, "how_good_now", "o"), edit(base, "how_good_now", "t")
    (c,) = merge(as_copy(o), as_copy(t)).conflicts
    decided = decide(o, c, "text", "o and t")
    assert decided.values["how_good_now"] == "o and t"
    again = merge(as_copy(decided), as_copy(t))
    assert again.conflicts == [] and again.records == {}
    back = merge(as_copy(t), as_copy(decided))
    assert back.conflicts == []
    assert applied(as_copy(t), back)[("evaluation", "1.1")].values["how_good_now"] == "o and t"


def test_deciding_a_deletion_conflict_puts_the_record_back_or_keeps_it_deleted() -> None:
    base = evidence("e1", "E1")
    edited, gone = edit(base, "title", "New"), delete(base)
    (c,) = merge(as_copy(gone), as_copy(edited)).conflicts
    back = decide(gone, c, "theirs")
    assert back.alive and back.values["title"] == "New"
    kept = decide(gone, c, "ours")
    assert not kept.alive
    assert merge(as_copy(kept), as_copy(edited)).conflicts == []
    assert merge(as_copy(back), as_copy(edited)).conflicts == []


def test_open_conflicts_are_not_raised_twice() -> None:
    base = evaluation()
    o, t = edit(base, "grade", 3), edit(base, "grade", 5)
    (c,) = merge(as_copy(o), as_copy(t)).conflicts
    again = merge(
        as_copy(o), as_copy(t), open_conflicts={(c.table, c.key, c.field): {c.theirs_lineage.vid}}
    )
    assert again.conflicts == []


def test_initial_lineage_of_a_default_value_is_its_root() -> None:
    lin = initial_lineage("evaluation", "1.1", "how_good_now", "")
    assert lin.ancestors == ()
    assert initial_lineage("evaluation", "1.1", ALIVE, True) == Lineage(lin.vid).__class__(
        initial_lineage("evaluation", "1.1", ALIVE, True).vid
    )


def test_word_diff_gives_back_both_texts() -> None:
    from carequal_desktop.domain.merge import word_diff

    old, new = "Partners meet monthly to plan.", "Partners meet weekly to plan together."
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "delete") == new
    assert "".join(t for op, t in pieces if op != "insert") == old
    assert ("delete", "monthly") in pieces and ("insert", "weekly") in pieces
