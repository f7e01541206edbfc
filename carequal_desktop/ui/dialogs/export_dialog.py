"""Export the draft position statement (and the plan or evidence as CSV) from the window.

The dialog shows the body's word count per statement against the 5,000-word guidance before
anything is written, runs the export on a worker thread so the window keeps painting, and
afterwards offers to open the document or its folder. ``install_export_actions`` adds the
three export entries to the main window's File menu.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.text import shorten
from carequal_desktop.domain.wordcount import WORD_LIMIT
from carequal_desktop.errors import UserError
from carequal_desktop.reports.position_statement import (
    ExportOptions,
    ExportResult,
    word_counts,
    write_position_statement,
)
from carequal_desktop.ui import messages

DOCX_FILTER = "Word documents (*.docx)"
CSV_FILTER = "CSV for Excel (*.csv)"


def over_style() -> str:
    """Over-the-limit text: a red readable on the palette in use, and bold."""
    from carequal_desktop.ui.colours import warning_colour

    return f"color: {warning_colour().name()}; font-weight: bold;"


def safe_file_name(text: str, suffix: str) -> str:
    """A file name Windows accepts, from a workshop title."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "", text).strip().rstrip(".") or "Workshop"
    if len(name) > 80:  # cut between words, never in the middle of one
        cut = name[:81].rsplit(" ", 1)[0] if " " in name[:81] else name[:80]
        name = cut.rstrip(" -–—,;.") or name[:80]
    return name + suffix


def suggested_folder(service: Any) -> Path:
    """Beside the workshop, unless it lives in the app's own data (the demo): then Documents."""
    from carequal_desktop.paths import data_dir

    folder = Path(service.path).parent
    try:
        inside_data = folder.resolve().is_relative_to(data_dir().resolve())
    except OSError:
        inside_data = True
    if inside_data or not folder.is_dir():
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(docs) if docs and Path(docs).is_dir() else Path.home()
    return folder


def ask_target(
    parent: QWidget | None, caption: str, suggested: Path, file_filter: str, suffix: str
) -> Path | None:
    """The save dialog (which asks before replacing a file); None when cancelled."""
    name, _f = QFileDialog.getSaveFileName(parent, caption, str(suggested), file_filter)
    if not name:
        return None
    target = Path(name)
    if target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    return target


class ExportWorker(QObject):
    """Runs one export off the main thread and reports back through signals."""

    progress = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)  # a sentence for the user
    crashed = Signal(str)  # the log file's path

    def __init__(self, job: Callable[[Callable[[int, str], None]], ExportResult]) -> None:
        super().__init__()
        self._job = job

    @Slot()
    def run(self) -> None:
        try:
            result = self._job(self.progress.emit)
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: logged, and the user told where
            from carequal_desktop.log import log_bug

            self.crashed.emit(str(log_bug(exc)))
        else:
            self.succeeded.emit(result)


class ExportDialog(QDialog):
    """Options, word count, target, progress and the finished document."""

    export_finished = Signal(object)  # ExportResult, or None when it failed

    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.result_path: Path | None = None
        self._thread: QThread | None = None
        self._worker: ExportWorker | None = None
        self._counts: dict[bool, tuple[dict[int, int], int]] = {}
        self.setWindowTitle("Export position statement")
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Write the draft position statement as a Word document that the partnership "
            "can edit and send."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        options = QGroupBox("Include")
        box = QVBoxLayout(options)
        self.grades_box = QCheckBox("The team's &grades")
        self.appendix_box = QCheckBox("The evidence inde&x (appendix)")
        self.plan_box = QCheckBox("The &improvement plan")
        for check in (self.grades_box, self.appendix_box, self.plan_box):
            check.setChecked(True)
            box.addWidget(check)
        self.grades_box.toggled.connect(self._update_counts)
        layout.addWidget(options)

        words = QGroupBox("Length of the statement")
        self._words_grid = QGridLayout(words)
        self._words_grid.setColumnStretch(0, 1)
        self.count_labels: dict[str, QLabel] = {}
        framework = service.framework()
        rows: list[tuple[str, str, str]] = [("intro", "Introduction", "")]
        rows += [
            (str(st.number), f"Statement {st.number}: {shorten(st.text, 52)}", st.text)
            for st in framework.statements
        ]
        for i, (key, label, tip) in enumerate(rows):
            name = QLabel(label)
            name.setToolTip(tip)
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._words_grid.addWidget(name, i, 0)
            self._words_grid.addWidget(value, i, 1)
            self.count_labels[key] = value
        total_name = QLabel("<b>Total</b>")
        self.total_label = QLabel()
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._words_grid.addWidget(total_name, len(rows), 0)
        self._words_grid.addWidget(self.total_label, len(rows), 1)
        self.limit_warning = QLabel()
        self.limit_warning.setWordWrap(True)
        self.limit_warning.setStyleSheet(over_style())
        self._words_grid.addWidget(self.limit_warning, len(rows) + 1, 0, 1, 2)
        note = QLabel(
            f"The guidance allows at most {WORD_LIMIT:,} words for the introduction and the "
            "four statements; the title page, summary, plan and appendices do not count."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")  # made readable: ui/colours.py
        self._words_grid.addWidget(note, len(rows) + 2, 0, 1, 2)
        layout.addWidget(words)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # quotes file names, errors
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)

        opened = QHBoxLayout()
        self.open_document_button = QPushButton("Open &document")
        self.open_folder_button = QPushButton("Open &folder")
        self.open_document_button.clicked.connect(self.open_document)
        self.open_folder_button.clicked.connect(self.open_folder)
        for button in (self.open_document_button, self.open_folder_button):
            button.setVisible(False)
            # Not the dialog's default: Enter stays with Export (they press when focused).
            button.setAutoDefault(False)
            opened.addWidget(button)
        opened.addStretch(1)
        layout.addLayout(opened)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "&Export…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_target_and_export)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

        self._update_counts()

    # ------------------------------------------------------------- word count

    def options(self) -> ExportOptions:
        return ExportOptions(
            include_grades=self.grades_box.isChecked(),
            include_evidence_appendix=self.appendix_box.isChecked(),
            include_plan=self.plan_box.isChecked(),
        )

    def counts(self) -> tuple[dict[int, int], int]:
        """Words per statement and in total for the current options (only grades change it)."""
        key = self.grades_box.isChecked()
        if key not in self._counts:
            self._counts[key] = word_counts(self.service, self.options())
        return self._counts[key]

    def _update_counts(self) -> None:
        try:
            per, total = self.counts()
        except UserError as exc:
            self.status_label.setText(str(exc))
            return
        self.count_labels["intro"].setText(f"{total - sum(per.values()):,}")
        for number, words in per.items():
            label = self.count_labels.get(str(number))
            if label is not None:
                label.setText(f"{words:,}")
        over = total > WORD_LIMIT
        self.total_label.setText(f"<b>{total:,} of {WORD_LIMIT:,}</b>")
        self.total_label.setStyleSheet(over_style() if over else "")
        self.limit_warning.setVisible(over)
        self.limit_warning.setText(
            f"{total - WORD_LIMIT:,} words over the {WORD_LIMIT:,}-word guidance. You can still "
            "export; shorten the narratives or move detail to the evidence before sending it."
            if over
            else ""
        )

    # ----------------------------------------------------------------- export

    def suggested_target(self) -> Path:
        title = safe_file_name(self.service.details().title, "")
        if len(title) > 52:  # keep "draft position statement" in the name: cut the title
            title = title[:53].rsplit(" ", 1)[0].rstrip(" -–—,;.")
        return suggested_folder(self.service) / safe_file_name(
            f"{title} - draft position statement", ".docx"
        )

    def choose_target_and_export(self) -> None:
        target = ask_target(
            self, "Export position statement", self.suggested_target(), DOCX_FILTER, ".docx"
        )
        if target is not None:
            self.start_export(target)

    def is_running(self) -> bool:
        return self._thread is not None

    def start_export(self, target: Path) -> None:
        """Write ``target`` on a worker thread (the save dialog has already asked to replace)."""
        if self.is_running():
            return
        parent = self.parent()
        flush = getattr(parent, "flush", None)
        if callable(flush):
            flush()  # typing not yet saved goes into the document too
        options = self.options()
        service = self.service

        def job(progress: Callable[[int, str], None]) -> ExportResult:
            return write_position_statement(
                service, target, options, overwrite=True, progress=progress
            )

        self._set_running(True)
        self.status_label.setText("Starting…")
        self.progress_bar.setValue(0)
        thread = QThread(self)
        worker = ExportWorker(job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.crashed.connect(self._on_crashed)
        for signal in (worker.succeeded, worker.failed, worker.crashed):
            signal.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()

    def _set_running(self, running: bool) -> None:
        self.progress_bar.setVisible(running or self.progress_bar.value() > 0)
        for widget in (
            self.export_button,
            self.close_button,
            self.grades_box,
            self.appendix_box,
            self.plan_box,
        ):
            widget.setEnabled(not running)
        if running:
            self.open_document_button.setVisible(False)
            self.open_folder_button.setVisible(False)

    def _grow_to_fit(self) -> None:
        from carequal_desktop.ui.dialogs._fit import available_size, make_scrollable

        room = available_size(self)
        hint = self.sizeHint()
        if hint.height() > room.height() or hint.width() > room.width():
            make_scrollable(self)  # more than the screen holds: the contents scroll
        wanted = hint.expandedTo(self.size()).boundedTo(room)
        if wanted.height() > self.height() or wanted.width() > self.width():
            self.resize(wanted)

    @Slot(int, str)
    def _on_progress(self, percent: int, label: str) -> None:
        self.progress_bar.setValue(percent)
        self.status_label.setText(f"{label}…" if percent < 100 else label)

    @Slot(object)
    def _on_succeeded(self, result: ExportResult) -> None:
        self.result_path = result.path
        self.progress_bar.setValue(100)
        text = f"Saved to {result.path} ({result.word_count:,} words in the body)."
        if result.warnings:
            text += "\n\n" + "\n".join(f"• {w}" for w in result.warnings)
        self.status_label.setText(text)
        self.open_document_button.setVisible(True)
        self.open_folder_button.setVisible(True)
        self.open_document_button.setFocus()
        # The result and its buttons need room: grow (within the screen) rather than let
        # the rows above squeeze into each other.
        QTimer.singleShot(0, self._grow_to_fit)
        self.export_finished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status_label.setText("The document was not written.")
        messages.show_error(self, f"The position statement was not written. {message}")
        self.export_finished.emit(None)

    @Slot(str)
    def _on_crashed(self, log: str) -> None:
        self.status_label.setText("The document was not written.")
        messages.show_bug(Path(log), self)
        self.export_finished.emit(None)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = self._worker = None
        self._set_running(False)

    def open_document(self) -> None:
        if self.result_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_path)))

    def open_folder(self) -> None:
        if self.result_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_path.parent)))

    def reject(self) -> None:
        if self.is_running():
            return  # the export finishes in a moment; closing now would orphan its thread
        super().reject()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt name)
        if self.is_running():
            event.ignore()
            return
        super().closeEvent(event)


# ---------------------------------------------------------------------- File menu


def export_position_statement(window: Any) -> ExportDialog | None:
    """File › Export position statement…"""
    if getattr(window, "service", None) is None:
        return None
    dialog = ExportDialog(window.service, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a fresh count each time
    dialog.open()
    return dialog


def _export_csv(window: Any, what: str) -> Path | None:
    from carequal_desktop.reports.csv_export import write_evidence_csv, write_plan_csv

    service = getattr(window, "service", None)
    if service is None:
        return None
    flush = getattr(window, "flush", None)
    if callable(flush):
        flush()
    label = "improvement plan" if what == "plan" else "evidence register"
    title = service.details().title
    target = ask_target(
        window,
        f"Export {label} as CSV",
        suggested_folder(service) / safe_file_name(f"{title} - {label}", ".csv"),
        CSV_FILTER,
        ".csv",
    )
    if target is None:
        return None
    writer = write_plan_csv if what == "plan" else write_evidence_csv
    try:
        result = writer(service, target, overwrite=True)
    except UserError as exc:
        messages.show_error(window, f"The {label} was not written. {exc}")
        return None
    if result.warnings:
        messages.show_error(
            window, f"The {label} was written to {target}. " + " ".join(result.warnings)
        )
    status = getattr(window, "statusBar", None)
    if callable(status):
        status().showMessage(f"The {label} was written to {target}.", 10000)
    return target


def install_export_actions(window: Any) -> list[QAction]:
    """Add the three exports to ``window.file_menu()``, after the exchange JSON export."""
    menu = window.file_menu()
    existing = [a for a in menu.actions() if a.objectName().startswith("carequalExport")]
    if existing:
        return existing
    entries = (
        (
            "carequalExportStatement",
            "Export &position statement…",
            "Ctrl+Shift+E",
            lambda: export_position_statement(window),
        ),
        (
            "carequalExportPlanCsv",
            "Export improvement plan as CS&V…",
            None,
            lambda: _export_csv(window, "plan"),
        ),
        (
            "carequalExportEvidenceCsv",
            "Export evidence re&gister as CSV…",
            None,
            lambda: _export_csv(window, "evidence"),
        ),
    )
    # Insert after "Export exchange JSON…" when there is one, else at the end.
    actions = menu.actions()
    before = None
    for i, action in enumerate(actions):
        text = action.text().replace("&", "")
        if "exchange JSON" in text and "Export" in text:
            before = actions[i + 1] if i + 1 < len(actions) else None
            break
    created = []
    for name, text, shortcut, slot in entries:
        action = QAction(text, window)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, run=slot: run())
        if before is not None:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
        created.append(action)

    # The main window enables its "needs a workshop" actions whenever a workshop opens or
    # closes; joining that list keeps the shortcut live. Without it, the menu refreshes them.
    workshop_actions = getattr(window, "_workshop_actions", None)
    if isinstance(workshop_actions, list):
        workshop_actions.extend(created)

    def enable() -> None:
        has = getattr(window, "service", None) is not None
        for action in created:
            action.setEnabled(has)

    menu.aboutToShow.connect(enable)
    enable()
    return created
