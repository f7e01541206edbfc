"""The Word document's charts as PNG images: matplotlib set up once, images cached, imports early.

What makes an export quick (docs/performance.md, "Exporting to Word quickly"):

- **matplotlib's font list is kept.** matplotlib builds a list of the computer's fonts the
  first time it is imported and keeps it in its configuration folder. The frozen app's
  PyInstaller start-up hook points that folder at a new temporary folder on every run, so
  each first export built the list again (0.4 s on the development machine with 144 fonts;
  Windows has several hundred). The frozen app keeps it in the per-user data folder instead.
- **Images are cached by content.** Each chart is drawn from a few plain values (codes,
  titles, grades, counts); the PNG is kept in memory under a hash of exactly those values, so
  a second export with the same grades and evidence draws nothing.
- **Imports can start early.** ``prepare_in_background`` imports matplotlib and python-docx
  on a plain Python thread (no Qt objects), and then draws the charts it is given, while the
  export window is read; an export that starts meanwhile waits for it (``wait_until_ready``)
  instead of doing the same work twice.
- **Less work per image**: glyphs not hinted (``configure``), and the PNG written by Pillow
  as RGB at a fast compression level rather than by ``savefig`` (``_png_bytes``).

Drawing is serialised by one lock: matplotlib's font and text caches are shared by threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

# 150 dpi prints crisply at the 16.5 cm the charts are placed at (6.5 inches, 975 pixels).
CHART_DPI = 150
_CACHE_SIZE = 12  # a few sets of three charts; a large workshop's charts are ~0.2 MB each

_draw_lock = threading.RLock()
_cache: OrderedDict[str, bytes] = OrderedDict()
_configured = False
_preparing: threading.Thread | None = None
_preparing_lock = threading.Lock()


def _use_kept_font_list() -> None:
    """In the frozen app, keep matplotlib's configuration (its font list) between runs."""
    if not getattr(sys, "frozen", False) or "matplotlib" in sys.modules:
        return
    from carequal_desktop.paths import matplotlib_dir

    # An unwritable data folder: matplotlib's temporary folder still works, only slower.
    with contextlib.suppress(OSError):
        os.environ["MPLCONFIGDIR"] = str(matplotlib_dir())


def configure() -> None:
    """Import matplotlib for drawing without pyplot and set its parameters, once.

    ``rcdefaults`` leaves out any ``matplotlibrc`` found in the working folder or the user's
    configuration, so the document looks the same on every computer. Glyphs are not hinted:
    hinting snaps each glyph to the pixel grid of the 150-dpi image, which Word scales to
    the screen or printer anyway; unhinted text looks the same there and draws about 15%
    faster (matplotlib 3.11 lays out and hints each glyph in Python).
    """
    global _configured
    with _draw_lock:
        if _configured:
            return
        _use_kept_font_list()
        import matplotlib
        from matplotlib.backends import backend_agg  # noqa: F401 (the canvas, imported once)

        matplotlib.rcdefaults()
        matplotlib.rcParams["text.hinting"] = "no_hinting"
        _configured = True


def png(kind: str, content: object, draw: Callable[[], Figure], *, dpi: int = CHART_DPI) -> bytes:
    """The chart ``draw`` makes, as PNG bytes, drawn only if ``content`` was not drawn before.

    ``content`` must hold every value the chart shows (plain strings, numbers, tuples): it is
    the cache key, so two charts with the same ``kind`` and ``content`` must be identical.
    """
    key = hashlib.sha256(repr((kind, content, dpi)).encode("utf-8")).hexdigest()
    with _draw_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
        configure()
        with warnings.catch_warnings():
            # A glyph the chart font lacks (an emoji in a title) must not stop the export.
            warnings.simplefilter("ignore")
            data = _png_bytes(draw(), dpi)
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return data


def _png_bytes(figure: Figure, dpi: int) -> bytes:
    """The figure drawn by Agg at ``dpi`` and written as an RGB PNG.

    Not ``savefig``: the charts are opaque on white, so the alpha channel matplotlib writes
    carries nothing, and zlib's fast level 3 compresses these flat-coloured images better
    than the default 6: 147 KB in 20 ms against 185 KB in 34 ms for the demo's grades chart.
    ``Figure.draw`` runs the figure's layout engine (constrained layout) as ``savefig`` does.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib leaves Agg's methods unannotated
    width, height = canvas.get_width_height()
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]  # as above
    image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="png", compress_level=3, dpi=(dpi, dpi))
    return out.getvalue()


def clear_cache() -> None:
    with _draw_lock:
        _cache.clear()


def cached_count() -> int:
    with _draw_lock:
        return len(_cache)


def _import_docx() -> None:
    import docx  # noqa: F401
    import docx.oxml  # noqa: F401
    import docx.shared  # noqa: F401


def prepare_in_background(draw_charts: Callable[[], object] | None = None) -> threading.Thread:
    """Import matplotlib and python-docx, then call ``draw_charts``, on a background thread.

    ``draw_charts`` must touch no Qt object and no database connection: it is meant to draw
    charts from a model already read (their PNGs land in the cache). Errors are left for the
    export itself to meet and report. Returns the thread (already started).
    """
    global _preparing

    def run() -> None:
        try:
            configure()
            _import_docx()
            if draw_charts is not None:
                draw_charts()
        except Exception:  # noqa: BLE001 (the export draws again and reports any error)
            pass

    with _preparing_lock:
        # Not a daemon: quitting meanwhile waits for it (under a second) rather than killing it
        # half-way through an import.
        thread = threading.Thread(target=run, name="carequal-export-preparation")
        _preparing = thread
        thread.start()
    return thread


def wait_until_ready() -> None:
    """Wait for a preparation still running (it does the work the export would do first)."""
    with _preparing_lock:
        thread = _preparing
    if thread is not None and thread is not threading.current_thread():
        thread.join()
