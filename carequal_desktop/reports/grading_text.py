"""The grading parts of the position statement (issue 10), kept apart from the main layout.

- where agencies differed: one sentence with the range of proposed grades and the dissent
  (``ExportOptions.include_agency_views``, on by default for internal drafts);
- the summary table: the previous cycle's grade beside the current one;
- a figure of previous against current grades (matplotlib, only when exporting);
- the previous self-evaluation this one follows, and an appendix of what its improvement plan
  achieved (the actions it completed or dropped).

``position_statement`` calls ``extend_model`` once the model is built, ``agency_view_blocks``
for each indicator, and the two ``render_*`` functions while laying the document out. Every
string here is made safe for Word with the statement's own cleaner.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carequal_desktop.domain.grading import median_words, range_words, spread_of
from carequal_desktop.services.new_cycle import PreviousCycle, previous_cycle

ACHIEVED_STATUS = {"complete": "Completed", "dropped": "Dropped"}


@dataclass
class ComparisonRow:
    """One indicator in the figure of previous against current grades."""

    code: str
    title: str
    previous: int | None
    current: int | None


@dataclass
class GradingParts:
    """What ``extend_model`` worked out, for the layout to place."""

    comparison: list[ComparisonRow] = field(default_factory=list)
    comparison_alt_text: str = ""
    previous: PreviousCycle | None = None
    achievements: Any = None  # position_statement.Table, or None
    achievements_letter: str = ""
    achievements_intro: str = ""


def _labels(fw: Any, clean: Any) -> dict[int, str]:
    return {lvl.value: clean.line(lvl.label) for lvl in fw.scale}


def agency_view_blocks(ev: Any, fw: Any, clean: Any) -> list[tuple[str, str]]:
    """Where agencies differed: one sentence with the range of proposed grades and the dissent.

    Hidden proposals (not yet revealed to the room) are left out.
    """
    if ev is None:
        return []
    labels = _labels(fw, clean)
    parts: list[str] = []
    shown = [] if ev.proposals_hidden else [p.grade for p in ev.proposed_grades]
    spread = spread_of(shown)
    if spread.lowest is not None and spread.lowest != spread.highest and spread.median is not None:
        parts.append(
            f"The agencies' proposed grades ranged from {range_words(spread, labels)} "
            f"(median {median_words(spread.median, labels)})"
        )
    dissents = []
    if ev.dissent.strip():
        dissents.append(f"a dissent was recorded: “{clean.line(ev.dissent)}”")
    for d in ev.dissents:
        text = clean.line(d.text)
        if text:
            dissents.append(f"{clean.line(d.agency)} dissented: “{text}”")
    if not parts and not dissents:
        return []
    sentence = "; ".join(parts + dissents)
    sentence = sentence[:1].upper() + sentence[1:]
    if not sentence.rstrip("”").endswith((".", "!", "?")):
        sentence += "."
    return [("Normal", sentence)]


def _fit(widths: list[int], total: int) -> list[int]:
    scaled = [w * total // sum(widths) for w in widths]
    scaled[-1] += total - sum(scaled)
    return scaled


def add_previous_grade_column(
    summary: Any, summaries: list[Any], evaluations: dict[str, Any], fw: Any, clean: Any
) -> None:
    """Put the previous cycle's grade beside the current one in the summary table."""
    if "Grade" not in summary.columns:
        return
    previous = {code: ev.previous_grade for code, ev in evaluations.items()}
    if not any(v is not None for v in previous.values()):
        return
    labels = _labels(fw, clean)
    at = summary.columns.index("Grade")
    summary.columns.insert(at, "Previous grade")
    widths = list(summary.widths)
    widths.insert(at, widths[at])
    summary.widths = _fit(widths, sum(summary.widths))
    for sm, row in zip(summaries, summary.rows, strict=True):
        value = previous.get(sm.code)
        row.insert(at, "—" if value is None else f"{value} {labels.get(value, '')}".strip())


def extend_model(
    model: Any, service: Any, evaluations: dict[str, Any], summaries: list[Any], clean: Any
) -> None:
    """Add the grading parts to a built statement model (see the module docstring)."""
    from carequal_desktop.reports.position_statement import Table, long_date

    fw = model.framework
    options = model.options
    parts = GradingParts()
    model.grading = parts
    labels = _labels(fw, clean)
    if options.include_grades:
        add_previous_grade_column(model.summary, summaries, evaluations, fw, clean)
        for sm in summaries:
            ev = evaluations.get(sm.code)
            prev = ev.previous_grade if ev else None
            if prev is not None or sm.grade is not None:
                parts.comparison.append(
                    ComparisonRow(sm.code, " ".join(clean.line(sm.title).split()), prev, sm.grade)
                )
        if not any(r.previous is not None for r in parts.comparison):
            parts.comparison = []
        described = [
            f"{r.code}: previous {_words(r.previous, labels)}, now {_words(r.current, labels)}"
            for r in parts.comparison
        ]
        parts.comparison_alt_text = (
            "Chart of each quality indicator's grade in the previous self-evaluation beside its "
            "grade now. " + "; ".join(described) + "."
        )

    parts.previous = previous_cycle(service)
    if parts.previous is None:
        return
    prev = parts.previous
    when = f" ({long_date(prev.date)})" if prev.date else ""
    intro = model.introduction
    intro.add("Heading2", "The previous self-evaluation")
    sentence = (
        f"This self-evaluation follows on from “{clean.line(prev.title)}”{when}. "
        "Its open improvement actions were carried into the plan below"
    )
    if options.include_grades:
        sentence += ", and the summary compares each grade with the grade it agreed then"
    closed = prev.closed_actions
    if closed and options.include_plan:
        parts.achievements_letter = chr(ord("A") + len(model.appendix_letters))
        model.appendix_letters["achievements"] = parts.achievements_letter
        sentence += (
            f". Appendix {parts.achievements_letter} lists what its improvement plan achieved"
        )
    intro.add("Normal", sentence + ".")
    if not closed or not options.include_plan:
        return
    table = Table(
        "Actions the previous self-evaluation completed or dropped",
        ["Ref", "Action", "Expected outcome", "Status", "Indicators"],
        _fit([700, 3600, 3000, 1200, 1138], 9638),
    )
    for a in sorted(closed, key=lambda a: (a.status != "complete", a.ref)):
        table.rows.append(
            [
                clean.line(a.ref),
                clean(a.task),
                clean(a.expected_outcome),
                ACHIEVED_STATUS.get(a.status, a.status),
                ", ".join(a.indicators),
            ]
        )
    parts.achievements = table
    done, dropped = len(prev.completed), len(prev.dropped)
    parts.achievements_intro = (
        f"“{clean.line(prev.title)}” completed {done} action{'s' if done != 1 else ''}"
        f" and dropped {dropped}. Actions still open were carried into this improvement plan."
    )


def _words(value: int | None, labels: dict[int, str]) -> str:
    if value is None:
        return "not graded"
    return f"{value} {labels.get(value, '')}".strip()


# ---------------------------------------------------------------------- layout


def render_comparison(model: Any, doc: Any, number: int = 2) -> list[str]:
    """The figure of previous against current grades, as body XML (empty if none)."""
    parts: GradingParts | None = getattr(model, "grading", None)
    if parts is None or not parts.comparison:
        return []
    from docx.shared import Cm
    from lxml import etree

    from carequal_desktop.reports.position_statement import _para

    png = comparison_png(parts.comparison, model.framework)
    inline = doc.part.new_pic_inline(io.BytesIO(png), Cm(16.5), None)
    # The body is laid out as text before python-docx sees it, so it numbers every picture 1.
    inline.docPr.set("id", str(100 + number))
    inline.docPr.set("name", "Chart of previous and current grades")
    inline.docPr.set("descr", parts.comparison_alt_text)
    inline.docPr.set("title", "Previous and current grades by quality indicator")
    return [
        '<w:p><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:jc w:val="center"/></w:pPr>'
        f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r></w:p>",
        _para(
            f"Figure {number}: Each quality indicator's grade in the previous self-evaluation "
            "and now",
            "Caption",
        ),
    ]


def figure_number(model: Any, number: int) -> int:
    """A later figure's number, one on when the previous-against-current figure comes first."""
    parts: GradingParts | None = getattr(model, "grading", None)
    return number + 1 if parts is not None and parts.comparison else number


def render_appendix(
    model: Any, para: Callable[..., str], table_xml: Callable[[Any], str]
) -> list[str]:
    """The appendix of what the previous cycle achieved, as body XML (empty if none)."""
    parts: GradingParts | None = getattr(model, "grading", None)
    if parts is None or parts.achievements is None:
        return []
    return [
        para(
            f"Appendix {parts.achievements_letter}: What the previous self-evaluation achieved",
            "Heading2",
        ),
        para(parts.achievements_intro),
        table_xml(parts.achievements),
    ]


def comparison_png(rows: list[ComparisonRow], framework: Any) -> bytes:
    """The previous-against-current chart as a PNG (matplotlib, no pyplot)."""
    from carequal_desktop.reports import chart_images
    from carequal_desktop.reports.charts import grade_change_figure

    items = [(r.code, r.title, r.previous, r.current) for r in rows]
    content = (items, [(lvl.value, lvl.label) for lvl in framework.scale])
    return chart_images.png("grade-change", content, lambda: grade_change_figure(items, framework))


def comparison_png_for(model: Any) -> bytes | None:
    """The model's previous-against-current chart, or None if it has none."""
    parts: GradingParts | None = getattr(model, "grading", None)
    if parts is None or not parts.comparison:
        return None
    return comparison_png(parts.comparison, model.framework)
