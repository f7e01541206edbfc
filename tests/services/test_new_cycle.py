"""The next self-evaluation cycle, started from the demo and from the exchange example.

The previous workshop is a file or on PostgreSQL (both engines); the new one is a file, as
``start_next_cycle`` makes it. ``test_the_new_file_must_be_another_file`` is ``files_only``:
it is about giving the previous workshop's own path as the new file's.
"""

from __future__ import annotations

import datetime as dt

import pytest

from carequal_desktop.cli import main
from carequal_desktop.errors import TargetExistsError, UserError
from carequal_desktop.services.exchange import export_document
from carequal_desktop.services.new_cycle import (
    previous_cycle,
    start_next_cycle,
    suggested_title,
)
from carequal_desktop.services.workshop import WorkshopService


@pytest.fixture
def next_of_demo(demo_service, tmp_path):
    result = start_next_cycle(demo_service, tmp_path / "Next.carequal")
    service = WorkshopService.open(result.path)
    yield demo_service, service, result
    service.close()


def test_the_next_cycle_starts_from_the_demo(next_of_demo) -> None:
    old, new, result = next_of_demo
    d_old, d_new = old.details(), new.details()
    assert d_new.id != d_old.id
    assert (
        d_new.title
        == "Joint self-evaluation 2027: services for children and young people at risk of harm"
    )
    assert d_new.partnership == d_old.partnership and new.sessions() == []
    # Same framework (the workshop's own copy), same team.
    assert new.framework() == old.framework()
    assert [(p.name, p.agency) for p in new.participants()] == [
        (p.name, p.agency) for p in old.participants()
    ]
    # Every indicator not started with no grade; last cycle's agreed grade is the previous one.
    old_grades = {e.indicator_code: e.grade for e in old.evaluations()}
    for s in new.overview():
        assert (s.status, s.grade) == ("not_started", None)
        ev = new.evaluation(s.code)
        assert ev.previous_grade == old_grades.get(s.code)
        assert ev.proposed_grades == [] and ev.dissent == "" and ev.dissents == []
        assert ev.how_good_now == "" and ev.strengths == []
    assert result.previous_grades == sum(1 for g in old_grades.values() if g is not None) == 12
    # Evidence carried with its dates and links, so stale items show their age.
    assert [(e.ref, e.title, e.date, e.indicators) for e in new.evidence()] == [
        (e.ref, e.title, e.date, e.indicators) for e in old.evidence()
    ]
    last_met = max(s.date for s in old.sessions())
    stale = sum(1 for e in old.evidence() if e.date and e.date <= last_met)
    assert stale and result.evidence_from_last_cycle == stale
    assert f"are dated on or before {last_met}" in result.summary()
    # Open actions carried with their progress; completed and dropped ones left behind…
    open_old = [a for a in old.actions() if a.status in ("not_started", "in_progress")]
    assert [(a.ref, a.status, a.monitoring, a.due) for a in new.actions()] == [
        (a.ref, a.status, a.monitoring, a.due) for a in open_old
    ]
    closed_old = [a for a in old.actions() if a.status in ("complete", "dropped")]
    assert closed_old and result.closed_actions == len(closed_old)
    # …but listed as what was achieved, with the link to the workshop it came from.
    prev = previous_cycle(new)
    assert prev is not None
    assert (prev.id, prev.title, prev.partnership) == (d_old.id, d_old.title, d_old.partnership)
    assert prev.date == max(s.date for s in old.sessions())
    assert sorted((a.ref, a.status) for a in prev.closed_actions) == sorted(
        (a.ref, a.status) for a in closed_old
    )
    assert previous_cycle(old) is None


def test_the_new_workshop_starts_a_hidden_round(next_of_demo) -> None:
    from carequal_desktop.services.grading import GradingService

    _old, new, _result = next_of_demo
    assert GradingService(new).view("5.3").hidden
    assert GradingService(new).view("4.1").hidden


def test_the_link_and_closed_actions_round_trip_through_exchange_json(
    next_of_demo, workshops
) -> None:
    _old, new, _result = next_of_demo
    first = export_document(new)
    assert first["workshop"]["previous_cycle"]["closed_actions"]
    assert export_document(workshops.imported(first)) == first


def test_a_newer_framework_maps_indicators_by_code(demo_service, tmp_path) -> None:
    result = start_next_cycle(
        demo_service, tmp_path / "Next.carequal", framework="qf-2012", title="Strathcairn 2027"
    )
    new = WorkshopService.open(result.path)
    try:
        assert new.framework().id == "qf-2012"
        codes = {i.code for i in new.framework().indicators}
        old_grades = {e.indicator_code: e.grade for e in demo_service.evaluations()}
        for code in codes:
            assert new.evaluation(code).previous_grade == old_grades.get(code)
        assert result.unmatched_indicators == sorted(
            (c for c, g in old_grades.items() if g is not None and c not in codes),
            key=lambda c: [int(x) for x in c.split(".")],
        )
        assert result.unmatched_indicators and "not carried" in result.warnings[0]
        assert all(set(e.indicators) <= codes for e in new.evidence())
        assert all(set(a.indicators) <= codes for a in new.actions())
    finally:
        new.close()


def test_the_exchange_example_starts_a_cycle(example_service, tmp_path) -> None:
    result = start_next_cycle(example_service, tmp_path / "Glenmuir next.carequal")
    new = WorkshopService.open(result.path)
    try:
        assert new.evaluation("5.2").previous_grade == example_service.evaluation("5.2").grade
        assert new.evaluation("5.2").grade is None
        assert previous_cycle(new).title == example_service.details().title
        assert len(new.participants()) == len(example_service.participants())
    finally:
        new.close()


def test_refusals(demo_service, tmp_path) -> None:
    target = tmp_path / "Next.carequal"
    target.write_bytes(b"already here")
    with pytest.raises(TargetExistsError):
        start_next_cycle(demo_service, target)
    assert target.read_bytes() == b"already here"
    with pytest.raises(UserError, match="no built-in framework"):
        start_next_cycle(demo_service, tmp_path / "x.carequal", framework="qf-1999")
    assert not (tmp_path / "x.carequal").exists()


@pytest.mark.files_only
def test_the_new_file_must_be_another_file(demo_service) -> None:
    with pytest.raises(UserError, match="different file"):
        start_next_cycle(demo_service, demo_service.path, overwrite=True)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Glenmuir 2026", "Glenmuir 2027"),
        ("Glenmuir 2019 review", "Glenmuir 2026 review"),
        ("Glenmuir", "Glenmuir (next cycle)"),
    ],
)
def test_suggested_title(title, expected) -> None:
    assert suggested_title(title, dt.date(2026, 6, 1)) == expected


def test_cli_new_cycle(demo_service, workshops, tmp_path, capsys) -> None:
    source = workshops.address(demo_service)
    demo_service.close()
    target = tmp_path / "Next.carequal"
    assert main(["new-cycle", str(source), str(target), "--title", "Strathcairn 2027"]) == 0
    out = capsys.readouterr().out
    assert f"New workshop written to {target}" in out and "3 completed or dropped" in out
    new = WorkshopService.open(target, read_only=True)
    try:
        assert new.details().title == "Strathcairn 2027"
    finally:
        new.close()
    # A user's mistake exits 2 with one sentence on stderr.
    assert main(["new-cycle", str(source), str(target)]) == 2
    assert "already exists; add --force" in capsys.readouterr().err
    assert (
        main(["new-cycle", str(tmp_path / "missing.carequal"), str(tmp_path / "y.carequal")]) == 2
    )
    assert main(["new-cycle", str(source), str(tmp_path / "z.carequal"), "--framework", "x"]) == 2
    assert "no built-in framework" in capsys.readouterr().err
    assert main(["new-cycle", str(source), str(target), "--force", "--framework", "qf-2012"]) == 0
    err = capsys.readouterr().err
    assert "warning: These indicators are not in the new framework" in err
    assert "Traceback" not in err
