"""Each agency's view first, then the agreed grade: the grading part of the indicator page.

``GradingPanel`` records each agency's (or member's) proposed grade with a short note, keeps
the grades hidden until the facilitator reveals them together, then shows their distribution
with the range and median, and flags disagreement in words and colour (never colour alone).
``AgreementPanel`` sits beside the agreed grade: the previous cycle's grade, and dissent in
each agency's own words. Both only show and forward: the rules are in ``domain.grading`` and
the use cases in ``services.grading``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPolygonF
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.domain.grading import (
    GradeSpread,
    change_words,
    disagreement_sentence,
    grade_words,
    median_words,
    range_words,
)
from carequal_desktop.errors import EditCollisionError, UserError
from carequal_desktop.services.grading import GradingService, GradingView, Proposer
from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.widgets.headings import heading
from carequal_desktop.ui.widgets.responsive import compact_button

_KEY_ROLE = Qt.ItemDataRole.UserRole
# Dark text on a pale amber: 12:1 contrast, and the words say "Disagreement" as well.
DISAGREE_BACKGROUND = "#FFF1C2"
DISAGREE_TEXT = "#4A3000"
DISAGREE_EDGE = "#B7791F"


# Rows of two controls sit side by side only when the scroll area holding the panel is at
# least this many average characters wide; otherwise one above the other.
_SIDE_BY_SIDE_CHARS = 40


class _NarrowStacker(QObject):
    """Stacks a panel's rows when the scroll area around it is narrow.

    It watches the scroll area's viewport, not the panel: a panel is never narrower than its
    rows side by side, so its own width could never tell it to stack them.
    """

    def __init__(self, panel: QWidget) -> None:
        super().__init__(panel)
        self.panel = panel
        self.rows: list[QBoxLayout] = []
        self.viewport: QWidget | None = None
        panel.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.FontChange,
            QEvent.Type.ParentChange,
        ):
            if self.viewport is None:
                outer = self.panel.parentWidget()
                while outer is not None and not isinstance(outer, QAbstractScrollArea):
                    outer = outer.parentWidget()
                if outer is not None:
                    self.viewport = outer.viewport()
                    self.viewport.installEventFilter(self)
            self.apply()
        return False

    def apply(self) -> None:
        width = self.viewport.width() if self.viewport is not None else self.panel.width()
        narrow = width < self.panel.fontMetrics().averageCharWidth() * _SIDE_BY_SIDE_CHARS
        wanted = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        for row in self.rows:
            if row.direction() != wanted:
                row.setDirection(wanted)


def _stack_when_narrow(panel: QWidget, row: QBoxLayout) -> None:
    stacker = panel.findChild(_NarrowStacker) or _NarrowStacker(panel)
    stacker.rows.append(row)


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class DistributionChart(QWidget):
    """A small bar chart: how many proposed each grade on the scale. Drawn with QPainter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Distribution of proposed grades")
        self._levels: list[int] = []
        self._counts: dict[int, int] = {}
        self._median: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() * 6)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(self.fontMetrics().averageCharWidth() * 30, self.fontMetrics().height() * 5)

    def set_spread(self, levels: list[int], spread: GradeSpread, description: str) -> None:
        self._levels = sorted(levels)
        self._counts = dict(spread.counts)
        self._median = spread.median
        self.setAccessibleDescription(description)
        self.setToolTip(description)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        if not self._levels:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        fm = self.fontMetrics()
        text_h = fm.height()
        w, h = self.width(), self.height()
        top_most = max(self._counts.values(), default=0) or 1
        slot = w / len(self._levels)
        bar_area = h - 2 * text_h - text_h / 3 - 6
        bar_colour = pal.color(QPalette.ColorRole.Highlight)
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        for i, value in enumerate(self._levels):
            n = self._counts.get(value, 0)
            x = i * slot
            bar_h = bar_area * n / top_most
            rect = QRectF(x + slot * 0.2, text_h + 2 + bar_area - bar_h, slot * 0.6, bar_h)
            if n:
                painter.fillRect(rect, bar_colour)
            painter.setPen(text_colour)
            # The count above its bar, the grade below: numbers, not colour, carry the meaning.
            if n:
                painter.drawText(
                    QRectF(x, rect.top() - text_h - 1, slot, text_h),
                    Qt.AlignmentFlag.AlignCenter,
                    str(n),
                )
            painter.drawText(
                QRectF(x, h - text_h, slot, text_h), Qt.AlignmentFlag.AlignCenter, str(value)
            )
        # The baseline, and a small triangle under it at the median (the words say it too).
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        base_y = text_h + 2 + bar_area
        painter.drawLine(0, int(base_y), w, int(base_y))
        if self._median is not None and self._levels:
            x = (self._median - self._levels[0] + 0.5) * slot
            size = max(4.0, text_h / 3)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(text_colour)
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(x, base_y + 1),
                        QPointF(x - size, base_y + 1 + size),
                        QPointF(x + size, base_y + 1 + size),
                    ]
                )
            )
        painter.end()


class GradingPanel(QWidget):
    """Proposed grades, hidden until revealed together, with their spread and disagreement."""

    changed = Signal(str)  # indicator code: something was saved
    collided = Signal(object, object)  # an Edit and the conflict keeping it (see _kept)

    def __init__(self, service: WorkshopService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.grading = GradingService(service)
        self.code: str | None = None
        self.view: GradingView | None = None
        self._read_only = False
        self.setAccessibleName("Each agency's proposed grade")
        self._build()

    def _build(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(heading("Each agency's view", 1.15))
        self.progress_label = _plain(QLabel())
        self.progress_label.setAccessibleName("Which agencies have proposed a grade")
        box.addWidget(self.progress_label)

        self.who_combo = QComboBox()
        self.who_combo.setEditable(True)
        self.who_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.who_combo.setAccessibleName("Agency or member proposing a grade")
        self.who_combo.lineEdit().setPlaceholderText("Agency or member")
        self.who_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.who_combo.setMinimumContentsLength(8)
        box.addWidget(self.who_combo)

        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.grade_combo = QComboBox()
        self.grade_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.grade_combo.setMinimumContentsLength(8)
        self.grade_combo.setAccessibleName("Proposed grade")
        row.addWidget(self.grade_combo, 1)
        self.record_button = QPushButton("&Record")
        self.record_button.setAccessibleName("Record this proposed grade")
        self.record_button.clicked.connect(self.record)
        row.addWidget(compact_button(self.record_button))
        box.addLayout(row)
        # Side by side where there is room; one above the other in a narrow side panel.
        _stack_when_narrow(self, row)
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Short note with the proposed grade")
        self.note_edit.setPlaceholderText("Short note (optional)")
        self.note_edit.setMaxLength(500)
        self.note_edit.returnPressed.connect(self.record)
        box.addWidget(self.note_edit)

        self.proposals_list = QListWidget()
        self.proposals_list.setAccessibleName("Proposed grades")
        self.proposals_list.setWordWrap(True)
        self.proposals_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.proposals_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6 + 8)
        self.proposals_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 9 + 8)
        self.proposals_list.itemActivated.connect(self._pick_proposal)
        box.addWidget(self.proposals_list)

        # One control a row: the side panel is narrow on a 1024-pixel screen.
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the selected proposed grade")
        self.remove_button.clicked.connect(self.remove_selected)
        box.addWidget(compact_button(self.remove_button), 0, Qt.AlignmentFlag.AlignLeft)
        self.hide_check = QCheckBox("Hide &until revealed")
        self.hide_check.setAccessibleName("Hide the proposed grades until they are revealed")
        self.hide_check.setToolTip(
            "Proposals stay hidden while agencies give them, so nobody anchors on the first voice"
        )
        self.hide_check.toggled.connect(self._hide_toggled)
        box.addWidget(self.hide_check)
        self.reveal_button = QPushButton("Re&veal all together")
        self.reveal_button.setAccessibleName("Reveal the proposed grades together")
        self.reveal_button.clicked.connect(self.reveal)
        box.addWidget(self.reveal_button)

        self.chart = DistributionChart()
        box.addWidget(self.chart)
        self.summary_label = _plain(QLabel())
        self.summary_label.setAccessibleName("Range and median of the proposed grades")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.summary_label)
        self.disagreement_label = _plain(QLabel())
        self.disagreement_label.setAccessibleName("Disagreement")
        self.disagreement_label.setMargin(6)
        box.addWidget(self.disagreement_label)

    # -------------------------------------------------------------- showing

    def _labels(self) -> dict[int, str]:
        return {lvl.value: lvl.label for lvl in self.service.framework().scale}

    def show_indicator(self, code: str) -> None:
        """Show one indicator's proposed grades."""
        changed = code != self.code
        self.code = code
        if changed:
            self.note_edit.clear()
            self.who_combo.setCurrentIndex(-1)
            self.who_combo.setEditText("")
        self.refresh()

    def refresh(self) -> None:
        if self.code is None:
            return
        self.view = view = self.grading.view(self.code)
        labels = self._labels()
        proposers = view.proposers
        names = {p.participant: p.name for p in proposers if p.participant}
        self._fill_choices(labels, proposers)
        hidden = view.hidden
        self.hide_check.blockSignals(True)
        self.hide_check.setChecked(hidden)
        self.hide_check.blockSignals(False)

        n_expected = len(view.expected_agencies)
        n_in = n_expected - len(view.missing_agencies)
        if n_expected:
            text = f"{n_in} of {n_expected} agencies have proposed a grade"
            if view.missing_agencies and view.proposals:
                text += "; still to come: " + ", ".join(view.missing_agencies)
            text += "."
        else:
            text = "Add the team on the Team page to list its agencies here."
        if not view.proposals:
            text = "No grades proposed yet. " + text
        self.progress_label.setText(text)

        self.proposals_list.clear()
        for p in view.proposals:
            who = p.agency
            if p.participant:
                name = names.get(p.participant, "")
                who = f"{name} ({p.agency})" if name else p.agency
            if hidden:
                line = f"{who}: grade given ✓ (hidden)"
            else:
                line = f"{who}: {grade_words(p.grade, labels)}"
                if p.note:
                    line += f" — {p.note}"
            item = QListWidgetItem(line)
            item.setData(_KEY_ROLE, (p.agency, p.participant))
            self.proposals_list.addItem(item)
        if not view.proposals:
            item = QListWidgetItem("None yet.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.proposals_list.addItem(item)

        self.reveal_button.setVisible(hidden)
        self.reveal_button.setEnabled(bool(view.proposals) and not self._read_only)
        self.reveal_button.setText(
            "Re&veal all together"
            if view.all_in or not view.proposals
            else f"Re&veal now ({n_in} of {n_expected} in)"
        )
        shown = bool(view.proposals) and not hidden
        self.chart.setVisible(shown)
        self.summary_label.setVisible(shown)
        self.disagreement_label.setVisible(shown)
        if shown:
            self._show_spread(view.spread, labels)
        self._update_enabled()

    def _show_spread(self, spread: GradeSpread, labels: dict[int, str]) -> None:
        assert spread.median is not None
        summary = (
            f"{spread.count} proposed: range {range_words(spread, labels)}; "
            f"median {median_words(spread.median, labels)}."
        )
        self.summary_label.setText(summary)
        self.chart.set_spread(sorted(labels), spread, summary)
        if spread.disagreement:
            self.disagreement_label.setText("⚠ " + disagreement_sentence(spread))
            self.disagreement_label.setStyleSheet(
                f"QLabel {{ background: {DISAGREE_BACKGROUND}; color: {DISAGREE_TEXT};"
                f" border: 1px solid {DISAGREE_EDGE}; font-weight: bold; }}"
            )
        else:
            self.disagreement_label.setText(
                "No disagreement: the proposals are within one grade, on one side of adequate/good."
            )
            self.disagreement_label.setStyleSheet("")

    def _fill_choices(self, labels: dict[int, str], proposers: list[Proposer]) -> None:
        current = self.who_combo.currentText()
        self.who_combo.blockSignals(True)
        self.who_combo.clear()
        for p in proposers:
            self.who_combo.addItem(p.label, p)
        self.who_combo.setCurrentIndex(-1)
        self.who_combo.setEditText(current)
        self.who_combo.blockSignals(False)
        chosen = self.grade_combo.currentData()
        self.grade_combo.clear()
        self.grade_combo.addItem("Choose a grade…", None)
        for value in sorted(labels, reverse=True):
            self.grade_combo.addItem(grade_words(value, labels), value)
        index = self.grade_combo.findData(chosen)
        self.grade_combo.setCurrentIndex(max(index, 0))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_enabled()

    def _update_enabled(self) -> None:
        writable = not self._read_only and self.code is not None
        for w in (
            self.who_combo,
            self.grade_combo,
            self.record_button,
            self.note_edit,
            self.hide_check,
            self.remove_button,
        ):
            w.setEnabled(writable)
        has = bool(self.view and self.view.proposals)
        self.reveal_button.setEnabled(writable and has)
        self.remove_button.setEnabled(writable and has)

    # ------------------------------------------------------------- editing

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        try:
            fn(*args, **kwargs)
        except EditCollisionError as exc:
            _kept(self, exc)
            return False
        except UserError as exc:
            messages.show_error(self, str(exc))
            return False
        return True

    def _chosen_proposer(self) -> Proposer | None:
        text = self.who_combo.currentText().strip()
        if not text:
            return None
        for i in range(self.who_combo.count()):
            if self.who_combo.itemText(i).casefold() == text.casefold():
                data = self.who_combo.itemData(i)
                if isinstance(data, Proposer):
                    return data
        return Proposer(text)  # an agency not (yet) in the team

    def choose(self, who: str, grade: int | None, note: str = "") -> None:
        """Fill in the form as a facilitator would (used by tests)."""
        self.who_combo.setEditText(who)
        self.grade_combo.setCurrentIndex(max(self.grade_combo.findData(grade), 0))
        self.note_edit.setText(note)

    def record(self) -> None:
        """Record the proposed grade in the form, then clear it for the next agency."""
        if self.code is None or self._read_only:
            return
        who = self._chosen_proposer()
        grade = self.grade_combo.currentData()
        if who is None:
            messages.show_error(self, "Choose the agency or member proposing the grade.")
            self.who_combo.setFocus()
            return
        if grade is None:
            messages.show_error(self, "Choose the grade they propose.")
            self.grade_combo.setFocus()
            return
        hidden = self.hide_check.isChecked()
        if self._call(
            self.grading.record_proposal,
            self.code,
            who.agency,
            grade,
            self.note_edit.text(),
            who.participant,
            hidden=hidden,
        ):
            # Clear the form so the next agency does not see this one's grade.
            self.note_edit.clear()
            self.grade_combo.setCurrentIndex(0)
            self.who_combo.setEditText("")
            self.refresh()
            self.who_combo.setFocus()
            self.changed.emit(self.code)

    def _pick_proposal(self, item: QListWidgetItem) -> None:
        """Activating a proposal puts it back in the form, to correct it (revealed only)."""
        key = item.data(_KEY_ROLE)
        if not key or self.view is None or self.view.hidden:
            return
        for p in self.view.proposals:
            if (p.agency, p.participant) == tuple(key):
                label = next(
                    (
                        x.label
                        for x in self.view.proposers
                        if (x.agency, x.participant) == (p.agency, p.participant)
                    ),
                    p.agency,
                )
                self.choose(label, p.grade, p.note)
                self.grade_combo.setFocus()
                return

    def remove_selected(self) -> None:
        item = self.proposals_list.currentItem()
        if self.code is None or item is None or not item.data(_KEY_ROLE):
            return
        agency, participant = item.data(_KEY_ROLE)
        if self._call(self.grading.remove_proposal, self.code, agency, participant):
            self.refresh()
            self.changed.emit(self.code)

    def _hide_toggled(self, hidden: bool) -> None:
        if self.code is None or self.view is None:
            return
        if not self.view.proposals:
            return  # nothing recorded yet: the first proposal takes the box's state
        if self._call(self.grading.set_hidden, self.code, hidden):
            self.refresh()
            self.changed.emit(self.code)

    def reveal(self) -> None:
        """Show every proposed grade at once."""
        if self.code is None:
            return
        if self._call(self.grading.reveal, self.code):
            self.refresh()
            self.changed.emit(self.code)


class AgreementPanel(QWidget):
    """Beside the agreed grade: last cycle's grade and each agency's dissent in its own words."""

    changed = Signal(str)
    collided = Signal(object, object)  # an Edit and the conflict keeping it (see _kept)

    def __init__(self, service: WorkshopService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.grading = GradingService(service)
        self.code: str | None = None
        self.view: GradingView | None = None
        self._read_only = False
        self.setAccessibleName("Previous grade and dissent")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.previous_label = _plain(QLabel())
        self.previous_label.setAccessibleName("Grade in the previous cycle")
        self.previous_label.setFrameShape(QFrame.Shape.NoFrame)
        box.addWidget(self.previous_label)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        previous_caption = QLabel("&Previous grade:")
        self.previous_combo = QComboBox()
        self.previous_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.previous_combo.setMinimumContentsLength(8)
        self.previous_combo.setAccessibleName("Grade agreed in the previous self-evaluation")
        self.previous_combo.setToolTip(
            "Filled in when a workshop is started from the last one; correct it here if needed"
        )
        previous_caption.setBuddy(self.previous_combo)
        self.previous_combo.activated.connect(self._previous_chosen)
        row.addWidget(previous_caption)
        row.addWidget(self.previous_combo, 1)
        box.addLayout(row)
        _stack_when_narrow(self, row)
        box.addWidget(heading("Dissent", 1.0))
        self.dissent_list = QListWidget()
        self.dissent_list.setAccessibleName("Dissent recorded against the agreed grade")
        self.dissent_list.setWordWrap(True)
        self.dissent_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 8)
        self.dissent_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 8 + 8)
        self.dissent_list.itemActivated.connect(self._pick)
        box.addWidget(self.dissent_list)
        self.dissent_who = QComboBox()
        self.dissent_who.setEditable(True)
        self.dissent_who.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.dissent_who.setAccessibleName("Agency recording dissent")
        self.dissent_who.lineEdit().setPlaceholderText("Agency (leave empty for none)")
        self.dissent_who.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dissent_who.setMinimumContentsLength(8)
        box.addWidget(self.dissent_who)
        self.dissent_text = QPlainTextEdit()
        self.dissent_text.setAccessibleName("Dissent in the agency's own words")
        self.dissent_text.setPlaceholderText("The dissent, in the agency's own words…")
        self.dissent_text.setTabChangesFocus(True)
        self.dissent_text.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        box.addWidget(self.dissent_text)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.save_dissent_button = QPushButton("Record &dissent")
        self.save_dissent_button.setAccessibleName("Record this dissent")
        self.save_dissent_button.clicked.connect(self.record_dissent)
        self.remove_dissent_button = QPushButton("Remove")
        self.remove_dissent_button.setAccessibleName("Remove the selected dissent")
        self.remove_dissent_button.clicked.connect(self.remove_selected)
        row.addWidget(compact_button(self.save_dissent_button), 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(compact_button(self.remove_dissent_button), 0, Qt.AlignmentFlag.AlignLeft)
        row.addStretch(1)
        box.addLayout(row)
        _stack_when_narrow(self, row)

    def show_indicator(self, code: str, view: GradingView | None = None) -> None:
        """Show one indicator; ``view`` saves a read when the grading panel has just made it."""
        if code != self.code:
            self.dissent_text.clear()
            self.dissent_who.setEditText("")
        self.code = code
        self.refresh(view if view is not None and view.code == code else None)

    def refresh(self, view: GradingView | None = None) -> None:
        if self.code is None:
            return
        self.view = view = view or self.grading.view(self.code)
        labels = {lvl.value: lvl.label for lvl in self.service.framework().scale}
        if view.previous is None:
            self.previous_label.setText("Previous cycle: no grade recorded.")
        else:
            text = f"Previous cycle: {grade_words(view.previous, labels)}"
            change = change_words(view.previous, view.agreed)
            if change:
                text += f"; now {grade_words(view.agreed or 0, labels)} ({change})"
            self.previous_label.setText(text + ".")
        self.previous_combo.clear()
        self.previous_combo.addItem("None recorded", None)
        for value in sorted(labels, reverse=True):
            self.previous_combo.addItem(grade_words(value, labels), value)
        self.previous_combo.setCurrentIndex(max(self.previous_combo.findData(view.previous), 0))
        current = self.dissent_who.currentText()
        self.dissent_who.clear()
        self.dissent_who.addItem("", "")
        for agency in view.expected_agencies:
            self.dissent_who.addItem(agency, agency)
        self.dissent_who.setEditText(current)
        self.dissent_list.clear()
        for d in view.dissents:
            who = d.agency or "No agency named"
            item = QListWidgetItem(f"{who}: {d.text}")
            item.setData(_KEY_ROLE, (d.agency, d.participant, d.text))
            self.dissent_list.addItem(item)
        if not view.dissents:
            item = QListWidgetItem("No dissent recorded.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.dissent_list.addItem(item)
        self._update_enabled()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_enabled()

    def _update_enabled(self) -> None:
        writable = not self._read_only and self.code is not None
        for w in (
            self.dissent_who,
            self.dissent_text,
            self.save_dissent_button,
            self.previous_combo,
        ):
            w.setEnabled(writable)
        self.remove_dissent_button.setEnabled(writable and bool(self.view and self.view.dissents))

    def _previous_chosen(self) -> None:
        if self.code is None or self.view is None:
            return
        value = self.previous_combo.currentData()
        if value == self.view.previous:
            return
        try:
            self.service.update_evaluation(self.code, previous_grade=value)
        except UserError as exc:
            messages.show_error(self, str(exc))
        self.refresh()
        self.changed.emit(self.code)

    def _pick(self, item: QListWidgetItem) -> None:
        key = item.data(_KEY_ROLE)
        if key:
            self.dissent_who.setEditText(key[0])
            self.dissent_text.setPlainText(key[2])
            self.dissent_text.setFocus()

    def record_dissent(self) -> None:
        """Record (or replace) the dissent of the agency named in the form."""
        if self.code is None or self._read_only:
            return
        agency = self.dissent_who.currentText().strip()
        text = self.dissent_text.toPlainText().strip()
        if not text:
            messages.show_error(self, "Write the dissent in the agency's own words first.")
            return
        participant = None
        if self.view is not None:
            for d in self.view.dissents:
                if d.agency.casefold() == agency.casefold():
                    agency, participant = d.agency, d.participant
        try:
            self.grading.set_dissent(self.code, agency, text, participant)
        except EditCollisionError as exc:
            _kept(self, exc)
            return
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.dissent_text.clear()
        self.dissent_who.setEditText("")
        self.refresh()
        self.changed.emit(self.code)

    def remove_selected(self) -> None:
        item = self.dissent_list.currentItem()
        if self.code is None or item is None or not item.data(_KEY_ROLE):
            return
        agency, participant, _text = item.data(_KEY_ROLE)
        try:
            self.grading.set_dissent(self.code, agency, "", participant)
        except EditCollisionError as exc:
            _kept(self, exc)
            return
        except UserError as exc:
            messages.show_error(self, str(exc))
            return
        self.refresh()
        self.changed.emit(self.code)


def _kept(panel: GradingPanel | AgreementPanel, exc: EditCollisionError) -> None:
    """Colleagues kept saving the same list while this change was being saved (a server):
    the change is kept as a conflict to decide on the Merge page, and the panel says so
    through the window's notice (``collided``), like typing that collided."""
    from carequal_desktop.services.collisions import record_collision
    from carequal_desktop.services.merge import field_label

    try:
        conflict = record_collision(panel.service, exc)
    except UserError as again:
        messages.show_error(panel, str(again))
        return
    code = panel.code or ""
    label = f"{code} {field_label(exc.field)}".strip()
    panel.refresh()
    panel.collided.emit(Edit("evaluation", code, exc.field, exc.mine, label), conflict)
