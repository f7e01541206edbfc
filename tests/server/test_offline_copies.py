"""services/offline.py: the mirror of a server workshop, and offline copies taken from the
server or, when it cannot be reached, from the mirror with the typing put in."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from carequal_desktop.errors import UserError
from carequal_desktop.services import offline, server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.services.merge import open_conflicts
from carequal_desktop.services.recovery import Edit, apply_edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store.server import ServerUnreachableError, parse_location
from tests.server.netproxy import Proxy
from tests.server.pgcluster import Cluster


@pytest.fixture
def direct(server_url: str, tmp_path: Path, example_doc: dict) -> str:
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    return server.push(source, server_url).display


@pytest.fixture
def proxy(cluster: Cluster):  # type: ignore[no-untyped-def]
    net = Proxy(cluster.port)
    yield net
    net.close()


def _edit(field: str, text: str, base: str | None) -> Edit:
    return Edit("evaluation", "5.2", field, text, "How good are we now?", base=base)


def test_retries_slow_down_to_every_fifteen_seconds() -> None:
    backoff = offline.Backoff()
    assert [backoff.next_delay() for _ in range(7)] == [2, 2, 4, 8, 15, 15, 15]
    backoff.reset()
    assert backoff.next_delay() == 2


def test_sentences_are_one_line_of_british_english() -> None:
    assert offline.age_words(20) == "less than a minute"
    assert offline.age_words(61) == "1 minute"
    assert offline.age_words(3900) == "1 hour 5 minutes"
    assert offline.age_words(7200) == "2 hours"
    lost = offline.lost_sentence(time.time(), 4)
    assert lost.startswith("Connection to the server lost at ") and lost.endswith("again in 4 s.")
    assert "\n" not in lost and offline.lost_sentence(time.time(), None).endswith("now…")


def test_a_copy_from_the_server_has_the_typing_and_the_server_does_not(
    direct: str, tmp_path: Path
) -> None:
    service = server.open_server_workshop(direct)
    try:
        base = service.evaluation("5.2").how_good_now
    finally:
        service.close()
    target = tmp_path / "copy.carequal"
    made = offline.take_offline_copy(direct, target, [_edit("how_good_now", "Offline words", base)])
    assert made.from_server and made.applied == 1 and made.conflicts == 0
    assert "taken from the server with your typing" in made.sentence()
    copy = WorkshopService.open(target)
    try:
        assert copy.evaluation("5.2").how_good_now == "Offline words"
    finally:
        copy.close()
    service = server.open_server_workshop(direct)
    try:
        assert service.evaluation("5.2").how_good_now == base
    finally:
        service.close()


def test_the_mirror_stands_in_when_the_server_cannot_be_reached(
    direct: str, proxy: Proxy, tmp_path: Path
) -> None:
    through = proxy.url(direct)
    assert offline.mirror_taken(parse_location(through)) is None
    proxy.cut()
    with pytest.raises(ServerUnreachableError, match="^No offline copy can be made yet") as no:
        offline.take_offline_copy(through, tmp_path / "none.carequal", [])
    assert "\n" not in str(no.value) and not (tmp_path / "none.carequal").exists()
    proxy.restore()

    taken = offline.refresh_mirror(parse_location(through))
    mirror = offline.mirror_path(parse_location(through))
    assert mirror.is_file() and offline.mirror_taken(parse_location(through)) is not None
    assert taken <= time.time()
    service = server.open_server_workshop(direct)
    try:
        base = service.evaluation("5.2").how_good_now
        # Saved on the server after the mirror was taken: carried in as the journal.
        saved = _edit("what_next", "Saved after the mirror", service.evaluation("5.2").what_next)
        apply_edit(service, saved)
        # A colleague saved after the mirror, and this window saved on top of that: the
        # server's latest text is this window's, so it goes into the copy as it is.
        service.update_evaluation("5.2", rationale="The colleague's rationale")
        on_top = _edit("rationale", "Ours, on top of the colleague's", "The colleague's rationale")
        apply_edit(service, on_top)
        # A colleague's newer text that typing never saved began before: their text stays,
        # and the typing is kept as a conflict to decide.
        colleague_text = service.details().context
    finally:
        service.close()

    proxy.cut()
    typing = [
        _edit("how_good_now", "Typed offline", base),
        Edit("details", "", "context", "Our context", "Context", base="something older"),
    ]
    target = tmp_path / "from-mirror.carequal"
    made = offline.take_offline_copy(through, target, typing, saved_since_mirror=[saved, on_top])
    assert not made.from_server and made.applied == 4 and made.conflicts == 1
    sentence = made.sentence(now=made.mirror_taken + 125)  # type: ignore[operator]
    assert "this computer's copy of the workshop" in sentence and "(2 minutes old)" in sentence
    assert "1 field a colleague had changed meanwhile keep" in sentence
    copy = WorkshopService.open(target)
    try:
        ev = copy.evaluation("5.2")
        assert (ev.how_good_now, ev.what_next) == ("Typed offline", "Saved after the mirror")
        assert ev.rationale == "Ours, on top of the colleague's"
        assert copy.details().context == colleague_text != "Our context"
        conflicts = open_conflicts(copy)
        assert len(conflicts) == 1 and "Our context" in str(conflicts[0])
    finally:
        copy.close()


def test_a_line_maybe_added_already_is_not_added_twice(direct: str, tmp_path: Path) -> None:
    service = server.open_server_workshop(direct)
    line = Edit("new_item", "5.2", "strength", "A line whose answer was lost", "Strength")
    try:
        apply_edit(service, line)  # the COMMIT reached the server; its answer did not
        apply_edit(service, line, maybe_saved=True)
        texts = [i.text for i in service.evaluation("5.2").strengths]
        assert texts.count("A line whose answer was lost") == 1
        apply_edit(service, line)  # typed again on purpose: added again
        texts = [i.text for i in service.evaluation("5.2").strengths]
        assert texts.count("A line whose answer was lost") == 2
        # A field edit that may have been saved: found there, so not written again.
        before = service.evaluation("5.2").how_good_now
        edit = _edit("how_good_now", before + " once", before)
        apply_edit(service, edit)
        stamp = service.evaluation("5.2").updated
        apply_edit(service, dataclasses.replace(edit), maybe_saved=True)
        assert service.evaluation("5.2").how_good_now == before + " once"
        assert service.evaluation("5.2").updated == stamp  # found there, not written again
    finally:
        service.close()


def test_a_silent_network_is_noticed_by_keepalives(direct: str) -> None:
    from carequal_desktop.services.live import ChangeListener

    service = server.open_server_workshop(direct)
    listener = ChangeListener(service.db.server)  # type: ignore[arg-type]
    try:
        listener.start()
        assert listener.connected
        with service.engine.connect() as conn:
            params = conn.connection.driver_connection.info.get_parameters()  # type: ignore[union-attr]
        assert params["keepalives_idle"] == "10" and params["keepalives_count"] == "3"
        assert params["tcp_user_timeout"] == "20000"
        assert listener._conn is not None
        assert listener._conn.info.get_parameters()["keepalives_idle"] == "10"
    finally:
        listener.close()
        service.close()
    assert not listener.connected


def test_a_copy_from_the_mirror_merges_back_with_nothing_lost_or_doubled(
    direct: str, proxy: Proxy, tmp_path: Path
) -> None:
    from carequal_desktop.services.merge import merge_paths

    through = proxy.url(direct)
    offline.refresh_mirror(parse_location(through))
    service = server.open_server_workshop(direct)
    try:
        ev = service.evaluation("5.2")
        saved = _edit("what_next", "Saved to the server after the mirror", ev.what_next)
        apply_edit(service, saved)  # the window's typing, saved before the network went
        pending = _edit("how_good_now", "Typed when the network had gone", ev.how_good_now)
        strengths = len(ev.strengths)
    finally:
        service.close()
    proxy.cut()
    target = tmp_path / "offline.carequal"
    made = offline.take_offline_copy(through, target, [pending], saved_since_mirror=[saved])
    assert not made.from_server
    copy = WorkshopService.open(target)
    try:
        copy.update_evaluation("5.2", rationale="Written offline, in the copy")
        copy.add_item("5.2", "strength", "Added offline")
    finally:
        copy.close()
    proxy.restore()

    report = merge_paths(direct, target)
    assert report.conflicts == [] and report.changes_taken >= 3
    service = server.open_server_workshop(direct)
    try:
        ev = service.evaluation("5.2")
        assert ev.how_good_now == "Typed when the network had gone"
        assert ev.what_next == "Saved to the server after the mirror"
        assert ev.rationale == "Written offline, in the copy"
        assert [i.text for i in ev.strengths].count("Added offline") == 1
        assert len(ev.strengths) == strengths + 1
    finally:
        service.close()
    again = merge_paths(direct, target)  # merging the same copy twice changes nothing
    assert again.changes_taken == 0 and again.conflicts == []


def test_a_copy_into_a_folder_that_is_not_there_is_one_sentence(
    direct: str, tmp_path: Path
) -> None:
    from carequal_desktop.errors import StorageError

    target = tmp_path / "gone" / "copy.carequal"
    with pytest.raises(StorageError) as info:
        offline.take_offline_copy(direct, target, [])
    assert str(info.value).startswith("The offline copy could not be written in ")
    assert "\n" not in str(info.value) and not target.exists()


def test_a_copy_whose_typing_cannot_go_in_is_not_left_behind(direct: str, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    target = folder / "copy.carequal"
    bad = Edit("evaluation", "99.9", "how_good_now", "For an indicator not in it", "99.9")
    with pytest.raises(UserError, match="^No offline copy was made, because your typing"):
        offline.take_offline_copy(direct, target, [bad])
    assert list(folder.iterdir()) == []  # neither the copy nor its temporary


def test_a_copy_over_an_existing_workshop_backs_it_up_first(
    direct: str, tmp_path: Path, example_doc: dict
) -> None:
    from carequal_desktop.paths import backups_dir

    target = tmp_path / "copies" / "Old.carequal"
    target.parent.mkdir()
    import_document(example_doc, target)
    before = set(backups_dir().rglob("*.carequal"))
    made = offline.take_offline_copy(direct, target, [])
    assert made.from_server and target.is_file()
    assert len(set(backups_dir().rglob("*.carequal")) - before) == 1
