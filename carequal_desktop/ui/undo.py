"""Undo and redo of structural edits (a strength deleted, evidence unlinked) within a session.

One ``WorkshopUndo`` (a ``QUndoStack``) per open workshop. Each command does its work through
the service, so the file always holds what is on screen: ``run`` does the edit once and, if it
was saved, puts it on the stack; Ctrl+Z calls the service again to put things back. Typing in a
box has its own undo (the box's); this stack is for what typing cannot bring back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from carequal_desktop.domain.text import shorten
from carequal_desktop.errors import UserError
from carequal_desktop.services.workshop import WorkshopService

ITEM_NAMES = {"strength": "strength", "area_for_improvement": "area for improvement"}


class ServiceCommand(QUndoCommand):
    """A structural edit that the service does, undoes and redoes."""

    def __init__(self, stack: WorkshopUndo, text: str, code: str) -> None:
        super().__init__(text)
        self.stack = stack
        self.service = stack.service
        self.code = code  # the indicator whose page shows the change
        self._skip_redo = False

    # Subclasses: do() the edit the first time and again on redo; undo_it() reverses it.
    def do(self) -> None:
        raise NotImplementedError

    def undo_it(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False  # ``run`` already did it, before pushing
            return
        self._guarded(self.do, "Redone")

    def undo(self) -> None:
        self._guarded(self.undo_it, "Undone")

    def _guarded(self, step: Callable[[], None], verb: str) -> None:
        try:
            step()
        except UserError as exc:
            # The file could not take it (or the thing is gone): say so and drop the step.
            self.setObsolete(True)
            self.stack.failed.emit(str(exc))
            return
        self.stack.changed.emit(self.code)
        self.stack.message.emit(f"{verb}: {self.text()}.")


class DeleteItem(ServiceCommand):
    """Delete a strength or an area for improvement; undo puts it back where it was."""

    def __init__(self, stack: WorkshopUndo, code: str, kind: str, item_id: str) -> None:
        items = _items(stack.service, code, kind)
        ids = [i.id for i in items]
        self.kind = kind
        self.item_id = item_id
        self.position = ids.index(item_id) if item_id in ids else len(ids)
        self.item_text = items[self.position].text if item_id in ids else ""
        name = ITEM_NAMES.get(kind, kind)
        super().__init__(stack, f"delete {name} “{shorten(self.item_text, 40)}”", code)

    def do(self) -> None:
        self.service.delete_item(self.item_id)

    def undo_it(self) -> None:
        added = self.service.add_item(self.code, self.kind, self.item_text)
        ids = [i.id for i in _items(self.service, self.code, self.kind) if i.id != added.id]
        ids.insert(min(self.position, len(ids)), added.id)
        self.service.reorder_items(self.code, self.kind, ids)
        self.item_id = added.id


class AddItem(ServiceCommand):
    """Add a strength or an area for improvement at the end of its list."""

    def __init__(self, stack: WorkshopUndo, code: str, kind: str, text: str) -> None:
        self.kind = kind
        self.item_text = text
        self.item_id = ""
        name = ITEM_NAMES.get(kind, kind)
        super().__init__(stack, f"add {name} “{shorten(text, 40)}”", code)

    def do(self) -> None:
        self.item_id = self.service.add_item(self.code, self.kind, self.item_text).id

    def undo_it(self) -> None:
        self.service.delete_item(self.item_id)


class Unlink(ServiceCommand):
    """Stop citing evidence (``what="evidence"``) or an action (``"action"``) for an indicator."""

    def __init__(self, stack: WorkshopUndo, what: str, record_id: str, code: str, ref: str) -> None:
        self.what = what
        self.record_id = record_id
        super().__init__(stack, f"unlink {what} {ref} from {code}", code)

    def do(self) -> None:
        if self.what == "evidence":
            self.service.unlink_evidence(self.record_id, self.code)
        else:
            self.service.unlink_action(self.record_id, self.code)

    def undo_it(self) -> None:
        if self.what == "evidence":
            self.service.link_evidence(self.record_id, self.code)
        else:
            self.service.link_action(self.record_id, self.code)


class WorkshopUndo(QUndoStack):
    """The undoable edits of one open workshop, in this session."""

    changed = Signal(str)  # an undo or redo changed this indicator: show it again
    failed = Signal(str)  # an undo or redo could not be saved: one sentence
    message = Signal(str)  # what an undo or redo did, for the status bar

    def __init__(self, service: WorkshopService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service

    def run(self, command: ServiceCommand) -> None:
        """Do ``command`` now (raises ``UserError`` if it could not be saved), then keep it."""
        command.do()
        command._skip_redo = True
        self.push(command)  # push calls redo(), which skips the work already done


def _items(service: WorkshopService, code: str, kind: str) -> list[Any]:
    ev = service.evaluation(code)
    return list(ev.strengths if kind == "strength" else ev.areas_for_improvement)
