"""Starting the window through the command line's entry point, in this process."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from carequal_desktop import cli


def test_smoke_in_process_leaves_the_application_usable(qtbot) -> None:
    assert cli.main(["--smoke", "--demo"]) == 0
    # Regression: the smoke check once quit the shared QApplication, after which no
    # timer fired (autosave and deferred charts then silently never ran).
    fired: list[int] = []
    QTimer.singleShot(10, lambda: fired.append(1))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)


def test_smoke_on_a_damaged_file_exits_2_without_a_dialog(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.carequal"
    bad.write_bytes(b"not a workshop at all")
    assert cli.main(["--smoke", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "could not be opened" in err or "not a CareQual workshop" in err
    assert "Traceback" not in err


def test_smoke_fails_unless_the_overview_chart_was_painted(qtbot, monkeypatch, capsys) -> None:
    from carequal_desktop.ui.widgets.grade_chart import GradeChart

    assert cli.main(["--smoke", "--demo"]) == 0
    monkeypatch.setattr(GradeChart, "paintEvent", lambda self, event: None)  # never painted
    assert cli.main(["--smoke", "--demo"]) == 1
    assert "something went wrong" in capsys.readouterr().err
