"""Errors a user can act on. Each carries one clear sentence for the window or stderr.

Anything that is not a ``UserError`` is a bug: it is logged with its traceback and the
user is told where the log is.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can understand and act on; ``str()`` is the sentence to show."""


class NotAWorkshopError(UserError):
    pass


class DamagedWorkshopError(UserError):
    pass


class NewerVersionError(UserError):
    pass


class ReadOnlyError(UserError):
    pass


class WorkshopLockedError(UserError):
    """The file is open in another copy of CareQual; ``owner`` says who, where and since when."""

    def __init__(self, message: str, owner: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.owner = owner or {}


class StorageError(UserError):
    """Writing failed: disk full, stick pulled, file locked by another program."""


class InvalidExchangeError(UserError):
    """An exchange document was refused; ``path`` is the JSON path, ``reason`` why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TargetExistsError(UserError):
    pass


class EditCollisionError(UserError):
    """Someone else saved a different text in the same field since this edit began.

    Nothing was overwritten: ``field`` names the place, ``base`` is the text the edit
    started from, ``mine`` the edit, ``theirs`` what is saved now; ``table`` and ``key`` say
    which record (as the merge knows it). ``services.collisions.record_collision`` turns it
    into a conflict decided on the Merge page, like a conflict from a merged copy.
    """

    def __init__(
        self,
        place: str,
        field: str,
        base: str,
        mine: str,
        theirs: str,
        *,
        table: str = "",
        key: str = "",
    ) -> None:
        super().__init__(
            f"Someone else changed {place} while you were typing, so your text was not saved "
            "over theirs; both versions are kept for you to decide on the Merge page."
        )
        self.place = place
        self.field = field
        self.base = base
        self.mine = mine
        self.theirs = theirs
        self.table = table
        self.key = key
