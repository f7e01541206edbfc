"""The workshop's own copy of its framework: statements, indicators and the scale.

Each workshop keeps a copy so the file stands alone; the facilitator can correct an
indicator's title, prompts and statement mapping without touching the shipped framework.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from carequal_desktop.domain.framework import Framework, Indicator, ScaleLevel, Statement
from carequal_desktop.domain.text import for_storage, one_line
from carequal_desktop.errors import UserError
from carequal_desktop.services.unit import WorkshopDb
from carequal_desktop.services.values import clean, new_id, now_iso
from carequal_desktop.store.tables import IndicatorRow, ScaleLevelRow, StatementRow, WorkshopRow


class FrameworkService:
    """Reads (and caches) the workshop's framework; corrects its indicators."""

    def __init__(self, db: WorkshopDb) -> None:
        self.db = db
        self._cached: Framework | None = None

    def framework(self) -> Framework:
        """The workshop's own copy of its framework (cached until edited)."""
        if self._cached is None:
            with self.db.reading() as s:
                ws = s.exec(select(WorkshopRow)).first()
                if ws is None:
                    raise UserError(f"“{self.db.name}” holds no workshop.")
                sts = s.exec(select(StatementRow).order_by(col(StatementRow.number))).all()
                inds = s.exec(select(IndicatorRow).order_by(col(IndicatorRow.position))).all()
                lvls = s.exec(select(ScaleLevelRow).order_by(col(ScaleLevelRow.value).desc())).all()
                self._cached = Framework(
                    id=ws.framework_id,
                    title=ws.framework_title,
                    statements=tuple(Statement(r.number, r.text) for r in sts),
                    indicators=tuple(
                        Indicator(
                            code=r.code,
                            title=r.title,
                            key_question=r.key_question,
                            area=r.area,
                            statements=tuple(json.loads(r.statements)),
                            prompts=tuple(json.loads(r.prompts)),
                        )
                        for r in inds
                    ),
                    scale=tuple(ScaleLevel(r.value, r.label, r.meaning) for r in lvls),
                )
        return self._cached

    def write(self, s: Session, fw: Framework, stamp: str) -> None:
        """Copy a whole framework into a new workshop, inside the caller's transaction."""
        s.exec(update(WorkshopRow).values(framework_id=fw.id, framework_title=fw.title))
        for st in fw.statements:
            s.add(StatementRow(id=new_id(), number=st.number, text=clean(st.text), updated=stamp))
        for pos, ind in enumerate(fw.indicators):
            s.add(
                IndicatorRow(
                    id=new_id(),
                    code=ind.code,
                    position=pos,
                    title=clean(ind.title),
                    key_question=clean(ind.key_question),
                    area=clean(ind.area),
                    statements=json.dumps(list(ind.statements)),
                    prompts=json.dumps([clean(p) for p in ind.prompts]),
                    updated=stamp,
                )
            )
        for lvl in fw.scale:
            s.add(
                ScaleLevelRow(
                    id=new_id(),
                    value=lvl.value,
                    label=clean(lvl.label),
                    meaning=clean(lvl.meaning),
                    updated=stamp,
                )
            )
        self._cached = None

    def has_indicator(self, code: str) -> bool:
        """Whether the workshop's framework has an indicator with this code."""
        return any(ind.code == code for ind in self.framework().indicators)

    def update_indicator(
        self,
        code: str,
        *,
        title: str | None = None,
        prompts: Iterable[str] | None = None,
        statements: Iterable[int] | None = None,
    ) -> None:
        """Correct an indicator's title, prompts or statement mapping in this workshop."""
        fw = self.framework()
        fw.indicator(code)  # raises KeyError for an unknown code
        values: dict[str, Any] = {}
        if title is not None:
            title = one_line(for_storage(title))
            if not title:
                raise UserError("An indicator needs a title.")
            values["title"] = title
        if prompts is not None:
            values["prompts"] = json.dumps([one_line(for_storage(p)) for p in prompts if p.strip()])
        if statements is not None:
            numbers = sorted({int(n) for n in statements})
            known = {st.number for st in fw.statements}
            if not set(numbers) <= known:
                raise UserError(
                    "An indicator can only be mapped to the four inspection statements."
                )
            values["statements"] = json.dumps(numbers)
        if not values:
            return
        stamp = now_iso()
        with self.db.transaction() as s:
            s.exec(
                update(IndicatorRow)
                .where(col(IndicatorRow.code) == code)
                .values(**values, updated=stamp)
            )
            self.db.touch(s, stamp)
        self._cached = None
