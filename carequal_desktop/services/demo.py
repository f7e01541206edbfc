"""The bundled demo workshop: built once from ``resources/demo/demo-workshop.json``.

The built copy lives in the user's data folder, in a folder named after the bundled
file's hash, so a new release's demo replaces the old one while edits to the current demo
are kept between runs; the old one, edits included, is kept as a backup of the new demo.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from carequal_desktop.errors import UserError
from carequal_desktop.paths import demo_dir
from carequal_desktop.resources import resource_path
from carequal_desktop.services import backups
from carequal_desktop.services.exchange import import_document

DEMO_FILE_NAME = "Demo workshop.carequal"


def demo_source() -> Path:
    return resource_path("demo", "demo-workshop.json")


def demo_path() -> Path:
    """The demo workshop file, built from the bundled JSON if needed."""
    raw = demo_source().read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:12]
    folder = demo_dir() / digest
    target = folder / DEMO_FILE_NAME
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    import_document(json.loads(raw.decode("utf-8")), target)
    for old in demo_dir().iterdir():
        if old.is_dir() and old.name != digest:
            _keep_earlier_demo(old / DEMO_FILE_NAME, target)
    return target


def _keep_earlier_demo(old: Path, new: Path) -> None:
    """Keep the earlier release's demo, edits included, as a backup of the new demo.

    File › Restore an earlier version on the demo lists it ("the demo as it was before a
    new version of CareQual replaced it"). Its folder is removed only once the copy is made.
    """
    try:
        if old.exists():
            backups.make_backup(old, "earlier-release", folder_of=new)
    except (OSError, sqlite3.Error, UserError):
        return  # leave the old folder as it is: nothing is deleted without a copy
    shutil.rmtree(old.parent, ignore_errors=True)
