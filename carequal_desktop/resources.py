"""One resolver for bundled files that works from a checkout, an installed package and a frozen build.

The files live in the top-level ``resources/`` folder of the repository. Each way of running
the app puts that folder somewhere else:

- a frozen build: the PyInstaller spec copies it to ``<bundle>/resources`` (``sys._MEIPASS``);
- an installed wheel: pyproject.toml maps it into the package as ``carequal_desktop/_resources``;
- a checkout or an editable install: it is beside the package, ``<repo>/resources``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    """Where the resources folder may be, the most specific first."""
    found: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / "resources")
    found.append(_PACKAGE / "_resources")  # installed from the wheel
    found.append(_PACKAGE.parent / "resources")  # a checkout
    return found


def resources_dir() -> Path:
    """The folder that holds frameworks, the demo workshop, icons and the exchange schema."""
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / "exchange").is_dir():
            return candidate
    # Not found: a broken installation. The first place is the one a message should name.
    return candidates[0]


def resource_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``resource_path("frameworks", "qf2019.json")``."""
    return resources_dir().joinpath(*parts)
