"""Nothing typed is lost: whatever way the user leaves a field, a page or the window, on a full
disk, after a USB stick is pulled, or when CareQual is killed.

Each test first reproduces a loss seen by hand (issue 13 item 5, issue 14 item 3).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from carequal_desktop.services import merge as merging
from carequal_desktop.services import recovery
from carequal_desktop.services.workshop import WorkshopService
from tests.conftest import unwritable


def _reopened(path: Path) -> WorkshopService:
    return WorkshopService.open(path, read_only=True)


def _strengths(path: Path, code: str) -> list[str]:
    service = _reopened(path)
    try:
        return [i.text for i in service.evaluation(code).strengths]
    finally:
        service.close()


def _answer(path: Path, code: str, field: str) -> str:
    service = _reopened(path)
    try:
        return str(getattr(service.evaluation(code), field))
    finally:
        service.close()


def _type_and_wait_for_failure(qtbot, window, text: str) -> None:  # type: ignore[no-untyped-def]
    edit = window.indicator_page.how_good_now
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: window.autosave.error is not None, timeout=5000)


# ------------------------------------------------------------------ navigation


def _edit_first_strength(qtbot, window, text: str) -> None:  # type: ignore[no-untyped-def]
    editor = window.indicator_page.strengths
    editor.list.setCurrentRow(0)
    editor.list.setFocus()
    QTest.keyClick(editor.list, Qt.Key.Key_F2)
    line = editor.list.indexWidget(editor.list.currentIndex())
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, text)


NAVIGATIONS = {
    "next button": lambda w: w.indicator_page.next_button.click(),
    "alt+right": lambda w: QTest.keyClick(w, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier),
    "ctrl+pgdown": lambda w: QTest.keyClick(
        w, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier
    ),
    "sidebar": lambda w: w.show_page("plan"),
    "close workshop": lambda w: w.close_workshop(),
}


@pytest.mark.parametrize("how", list(NAVIGATIONS))
def test_a_strength_changed_with_f2_survives_every_way_of_leaving(
    qtbot, window, made_workshop, how
):
    window.open_workshop_file(made_workshop)
    window.service.add_item("5.2", "strength", "Old wording")
    window.show_indicator("5.2")
    _edit_first_strength(qtbot, window, "New wording")
    NAVIGATIONS[how](window)
    assert _strengths(made_workshop, "5.2") == ["New wording"]


@pytest.mark.parametrize("how", list(NAVIGATIONS))
def test_an_answer_typed_just_before_leaving_is_saved(qtbot, window, made_workshop, how):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    edit = window.indicator_page.what_next
    edit.setFocus()
    qtbot.keyClicks(edit, "Audit chronologies")
    NAVIGATIONS[how](window)  # at once, before any pause
    assert _answer(made_workshop, "5.2", "what_next") == "Audit chronologies"


def test_a_half_typed_strength_stays_with_its_indicator(qtbot, window, made_workshop, boxes):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    line = window.indicator_page.strengths.new_line
    line.setFocus()
    qtbot.keyClicks(line, "Chronologies are up to date")
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_indicator_code() == "5.3"
    # It did not travel: Enter on 5.3 files nothing there.
    assert line.text() == ""
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert _strengths(made_workshop, "5.3") == []
    # It was filed where it was typed, and the window said so.
    assert _strengths(made_workshop, "5.2") == ["Chronologies are up to date"]
    assert boxes == []
    assert "added to 5.2" in window.statusBar().currentMessage()


def test_a_half_typed_strength_survives_quitting(qtbot, window, made_workshop):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    qtbot.keyClicks(window.indicator_page.areas.new_line, "Return interviews")
    window.close()
    assert window.service is None or not window.isVisible()
    service = _reopened(made_workshop)
    try:
        assert [i.text for i in service.evaluation("5.2").areas_for_improvement] == [
            "Return interviews"
        ]
    finally:
        service.close()


def test_steady_typing_is_saved_without_waiting_for_a_pause(qtbot, window, made_workshop):
    """Five keys a second without a pause: the file gets the text while typing goes on."""
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    edit = window.indicator_page.how_good_now
    edit.setFocus()
    text = "x" * 40  # eight seconds at five keys a second
    typed: list[str] = []

    def key() -> None:
        if len(typed) < len(text):
            typed.append(text[len(typed)])
            QTest.keyClick(edit, "x")

    ticker = QTimer()
    ticker.setInterval(200)
    ticker.timeout.connect(key)
    ticker.start()
    try:
        qtbot.waitUntil(lambda: window.service.evaluation("5.2").how_good_now != "", timeout=6000)
        assert len(typed) < len(text), "saved only after the typing stopped"
    finally:
        ticker.stop()


# ------------------------------------------------------------- failing disks


@contextlib.contextmanager
def _tiny_disk(folder: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (tmpfs), so it can really be filled."""
    folder.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def test_full_disk_keeps_the_window_and_the_typing(qtbot, window, tmp_path, boxes):
    with _tiny_disk(tmp_path / "stick") as stick:
        path = stick / "Workshop.carequal"
        WorkshopService.create(path, title="Full disk", partnership="P").close()
        assert window.open_workshop_file(path)
        window.show_indicator("5.2")
        filler = _fill(stick)

        _type_and_wait_for_failure(qtbot, window, "Typed while the disk was full")
        assert "Not saved" in window.saved_label.text()
        assert "disk is full" in window.saved_label.toolTip()
        kept = recovery.for_workshop(path)
        assert kept is not None
        assert [e.text for e in kept.edits] == ["Typed while the disk was full"]
        assert kept.edits[0].label.startswith("5.2")

        window.close()  # closing does not close, and says what to do
        assert window.isVisible()
        assert window.service is not None
        assert "could not be saved" in boxes.texts()[-1]
        assert "Save a copy as" in boxes.texts()[-1]
        # Moving on to another indicator keeps the text on screen too.
        window.show_indicator("5.3")
        window.show_indicator("5.2")
        assert window.indicator_page.how_good_now.toPlainText() == "Typed while the disk was full"

        filler.unlink()  # space again: the next close saves, then closes
        window.close()
        assert not window.isVisible()
        assert _answer(path, "5.2", "how_good_now") == "Typed while the disk was full"
        assert recovery.for_workshop(path) is None


def test_unwritable_file_keeps_the_typing_until_it_can_be_saved(
    qtbot, window, made_workshop, boxes
):
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("2.1")
    with unwritable(made_workshop):
        _type_and_wait_for_failure(qtbot, window, "Kept")
        assert window.indicator_page.has_pending()
        assert recovery.for_workshop(made_workshop) is not None
    # The file can be written again: the retry saves it without anyone doing anything.
    qtbot.waitUntil(lambda: window.autosave.error is None, timeout=8000)
    assert window.service.evaluation("2.1").how_good_now == "Kept"
    assert recovery.for_workshop(made_workshop) is None


def test_save_a_copy_after_the_stick_is_pulled_includes_the_typing(
    qtbot, window, made_workshop, save_dialog, tmp_path, boxes
):
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    qtbot.keyClicks(window.indicator_page.strengths.new_line, "Half a strength")
    pulled = tmp_path / "elsewhere"
    pulled.mkdir()
    shutil.move(made_workshop, pulled / made_workshop.name)  # the stick is gone
    _type_and_wait_for_failure(qtbot, window, "Typed after the stick went")
    assert "no longer where it was opened" in window.saved_label.toolTip()

    copy = tmp_path / "rescued.carequal"
    save_dialog.append(copy)
    window.save_copy_action.trigger()
    assert _answer(copy, "5.2", "how_good_now") == "Typed after the stick went"
    assert _strengths(copy, "5.2") == ["Half a strength"]


def test_recovery_file_is_private(qtbot, window, made_workshop):
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    with unwritable(made_workshop):
        _type_and_wait_for_failure(qtbot, window, "Private words")
        assert recovery.file_for(made_workshop).stat().st_mode & 0o077 == 0
        window.autosave.forget_all()


KILLED_CHILD = r"""
import os, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
app = QApplication([])
from carequal_desktop.services import merge as merging
from carequal_desktop.services import recovery
from carequal_desktop.ui.main_window import MainWindow
w = MainWindow(); w.show()
assert w.open_workshop_file(Path(sys.argv[1]))
w.show_indicator("5.2")
print("open", flush=True)
mode = sys.stdin.readline().strip()  # "full": the parent has made the file unwritable
if mode == "between":  # killed in the second before the next save would have come
    for timer in (w.autosave._debounce, w.autosave._max_wait):
        timer.setInterval(600_000)
edit = w.indicator_page.what_next
edit.setFocus()
QTest.keyClicks(edit, "Typed just before the kill")
while recovery.for_workshop(Path(sys.argv[1])) is None or (
    mode == "full" and w.autosave.error is None
):
    QTest.qWait(20)
print("typed", flush=True)
QTest.qWait(60_000)
"""


@pytest.mark.parametrize("mode", ["full", "between"])
def test_a_kill_loses_nothing_the_next_start_offers_it_back(
    qtbot, made_workshop, data_dir, answer_dialog, tmp_path, mode
):
    """Killed on a full disk, or killed between two saves: the next start offers the text."""
    import sys

    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD, encoding="utf-8")
    env = dict(
        os.environ,
        CAREQUAL_DATA_DIR=str(data_dir),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    child = subprocess.Popen(
        [sys.executable, str(script), str(made_workshop)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "open"
        with unwritable(made_workshop) if mode == "full" else contextlib.nullcontext():
            child.stdin.write(f"{mode}\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "typed"
            child.kill()
            child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()

    from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog
    from carequal_desktop.ui.main_window import MainWindow

    shown: list[list[str]] = []

    def apply(dialog):  # type: ignore[no-untyped-def]
        shown.append(dialog.lines())
        dialog.apply_all()

    answer_dialog(RecoveryDialog, apply)
    window = MainWindow()
    qtbot.addWidget(window)
    window.offer_recovery()
    assert len(shown) == 1  # once, even though putting it back opens the workshop
    assert any("5.2" in line and "Typed just before the kill" in line for line in shown[0])
    assert window.service is not None
    assert window.indicator_page.what_next.toPlainText() == "Typed just before the kill"
    window.close()
    assert _answer(made_workshop, "5.2", "what_next") == "Typed just before the kill"
    assert recovery.waiting() == []


def test_recovered_typing_can_be_discarded(qtbot, made_workshop, answer_dialog, boxes):
    from carequal_desktop.services.recovery import Edit
    from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog
    from carequal_desktop.ui.main_window import MainWindow

    recovery.keep(
        made_workshop,
        "Strathcairn 2026",
        [Edit("details", "", "scope", "Unwanted", "Workshop details: scope")],
    )
    boxes.answer = True  # yes, discard it
    answer_dialog(RecoveryDialog, lambda d: d.discard_all())
    window = MainWindow()
    qtbot.addWidget(window)
    window.offer_recovery()
    assert window.service is None
    assert recovery.waiting() == []
    assert _reopened(made_workshop).details().scope == ""


def test_typing_never_reaches_the_log(qtbot, window, made_workshop, data_dir):
    import logging

    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Catch()
    logging.getLogger("carequal").addHandler(handler)
    try:
        assert window.open_workshop_file(made_workshop)
        window.show_indicator("5.2")
        with unwritable(made_workshop):
            _type_and_wait_for_failure(qtbot, window, "Secret words")
            window.autosave.forget_all()
    finally:
        logging.getLogger("carequal").removeHandler(handler)
    assert records and all("Secret" not in r for r in records)


# ---------------------------------------------------------------- forms


def _dialogs(service):  # type: ignore[no-untyped-def]
    from carequal_desktop.ui.dialogs.action_dialog import ActionDialog
    from carequal_desktop.ui.dialogs.evidence_dialog import EvidenceDialog
    from carequal_desktop.ui.dialogs.indicator_dialog import IndicatorDialog
    from carequal_desktop.ui.team_page import ParticipantDialog, SessionDialog

    return {
        "evidence": (lambda: EvidenceDialog(service), lambda d: d.title_edit),
        "action": (lambda: ActionDialog(service), lambda d: d.task_edit),
        "participant": (lambda: ParticipantDialog(), lambda d: d.name_edit),
        "session": (lambda: SessionDialog(), lambda d: d.place_edit),
        "indicator": (lambda: IndicatorDialog(service, "5.2"), lambda d: d.title_edit),
    }


@pytest.mark.parametrize("form", ["evidence", "action", "participant", "session", "indicator"])
def test_escape_on_a_changed_form_asks_first(qtbot, new_service, boxes, form):
    make, field = _dialogs(new_service)[form]

    untouched = make()
    qtbot.addWidget(untouched)
    untouched.show()
    QTest.keyClick(untouched, Qt.Key.Key_Escape)
    assert not untouched.isVisible()  # nothing typed: nothing to ask
    assert boxes == []

    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(field(dialog), "Typed with care")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert boxes.texts() == ["Discard what you typed in this form?"]
    assert dialog.isVisible()  # "Keep editing": the typing is still there
    box = field(dialog)
    assert "Typed with care" in (box.text() if hasattr(box, "text") else box.toPlainText())
    boxes.answer = True
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == dialog.DialogCode.Rejected


def test_a_line_changed_with_f2_on_an_unwritable_file_is_kept(qtbot, window, made_workshop, boxes):
    window.open_workshop_file(made_workshop)
    window.service.add_item("5.2", "strength", "Old wording")
    window.show_indicator("5.2")
    with unwritable(made_workshop):
        _edit_first_strength(qtbot, window, "Wording typed on a full disk")
        # Kept for recovery while the editor is still open.
        qtbot.waitUntil(lambda: recovery.for_workshop(made_workshop) is not None, timeout=3000)
        kept = recovery.for_workshop(made_workshop)
        assert kept is not None and kept.edits[0].text == "Wording typed on a full disk"
        QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        window.show_indicator("5.2")
        assert window.indicator_page.strengths.texts() == ["Wording typed on a full disk"]
        assert window.autosave.error is not None
    assert window.flush()
    assert _strengths(made_workshop, "5.2") == ["Wording typed on a full disk"]


def test_typing_left_for_later_survives_new_typing_in_the_same_workshop(
    qtbot, made_workshop, answer_dialog
):
    from carequal_desktop.services.recovery import Edit
    from carequal_desktop.ui.dialogs.recovery_dialog import RecoveryDialog
    from carequal_desktop.ui.main_window import MainWindow

    recovery.keep(
        made_workshop,
        "Strathcairn 2026",
        [Edit("evaluation", "5.2", "what_next", "From yesterday", "5.2 What next")],
    )
    answer_dialog(RecoveryDialog, lambda d: d.reject())  # decide later
    window = MainWindow()
    qtbot.addWidget(window)
    window.offer_recovery()
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("6.1")
    qtbot.keyClicks(window.indicator_page.what_next, "Today")
    window.close()
    assert _answer(made_workshop, "6.1", "what_next") == "Today"
    waiting = recovery.waiting()
    assert [e.text for r in waiting for e in r.edits] == ["From yesterday"]


def test_when_not_even_the_recovery_copy_can_be_written_quitting_is_not_offered(
    qtbot, window, made_workshop, boxes
):
    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    folder = recovery.file_for(made_workshop).parent
    with unwritable(made_workshop), unwritable(folder):
        _type_and_wait_for_failure(qtbot, window, "Only in the window")
        assert window.autosave.recovery_error is not None
        boxes.answer = True  # even a "yes" to any question must not close
        window.close()
        assert window.isVisible()
        assert boxes[-1][0] == "warning"  # a message, not a question
        assert "Save a copy as" in boxes.texts()[-1]
        assert window.indicator_page.how_good_now.toPlainText() == "Only in the window"
    window.close()
    assert not window.isVisible()
    assert _answer(made_workshop, "5.2", "how_good_now") == "Only in the window"


def test_a_colleagues_newer_text_is_never_overwritten_unseen(qtbot, window, made_workshop, boxes):
    window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    page = window.indicator_page
    page.how_good_now.setFocus()
    qtbot.keyClicks(page.how_good_now, "Mine")
    # Meanwhile a colleague saves the same answer (a server workshop).
    window.service.update_evaluation("5.2", how_good_now="Theirs")
    with qtbot.waitSignal(window.autosave.collided, timeout=5000):
        window.flush()
    assert boxes == []  # nothing asked: the typing is kept as a conflict
    qtbot.waitUntil(lambda: window.collision_notice.isVisible(), timeout=3000)
    assert window.service.evaluation("5.2").how_good_now == "Theirs"
    assert page.how_good_now.toPlainText() == "Theirs"
    [conflict] = merging.open_conflicts(window.service)
    assert (conflict.ours, conflict.theirs) == ("Theirs", "Mine")
    assert not window.autosave.has_pending()
    assert recovery.for_workshop(made_workshop) is None


def test_the_position_statement_boxes_share_the_one_autosave(qtbot, window, made_workshop, boxes):
    from carequal_desktop.services.readiness import ReadinessService

    assert window.open_workshop_file(made_workshop)
    window.show_page("statement")
    page = window.pages["statement"]
    assert page.autosave is window.autosave
    with unwritable(made_workshop):
        page.summary_edits[2].setFocus()
        qtbot.keyClicks(page.summary_edits[2], "Plans are SMART")
        qtbot.waitUntil(lambda: window.autosave.error is not None, timeout=5000)
        kept = recovery.for_workshop(made_workshop)
        assert kept is not None and kept.edits[0].text == "Plans are SMART"
        window.show_page("overview")
        window.show_page("statement")
        assert page.summary_edits[2].toPlainText() == "Plans are SMART"
    assert window.flush()
    assert ReadinessService(window.service).statement_texts().summaries[2] == "Plans are SMART"


def test_export_asks_before_leaving_out_typing_the_file_could_not_take(
    qtbot, window, made_workshop, tmp_path, boxes
):
    from carequal_desktop.ui.dialogs.export_dialog import ExportDialog

    assert window.open_workshop_file(made_workshop)
    window.show_indicator("5.2")
    dialog = ExportDialog(window.service, window)
    qtbot.addWidget(dialog)
    with unwritable(made_workshop):
        _type_and_wait_for_failure(qtbot, window, "Not in the file yet")
        target = tmp_path / "statement.docx"
        dialog.start_export(target)  # "Cancel"
        assert "would not include it" in boxes.texts()[-1]
        assert not dialog.is_running() and not target.exists()
        window.autosave.forget_all()
