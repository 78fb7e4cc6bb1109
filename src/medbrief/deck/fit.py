"""Fit slides to their boxes: choose font sizes, split what is too long, place every block.

Text is measured with the fonts' real advance widths (:mod:`medbrief.deck.metrics`).  A
slide's body is tried at its preferred size, then smaller in 2 pt steps down to the floor
(20 pt; titles 28 pt).  If it is still too tall at the floor, its body is split across
follow-on slides titled "<title> (continued)" (numbered when there are several), each
carrying the slide's notes.  A title or subtitle too long for its box even at its floor
size keeps the words that fit (ending "…") and its overflow becomes the first paragraph of
the body (a layout without a body area is drawn as a "content" slide instead); each such
move is recorded as a :class:`Moved`, which the build reports as a warning.  The writer
draws exactly what is measured here: the paragraph formats (:func:`para_format`), insets
and boxes all come from this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from medbrief.deck.geometry import Box, Frames, union
from medbrief.deck.metrics import Fonts, Line, wrap
from medbrief.deck.model import (
    Block,
    Column,
    Deck,
    Image,
    Inline,
    Paragraph,
    Process,
    Quote,
    Run,
    Slide,
    Step,
    Table,
    Text,
    plain,
)
from medbrief.deck.units import EMU_PER_PT, Inches, Length, Pt
from medbrief.errors import RenderError


def sizes(preferred: int, floor: int, step: int = 2) -> tuple[Length, ...]:
    """Font sizes to try, largest first."""
    return tuple(Pt(size) for size in range(preferred, floor - 1, -step))


BODY_SIZES = sizes(28, 20)
TITLE_SIZES = sizes(40, 28)
COVER_TITLE_SIZES = sizes(54, 28)
SECTION_TITLE_SIZES = sizes(44, 28)
SUBTITLE_SIZES = sizes(28, 20)
HEADER_SIZES = sizes(28, 20)

INSET_X, INSET_Y = Inches(0.1), Inches(0.05)
"""Insets of every text frame the writer draws."""
CELL_INSET_X, CELL_INSET_Y = Inches(0.1), Inches(0.06)
STEP_INSET_X, STEP_INSET_Y = Inches(0.1), Inches(0.08)
STEP_RADIUS = Inches(0.15)
"""Corner radius of a process step's rounded box (the writer sets the shape's adjustment)."""
STEP_TEXT_INSET = Length(STEP_RADIUS * 0.29289)
"""A rounded rectangle's own text area is inset by 29.289 % of its corner radius on every
side (``roundRect`` in the DrawingML preset geometries), on top of the frame's insets."""
QUOTE_INDENT = Inches(0.3)
"""Room left of a quotation for its accent bar."""
WIDTH_SLACK = 0.96
"""Lines are filled to 96 % of their width: renderers round and hint differently."""
IMAGE_MIN = Inches(1.5)
ARROW_GAP = Inches(0.55)
ROW_GAP = Inches(0.5)
MAX_STEPS_PER_ROW = 4


@dataclass(frozen=True)
class ParaFormat:
    """How one paragraph is set: the writer applies exactly these values."""

    size: Length
    margin_left: Length  # where the text starts
    indent: Length  # first-line offset; negative when a bullet hangs in the margin
    space_before: Length
    line_pitch: Length  # exact line spacing


@dataclass(frozen=True)
class Placed:
    block: Block
    box: Box


@dataclass(frozen=True)
class PlacedTable(Placed):
    col_widths: tuple[Length, ...]
    row_heights: tuple[Length, ...]


@dataclass(frozen=True)
class PlacedProcess(Placed):
    title_box: Box | None
    step_boxes: tuple[Box, ...]
    per_row: int


@dataclass(frozen=True)
class FittedSlide:
    """A slide ready to draw: sizes chosen and every block placed."""

    slide: Slide
    title_size: Length
    subtitle_size: Length | None
    body_size: Length
    regions: tuple[tuple[Placed, ...], ...]
    header_size: Length | None = None


@dataclass(frozen=True)
class Moved:
    """A title or subtitle that did not fit its box even at its floor size, and what was done."""

    slide: Slide
    """The slide as written (its number, title and layout before the move)."""
    what: str
    """"title" or "subtitle"."""
    text: str
    """The whole title or subtitle, as written."""
    floor: Length
    how: str


ELLIPSIS = "\u2026"


def centipoints(length: float) -> Length:
    """Round a length to whole hundredths of a point, the precision DrawingML stores."""
    return Length(round(length * 100 / EMU_PER_PT) * EMU_PER_PT / 100)


# -- measuring text ------------------------------------------------------------------------


class Measurer:
    """Measures paragraphs with a deck's fonts; ``image_aspect(src)`` gives width/height."""

    def __init__(self, fonts: Fonts, image_aspect: Callable[[str], float]):
        self.fonts = fonts
        self.image_aspect = image_aspect
        self._widths: dict[Inline, list[float]] = {}
        self.processes: dict[tuple[Process, int, int], _ProcessSize] = {}
        """Diagram layouts already chosen, by (diagram, width, size)."""
        self.columns: dict[tuple[Table, int, int], tuple[Length, ...]] = {}
        """Table column widths already shared out, by (table, width, size)."""

    def para_format(self, p: Paragraph, size: Length, first: bool) -> ParaFormat:
        pitch = centipoints(size * self.fonts.line_ratio)
        space = 0 if first else size * (0.45 if p.level == 0 else 0.2)
        if p.bullet is None:
            return ParaFormat(size, Length(0), Length(0), centipoints(space), pitch)
        hang = size * (1.75 if p.bullet == "number" else 1.1)
        margin = hang + p.level * size * 1.25
        indent = 0 if p.continued else -hang
        return ParaFormat(size, Length(margin), Length(indent), centipoints(space), pitch)

    def lines(self, runs: Inline, width: float, size: Length) -> list[Line]:
        """How ``runs`` wrap in ``width`` EMU at ``size``."""
        widths = self._widths.get(runs)
        if widths is None:
            widths = self._widths[runs] = self.fonts.em_widths(runs)
        return wrap(plain(runs), widths, width * WIDTH_SLACK / size)

    def paragraph_lines(self, p: Paragraph, f: ParaFormat, width: float) -> list[Line]:
        return self.lines(p.runs, width - 2 * INSET_X - f.margin_left, f.size)

    def text_height(
        self, paragraphs: Sequence[Paragraph], width: float, size: Length, inset_y: float = INSET_Y
    ) -> Length:
        height = 2 * inset_y
        for i, p in enumerate(paragraphs):
            f = self.para_format(p, size, i == 0)
            height += f.space_before + len(self.paragraph_lines(p, f, width)) * f.line_pitch
        return Length(height)

    def line_width(self, runs: Inline, size: Length) -> float:
        return self.fonts.text_width(runs) * size

    def longest_word(self, runs: Inline, size: Length) -> float:
        words = [Run(word, run.bold) for run in runs for word in run.text.split()]
        return max((self.fonts.text_width((w,)) for w in words), default=0.0) * size


# -- splitting runs and paragraphs ---------------------------------------------------------


def slice_runs(runs: Inline, start: int, end: int) -> Inline:
    """The runs covering characters ``start:end`` of their joined text."""
    out, pos = [], 0
    for run in runs:
        lo, hi = max(start - pos, 0), min(end - pos, len(run.text))
        if lo < hi:
            out.append(replace(run, text=run.text[lo:hi]))
        pos += len(run.text)
    return tuple(out)


def split_paragraph(p: Paragraph, lines: list[Line], keep: int) -> tuple[Paragraph, Paragraph]:
    """The first ``keep`` lines of ``p``, and the rest (which gets no second bullet)."""
    head = slice_runs(p.runs, 0, lines[keep - 1][1])
    tail = slice_runs(p.runs, lines[keep][0], len(p.text))
    return replace(p, runs=head), replace(p, runs=tail, continued=True)


def split_text(
    m: Measurer, paragraphs: Sequence[Paragraph], width: float, size: Length, avail: float
) -> tuple[tuple[Paragraph, ...], tuple[Paragraph, ...]]:
    """Paragraphs that fit in ``avail`` EMU of height, and the rest."""
    used = 2 * INSET_Y
    for i, p in enumerate(paragraphs):
        f = m.para_format(p, size, i == 0)
        lines = m.paragraph_lines(p, f, width)
        room = int((avail - used - f.space_before) // f.line_pitch)
        if room >= len(lines):
            used += f.space_before + len(lines) * f.line_pitch
            continue
        if room <= 0:
            return tuple(paragraphs[:i]), tuple(paragraphs[i:])
        head, tail = split_paragraph(p, lines, room)
        return (*paragraphs[:i], head), (tail, *paragraphs[i + 1 :])
    return tuple(paragraphs), ()


# -- blocks: quotes ---------------------------------------------------------------------------


def quote_paragraphs(q: Quote) -> tuple[Paragraph, ...]:
    """A quotation's paragraphs (italic) and its citation line, as drawn."""
    body = tuple(p if p.role else replace(p, runs=_italic(p.runs)) for p in q.paragraphs)
    return (*body, Paragraph(q.cite, role="cite")) if q.cite else body


def _italic(runs: Inline) -> Inline:
    return tuple(replace(run, italic=True) for run in runs)


def _as_quote(paragraphs: tuple[Paragraph, ...]) -> Quote:
    """Undo :func:`quote_paragraphs` after a split."""
    last = paragraphs[-1] if paragraphs else None
    if last and last.role == "cite" and not last.continued:
        return Quote(paragraphs[:-1], last.runs)
    return Quote(paragraphs)


# -- blocks: tables -----------------------------------------------------------------------


def _bold(runs: Inline) -> Inline:
    return tuple(replace(run, bold=True) for run in runs)


def table_rows(t: Table) -> tuple[tuple[Inline, ...], ...]:
    """All rows as drawn: the header's runs are bold."""
    return (tuple(_bold(cell) for cell in t.header), *t.rows)


def column_widths(m: Measurer, t: Table, width: float, size: Length) -> tuple[Length, ...]:
    """Share ``width`` between columns: natural widths when they fit, else by need."""
    key = (t, int(width), int(size))
    if key not in m.columns:
        m.columns[key] = _column_widths(m, t, width, size)
    return m.columns[key]


def _column_widths(m: Measurer, t: Table, width: float, size: Length) -> tuple[Length, ...]:
    rows = table_rows(t)
    pad = 2 * CELL_INSET_X / WIDTH_SLACK
    natural = [max(m.line_width(r[c], size) for r in rows) + pad for c in range(len(t.header))]
    least = [max(m.longest_word(r[c], size) for r in rows) + pad for c in range(len(t.header))]
    if sum(least) > width:  # a word wider than its share is broken, never the other columns
        fair = width / len(least)
        least = [min(lo, fair) for lo in least]
    if sum(natural) <= width:
        shares = natural
    elif sum(least) <= width:
        extra = [n - lo for n, lo in zip(natural, least, strict=True)]
        spare = (width - sum(least)) / (sum(extra) or 1)
        shares = [lo + e * spare for lo, e in zip(least, extra, strict=True)]
    else:
        shares = least
    return _apportion(shares, width)


def _apportion(shares: list[float], width: float) -> tuple[Length, ...]:
    """Scale ``shares`` to add up to exactly ``width`` EMU."""
    total = sum(shares) or 1
    widths = [Length(width * s / total) for s in shares[:-1]]
    return (*widths, Length(width - sum(widths)))


def row_heights(m: Measurer, t: Table, cols: tuple[Length, ...], size: Length) -> list[Length]:
    pitch = m.para_format(Paragraph(()), size, True).line_pitch
    heights = []
    for row in table_rows(t):
        cells = zip(row, cols, strict=True)
        lines = max(len(m.lines(cell, w - 2 * CELL_INSET_X, size)) for cell, w in cells)
        heights.append(Length(lines * pitch + 2 * CELL_INSET_Y))
    return heights


# -- blocks: process diagrams ---------------------------------------------------------------


def row_options(steps: int) -> list[int]:
    """Steps per row to try, fewest rows first: balanced rows of up to four steps."""
    options: list[int] = []
    for rows in range(1, steps + 1):
        per = math.ceil(steps / rows)
        if per <= MAX_STEPS_PER_ROW and per not in options:
            options.append(per)
    return options


def step_paragraphs(step: Step) -> tuple[Paragraph, ...]:
    label = Paragraph((Run(step.label, bold=True),), role="label")
    return (label, Paragraph(step.description)) if step.description else (label,)


def process_title(pr: Process) -> tuple[Paragraph, ...]:
    return (Paragraph((Run(pr.title, bold=True),), role="heading"),) if pr.title else ()


@dataclass(frozen=True)
class _ProcessSize:
    per_row: int
    step_width: Length
    step_height: Length
    title_height: Length

    def height(self, steps: int) -> Length:
        rows = math.ceil(steps / self.per_row)
        return Length(self.title_height + rows * self.step_height + (rows - 1) * ROW_GAP)


def process_size(m: Measurer, pr: Process, width: float, size: Length) -> _ProcessSize:
    """How a diagram is laid out at ``size``: the arrangement of rows that is least tall.

    One row of narrow boxes grows tall when steps have long descriptions; two rows of wider
    boxes may then take less height (and a diagram too tall for a slide is split by rows).
    Equal heights keep the fewer rows.
    """
    key = (pr, int(width), int(size))
    if key not in m.processes:
        n = len(pr.steps)
        options = [_process_size(m, pr, width, size, cols) for cols in row_options(n)]
        m.processes[key] = min(options, key=lambda ps: ps.height(n))
    return m.processes[key]


def _process_size(m: Measurer, pr: Process, width: float, size: Length, cols: int) -> _ProcessSize:
    step_w = Length((width - (cols - 1) * ARROW_GAP) / cols)
    inner = step_w - 2 * (STEP_INSET_X + STEP_TEXT_INSET - INSET_X)
    tallest = (
        max(m.text_height(step_paragraphs(s), inner, size, STEP_INSET_Y) for s in pr.steps)
        + 2 * STEP_TEXT_INSET
    )
    title = process_title(pr)
    title_h = m.text_height(title, width, size) + ROW_GAP / 2 if title else Length(0)
    return _ProcessSize(cols, step_w, Length(tallest), Length(title_h))


def _split_process(
    m: Measurer, pr: Process, width: float, size: Length, avail: float
) -> tuple[Process | None, Process | None]:
    ps = process_size(m, pr, width, size)
    rows = int((avail - ps.title_height + ROW_GAP) // (ps.step_height + ROW_GAP))
    keep = max(rows, 0) * ps.per_row
    if keep >= len(pr.steps):
        return pr, None
    if keep == 0:
        return None, pr
    return replace(pr, steps=pr.steps[:keep]), replace(pr, steps=pr.steps[keep:])


# -- blocks: dispatch -------------------------------------------------------------------------


def block_height(m: Measurer, block: Block, width: float, size: Length) -> Length:
    """Height of a block at ``size``; a picture counts its smallest useful height."""
    if isinstance(block, Text):
        return m.text_height(block.paragraphs, width, size)
    if isinstance(block, Quote):
        return m.text_height(quote_paragraphs(block), width - QUOTE_INDENT, size)
    if isinstance(block, Table):
        return Length(sum(row_heights(m, block, column_widths(m, block, width, size), size)))
    if isinstance(block, Process):
        return process_size(m, block, width, size).height(len(block.steps))
    return Length(min(IMAGE_MIN, width / m.image_aspect(block.src)))


def split_block(
    m: Measurer, block: Block, width: float, size: Length, avail: float
) -> tuple[Block | None, Block | None]:
    """The part of ``block`` that fits in ``avail`` EMU of height, and the rest."""
    if block_height(m, block, width, size) <= avail:
        return block, None
    if isinstance(block, Text):
        head, tail = split_text(m, block.paragraphs, width, size, avail)
        return (Text(head) if head else None), Text(tail)
    if isinstance(block, Quote):
        head, tail = split_text(m, quote_paragraphs(block), width - QUOTE_INDENT, size, avail)
        return (_as_quote(head) if head else None), _as_quote(tail)
    if isinstance(block, Table):
        return _split_table(m, block, width, size, avail)
    if isinstance(block, Process):
        return _split_process(m, block, width, size, avail)
    return None, block


def _split_table(
    m: Measurer, t: Table, width: float, size: Length, avail: float
) -> tuple[Table | None, Table | None]:
    heights = row_heights(m, t, column_widths(m, t, width, size), size)
    used, keep = heights[0], 0
    while keep < len(t.rows) and used + heights[keep + 1] <= avail:
        used += heights[keep + 1]
        keep += 1
    if keep == 0:
        return None, t
    return replace(t, rows=t.rows[:keep]), replace(t, rows=t.rows[keep:])


# -- regions: a column of blocks in one body box ------------------------------------------


@dataclass(frozen=True)
class Region:
    heading: Inline
    blocks: tuple[Block, ...]

    def all_blocks(self) -> tuple[Block, ...]:
        if not self.heading:
            return self.blocks
        return (Text((Paragraph(_bold(self.heading), role="heading"),)), *self.blocks)


def merge_text(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Join neighbouring text blocks, so they share one text frame."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].paragraphs + block.paragraphs)
        else:
            out.append(block)
    return tuple(out)


def block_gap(size: Length) -> Length:
    return Length(size * 0.6)


def region_height(m: Measurer, region: Region, width: float, size: Length) -> Length:
    blocks = merge_text(region.all_blocks())
    heights = [block_height(m, b, width, size) for b in blocks]
    return Length(sum(heights) + max(len(blocks) - 1, 0) * block_gap(size))


def split_region(
    m: Measurer, region: Region, box: Box, size: Length
) -> tuple[Region, Region | None]:
    """Blocks of ``region`` that fit ``box`` at ``size``, and the rest (heading repeated)."""
    avail = box.height - (
        region_height(m, Region(region.heading, ()), box.width, size) + block_gap(size)
        if region.heading
        else 0
    )
    blocks = merge_text(region.blocks)
    taken: list[Block] = []
    for i, block in enumerate(blocks):
        head, tail = split_block(m, block, box.width, size, avail)
        if head is not None:
            taken.append(head)
            avail -= block_height(m, head, box.width, size) + block_gap(size)
        if tail is not None:
            rest = (tail, *blocks[i + 1 :])
            return Region(region.heading, tuple(taken)), Region(region.heading, rest)
    return Region(region.heading, tuple(taken)), None


# -- placing -----------------------------------------------------------------------------


def place_region(m: Measurer, region: Region, box: Box, size: Length) -> tuple[Placed, ...]:
    """Stack the blocks top-down; pictures share whatever height is left."""
    blocks = merge_text(region.all_blocks())
    if len(blocks) == 1 and isinstance(blocks[0], Text):
        return (Placed(blocks[0], box),)
    fixed = {
        i: block_height(m, b, box.width, size)
        for i, b in enumerate(blocks)
        if not isinstance(b, Image)
    }
    images = len(blocks) - len(fixed)
    spare = box.height - sum(fixed.values()) - (len(blocks) - 1) * block_gap(size)
    placed, top = [], box.top
    for i, block in enumerate(blocks):
        height = fixed.get(i, spare / max(images, 1))
        placed.append(_place(m, block, Box(box.left, Length(top), box.width, Length(height)), size))
        top += placed[-1].box.height + block_gap(size)
    return tuple(placed)


def _place(m: Measurer, block: Block, box: Box, size: Length) -> Placed:
    if isinstance(block, Image):
        return _place_image(m, block, box)
    if isinstance(block, Table):
        cols = column_widths(m, block, box.width, size)
        rows = tuple(row_heights(m, block, cols, size))
        return PlacedTable(block, replace(box, height=Length(sum(rows))), cols, rows)
    if isinstance(block, Process):
        return _place_process(m, block, box, size)
    return Placed(block, box)


def _place_image(m: Measurer, image: Image, box: Box) -> Placed:
    aspect = m.image_aspect(image.src)
    height = min(box.height, box.width / aspect)
    width = height * aspect
    left = box.left + (box.width - width) / 2
    return Placed(image, Box(Length(left), box.top, Length(width), Length(height)))


def _place_process(m: Measurer, pr: Process, box: Box, size: Length) -> PlacedProcess:
    ps = process_size(m, pr, box.width, size)
    title = None
    if ps.title_height:
        title = Box(box.left, box.top, box.width, Length(ps.title_height - ROW_GAP / 2))
    steps = tuple(_step_box(ps, box, i) for i in range(len(pr.steps)))
    placed_box = replace(box, height=ps.height(len(pr.steps)))
    return PlacedProcess(pr, placed_box, title, steps, ps.per_row)


def _step_box(ps: _ProcessSize, box: Box, i: int) -> Box:
    """Rows run left to right, then right to left (a snake), so arrows stay short."""
    row, col = divmod(i, ps.per_row)
    if row % 2:
        col = ps.per_row - 1 - col
    left = box.left + col * (ps.step_width + ARROW_GAP)
    top = box.top + ps.title_height + row * (ps.step_height + ROW_GAP)
    return Box(Length(left), Length(top), ps.step_width, ps.step_height)


# -- slides ------------------------------------------------------------------------------


def regions(slide: Slide) -> tuple[Region, ...]:
    if slide.columns:
        heading = slide.layout == "two-content"
        return tuple(Region(c.heading if heading else (), c.blocks) for c in slide.columns)
    return (Region((), slide.blocks),) if slide.blocks else ()


def body_boxes(slide: Slide, frames: Frames) -> tuple[Box, ...]:
    """Column slides use the layout's body boxes; others one box spanning them all."""
    if slide.columns or len(frames.body) < 2:
        return frames.body
    return (union(frames.body + frames.headers),)


def with_regions(slide: Slide, parts: Sequence[Region]) -> Slide:
    if slide.columns:
        return replace(
            slide,
            columns=tuple(
                Column(c.heading, r.blocks) for c, r in zip(slide.columns, parts, strict=False)
            ),
        )
    return replace(slide, blocks=parts[0].blocks if parts else ())


class Fitter:
    """Fits a deck's slides to the frames of their layouts."""

    def __init__(self, measurer: Measurer, frames: dict[str, Frames], template: str):
        self.m = measurer
        self.frames = frames
        self.template = template
        self.moved: list[Moved] = []
        self.titles: set[str] = set()
        """Titles drawn so far (casefolded): a shortened title must not repeat one."""

    def fit_deck(self, deck: Deck) -> list[FittedSlide]:
        fitted: list[FittedSlide] = []
        for slide in deck.slides:
            fitted.extend(self.fit_slide(slide))
        return fitted

    def fit_slide(self, slide: Slide) -> list[FittedSlide]:
        slide = self._make_room(slide)
        frames = self.frames[slide.layout]
        self._check_body_frames(slide, frames)
        parts = _continued(self._split(slide, body_boxes(slide, frames)))
        fitted = [
            self._fitted((self._continued_title(part, frames), size), frames)
            for part, size in parts
        ]
        self.titles.update(f.slide.title_text.casefold() for f in fitted)
        return fitted

    # -- titles and subtitles too long for their boxes ------------------------------------

    def _fits_line(self, runs: Inline, box: Box, size: Length) -> bool:
        return self.m.text_height((Paragraph(runs),), box.width, size) <= box.height

    def _shorten(
        self, slide: Slide, runs: Inline, box: Box, size: Length, what: str, suffix: Inline = ()
    ) -> tuple[Inline, Inline]:
        """The most whole words of ``runs`` that fit ``box`` at ``size`` followed by " …" and
        ``suffix``, and the words left over; an error when not even one word fits."""
        text = plain(runs)
        words = [m.span() for m in re.finditer(r"\S+", text)]
        bold = bool(runs) and all(r.bold for r in runs)

        def head(k: int) -> Inline:
            mark = () if text[slice(*words[k - 1])] == ELLIPSIS else (Run(f" {ELLIPSIS}", bold),)
            return (*slice_runs(runs, 0, words[k - 1][1]), *mark, *suffix)

        lo, hi = 0, len(words) - 1  # the largest k in [1, len - 1] whose head fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._fits_line(head(mid), box, size):
                lo = mid
            else:
                hi = mid - 1
        if lo == 0 and not (words and self._fits_line(head(1), box, size)):
            raise self._error(
                slide,
                f"the {what} does not fit its box even at {size.pt:g} pt, not even its first word",
                f"shorten the {what}, or use a master whose layout gives it a larger box",
            )
        lo = max(lo, 1)
        rest = (
            (Run(f"{ELLIPSIS} ", bold), *slice_runs(runs, words[lo][0], len(text)))
            if lo < len(words)
            else ()
        )
        return head(lo), rest

    def _distinct(self, slide: Slide, runs: Inline, box: Box, size: Length) -> Inline:
        """A shortened title no earlier slide has: its first words, " … " and its last words
        (as few as tell it apart), else its first words numbered " … (2)"."""
        text = plain(runs)
        words = [m.span() for m in re.finditer(r"\S+", text)]
        for j in range(1, len(words) - 1):
            end = (Run(" " + text[words[-j][0] :], True),)
            title, _ = self._shorten(
                slide, slice_runs(runs, 0, words[-j - 1][1]), box, size, "title", suffix=end
            )
            if plain(title).casefold() not in self.titles and self._fits_line(title, box, size):
                return title
        n = 2
        while True:
            number = (Run(f" ({n})", True),)
            title, _ = self._shorten(slide, runs, box, size, "title", suffix=number)
            if plain(title).casefold() not in self.titles:
                return title
            n += 1

    def _roomy_layout(self) -> str | None:
        """A layout with a title and one body area, for a slide whose own has no body."""
        for name in ("content", "blank"):
            if name in self.frames and self.frames[name].body:
                return name
        return None

    def _make_room(self, slide: Slide) -> Slide:
        """Move what a title or subtitle cannot show even at its floor size into the body."""
        frames, written = self.frames[slide.layout], slide
        title_floor, sub_floor = (sizes[-1] for sizes in _title_sizes(slide.layout))
        title_fits = self._fits_line(_bold(slide.title), frames.title, title_floor)
        sub_fits = (
            not slide.subtitle
            or frames.subtitle is None
            or self._fits_line(slide.subtitle, frames.subtitle, sub_floor)
        )
        if title_fits and sub_fits:
            return slide
        lead: list[Paragraph] = []
        if not frames.body:
            roomy = self._roomy_layout()
            if roomy is None:
                what = "subtitle" if title_fits else "title"
                floor = sub_floor if title_fits else title_floor
                raise self._error(
                    slide,
                    f"the {what} does not fit its box even at "
                    f"{floor.pt:g} pt and no layout has a body area to take "
                    "the rest",
                    f"shorten the {what}",
                )
            slide, frames = replace(slide, layout=roomy), self.frames[roomy]
            if slide.subtitle and frames.subtitle is None:
                lead.append(Paragraph(slide.subtitle))
                self.moved.append(
                    Moved(
                        written,
                        "subtitle",
                        plain(written.subtitle),
                        sub_floor,
                        f'the slide is drawn as a "{roomy}" slide with the '
                        "subtitle as its first paragraph",
                    )
                )
                slide = replace(slide, subtitle=())
        if (
            slide.subtitle
            and frames.subtitle is not None
            and not self._fits_line(slide.subtitle, frames.subtitle, sub_floor)
        ):
            subtitle, rest = self._shorten(
                slide, slide.subtitle, frames.subtitle, sub_floor, "subtitle"
            )
            lead.append(Paragraph(rest))
            self.moved.append(
                Moved(
                    written,
                    "subtitle",
                    plain(written.subtitle),
                    sub_floor,
                    "the words that do not fit begin the slide's body",
                )
            )
            slide = replace(slide, subtitle=subtitle)
        title_floor = _title_sizes(slide.layout)[0][-1]
        if not self._fits_line(_bold(slide.title), frames.title, title_floor):
            title, rest = self._shorten(
                slide, _bold(slide.title), frames.title, title_floor, "title"
            )
            if plain(title).casefold() in self.titles:
                title = self._distinct(slide, _bold(slide.title), frames.title, title_floor)
            lead.insert(0, Paragraph(rest))
            self.moved.append(
                Moved(
                    written,
                    "title",
                    written.title_text,
                    title_floor,
                    "the words that do not fit begin the slide's body",
                )
            )
            slide = replace(slide, title=title)
        return _with_lead(slide, tuple(p for p in lead if p.runs))

    def _continued_title(self, slide: Slide, frames: Frames) -> Slide:
        """A "(continued)" title that no longer fits at the floor loses words before " …"."""
        floor = _title_sizes(slide.layout)[0][-1]
        if len(slide.title) < 2 or self._fits_line(_bold(slide.title), frames.title, floor):
            return slide
        title, _ = self._shorten(
            slide,
            _bold(slide.title[:-1]),
            frames.title,
            floor,
            "title",
            suffix=(Run(slide.title[-1].text, True),),
        )
        return replace(slide, title=title)

    def _split(self, slide: Slide, boxes: tuple[Box, ...]) -> list[tuple[Slide, Length]]:
        """The slide (and any continuations) with the body size they are all set at.

        A body that fits is set at the largest size it fits at.  One that does not fit even
        at the floor is split; its parts share one size: the largest at which the split
        needs no more slides than at the floor (so a table that takes two slides anyway is
        not set smaller than it need be).
        """
        parts = regions(slide)
        for size in BODY_SIZES:
            if self._fits(parts, boxes, size):
                return [(slide, size)]
        floor = BODY_SIZES[-1]
        least = self._split_at(slide, boxes, floor)
        for size in BODY_SIZES[:-1]:
            try:
                split = self._split_at(slide, boxes, size)
            except RenderError:  # a row or step too tall at this size: try smaller
                continue
            if len(split) <= len(least):
                return [(part, size) for part in split]
        return [(part, floor) for part in least]

    def _split_at(self, slide: Slide, boxes: tuple[Box, ...], size: Length) -> list[Slide]:
        """The slide cut into parts whose bodies each fit their boxes at ``size``."""
        parts = regions(slide)
        if self._fits(parts, boxes, size):
            return [slide]
        split = [split_region(self.m, r, box, size) for r, box in zip(parts, boxes, strict=False)]
        if not any(head.blocks for head, _ in split):
            raise self._error(
                slide,
                "a table row or diagram step is too tall for the slide",
                "shorten it, or split it into smaller pieces",
            )
        head = with_regions(slide, [h for h, _ in split])
        if all(t is None for _, t in split):
            return [head]
        tail = with_regions(slide, [t or Region(h.heading, ()) for h, t in split])
        return [head, *self._split_at(tail, boxes, size)]

    def _fits(self, parts: Sequence[Region], boxes: Sequence[Box], size: Length) -> bool:
        return all(
            region_height(self.m, r, b.width, size) <= b.height
            for r, b in zip(parts, boxes, strict=False)
        )

    def _fitted(self, part: tuple[Slide, Length], frames: Frames) -> FittedSlide:
        slide, size = part
        title_sizes, subtitle_sizes = _title_sizes(slide.layout)
        title = self._size_of(
            slide, (Paragraph(_bold(slide.title)),), frames.title, title_sizes, "title"
        )
        subtitle = None
        if slide.subtitle and frames.subtitle:
            subtitle = self._size_of(
                slide, (Paragraph(slide.subtitle),), frames.subtitle, subtitle_sizes, "subtitle"
            )
        boxes = zip(regions(slide), body_boxes(slide, frames), strict=False)
        placed = tuple(place_region(self.m, r, box, size) for r, box in boxes)
        return FittedSlide(slide, title, subtitle, size, placed, self._header_size(slide, frames))

    def _header_size(self, slide: Slide, frames: Frames) -> Length | None:
        if slide.layout != "comparison" or not slide.columns:
            return None
        pairs = zip(slide.columns, frames.headers, strict=False)
        return min(
            self._size_of(
                slide, (Paragraph(_bold(c.heading)),), box, HEADER_SIZES, "column heading"
            )
            for c, box in pairs
        )

    def _size_of(
        self,
        slide: Slide,
        paragraphs: tuple[Paragraph, ...],
        box: Box,
        choices: tuple[Length, ...],
        what: str,
    ) -> Length:
        for size in choices:
            if self.m.text_height(paragraphs, box.width, size) <= box.height:
                return size
        raise self._error(
            slide,
            f"the {what} does not fit its box even at {choices[-1].pt:g} pt",
            f"shorten the {what}",
        )

    def _check_body_frames(self, slide: Slide, frames: Frames) -> None:
        hint = "map the layout to a master layout with the placeholders it needs"
        needed = len(regions(slide))
        if needed > len(frames.body):
            raise self._error(
                slide,
                f'the "{slide.layout}" layout has {len(frames.body)} body '
                f"area(s), the slide needs {needed}",
                hint,
            )
        if slide.subtitle and frames.subtitle is None:
            raise self._error(slide, f'the "{slide.layout}" layout has no subtitle area', hint)
        if slide.layout == "comparison" and slide.columns and len(frames.headers) < 2:
            raise self._error(slide, 'the "comparison" layout has no column heading areas', hint)

    def _error(self, slide: Slide, message: str, hint: str) -> RenderError:
        return RenderError(
            f"{slide.label}: {message}", hint=hint, location=slide.location(self.template)
        )


def _title_sizes(layout: str) -> tuple[tuple[Length, ...], tuple[Length, ...]]:
    if layout == "title":
        return COVER_TITLE_SIZES, SUBTITLE_SIZES
    if layout == "section":
        return SECTION_TITLE_SIZES, SUBTITLE_SIZES
    return TITLE_SIZES, SUBTITLE_SIZES


def _continued(parts: list[tuple[Slide, Length]]) -> list[tuple[Slide, Length]]:
    """Title follow-on slides "(continued)", or "(continued 1)", "(continued 2)"…"""
    if len(parts) == 1:
        return parts
    named = [parts[0]]
    for n, (slide, size) in enumerate(parts[1:], 1):
        suffix = " (continued)" if len(parts) == 2 else f" (continued {n})"
        named.append((replace(slide, title=(*slide.title, Run(suffix))), size))
    return named


def _with_lead(slide: Slide, lead: tuple[Paragraph, ...]) -> Slide:
    """``slide`` with ``lead`` as the first paragraphs of its (first) body region."""
    if not lead:
        return slide
    if slide.columns:
        first = slide.columns[0]
        return replace(
            slide, columns=(Column(first.heading, (Text(lead), *first.blocks)), *slide.columns[1:])
        )
    return replace(slide, blocks=(Text(lead), *slide.blocks))


def fit_deck(
    deck: Deck, frames: dict[str, Frames], measurer: Measurer, moved: list[Moved] | None = None
) -> list[FittedSlide]:
    """Size, split and place every slide of ``deck``; titles stay unique.  Titles and
    subtitles moved into the body are appended to ``moved``, when given."""
    fitter = Fitter(measurer, frames, deck.template)
    fitted = fitter.fit_deck(deck)
    check_titles(fitted, deck.template)
    if moved is not None:
        moved.extend(fitter.moved)
    return fitted


def check_titles(fitted: list[FittedSlide], template: str) -> None:
    """Every slide's title, "(continued)" ones included, is unique in the deck."""
    seen: dict[str, Slide] = {}
    for f in fitted:
        first = seen.setdefault(f.slide.title_text.casefold(), f.slide)
        if first is not f.slide:
            raise RenderError(
                f"{f.slide.label}: the title is used twice (also slide {first.number})",
                hint="every slide needs a unique title",
                location=f.slide.location(template),
            )
