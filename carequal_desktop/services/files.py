"""Writing a file safely (exports, exchange JSON): never half-written, never over a file open in Word or Excel.

The data goes to a temporary file in the target's folder and is moved into place in one step
(``os.replace``), so a failure leaves the old file, or nothing, and no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from carequal_desktop.errors import StorageError, TargetExistsError, UserError


def lock_file_for(target: Path) -> Path | None:
    """Office's owner file beside a document it has open ("~$name.docx"), if there is one.

    Word and Excel name it "~$" plus the file name, with the first one or two characters
    of a longer name dropped, so all three forms are looked for.
    """
    name = target.name
    for candidate in (f"~${name}", f"~${name[2:]}", f"~${name[1:]}"):
        path = target.with_name(candidate)
        if path.exists():
            return path
    return None


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse a target that exists (unless ``overwrite``), is read-only or is open in Office."""
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name.")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist.")
    if target.exists():
        if not overwrite:
            raise TargetExistsError(f"{target} already exists.")
        if not os.access(target, os.W_OK):
            raise StorageError(
                f"“{target.name}” is read-only, so it was not replaced. "
                "Choose another name, or make the file writable and try again."
            )
    if lock_file_for(target) is not None:
        raise StorageError(
            f"“{target.name}” is open in Word or Excel, so it cannot be replaced. "
            "Close it there and try again, or choose another name."
        )


def write_atomically(target: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder."""
    check_target(target, overwrite)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix="~carequal-", suffix=".tmp", dir=str(target.parent))
    except OSError as exc:
        raise StorageError(
            f"Nothing could be written in {target.parent} ({exc.strerror or exc}). "
            "Choose a folder you can write to."
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not overwrite and target.exists():
            raise TargetExistsError(f"{target} already exists.")
        os.replace(tmp_name, target)
    except PermissionError:
        Path(tmp_name).unlink(missing_ok=True)
        raise StorageError(
            f"“{target.name}” could not be replaced because another program is using it "
            "(perhaps it is open in Word or Excel). Close it and try again; nothing was changed."
        ) from None
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise StorageError(
            f"“{target.name}” could not be written ({exc.strerror or exc}). "
            "Check there is space and the folder is still there; nothing was changed."
        ) from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
