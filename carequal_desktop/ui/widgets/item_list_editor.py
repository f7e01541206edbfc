"""An editable list of one-line items (strengths, areas for improvement).

The widget only shows and asks: it emits what the user wants done, and the page that owns
it calls the service and hands the list back with ``set_items``. Nothing typed is held only
here: the line being typed is reported as it changes (``draft_changed``), and a line being
changed with F2 is handed over before the list is reloaded (``commit_editing``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from carequal_desktop.ui.widgets.responsive import compact_button

_ID_ROLE = Qt.ItemDataRole.UserRole


class _LineDelegate(QStyledItemDelegate):
    """The F2 editor, reporting its text as it is typed so a crash cannot take it."""

    text_edited = Signal(str, str)  # id, text so far

    def createEditor(  # noqa: N802 (Qt name)
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        item_id = index.data(_ID_ROLE)
        if isinstance(editor, QLineEdit) and item_id:
            editor.textEdited.connect(lambda text: self.text_edited.emit(item_id, text))
        return editor


class ItemListEditor(QWidget):
    """A heading, a line to type a new item, the list, and edit/delete/move buttons."""

    add_requested = Signal(str)  # text
    edit_requested = Signal(str, str)  # id, new text
    delete_requested = Signal(str)  # id
    reorder_requested = Signal(list)  # ids in the new order
    draft_changed = Signal(str)  # the line being typed changed (not yet added)
    editing_text = Signal(str, str)  # id, text typed so far in a line being changed (F2)
    editing_finished = Signal(str)  # id: the F2 editor closed (saved or given up)

    def __init__(self, heading: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heading = heading
        self._loading = False
        self._read_only = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.heading_label = QLabel(heading)
        font = self.heading_label.font()
        font.setBold(True)
        self.heading_label.setFont(font)
        layout.addWidget(self.heading_label)

        add_row = QHBoxLayout()
        self.new_line = QLineEdit()
        self.new_line.setPlaceholderText(placeholder)
        self.new_line.setAccessibleName(f"New item for {heading.lower()}")
        self.new_line.setClearButtonEnabled(True)
        self.new_line.returnPressed.connect(self._add)
        self.new_line.textEdited.connect(self.draft_changed)
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName(f"Add to {heading.lower()}")
        self.add_button.setToolTip("Add the line typed on the left (Enter)")
        self.add_button.clicked.connect(self._add)
        add_row.addWidget(self.new_line, 1)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)
        self.heading_label.setBuddy(self.new_line)

        self.list = QListWidget()
        self.list.setAccessibleName(heading)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self._fit_height()
        self.list.itemChanged.connect(self._item_changed)
        self._delegate = _LineDelegate(self.list)
        self._delegate.text_edited.connect(self.editing_text)
        self._delegate.closeEditor.connect(self._editor_closed)
        self.list.setItemDelegate(self._delegate)
        self.list.currentRowChanged.connect(self._update_buttons)
        layout.addWidget(self.list, 1)

        buttons = QHBoxLayout()
        self.edit_button = QPushButton("Edit")
        self.edit_button.setToolTip("Change the selected line (F2 or double-click)")
        self.edit_button.setAccessibleName(f"Edit the selected line in {heading.lower()}")
        self.edit_button.clicked.connect(self._edit)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected line (Delete)")
        self.delete_button.setAccessibleName(f"Delete the selected line from {heading.lower()}")
        self.delete_button.clicked.connect(self._delete)
        self.up_button = QPushButton("Up")
        self.up_button.setToolTip("Move the selected line up (Ctrl+Up)")
        self.up_button.setAccessibleName(f"Move the selected line up in {heading.lower()}")
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = QPushButton("Down")
        self.down_button.setToolTip("Move the selected line down (Ctrl+Down)")
        self.down_button.setAccessibleName(f"Move the selected line down in {heading.lower()}")
        self.down_button.clicked.connect(lambda: self._move(1))
        for button in (self.edit_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(compact_button(button))
        buttons.addStretch(1)
        layout.addLayout(buttons)

        for keys, slot in (
            ("Ctrl+Up", lambda: self._move(-1)),
            ("Ctrl+Down", lambda: self._move(1)),
            (QKeySequence.StandardKey.Delete, self._delete),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self._update_buttons()

    def _fit_height(self) -> None:
        line = self.fontMetrics().lineSpacing()
        self.list.setMinimumHeight(line * 5 + 8)
        self.list.setMaximumHeight(line * 9 + 8)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text zoom
            self._fit_height()

    # ------------------------------------------------------------------ data

    def set_items(self, items: list[tuple[str, str]], select_id: str | None = None) -> None:
        """Show ``(id, text)`` pairs, keeping the selection on ``select_id`` if given."""
        self.commit_editing()
        self._loading = True
        try:
            current = select_id or self.current_id()
            self.list.clear()
            flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
            if not self._read_only:
                flags |= Qt.ItemFlag.ItemIsEditable
            for item_id, text in items:
                item = QListWidgetItem(text)
                item.setData(_ID_ROLE, item_id)
                item.setFlags(flags)
                self.list.addItem(item)
                if item_id == current:
                    self.list.setCurrentItem(item)
        finally:
            self._loading = False
        self._update_buttons()

    def commit_editing(self) -> None:
        """A line being changed (F2) is handed over now, as if Enter had been pressed."""
        editor = self.list.indexWidget(self.list.currentIndex())
        if editor is None or self._loading:
            return
        delegate = self.list.itemDelegate()
        delegate.commitData.emit(editor)
        delegate.closeEditor.emit(editor, delegate.EndEditHint.NoHint)

    def set_draft(self, text: str) -> None:
        """Show a line typed earlier and not yet added (or none)."""
        if self.new_line.text() != text:
            self.new_line.setText(text)

    def ids(self) -> list[str]:
        return [self.list.item(i).data(_ID_ROLE) for i in range(self.list.count())]

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(_ID_ROLE)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.new_line.setEnabled(not read_only)
        self.add_button.setEnabled(not read_only)
        self._update_buttons()

    # --------------------------------------------------------------- actions

    def _add(self) -> None:
        text = self.new_line.text().strip()
        if not text or self._read_only:
            return
        self.new_line.clear()
        self.draft_changed.emit("")
        self.add_requested.emit(text)

    def _edit(self) -> None:
        item = self.list.currentItem()
        if item is not None and not self._read_only:
            self.list.editItem(item)

    def _delete(self) -> None:
        item_id = self.current_id()
        if item_id is not None and not self._read_only:
            self.delete_requested.emit(item_id)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if self._read_only or row < 0 or not 0 <= target < self.list.count():
            return
        ids = self.ids()
        ids[row], ids[target] = ids[target], ids[row]
        self.reorder_requested.emit(ids)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        self.edit_requested.emit(item.data(_ID_ROLE), item.text())

    def _editor_closed(self, _editor: QWidget, _hint: object = None) -> None:
        item_id = self.current_id()
        if item_id is not None:
            self.editing_finished.emit(item_id)

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        has = row >= 0 and not self._read_only
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < self.list.count() - 1)
