"""Making arbitrary text safe to store and safe to put into Word.

Two different rules, each applied in exactly one place:
- storage: the store holds UTF-8, which cannot carry lone surrogates, and PostgreSQL's text
  cannot hold NUL (U+0000); both become U+FFFD, on every engine, so a workshop's text is
  the same in a file and on a server.
- Word: XML 1.0 forbids most control characters and U+FFFE/U+FFFF; they are dropped.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Characters XML 1.0 cannot hold (tab, newline and carriage return are allowed).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def for_storage(text: str) -> str:
    """Replace lone surrogates (which UTF-8 cannot encode) and NUL (which PostgreSQL text
    cannot hold) with U+FFFD."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(REPLACEMENT, text)


def needs_storage_cleaning(text: str) -> bool:
    """True when ``for_storage`` would change the text."""
    return _UNSTORABLE.search(text) is not None


def for_xml(text: str) -> str:
    """Drop the characters a Word document cannot contain."""
    if _XML_FORBIDDEN.search(text) is None:
        return text
    return _XML_FORBIDDEN.sub("", text)


def count_xml_forbidden(text: str) -> int:
    """How many characters ``for_xml`` would drop."""
    return len(_XML_FORBIDDEN.findall(text))


def one_line(text: str, limit: int = 2000) -> str:
    """Collapse a list item or title to one line within the exchange format's limit."""
    collapsed = " ".join(text.split())
    return collapsed[:limit]


def shorten(text: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters at a word boundary, ending with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
