"""The draft label: a small mark on every slide of a deck built from a draft topic.

Where it goes is decided once, here, from a layout's frames, so both back ends (the .pptx
writer and the slides-with-notes PDF) put it in the same free strip: below everything the
layout can hold (the bottom margin), else above it; never over a title, a subtitle, a
column heading or a body frame.  On the .pptx it is an ordinary text box on the slide, not
part of the master or a layout, so a speaker who has the topic approved can delete it.
"""

from __future__ import annotations

from medbrief.deck.geometry import Box, Frames
from medbrief.deck.units import Length, Pt

LABEL_NAME = "Draft label"
"""The shape's name on each slide (what a speaker sees in the selection pane)."""
LABEL_SIZE = Pt(12)
"""Its text size: small, but readable from the back of a room on a projected slide."""
LABEL_HEIGHT = Pt(22)
LABEL_WIDTH = Pt(330)
LABEL_INSET_X, LABEL_INSET_Y = Pt(4), Pt(2)
"""The label box's text insets."""
GAP = Pt(6)
"""Least room kept between the label and the slide's edge or any frame."""


def _frames(frames: Frames) -> list[Box]:
    boxes = [frames.title, frames.subtitle, *frames.body, *frames.headers]
    return [b for b in boxes if b is not None]


def _overlaps(a: Box, b: Box) -> bool:
    return not (a.right <= b.left or b.right <= a.left or a.bottom <= b.top or b.bottom <= a.top)


def label_box(frames: Frames, width: Length, height: Length) -> Box:
    """The label's box on a slide of this layout: bottom right, else top right."""
    boxes = _frames(frames)
    w = Length(min(LABEL_WIDTH, width - 2 * GAP))
    left = Length(width - GAP - w)
    lowest = max((b.bottom for b in boxes), default=Length(0))
    if height - lowest >= LABEL_HEIGHT + 2 * GAP:
        top = Length(height - GAP - LABEL_HEIGHT)
    else:
        top = Length(GAP)
    box = Box(left, top, w, LABEL_HEIGHT)
    if any(_overlaps(box, b) for b in boxes):  # an organisation's master with no free strip
        top = Length(min(b.top for b in boxes) - GAP - LABEL_HEIGHT)
        box = Box(left, Length(max(top, 0)), w, LABEL_HEIGHT)
    return box


LABEL_FILL, LABEL_TEXT = "FFD966", "1A1A1A"
"""Dark text on amber (contrast 13:1), as the PDFs' draft band."""
