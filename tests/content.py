"""What a person reads of a workshop, for tests that compare two copies of one."""

from __future__ import annotations

from typing import Any

from carequal_desktop.services.exchange import export_document


def without_times(value: Any) -> Any:
    """``value`` with every ``updated`` and ``exported`` time left out (each copy's own)."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in ("updated", "exported")}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def content(service: Any) -> dict[str, Any]:
    """The exchange document without edit times: what a person reads."""
    doc: dict[str, Any] = without_times(export_document(service))
    return doc
