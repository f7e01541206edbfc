"""Use cases of the facilitation mode: the agenda and its timers, the parking lot, quick
notes, and the text size remembered per workshop.

Each call is one transaction on the workshop's file, through the ``WorkshopService`` it is
given; parked points are turned into actions or evidence through that service's own calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import UserError
from carequal_desktop.services.positions import next_position
from carequal_desktop.services.values import new_id, now_iso
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.tables import MAX_INTEGER, AgendaItemRow, Meta, ParkingItemRow

ZOOM_KEY = "text_zoom"
FACILITATION_ZOOM_KEY = "facilitation_text_zoom"
ZOOM_STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.4, 2.8)
DEFAULT_FACILITATION_ZOOM = 1.6
DEFAULT_MINUTES = 20

PARKED = "parked"
NOTE = "note"
BECOMES = {
    "": "Not sorted yet",
    "action": "Became an action",
    "evidence": "Evidence to find",
    "indicator": "Moved to another indicator",
    "done": "Dealt with",
}


@dataclass(frozen=True)
class AgendaItem:
    """A slot of the agenda: its title, the indicator it covers (if any), time planned and used."""

    id: str
    position: int
    title: str
    indicator_code: str | None
    minutes: int
    spent_seconds: int

    @property
    def over_seconds(self) -> int:
        """Seconds past the planned time (0 while within it)."""
        return max(0, self.spent_seconds - self.minutes * 60)


@dataclass(frozen=True)
class ParkingItem:
    """A parked point or a quick note."""

    id: str
    position: int
    kind: str
    text: str
    raised_by: str
    raised_at: str | None
    becomes: str
    target: str | None
    created: str

    @property
    def sorted(self) -> bool:
        return bool(self.becomes)


def _agenda(row: AgendaItemRow) -> AgendaItem:
    return AgendaItem(
        row.id, row.position, row.title, row.indicator_code, row.minutes, row.spent_seconds
    )


def _parking(row: ParkingItemRow) -> ParkingItem:
    return ParkingItem(
        row.id,
        row.position,
        row.kind,
        row.text,
        row.raised_by,
        row.raised_at,
        row.becomes,
        row.target,
        row.created,
    )


def _known(workshop: WorkshopService, code: str) -> None:
    try:
        workshop.framework().indicator(code)
    except KeyError:
        raise UserError(f"This workshop has no indicator {code}.") from None


def _check_minutes(minutes: int) -> int:
    if not 1 <= minutes <= 600:
        raise UserError("An agenda item's time must be between 1 and 600 minutes.")
    return minutes


class Facilitation:
    """The facilitation mode's data in one workshop file."""

    def __init__(self, workshop: WorkshopService) -> None:
        self.workshop = workshop

    # ---------------------------------------------------------------- agenda

    def agenda(self) -> list[AgendaItem]:
        with self.workshop.db.reading() as s:
            rows = s.exec(select(AgendaItemRow).order_by(col(AgendaItemRow.position))).all()
            return [_agenda(r) for r in rows]

    def add_agenda_item(
        self, title: str, *, minutes: int = DEFAULT_MINUTES, indicator_code: str | None = None
    ) -> AgendaItem:
        """Add a slot at the end of the agenda."""
        title = one_line(for_storage(title))
        if not title:
            raise UserError("Give the agenda item a title.")
        if indicator_code is not None:
            _known(self.workshop, indicator_code)
        with self.workshop.db.transaction() as s:
            position = next_position(s, AgendaItemRow.position)
            row = AgendaItemRow(
                id=new_id(),
                position=position,
                title=title,
                indicator_code=indicator_code,
                minutes=_check_minutes(minutes),
                updated=now_iso(),
            )
            s.add(row)
            return _agenda(row)

    def agenda_from_indicators(self, minutes: int = DEFAULT_MINUTES) -> list[AgendaItem]:
        """An agenda with one slot per indicator, in framework order (when there is none yet)."""
        if self.agenda():
            return self.agenda()
        for ind in self.workshop.framework().indicators:
            self.add_agenda_item(ind.label, minutes=minutes, indicator_code=ind.code)
        return self.agenda()

    def update_agenda_item(
        self, item_id: str, *, title: str | None = None, minutes: int | None = None
    ) -> None:
        values: dict[str, object] = {"updated": now_iso()}
        if title is not None:
            title = one_line(for_storage(title))
            if not title:
                raise UserError("Give the agenda item a title.")
            values["title"] = title
        if minutes is not None:
            values["minutes"] = _check_minutes(minutes)
        self._update(AgendaItemRow, item_id, values)

    def record_time(self, item_id: str, spent_seconds: int) -> None:
        """Save the time used so far on an agenda item (at most what every engine holds)."""
        seconds = min(max(0, spent_seconds), MAX_INTEGER)
        self._update(AgendaItemRow, item_id, {"spent_seconds": seconds, "updated": now_iso()})

    def delete_agenda_item(self, item_id: str) -> None:
        self.workshop.db.delete_row(AgendaItemRow, item_id)

    # ----------------------------------------------------------- parking lot

    def parking_lot(self, *, kind: str | None = None) -> list[ParkingItem]:
        """Parked points and notes, oldest first; only one ``kind`` if given."""
        with self.workshop.db.reading() as s:
            query = select(ParkingItemRow).order_by(col(ParkingItemRow.position))
            if kind is not None:
                query = query.where(col(ParkingItemRow.kind) == kind)
            return [_parking(r) for r in s.exec(query).all()]

    def park(
        self, text: str, *, raised_by: str = "", raised_at: str | None = None, kind: str = PARKED
    ) -> ParkingItem:
        """Park a point raised in the room (or capture a quick note, ``kind="note"``)."""
        text = for_storage(text).strip()
        if not text:
            raise UserError("Type the point to park first.")
        if kind not in (PARKED, NOTE):
            raise UserError(f"“{kind}” is not a kind of parked item.")
        stamp = now_iso()
        with self.workshop.db.transaction() as s:
            position = next_position(s, ParkingItemRow.position)
            row = ParkingItemRow(
                id=new_id(),
                position=position,
                kind=kind,
                text=text,
                raised_by=one_line(for_storage(raised_by)),
                raised_at=raised_at,
                created=stamp,
                updated=stamp,
            )
            s.add(row)
            return _parking(row)

    def parked_item(self, item_id: str) -> ParkingItem:
        with self.workshop.db.reading() as s:
            row = s.get(ParkingItemRow, item_id)
            if row is None:
                raise UserError("That parked point no longer exists.")
            return _parking(row)

    def make_action(self, item_id: str, indicator_code: str | None = None) -> str:
        """Turn a parked point into an improvement action; returns the action's reference."""
        item = self.parked_item(item_id)
        code = indicator_code or item.raised_at
        statements = self.workshop.framework().indicator(code).statements if code else []
        action = self.workshop.add_action(
            item.text,
            statement=statements[0] if statements else None,
            indicators=[code] if code else [],
        )
        self._sorted(item_id, "action", action.ref)
        return action.ref

    def make_evidence_to_find(self, item_id: str, indicator_code: str | None = None) -> str:
        """Add the point to the evidence register as something to find; returns its reference."""
        item = self.parked_item(item_id)
        code = indicator_code or item.raised_at
        who = f" Raised by {item.raised_by}." if item.raised_by else ""
        evidence = self.workshop.add_evidence(
            item.text[:200],
            "other",
            indicators=[code] if code else [],
            description=f"To find: raised in the workshop.{who}",
        )
        self._sorted(item_id, "evidence", evidence.ref)
        return evidence.ref

    def move_to_indicator(self, item_id: str, indicator_code: str) -> None:
        """Move the point to another indicator, where it shows when that one is discussed."""
        _known(self.workshop, indicator_code)
        self._sorted(item_id, "indicator", indicator_code)

    def mark_done(self, item_id: str) -> None:
        self._sorted(item_id, "done", None)

    def reopen(self, item_id: str) -> None:
        self._sorted(item_id, "", None)

    def parked_for(self, indicator_code: str) -> list[ParkingItem]:
        """Points moved to this indicator from elsewhere, still to discuss."""
        return [
            p for p in self.parking_lot() if p.becomes == "indicator" and p.target == indicator_code
        ]

    def delete_parked(self, item_id: str) -> None:
        self.workshop.db.delete_row(ParkingItemRow, item_id)

    def _sorted(self, item_id: str, becomes: str, target: str | None) -> None:
        self._update(
            ParkingItemRow, item_id, {"becomes": becomes, "target": target, "updated": now_iso()}
        )

    # ------------------------------------------------------------ text size

    def zoom(self, *, facilitating: bool = False) -> float:
        """The text size remembered for this workshop (1.0 = the system's)."""
        key = FACILITATION_ZOOM_KEY if facilitating else ZOOM_KEY
        with self.workshop.db.reading() as s:
            row = s.get(Meta, key)
        try:
            value = float(row.value) if row is not None else None
        except ValueError:
            value = None
        if value is None or not ZOOM_STEPS[0] <= value <= ZOOM_STEPS[-1]:
            return DEFAULT_FACILITATION_ZOOM if facilitating else 1.0
        return value

    def set_zoom(self, value: float, *, facilitating: bool = False) -> None:
        """Remember the text size in the file (not on a read-only workshop)."""
        if self.workshop.read_only:
            return
        key = FACILITATION_ZOOM_KEY if facilitating else ZOOM_KEY
        with self.workshop.db.transaction() as s:
            s.merge(Meta(key=key, value=f"{value:g}"))

    # ------------------------------------------------------------- helpers

    def _update(
        self,
        table: type[AgendaItemRow] | type[ParkingItemRow],
        item_id: str,
        values: dict[str, object],
    ) -> None:
        values.pop("updated", None)  # the store stamps the change itself
        self.workshop.db.update_row(table, item_id, values)


def step_zoom(current: float, step: int) -> float:
    """The next text size up (+1) or down (-1) from ``current``."""
    if step > 0:
        return next((z for z in ZOOM_STEPS if z > current + 1e-6), ZOOM_STEPS[-1])
    return next((z for z in reversed(ZOOM_STEPS) if z < current - 1e-6), ZOOM_STEPS[0])
