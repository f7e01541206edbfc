"""Remembering a server password the way PostgreSQL itself does: its password file.

CareQual never keeps passwords in its own settings. A password typed in the window is kept
in memory for the run (store/server.py ``remember_for_session``); when the user asks for it
to be remembered, it goes into PostgreSQL's own password file — the file every PostgreSQL
tool reads (``PGPASSFILE``, else ``%APPDATA%\\postgresql\\pgpass.conf`` on Windows and
``~/.pgpass`` elsewhere), readable by its owner only — and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

from carequal_desktop.services.files import write_atomically
from carequal_desktop.store.server import ServerLocation


def password_file() -> Path:
    """Where PostgreSQL looks for saved passwords for this user."""
    configured = os.environ.get("PGPASSFILE")
    if configured:
        return Path(configured)
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def remember_password(location: ServerLocation, password: str) -> Path:
    """Save the password for this host, port, database and user; replaces an older entry."""
    url = location.url
    fields = [
        url.host or "localhost",
        str(url.port or 5432),
        url.database or "*",
        url.username or "*",
    ]
    prefix = ":".join(_escape(f) for f in fields) + ":"
    target = password_file()
    try:
        lines = target.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    kept = [line for line in lines if not line.startswith(prefix)]
    kept.append(prefix + _escape(password))
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file is made owner-only (0600) and keeps that mode when it replaces
    # the old one; PostgreSQL ignores a password file others could read.
    write_atomically(target, ("\n".join(kept) + "\n").encode("utf-8"), overwrite=True)
    if os.name == "posix":
        os.chmod(target, 0o600)
    return target
