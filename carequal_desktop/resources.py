"""One resolver for bundled files that works from a checkout, an installed package and a frozen build.

The PyInstaller spec copies ``resources/`` to ``<bundle>/resources``; a checkout or an
editable install finds it beside the package.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder that holds frameworks, the demo workshop, icons and the exchange schema."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``resource_path("frameworks", "qf2019.json")``."""
    return resources_dir().joinpath(*parts)
