"""The grades chart shared by the overview page and the Word report."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from carequal_desktop.domain.framework import load_builtin
from carequal_desktop.domain.records import IndicatorSummary
from carequal_desktop.reports.charts import GRADE_COLOURS, NOT_GRADED_TEXT, grades_figure


def summaries(framework, grades):
    return [
        IndicatorSummary(
            code=i.code,
            title=i.title,
            statements=i.statements,
            status="agreed",
            grade=grades.get(i.code),
            evidence_count=0,
            action_count=0,
        )
        for i in framework.indicators
    ]


def test_bars_in_framework_order_on_the_scale():
    fw = load_builtin()
    fig = grades_figure(summaries(fw, {"1.1": 4, "5.2": 2, "10.1": 6}), fw)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("1.1 ") and labels[-1].startswith("10.1 ")
    assert len(labels) == len(fw.indicators)
    # First indicator at the top.
    bottom, top = ax.get_ylim()
    assert bottom > top
    assert ax.get_xlim() == (0.0, 6.0)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "1\nUnsatisfactory" and ticks[-1] == "6\nExcellent"
    texts = [t.get_text() for t in ax.texts]
    assert "4 Good" in texts and "2 Weak" in texts and "6 Excellent" in texts
    assert texts.count(NOT_GRADED_TEXT) == len(fw.indicators) - 3


def test_colours_get_darker_with_the_grade():
    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    values = [luminance(GRADE_COLOURS[g]) for g in range(1, 7)]
    assert values == sorted(values, reverse=True)
    assert min(a - b for a, b in zip(values, values[1:], strict=False)) > 15  # distinct in grey


def test_ungraded_workshop_and_redraw_into_an_existing_figure():
    fw = load_builtin("qf-2012")
    fig = grades_figure(summaries(fw, {}), fw, titles=False)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [i.code for i in fw.indicators]
    again = grades_figure(summaries(fw, {fw.indicators[0].code: 5}), fw, figure=fig)
    assert again is fig and len(fig.axes) == 1
    assert "5 Very good" in [t.get_text() for t in fig.axes[0].texts]


def test_saves_as_png_for_the_report():
    fw = load_builtin()
    fig = grades_figure(summaries(fw, {"5.1": 3}), fw)
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100)
    assert out.getvalue().startswith(b"\x89PNG")
    width, height = fig.get_size_inches()
    assert width <= 6.5  # fits an A4 page with margins
