"""What every page of an open workshop offers the window, so the window never guesses.

``WorkshopPage`` is the one contract between ``MainWindow`` and its pages (overview, team,
evidence, plan, indicator): ``title``; a page shows the file as it is when it is made, and
``refresh()`` reads it again; ``commit_edits()``; ``flush() -> bool`` to save what is typed (``False`` if it could not be, so the window keeps
it), ``has_pending()``. Typing goes through the workshop's one ``Autosave``, shared by every
page the window makes; a page made on its own (a test) gets an ``Autosave`` of its own.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.undo import WorkshopUndo


class WorkshopPage(QWidget):
    """A page of an open workshop."""

    title = ""  # what the sidebar and screen readers call the page
    notice = Signal(str)  # a sentence for the status bar ("Deleted … Ctrl+Z brings it back.")

    def __init__(
        self,
        service: WorkshopService,
        parent: QWidget | None = None,
        autosave: Autosave | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.autosave = autosave if autosave is not None else Autosave(service, self)
        self.autosave.saved.connect(self._saved_edits)
        self.autosave.rejected.connect(self._rejected_edit)
        self._undo: WorkshopUndo | None = None
        if self.title:
            self.setAccessibleName(self.title)

    # --------------------------------------------------------------- contract

    def refresh(self) -> None:
        """Read again what the page shows; typing not yet saved stays on screen."""

    def commit_edits(self) -> None:
        """Hand anything a widget still holds (an open line editor) to the autosave."""

    def flush(self) -> bool:
        """The user is leaving: save everything typed here; ``False`` if it could not be."""
        self.commit_edits()
        return self.autosave.flush()

    def save_typing(self) -> bool:
        """Save the typing now, leaving lines typed but not yet added where they are."""
        return self.autosave.flush(drafts=False)

    def has_pending(self) -> bool:
        """Is there typing that is not in the file yet?"""
        return self.autosave.has_pending()

    def has_pending_edits(self) -> bool:
        return self.has_pending()

    @property
    def undo_stack(self) -> WorkshopUndo:
        """The workshop's undo stack (the window's; a page on its own makes its own)."""
        if self._undo is None:
            self._undo = WorkshopUndo(self.service, self)
            self._undo.changed.connect(lambda _code: self.refresh())
            self._undo.failed.connect(lambda text: messages.show_error(self, text))
        return self._undo

    def use_undo_stack(self, stack: WorkshopUndo) -> None:
        """Share the window's undo stack (done once, as the page is made)."""
        self._undo = stack

    # ------------------------------------------------------------ for pages

    def owns(self, edit: Edit) -> bool:
        """Does ``edit`` come from this page (so it explains a refusal)?"""
        return False

    def edits_saved(self, edits: list[Edit]) -> None:
        """Some of this page's typing reached the file."""

    def _saved_edits(self, edits: list[Edit]) -> None:
        mine = [e for e in edits if self.owns(e)]
        if mine:
            self.edits_saved(mine)

    def _rejected_edit(self, edit: Edit, message: str) -> None:
        if self.owns(edit):
            messages.show_error(self, message)
            self.refresh()
