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
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from carequal_desktop.domain.quantities import share_with_word, word_with_share
from carequal_desktop.domain.text import count_xml_forbidden, for_xml
from carequal_desktop.domain.vocabulary import (
    ACTION_STATUSES,
    EVALUATION_STATUSES,
    EVIDENCE_KINDS,
    NOT_GRADED,
)
from carequal_desktop.domain.wordcount import WORD_LIMIT, count_texts
from carequal_desktop.services.files import check_target, write_atomically

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
    version: str = "0.1"
    date: dt.date | None = None


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
    """The introduction (``number`` None) or one inspection statement."""

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
    options: ExportOptions
    introduction: BodySection
    statements: list[BodySection]
    summary: Table
    chart_summaries: list[Any]  # IndicatorSummary with titles made safe, for the chart
    framework: Any
    chart_alt_text: str
    plan: Table | None
    evidence_index: Table | None
    participants: Table
    scale: Table
    appendix_letters: dict[str, str]
    dropped_characters: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def body(self) -> list[BodySection]:
        return [self.introduction, *self.statements]


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


def evidence_citation(ev: Any, clean: _Cleaner) -> str:
    """ "[E12] Joint record reading, 60 records — most (85%)", as the statement cites it."""
    text = f"[{ev.ref}] {clean.line(ev.title)}"
    if ev.share_percent is not None:
        text += f" — {word_with_share(ev.share_percent)}"
        if ev.respondents:
            text += f" of {ev.respondents:,} respondents"
    elif ev.respondents:
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


def build_statement(service: Any, options: ExportOptions | None = None) -> StatementModel:
    """The whole document as plain data, every string already safe for Word."""
    options = options or ExportOptions()
    clean = _Cleaner()
    details = service.details()
    fw = service.framework()
    sessions = service.sessions()
    participants = service.participants()
    evaluations = {e.indicator_code: e for e in service.evaluations()}
    evidence = service.evidence()
    actions = service.actions()
    summaries = service.overview()
    warnings: list[str] = []

    letters: dict[str, str] = {}
    for key in (["evidence"] if options.include_evidence_appendix else []) + [
        "participants",
        "scale",
    ]:
        letters[key] = "ABC"[len(letters)]

    partnership = clean.line(details.partnership)
    title = clean.line(details.title)

    # ---- introduction
    intro = BodySection("introduction", None)
    intro.add("Heading1", "Introduction", page_break=True)
    intro.add("Heading2", "Scope")
    for style, text in _paragraphs(clean(details.scope)) or [("Note", NOT_RECORDED)]:
        intro.add(style, text)
    intro.add("Heading2", "Context")
    for style, text in _paragraphs(clean(details.context)) or [("Note", NOT_RECORDED)]:
        intro.add(style, text)

    intro.add("Heading2", "How we carried out the self-evaluation")
    method = (
        f"A multi-agency team evaluated the partnership's services against the "
        f"{clean.line(fw.title)}. For each quality indicator the team asked three questions: "
        f"how good are we now, how do we know, and what are we going to do now. "
        f"Grades use the six-point scale in Appendix {letters['scale']}."
    )
    intro.add("Normal", method)
    if sessions:
        intro.add(
            "Normal",
            f"The team met in {_plural(len(sessions), 'session')}"
            + (
                f", facilitated by {clean.line(details.facilitator)}:"
                if details.facilitator
                else ":"
            ),
        )
        for s in sessions:
            day = dt.date.fromisoformat(s.date)
            line = f"{day:%A} {long_date(day)}"
            if s.place:
                line += f", {clean.line(s.place)}"
            intro.add("ListBullet", line)
    if evidence:
        agencies = {e.agency.strip().lower() for e in evidence if e.agency.strip()}
        sentence = f"The team considered {_plural(len(evidence), 'item')} of evidence"
        if agencies:
            sentence += f" from {_plural(len(agencies), 'agency', 'agencies')}"
        if options.include_evidence_appendix:
            sentence += f", listed in Appendix {letters['evidence']}"
        intro.add("Normal", sentence + ". References such as [E1] point to that evidence.")

    intro.add("Heading2", "Who took part")
    agencies_summary = service.agencies_summary()
    if participants:
        intro.add(
            "Normal",
            f"{_sentence(_plural(len(participants), 'person', 'people'))} from "
            f"{_plural(len(agencies_summary), 'agency', 'agencies')} took part "
            f"(Appendix {letters['participants']}):",
        )
        for agency, n in agencies_summary:
            intro.add("ListBullet", f"{clean.line(agency)} ({n})")
    else:
        intro.add("Note", NOT_RECORDED)

    # ---- one section per inspection statement
    actions_by_code: dict[str, list[Any]] = {}
    for act in actions:
        for code in act.indicators:
            actions_by_code.setdefault(code, []).append(act)
    evidence_by_code: dict[str, list[Any]] = {}
    for ev in evidence:
        for code in ev.indicators:
            evidence_by_code.setdefault(code, []).append(ev)

    written_under: dict[str, int] = {}
    statements: list[BodySection] = []
    for st in fw.statements:
        sec = BodySection(f"statement-{st.number}", st.number)
        sec.add("Heading1", f"Statement {st.number}: {clean.line(st.text)}", page_break=True)
        indicators = fw.indicators_for_statement(st.number)
        if not indicators:
            sec.add("Note", "No quality indicators are mapped to this statement.")
        for ind in indicators:
            sec.add("Heading2", f"{ind.code} {clean.line(ind.title)}")
            if ind.code in written_under:
                sec.add(
                    "Normal",
                    f"This indicator is evaluated under statement {written_under[ind.code]}.",
                )
                continue
            written_under[ind.code] = st.number
            _indicator_blocks(
                sec,
                ind.code,
                evaluations.get(ind.code),
                evidence_by_code.get(ind.code, []),
                actions_by_code.get(ind.code, []),
                fw,
                options,
                clean,
            )
        statements.append(sec)
    unmapped = [ind.label for ind in fw.indicators if not ind.statements]
    if unmapped:
        warnings.append(
            "Not mapped to any statement, so shown only in the summary: "
            + ", ".join(clean.line(u) for u in unmapped)
            + "."
        )

    # ---- summary
    columns = ["Quality indicator", "Statement", "Status"]
    widths = [5600, 1300, 1400]
    if options.include_grades:
        columns.append("Grade")
        widths = [4800, 1200, 1300, 1600]
    summary = Table(
        "Summary of the self-evaluation by quality indicator", columns, _fit(widths, 9638)
    )
    for sm in summaries:
        row = [
            f"{sm.code} {clean.line(sm.title)}",
            ", ".join(str(n) for n in sm.statements) or "—",
            EVALUATION_STATUSES.get(sm.status, sm.status),
        ]
        if options.include_grades:
            row.append(_grade_text(sm.grade, fw, clean))
        summary.rows.append(row)
    graded = [(sm.code, sm.grade) for sm in summaries if sm.grade is not None]
    alt = (
        "Bar chart of the team's grade for each quality indicator on the six-point scale. "
        + (
            "; ".join(f"{c}: {_grade_text(g, fw, clean)}" for c, g in graded)
            if graded
            else "No indicator has been graded yet"
        )
        + "."
    )

    # ---- improvement plan
    plan: Table | None = None
    if options.include_plan:
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
        for act in actions:
            by_statement.setdefault(act.statement, []).append(
                [
                    clean.line(act.ref),
                    clean(act.issue),
                    clean(act.task),
                    clean(act.expected_outcome),
                    clean(act.ownership),
                    clean(act.monitoring),
                    clean(act.baseline),
                    clean(act.target),
                    short_date(act.due),
                    ACTION_STATUSES.get(act.status, act.status),
                ]
            )
        assert plan.groups is not None
        for st in fw.statements:
            if st.number in by_statement:
                plan.groups.append(
                    (f"Statement {st.number}: {clean.line(st.text)}", by_statement.pop(st.number))
                )
        leftover = [row for rows in by_statement.values() for row in rows]
        if leftover:
            plan.groups.append(("Not linked to a statement", leftover))

    # ---- appendices
    evidence_index: Table | None = None
    if options.include_evidence_appendix:
        evidence_index = Table(
            "Evidence index",
            ["Ref", "Title", "Kind", "Agency", "Date", "Share", "Indicators"],
            _fit([650, 2750, 1350, 1550, 1100, 1250, 988], 9638),
        )
        for ev in evidence:
            share = share_with_word(ev.share_percent)
            if share and ev.respondents:
                share += f" ({ev.respondents:,} respondents)"
            evidence_index.rows.append(
                [
                    ev.ref,
                    clean.line(ev.title),
                    EVIDENCE_KINDS.get(ev.kind, ev.kind),
                    clean.line(ev.agency),
                    short_date(ev.date),
                    share,
                    ", ".join(ev.indicators),
                ]
            )
    people = Table("Participants", ["Name", "Agency", "Role"], _fit([3000, 3600, 3038], 9638))
    people.rows = [
        [clean.line(p.name), clean.line(p.agency), clean.line(p.role)] for p in participants
    ]
    scale = Table(
        "The six-point evaluation scale",
        ["Grade", "Label", "Meaning"],
        _fit([900, 1900, 6838], 9638),
    )
    scale.rows = [[str(lv.value), clean.line(lv.label), clean(lv.meaning)] for lv in fw.scale]

    model = StatementModel(
        title=title,
        partnership=partnership,
        author=clean.line(details.facilitator) or partnership,
        framework_title=clean.line(fw.title),
        date=options.date or dt.date.today(),
        version=clean.line(options.version) or "0.1",
        options=options,
        introduction=intro,
        statements=statements,
        summary=summary,
        chart_summaries=[
            replace(sm, title=" ".join(for_xml(sm.title).split())) for sm in summaries
        ],
        framework=fw,
        chart_alt_text=alt,
        plan=plan,
        evidence_index=evidence_index,
        participants=people,
        scale=scale,
        appendix_letters=letters,
        warnings=warnings,
    )
    model.dropped_characters = clean.dropped
    if clean.dropped:
        model.warnings.append(
            f"{_sentence(_plural(clean.dropped, 'character'))} that Word cannot hold (control characters) "
            "were left out of the document."
        )
    return model


def _indicator_blocks(
    sec: BodySection,
    code: str,
    ev: Any,
    cited: list[Any],
    linked_actions: list[Any],
    fw: Any,
    options: ExportOptions,
    clean: _Cleaner,
) -> None:
    def narrative(text: str) -> bool:
        paras = _paragraphs(clean(text))
        for style, line in paras:
            sec.add(style, line)
        return bool(paras)

    sec.add("Heading3", QUESTIONS[0])
    wrote = narrative(ev.how_good_now) if ev else False
    if ev and ev.strengths:
        sec.add("Label", "Strengths")
        for item in ev.strengths:
            sec.add("ListBullet", clean.line(item.text))
        wrote = True
    if ev and ev.areas_for_improvement:
        sec.add("Label", "Areas for improvement")
        for item in ev.areas_for_improvement:
            sec.add("ListBullet", clean.line(item.text))
        wrote = True
    if not wrote:
        sec.add("Note", NOT_RECORDED)
    if options.include_grades:
        sec.add("Grade", f"Grade: {_grade_text(ev.grade if ev else None, fw, clean)}")
        if ev and ev.rationale.strip():
            for _style, line in _paragraphs(clean(ev.rationale)):
                sec.add("Normal", line)

    sec.add("Heading3", QUESTIONS[1])
    wrote = narrative(ev.how_do_we_know) if ev else False
    if cited:
        sec.add("Label", "Evidence")
        for item in cited:
            sec.add("ListBullet", evidence_citation(item, clean))
        wrote = True
    if not wrote:
        sec.add("Note", NOT_RECORDED)

    sec.add("Heading3", QUESTIONS[2])
    wrote = narrative(ev.what_next) if ev else False
    if linked_actions:
        sec.add("Label", "Actions in the improvement plan")
        for act in linked_actions:
            line = (
                f"Action {clean.line(act.ref)}: {clean.line(act.task) or 'task not yet described'}"
            )
            if not line.endswith((".", "!", "?")):
                line += "."
            owner = clean.line(act.ownership)
            line += f" Owner: {owner}." if owner else " Owner: not yet agreed."
            line += f" Due: {long_date(act.due)}." if act.due else " Due: not yet set."
            sec.add("ListBullet", line)
        wrote = True
    if not wrote:
        sec.add("Note", NOT_RECORDED)


def _fit(widths: list[int], total: int) -> list[int]:
    """Scale column widths so they fill the text width exactly."""
    scaled = [w * total // sum(widths) for w in widths]
    scaled[-1] += total - sum(scaled)
    return scaled


def body_word_counts(model: StatementModel) -> tuple[dict[int, int], int]:
    """Words per statement and in the whole body (introduction and the four statements)."""
    per = {
        sec.number: count_texts(b.text for b in sec.blocks)
        for sec in model.statements
        if sec.number is not None
    }
    total = count_texts(b.text for b in model.introduction.blocks) + sum(per.values())
    return per, total


def word_counts(service: Any, options: ExportOptions | None = None) -> tuple[dict[int, int], int]:
    """Words per statement and in total, as the document will have them."""
    return body_word_counts(build_statement(service, options))


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
    from docx.shared import Cm
    from lxml import etree

    _report(progress, 5, "Setting up the document")
    doc = Document()
    _set_up_styles(doc)
    _set_up_settings(doc)
    _set_core_properties(doc, model)
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
    buffer.append(_para("Draft position statement", "Subtitle"))
    for label, value in (
        ("Status", "Draft"),
        ("Version", model.version),
        ("Date", long_date(model.date)),
        ("Framework", model.framework_title),
        ("Prepared by", model.author),
    ):
        buffer.append(
            '<w:p><w:pPr><w:pStyle w:val="TitleDetail"/></w:pPr>'
            + _runs(f"{label}: ", "<w:b/>")
            + _runs(value)
            + "</w:p>"
        )

    # ---- contents
    buffer.append(_para("Contents", "TOCHeading", ppr="<w:pageBreakBefore/>"))
    buffer.append(
        "<w:p>"
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:rPr><w:i/><w:color w:val="{GREY_TEXT}"/></w:rPr>'
        "<w:t>Right-click and choose Update field to build the contents.</w:t></w:r>"
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
        png = _chart_png(model)
        inline = doc.part.new_pic_inline(io.BytesIO(png), Cm(16.5), None)
        doc_pr = inline.docPr
        doc_pr.set("name", "Chart of grades")
        doc_pr.set("descr", model.chart_alt_text)
        doc_pr.set("title", "Grades by quality indicator")
        buffer.append(
            '<w:p><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:jc w:val="center"/></w:pPr>'
            f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r></w:p>"
        )
        buffer.append(_para("Figure 1: The team's grades by quality indicator", "Caption"))

    # ---- improvement plan, in a landscape section of its own
    letters = model.appendix_letters
    if model.plan is not None:
        _report(progress, 50, "Writing the improvement plan")
        end_section(first_sect)
        buffer.append(_para("Improvement plan", "Heading1"))
        if model.plan.groups:
            buffer.append(
                _para(
                    "Actions are grouped by the inspection statement they serve; references "
                    "such as [E11] point to the evidence index."
                )
            )
            buffer.append(_table_xml(model.plan))
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
    _report(progress, 75, "Writing the participants and the scale")
    buffer.append(_para(f"Appendix {letters['participants']}: Participants", "Heading2"))
    if model.participants.rows:
        buffer.append(_table_xml(model.participants))
    else:
        buffer.append(_para(NOT_RECORDED, "Note"))
    buffer.append(_para(f"Appendix {letters['scale']}: The evaluation scale", "Heading2"))
    buffer.append(_table_xml(model.scale))
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
        + _runs(f"Draft — {model.partnership}", f'<w:color w:val="{GREY_TEXT}"/><w:sz w:val="16"/>')
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

    heading("Heading 1", 16, NAVY, 0, 10)
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
    props.subject = f"Draft position statement — {model.partnership}"[:255]
    props.author = model.author[:255]
    props.last_modified_by = model.author[:255]
    props.language = "en-GB"
    props.keywords = "position statement; self-evaluation; children at risk of harm"
    props.comments = ""
    props.category = "Draft"
    props.version = model.version[:255]
    props.revision = 1
    props.created = now
    props.modified = now


def _drop_thumbnail(doc: Any) -> None:
    """python-docx's template carries a preview picture of an unrelated page; leave it out."""
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del pkg.rels[rid]


# ------------------------------------------------------------------------- chart


def _chart_png(model: StatementModel) -> bytes:
    """The grades chart as a 200 dpi PNG, drawn without pyplot so it is safe off the main thread."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from carequal_desktop.reports.charts import grades_figure

    with warnings.catch_warnings():
        # A glyph the chart font lacks (an emoji in a title) must not stop the export.
        warnings.simplefilter("ignore")
        fig = grades_figure(model.chart_summaries, model.framework)
        FigureCanvasAgg(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=200)
    return out.getvalue()
