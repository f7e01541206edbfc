"""Abbreviations a position statement in Scottish child protection is likely to use.

The document's glossary lists only those the text actually uses, in alphabetical order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ABBREVIATIONS: dict[str, str] = {
    "ACEs": "adverse childhood experiences",
    "ADP": "alcohol and drug partnership",
    "AHP": "allied health professional",
    "ASN": "additional support needs",
    "CAMHS": "child and adolescent mental health services",
    "CHI": "community health index (the NHS number used in Scotland)",
    "COG": "chief officers group",
    "CPC": "child protection committee",
    "CPO": "child protection order",
    "CSO": "compulsory supervision order",
    "CSE": "child sexual exploitation",
    "CYP": "children and young people",
    "EFQM": "European Foundation for Quality Management (the excellence model behind the framework)",
    "GIRFEC": "Getting it right for every child",
    "HSCP": "health and social care partnership",
    "HV": "health visitor",
    "IRD": "inter-agency referral discussion",
    "IRDs": "inter-agency referral discussions",
    "JII": "joint investigative interview",
    "KPI": "key performance indicator",
    "LAC": "looked after children",
    "MAASH": "multi-agency assessment and screening hub",
    "MAPPA": "multi-agency public protection arrangements",
    "MARAC": "multi-agency risk assessment conference",
    "NHS": "National Health Service",
    "PPU": "public protection unit (Police Scotland)",
    "QA": "quality assurance",
    "SCIM": "Scottish child interview model",
    "SCRA": "Scottish Children's Reporter Administration",
    "SHANARRI": "the eight wellbeing indicators: safe, healthy, achieving, nurtured, active, "
    "respected, responsible and included",
    "SWS": "social work services",
    "UNCRC": "United Nations Convention on the Rights of the Child",
    "VPD": "vulnerable persons database (Police Scotland)",
}

_WORD = re.compile(r"\b[A-Z][A-Za-z]{1,9}\b")


def abbreviations_used(texts: Iterable[str]) -> list[tuple[str, str]]:
    """(abbreviation, meaning) for each known abbreviation found in ``texts``, sorted."""
    seen: set[str] = set()
    for text in texts:
        for word in _WORD.findall(text):
            if word in ABBREVIATIONS:
                seen.add(word)
    # The plural and singular of one term need one line.
    if "IRDs" in seen:
        seen.discard("IRDs")
        seen.add("IRD")
    return sorted(((a, ABBREVIATIONS[a]) for a in seen), key=lambda item: item[0].lower())
