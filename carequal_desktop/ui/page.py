"""What every page of an open workshop offers the window, so the window never guesses.

``WorkshopPage`` is the one contract between ``MainWindow`` and its pages (overview, team,
evidence, plan, statement, readiness, indicator): ``title``; a page shows the file as it is
when it is made, and ``refresh()`` reads it again; ``commit_edits()``; ``flush() -> bool``
to save what is typed (``False`` if it could not be, so the window keeps it);
``has_pending()``. Typing goes through the workshop's one ``Autosave``, shared by every
page the window makes; a page made on its own (a test) gets an ``Autosave`` of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from carequal_desktop.services.recovery import Edit
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.ui import messages
from carequal_desktop.ui.autosave import Autosave
from carequal_desktop.ui.undo import WorkshopUndo

if TYPE_CHECKING:
    from carequal_desktop.services.merge import ConflictInfo


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
        self._bases: dict[str, str] = {}  # field key -> its text in the file, as last read
        if autosave is None:
            autosave = Autosave(service, self)
            autosave.collided.connect(self._collided)
        self.autosave = autosave
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

    def box_left(self) -> None:
        """A box lost the focus: save its typing, never waiting on a server's network."""
        self.autosave.save_soon()

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
        """Some typing reached the file (any page's: each page picks what concerns it)."""

    def _saved_edits(self, edits: list[Edit]) -> None:
        for edit in edits:
            self._bases[edit.key] = edit.text  # what the file holds now
        self.edits_saved(edits)

    def base(self, key: str, file_text: str | None = None) -> str | None:
        """The text a field held in the file: ``file_text`` (just read) is remembered."""
        if file_text is not None:
            self._bases[key] = file_text
        return self._bases.get(key)

    def _collided(self, edit: Edit, conflict: ConflictInfo) -> None:
        """A page on its own (the window has its own notice): the colleague's text on
        screen, and one sentence saying where the typing went."""
        self.refresh()
        self.notice.emit(collision_notice(edit, conflict))

    def _rejected_edit(self, edit: Edit, message: str) -> None:
        if self.owns(edit):
            messages.show_error(self, message)
            self.refresh()


def collision_notice(edit: Edit, conflict: ConflictInfo) -> str:
    """The one sentence shown when typing collided with a colleague's save."""
    where = edit.label or f"{conflict.record}: {conflict.field_label}"
    return (
        f"Someone else saved “{where}” while you were typing. Their text is in the field; "
        "yours is kept as a conflict to decide on the Merge page."
    )
