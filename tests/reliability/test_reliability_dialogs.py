"""The restore and locked dialogs, and File › Restore an earlier version end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from carequal_desktop.errors import WorkshopLockedError
from carequal_desktop.services import backups, locking
from carequal_desktop.services.backups import Backup
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui.dialogs import locked_dialog, restore_dialog
from carequal_desktop.ui.dialogs.restore_dialog import RestoreDialog, describe_backup


def test_backup_descriptions() -> None:
    made = dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)
    b = Backup(Path("x.carequal"), made, int(1.2 * 1024 * 1024))
    text = describe_backup(b, made + dt.timedelta(hours=2, minutes=3))
    local = made.astimezone()
    assert text == f"{local:%A} 24 November 2026, {local:%H:%M} — 2 hours ago, 1.2 MB"
    assert describe_backup(b, made + dt.timedelta(seconds=20)).endswith("just now, 1.2 MB")
    small = Backup(Path("x"), made, 640 * 1024)
    assert describe_backup(small, made + dt.timedelta(days=3)).endswith("3 days ago, 640 KB")


class FakeWindow(QMainWindow):
    """Just what the restore action needs from MainWindow."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._menu = self.menuBar().addMenu("&File")
        self.service: WorkshopService | None = WorkshopService.open(path)
        self.opened: list[Path] = []

    def file_menu(self):
        return self._menu

    def close_workshop(self) -> None:
        assert self.service is not None
        self.service.close()
        self.service = None

    def open_workshop_file(self, path: Path, interactive: bool = True) -> bool:
        self.service = WorkshopService.open(path)
        self.opened.append(path)
        return True


def test_restore_from_the_file_menu(qtbot, sample_file: Path, monkeypatch) -> None:
    service = WorkshopService.open(sample_file)
    service.update_details(context="morning")
    service.close()
    window = FakeWindow(sample_file)  # backed up with "morning"
    qtbot.addWidget(window)
    assert window.service is not None
    window.service.update_details(context="afternoon")
    action = restore_dialog.install_restore_action(window)
    assert action.text() == "Restore an &earlier version…"
    assert action in window.file_menu().actions()

    shown: list[RestoreDialog] = []

    def choose_morning(dialog: RestoreDialog) -> int:
        shown.append(dialog)
        rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        assert rows and all(" — " in r and ("KB" in r or "MB" in r) for r in rows)
        for i, b in enumerate(dialog._backups):
            probe = WorkshopService.open(b.path, read_only=True)
            if probe.details().context == "morning":
                dialog.list.setCurrentRow(i)
            probe.close()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RestoreDialog, "exec", choose_morning)
    action.trigger()
    assert shown and window.opened == [sample_file]
    assert window.service is not None
    assert window.service.details().context == "morning"
    kept = [b for b in backups.list_backups(sample_file) if b.reason == "before-restore"]
    assert len(kept) == 1
    window.service.close()
    assert not locking.lock_path(sample_file).exists()


def test_restore_dialog_without_backups(qtbot, tmp_path: Path) -> None:
    dialog = RestoreDialog(None, tmp_path / "New.carequal", [])
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert dialog.selected() is None


@pytest.mark.parametrize("choice", [True, False])
def test_locked_dialog(qtbot, monkeypatch, choice: bool) -> None:
    error = WorkshopLockedError(
        "“x.carequal” is already open in CareQual by Morag Baird on LAPTOP-12 since 14:05 "
        "today. You can open it read-only to look at it.",
        {"user": "Morag Baird", "host": "LAPTOP-12"},
    )
    seen: list[QMessageBox] = []

    def click(box: QMessageBox) -> int:
        seen.append(box)
        assert box.text() == str(error)
        wanted = locked_dialog.OPEN_READ_ONLY if choice else "Cancel"
        button = next(
            b for b in box.buttons() if b.text().replace("&", "") == wanted.replace("&", "")
        )
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click)
    assert locked_dialog.ask_open_read_only(None, error) is choice
    assert seen
