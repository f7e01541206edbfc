"""The window's menus, built in one place.

``build_menus(window)`` makes File, Edit, Go, View, Insert and Help from the window's slots;
features and pages add their own entries through the returned ``MenuBar`` (``add``, or
``menu("view", "&View")`` for a menu of their own, placed before Help), so every shortcut
and every "needs an open workshop" rule is visible here and enabled in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMenu

from carequal_desktop import APP_NAME

if TYPE_CHECKING:
    from carequal_desktop.ui.main_window import MainWindow


class MenuBar:
    """The window's menus by key, and the rules for when their actions are enabled."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.bar = window.menuBar()
        self.menus: dict[str, QMenu] = {}
        self.workshop_actions: list[QAction] = []  # need an open workshop
        self.writable_actions: list[QAction] = []  # need one that can be changed

    def menu(self, key: str, title: str | None = None) -> QMenu:
        """The menu called ``key``; a new one (``title``) goes before Help."""
        if key in self.menus:
            return self.menus[key]
        menu = QMenu(title or key.capitalize(), self.bar)
        help_menu = self.menus.get("help")
        if help_menu is not None:
            self.bar.insertMenu(help_menu.menuAction(), menu)
        else:
            self.bar.addMenu(menu)
        self.menus[key] = menu
        return menu

    def add(
        self,
        menu: str | QMenu,
        text: str,
        slot: Callable[[], Any],
        shortcuts: tuple[str, ...] = (),
        *,
        workshop: bool = False,
        writes: bool = False,
        name: str = "",
        before: QAction | None = None,
    ) -> QAction:
        """An action in ``menu`` (a key or the menu itself) that calls ``slot``.

        ``workshop``: enabled only with a workshop open; ``writes``: only if it can be changed.
        """
        target = self.menu(menu) if isinstance(menu, str) else menu
        action = QAction(text, self.window)
        if name:
            action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(lambda _checked=False: slot())
        if before is not None:
            target.insertAction(before, action)
        else:
            target.addAction(action)
        if workshop:
            self.workshop_actions.append(action)
        if writes:
            self.writable_actions.append(action)
        return action

    def update_enabled(self, has_workshop: bool, writable: bool) -> None:
        for action in self.workshop_actions:
            action.setEnabled(has_workshop)
        for action in self.writable_actions:
            action.setEnabled(has_workshop and writable)


def build_menus(window: MainWindow) -> MenuBar:
    """File, Edit, Go, View, Insert and Help, with every shortcut the window has.

    Mnemonics are unique within each menu (and across the bar).
    """
    from carequal_desktop.ui.dialogs.export_menu import install_export_actions
    from carequal_desktop.ui.dialogs.restore_dialog import install_restore_action
    from carequal_desktop.ui.main_window import _GO_MNEMONICS, PAGES
    from carequal_desktop.ui.merge_page import install_merge_action

    menus = MenuBar(window)
    w = window
    w.menus = menus  # features installed below add through it

    file_menu = menus.menu("file", "&File")
    menus.add(file_menu, "&New workshop…", w.new_workshop, ("Ctrl+N",))
    menus.add(file_menu, "&Open…", w.open_workshop, ("Ctrl+O",))
    w._recent_menu = file_menu.addMenu("Open &recent")
    w._recent_menu.aboutToShow.connect(w._fill_recent_menu)
    menus.add(file_menu, "Open the &demo workshop", w.open_demo)
    menus.add(file_menu, "Open from &server…", w.open_from_server)
    w.next_cycle_action = menus.add(
        file_menu, "S&tart the next self-evaluation…", w.start_next_cycle, workshop=True
    )
    file_menu.addSeparator()
    w.save_copy_action = menus.add(
        file_menu, "Save a &copy as…", w.save_copy_as, ("Ctrl+Shift+S",), workshop=True
    )
    file_menu.addSeparator()
    menus.add(file_menu, "&Import exchange JSON…", w.import_exchange_json)
    w.export_json_action = menus.add(
        file_menu, "E&xport exchange JSON…", w.export_exchange_json, workshop=True
    )
    w._file_menu_end = file_menu.addSeparator()
    menus.add(file_menu, "Close &workshop", w.close_workshop, ("Ctrl+W",), workshop=True)
    menus.add(file_menu, "&Quit", w.close, ("Ctrl+Q",))

    # One undo group for the window; each open workshop's stack becomes its active stack.
    # Ctrl+Z in a text box stays the box's own undo (Qt gives a focused editor the key first).
    edit_menu = menus.menu("edit", "&Edit")
    w.undo_group = QUndoGroup(w)
    w.undo_action = w.undo_group.createUndoAction(w, "&Undo")
    w.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
    w.redo_action = w.undo_group.createRedoAction(w, "&Redo")
    w.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    edit_menu.addAction(w.undo_action)
    edit_menu.addAction(w.redo_action)

    go = menus.menu("go", "&Go")
    w._go_actions = {}
    for key, label, shortcut in PAGES:
        w._go_actions[key] = menus.add(
            go,
            _GO_MNEMONICS.get(key, label),
            lambda k=key: w.show_page(k),
            (shortcut,),
            workshop=True,
        )
    go.addSeparator()
    w.prev_action = menus.add(
        go,
        "&Previous indicator",
        lambda: w.go_relative_indicator(-1),
        ("Ctrl+PgUp", "Alt+Left"),
        workshop=True,
    )
    w.next_action = menus.add(
        go,
        "&Next indicator",
        lambda: w.go_relative_indicator(1),
        ("Ctrl+PgDown", "Alt+Right"),
        workshop=True,
    )
    go.addSeparator()
    menus.add(go, "Switch between the &list and the page", w.switch_focus, ("F6",), workshop=True)
    w.grade_change_action = menus.add(
        go, "Previous and current &grades…", w.show_grade_change, workshop=True
    )

    view = menus.menu("view", "&View")
    w.facilitate_action = menus.add(
        view, "&Facilitate (full screen)", w.facilitate, ("F5",), workshop=True
    )
    view.addSeparator()
    menus.add(view, "&Larger text", lambda: w.zoom_text(1), ("Ctrl++", "Ctrl+="))
    menus.add(view, "&Smaller text", lambda: w.zoom_text(-1), ("Ctrl+-",))
    menus.add(view, "&Normal text size", lambda: w.zoom_text(0), ("Ctrl+0",))

    insert = menus.menu("insert", "&Insert")
    w.new_evidence_action = menus.add(
        insert, "New &evidence…", w.new_evidence, ("Ctrl+E",), workshop=True, writes=True
    )
    w.new_action_action = menus.add(
        insert, "New &action…", w.new_action, ("Ctrl+Shift+N",), workshop=True, writes=True
    )

    help_menu = menus.menu("help", "&Help")
    menus.add(help_menu, "&Keyboard shortcuts", w.show_shortcuts, ("F1",))
    menus.add(help_menu, f"&About {APP_NAME}", w.show_about)

    w._file_menu = file_menu
    install_export_actions(w)
    install_merge_action(w)  # File › Merge in a copy… (issue 11)
    restore = install_restore_action(w)
    # Beside "Save a copy as…", not after Quit.
    file_menu.removeAction(restore)
    actions = file_menu.actions()
    file_menu.insertAction(actions[actions.index(w.save_copy_action) + 1], restore)
    return menus
