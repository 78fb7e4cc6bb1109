"""The built-in master's geometry, without python-pptx.

The deck writer (:mod:`medbrief.deck.pptx_writer`) places the placeholders of its built-in
master with these numbers; :func:`default_frames` gives the same boxes to anything that
fits slides without opening a .pptx (the slides-with-notes PDF, :mod:`medbrief.deck.html`).
A test checks that both agree.
"""

from __future__ import annotations

from medbrief.deck.fit import Box, Frames
from medbrief.deck.units import Emu, Inches

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)
"""16:9, 13.333 × 7.5 in."""

M = 0.6  # side margin of the built-in master, inches
COL = (13.333 - 2 * M - 0.4) / 2  # width of a column in two-column layouts
DEFAULT_GEOMETRY: dict[str, dict[int, tuple[float, float, float, float]]] = {
    # layout name → placeholder idx → (left, top, width, height) in inches
    "Title Slide": {0: (0.9, 1.9, 11.53, 2.2), 1: (0.9, 4.3, 11.53, 1.5)},
    "Title and Content": {0: (M, 0.35, 12.133, 1.2), 1: (M, 1.8, 12.133, 5.2)},
    "Section Header": {0: (0.9, 2.2, 11.53, 1.9), 1: (0.9, 4.3, 11.53, 1.3)},
    "Two Content": {0: (M, 0.35, 12.133, 1.2), 1: (M, 1.8, COL, 5.2),
                    2: (M + COL + 0.4, 1.8, COL, 5.2)},
    "Comparison": {0: (M, 0.35, 12.133, 1.2), 1: (M, 1.8, COL, 0.75), 2: (M, 2.7, COL, 4.3),
                   3: (M + COL + 0.4, 1.8, COL, 0.75), 4: (M + COL + 0.4, 2.7, COL, 4.3)},
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
    g = {name: {idx: inches(box) for idx, box in boxes.items()}
         for name, boxes in DEFAULT_GEOMETRY.items()}
    title = g["Title and Content"][0]
    return {
        "title": Frames(g["Title Slide"][0], g["Title Slide"][1]),
        "content": Frames(title, None, (g["Title and Content"][1],)),
        "section": Frames(g["Section Header"][0], g["Section Header"][1]),
        "two-content": Frames(g["Two Content"][0], None,
                              (g["Two Content"][1], g["Two Content"][2])),
        "comparison": Frames(g["Comparison"][0], None,
                             (g["Comparison"][2], g["Comparison"][4]),
                             (g["Comparison"][1], g["Comparison"][3])),
        "blank": Frames(inches(MASTER_GEOMETRY["title"]), None,
                        (inches(MASTER_GEOMETRY["body"]),)),
    }
