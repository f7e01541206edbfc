"""The facilitation mode: the indicator under discussion, full screen, in large text.

For the projector: the current indicator's question, answers, strengths, areas and grade
fill the screen (the team's typing is saved as on the indicator page, because it *is* an
indicator page), beside a panel with the agenda and its timer, the parking lot for points
that belong elsewhere, and a box for quick notes. F5 or Escape leaves it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.errors import UserError
from carequal_desktop.services.facilitation import (
    BECOMES,
    DEFAULT_MINUTES,
    NOTE,
    AgendaItem,
    Facilitation,
    ParkingItem,
    step_zoom,
)
from carequal_desktop.ui import messages
from carequal_desktop.ui.colours import warning_colour
from carequal_desktop.ui.indicator_page import IndicatorPage
from carequal_desktop.ui.zoom import apply_zoom, current_zoom

_ID_ROLE = Qt.ItemDataRole.UserRole
SAVE_TIMER_EVERY = 15  # seconds between saves of a running timer


def clock(seconds: int) -> str:
    """ "12:05" for 725 seconds; "1:02:05" past an hour."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def timer_text(item: AgendaItem, spent: int) -> tuple[str, bool]:
    """What the timer says about ``item`` after ``spent`` seconds, and whether it is over time."""
    planned = item.minutes * 60
    if spent <= planned:
        return f"{clock(spent)} of {item.minutes} min", False
    over = spent - planned
    return f"Over time: {clock(over)} past the {item.minutes} min planned", True


def parked_text(p: ParkingItem) -> str:
    """One line of the parking lot, with who raised it, where, and what became of it."""
    head = "Note" if p.kind == NOTE else "Parked"
    parts = [f"{head}: {p.text}"]
    if p.raised_by:
        parts.append(f"raised by {p.raised_by}")
    if p.raised_at:
        parts.append(f"at {p.raised_at}")
    if p.becomes:
        done = BECOMES.get(p.becomes, p.becomes)
        parts.append(f"{done} {p.target}" if p.target else done)
    return " — ".join(parts)


class FacilitationWindow(QWidget):
    """Full screen: the indicator page in large text, beside the agenda and parking lot."""

    left = Signal()  # the mode was closed: the main window takes over again

    def __init__(self, window: Any) -> None:
        normal_zoom = current_zoom()
        facilitation = Facilitation(window.service)
        # Large text first, so every part of the mode is made at that size.
        apply_zoom(facilitation.zoom(facilitating=True))
        super().__init__(None, Qt.WindowType.Window)
        self.main = window
        self.service = window.service
        self.facilitation = facilitation
        self.setWindowTitle(f"Facilitating — {self.service.details().title} — CareQual")
        self.setAccessibleName("Facilitation mode")
        self._normal_zoom = normal_zoom
        self._spent: dict[str, int] = {}
        self._current_slot: str | None = None
        self._running = False
        self._ticks = 0
        self._build()
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)
        self._load_agenda()
        self._load_parking()
        code = window.current_indicator_code() or getattr(window, "_last_code", None)
        codes = [i.code for i in self.service.framework().indicators]
        self.show_indicator(code if code in codes else codes[0])

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(4)

        bar = QHBoxLayout()
        self.slot_label = QLabel()
        self.slot_label.setWordWrap(True)
        self.slot_label.setAccessibleDescription("Agenda item now")
        self.timer_label = QLabel()
        self.timer_label.setAccessibleDescription("Time on this agenda item")
        self.timer_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.timer_label.setMargin(4)
        self.timer_label.setAutoFillBackground(True)
        self.start_button = QPushButton("Start &timer")
        self.start_button.setAccessibleName("Start or pause the timer")
        self.start_button.clicked.connect(self.toggle_timer)
        self.panel_button = QPushButton("Hide &panel")
        self.panel_button.setAccessibleName("Show or hide the agenda and parking lot panel")
        self.panel_button.clicked.connect(self.toggle_panel)
        self.leave_button = QPushButton("&Leave (Esc)")
        self.leave_button.setAccessibleName("Leave the facilitation mode")
        self.leave_button.clicked.connect(self.close)
        bar.addWidget(self.slot_label, 1)
        bar.addWidget(self.timer_label)
        for button in (self.start_button, self.panel_button, self.leave_button):
            bar.addWidget(button)
        outer.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(True)
        outer.addWidget(self.splitter, 1)
        # The window's own autosave and undo stack: one place holds the typing, whichever
        # window it was typed in, and closing either keeps what could not be saved.
        self.page = IndicatorPage(self.service, self, self.main.autosave)
        if self.main.undo_stack is not None:
            self.page.use_undo_stack(self.main.undo_stack)
        self.page.navigate_requested.connect(self.go_relative)
        self.page.indicator_changed.connect(self.main.refresh_indicator_item)
        self.splitter.addWidget(self.page)

        self.panel = QWidget()
        self.panel.setAccessibleName("Agenda, parking lot and notes")
        side = QVBoxLayout(self.panel)
        side.setContentsMargins(4, 0, 0, 0)
        note_label = QLabel("&Quick note (Enter keeps it):")
        self.note_edit = QLineEdit()
        self.note_edit.setAccessibleName("Quick note")
        self.note_edit.setPlaceholderText("Type a note to sort later…")
        self.note_edit.returnPressed.connect(self.capture_note)
        note_label.setBuddy(self.note_edit)
        side.addWidget(note_label)
        side.addWidget(self.note_edit)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Agenda and parking lot")
        self.tabs.addTab(self._agenda_tab(), "&Agenda")
        self.tabs.addTab(self._parking_tab(), "Parking l&ot")
        side.addWidget(self.tabs, 1)
        # On a small screen at large text the panel scrolls up and down, never sideways.
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.panel_scroll.setWidget(self.panel)
        self.splitter.addWidget(self.panel_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self._sized = False

        for keys, slot in (
            (("Escape", "F5"), self.close),
            (("Alt+Right", "Ctrl+PgDown"), lambda: self.go_relative(1)),
            (("Alt+Left", "Ctrl+PgUp"), lambda: self.go_relative(-1)),
            ((QKeySequence.StandardKey.ZoomIn, "Ctrl+="), lambda: self.zoom(1)),
            ((QKeySequence.StandardKey.ZoomOut,), lambda: self.zoom(-1)),
            (("Ctrl+0",), lambda: self.zoom(0)),
            (("Ctrl+J",), self.note_edit.setFocus),
            (("Ctrl+Shift+P",), self.focus_parking),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(slot)

    def _agenda_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.agenda_list = QListWidget()
        self.agenda_list.setAccessibleName("Agenda")
        self.agenda_list.setWordWrap(True)
        self.agenda_list.itemActivated.connect(self._slot_activated)
        layout.addWidget(self.agenda_list, 1)
        row = QHBoxLayout()
        self.slot_title = QLineEdit()
        self.slot_title.setAccessibleName("Title of a new agenda item")
        self.slot_title.setPlaceholderText("New item, e.g. Break")
        self.slot_title.returnPressed.connect(self.add_slot)
        self.slot_minutes = QSpinBox()
        self.slot_minutes.setRange(1, 600)
        self.slot_minutes.setValue(DEFAULT_MINUTES)
        self.slot_minutes.setSuffix(" min")
        self.slot_minutes.setAccessibleName("Minutes planned for the new agenda item")
        add = QPushButton("Add")
        add.setAccessibleName("Add the agenda item")
        add.clicked.connect(self.add_slot)
        layout.addWidget(self.slot_title)
        row.addWidget(self.slot_minutes, 1)
        row.addWidget(add)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.from_indicators_button = QPushButton("Per indicator")
        self.from_indicators_button.setToolTip("Make the agenda: one item for each indicator")
        self.from_indicators_button.setAccessibleName("Make the agenda: one item per indicator")
        self.from_indicators_button.clicked.connect(self.agenda_from_indicators)
        remove = QPushButton("Remove")
        remove.setAccessibleName("Remove the selected agenda item")
        remove.clicked.connect(self.remove_slot)
        buttons.addWidget(self.from_indicators_button)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return tab

    def _parking_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.point_edit = QLineEdit()
        self.point_edit.setAccessibleName("Point to park")
        self.point_edit.setPlaceholderText("A point that belongs elsewhere…")
        self.point_edit.returnPressed.connect(self.park)
        self.raised_by = QComboBox()
        self.raised_by.setEditable(True)
        self.raised_by.setAccessibleName("Raised by")
        self.raised_by.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.raised_by.setMinimumContentsLength(8)
        self.raised_by.addItem("")
        for p in self.service.participants():
            self.raised_by.addItem(f"{p.name} ({p.agency})")
        self.raised_by.lineEdit().setPlaceholderText("Raised by…")
        park = QPushButton("&Park")
        park.setAccessibleName("Park the point")
        park.clicked.connect(self.park)
        layout.addWidget(self.point_edit)
        row = QHBoxLayout()
        row.addWidget(self.raised_by, 1)
        row.addWidget(park)
        layout.addLayout(row)
        self.parking_list = QListWidget()
        self.parking_list.setAccessibleName("Parking lot and notes")
        self.parking_list.setWordWrap(True)
        layout.addWidget(self.parking_list, 1)
        sort = QHBoxLayout()
        self.to_action_button = QPushButton("Action")
        self.to_action_button.setAccessibleName("Make the selected point an improvement action")
        self.to_action_button.setToolTip("Make it an action in the improvement plan")
        self.to_action_button.clicked.connect(lambda: self._sort("action"))
        self.to_evidence_button = QPushButton("Evidence")
        self.to_evidence_button.setAccessibleName("Make the selected point evidence to find")
        self.to_evidence_button.setToolTip("Add it to the evidence register as something to find")
        self.to_evidence_button.clicked.connect(lambda: self._sort("evidence"))
        self.done_button = QPushButton("Done")
        self.done_button.setAccessibleName("Mark the selected point as dealt with")
        self.done_button.clicked.connect(lambda: self._sort("done"))
        for b in (self.to_action_button, self.to_evidence_button, self.done_button):
            sort.addWidget(b)
        layout.addLayout(sort)
        move = QHBoxLayout()
        self.move_combo = QComboBox()
        self.move_combo.setAccessibleName("Indicator to move the point to")
        for ind in self.service.framework().indicators:
            self.move_combo.addItem(ind.code, ind.code)
            self.move_combo.setItemData(
                self.move_combo.count() - 1, ind.label, Qt.ItemDataRole.ToolTipRole
            )
        self.move_button = QPushButton("Move")
        self.move_button.setAccessibleName("Move the selected point to the chosen indicator")
        self.move_button.clicked.connect(lambda: self._sort("indicator"))
        move.addWidget(self.move_combo, 1)
        move.addWidget(self.move_button)
        layout.addLayout(move)
        return tab

    # --------------------------------------------------------------- showing

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if not self._sized:  # most of the room for the indicator, the rest for the panel
            self._sized = True
            width = max(self.width(), 2)
            panel = max(
                self.panel.minimumSizeHint().width()
                + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent),
                width // 4,
            )
            if width - panel < self.fontMetrics().averageCharWidth() * 62:
                self.toggle_panel()  # a small screen: the indicator first, the panel on demand
            else:
                self.splitter.setSizes([width - panel, panel])
            self.page.how_good_now.setFocus()  # the team's answers first
            self._show_timer()

    def show_indicator(self, code: str) -> None:
        """Show an indicator; its agenda item, if it has one, becomes the current one."""
        self.page.show_indicator(code)
        slot = next((a for a in self.facilitation.agenda() if a.indicator_code == code), None)
        if slot is not None and slot.id != self._current_slot:
            self._set_slot(slot.id)
        self._load_parking()

    def go_relative(self, step: int) -> None:
        codes = [i.code for i in self.service.framework().indicators]
        current = self.page.code
        pos = codes.index(current) + step if current in codes else 0
        if 0 <= pos < len(codes):
            self.show_indicator(codes[pos])

    def zoom(self, step: int) -> None:
        """Ctrl+plus, Ctrl+minus, Ctrl+0 (back to the mode's large text)."""
        from carequal_desktop.services.facilitation import DEFAULT_FACILITATION_ZOOM

        value = DEFAULT_FACILITATION_ZOOM if step == 0 else step_zoom(current_zoom(), step)
        apply_zoom(value)
        self._call(self.facilitation.set_zoom, value, facilitating=True)

    def toggle_panel(self) -> None:
        visible = not self.panel_scroll.isVisible()
        self.panel_scroll.setVisible(visible)
        self.panel_button.setText("Hide &panel" if visible else "Show &panel")
        self._show_timer()

    def focus_parking(self) -> None:
        if not self.panel_scroll.isVisible():
            self.toggle_panel()
        self.tabs.setCurrentIndex(1)
        self.point_edit.setFocus()

    # ---------------------------------------------------------------- agenda

    def _load_agenda(self) -> None:
        self.agenda_list.clear()
        for a in self.facilitation.agenda():
            spent = self._spent.get(a.id, a.spent_seconds)
            text, over = timer_text(a, spent)
            marker = "▶ " if a.id == self._current_slot else ""
            item = QListWidgetItem(f"{marker}{a.title} — {text}")
            item.setData(_ID_ROLE, a.id)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{'Current: ' if marker else ''}{a.title}, {text}",
            )
            self.agenda_list.addItem(item)
            if a.id == self._current_slot:
                self.agenda_list.setCurrentItem(item)
        self._show_timer()

    def _slot(self) -> AgendaItem | None:
        return next((a for a in self.facilitation.agenda() if a.id == self._current_slot), None)

    def _set_slot(self, slot_id: str | None) -> None:
        self._save_time()
        self._current_slot = slot_id
        self._load_agenda()

    def _slot_activated(self, item: QListWidgetItem) -> None:
        slot_id = item.data(_ID_ROLE)
        self._set_slot(slot_id)
        slot = self._slot()
        if slot is not None and slot.indicator_code:
            self.show_indicator(slot.indicator_code)

    def add_slot(self) -> None:
        title = self.slot_title.text().strip()
        if not title:
            return
        if self._call(self.facilitation.add_agenda_item, title, minutes=self.slot_minutes.value()):
            self.slot_title.clear()
            self._load_agenda()

    def agenda_from_indicators(self) -> None:
        if self._call(self.facilitation.agenda_from_indicators, self.slot_minutes.value()):
            self.show_indicator(self.page.code or "")

    def remove_slot(self) -> None:
        item = self.agenda_list.currentItem()
        if item is None:
            return
        slot_id = item.data(_ID_ROLE)
        if slot_id == self._current_slot:
            self._running = False
            self._tick_timer.stop()
            self._current_slot = None
        self._call(self.facilitation.delete_agenda_item, slot_id)
        self._load_agenda()

    def toggle_timer(self) -> None:
        if self._current_slot is None:
            item = self.agenda_list.currentItem()
            if item is None:
                self.timer_label.setText("Choose an agenda item first")
                return
            self._set_slot(item.data(_ID_ROLE))
        self._running = not self._running
        if self._running:
            self._tick_timer.start()
        else:
            self._tick_timer.stop()
            self._save_time()
        self._show_timer()

    def _tick(self) -> None:
        slot = self._slot()
        if slot is None:
            self._tick_timer.stop()
            self._running = False
            return
        self._spent[slot.id] = self._spent.get(slot.id, slot.spent_seconds) + 1
        self._ticks += 1
        if self._ticks % SAVE_TIMER_EVERY == 0:
            self._save_time()
        self._show_timer()

    def _save_time(self) -> None:
        if self._current_slot is not None and self._current_slot in self._spent:
            self._call(
                self.facilitation.record_time, self._current_slot, self._spent[self._current_slot]
            )

    def _show_timer(self) -> None:
        slot = self._slot()
        self.start_button.setText("Pause &timer" if self._running else "Start &timer")
        if slot is None:
            self.slot_label.setText(
                "No agenda item chosen: Show panel › Agenda (one per indicator, or your own)."
                if not self.panel_scroll.isVisible()
                else "No agenda item chosen: pick one in the Agenda tab."
            )
            self.timer_label.setText("Timer stopped")
            self.timer_label.setPalette(self.palette())
            return
        spent = self._spent.get(slot.id, slot.spent_seconds)
        text, over = timer_text(slot, spent)
        self.slot_label.setText(f"Agenda: {slot.title}")
        state = "" if self._running else " (paused)"
        self.timer_label.setText(f"{'⚠ ' if over else ''}{text}{state}")
        self.timer_label.setAccessibleDescription(
            "Over the time planned" if over else "Within the time planned"
        )
        # Gently: a highlighted panel and the words "Over time", never a sound or a box.
        palette = QPalette(self.palette())
        if over:  # the warning red, readable on this palette, beside the words "Over time"
            palette.setColor(QPalette.ColorRole.WindowText, warning_colour(palette))
        self.timer_label.setPalette(palette)
        font = self.timer_label.font()
        font.setBold(over)
        self.timer_label.setFont(font)

    # ----------------------------------------------------------- parking lot

    def _load_parking(self) -> None:
        current = self.parking_list.currentItem()
        keep = current.data(_ID_ROLE) if current is not None else None
        self.parking_list.clear()
        here = self.page.code
        items = self.facilitation.parking_lot()
        count = sum(1 for p in items if not p.becomes)
        for p in items:
            text = parked_text(p)
            if p.becomes == "indicator" and p.target == here:
                text = f"For this indicator — {text}"
            item = QListWidgetItem(text)
            item.setData(_ID_ROLE, p.id)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.parking_list.addItem(item)
            if p.id == keep:
                self.parking_list.setCurrentItem(item)
        self.tabs.setTabText(1, f"Parking l&ot ({count})")

    def park(self) -> None:
        text = self.point_edit.text().strip()
        if not text:
            return
        who = self.raised_by.currentText().strip()
        if self._call(self.facilitation.park, text, raised_by=who, raised_at=self.page.code):
            self.point_edit.clear()
            self._load_parking()

    def capture_note(self) -> None:
        text = self.note_edit.text().strip()
        if not text:
            return
        if self._call(self.facilitation.park, text, raised_at=self.page.code, kind=NOTE):
            self.note_edit.clear()
            self._load_parking()

    def _sort(self, becomes: str) -> None:
        item = self.parking_list.currentItem()
        if item is None:
            messages.show_error(self, "Select a point in the parking lot first.")
            return
        item_id = item.data(_ID_ROLE)
        f = self.facilitation
        if becomes == "action":
            ok = self._call(f.make_action, item_id, self.page.code)
        elif becomes == "evidence":
            ok = self._call(f.make_evidence_to_find, item_id, self.page.code)
        elif becomes == "indicator":
            ok = self._call(f.move_to_indicator, item_id, self.move_combo.currentData())
        else:
            ok = self._call(f.mark_done, item_id)
        if ok:
            self._load_parking()
            self.page.refresh()

    # ------------------------------------------------------------------ misc

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            fn(*args, **kwargs)
        except UserError as exc:
            messages.show_error(self, str(exc))
            return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        self._tick_timer.stop()
        self._save_time()
        self.page.flush()
        apply_zoom(self._normal_zoom)
        event.accept()
        self.left.emit()
