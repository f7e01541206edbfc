"""The rules for proposed grades: range, median, disagreement, change since the last cycle."""

from __future__ import annotations

import pytest

from carequal_desktop.domain.grading import (
    agencies_still_to_propose,
    change_words,
    disagreement_sentence,
    median_words,
    range_words,
    spread_of,
)

LABELS = {1: "Unsatisfactory", 2: "Weak", 3: "Adequate", 4: "Good", 5: "Very good", 6: "Excellent"}


def test_no_grades_is_no_disagreement() -> None:
    s = spread_of([])
    assert (s.lowest, s.highest, s.median, s.spread, s.disagreement) == (
        None,
        None,
        None,
        None,
        False,
    )
    assert range_words(s, LABELS) == ""
    assert disagreement_sentence(s) == ""


def test_distribution_range_and_median() -> None:
    s = spread_of([5, 4, 4, 6, 4])
    assert s.grades == (4, 4, 4, 5, 6)
    assert s.counts == ((4, 3), (5, 1), (6, 1))
    assert (s.lowest, s.highest, s.spread, s.median) == (4, 6, 2, 4.0)
    assert range_words(s, LABELS) == "4 Good to 6 Excellent"
    assert median_words(s.median, LABELS) == "4 Good"


def test_median_between_two_grades_is_said_in_words() -> None:
    s = spread_of([3, 4])
    assert s.median == 3.5
    assert median_words(s.median, LABELS) == "between 3 Adequate and 4 Good"


@pytest.mark.parametrize(
    ("grades", "wide", "crosses", "disagreement"),
    [
        ([4, 4, 4], False, False, False),
        ([4, 5], False, False, False),  # one apart, both good or better
        ([2, 3], False, False, False),  # one apart, both adequate or lower
        ([3, 4], False, True, True),  # one apart, but either side of adequate/good
        ([4, 6], True, False, True),  # two apart
        ([1, 3], True, False, True),
        ([2, 5, 4], True, True, True),
        ([6], False, False, False),
    ],
)
def test_disagreement(grades, wide, crosses, disagreement) -> None:
    s = spread_of(grades)
    assert (s.wide, s.crosses_boundary, s.disagreement) == (wide, crosses, disagreement)
    assert bool(disagreement_sentence(s)) == disagreement


def test_disagreement_says_why_in_words() -> None:
    text = disagreement_sentence(spread_of([2, 5]))
    assert text.startswith("Disagreement: ")
    assert "3 grades apart" in text
    assert "adequate or lower and some good or better" in text
    assert text.endswith("Talk it through before agreeing a grade.")


def test_all_the_same_grade_reads_as_all() -> None:
    assert range_words(spread_of([4, 4]), LABELS) == "all 4 Good"


@pytest.mark.parametrize(
    ("previous", "current", "words"),
    [(3, 4, "▲ up 1"), (5, 3, "▼ down 2"), (4, 4, "= same"), (None, 4, ""), (4, None, "")],
)
def test_change_since_the_previous_cycle(previous, current, words) -> None:
    assert change_words(previous, current) == words


def test_agencies_still_to_propose_ignores_case_and_spaces() -> None:
    expected = ["NHS Glenmuir", "Police Scotland", "SCRA"]
    assert agencies_still_to_propose(expected, ["police scotland ", "NHS Glenmuir"]) == ["SCRA"]
