"""Grading as a multi-agency team: each agency's view first, then the agreed grade.

Each agency (or member) proposes a grade with a short note. In the room the proposals stay
hidden until they are revealed together, so nobody anchors on the first voice; then the
distribution, range and median show, with disagreement flagged (``domain.grading``). The team
agrees a grade, says why, and records any dissent in the agency's own words.

Everything is stored through ``WorkshopService.update_evaluation``: one transaction per call.
Dissent not attributed to an agency (and all dissent in files from before dissent per agency)
is the evaluation's ``dissent`` text; it is shown as a dissent with no agency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.grading import (
    GradeSpread,
    agencies_still_to_propose,
    change_between,
    spread_of,
)
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import EditCollisionError, UserError
from carequal_desktop.store.tables import EvaluationRow

if TYPE_CHECKING:  # pragma: no cover
    from carequal_desktop.services.workshop import WorkshopService

NOTE_LIMIT = 500
# A list edit re-reads and re-applies itself when a colleague saved the list meanwhile.
LIST_EDIT_ATTEMPTS = 3


@dataclass(frozen=True)
class Proposer:
    """Someone who can propose a grade: an agency, or one member of the team."""

    agency: str
    participant: str | None = None  # participant id
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.agency})" if self.participant else self.agency


@dataclass
class GradingView:
    """Everything the grading panel shows for one indicator."""

    code: str
    status: str
    proposals: list[rec.ProposedGrade]
    hidden: bool
    expected_agencies: list[str]
    missing_agencies: list[str]
    spread: GradeSpread
    agreed: int | None
    previous: int | None
    rationale: str
    dissents: list[rec.Dissent] = field(default_factory=list)
    proposers: list[Proposer] = field(default_factory=list)

    @property
    def all_in(self) -> bool:
        return bool(self.proposals) and not self.missing_agencies


@dataclass(frozen=True)
class GradingRow:
    """One indicator's line in the overview: agreed grade, spread, disagreement, change."""

    code: str
    agreed: int | None
    previous: int | None
    proposals: int
    hidden: bool
    spread: GradeSpread
    change: int | None


class GradingService:
    """Grading use cases on one open workshop."""

    def __init__(self, service: WorkshopService) -> None:
        self.service = service

    # ------------------------------------------------------------- reading

    def agencies(self, people: list[rec.Participant] | None = None) -> list[str]:
        """The team's agencies, in the order they first appear in the team."""
        seen: dict[str, str] = {}
        for p in self.service.participants() if people is None else people:
            seen.setdefault(p.agency.strip().casefold(), p.agency)
        return list(seen.values())

    def proposers(self, people: list[rec.Participant] | None = None) -> list[Proposer]:
        """Each agency, then each member, as the panel offers them."""
        people = self.service.participants() if people is None else people
        out = [Proposer(a) for a in self.agencies(people)]
        out.extend(Proposer(p.agency, p.id, p.name) for p in people)
        return out

    def view(self, code: str) -> GradingView:
        """One read of the evaluation and one of the team: all the panels need."""
        ev = self.service.evaluation(code)
        people = self.service.participants()
        expected = self.agencies(people)
        dissents = list(ev.dissents)
        if ev.dissent.strip():
            dissents.insert(0, rec.Dissent(agency="", text=ev.dissent))
        return GradingView(
            code=code,
            status=ev.status,
            proposals=list(ev.proposed_grades),
            # A round not yet begun starts hidden: no anchoring on the first voice.
            hidden=ev.proposals_hidden if ev.proposed_grades else True,
            expected_agencies=expected,
            missing_agencies=agencies_still_to_propose(
                expected, [p.agency for p in ev.proposed_grades]
            ),
            spread=spread_of(p.grade for p in ev.proposed_grades),
            agreed=ev.grade,
            previous=ev.previous_grade,
            rationale=ev.rationale,
            dissents=dissents,
            proposers=self.proposers(people),
        )

    def overview(self) -> dict[str, GradingRow]:
        """Agreed grade, spread and change for every indicator with an evaluation."""
        rows = {}
        for ev in self.service.evaluations():
            rows[ev.indicator_code] = GradingRow(
                code=ev.indicator_code,
                agreed=ev.grade,
                previous=ev.previous_grade,
                proposals=len(ev.proposed_grades),
                hidden=ev.proposals_hidden and bool(ev.proposed_grades),
                spread=spread_of(p.grade for p in ev.proposed_grades),
                change=change_between(ev.previous_grade, ev.grade),
            )
        return rows

    # ------------------------------------------------------------- writing

    def _stored(self, code: str, column: str) -> str | None:
        """The list column exactly as stored (None when the indicator has no row yet)."""
        with self.service.db.reading() as s:
            value: str | None = s.exec(
                select(getattr(EvaluationRow, column)).where(
                    col(EvaluationRow.indicator_code) == code
                )
            ).first()
        return value

    def _edit_list(
        self, code: str, column: str, change: Callable[[rec.Evaluation], dict[str, Any] | None]
    ) -> None:
        """Apply ``change`` to the freshly read evaluation and save it only if ``column`` still
        holds what was read: a colleague's proposal or dissent saved meanwhile (on a server)
        is kept, and this edit is applied again on top of it.
        """
        for attempt in range(LIST_EDIT_ATTEMPTS):
            stored = self._stored(code, column)  # before the evaluation: a stale read is safe
            values = change(self.service.evaluation(code))
            if values is None:
                return
            # No row yet: the edit starts from the empty list a new row holds, so a
            # colleague's first proposal saved meanwhile is seen as a collision, not lost.
            expected = {column: "[]" if stored is None else stored}
            try:
                self.service.update_evaluation(code, expected=expected, **values)
                return
            except EditCollisionError:
                if attempt == LIST_EDIT_ATTEMPTS - 1:
                    raise

    def _check_grade(self, grade: int) -> int:
        if self.service.framework().level(int(grade)) is None:
            raise UserError(f"{grade} is not a grade on this workshop's scale.")
        return int(grade)

    def _started(self, ev: rec.Evaluation) -> dict[str, Any]:
        return {"status": "in_progress"} if ev.status == "not_started" else {}

    def record_proposal(
        self,
        code: str,
        agency: str,
        grade: int,
        note: str = "",
        participant: str | None = None,
        *,
        hidden: bool | None = None,
    ) -> None:
        """Record (or replace) one agency's or member's proposed grade with a short note.

        The first proposal starts the round hidden unless ``hidden`` says otherwise; later
        ones keep the round's state.
        """
        agency = one_line(for_storage(agency))
        if not agency:
            raise UserError("Say which agency proposes the grade.")
        grade = self._check_grade(grade)
        note = one_line(for_storage(note), NOTE_LIMIT)
        mine = _key(agency, participant)
        new = rec.ProposedGrade(agency=agency, grade=grade, participant=participant, note=note)

        def change(ev: rec.Evaluation) -> dict[str, Any]:
            keys = [_key(p.agency, p.participant) for p in ev.proposed_grades]
            proposals = list(ev.proposed_grades)
            if mine in keys:  # a replaced proposal keeps its place in the list
                proposals[keys.index(mine)] = new
            else:
                proposals.append(new)
            round_hidden = hidden
            if round_hidden is None:
                round_hidden = ev.proposals_hidden if ev.proposed_grades else True
            return {
                "proposed_grades": proposals,
                "proposals_hidden": round_hidden,
                **self._started(ev),
            }

        self._edit_list(code, "proposed_grades", change)

    def remove_proposal(self, code: str, agency: str, participant: str | None = None) -> None:
        mine = _key(agency, participant)

        def change(ev: rec.Evaluation) -> dict[str, Any] | None:
            kept = [p for p in ev.proposed_grades if _key(p.agency, p.participant) != mine]
            return None if len(kept) == len(ev.proposed_grades) else {"proposed_grades": kept}

        self._edit_list(code, "proposed_grades", change)

    def set_hidden(self, code: str, hidden: bool) -> None:
        """Hide the proposed grades from the room, or reveal them all together."""
        self.service.update_evaluation(code, proposals_hidden=hidden)

    def reveal(self, code: str) -> None:
        self.set_hidden(code, False)

    def agree(self, code: str, grade: int | None, rationale: str | None = None) -> None:
        """Record the grade the team agreed (None: not yet graded) and, if given, why."""
        values: dict[str, Any] = {"grade": None if grade is None else self._check_grade(grade)}
        if rationale is not None:
            values["rationale"] = rationale
        ev = self.service.evaluation(code)
        self.service.update_evaluation(code, **values, **self._started(ev))

    def set_dissent(
        self, code: str, agency: str, text: str, participant: str | None = None
    ) -> None:
        """Record one agency's dissent in its own words; empty text removes it.

        ``agency`` "" is the dissent not attributed to an agency.
        """
        agency = one_line(for_storage(agency))
        text = for_storage(text).strip()
        if not agency:
            self.service.update_evaluation(code, dissent=text)
            return
        mine = _key(agency, participant)
        new = _dissent_dict(rec.Dissent(agency=agency, text=text, participant=participant))

        def change(ev: rec.Evaluation) -> dict[str, Any] | None:
            items = [_dissent_dict(d) for d in ev.dissents]
            keys = [_key(d.agency, d.participant) for d in ev.dissents]
            if mine in keys:
                if text:
                    items[keys.index(mine)] = new
                else:
                    del items[keys.index(mine)]
            elif text:
                items.append(new)
            else:
                return None
            return {"dissents": items}

        self._edit_list(code, "dissents", change)


def _key(agency: str, participant: str | None) -> tuple[str, str]:
    return (agency.strip().casefold(), (participant or "").lower())


def _dissent_dict(d: rec.Dissent) -> dict[str, Any]:
    out: dict[str, Any] = {"agency": d.agency}
    if d.participant:
        out["participant"] = d.participant
    out["text"] = d.text
    return out
