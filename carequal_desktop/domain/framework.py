"""A quality framework as data: statements, indicators, the evaluation scale.

Frameworks ship as JSON in ``resources/frameworks`` in the exchange format's framework
shape, and each workshop keeps its own copy, which the facilitator may correct.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from carequal_desktop.resources import resource_path

DEFAULT_FRAMEWORK_ID = "qf-2019"

BUILTIN_FRAMEWORK_FILES: dict[str, str] = {
    "qf-2019": "qf2019.json",
    "qf-2012": "qf2012.json",
}


@dataclass(frozen=True)
class Statement:
    number: int
    text: str


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    key_question: str = ""
    area: str = ""
    statements: tuple[int, ...] = ()
    prompts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """ "5.2 Assessing risk and need" """
        return f"{self.code} {self.title}"


@dataclass(frozen=True)
class ScaleLevel:
    value: int
    label: str
    meaning: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    statements: tuple[Statement, ...]
    indicators: tuple[Indicator, ...]
    scale: tuple[ScaleLevel, ...] = field(default=())

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def level(self, value: int) -> ScaleLevel | None:
        for lvl in self.scale:
            if lvl.value == value:
                return lvl
        return None

    def statement(self, number: int) -> Statement | None:
        for st in self.statements:
            if st.number == number:
                return st
        return None

    def indicators_for_statement(self, number: int) -> list[Indicator]:
        return [ind for ind in self.indicators if number in ind.statements]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Framework:
        """Build from the exchange format's framework object."""
        return cls(
            id=data["id"],
            title=data["title"],
            statements=tuple(Statement(s["number"], s["text"]) for s in data["statements"]),
            indicators=tuple(
                Indicator(
                    code=i["code"],
                    title=i["title"],
                    key_question=i.get("key_question", ""),
                    area=i.get("area", ""),
                    statements=tuple(i.get("statements", ())),
                    prompts=tuple(i.get("prompts", ())),
                )
                for i in data["indicators"]
            ),
            scale=tuple(
                ScaleLevel(s["value"], s["label"], s.get("meaning", "")) for s in data["scale"]
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The exchange format's framework object."""
        return {
            "id": self.id,
            "title": self.title,
            "statements": [{"number": s.number, "text": s.text} for s in self.statements],
            "indicators": [
                {
                    "code": i.code,
                    "title": i.title,
                    "key_question": i.key_question,
                    "area": i.area,
                    "statements": list(i.statements),
                    "prompts": list(i.prompts),
                }
                for i in self.indicators
            ],
            "scale": [
                {"value": s.value, "label": s.label, "meaning": s.meaning} for s in self.scale
            ],
        }


def builtin_framework_ids() -> list[tuple[str, str]]:
    """(id, title) of each framework shipped with the app, the default first."""
    return [(fid, load_builtin(fid).title) for fid in BUILTIN_FRAMEWORK_FILES]


def load_builtin(framework_id: str = DEFAULT_FRAMEWORK_ID) -> Framework:
    """Load a shipped framework by id."""
    try:
        filename = BUILTIN_FRAMEWORK_FILES[framework_id]
    except KeyError:
        raise KeyError(f"No framework with id {framework_id!r} is shipped.") from None
    with resource_path("frameworks", filename).open(encoding="utf-8") as fh:
        return Framework.from_dict(json.load(fh))


def indicator_sort_key(code: str) -> tuple[int, ...]:
    """Sort "10.1" after "9.4"."""
    return tuple(int(part) for part in code.split("."))
