"""The report's charts (``exports.charts``, SVG) drawn as PNG for Word, which needs a bitmap.

charts.py draws with two SVG elements only, ``<rect>`` and ``<text>``, with plain attributes;
this draws exactly those with Pillow at twice the size, so the Word draft shows the same chart
as the web page and the PDF.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from defusedxml import ElementTree
from PIL import Image, ImageDraw, ImageFont

_SVG = "{http://www.w3.org/2000/svg}"
SCALE = 2
_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _FONTS[1 if bold else 0]
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _number(value: str | None) -> float:
    return float(value) if value else 0.0


def svg_to_png(svg: str) -> tuple[bytes, int, int]:
    """A chart's PNG bytes and its size in SVG units (width, height)."""
    root = ElementTree.fromstring(svg)  # our own chart, built by charts.py; parsed safely anyway
    width, height = int(_number(root.get("width"))), int(_number(root.get("height")))
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    for element in root:
        if element.tag == f"{_SVG}rect":
            x, y = _number(element.get("x")) * SCALE, _number(element.get("y")) * SCALE
            w, h = _number(element.get("width")) * SCALE, _number(element.get("height")) * SCALE
            if w <= 0 or h <= 0:
                continue
            outline = element.get("stroke")
            draw.rectangle((x, y, x + w, y + h), fill=element.get("fill"), outline=outline, width=1)
        elif element.tag == f"{_SVG}text":
            size = int(_number(element.get("font-size")) or 12) * SCALE
            font = _font(size, element.get("font-weight") == "bold")
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}.get(
                element.get("text-anchor") or "start", "ls"
            )
            draw.text(
                (_number(element.get("x")) * SCALE, _number(element.get("y")) * SCALE),
                element.text or "",
                fill=element.get("fill") or "#0b0c0c",
                font=font,
                anchor=anchor,
            )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), width, height
