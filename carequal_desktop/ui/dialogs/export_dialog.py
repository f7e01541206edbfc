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
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.readiness import Finding
from carequal_desktop.domain.text import shorten
from carequal_desktop.domain.wordcount import WORD_LIMIT
from carequal_desktop.errors import UserError
from carequal_desktop.reports.position_statement import (
    CONTENTS_HELP,
    ExportOptions,
    ExportResult,
    body_word_counts,
    build_statement,
    longest_indicators,
    prepare_export,
    write_position_statement,
)
from carequal_desktop.services.readiness import DOCUMENT_STATUSES, ReadinessService
from carequal_desktop.ui import messages
from carequal_desktop.ui.dialogs.export_menu import install_export_actions  # noqa: F401 (re-export)

DOCX_FILTER = "Word documents (*.docx)"
CSV_FILTER = "CSV for Excel (*.csv)"


def over_style() -> str:
    """Over-the-limit text: a red readable on the palette in use, and bold."""
    from carequal_desktop.ui.colours import warning_colour

    return f"color: {warning_colour().name()}; font-weight: bold;"


def _with(options: ExportOptions, **changes: Any) -> ExportOptions:
    from dataclasses import replace

    return replace(options, **changes)


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
        self._models: dict[tuple[bool, ...], Any] = {}
        self.setWindowTitle("Export position statement")
        self.personal_findings: list[Finding] = []
        self.setMinimumWidth(620)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Write the position statement as a Word document that the partnership "
            "can edit and send."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        from carequal_desktop.services.merge import export_warning  # issue 11

        warning = export_warning(service) if hasattr(service, "engine") else None
        self.conflict_warning = QLabel(warning or "")
        self.conflict_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.conflict_warning.setWordWrap(True)
        self.conflict_warning.setStyleSheet(over_style())
        self.conflict_warning.setVisible(bool(warning))
        layout.addWidget(self.conflict_warning)
        self.ready = ReadinessService(service)
        self.control_label = QLabel()
        self.control_label.setWordWrap(True)
        self.control_label.setTextFormat(Qt.TextFormat.PlainText)
        self.control_label.setAccessibleName("Document control")
        layout.addWidget(self.control_label)

        # ---- personal data: nothing leaves silently
        self.personal_group = QGroupBox("Possible personal data")
        personal = QVBoxLayout(self.personal_group)
        self.personal_label = QLabel(
            "A position statement must never identify a child or family. Fix each of these, "
            "or mark it as not personal, before exporting."
        )
        self.personal_label.setWordWrap(True)
        personal.addWidget(self.personal_label)
        self.personal_list = QListWidget()
        self.personal_list.setAccessibleName("Possible personal data, with where it is")
        self.personal_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.personal_list.setWordWrap(True)
        self.personal_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.personal_list.itemActivated.connect(lambda _i: self.go_to_selected())
        personal.addWidget(self.personal_list)
        row = QHBoxLayout()
        self.go_button = QPushButton("&Go to and fix")
        self.go_button.clicked.connect(self.go_to_selected)
        self.not_personal_button = QPushButton("&Not personal")
        self.not_personal_button.setAccessibleName("Mark the selected words as not personal data")
        self.not_personal_button.clicked.connect(self.mark_not_personal)
        for button in (self.go_button, self.not_personal_button):
            button.setAutoDefault(False)  # Enter stays with Export (they press when focused)
            row.addWidget(button)
        row.addStretch(1)
        personal.addLayout(row)
        layout.addWidget(self.personal_group)

        options = QGroupBox("Include")
        box = QGridLayout(options)
        self.grades_box = QCheckBox("The team's &grades")
        self.appendix_box = QCheckBox("The evidence inde&x (appendix)")
        self.plan_box = QCheckBox("The &improvement plan")
        for i, check in enumerate((self.grades_box, self.appendix_box, self.plan_box)):
            check.setChecked(True)
            box.addWidget(check, i, 0)
        # Off by default: they repeat the appendix and the plan, and count towards the limit.
        self.evidence_list_box = QCheckBox("&Evidence listed under each indicator")
        self.action_list_box = QCheckBox("&Actions listed under each indicator")
        for i, check in enumerate((self.evidence_list_box, self.action_list_box)):
            check.setChecked(False)
            box.addWidget(check, i, 1)
        # On for internal drafts: where agencies' proposed grades differed, and their dissent.
        self.views_box = QCheckBox("Where agencies' grades &differed, and their dissent")
        self.views_box.setAccessibleName(
            "Include where agencies' proposed grades differed and their dissent"
        )
        self.views_box.setChecked(True)
        box.addWidget(self.views_box, 3, 0, 1, 2)
        self.grades_box.toggled.connect(self.views_box.setEnabled)
        for check in (
            self.grades_box,
            self.appendix_box,
            self.plan_box,
            self.evidence_list_box,
            self.action_list_box,
            self.views_box,
        ):
            check.toggled.connect(self._update_counts)
        layout.addWidget(options)

        words = QGroupBox("Length of the statement")
        self._words_grid = QGridLayout(words)
        self._words_grid.setColumnStretch(0, 1)
        self.count_labels: dict[str, QLabel] = {}
        framework = service.framework()
        rows: list[tuple[str, str, str]] = [
            ("intro", "Introduction, key messages and conclusion", "")
        ]
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
        self.ways_label = QLabel()
        self.ways_label.setWordWrap(True)
        self.ways_label.setTextFormat(Qt.TextFormat.PlainText)
        self.ways_label.setAccessibleName("Ways to get under the word limit")
        self._words_grid.addWidget(self.ways_label, len(rows) + 2, 0, 1, 2)
        note = QLabel(
            f"The guidance allows at most {WORD_LIMIT:,} words for the body (introduction, key "
            "messages, the four statements and the conclusion); the title page, summary, plan "
            "and appendices do not count."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")  # made readable: ui/colours.py
        self._words_grid.addWidget(note, len(rows) + 3, 0, 1, 2)
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

        self._update_control()
        self.refresh_personal_data()
        self._update_counts()

    # ------------------------------------------------ document control, personal data

    def _update_control(self) -> None:
        control = self.ready.document_control()
        date = self.ready.evaluation_date()
        self.control_label.setText(
            f"Version {control.version} · {DOCUMENT_STATUSES.get(control.status, 'Draft')} · "
            + (f"approved by {control.approved_by}" if control.approved_by else "not yet approved")
            + (f" · evaluation of {date}" if date else "")
            + ". Change these on the Position statement page."
        )

    def refresh_personal_data(self) -> None:
        """List the possible personal details left; exporting waits until there are none."""
        try:
            self.personal_findings: list[Finding] = self.ready.personal_data()
        except UserError as exc:
            self.personal_findings = []
            self.status_label.setText(str(exc))
        self.personal_list.clear()
        for finding in self.personal_findings:
            item = QListWidgetItem(finding.message)
            item.setToolTip(finding.message)
            self.personal_list.addItem(item)
        blocked = bool(self.personal_findings)
        self.personal_group.setVisible(blocked)
        self.personal_group.setTitle(
            f"Possible personal data ({len(self.personal_findings)})"
            if blocked
            else "Possible personal data"
        )
        if blocked:
            self.personal_list.setCurrentRow(0)
        self._fit_height()
        self.not_personal_button.setEnabled(blocked and not self.service.read_only)
        self.go_button.setEnabled(blocked)
        self.export_button.setEnabled(not blocked and not self.is_running())
        self.export_button.setToolTip(
            "Fix or mark each possible personal detail first." if blocked else ""
        )

    def selected_personal(self) -> Finding | None:
        row = self.personal_list.currentRow()
        return self.personal_findings[row] if 0 <= row < len(self.personal_findings) else None

    def mark_not_personal(self) -> None:
        finding = self.selected_personal()
        if finding is None:
            return
        try:
            self.ready.mark_not_personal(finding)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.refresh_personal_data()

    def go_to_selected(self) -> None:
        """Close the dialog and open the box the detail is in, with the words selected."""
        finding = self.selected_personal()
        window = self.parent()
        if finding is None or window is None:
            return
        from carequal_desktop.ui.readiness_page import go_to_finding

        self.reject()
        go_to_finding(window, finding)

    # ------------------------------------------------------------- word count

    def options(self) -> ExportOptions:
        return ExportOptions(
            include_grades=self.grades_box.isChecked(),
            include_evidence_appendix=self.appendix_box.isChecked(),
            include_plan=self.plan_box.isChecked(),
            list_evidence_in_body=self.evidence_list_box.isChecked(),
            list_actions_in_body=self.action_list_box.isChecked(),
            include_agency_views=self.views_box.isChecked(),
        )

    @staticmethod
    def _key(options: ExportOptions) -> tuple[bool, ...]:
        return (
            options.include_grades,
            options.include_evidence_appendix,
            options.include_plan,
            options.list_evidence_in_body,
            options.list_actions_in_body,
            options.include_agency_views,
        )

    def _model(self, options: ExportOptions) -> Any:
        key = self._key(options)
        if key not in self._models:
            self._models[key] = build_statement(self.service, options)
        return self._models[key]

    def prepare_export(self) -> None:
        """Import python-docx and matplotlib and draw the charts on a background thread.

        Done while the facilitator reads the word counts, so that pressing Export finds
        them ready (docs/performance.md); the thread reads only the model already built for
        the counts, never the workshop or a widget (without one, it only imports).
        """
        prepare_export(self._models.get(self._key(self.options())))

    def counts(self) -> tuple[dict[int, int], int]:
        """Words per statement and in total for the current options."""
        return body_word_counts(self._model(self.options()))  # type: ignore[no-any-return]

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
            "export, but shorten it before sending."
            if over
            else ""
        )
        ways = self._ways_to_shorten(total) if over else ""
        self.ways_label.setText(ways)
        # A grid row does not grow for a wrapped label by itself: give it its lines.
        spacing = self.ways_label.fontMetrics().lineSpacing()
        self.ways_label.setMinimumHeight(spacing * (ways.count("\n") + 2) if ways else 0)
        self.ways_label.setVisible(over)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow (within the screen, scrolling beyond it) for the text now shown."""
        if self.isVisible():
            QTimer.singleShot(0, self._grow_to_fit)

    def _ways_to_shorten(self, total: int) -> str:
        """The ways to get under the limit, with what each would save."""
        options = self.options()
        ways: list[str] = []
        for attr, label in (
            ("list_evidence_in_body", "Leave the evidence lists to the appendix"),
            ("list_actions_in_body", "Leave the action lists to the plan"),
        ):
            if getattr(options, attr):
                fewer = body_word_counts(self._model(_with(options, **{attr: False})))[1]
                ways.append(f"• {label}: {total - fewer:,} fewer words.")
        longest = longest_indicators(self._model(options))
        if longest:
            ways.append(
                "• Shorten the longest indicators: "
                + ", ".join(f"{code} ({n:,} words)" for code, n in longest)
                + "."
            )
        ways.append("• Move detail from the narratives into the evidence descriptions.")
        return "Ways to get under the limit:\n" + "\n".join(ways)

    # ----------------------------------------------------------------- export

    def suggested_target(self) -> Path:
        title = safe_file_name(self.service.details().title, "")
        if len(title) > 52:  # keep "draft position statement" in the name: cut the title
            title = title[:53].rsplit(" ", 1)[0].rstrip(" -–—,;.")
        return suggested_folder(self.service) / safe_file_name(
            f"{title} - draft position statement", ".docx"
        )

    def choose_target_and_export(self) -> None:
        self.refresh_personal_data()
        if self.personal_findings:
            return
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
        # Typing not yet saved goes into the document too; if the file cannot take it
        # (a full disk), exporting without it is the user's choice, not a surprise.
        if (
            callable(flush)
            and flush() is False
            and not messages.ask(
                self,
                "Your latest typing could not be saved to the workshop, so the document "
                "would not include it. Export anyway?",
                yes="Export without it",
                no="Cancel",
            )
        ):
            return
        # Checked after the flush, so the typing just saved is checked too.
        self.refresh_personal_data()
        if self.personal_findings:
            return  # personal data never leaves silently
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
            self.evidence_list_box,
            self.action_list_box,
            self.not_personal_button,
            self.go_button,
        ):
            widget.setEnabled(not running)
        if not running:
            self.refresh_personal_data()
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
        text = (
            f"Saved to {result.path} ({result.word_count:,} words in the body).\n"
            f"The contents fill in when fields are updated. {CONTENTS_HELP}"
        )
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
    try:
        dialog = ExportDialog(window.service, window)
    except UserError as exc:  # the file cannot be read now (stick pulled, server gone)
        messages.show_error(window, str(exc))
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a fresh count each time
    dialog.open()
    QTimer.singleShot(100, dialog, dialog.prepare_export)  # once it has painted
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
    found = ReadinessService(service).personal_data()
    if found:
        listed = "\n".join(f"• {f.message}" for f in found[:10])
        more = f"\n…and {len(found) - 10} more." if len(found) > 10 else ""
        messages.show_error(
            window,
            f"The {label} was not written: the workshop may hold personal data. Fix each of "
            f"these, or mark it as not personal on the Readiness page (Ctrl+6):\n{listed}{more}",
        )
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
