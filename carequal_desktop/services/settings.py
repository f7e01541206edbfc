"""The user's settings: recent files and a few remembered choices, in settings.json."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from carequal_desktop.paths import settings_file

MAX_RECENT = 10


def load() -> dict[str, Any]:
    """The settings, or defaults if the file is missing or unreadable (never an error)."""
    try:
        data = json.loads(settings_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save(data: dict[str, Any]) -> None:
    """Write settings through a temporary file; a failure is ignored (settings are optional)."""
    from carequal_desktop.errors import UserError
    from carequal_desktop.services.files import write_bytes_atomically

    text = json.dumps(data, indent=2, ensure_ascii=False)
    # Owner only (recent files name workshops); never half-written; a failure is ignored.
    with contextlib.suppress(UserError, ValueError):
        write_bytes_atomically(settings_file(), text.encode("utf-8"), mode=0o600)


def recent_files() -> list[Path]:
    """Recently opened workshops that still exist, newest first."""
    items = load().get("recent", [])
    return [Path(p) for p in items if isinstance(p, str) and Path(p).exists()]


def add_recent(path: Path) -> None:
    data = load()
    resolved = str(Path(path).resolve())
    items = [p for p in data.get("recent", []) if p != resolved]
    data["recent"] = [resolved, *items][:MAX_RECENT]
    save(data)


def remove_recent(path: Path) -> None:
    data = load()
    resolved = str(Path(path).resolve())
    data["recent"] = [p for p in data.get("recent", []) if p != resolved]
    save(data)


def get(key: str, default: Any = None) -> Any:
    return load().get(key, default)


def put(key: str, value: Any) -> None:
    data = load()
    data[key] = value
    save(data)


MAX_RECENT_SERVERS = 8


def recent_servers() -> list[str]:
    """Server addresses used lately, newest first (never with a password)."""
    items = load().get("recent_servers", [])
    return [s for s in items if isinstance(s, str)]


def add_recent_server(address: str) -> None:
    """Remember a server address (the caller passes it without any password)."""
    data = load()
    items = [s for s in data.get("recent_servers", []) if s != address]
    data["recent_servers"] = [address, *items][:MAX_RECENT_SERVERS]
    save(data)
