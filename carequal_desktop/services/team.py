"""The workshop itself, its sessions and its team: who took part, from which agency."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from carequal_desktop.domain import records as rec
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import EditCollisionError, UserError
from carequal_desktop.services.positions import next_position
from carequal_desktop.services.unit import WorkshopDb
from carequal_desktop.services.values import check_date, clean, new_id, now_iso
from carequal_desktop.store.tables import ParticipantRow, SessionRow, WorkshopRow

DETAIL_FIELDS = ("title", "partnership", "scope", "context", "facilitator")


class TeamService:
    """Workshop details, sessions and participants."""

    def __init__(self, db: WorkshopDb) -> None:
        self.db = db

    # ---------------------------------------------------------------- details

    def details(self) -> rec.WorkshopDetails:
        """The workshop's title, partnership, scope and context."""
        with self.db.reading() as s:
            row = s.exec(select(WorkshopRow)).first()
            if row is None:
                raise UserError(f"“{self.db.name}” holds no workshop.")
            return rec.WorkshopDetails(
                **{k: getattr(row, k) for k in rec.WorkshopDetails.__dataclass_fields__}
            )

    def update_details(self, *, expected: dict[str, str] | None = None, **fields: Any) -> None:
        """Change some of the workshop's details; title and partnership cannot be emptied.

        With ``expected`` (field -> the text the edit started from), a colleague's newer
        text is never replaced silently (EditCollisionError instead).
        """
        unknown = set(fields) - set(DETAIL_FIELDS)
        if unknown:
            raise ValueError(f"Unknown workshop fields: {sorted(unknown)}")
        values = {k: clean(v) for k, v in fields.items()}
        for key in ("title", "partnership", "facilitator"):
            if key in values:
                values[key] = one_line(values[key])
        for key in ("title", "partnership"):
            if key in values and not values[key]:
                raise UserError(f"The workshop's {key} cannot be empty.")
        stamp = now_iso()
        with self.db.transaction() as s:
            if expected:
                row = s.exec(select(WorkshopRow).with_for_update()).one()
                for key, base in expected.items():
                    current = getattr(row, key) if key in values else None
                    if current is not None and current not in (clean(base), values[key]):
                        raise EditCollisionError(
                            f"the workshop's {key}",
                            key,
                            base,
                            values[key],
                            current,
                            table="workshop",
                            key=row.id,
                        )
            s.exec(update(WorkshopRow).values(**values, updated=stamp))

    def extensions(self) -> dict[str, Any] | None:
        """What another tool or a later version added, carried through untouched."""
        with self.db.reading() as s:
            text = s.exec(select(WorkshopRow.extensions)).first()
        return None if text is None else dict(json.loads(text))

    # --------------------------------------------------------------- sessions

    def sessions(self) -> list[rec.Session]:
        """The workshop's sessions, in order."""
        with self.db.reading() as s:
            rows = s.exec(select(SessionRow).order_by(col(SessionRow.position))).all()
            return [rec.Session(r.id, r.date, r.place, r.notes, r.updated) for r in rows]

    def add_session(self, date: str, place: str = "", notes: str = "") -> rec.Session:
        """Add a session at the end of the list."""
        date = check_date(date, "A session's date") or ""
        if not date:
            raise UserError("A session needs a date.")
        stamp = now_iso()
        with self.db.transaction() as s:
            row = SessionRow(
                id=new_id(),
                position=next_position(s, SessionRow.position),
                date=date,
                place=one_line(for_storage(place)),
                notes=clean(notes),
                updated=stamp,
            )
            s.add(row)
            self.db.touch(s, stamp)
        return rec.Session(row.id, row.date, row.place, row.notes, row.updated)

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Change a session's date, place or notes."""
        values = {k: clean(v) for k, v in fields.items() if k in ("date", "place", "notes")}
        if "place" in values:
            values["place"] = one_line(values["place"])  # as when the session was added
        if "date" in values and not check_date(values["date"], "A session's date"):
            raise UserError("A session needs a date.")
        self.db.update_row(SessionRow, session_id, values)

    def delete_session(self, session_id: str) -> None:
        """Delete a session."""
        self.db.delete_row(SessionRow, session_id)

    # ----------------------------------------------------------- participants

    def participants(self) -> list[rec.Participant]:
        """The team, in the order they were added."""
        with self.db.reading() as s:
            rows = s.exec(select(ParticipantRow).order_by(col(ParticipantRow.position))).all()
            return [rec.Participant(r.id, r.name, r.agency, r.role, r.updated) for r in rows]

    def add_participant(self, name: str, agency: str, role: str = "") -> rec.Participant:
        """Add someone to the team."""
        name, agency, role = (one_line(for_storage(x)) for x in (name, agency, role))
        if not name or not agency:
            raise UserError("A participant needs a name and an agency.")
        stamp = now_iso()
        with self.db.transaction() as s:
            row = ParticipantRow(
                id=new_id(),
                position=next_position(s, ParticipantRow.position),
                name=name,
                agency=agency,
                role=role,
                updated=stamp,
            )
            s.add(row)
            self.db.touch(s, stamp)
        return rec.Participant(row.id, name, agency, role, stamp)

    def update_participant(self, participant_id: str, **fields: Any) -> None:
        """Change someone's name, agency or role."""
        values = {
            k: one_line(for_storage(v))
            for k, v in fields.items()
            if k in ("name", "agency", "role")
        }
        if any(not values.get(k, "x") for k in ("name", "agency")):
            raise UserError("A participant needs a name and an agency.")
        self.db.update_row(ParticipantRow, participant_id, values)

    def delete_participant(self, participant_id: str) -> None:
        """Remove someone from the team."""
        self.db.delete_row(ParticipantRow, participant_id)

    def agencies_summary(self) -> list[tuple[str, int]]:
        """(agency, number of participants), largest first."""
        counts: dict[str, int] = {}
        for p in self.participants():
            counts[p.agency] = counts.get(p.agency, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
