"""Use cases: one transaction per call."""

# Registers the commit hook that records every edit's versions (see services/history.py),
# whichever module in this package performs the edit.
from carequal_desktop.services import history as _history  # noqa: F401
