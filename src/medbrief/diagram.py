"""Process diagrams drawn as SVG from the content's process steps.

Numbered rounded boxes joined by arrows, laid out in a row (handouts, briefings)
or a column (large print).  Labels are wrapped to fit their boxes using an
average glyph width; every string is XML-escaped, so content cannot inject
markup.  The SVG carries a <title> and <desc> for assistive technology.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

AVG_GLYPH_EM = 0.56
"""Average advance width of a glyph, in em, for Atkinson Hyperlegible / Noto Sans text."""


@dataclass(frozen=True)
class DiagramStyle:
    font: str = "Atkinson Hyperlegible"
    font_size: float = 11.0  # in SVG user units (= CSS px at 1:1)
    box: str = "#eef4fa"
    border: str = "#1f4e79"
    text: str = "#1a1a1a"
    number_fill: str = "#1f4e79"
    number_text: str = "#ffffff"


def _wrap(label: str, width: float, size: float) -> list[str]:
    chars = max(4, int(width / (size * AVG_GLYPH_EM)))
    return textwrap.wrap(label, chars, break_long_words=True) or [""]


def _box(
    x: float, y: float, w: float, h: float, n: int, lines: list[str], s: DiagramStyle, line_h: float
) -> str:
    r = s.font_size * 0.95
    cx, cy = x + w / 2, y + h / 2 + r * 0.6
    text_y = cy - (len(lines) - 1) * line_h / 2
    tspans = "".join(
        f'<tspan x="{cx:.1f}" y="{text_y + i * line_h:.1f}">{escape(t)}</tspan>'
        for i, t in enumerate(lines)
    )
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
        f'fill="{s.box}" stroke="{s.border}" stroke-width="1.5"/>'
        f'<circle cx="{x + w / 2:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{s.number_fill}"/>'
        f'<text x="{x + w / 2:.1f}" y="{y + r * 0.38:.1f}" text-anchor="middle" '
        f'font-weight="700" font-size="{s.font_size:.1f}" fill="{s.number_text}">{n}</text>'
        f'<text text-anchor="middle" fill="{s.text}">{tspans}</text>'
    )


def _arrow(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    """A line with a drawn arrow head (no <marker>, so several diagrams never clash on ids)."""
    dx, dy = (1, 0) if y1 == y2 else (0, 1)
    hx, hy, w = x2 - 7 * dx, y2 - 7 * dy, 4.5
    head = (
        f"M{x2:.1f},{y2:.1f} L{hx - w * dy:.1f},{hy - w * dx:.1f} "
        f"L{hx + w * dy:.1f},{hy + w * dx:.1f} z"
    )
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{hx:.1f}" y2="{hy:.1f}" stroke="{colour}" '
        f'stroke-width="2"/><path d="{head}" fill="{colour}"/>'
    )


def process_svg(
    labels: list[str],
    title: str,
    description: str,
    *,
    width: float = 640,
    vertical: bool = False,
    style: DiagramStyle = DiagramStyle(),
) -> Markup:
    """An inline SVG of the steps, ``width`` user units wide."""
    size, n = style.font_size, len(labels)
    line_h = size * 1.25
    gap = size * 2.2
    if vertical:
        box_w, parts = width * 0.8, []
        wrapped = [_wrap(lb, box_w - size, size) for lb in labels]
        box_h = max(len(w) for w in wrapped) * line_h + size * 1.6
        y, x = size, (width - box_w) / 2
        for i, lines in enumerate(wrapped):
            parts.append(_box(x, y, box_w, box_h, i + 1, lines, style, line_h))
            if i < n - 1:
                parts.append(
                    _arrow(width / 2, y + box_h + 2, width / 2, y + box_h + gap - 4, style.border)
                )
            y += box_h + gap
        height = y - gap + size * 0.6
    else:
        box_w = (width - gap * (n - 1)) / n
        wrapped = [_wrap(lb, box_w - size * 0.8, size) for lb in labels]
        box_h = max(len(w) for w in wrapped) * line_h + size * 1.8
        y, parts = size, []
        for i, lines in enumerate(wrapped):
            x = i * (box_w + gap)
            parts.append(_box(x, y, box_w, box_h, i + 1, lines, style, line_h))
            if i < n - 1:
                parts.append(
                    _arrow(
                        x + box_w + 3,
                        y + box_h / 2,
                        x + box_w + gap - 4,
                        y + box_h / 2,
                        style.border,
                    )
                )
        height = y + box_h + size * 0.4
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="{escape(style.font, {chr(34): "&quot;"})}" font-size="{size:.1f}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(parts)
        + "</svg>"
    )
