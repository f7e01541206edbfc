import pytest

from carequal_desktop.domain.framework import (
    builtin_framework_ids,
    indicator_sort_key,
    load_builtin,
)

DEFAULT_MAPPING = {
    1: ["5.1", "5.2"],
    2: ["1.1", "2.1", "2.2", "5.3"],
    3: ["5.4", "6.3"],
    4: [
        "3.1",
        "4.1",
        "6.1",
        "6.2",
        "6.4",
        "7.1",
        "7.2",
        "8.1",
        "8.2",
        "9.1",
        "9.2",
        "9.3",
        "9.4",
        "10.1",
    ],
}


def test_2019_framework_is_the_default_with_22_indicators() -> None:
    fw = load_builtin()
    assert fw.id == "qf-2019"
    assert len(fw.indicators) == 22
    assert [s.number for s in fw.statements] == [1, 2, 3, 4]


def test_2019_default_statement_mapping() -> None:
    fw = load_builtin("qf-2019")
    for number, codes in DEFAULT_MAPPING.items():
        assert [i.code for i in fw.indicators_for_statement(number)] == codes


@pytest.mark.parametrize("framework_id", ["qf-2019", "qf-2012"])
def test_every_indicator_has_prompts_and_a_statement(framework_id: str) -> None:
    fw = load_builtin(framework_id)
    for ind in fw.indicators:
        assert 2 <= len(ind.prompts) <= 5, ind.code
        assert ind.statements, ind.code
        assert ind.key_question and ind.area


@pytest.mark.parametrize("framework_id", ["qf-2019", "qf-2012"])
def test_six_point_scale_with_a_paragraph_per_level(framework_id: str) -> None:
    fw = load_builtin(framework_id)
    assert [lvl.value for lvl in fw.scale] == [6, 5, 4, 3, 2, 1]
    assert [lvl.label for lvl in fw.scale] == [
        "Excellent",
        "Very good",
        "Good",
        "Adequate",
        "Weak",
        "Unsatisfactory",
    ]
    for lvl in fw.scale:
        assert len(lvl.meaning.split()) >= 40, lvl.label


def test_both_frameworks_are_offered_default_first() -> None:
    ids = [fid for fid, _ in builtin_framework_ids()]
    assert ids == ["qf-2019", "qf-2012"]


def test_framework_round_trips_through_its_dict() -> None:
    fw = load_builtin()
    assert type(fw).from_dict(fw.to_dict()) == fw


def test_codes_sort_numerically() -> None:
    assert sorted(["10.1", "9.4", "1.1", "2.2"], key=indicator_sort_key) == [
        "1.1",
        "2.2",
        "9.4",
        "10.1",
    ]
