"""Two people typing in the same field of a server workshop: neither text is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from carequal_desktop.errors import EditCollisionError
from carequal_desktop.services import server
from carequal_desktop.services.exchange import import_document


def test_the_later_of_two_edits_from_the_same_text_becomes_a_collision(
    server_url: str, tmp_path: Path, example_doc: dict
) -> None:
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    morag = server.open_server_workshop(loc)
    ian = server.open_server_workshop(loc)
    try:
        start = morag.evaluation("5.2").how_good_now
        assert ian.evaluation("5.2").how_good_now == start  # both loaded the same text
        morag.update_evaluation("5.2", expected={"how_good_now": start}, how_good_now="Morag's")
        with pytest.raises(EditCollisionError) as info:
            ian.update_evaluation("5.2", expected={"how_good_now": start}, how_good_now="Ian's")
        assert (info.value.mine, info.value.theirs) == ("Ian's", "Morag's")
        assert morag.evaluation("5.2").how_good_now == "Morag's"
        # Different fields of the same indicator: both kept.
        ian.update_evaluation(
            "5.2", expected={"what_next": ian.evaluation("5.2").what_next}, what_next="Ian's plan"
        )
        got = morag.evaluation("5.2")
        assert (got.how_good_now, got.what_next) == ("Morag's", "Ian's plan")
    finally:
        morag.close()
        ian.close()
