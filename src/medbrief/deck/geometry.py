"""Boxes, frames and the built-in master's geometry, without python-pptx.

:class:`Box` and :class:`Frames` are what the fitter (:mod:`medbrief.deck.fit`) places
text in.  The master reader (:mod:`medbrief.deck.master`) places the placeholders of the
built-in master with the numbers below; :func:`default_frames` gives the same boxes to
anything that fits slides without opening a .pptx (the slides-with-notes PDF,
:mod:`medbrief.deck.slides_html`).  A test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medbrief.deck.units import Emu, Inches, Length


@dataclass(frozen=True)
class Box:
    left: Length
    top: Length
    width: Length
    height: Length

    @property
    def right(self) -> Length:
        return Length(self.left + self.width)

    @property
    def bottom(self) -> Length:
        return Length(self.top + self.height)


@dataclass(frozen=True)
class Frames:
    """Where a layout puts its title, subtitle, body (one box per column) and headers."""

    title: Box
    subtitle: Box | None = None
    body: tuple[Box, ...] = ()
    headers: tuple[Box, ...] = ()


def union(boxes: Sequence[Box]) -> Box:
    """The smallest box holding all of ``boxes``."""
    left, top = min(b.left for b in boxes), min(b.top for b in boxes)
    right, bottom = max(b.right for b in boxes), max(b.bottom for b in boxes)
    return Box(left, top, Length(right - left), Length(bottom - top))


SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)
"""16:9, 13.333 × 7.5 in."""

M = 0.6  # side margin of the built-in master, inches
COL = (13.333 - 2 * M - 0.4) / 2  # width of a column in two-column layouts
DEFAULT_GEOMETRY: dict[str, dict[int, tuple[float, float, float, float]]] = {
    # layout name → placeholder idx → (left, top, width, height) in inches
    "Title Slide": {0: (0.9, 1.9, 11.53, 2.2), 1: (0.9, 4.3, 11.53, 1.5)},
    "Title and Content": {0: (M, 0.35, 12.133, 1.2), 1: (M, 1.8, 12.133, 5.2)},
    "Section Header": {0: (0.9, 2.2, 11.53, 1.9), 1: (0.9, 4.3, 11.53, 1.3)},
    "Two Content": {
        0: (M, 0.35, 12.133, 1.2),
        1: (M, 1.8, COL, 5.2),
        2: (M + COL + 0.4, 1.8, COL, 5.2),
    },
    "Comparison": {
        0: (M, 0.35, 12.133, 1.2),
        1: (M, 1.8, COL, 0.75),
        2: (M, 2.7, COL, 4.3),
        3: (M + COL + 0.4, 1.8, COL, 0.75),
        4: (M + COL + 0.4, 2.7, COL, 4.3),
    },
    "Blank": {},
}
MASTER_GEOMETRY = {"title": (M, 0.35, 12.133, 1.2), "body": (M, 1.8, 12.133, 5.2)}
RULE = (M, 1.62, 12.133, 0.05)
"""The accent rule under titles on the built-in master."""
BAR_LAYOUTS = ("Title Slide", "Section Header")
"""Layouts that show an accent bar under the title instead of the rule."""


def inches(box: tuple[float, float, float, float]) -> Box:
    return Box(*(Inches(v) for v in box))


def accent_bar(layout: str) -> Box:
    """The short accent bar under the title of a title or section slide."""
    title = DEFAULT_GEOMETRY[layout][0]
    return inches((title[0] + 0.1, title[1] + title[3] + 0.05, 2.2, 0.09))


def default_frames() -> dict[str, Frames]:
    """Frames of each medbrief layout on the built-in master (as the writer resolves them)."""
    g = {
        name: {idx: inches(box) for idx, box in boxes.items()}
        for name, boxes in DEFAULT_GEOMETRY.items()
    }
    title = g["Title and Content"][0]
    return {
        "title": Frames(g["Title Slide"][0], g["Title Slide"][1]),
        "content": Frames(title, None, (g["Title and Content"][1],)),
        "section": Frames(g["Section Header"][0], g["Section Header"][1]),
        "two-content": Frames(
            g["Two Content"][0], None, (g["Two Content"][1], g["Two Content"][2])
        ),
        "comparison": Frames(
            g["Comparison"][0],
            None,
            (g["Comparison"][2], g["Comparison"][4]),
            (g["Comparison"][1], g["Comparison"][3]),
        ),
        "blank": Frames(inches(MASTER_GEOMETRY["title"]), None, (inches(MASTER_GEOMETRY["body"]),)),
    }
