"""Charts shared by the window and the Word report, drawn with matplotlib without pyplot.

Only ``matplotlib.figure.Figure`` is used, so nothing here needs Qt or a GUI backend: the
overview page puts the figure on a Qt canvas and the report saves it as a PNG. matplotlib
is imported inside the functions so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from carequal_desktop.domain.framework import Framework
from carequal_desktop.domain.records import IndicatorSummary
from carequal_desktop.domain.text import shorten

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# A single-hue ramp (ColorBrewer "Blues"), lighter for lower grades: the order of the
# levels survives greyscale printing and the common forms of colour blindness.
GRADE_COLOURS: dict[int, str] = {
    1: "#c6dbef",
    2: "#9ecae1",
    3: "#6baed6",
    4: "#3a87c0",
    5: "#1f62a3",
    6: "#08306b",
}
UNGRADED_EDGE = "#7f7f7f"
NOT_GRADED_TEXT = "not graded"


def _axes(figure: Figure) -> Axes:
    """The chart's one axes. The charts have no axis labels, so the empty labels are put at
    fixed places: otherwise matplotlib measures every tick label at each draw to place them
    (15–30 ms of a chart's 150–200 ms; the image is the same to the pixel)."""
    ax = figure.add_subplot()
    ax.xaxis.set_label_coords(0.5, 0.0)
    ax.yaxis.set_label_coords(0.0, 0.5)
    return ax


def grades_figure(
    summaries: Iterable[IndicatorSummary],
    framework: Framework,
    *,
    figure: Figure | None = None,
    font_size: float = 8.0,
    label_chars: int = 34,
    titles: bool = True,
    slanted_levels: bool = False,
) -> Figure:
    """A horizontal bar per indicator, in framework order from the top, on the framework's scale.

    Ungraded indicators get an empty dashed slot labelled "not graded". Pass ``figure`` to
    redraw an existing figure (the window's canvas) instead of making a new one; with
    ``titles=False`` the y axis shows codes only (the window has the titles beside it);
    ``slanted_levels`` writes the scale's labels on one slanted line, for narrow charts.
    """
    from matplotlib.figure import Figure

    rows = list(summaries)
    levels = sorted(framework.scale, key=lambda lvl: lvl.value)
    top = max((lvl.value for lvl in levels), default=6)
    bottom = min((lvl.value for lvl in levels), default=1)
    if figure is None:
        figure = Figure(figsize=(6.5, 0.26 * max(len(rows), 1) + 1.5), layout="constrained")
    else:
        figure.clear()
        figure.set_layout_engine("constrained")
    ax = _axes(figure)

    positions = list(range(len(rows)))
    for y, summary in zip(positions, rows, strict=True):
        if summary.grade is None:
            ax.barh(
                y,
                top - 0.03,
                left=0.01,
                height=0.7,
                facecolor="none",
                edgecolor=UNGRADED_EDGE,
                linestyle=(0, (3, 2)),
                linewidth=0.8,
            )
            ax.text(
                0.12,
                y,
                NOT_GRADED_TEXT,
                va="center",
                ha="left",
                fontsize=font_size,
                style="italic",
                color="#4d4d4d",
            )
            continue
        colour = GRADE_COLOURS.get(summary.grade, "#3a87c0")
        ax.barh(
            y, summary.grade, left=0, height=0.7, color=colour, edgecolor="#08306b", linewidth=0.6
        )
        level = framework.level(summary.grade)
        label = f"{summary.grade} {level.label}" if level else str(summary.grade)
        # The label sits inside long bars (white on dark) and after short ones.
        if summary.grade >= top - 1:
            ax.text(
                summary.grade - 0.1,
                y,
                label,
                va="center",
                ha="right",
                fontsize=font_size,
                color="white" if summary.grade >= 4 else "black",
            )
        else:
            ax.text(
                summary.grade + 0.1,
                y,
                label,
                va="center",
                ha="left",
                fontsize=font_size,
                color="black",
            )

    ax.set_yticks(positions)
    ax.set_yticklabels(
        [shorten(f"{s.code} {s.title}", label_chars) if titles else s.code for s in rows],
        fontsize=font_size,
    )
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first indicator at the top
    ax.set_xlim(0, top)
    ax.set_xticks([lvl.value for lvl in levels] or list(range(bottom, top + 1)))
    # Without named levels the numbers matplotlib puts on the ticks stay (it refuses None).
    if levels and slanted_levels:
        ax.set_xticklabels(
            [f"{lvl.value} {lvl.label}" for lvl in levels],
            fontsize=font_size,
            rotation=30,
            ha="right",
            rotation_mode="anchor",
        )
    elif levels:
        ax.set_xticklabels([f"{lvl.value}\n{lvl.label}" for lvl in levels], fontsize=font_size)
    ax.xaxis.grid(True, color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    graded = sum(1 for s in rows if s.grade is not None)
    ax.set_title(
        f"Grades by indicator ({graded} of {len(rows)} graded)",
        fontsize=font_size * 1.2,
        loc="left",
        # Placed, not left for matplotlib to move clear of top ticks (there are none): it
        # would measure the axis at every draw.
        y=1.0,
    )
    return figure


def grade_change_figure(
    rows: Iterable[tuple[str, str, int | None, int | None]],
    framework: Framework,
    *,
    figure: Figure | None = None,
    font_size: float = 8.0,
    label_chars: int = 34,
) -> Figure:
    """Previous against current grade per indicator: (code, title, previous, current) rows.

    The previous grade is a hollow circle, the current one a filled square, joined by an
    arrow; the change is also written at the right ("up 1"), so neither colour nor shape
    alone carries it.
    """
    from matplotlib.figure import Figure

    from carequal_desktop.domain.grading import change_words

    items = list(rows)
    levels = sorted(framework.scale, key=lambda lvl: lvl.value)
    top = max((lvl.value for lvl in levels), default=6)
    bottom = min((lvl.value for lvl in levels), default=1)
    if figure is None:
        figure = Figure(figsize=(6.5, 0.26 * max(len(items), 1) + 1.6), layout="constrained")
    else:
        figure.clear()
        figure.set_layout_engine("constrained")
    ax = _axes(figure)
    for y, (_code, _title, previous, current) in enumerate(items):
        if previous is not None and current is not None and previous != current:
            ax.annotate(
                "",
                xy=(current, y),
                xytext=(previous, y),
                arrowprops={
                    "arrowstyle": "->",
                    "color": "#4d4d4d",
                    "linewidth": 1.0,
                    "shrinkA": 5,
                    "shrinkB": 5,
                },
            )
        if previous is not None:
            ax.plot(
                previous,
                y,
                marker="o",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor="#4d4d4d",
                markeredgewidth=1.2,
                linestyle="none",
            )
        if current is not None:
            ax.plot(current, y, marker="s", markersize=6, color=GRADE_COLOURS[5], linestyle="none")
        words = change_words(previous, current).replace("▲ ", "").replace("▼ ", "")
        if current is None:
            words = "not graded yet"
        elif previous is None:
            words = "new"
        ax.text(top + 0.35, y, words, va="center", ha="left", fontsize=font_size, color="#262626")
    ax.set_yticks(list(range(len(items))))
    ax.set_yticklabels(
        [shorten(f"{c} {t}", label_chars) for c, t, _p, _n in items], fontsize=font_size
    )
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlim(bottom - 0.5, top + 1.6)
    ax.set_xticks([lvl.value for lvl in levels] or list(range(bottom, top + 1)))
    ax.set_xticklabels(
        [f"{lvl.value}\n{lvl.label}" for lvl in levels] or [str(v) for v in range(bottom, top + 1)],
        fontsize=font_size,
    )
    ax.xaxis.grid(True, color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.plot(
        [],
        [],
        marker="o",
        markerfacecolor="white",
        markeredgecolor="#4d4d4d",
        linestyle="none",
        label="Previous self-evaluation",
    )
    ax.plot([], [], marker="s", color=GRADE_COLOURS[5], linestyle="none", label="Now")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=font_size, frameon=False)
    return figure


TRIANGULATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("numbers", "Numbers"),
    ("views", "People's\nviews"),
    ("observation", "Observation"),
    ("documents", "Documents"),
    ("agencies", "Agencies"),
)


def triangulation_figure(
    rows: Iterable[Any],
    *,
    figure: Figure | None = None,
    font_size: float = 8.0,
    label_chars: int = 38,
) -> Figure:
    """A grid of indicators against kinds of evidence and the number of agencies.

    Every cell carries its count as text; a gap is an empty, hatched cell marked with a dash,
    so it shows in greyscale and without colour. ``rows`` are ``TriangulationRow`` objects.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    items = list(rows)
    height = 0.2 * max(len(items), 1) + 0.9
    if figure is None:
        figure = Figure(figsize=(6.5, height))
    else:
        figure.clear()
    # Fixed margins: constrained layout costs more than the drawing itself.
    figure.subplots_adjust(left=0.46, right=0.99, top=1 - 0.55 / height, bottom=0.08 / height)
    ax = _axes(figure)
    grid: list[list[int]] = []
    for row in items:
        values = [row.sources.get(key, 0) for key, _l in TRIANGULATION_COLUMNS[:-1]]
        values.append(len([a for a in row.agencies if a != "Agency not recorded"]))
        grid.append(values)
    palette = ListedColormap(["#ffffff", *[GRADE_COLOURS[n] for n in range(1, 7)]])
    ax.imshow(
        [[min(v, 6) for v in values] for values in grid] or [[0] * len(TRIANGULATION_COLUMNS)],
        cmap=palette,
        vmin=0,
        vmax=6,
        aspect="auto",
        extent=(0, len(TRIANGULATION_COLUMNS), len(items) - 0.5, -0.5),
        interpolation="nearest",
    )
    gaps = [
        Rectangle((x, y - 0.5), 1, 1)
        for y, values in enumerate(grid)
        for x, v in enumerate(values)
        if v == 0
    ]
    ax.add_collection(
        PatchCollection(gaps, facecolor="none", edgecolor="#9a9a9a", hatch="///", linewidth=0)
    )
    for y, values in enumerate(grid):
        for x, value in enumerate(values):
            ax.text(
                x + 0.5,
                y,
                "–" if value == 0 else str(value),
                ha="center",
                va="center",
                fontsize=font_size,
                color="white" if value >= 3 else "black",
                fontweight="bold" if value == 0 else "normal",
            )
    # The grid as two collections of lines rather than a line object per row and column.
    columns, bottom_edge = len(TRIANGULATION_COLUMNS), len(items) - 0.5
    ax.vlines(range(columns + 1), -0.5, bottom_edge, colors="#7f7f7f", linewidth=0.5)
    ax.hlines([y - 0.5 for y in range(len(items) + 1)], 0, columns, colors="#7f7f7f", linewidth=0.5)
    ax.set_xlim(0, len(TRIANGULATION_COLUMNS))
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xticks([x + 0.5 for x in range(len(TRIANGULATION_COLUMNS))])
    ax.set_xticklabels([label for _k, label in TRIANGULATION_COLUMNS], fontsize=font_size)
    ax.xaxis.tick_top()
    ax.set_yticks(list(range(len(items))))
    ax.set_yticklabels(
        [
            shorten(f"{r.code} {r.title}", label_chars) + ("" if r.graded else " (not graded)")
            for r in items
        ],
        fontsize=font_size,
    )
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return figure
