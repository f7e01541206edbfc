"""The draft position statement in Word, built from one workshop.

Two steps. ``build_statement`` turns the workshop into a plain model of the document
(sections of headings, paragraphs and bullets, and the rows of its tables), with every
string already made safe for Word; ``word_counts`` counts the body of that same model, so the
export window and the document can never disagree. ``write_position_statement`` lays the
model out with python-docx and writes it through a temporary file beside the target.

The body text and the large tables are written as WordprocessingML strings and parsed once:
python-docx's ``add_row`` and ``add_paragraph`` are far too slow for a register of 5,000
evidence items. python-docx is still used for the package, styles, sections, headers and
footers and the chart picture, and is imported only when a document is written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from carequal_desktop.domain.quantities import share_with_word, word_with_share
from carequal_desktop.domain.readiness import SURVEY_KINDS
from carequal_desktop.domain.text import count_xml_forbidden, for_xml
from carequal_desktop.domain.vocabulary import (
    ACTION_STATUSES,
    EVALUATION_STATUSES,
    EVIDENCE_KINDS,
    NOT_GRADED,
)
from carequal_desktop.domain.wordcount import WORD_LIMIT, count_texts
from carequal_desktop.reports import chart_images, grading_text
from carequal_desktop.services.files import check_target, write_atomically
from carequal_desktop.services.readiness import DOCUMENT_STATUSES

Progress = Callable[[int, str], None]

# A restrained palette that stays legible in greyscale: dark navy headings, a teal accent.
NAVY = "1F3A5F"
TEAL = "0B5563"
GREY_TEXT = "595959"
HEADER_FILL = "D9D9D9"
GROUP_FILL = "E4ECEF"
BORDER = "A6A6A6"
FONT = "Arial"  # on every Windows PC; LibreOffice substitutes Liberation Sans (same metrics)

QUESTIONS = ("How good are we now?", "How do we know?", "What are we going to do now?")
NOT_RECORDED = "Not yet recorded."


@dataclass
class ExportOptions:
    include_grades: bool = True
    include_evidence_appendix: bool = True
    include_plan: bool = True
    include_agency_views: bool = True  # proposed-grade ranges and dissent (internal drafts)
    # Generated lists repeat the appendix and the plan; off by default, they count as body.
    list_evidence_in_body: bool = False
    list_actions_in_body: bool = False
    version: str | None = None  # None: the workshop's document control
    date: dt.date | None = None  # the date of the evaluation; None: the workshop's


@dataclass
class ExportResult:
    path: Path
    warnings: list[str] = field(default_factory=list)
    word_count: int = 0


# ---------------------------------------------------------------------- the model


@dataclass
class Block:
    """One paragraph of the body: ``style`` is a Word style id, or a few of our own kinds."""

    style: str  # "Heading1".."Heading3", "Normal", "ListBullet", "Label", "Grade", "Note"
    text: str
    page_break: bool = False


@dataclass
class BodySection:
    """A part of the body: introduction, key messages, one statement, or the conclusion."""

    key: str
    number: int | None
    blocks: list[Block] = field(default_factory=list)

    def add(self, style: str, text: str, *, page_break: bool = False) -> None:
        self.blocks.append(Block(style, text, page_break))


@dataclass
class Table:
    caption: str
    columns: list[str]
    widths: list[int]  # twentieths of a point (dxa), summing to the text width
    rows: list[list[str]] = field(default_factory=list)
    groups: list[tuple[str, list[list[str]]]] | None = None  # plan: (statement, rows)


@dataclass
class StatementModel:
    title: str
    partnership: str
    author: str
    framework_title: str
    date: dt.date
    version: str
    status: str  # "Draft", "For sign-off", "Final"
    approved_by: str
    options: ExportOptions
    introduction: BodySection
    key_messages: BodySection
    statements: list[BodySection]
    conclusion: BodySection
    summary: Table
    chart_summaries: list[Any]  # IndicatorSummary with titles made safe, for the chart
    framework: Any
    chart_alt_text: str
    plan: Table | None
    evidence_index: Table | None
    participants: Table
    scale: Table | None
    glossary: Table | None
    triangulation: list[Any]  # TriangulationRow, for the appendix chart
    triangulation_alt_text: str
    appendix_letters: dict[str, str]
    dropped_characters: int = 0
    warnings: list[str] = field(default_factory=list)
    grading: Any = None  # reports.grading_text.GradingParts

    @property
    def body(self) -> list[BodySection]:
        """The parts the word limit counts, in document order."""
        return [self.introduction, self.key_messages, *self.statements, self.conclusion]


class _Cleaner:
    """Makes text safe for Word, counting what had to be left out so the user can be told."""

    def __init__(self) -> None:
        self.dropped = 0

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        self.dropped += count_xml_forbidden(text)
        return for_xml(text).replace("\r\n", "\n").replace("\r", "\n")

    def line(self, text: str | None) -> str:
        return " ".join(self(text).split())


def long_date(value: str | dt.date | None) -> str:
    """2026-05-12 -> "12 May 2026"."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def short_date(value: str | None) -> str:
    """2026-05-12 -> "12 May 2026" with a short month, for narrow table columns."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value)
    return f"{day.day} {day:%b %Y}"


def _paragraphs(text: str) -> list[tuple[str, str]]:
    """Split narrative into (style, text): a line starting "- ", "* " or "• " is a bullet."""
    out: list[tuple[str, str]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line[:2] in ("- ", "* ", "• "):
            out.append(("ListBullet", line[2:].strip()))
        else:
            out.append(("Normal", line))
    return out


_REF_GROUP = re.compile(r"\s*[\(\[]\s*E\d+(?:\s*(?:,|;|and|&|-|–)\s*E?\d+)*\s*[\)\]]")
_BARE_REF = re.compile(r"\bE\d+\b")


def without_references(text: str) -> str:
    """Drop "(E12, E15)" style groups: without the evidence index they point nowhere."""
    return _REF_GROUP.sub("", text)


def evidence_citation(ev: Any, clean: _Cleaner, *, with_ref: bool = True) -> str:
    """ "[E12] Joint record reading: what it shows — most (85%)", as the statement cites it.

    The description says what the evidence shows in its own words, so a share can never be
    read as the opposite of its source; "respondents" is said only of surveys.
    """
    text = f"[{ev.ref}] " if with_ref else ""
    text += clean.line(ev.title)
    description = clean.line(ev.description)
    if description:
        text += f": {description.rstrip('.')}"
    if ev.share_percent is not None:
        text += f" — {word_with_share(ev.share_percent)}"
        if ev.respondents and ev.kind in SURVEY_KINDS:
            text += f" of {ev.respondents:,} respondents"
    elif ev.respondents and ev.kind in SURVEY_KINDS:
        text += f" ({ev.respondents:,} respondents)"
    return text


def _grade_text(grade: int | None, framework: Any, clean: _Cleaner) -> str:
    if grade is None:
        return NOT_GRADED
    level = framework.level(grade)
    return f"{grade} {clean.line(level.label)}" if level else str(grade)


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _plural(n: int, one: str, many: str | None = None) -> str:
    """ "four sessions", "12 sessions": small numbers in words, as a council document writes them."""
    number = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"
    return f"{number} {one if n == 1 else (many or one + 's')}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class _Inputs:
    """Everything read from the workshop once, for the section builders below."""

    options: ExportOptions
    clean: _Cleaner
    details: Any
    fw: Any
    sessions: list[Any]
    participants: list[Any]
    agencies: list[tuple[str, int]]
    evaluations: dict[str, Any]
    evidence: list[Any]
    actions: list[Any]
    summaries: list[Any]
    texts: Any  # services.readiness.StatementTexts
    control: Any  # services.readiness.DocumentControl
    evaluation_date: str | None
    drafts: dict[str, str]
    letters: dict[str, str]
    evidence_by_code: dict[str, list[Any]] = field(default_factory=dict)
    actions_by_code: dict[str, list[Any]] = field(default_factory=dict)

    def narrative(self, text: str) -> list[tuple[str, str]]:
        cleaned = self.clean(text)
        if not self.options.include_evidence_appendix:
            cleaned = without_references(cleaned)
        return _paragraphs(cleaned)


def _read(service: Any, options: ExportOptions) -> _Inputs:
    # One snapshot: a colleague saving on the server never half appears in the document.
    with service.db.snapshot():
        return _read_inputs(service, options)


def _read_inputs(service: Any, options: ExportOptions) -> _Inputs:
    from carequal_desktop.services.readiness import ReadinessService

    ready = ReadinessService(service)
    evidence = service.evidence()
    actions = service.actions()
    letters: dict[str, str] = {}
    # The glossary and the triangulation chart get their letters once they are known.
    wanted = (
        (["evidence"] if options.include_evidence_appendix else [])
        + ["participants"]
        + (["scale"] if options.include_grades else [])
    )
    for key in wanted:
        letters[key] = "ABCDEFG"[len(letters)]
    inputs = _Inputs(
        options=options,
        clean=_Cleaner(),
        details=service.details(),
        fw=service.framework(),
        sessions=service.sessions(),
        participants=service.participants(),
        agencies=service.agencies_summary(),
        evaluations={e.indicator_code: e for e in service.evaluations()},
        evidence=evidence,
        actions=actions,
        summaries=service.overview(),
        texts=ready.statement_texts(),
        control=ready.document_control(),
        evaluation_date=ready.evaluation_date(),
        drafts={},
        letters=letters,
    )
    for ev in evidence:
        for code in ev.indicators:
            inputs.evidence_by_code.setdefault(code, []).append(ev)
    for act in actions:
        for code in act.indicators:
            inputs.actions_by_code.setdefault(code, []).append(act)
    # Drafts for what the team has not written yet, from the records already read.
    from carequal_desktop.services import readiness as drafting

    grades = options.include_grades
    if not inputs.texts.key_messages.strip():
        inputs.drafts["key_messages"] = drafting.draft_key_messages(
            inputs.fw, inputs.evaluations, with_grades=grades
        )
    if not inputs.texts.conclusion.strip():
        open_actions = [a for a in actions if a.status not in ("complete", "dropped")]
        inputs.drafts["conclusion"] = drafting.draft_conclusion(
            inputs.fw,
            inputs.evaluations,
            len(open_actions) if options.include_plan else None,
            with_grades=grades,
        )
    for st in inputs.fw.statements:
        if not inputs.texts.summaries.get(st.number, "").strip():
            inputs.drafts[f"summary-{st.number}"] = drafting.draft_statement_summary(
                inputs.fw, st.number, inputs.evaluations, with_grades=grades
            )
    return inputs


def build_statement(service: Any, options: ExportOptions | None = None) -> StatementModel:
    """The whole document as plain data, every string already safe for Word."""
    options = options or ExportOptions()
    data = _read(service, options)
    clean = data.clean
    warnings: list[str] = []

    statements = [_statement_section(data, st) for st in data.fw.statements]
    unmapped = [ind.label for ind in data.fw.indicators if not ind.statements]
    if unmapped:
        warnings.append(
            "Not mapped to any statement, so shown only in the summary: "
            + ", ".join(clean.line(u) for u in unmapped)
            + "."
        )
    summary, alt = _summary_table(data)
    evidence_index = _evidence_index(data)
    plan = _plan_table(data)
    participants = _participants_table(data)
    scale = _scale_table(data)
    introduction = _introduction_section(data)
    key_messages = _key_messages_section(data)
    conclusion = _conclusion_section(data)
    body_texts = [
        b.text for sec in (introduction, key_messages, *statements, conclusion) for b in sec.blocks
    ]
    table_texts = [
        cell
        for t in (summary, plan, evidence_index)
        if t is not None
        for row in _all_rows(t)
        for cell in row
    ]
    glossary = _glossary_table(data, body_texts + table_texts)
    tri_rows, tri_alt = _triangulation(service, data)
    for key, present in (("glossary", glossary is not None), ("triangulation", bool(tri_rows))):
        if present:
            data.letters[key] = "ABCDEFG"[len(data.letters)]

    control = data.control
    model = StatementModel(
        title=clean.line(data.details.title),
        partnership=clean.line(data.details.partnership),
        author=clean.line(data.details.facilitator) or clean.line(data.details.partnership),
        framework_title=clean.line(data.fw.title),
        date=options.date
        or (
            dt.date.fromisoformat(data.evaluation_date) if data.evaluation_date else dt.date.today()
        ),
        version=clean.line(options.version or control.version) or "0.1",
        status=DOCUMENT_STATUSES.get(control.status, "Draft"),
        approved_by=clean.line(control.approved_by),
        options=options,
        introduction=introduction,
        key_messages=key_messages,
        statements=statements,
        conclusion=conclusion,
        summary=summary,
        chart_summaries=[
            replace(sm, title=" ".join(for_xml(sm.title).split())) for sm in data.summaries
        ],
        framework=data.fw,
        chart_alt_text=alt,
        plan=plan,
        evidence_index=evidence_index,
        participants=participants,
        scale=scale,
        glossary=glossary,
        triangulation=tri_rows,
        triangulation_alt_text=tri_alt,
        appendix_letters=data.letters,
        warnings=warnings,
    )
    grading_text.extend_model(model, service, data.evaluations, data.summaries, clean)
    model.dropped_characters = clean.dropped
    if clean.dropped:
        model.warnings.append(
            f"{_sentence(_plural(clean.dropped, 'character'))} that Word cannot hold (control characters) "
            "were left out of the document."
        )
    return model


def _all_rows(table: Table) -> list[list[str]]:
    if table.groups is not None:
        return [row for _heading, rows in table.groups for row in rows]
    return table.rows


# --------------------------------------------------------------- body sections


def _introduction_section(data: _Inputs) -> BodySection:
    """Introduction: scope, key facts and context, how the team evaluated, who took part."""
    clean, options, letters = data.clean, data.options, data.letters
    intro = BodySection("introduction", None)
    intro.add("Heading1", "Introduction", page_break=True)
    scope = data.narrative(data.details.scope)
    if scope:
        intro.add("Heading2", "Scope")
        for style, text in scope:
            intro.add(style, text)
    context = data.narrative(data.details.context)
    if context:
        intro.add("Heading2", "Key facts and context")
        for style, text in context:
            intro.add(style, text)

    intro.add("Heading2", "How we carried out the self-evaluation")
    method = (
        f"A multi-agency team evaluated the partnership's services against the "
        f"{clean.line(data.fw.title)}, asking of each quality indicator how good we are now, "
        "how we know, and what we are going to do now."
    )
    if options.include_grades:
        method += f" Grades use the six-point scale in Appendix {letters['scale']}."
    if data.sessions:
        places = sorted({clean.line(s.place).split(",")[0] for s in data.sessions if s.place})
        first = min(s.date for s in data.sessions)
        last = max(s.date for s in data.sessions)
        method += (
            f" The team met in {_plural(len(data.sessions), 'session')} between "
            f"{long_date(first)} and {long_date(last)}"
            if first != last
            else f" The team met on {long_date(first)}"
        )
        if places:
            method += f" at {_and(places)}"
        if data.details.facilitator:
            method += f", facilitated by {clean.line(data.details.facilitator)}"
        method += "."
    intro.add("Normal", method)
    if data.evidence:
        agencies = {e.agency.strip().lower() for e in data.evidence if e.agency.strip()}
        sentence = f"We considered {_plural(len(data.evidence), 'item')} of evidence"
        if agencies:
            sentence += f" from {_plural(len(agencies), 'agency', 'agencies')}"
        if options.include_evidence_appendix:
            sentence += (
                f", listed in Appendix {letters['evidence']}; references such as E1 point to it"
            )
        intro.add("Normal", sentence + ".")
    if data.participants:
        people = (
            f"{_sentence(_plural(len(data.participants), 'person', 'people'))} from "
            f"{_plural(len(data.agencies), 'agency', 'agencies')} took part "
            f"(Appendix {letters['participants']}): "
            + _and([f"{clean.line(a)} ({n})" for a, n in data.agencies])
            + "."
        )
        intro.add("Normal", people)
    return intro


def _key_messages_section(data: _Inputs) -> BodySection:
    """The team's key messages (a first draft from the grades until the team writes them)."""
    sec = BodySection("key-messages", None)
    text = data.texts.key_messages or data.drafts.get("key_messages", "")
    paras = data.narrative(text)
    if not paras:
        return sec
    sec.add("Heading1", "Key messages")
    for style, line in paras:
        sec.add(style if style != "Normal" or len(paras) == 1 else "ListBullet", line)
    return sec


def _statement_section(data: _Inputs, st: Any) -> BodySection:
    """One inspection statement: the team's summary, then each indicator's evaluation."""
    clean = data.clean
    sec = BodySection(f"statement-{st.number}", st.number)
    sec.add("Heading1", f"Statement {st.number}: {clean.line(st.text)}")
    summary = data.texts.summaries.get(st.number) or data.drafts.get(f"summary-{st.number}", "")
    for style, line in data.narrative(summary):
        sec.add(style, line)
    indicators = data.fw.indicators_for_statement(st.number)
    if not indicators:
        sec.add("Note", "No quality indicators are mapped to this statement.")
    not_yet: list[str] = []
    for ind in indicators:
        if st.number != min(ind.statements):
            sec.add("Heading2", f"{ind.code} {clean.line(ind.title)}")
            sec.add("Normal", f"We evaluate this indicator under statement {min(ind.statements)}.")
            continue
        ev = data.evaluations.get(ind.code)
        if not _has_content(ev, data.evidence_by_code.get(ind.code, [])):
            not_yet.append(f"{ind.code} {clean.line(ind.title)}")
            continue
        sec.add("Heading2", f"{ind.code} {clean.line(ind.title)}")
        _indicator_blocks(sec, data, ind.code, ev)
    if not_yet:
        sec.add("Note", f"Not yet evaluated: {'; '.join(not_yet)}.")
    return sec


def _has_content(ev: Any, cited: list[Any]) -> bool:
    if ev is None:
        return False
    return bool(
        ev.grade is not None
        or ev.how_good_now.strip()
        or ev.how_do_we_know.strip()
        or ev.what_next.strip()
        or ev.strengths
        or ev.areas_for_improvement
    )


def _indicator_blocks(sec: BodySection, data: _Inputs, code: str, ev: Any) -> None:
    """One indicator as flowing text: how good, the grade, how we know, what next."""
    _how_good_blocks(sec, data, ev)
    _grade_blocks(sec, data, ev)
    _how_we_know_blocks(sec, data, code, ev)
    _what_next_blocks(sec, data, code, ev)


def _how_good_blocks(sec: BodySection, data: _Inputs, ev: Any) -> None:
    clean = data.clean
    for style, line in data.narrative(ev.how_good_now):
        sec.add(style, line)
    if ev.strengths:
        sec.add("Label", "Strengths")
        for item in ev.strengths:
            sec.add("ListBullet", clean.line(item.text))
    if ev.areas_for_improvement:
        sec.add("Label", "Areas for improvement")
        for item in ev.areas_for_improvement:
            sec.add("ListBullet", clean.line(item.text))


def _grade_blocks(sec: BodySection, data: _Inputs, ev: Any) -> None:
    if not data.options.include_grades:
        return
    if ev.grade is not None:
        sec.add("Grade", f"Grade: {_grade_text(ev.grade, data.fw, data.clean)}")
        for _style, line in data.narrative(ev.rationale):
            sec.add("Normal", line)
    if data.options.include_agency_views:  # where agencies differed (issue 10)
        for style, line in grading_text.agency_view_blocks(ev, data.fw, data.clean):
            sec.add(style, line)


def _how_we_know_blocks(sec: BodySection, data: _Inputs, code: str, ev: Any) -> None:
    options = data.options
    cited = data.evidence_by_code.get(code, [])
    paras = data.narrative(ev.how_do_we_know)
    if paras or cited:
        sec.add("Label", "How we know")
    for style, line in paras:
        sec.add(style, line)
    if not cited:
        return
    if options.list_evidence_in_body:
        for item in cited:
            sec.add(
                "ListBullet",
                evidence_citation(item, data.clean, with_ref=options.include_evidence_appendix),
            )
    elif options.include_evidence_appendix:
        refs = [e.ref for e in cited]
        sec.add("Normal", f"Evidence: {_and(refs)} (Appendix {data.letters['evidence']}).")


def _what_next_blocks(sec: BodySection, data: _Inputs, code: str, ev: Any) -> None:
    clean, options = data.clean, data.options
    # Complete and dropped actions are not commitments for the future.
    open_actions = [
        a for a in data.actions_by_code.get(code, []) if a.status not in ("complete", "dropped")
    ]
    paras = data.narrative(ev.what_next)
    pointer = options.include_plan and open_actions
    if paras or pointer:
        sec.add("Label", "What we will do next")
    for style, line in paras:
        sec.add(style, line)
    if not pointer:
        return
    if options.list_actions_in_body:
        for act in open_actions:
            line = (
                f"Action {clean.line(act.ref)}: {clean.line(act.task) or 'task not yet described'}"
            )
            if not line.endswith((".", "!", "?")):
                line += "."
            owner = clean.line(act.ownership)
            line += f" Owner: {owner}." if owner else " Owner: not yet agreed."
            line += f" Due: {long_date(act.due)}." if act.due else " Due: not yet set."
            sec.add("ListBullet", line)
    else:
        refs = [clean.line(a.ref) for a in open_actions]
        word = "Action" if len(refs) == 1 else "Actions"
        sec.add("Normal", f"{word} {_and(refs)} in the improvement plan.")


def _conclusion_section(data: _Inputs) -> BodySection:
    """The conclusion on capacity for improvement."""
    sec = BodySection("conclusion", None)
    text = data.texts.conclusion or data.drafts.get("conclusion", "")
    paras = data.narrative(text)
    if not paras:
        return sec
    sec.add("Heading1", "Conclusion: our capacity for improvement")
    for style, line in paras:
        sec.add(style, line)
    return sec


# ---------------------------------------------------------- tables and appendices


def _summary_table(data: _Inputs) -> tuple[Table, str]:
    clean, options, fw = data.clean, data.options, data.fw
    columns = ["Quality indicator", "Statement", "Status"]
    widths = [5600, 1300, 1400]
    if options.include_grades:
        columns.append("Grade")
        widths = [4800, 1200, 1300, 1600]
    summary = Table(
        "Summary of the self-evaluation by quality indicator", columns, _fit(widths, 9638)
    )
    for sm in data.summaries:
        row = [
            f"{sm.code} {clean.line(sm.title)}",
            ", ".join(str(n) for n in sm.statements) or "—",
            EVALUATION_STATUSES.get(sm.status, sm.status),
        ]
        if options.include_grades:
            row.append(_grade_text(sm.grade, fw, clean))
        summary.rows.append(row)
    graded = [(sm.code, sm.grade) for sm in data.summaries if sm.grade is not None]
    alt = (
        "Bar chart of the team's grade for each quality indicator on the six-point scale. "
        + (
            "; ".join(f"{c}: {_grade_text(g, fw, clean)}" for c, g in graded)
            if graded
            else "No indicator has been graded yet"
        )
        + "."
    )
    return summary, alt


NOT_YET_AGREED = "Not yet agreed"
NOT_YET_SET = "Not yet set"


def _plan_table(data: _Inputs) -> Table | None:
    """The improvement plan, one group per statement; blank SMART cells are marked."""
    if not data.options.include_plan:
        return None
    clean = data.clean
    plan = Table(
        "Improvement plan grouped by inspection statement",
        [
            "Ref",
            "Issue",
            "Task",
            "Expected outcome",
            "Ownership",
            "Monitoring arrangements",
            "Baseline",
            "Target",
            "Due",
            "Status",
        ],
        _fit([650, 1850, 2250, 1850, 1500, 1850, 1400, 1400, 1050, 1000], 15138),
        groups=[],
    )
    by_statement: dict[int | None, list[list[str]]] = {}
    for act in data.actions:
        by_statement.setdefault(act.statement, []).append(
            [
                clean.line(act.ref),
                clean(act.issue),
                clean(act.task),
                clean(act.expected_outcome),
                clean(act.ownership) or NOT_YET_AGREED,
                clean(act.monitoring) or NOT_YET_AGREED,
                clean(act.baseline) or NOT_YET_SET,
                clean(act.target) or NOT_YET_SET,
                short_date(act.due) or NOT_YET_SET,
                ACTION_STATUSES.get(act.status, act.status),
            ]
        )
    assert plan.groups is not None
    for st in data.fw.statements:
        if st.number in by_statement:
            plan.groups.append(
                (f"Statement {st.number}: {clean.line(st.text)}", by_statement.pop(st.number))
            )
    leftover = [row for rows in by_statement.values() for row in rows]
    if leftover:
        plan.groups.append(("Not linked to a statement", leftover))
    return plan


def _evidence_index(data: _Inputs) -> Table | None:
    if not data.options.include_evidence_appendix:
        return None
    clean = data.clean
    index = Table(
        "Evidence index",
        ["Ref", "Evidence and what it shows", "Kind", "Agency", "Date", "Share", "Indicators"],
        _fit([600, 3200, 1150, 1400, 1000, 1150, 1138], 9638),
    )
    for ev in data.evidence:
        share = share_with_word(ev.share_percent)
        if ev.respondents and ev.kind in SURVEY_KINDS:
            share = (
                f"{share} ({ev.respondents:,} respondents)"
                if share
                else (f"{ev.respondents:,} respondents")
            )
        what = clean.line(ev.title)
        description = clean.line(ev.description)
        if description:
            what += "\n" + description
        index.rows.append(
            [
                ev.ref,
                what,
                EVIDENCE_KINDS.get(ev.kind, ev.kind),
                clean.line(ev.agency),
                short_date(ev.date),
                share,
                ", ".join(ev.indicators),
            ]
        )
    return index


def _participants_table(data: _Inputs) -> Table:
    clean = data.clean
    people = Table("Participants", ["Name", "Agency", "Role"], _fit([3000, 3600, 3038], 9638))
    people.rows = [
        [clean.line(p.name), clean.line(p.agency), clean.line(p.role)] for p in data.participants
    ]
    return people


def _scale_table(data: _Inputs) -> Table | None:
    if not data.options.include_grades:
        return None
    clean = data.clean
    scale = Table(
        "The six-point evaluation scale",
        ["Grade", "Label", "Meaning"],
        _fit([900, 1900, 6838], 9638),
    )
    scale.rows = [[str(lv.value), clean.line(lv.label), clean(lv.meaning)] for lv in data.fw.scale]
    return scale


def _glossary_table(data: _Inputs, texts: list[str]) -> Table | None:
    """Key terms: only the abbreviations the document uses."""
    from carequal_desktop.domain.glossary import abbreviations_used

    used = abbreviations_used(texts + [data.clean.line(a) for a, _n in data.agencies])
    if not used:
        return None
    table = Table("Key terms", ["Term", "Meaning"], _fit([1800, 7838], 9638))
    table.rows = [[abbr, meaning] for abbr, meaning in used]
    return table


def _triangulation(service: Any, data: _Inputs) -> tuple[list[Any], str]:
    from carequal_desktop.domain.readiness import triangulation

    if not data.evidence:
        return [], ""
    graded = {code for code, ev in data.evaluations.items() if ev.grade is not None}
    rows = triangulation(
        [(i.code, i.title) for i in data.fw.indicators], data.evidence_by_code, graded
    )
    gaps = [r.code for r in rows if r.graded and sum(1 for n in r.sources.values() if n) < 2]
    alt = (
        "Grid of the quality indicators against the kinds of evidence behind them (numbers, "
        "people's views, observation, documents) and the number of agencies it comes from. "
        + (
            f"Graded indicators resting on fewer than two kinds of evidence: {', '.join(gaps)}."
            if gaps
            else "Every graded indicator rests on at least two kinds of evidence."
        )
    )
    return rows, alt


def _fit(widths: list[int], total: int) -> list[int]:
    """Scale column widths so they fill the text width exactly."""
    scaled = [w * total // sum(widths) for w in widths]
    scaled[-1] += total - sum(scaled)
    return scaled


def body_word_counts(model: StatementModel) -> tuple[dict[int, int], int]:
    """Words per statement and in the whole body (introduction to conclusion)."""
    per = {
        sec.number: count_texts(b.text for b in sec.blocks)
        for sec in model.statements
        if sec.number is not None
    }
    total = sum(count_texts(b.text for b in sec.blocks) for sec in model.body)
    return per, total


def word_counts(service: Any, options: ExportOptions | None = None) -> tuple[dict[int, int], int]:
    """Words per statement and in total, as the document will have them."""
    return body_word_counts(build_statement(service, options))


def longest_indicators(model: StatementModel, n: int = 3) -> list[tuple[str, int]]:
    """The ``n`` indicators with the most words: where shortening helps most."""
    counts: list[tuple[str, int]] = []
    for sec in model.statements:
        current: str | None = None
        words = 0
        for block in sec.blocks:
            if block.style == "Heading2":
                if current:
                    counts.append((current, words))
                current, words = block.text.split(" ", 1)[0], 0
            elif current:
                words += len(block.text.split())
        if current:
            counts.append((current, words))
    return sorted(counts, key=lambda c: -c[1])[:n]


# -------------------------------------------------------------------- WordprocessingML

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSDECL = f'xmlns:w="{W_NS}"'


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _runs(text: str, rpr: str = "") -> str:
    """Runs for one line of text; tabs become Word tabs."""
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    out = []
    for i, part in enumerate(text.split("\t")):
        if i:
            out.append(f"<w:r>{rpr}<w:tab/></w:r>")
        if part:
            out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(part)}</w:t></w:r>')
    return "".join(out)


def _para(text: str, style: str | None = None, *, ppr: str = "", rpr: str = "") -> str:
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    props = f"<w:pPr>{style_xml}{ppr}</w:pPr>" if (style_xml or ppr) else ""
    return f"<w:p>{props}{_runs(text, rpr)}</w:p>"


def _block_xml(block: Block) -> str:
    style = block.style
    if style in ("Heading1", "Heading2", "Heading3"):
        return _para(block.text, style, ppr="<w:pageBreakBefore/>" if block.page_break else "")
    if style == "ListBullet":
        return _para(block.text, "ListBullet")
    if style == "Label":
        return _para(block.text, "Label")
    if style == "Grade":
        return _para(block.text, "Grade")
    if style == "Note":
        return _para(block.text, "Note")
    return _para(block.text)


def _cell(
    text: str, width: int, *, style: str = "TableText", fill: str | None = None, span: int = 1
) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    lines = text.split("\n") if text else [""]
    paras = "".join(_para(line, style) for line in lines)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paras}</w:tc>"


_ROW_FITS_CHARS = 1500


def _table_xml(table: Table) -> str:
    """A whole table as one string: fixed layout, header row repeated on every page."""
    border = f'w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"'
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in table.widths)
    total = sum(table.widths)
    parts = [
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{total}" w:type="dxa"/>'
        "<w:tblBorders>"
        f"<w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>"
        f"<w:insideH {border}/><w:insideV {border}/>"
        "</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f'<w:tblCaption w:val="{_esc(table.caption)}"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>",
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        + "".join(
            _cell(col, w, style="TableHeading", fill=HEADER_FILL)
            for col, w in zip(table.columns, table.widths, strict=True)
        )
        + "</w:tr>",
    ]

    def data_row(row: list[str]) -> str:
        # Keep a row on one page unless it is too long to fit on one anyway.
        fits = sum(len(text) for text in row) < _ROW_FITS_CHARS
        return (
            ("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if fits else "<w:tr>")
            + "".join(_cell(text, w) for text, w in zip(row, table.widths, strict=True))
            + "</w:tr>"
        )

    if table.groups is not None:
        for heading, rows in table.groups:
            parts.append(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                + _cell(heading, total, style="TableGroup", fill=GROUP_FILL, span=len(table.widths))
                + "</w:tr>"
            )
            parts.extend(data_row(r) for r in rows)
    else:
        parts.extend(data_row(r) for r in table.rows)
    parts.append("</w:tbl>")
    return "".join(parts)


# ---------------------------------------------------------------------- writing


def _report(progress: Progress | None, percent: int, label: str) -> None:
    if progress is not None:
        progress(percent, label)


def write_position_statement(
    service: Any,
    target: Path,
    options: ExportOptions | None = None,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the draft position statement to ``target`` (never half-written)."""
    options = options or ExportOptions()
    target = Path(target)
    check_target(target, overwrite)
    _report(progress, 0, "Reading the workshop")
    model = build_statement(service, options)
    _per, total = body_word_counts(model)
    warnings = list(model.warnings)
    if total > WORD_LIMIT:
        warnings.append(
            f"The statement's body has {total:,} words; the guidance allows at most {WORD_LIMIT:,}."
        )
    data = render_docx(model, progress)
    _report(progress, 95, "Saving the document")
    write_atomically(target, data, overwrite=overwrite)
    _report(progress, 100, "Finished")
    return ExportResult(path=target, warnings=warnings, word_count=total)


def render_docx(model: StatementModel, progress: Progress | None = None) -> bytes:
    """Lay the model out as a .docx and return its bytes."""
    import re

    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from lxml import etree

    _report(progress, 5, "Setting up the document")
    chart_images.wait_until_ready()  # imports begun when the export window opened
    doc = Document()
    _set_up_styles(doc)
    _set_up_settings(doc)
    _set_core_properties(doc, model)
    _set_app_properties(doc)
    _drop_thumbnail(doc)

    # The three sections' properties, made with python-docx on the template's one section and
    # copied out as XML: portrait with the header, footer and a plain title page; landscape
    # for the plan; portrait again for the appendices (both inherit the header and footer).
    section = doc.sections[0]
    _page_setup(section, landscape=False)
    section.different_first_page_header_footer = True
    _header_footer(section, model)
    sect_el = section._sectPr
    first_sect = etree.tostring(sect_el, encoding="unicode")
    for ref in sect_el.findall(qn("w:headerReference")) + sect_el.findall(qn("w:footerReference")):
        sect_el.remove(ref)
    section.different_first_page_header_footer = False
    section.orientation = WD_ORIENT.LANDSCAPE
    _page_setup(section, landscape=True)
    landscape_sect = etree.tostring(sect_el, encoding="unicode")
    section.orientation = WD_ORIENT.PORTRAIT
    _page_setup(section, landscape=False)
    # The last section's properties stay where they are, at the end of the body.

    buffer: list[str] = []

    def end_section(sect_xml: str) -> None:
        buffer.append(f'<w:p><w:pPr><w:spacing w:after="0"/>{sect_xml}</w:pPr></w:p>')

    # ---- title page
    _report(progress, 10, "Writing the title page and contents")
    buffer.append(_para(model.partnership, "Kicker", ppr='<w:spacing w:before="2400"/>'))
    buffer.append(_para(model.title, "Title"))
    buffer.append(_para("Position statement", "Subtitle"))
    _per, words = body_word_counts(model)
    for label, value in (
        ("Status", model.status),
        ("Version", model.version),
        ("Date of the evaluation", long_date(model.date)),
        ("Approved by", model.approved_by or "Not yet approved"),
        ("Framework", model.framework_title),
        ("Prepared by", model.author),
        (
            "Length",
            f"{words:,} words in the body (the guidance allows at most {WORD_LIMIT:,}); "
            "the summary, plan and appendices are not counted",
        ),
    ):
        buffer.append(
            '<w:p><w:pPr><w:pStyle w:val="TitleDetail"/></w:pPr>'
            + _runs(f"{label}: ", "<w:b/>")
            + _runs(value)
            + "</w:p>"
        )

    # ---- contents
    buffer.append(_para("Contents", "TOCHeading", ppr="<w:pageBreakBefore/>"))
    buffer.append(_para(CONTENTS_HELP, "Note"))
    buffer.append(
        "<w:p>"
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:rPr><w:i/><w:color w:val="{GREY_TEXT}"/></w:rPr>'
        "<w:t>The contents appear here once the fields are updated.</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "</w:p>"
    )

    # ---- body
    _report(progress, 15, "Writing the introduction and statements")
    for sec in model.body:
        buffer.extend(_block_xml(b) for b in sec.blocks)

    # ---- summary
    _report(progress, 35, "Writing the summary")
    buffer.append(_para("Summary of self-evaluation", "Heading1", ppr="<w:pageBreakBefore/>"))
    buffer.append(
        _para(
            "The table shows where the team has got to with each quality indicator"
            + (" and the grade it agreed." if model.options.include_grades else ".")
        )
    )
    buffer.append(_table_xml(model.summary))
    if model.options.include_grades:
        _report(progress, 40, "Drawing the chart of grades")
        buffer.append(
            _picture(
                doc,
                _chart_png(model),
                "Chart of grades",
                model.chart_alt_text,
                "Grades by quality indicator",
            )
        )
        buffer.append(_para("Figure 1: The team's grades by quality indicator", "Caption"))
        buffer.extend(grading_text.render_comparison(model, doc))

    # ---- improvement plan, in a landscape section of its own
    letters = model.appendix_letters
    if model.plan is not None:
        _report(progress, 50, "Writing the improvement plan")
        end_section(first_sect)
        buffer.append(_para("Improvement plan", "Heading1"))
        if model.plan.groups:
            intro = "Actions are grouped by the inspection statement they serve."
            if model.options.include_evidence_appendix:
                intro += (
                    f" References such as E11 point to the evidence index (Appendix "
                    f"{letters['evidence']})."
                )
            buffer.append(_para(intro))
            for heading, rows in model.plan.groups:
                buffer.append(_para(heading, "Heading2"))
                buffer.append(
                    _table_xml(
                        replace(
                            model.plan,
                            groups=None,
                            rows=rows,
                            caption=f"Improvement plan: {heading}",
                        )
                    )
                )
        else:
            buffer.append(_para("No actions have been recorded yet.", "Note"))
        end_section(landscape_sect)
        buffer.append(_para("Appendices", "Heading1"))
    else:
        end_section(first_sect)
        buffer.append(_para("Appendices", "Heading1"))

    # ---- appendices, portrait again
    _report(progress, 65, "Writing the appendices")
    if model.evidence_index is not None:
        buffer.append(_para(f"Appendix {letters['evidence']}: Evidence index", "Heading2"))
        if model.evidence_index.rows:
            buffer.append(
                _para(
                    "Shares use the standard words of inspection reports: few (up to 14%), "
                    "less than half (15% to 49%), the majority (50% to 74%), most (75% to 89%) "
                    "and almost all (90% or more)."
                )
            )
            buffer.append(_table_xml(model.evidence_index))
        else:
            buffer.append(_para("No evidence has been recorded yet.", "Note"))
    _report(progress, 75, "Writing the participants, the scale and the key terms")
    buffer.append(_para(f"Appendix {letters['participants']}: Participants", "Heading2"))
    if model.participants.rows:
        buffer.append(_table_xml(model.participants))
    else:
        buffer.append(_para(NOT_RECORDED, "Note"))
    if model.scale is not None:
        buffer.append(_para(f"Appendix {letters['scale']}: The evaluation scale", "Heading2"))
        buffer.append(_table_xml(model.scale))
    if model.glossary is not None:
        buffer.append(_para(f"Appendix {letters['glossary']}: Key terms", "Heading2"))
        buffer.append(_table_xml(model.glossary))
    if model.triangulation:
        _report(progress, 80, "Drawing the triangulation chart")
        buffer.append(
            _para(f"Appendix {letters['triangulation']}: How the evidence triangulates", "Heading2")
        )
        buffer.append(
            _para(
                "Each row is a quality indicator; the columns count its evidence by kind and "
                "the agencies it comes from. An empty cell is a gap. Inspectors look for "
                "numbers, people's views and observation from several agencies."
            )
        )
        buffer.append(
            _picture(
                doc,
                _triangulation_png(model),
                "Triangulation chart",
                model.triangulation_alt_text,
                "Evidence by indicator, kind and agency",
                width_cm=16.5,
                pic_id=2,
            )
        )
        figure = grading_text.figure_number(model, 2)  # after the previous-grades figure
        buffer.append(_para(f"Figure {figure}: Evidence behind each quality indicator", "Caption"))
    buffer.extend(grading_text.render_appendix(model, _para, _table_xml))
    buffer.append(_para("", ppr='<w:spacing w:after="0"/>'))

    # Parse the document once: moving thousands of parsed elements into python-docx's tree
    # one by one takes seconds per thousand rows; one parse of the whole part takes a blink.
    _report(progress, 85, "Packing the document")
    part = doc.part
    xml = etree.tostring(part.element, encoding="unicode")
    body_open = re.search(r"<w:body(\s[^>]*)?>", xml)
    assert body_open is not None
    old_body = part.element.body
    kept = "".join(
        etree.tostring(child, encoding="unicode")
        for child in old_body
        if child.tag == qn("w:sectPr")
    )
    body_close = xml.rindex("</w:body>")
    xml = xml[: body_open.end()] + "".join(buffer) + kept + xml[body_close:]
    part._element = parse_xml(xml.encode("utf-8"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


CONTENTS_HELP = (
    "To fill in the contents: in Word, right-click them and choose Update Field (or press "
    "F9); in LibreOffice, choose Tools › Update › Update All."
)


def _picture(
    doc: Any,
    png: bytes,
    name: str,
    descr: str,
    title: str,
    width_cm: float = 16.5,
    *,
    pic_id: int = 1,
) -> str:
    """A centred inline picture with alt text, as one paragraph of WordprocessingML.

    ``pic_id`` must differ for every picture: the body is parsed in one go at the end, so
    python-docx cannot see the pictures already made when it numbers the next.
    """
    from docx.shared import Cm
    from lxml import etree

    inline = doc.part.new_pic_inline(io.BytesIO(png), Cm(width_cm), None)
    doc_pr = inline.docPr
    doc_pr.set("id", str(pic_id))
    doc_pr.set("name", name)
    doc_pr.set("descr", descr)
    doc_pr.set("title", title)
    return (
        '<w:p><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:jc w:val="center"/></w:pPr>'
        f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r></w:p>"
    )


# ---------------------------------------------------------------- document set-up


def _page_setup(section: Any, *, landscape: bool) -> None:
    from docx.shared import Cm

    short, long_ = Cm(21.0), Cm(29.7)  # A4
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)
    margin = Cm(1.5) if landscape else Cm(2.0)
    section.left_margin = section.right_margin = margin
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(1.8)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(0.9)


def _header_footer(section: Any, model: StatementModel) -> None:
    from docx.oxml import parse_xml

    header = section.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0]
    el = parse_xml(
        f'<w:p {_NSDECL}><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>'
        + _runs(
            f"{model.status} — {model.partnership}",
            f'<w:color w:val="{GREY_TEXT}"/><w:sz w:val="16"/>',
        )
        + "</w:p>"
    )
    hp._p.addprevious(el)
    hp._p.getparent().remove(hp._p)

    footer = section.footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0]
    rpr = f'<w:rPr><w:color w:val="{GREY_TEXT}"/><w:sz w:val="18"/></w:rPr>'
    el = parse_xml(
        f'<w:p {_NSDECL}><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
        f'<w:r>{rpr}<w:t xml:space="preserve">Page </w:t></w:r>'
        f'<w:fldSimple w:instr=" PAGE "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'
        f'<w:r>{rpr}<w:t xml:space="preserve"> of </w:t></w:r>'
        f'<w:fldSimple w:instr=" NUMPAGES "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'
        "</w:p>"
    )
    fp._p.addprevious(el)
    fp._p.getparent().remove(fp._p)


def _set_up_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles_el = doc.styles.element
    # Theme fonts and colours would override ours; take them out so the choices below hold.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for color in styles_el.iter(qn("w:color")):
        for attr in ("themeColor", "themeShade", "themeTint"):
            color.attrib.pop(qn(f"w:{attr}"), None)
    for bdr in styles_el.iter(qn("w:bottom")):
        bdr.attrib.pop(qn("w:themeColor"), None)

    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(qn(f"w:{attr}"), FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")

    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.color.rgb = RGBColor.from_string("1A1A1A")

    def heading(name: str, size: float, color: str, before: int, after: int) -> None:
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor.from_string(color)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)

    heading("Heading 1", 16, NAVY, 18, 10)
    heading("Heading 2", 13, NAVY, 16, 4)
    heading("Heading 3", 12, TEAL, 12, 4)
    h1 = doc.styles["Heading 1"].element.get_or_add_pPr()
    h1.append(
        parse_xml(
            f'<w:pBdr {_NSDECL}><w:bottom w:val="single" w:sz="8" w:space="4" w:color="{TEAL}"/></w:pBdr>'
        )
    )
    _reorder_ppr(h1)

    toc_heading = doc.styles["TOC Heading"]
    toc_heading.font.color.rgb = RGBColor.from_string(NAVY)
    toc_heading.element.get_or_add_pPr()  # inherits Heading 1's look, outline level 9

    title = doc.styles["Title"]
    title.font.size = Pt(28)
    title.font.color.rgb = RGBColor.from_string(NAVY)
    title.paragraph_format.space_after = Pt(18)
    for bdr in title.element.iter(qn("w:bottom")):
        bdr.set(qn("w:color"), TEAL)
    subtitle = doc.styles["Subtitle"]
    subtitle.font.size = Pt(16)
    subtitle.font.italic = False
    subtitle.font.color.rgb = RGBColor.from_string(TEAL)
    subtitle.paragraph_format.space_after = Pt(36)

    caption = doc.styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.italic = True
    caption.font.color.rgb = RGBColor.from_string(GREY_TEXT)

    bullet = doc.styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(3)

    def para_style(name: str, *, base: str = "Normal") -> Any:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles[base]
        st.quick_style = True
        return st

    kicker = para_style("Kicker")
    kicker.font.size = Pt(14)
    kicker.font.bold = True
    kicker.font.color.rgb = RGBColor.from_string(TEAL)
    kicker.paragraph_format.space_after = Pt(12)

    detail = para_style("Title Detail")
    detail.paragraph_format.space_after = Pt(4)
    detail.font.color.rgb = RGBColor.from_string("404040")

    label = para_style("Label")
    label.font.bold = True
    label.font.size = Pt(10)
    label.font.color.rgb = RGBColor.from_string("404040")
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.space_after = Pt(2)
    label.paragraph_format.keep_with_next = True

    grade = para_style("Grade")
    grade.font.bold = True
    grade.font.color.rgb = RGBColor.from_string(NAVY)
    grade.paragraph_format.space_before = Pt(8)
    grade.paragraph_format.space_after = Pt(4)
    grade.paragraph_format.keep_with_next = True  # never a grade alone at the foot of a page
    grade.element.get_or_add_pPr().append(
        parse_xml(
            f'<w:pBdr {_NSDECL}><w:left w:val="single" w:sz="24" w:space="6" w:color="{TEAL}"/></w:pBdr>'
        )
    )
    _reorder_ppr(grade.element.get_or_add_pPr())

    note = para_style("Note")
    note.font.italic = True
    note.font.color.rgb = RGBColor.from_string(GREY_TEXT)

    table_text = para_style("Table Text")
    table_text.font.size = Pt(8.5)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing = 1.0

    table_heading = para_style("Table Heading", base="Table Text")
    table_heading.font.bold = True
    table_heading.font.color.rgb = RGBColor.from_string("000000")
    table_heading.paragraph_format.keep_with_next = True

    table_group = para_style("Table Group", base="Table Text")
    table_group.font.bold = True
    table_group.font.size = Pt(9)
    table_group.font.color.rgb = RGBColor.from_string(NAVY)
    table_group.paragraph_format.keep_with_next = True

    for name in ("Header", "Footer"):
        doc.styles[name].paragraph_format.space_after = Pt(0)


# The order CT_PPrBase requires; python-docx appends, so borders added late are moved.
_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def _reorder_ppr(ppr: Any) -> None:
    from docx.oxml.ns import qn

    rank = {qn(f"w:{name}"): i for i, name in enumerate(_PPR_ORDER)}
    children = list(ppr)
    children.sort(key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        ppr.remove(el)
        ppr.append(el)


_SETTINGS_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def _set_up_settings(doc: Any) -> None:
    """Ask Word to update fields (the contents, page counts) when the document opens."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    settings = doc.settings.element
    update = parse_xml(f'<w:updateFields {_NSDECL} w:val="true"/>')
    later = {qn(f"w:{n}") for n in _SETTINGS_AFTER_UPDATE_FIELDS}
    later.add("{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr")
    for child in settings:
        if child.tag in later:
            child.addprevious(update)
            break
    else:
        settings.append(update)
    font_lang = settings.find(qn("w:themeFontLang"))
    if font_lang is not None:
        font_lang.set(qn("w:val"), "en-GB")


def _set_core_properties(doc: Any, model: StatementModel) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    props.title = model.title[:255]
    props.subject = f"Position statement — {model.partnership}"[:255]
    props.author = model.author[:255]
    props.last_modified_by = model.author[:255]
    props.language = "en-GB"
    props.keywords = "position statement; self-evaluation; children at risk of harm"
    props.comments = (
        f"Date of the evaluation: {long_date(model.date)}. "
        + (f"Approved by {model.approved_by}." if model.approved_by else "Not yet approved.")
    )[:255]
    props.category = model.status
    props.content_status = model.status
    props.version = model.version[:255]
    props.revision = 1
    props.created = now
    props.modified = now


def _set_app_properties(doc: Any) -> None:
    """Say honestly which program wrote the file (the template says a Mac Word did)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from carequal_desktop import APP_NAME, __version__

    for rel in doc.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
                '2006/docPropsVTypes">'
                f"<Template>Normal.dotm</Template><Application>{_esc(APP_NAME)} "
                f"{_esc(__version__)}</Application><DocSecurity>0</DocSecurity>"
                "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "</Properties>"
            ).encode()


def _drop_thumbnail(doc: Any) -> None:
    """python-docx's template carries a preview picture of an unrelated page; leave it out."""
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del pkg.rels[rid]


# ------------------------------------------------------------------------- charts


def _chart_png(model: StatementModel) -> bytes:
    """The grades chart (matplotlib without pyplot, so it is safe off the main thread)."""
    from carequal_desktop.reports.charts import grades_figure

    summaries, framework = model.chart_summaries, model.framework
    content = (
        [(s.code, s.title, s.grade) for s in summaries],
        [(lvl.value, lvl.label) for lvl in framework.scale],
    )
    return chart_images.png("grades", content, lambda: grades_figure(summaries, framework))


def _triangulation_png(model: StatementModel) -> bytes:
    from carequal_desktop.reports.charts import triangulation_figure

    rows = model.triangulation
    content = [
        (r.code, r.title, r.graded, sorted(r.sources.items()), sorted(r.agencies)) for r in rows
    ]
    return chart_images.png("triangulation", content, lambda: triangulation_figure(rows))


def draw_charts(model: StatementModel) -> list[bytes]:
    """Every chart the document will hold, drawn now (or found in the cache), in order.

    Reads only the model (plain data), so it may run on a background thread while the
    export window is open (``chart_images.prepare_in_background``).
    """
    images: list[bytes] = []
    if model.options.include_grades:
        images.append(_chart_png(model))
        change = grading_text.comparison_png_for(model)
        if change is not None:
            images.append(change)
    if model.triangulation:
        images.append(_triangulation_png(model))
    return images


def prepare_export(model: StatementModel | None = None) -> None:
    """Start importing python-docx and matplotlib (and drawing ``model``'s charts) now."""
    chart_images.prepare_in_background(None if model is None else lambda: draw_charts(model))
