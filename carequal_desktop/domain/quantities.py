"""The standard words inspectors use for shares ("82% — most")."""

from __future__ import annotations

# (exclusive upper bound, word); from the joint inspection reports' standard terms.
_BANDS: tuple[tuple[float, str], ...] = (
    (15.0, "few"),
    (50.0, "less than half"),
    (75.0, "the majority"),
    (90.0, "most"),
    (100.0, "almost all"),
)


def quantity_word(share_percent: float) -> str:
    """Return the standard quantity word for a share between 0 and 100."""
    if share_percent != share_percent or share_percent < 0 or share_percent > 100:  # NaN too
        raise ValueError(f"A share must be between 0 and 100, not {share_percent}.")
    if share_percent == 0:
        return "none"
    if share_percent == 100:
        return "all"
    for upper, word in _BANDS:
        if share_percent < upper:
            return word
    return "almost all"  # pragma: no cover - 100 handled above


def format_percent(share_percent: float) -> str:
    """82 -> "82%", 52.5 -> "52.5%"; no trailing ".0"."""
    text = f"{share_percent:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def share_with_word(share_percent: float | None) -> str:
    """The register's form: "82% — most"; empty when there is no share."""
    if share_percent is None:
        return ""
    return f"{format_percent(share_percent)} — {quantity_word(share_percent)}"


def word_with_share(share_percent: float | None) -> str:
    """The position statement's form: "most (82%)"; empty when there is no share."""
    if share_percent is None:
        return ""
    return f"{quantity_word(share_percent)} ({format_percent(share_percent)})"
