"""Counting the words of a position statement, the one way the window and the document share.

The guidance asks for a position statement of at most 5,000 words. A word is a run of
characters between whitespace, which is how Word counts and how a reader would check it;
headings count too, because Word's own count includes them.
"""

from __future__ import annotations

from collections.abc import Iterable

WORD_LIMIT = 5000


def count_words(text: str) -> int:
    """The number of words in one piece of text."""
    return len(text.split())


def count_texts(texts: Iterable[str]) -> int:
    """The number of words in several paragraphs together."""
    return sum(len(text.split()) for text in texts)


def over_limit(total: int, limit: int = WORD_LIMIT) -> bool:
    """True when a statement's body is longer than the guidance allows."""
    return total > limit
