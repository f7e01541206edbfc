"""Where per-user data lives: settings, recent files, logs, backups, recovered typing, the demo copy.

Always the per-user application data folder (platformdirs), never the install folder, so
an installed copy works without administrator rights. ``CAREQUAL_DATA_DIR`` moves it
(tests and portable use).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from carequal_desktop import APP_ID


def data_dir() -> Path:
    override = os.environ.get("CAREQUAL_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=False))
    if not path.is_dir():
        _private_dir(path)  # never change the mode of a folder someone else made
    return path


def _private_dir(path: Path) -> None:
    """Make ``path`` if needed; on POSIX only its owner may list or enter it."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        # Not ours to change (a shared folder): the files inside are still owner-only.
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)


def _sub(name: str) -> Path:
    path = data_dir() / name
    _private_dir(path)
    return path


def logs_dir() -> Path:
    return _sub("logs")


def backups_dir() -> Path:
    return _sub("backups")


def demo_dir() -> Path:
    return _sub("demo")


def recovery_dir() -> Path:
    """Typing that could not be saved yet, one file per workshop (see services/recovery.py)."""
    return _sub("recovery")


def cache_dir() -> Path:
    """Copies CareQual can make again (a server workshop's mirror, services/offline.py)."""
    return _sub("cache")


def matplotlib_dir() -> Path:
    """matplotlib's configuration and font list for the frozen app (reports/chart_images.py)."""
    return _sub("matplotlib")


def settings_file() -> Path:
    return data_dir() / "settings.json"
