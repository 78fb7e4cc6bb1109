"""The drawing plan: every decision about how a fitted deck is drawn, taken once.

:func:`plan_deck` parses nothing and measures nothing new: it turns the fitter's placed
slides (:mod:`medbrief.deck.fit`) into frames of text with their paragraph formats, colour
roles, anchors, alignment, insets and runs, and into the shapes around them (table cells
and their fills, a quotation's bar, a diagram's steps and arrows).  The two back ends only
translate this plan: :mod:`medbrief.deck.pptx_writer` into DrawingML with python-pptx,
:mod:`medbrief.deck.slides_html` into HTML and CSS for the slides-with-notes PDF.

Colours are named by the :class:`~medbrief.deck.model.DeckStyle` field that holds them
(``"title_color"``…); lengths are EMU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from medbrief.deck.fit import (
    CELL_INSET_X,
    CELL_INSET_Y,
    INSET_X,
    INSET_Y,
    QUOTE_INDENT,
    STEP_INSET_X,
    STEP_INSET_Y,
    STEP_RADIUS,
    STEP_TEXT_INSET,
    WIDTH_SLACK,
    FittedSlide,
    Measurer,
    Moved,
    ParaFormat,
    Placed,
    PlacedProcess,
    PlacedTable,
    body_boxes,
    fit_deck,
    process_title,
    quote_paragraphs,
    step_paragraphs,
    table_rows,
)
from medbrief.deck.geometry import Box, Frames
from medbrief.deck.images import Images
from medbrief.deck.label import LABEL_INSET_X, LABEL_INSET_Y, LABEL_NAME, LABEL_SIZE, label_box
from medbrief.deck.metrics import Fonts
from medbrief.deck.model import (
    Deck,
    DeckStyle,
    Image,
    Inline,
    Paragraph,
    Process,
    Quote,
    Run,
    Slide,
    Table,
    Text,
)
from medbrief.deck.units import Inches, Length, Pt

Anchor = Literal["t", "ctr", "b"]
Align = Literal["l", "ctr"] | None
"""Horizontal alignment; ``None`` keeps what the master's placeholder says."""

TEXT_COLOUR = "text_color"
ROLE_COLOURS = {
    "heading": "title_color",
    "cite": "muted_color",
    "label": "background_color",
    "on-accent": "background_color",
    "title": "title_color",
    "header": "table_header_text",
}
"""The colour of a paragraph's text by its role (other roles: :data:`TEXT_COLOUR`)."""
ACCENT = "accent_color"
"""Bullets, links, the quotation bar, diagram steps and the master's rule and bars."""
CONNECTOR = "muted_color"
"""A diagram's arrows."""
HEADER_FILL, BAND_FILL, PLAIN_FILL = "table_header_fill", "table_band", "background_color"
"""Table cells: the header row, even body rows, odd body rows."""
QUOTE_BAR = Inches(0.08)
"""Width of the accent bar left of a quotation."""
ARROW_WIDTH = Pt(2.5)
"""Line width of a diagram's arrows (their heads are large triangles)."""


def colour_of(role: str) -> str:
    return ROLE_COLOURS.get(role, TEXT_COLOUR)


def cell_fill(row: int) -> str:
    return HEADER_FILL if row == 0 else (BAND_FILL if row % 2 == 0 else PLAIN_FILL)


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnParagraph:
    """One paragraph as drawn: its runs, format, colour and place in its frame."""

    paragraph: Paragraph
    """As drawn: a title's runs are bold, a quotation's italic."""
    format: ParaFormat
    colour: str
    offset: Length
    """Top of its first line below the frame's top (inset and spacing included)."""
    lines: int

    @property
    def runs(self) -> Inline:
        return self.paragraph.runs


@dataclass(frozen=True)
class TextFrame:
    """A box of text: its paragraphs set at one size, anchored and inset as given."""

    box: Box
    paragraphs: tuple[DrawnParagraph, ...]
    size: Length
    line_pitch: Length
    """The exact line spacing at ``size``."""
    anchor: Anchor = "t"
    align: Align = "l"
    inset_x: Length = INSET_X
    inset_y: Length = INSET_Y
    text_height: Length = Length(0)
    """The paragraphs' height, insets included (a diagram step's: without them)."""
    name: str = ""
    text_inset: Length = Length(0)
    """More inset on every side: a rounded rectangle's own text area."""

    @property
    def fill_width(self) -> Length:
        """How wide its lines are filled (:data:`~medbrief.deck.fit.WIDTH_SLACK`)."""
        return Length((self.box.width - 2 * (self.inset_x + self.text_inset)) * WIDTH_SLACK)


@dataclass(frozen=True)
class TextShape:
    frame: TextFrame
    block: Text


@dataclass(frozen=True)
class QuoteShape:
    box: Box
    bar: Box
    frame: TextFrame
    block: Quote


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[DrawnParagraph, ...]
    fill: str


@dataclass(frozen=True)
class TableShape:
    box: Box
    col_widths: tuple[Length, ...]
    row_heights: tuple[Length, ...]
    cells: tuple[tuple[Cell, ...], ...]
    """Every row, the header first."""
    size: Length
    line_pitch: Length
    block: Table
    inset_x: Length = CELL_INSET_X
    inset_y: Length = CELL_INSET_Y


@dataclass(frozen=True)
class PictureShape:
    box: Box
    block: Image


@dataclass(frozen=True)
class Arrow:
    start: int
    end: int
    """Indexes of the steps it joins."""
    sides: tuple[int, int]
    """Connection sites on those steps: 0 top, 1 left, 2 bottom, 3 right."""


@dataclass(frozen=True)
class StepShape:
    frame: TextFrame
    """The step's box and text: centred both ways, inset by the rounded corners too."""
    fill: str = ACCENT


@dataclass(frozen=True)
class ProcessShape:
    box: Box
    title: TextFrame | None
    steps: tuple[StepShape, ...]
    arrows: tuple[Arrow, ...]
    size: Length
    line_pitch: Length
    block: Process
    radius: Length = STEP_RADIUS


Shape = TextShape | QuoteShape | TableShape | PictureShape | ProcessShape


@dataclass(frozen=True)
class RegionPlan:
    """One body area: its box and what is drawn in it."""

    box: Box
    shapes: tuple[Shape, ...]

    @property
    def text_only(self) -> TextFrame | None:
        """The frame, when the area holds one text frame (drawn in the body placeholder)."""
        if len(self.shapes) == 1 and isinstance(self.shapes[0], TextShape):
            return self.shapes[0].frame
        return None


@dataclass(frozen=True)
class SlidePlan:
    slide: Slide
    """The slide as fitted: layout, id, notes and its content as written."""
    title: TextFrame
    subtitle: TextFrame | None
    headers: tuple[TextFrame, ...]
    """Comparison column headings, one per column (empty otherwise)."""
    regions: tuple[RegionPlan, ...]
    label: TextFrame | None = None
    """The draft label (:mod:`medbrief.deck.label`): one bold line, centred in its box."""


@dataclass(frozen=True)
class DeckPlan:
    slides: tuple[SlidePlan, ...]
    template: str


# -- making the plan --------------------------------------------------------------------------


def measuring_fonts(style: DeckStyle) -> Fonts:
    """The fonts a deck in ``style`` is measured with (each file read once per process)."""
    return Fonts.load(style.font_regular, style.font_bold)


def plan_deck(
    deck: Deck,
    style: DeckStyle,
    frames: dict[str, Frames],
    images: Images,
    moved: list[Moved] | None = None,
    size: tuple[Length, Length] | None = None,
) -> DeckPlan:
    """Measure, fit and plan ``deck`` for the layouts ``frames`` of its master.  Titles and
    subtitles whose overflow went into the body are appended to ``moved``, when given.
    ``size`` (the slide's width and height) places the deck's draft label, if it has one."""
    measurer = Measurer(measuring_fonts(style), images.aspect)
    fitted = fit_deck(deck, frames, measurer, moved)
    planner = Planner(measurer, frames, keep_master_alignment=style.master is not None)
    slides = tuple(planner.slide(f) for f in fitted)
    if deck.label and size is not None:
        slides = tuple(
            replace(p, label=planner.label(deck.label, p.slide.layout, size)) for p in slides
        )
    return DeckPlan(slides, deck.template)


def _all_bold(runs: Inline) -> Inline:
    return tuple(Run(r.text, True, r.italic, r.href) for r in runs)


class Planner:
    """Turns fitted slides into slide plans; an organisation's master keeps its alignment."""

    def __init__(self, measurer: Measurer, frames: dict[str, Frames], keep_master_alignment: bool):
        self.m = measurer
        self.frames = frames
        self.title_align: Align = None if keep_master_alignment else "l"

    def paragraphs(
        self,
        paragraphs: Sequence[Paragraph],
        width: float,
        size: Length,
        role: str = "",
        inset_y: float = INSET_Y,
    ) -> tuple[DrawnParagraph, ...]:
        out, y = [], inset_y
        for i, p in enumerate(paragraphs):
            f = self.m.para_format(p, size, i == 0)
            y += f.space_before
            lines = len(self.m.paragraph_lines(p, f, width))
            out.append(DrawnParagraph(p, f, colour_of(p.role or role), Length(y), lines))
            y += lines * f.line_pitch
        return tuple(out)

    def pitch(self, size: Length) -> Length:
        return self.m.para_format(Paragraph(()), size, True).line_pitch

    def frame(
        self,
        box: Box,
        paragraphs: Sequence[Paragraph],
        size: Length,
        role: str = "",
        anchor: Anchor = "t",
        align: Align = "l",
        name: str = "",
    ) -> TextFrame:
        drawn = self.paragraphs(paragraphs, box.width, size, role)
        return TextFrame(
            box,
            drawn,
            size,
            self.pitch(size),
            anchor,
            align,
            text_height=self.m.text_height(paragraphs, box.width, size),
            name=name,
        )

    def label(self, text: str, layout: str, size: tuple[Length, Length]) -> TextFrame:
        """The draft label on a slide of ``layout``, where :func:`label_box` puts it."""
        box = label_box(self.frames[layout], *size)
        frame = self.frame(
            box,
            [Paragraph((Run(text, True),))],
            LABEL_SIZE,
            anchor="ctr",
            align="ctr",
            name=LABEL_NAME,
        )
        return replace(frame, inset_x=LABEL_INSET_X, inset_y=LABEL_INSET_Y)

    # slides
    def slide(self, fitted: FittedSlide) -> SlidePlan:
        slide = fitted.slide
        frames = self.frames[slide.layout]
        anchor: Anchor = "b" if slide.layout in ("title", "section") else "ctr"
        # A title is drawn bold; its runs keep their own italics and links.
        title = self.frame(
            frames.title,
            [Paragraph(_all_bold(slide.title))],
            fitted.title_size,
            "title",
            anchor,
            self.title_align,
        )
        subtitle = None
        if fitted.subtitle_size is not None and frames.subtitle is not None:
            subtitle = self.frame(
                frames.subtitle,
                [Paragraph(slide.subtitle)],
                fitted.subtitle_size,
                "cite",
                "t",
                self.title_align,
            )
        headers: tuple[TextFrame, ...] = ()
        if fitted.header_size is not None:
            headers = tuple(
                self.frame(
                    box,
                    [Paragraph(_all_bold(c.heading), role="heading")],
                    fitted.header_size,
                    anchor="b",
                )
                for c, box in zip(slide.columns, frames.headers, strict=False)
            )
        boxes = body_boxes(slide, frames)
        regions = tuple(
            RegionPlan(box, tuple(self.shape(p, fitted.body_size) for p in placed))
            for placed, box in zip(fitted.regions, boxes, strict=False)
        )
        return SlidePlan(slide, title, subtitle, headers, regions)

    # shapes
    def shape(self, placed: Placed, size: Length) -> Shape:
        block = placed.block
        if isinstance(placed, PlacedTable):
            return self.table(placed, size)
        if isinstance(placed, PlacedProcess):
            return self.process(placed, size)
        if isinstance(block, Image):
            return PictureShape(placed.box, block)
        if isinstance(block, Quote):
            return self.quote(placed.box, block, size)
        return TextShape(self.frame(placed.box, block.paragraphs, size), block)

    def quote(self, box: Box, quote: Quote, size: Length) -> QuoteShape:
        bar = Box(box.left, box.top, QUOTE_BAR, box.height)
        text = Box(
            Length(box.left + QUOTE_INDENT), box.top, Length(box.width - QUOTE_INDENT), box.height
        )
        return QuoteShape(
            box, bar, self.frame(text, quote_paragraphs(quote), size, name="Quote"), quote
        )

    def table(self, placed: PlacedTable, size: Length) -> TableShape:
        cells = tuple(
            tuple(
                Cell(
                    self.paragraphs(
                        [Paragraph(runs)],
                        width - 2 * CELL_INSET_X,
                        size,
                        "header" if r == 0 else "",
                        CELL_INSET_Y,
                    ),
                    cell_fill(r),
                )
                for runs, width in zip(row, placed.col_widths, strict=True)
            )
            for r, row in enumerate(table_rows(placed.block))
        )
        return TableShape(
            placed.box,
            placed.col_widths,
            placed.row_heights,
            cells,
            size,
            self.pitch(size),
            placed.block,
        )

    def process(self, placed: PlacedProcess, size: Length) -> ProcessShape:
        pr = placed.block
        title = None
        if pr.title and placed.title_box is not None:
            title = self.frame(placed.title_box, process_title(pr), size, name="Diagram title")
        steps = tuple(
            self.step(step, box, size)
            for step, box in zip(pr.steps, placed.step_boxes, strict=True)
        )
        arrows = tuple(Arrow(n, n + 1, _sides(n, placed.per_row)) for n in range(len(steps) - 1))
        return ProcessShape(placed.box, title, steps, arrows, size, self.pitch(size), pr)

    def step(self, step, box: Box, size: Length) -> StepShape:
        paragraphs = step_paragraphs(step)
        inner = box.width - 2 * (STEP_INSET_X + STEP_TEXT_INSET - INSET_X)
        drawn = self.paragraphs(paragraphs, inner, size, "on-accent", STEP_INSET_Y)
        height = self.m.text_height(paragraphs, inner, size, Length(0))
        frame = TextFrame(
            box,
            drawn,
            size,
            self.pitch(size),
            "ctr",
            "ctr",
            STEP_INSET_X,
            STEP_INSET_Y,
            height,
            text_inset=STEP_TEXT_INSET,
        )
        return StepShape(frame)


def _sides(n: int, per_row: int) -> tuple[int, int]:
    """Connection sites (0 top, 1 left, 2 bottom, 3 right) for the arrow after step n+1.

    Rows run left to right, then right to left (a snake): the last step of a row joins the
    next row from below.
    """
    row, col = divmod(n, per_row)
    if col == per_row - 1:
        return 2, 0
    return (3, 1) if row % 2 == 0 else (1, 3)
