import pytest

from carequal_desktop.domain.quantities import (
    format_percent,
    quantity_word,
    share_with_word,
    word_with_share,
)


@pytest.mark.parametrize(
    ("share", "word"),
    [
        (0, "none"),
        (0.5, "few"),
        (14, "few"),
        (14.9, "few"),
        (15, "less than half"),
        (49, "less than half"),
        (49.9, "less than half"),
        (50, "the majority"),
        (52.5, "the majority"),
        (74, "the majority"),
        (75, "most"),
        (89, "most"),
        (89.9, "most"),
        (90, "almost all"),
        (99.9, "almost all"),
        (100, "all"),
    ],
)
def test_standard_words_follow_the_inspection_bands(share: float, word: str) -> None:
    assert quantity_word(share) == word


@pytest.mark.parametrize("bad", [-1, 100.1, float("nan")])
def test_shares_outside_0_to_100_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        quantity_word(bad)


def test_register_and_statement_forms() -> None:
    assert share_with_word(82) == "82% — most"
    assert word_with_share(85) == "most (85%)"
    assert format_percent(52.5) == "52.5%"
    assert share_with_word(None) == ""
