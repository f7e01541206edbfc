"""CareQual Desktop: run a multi-agency self-evaluation workshop offline and draft a position statement.

This module is the one place that holds the application's metadata: the package, the
PyInstaller spec and the Inno Setup script all read it from here.
"""

__version__ = "0.1.0"

APP_NAME = "CareQual Desktop"
APP_ID = "CareQual"  # folder name for per-user data; never change, data moves with it
ORGANISATION = "CareQual"
FILE_SUFFIX = ".carequal"
