"""Allows ``python -m carequal_desktop``."""

from carequal_desktop.cli import main

raise SystemExit(main())
