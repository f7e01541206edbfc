"""Two people typing in the same field of a server workshop: neither text is lost.

The later save collides (``EditCollisionError``) and is kept as a conflict in the workshop,
decided on the Merge page or with ``carequal resolve`` like one from a merged copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from carequal_desktop.errors import EditCollisionError
from carequal_desktop.services import merge as merging
from carequal_desktop.services import server
from carequal_desktop.services.collisions import origins, record_collision
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.grading import GradingService
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.server import parse_location
from tests.server.pgcluster import Cluster


@pytest.fixture
def pair(
    cluster: Cluster, database: str, server_url: str, tmp_path: Path, example_doc: dict
) -> Iterator[tuple[WorkshopService, WorkshopService]]:
    """Morag and Ian, two roles the workshop was granted to, with it open at once."""
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    opened = []
    for role in ("morag", "ian"):
        cluster.psql(
            f"DO $$ BEGIN CREATE ROLE {role} LOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO {role}")
        server.grant(loc, role)
        as_role = parse_location(cluster.url(role, database)).with_workshop(str(loc.workshop_id))
        opened.append(server.open_server_workshop(as_role))
    try:
        yield opened[0], opened[1]
    finally:
        for service in opened:
            service.close()


def collide(save: Callable[[], None]) -> EditCollisionError:
    with pytest.raises(EditCollisionError) as info:
        save()
    return info.value


def test_the_later_of_two_edits_from_the_same_text_becomes_a_conflict(pair) -> None:
    morag, ian = pair
    start = morag.evaluation("5.2").how_good_now
    assert ian.evaluation("5.2").how_good_now == start  # both loaded the same text
    morag.update_evaluation("5.2", expected={"how_good_now": start}, how_good_now="Morag's")
    exc = collide(
        lambda: ian.update_evaluation("5.2", expected={"how_good_now": start}, how_good_now="Ian's")
    )
    assert (exc.mine, exc.theirs) == ("Ian's", "Morag's")
    info = record_collision(ian, exc, by="ian")
    assert morag.evaluation("5.2").how_good_now == "Morag's"
    [listed] = merging.open_conflicts(morag)
    assert (listed.id, listed.base, listed.ours, listed.theirs) == (
        info.id,
        start,
        "Morag's",
        "Ian's",
    )
    assert merging.conflict_codes(morag) == {"5.2"}
    assert merging.export_warning(morag) is not None
    assert origins(morag)[info.id].by == "ian"
    # Recorded again (a retry): still one conflict.
    assert record_collision(ian, exc, by="ian").id == info.id
    assert len(merging.open_conflicts(ian)) == 1
    assert merging.merge_log(morag)[0]["conflicts"] == 1
    # Different fields of the same indicator: both kept, no conflict.
    ian.update_evaluation(
        "5.2", expected={"what_next": ian.evaluation("5.2").what_next}, what_next="Ian's plan"
    )
    got = morag.evaluation("5.2")
    assert (got.how_good_now, got.what_next) == ("Morag's", "Ian's plan")


def test_items_details_and_grading_collide_into_conflicts_decided_each_way(pair) -> None:
    """Deciding needs ``merge.resolve`` on PostgreSQL (the server port of services/merge.py)."""
    morag, ian = pair
    start = morag.evaluation("5.2").how_good_now
    morag.update_evaluation("5.2", expected={"how_good_now": start}, how_good_now="Morag's")
    on_answer = record_collision(
        ian,
        collide(
            lambda: ian.update_evaluation(
                "5.2", expected={"how_good_now": start}, how_good_now="Ian's"
            )
        ),
        by="ian",
    )
    item = morag.add_item("5.1", "strength", "Children are heard")
    morag.update_item(item.id, "Children are heard early", expected="Children are heard")
    on_item = record_collision(
        ian,
        collide(lambda: ian.update_item(item.id, "Listened to", expected="Children are heard")),
        by="ian",
    )
    context = morag.details().context
    morag.update_details(expected={"context": context}, context="Morag's context")
    on_details = record_collision(
        ian,
        collide(lambda: ian.update_details(expected={"context": context}, context="Ian's")),
        by="ian",
    )
    rationale = ian.evaluation("9.2").rationale
    GradingService(morag).agree("9.2", 4, "Morag's reasons")
    on_grade = record_collision(
        ian,
        collide(
            lambda: ian.update_evaluation(
                "9.2", expected={"rationale": rationale}, rationale="Ian's reasons"
            )
        ),
        by="ian",
    )
    assert [c.record for c in merging.open_conflicts(morag)] == [
        "Strength in 5.1",
        "Indicator 5.2",
        "Indicator 9.2",
        "Workshop details",
    ]
    merging.resolve(morag, on_answer.id, "theirs")
    assert ian.evaluation("5.2").how_good_now == "Ian's"
    merging.resolve(morag, on_item.id, "ours")
    merging.resolve(morag, on_details.id, "text", "Both contexts")
    merging.resolve(morag, on_grade.id, "theirs")
    assert ian.evaluation("5.1").strengths[0].text == "Children are heard early"
    assert ian.details().context == "Both contexts"
    assert (ian.evaluation("9.2").rationale, ian.evaluation("9.2").grade) == (
        "Ian's reasons",
        4,
    )
    assert merging.open_conflicts(morag) == []


def test_a_role_granted_before_sequences_were_granted_gets_them_from_server_init(
    cluster: Cluster, database: str, server_url: str, pair
) -> None:
    from carequal_desktop.errors import UserError
    from carequal_desktop.store.server import init_server

    morag, ian = pair
    schema = ian.db.server.location.schema  # type: ignore[union-attr]
    cluster.psql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM ian", database)
    start = morag.evaluation("5.1").what_next
    morag.update_evaluation("5.1", expected={"what_next": start}, what_next="Morag's")
    exc = collide(
        lambda: ian.update_evaluation("5.1", expected={"what_next": start}, what_next="Ian's")
    )
    with pytest.raises(UserError, match="not allowed"):
        record_collision(ian, exc, by="ian")
    init_server(parse_location(server_url))  # IT, after upgrading CareQual
    assert record_collision(ian, exc, by="ian").theirs == "Ian's"
