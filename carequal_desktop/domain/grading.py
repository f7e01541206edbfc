"""Rules for a team's proposed grades: the distribution, its range and median, and when the
spread of views is wide enough to call *disagreement*.

Each agency (or member) proposes a grade before the team agrees one. The team should talk
before agreeing when the proposals spread over two or more grades, or fall on both sides of
the line between *adequate* (3) and *good* (4): that line separates "strengths just outweigh
weaknesses" from "important strengths", and inspectors read it as the line that matters.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Grades at or below this are "adequate or lower"; above it "good or better".
ADEQUATE_GOOD_BOUNDARY = 3
# A spread (highest minus lowest) this wide or wider is disagreement.
WIDE_SPREAD = 2


@dataclass(frozen=True)
class GradeSpread:
    """What a set of proposed grades looks like, and whether it needs talking through."""

    grades: tuple[int, ...]
    lowest: int | None
    highest: int | None
    median: float | None
    counts: tuple[tuple[int, int], ...]  # (grade, how many), lowest grade first
    wide: bool  # spread of WIDE_SPREAD or more
    crosses_boundary: bool  # some adequate or lower, some good or better

    @property
    def spread(self) -> int | None:
        """Highest minus lowest, or None with no grades."""
        if self.lowest is None or self.highest is None:
            return None
        return self.highest - self.lowest

    @property
    def disagreement(self) -> bool:
        return self.wide or self.crosses_boundary

    @property
    def count(self) -> int:
        return len(self.grades)


def spread_of(grades: Iterable[int]) -> GradeSpread:
    """The distribution, range, median and disagreement flags of some proposed grades."""
    values = tuple(sorted(int(g) for g in grades))
    if not values:
        return GradeSpread((), None, None, None, (), False, False)
    lowest, highest = values[0], values[-1]
    return GradeSpread(
        grades=values,
        lowest=lowest,
        highest=highest,
        median=float(statistics.median(values)),
        counts=tuple(sorted(Counter(values).items())),
        wide=highest - lowest >= WIDE_SPREAD,
        crosses_boundary=lowest <= ADEQUATE_GOOD_BOUNDARY < highest,
    )


def grade_words(value: int, labels: dict[int, str]) -> str:
    """ "4 Good", or just "4" for a grade the scale has no label for."""
    label = labels.get(value)
    return f"{value} {label}" if label else str(value)


def median_words(median: float, labels: dict[int, str]) -> str:
    """ "4 Good", or "between 3 Adequate and 4 Good" for a median that falls between grades."""
    if median == int(median):
        return grade_words(int(median), labels)
    low, high = int(median), int(median) + 1
    return f"between {grade_words(low, labels)} and {grade_words(high, labels)}"


def range_words(spread: GradeSpread, labels: dict[int, str]) -> str:
    """ "3 Adequate to 5 Very good", "all 4 Good", or "" with no grades."""
    if spread.lowest is None or spread.highest is None:
        return ""
    if spread.lowest == spread.highest:
        return f"all {grade_words(spread.lowest, labels)}"
    return f"{grade_words(spread.lowest, labels)} to {grade_words(spread.highest, labels)}"


def disagreement_reasons(spread: GradeSpread) -> list[str]:
    """Why the spread counts as disagreement, in words (empty when it does not)."""
    reasons = []
    if spread.wide and spread.spread is not None:
        reasons.append(f"the proposed grades are {spread.spread} grades apart")
    if spread.crosses_boundary:
        reasons.append("some are adequate or lower and some good or better")
    return reasons


def disagreement_sentence(spread: GradeSpread) -> str:
    """One sentence for the room: "Disagreement: … Talk it through before agreeing a grade." """
    reasons = disagreement_reasons(spread)
    if not reasons:
        return ""
    return "Disagreement: " + " and ".join(reasons) + ". Talk it through before agreeing a grade."


def change_between(previous: int | None, current: int | None) -> int | None:
    """How far a grade moved since the previous cycle (positive is up), or None if unknown."""
    if previous is None or current is None:
        return None
    return current - previous


def change_words(previous: int | None, current: int | None) -> str:
    """ "▲ up 1", "▼ down 2", "= same", or "" when either grade is missing."""
    change = change_between(previous, current)
    if change is None:
        return ""
    if change > 0:
        return f"▲ up {change}"
    if change < 0:
        return f"▼ down {-change}"
    return "= same"


def agencies_still_to_propose(expected: Sequence[str], proposed: Iterable[str]) -> list[str]:
    """The expected agencies (in their order) that have not yet proposed a grade."""
    given = {a.strip().casefold() for a in proposed}
    return [a for a in expected if a.strip().casefold() not in given]
