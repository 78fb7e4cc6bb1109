"""Text measured with real font metrics, and greedy word-wrapping.

Advance widths come from the font's ``cmap`` and ``hmtx`` tables.  A variable font (Arimo
ships as ``Arimo[wght].ttf``) is instanced at the wanted weight with
``fontTools.varLib.instancer``; instancing is the slow part, so each (file, weight) is done
once per process and kept in memory (:func:`load_metrics` is an ``lru_cache``).

Widths are in em (fractions of the font size) so one measurement serves every size.
Kerning is ignored, which only ever over-estimates a line; characters the font lacks count
as a full em, wider than almost any glyph a fallback font would draw.
"""

from __future__ import annotations

import functools
import io
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from fontTools.varLib import instancer

from medbrief.deck.model import Inline
from medbrief.errors import Location, RenderError
from medbrief.safefile import read_file

MIN_LINE_RATIO = 1.2
"""Line pitch is at least 1.2 × the font size, more if the font's own metrics ask for it."""

LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "STAT")
"""Tables measuring never needs; dropping them makes instancing several times faster."""

OUTLINE_TABLES = ("glyf", "gvar", "loca")
"""Also dropped when ``HVAR`` holds the advance-width variations (outlines are not needed)."""

_WORD = re.compile(r"([^ ]+) *")


@dataclass(frozen=True, eq=False)
class FontMetrics:
    """What measuring needs from one font at one weight, in font units."""

    units_per_em: int
    ascender: int
    descender: int  # negative, as in the font
    line_gap: int
    advances: dict[int, int]  # code point → advance width
    fallback: int  # advance for characters the font lacks

    @property
    def line_ratio(self) -> float:
        """Line pitch as a multiple of the font size."""
        natural = (self.ascender - self.descender + self.line_gap) / self.units_per_em
        return max(natural, MIN_LINE_RATIO)

    def em_widths(self, text: str) -> list[float]:
        """The advance of each character of ``text``, in em."""
        get, fallback, upm = self.advances.get, self.fallback, self.units_per_em
        return [get(ord(ch), fallback) / upm for ch in text]


MAX_FONT_BYTES = 30_000_000


def _open(path: Path) -> TTFont:
    """The font at ``path``, read through :func:`medbrief.safefile.read_file` (a theme's
    fonts were checked completely when the project was loaded)."""
    data = read_file(path, [path.parent], MAX_FONT_BYTES, Location(str(path)), kind="font")
    try:
        return TTFont(io.BytesIO(data))
    except (OSError, TTLibError) as e:
        raise RenderError(
            f"cannot read font {path}: {e}",
            hint="name complete .ttf or .otf files as measuring fonts",
        ) from e


def _instance(font: TTFont, weight: int) -> TTFont:
    """A static instance of a variable font at ``weight`` (clamped to the wght axis)."""
    axes = {axis.axisTag: axis for axis in font["fvar"].axes}
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    if "HVAR" in font:
        for tag in OUTLINE_TABLES:
            del font[tag]
    location = {}
    if "wght" in axes:
        location["wght"] = min(max(weight, axes["wght"].minValue), axes["wght"].maxValue)
    return instancer.instantiateVariableFont(font, location, updateFontNames=False)


def _vertical(font: TTFont) -> tuple[int, int, int]:
    """Ascender, descender and line gap, from OS/2 when the font says to use them."""
    os2 = font.get("OS/2", None)
    if os2 is not None and os2.fsSelection & (1 << 7):  # USE_TYPO_METRICS
        return os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap
    hhea = font["hhea"]
    return hhea.ascent, hhea.descent, hhea.lineGap


@functools.lru_cache(maxsize=16)
def load_metrics(path: Path, weight: int = 400) -> FontMetrics:
    """Metrics of the font file at ``path``; a variable font is instanced at ``weight``."""
    font = _open(path)
    if "fvar" in font:
        font = _instance(font, weight)
    upm = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    advances = {cp: hmtx[name][0] for cp, name in font.getBestCmap().items()}
    return FontMetrics(upm, *_vertical(font), advances, fallback=upm)


@dataclass(frozen=True, eq=False)
class Fonts:
    """The regular and bold metrics a deck is measured with (italic uses regular widths)."""

    regular: FontMetrics
    bold: FontMetrics

    @classmethod
    def load(cls, regular: Path, bold: Path) -> Fonts:
        return cls(load_metrics(Path(regular), 400), load_metrics(Path(bold), 700))

    @property
    def line_ratio(self) -> float:
        return max(self.regular.line_ratio, self.bold.line_ratio)

    def em_widths(self, runs: Inline) -> list[float]:
        widths: list[float] = []
        for run in runs:
            widths.extend((self.bold if run.bold else self.regular).em_widths(run.text))
        return widths

    def text_width(self, runs: Inline) -> float:
        """The width of some runs on one line, in em."""
        return sum(self.em_widths(runs))


Line = tuple[int, int]
"""A wrapped line: start and end offsets into the paragraph's text (spaces excluded)."""


def wrap(text: str, widths: list[float], limit: float) -> list[Line]:
    """Break ``text`` into lines no wider than ``limit`` (same unit as ``widths``).

    Greedy, breaking at spaces; a word wider than a line is broken between characters,
    as PowerPoint and LibreOffice do.  Empty text still takes one line.
    """
    prefix = list(accumulate(widths, initial=0.0))
    lines: list[Line] = []
    start = end = -1
    for match in _WORD.finditer(text):
        word_start, word_end = match.span(1)
        if start < 0:
            start = word_start
        if prefix[word_end] - prefix[start] <= limit:
            end = word_end
            continue
        if start < word_start:
            lines.append((start, end))
            start = word_start
        start = _break_word(prefix, start, word_end, limit, lines)
        end = word_end
    if start >= 0:
        lines.append((start, end))
    return lines or [(0, 0)]


def _break_word(prefix: list[float], start: int, end: int, limit: float, lines: list[Line]) -> int:
    """Emit full lines of a word too wide for one; return where its last piece starts.

    Every line holds at least one character, however narrow ``limit`` is (even zero or
    negative), and the last piece is never empty, so the offsets stay inside the word.
    """
    while end - start > 1 and prefix[end] - prefix[start] > limit:
        cut = max(start + 1, bisect_right(prefix, prefix[start] + limit) - 1)
        lines.append((start, cut))
        start = cut
    return start
