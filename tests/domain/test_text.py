from carequal_desktop.domain.text import count_xml_forbidden, for_storage, for_xml, one_line


def test_lone_surrogates_become_replacement_characters_for_storage() -> None:
    text = "a\ud800b\udfffc"
    assert for_storage(text) == "a\ufffdb\ufffdc"
    for_storage(text).encode("utf-8")  # now encodable


def test_nul_becomes_a_replacement_character_for_storage() -> None:
    # PostgreSQL text cannot hold NUL; files replace it too, so both engines read the same.
    assert for_storage("a\x00b") == "a\ufffdb"


def test_ordinary_text_is_untouched() -> None:
    text = "Tha e math 😀 שלום e\u0301"
    assert for_storage(text) is text
    assert for_xml(text) is text


def test_xml_forbidden_characters_are_dropped_and_counted() -> None:
    text = "a\x00b\x01c\td\ne\uffff"
    assert for_xml(text) == "abc\td\ne"
    assert count_xml_forbidden(text) == 3


def test_one_line_collapses_whitespace_and_limits_length() -> None:
    assert one_line("  a \n b\t c ") == "a b c"
    assert len(one_line("x" * 5000)) == 2000
