"""Draw CareQual Desktop's icons: the app icon and the .carequal document icon.

Writes resources/icons/carequal.png (256x256, used by the window), carequal.ico (16-256 px,
used by the .exe, the installer and the shortcuts) and carequal-file.ico (the icon Explorer
shows for .carequal workshop files). Each size is drawn on its own at 4x and scaled down, so
small sizes stay crisp rather than being shrunk from the 256 px image.

Usage:
    python tools/make_icons.py [--output DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = ROOT / "resources" / "icons"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
TEAL = (11, 94, 99, 255)  # dark teal, white on it passes WCAG AA contrast
WHITE = (255, 255, 255, 255)
PAPER = (250, 251, 251, 255)
PAPER_EDGE = (120, 134, 136, 255)
SUPERSAMPLE = 4


def _check(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: float) -> None:
    """A white check mark filling ``box`` (left, top, right, bottom)."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    points = [
        (left + 0.05 * w, top + 0.55 * h),
        (left + 0.38 * w, top + 0.88 * h),
        (left + 0.95 * w, top + 0.15 * h),
    ]
    draw.line(points, fill=WHITE, width=round(width), joint="curve")
    radius = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)


def app_icon(size: int) -> Image.Image:
    """A rounded dark-teal square with a white check mark."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = big * (0.04 if size >= 32 else 0.0)
    radius = big * 0.22
    draw.rounded_rectangle((margin, margin, big - margin, big - margin), radius, fill=TEAL)
    inset = big * 0.24
    stroke = big * (0.12 if size >= 32 else 0.16)
    _check(draw, (inset, inset, big - inset, big - inset), stroke)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def file_icon(size: int) -> Image.Image:
    """A white page with a folded corner and the app's teal badge, for .carequal files."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    left, right = big * 0.16, big * 0.84
    top, bottom = big * 0.04, big * 0.96
    fold = big * 0.22
    edge = max(SUPERSAMPLE, round(big * 0.02))
    page = [(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)]
    draw.polygon(page, fill=PAPER, outline=PAPER_EDGE, width=edge)
    draw.polygon(
        [(right - fold, top), (right - fold, top + fold), (right, top + fold)],
        fill=(214, 222, 223, 255),
        outline=PAPER_EDGE,
        width=edge,
    )
    if size >= 48:  # text lines read as "document" at large sizes only
        for i in range(3):
            y = big * (0.22 + 0.09 * i)
            draw.rounded_rectangle(
                (
                    left + big * 0.1,
                    y,
                    right - fold - big * 0.02 if i == 0 else right - big * 0.1,
                    y + big * 0.035,
                ),
                big * 0.015,
                fill=(190, 200, 201, 255),
            )
    badge = big * (0.48 if size >= 48 else 0.56 if size >= 32 else 0.66)
    bx, by = (big - badge) / 2, bottom - badge - big * 0.05
    draw.rounded_rectangle((bx, by, bx + badge, by + badge), badge * 0.22, fill=TEAL)
    inset = badge * 0.2
    _check(draw, (bx + inset, by + inset, bx + badge - inset, by + badge - inset), badge * 0.14)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_ico(path: Path, draw_size) -> None:  # type: ignore[no-untyped-def]
    """An .ico with every size in ICO_SIZES, each drawn for its size."""
    images = [draw_size(size) for size in ICO_SIZES]
    largest = images[-1]
    largest.save(path, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    app_icon(256).save(args.output / "carequal.png", optimize=True)
    write_ico(args.output / "carequal.ico", app_icon)
    write_ico(args.output / "carequal-file.ico", file_icon)
    for name in ("carequal.png", "carequal.ico", "carequal-file.ico"):
        print(args.output / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
