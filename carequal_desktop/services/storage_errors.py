"""SQLite failures turned into the sentence a facilitator needs.

The classification is ``store/errors.py``'s (by SQLite's error code, never the English
message text); this name stays for the services that import it from here.
"""

from __future__ import annotations

from carequal_desktop.store.errors import storage_error

__all__ = ["storage_error"]
