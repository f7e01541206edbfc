"""The log file: events and tracebacks of bugs, never workshop text.

Messages name files and operations only; a bug's traceback is logged with the exception
type but its message is dropped, because messages can quote what the user typed.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

from carequal_desktop.paths import logs_dir

LOG_NAME = "carequal.log"
_handler: logging.Handler | None = None
_handler_path: Path | None = None


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens, including after a rollover, is readable only by its owner."""

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        if os.name == "posix":
            os.chmod(self.baseFilename, 0o600)
        return stream


def log_file() -> Path:
    return logs_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send the ``carequal`` logger to a rotating file readable only by its owner."""
    global _handler, _handler_path
    path = log_file()
    if _handler is not None and _handler_path == path:
        return path
    logger = logging.getLogger("carequal")
    if _handler is not None:  # the data folder moved (tests, portable use)
        logger.removeHandler(_handler)
        _handler.close()
    handler = _PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    if os.name == "posix":
        os.chmod(path, 0o600)
    _handler, _handler_path = handler, path
    return path


def log_bug(exc: BaseException) -> Path:
    """Log a bug with its traceback (frames and exception type, not its message)."""
    path = setup_logging()
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logging.getLogger("carequal").error("Unexpected %s\n%s", type(exc).__name__, frames)
    return path
