"""The Deck model: what slide HTML means, independent of any presentation library.

:func:`medbrief.deck.markup.parse_deck` builds it; :mod:`medbrief.deck.fit` sizes and splits
it; :mod:`medbrief.deck.pptx_writer` draws it.  All values are immutable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import get_args

from medbrief.colours import is_hex_colour
from medbrief.errors import Location, RenderError
from medbrief.model import DEFAULT_LANGUAGE, DeckLayout

CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
"""Characters that must never reach slide XML (tab, newline and carriage return are fine)."""

LAYOUTS: tuple[str, ...] = get_args(DeckLayout)
"""Our layout names, as written in ``<section data-layout="...">``."""


@dataclass(frozen=True)
class Run:
    """A stretch of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of some runs, without formatting."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph or list item; ``bullet`` is None, "bullet" or "number".

    ``role`` is "" for body text, or "heading", "label" or "cite" for the paragraphs the
    layout adds (column headings, process step labels, a quote's citation).
    """

    runs: Inline
    level: int = 0
    bullet: str | None = None
    number: int = 1
    continued: bool = False  # the rest of an item split across slides: no second bullet
    role: str = ""

    @property
    def text(self) -> str:
        return plain(self.runs)


@dataclass(frozen=True)
class Text:
    """Paragraphs and lists (``<p>``, ``<ul>``, ``<ol>``), drawn in one text frame."""

    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Table:
    """A native table: one header row and body rows of equal width."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Image:
    """A picture; ``src`` is relative to :attr:`DeckStyle.asset_root`."""

    src: str
    alt: str


@dataclass(frozen=True)
class Quote:
    """A quotation (a labelled viewpoint, say) and whose words they are."""

    paragraphs: tuple[Paragraph, ...]
    cite: Inline = ()


@dataclass(frozen=True)
class Step:
    label: str
    description: Inline = ()


@dataclass(frozen=True)
class Process:
    """A process diagram, drawn as native shapes joined by arrows."""

    title: str
    steps: tuple[Step, ...]


Block = Text | Table | Image | Quote | Process


@dataclass(frozen=True)
class Column:
    heading: Inline
    blocks: tuple[Block, ...]


def source_location(source: str, fallback: str) -> Location:
    """``templates/x.html.j2:34`` as a :class:`Location`; ``fallback`` when there is none."""
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return Location(path, int(line))
    return Location(fallback)


@dataclass(frozen=True)
class Slide:
    """One ``<section>``; ``columns`` is used by two-content and comparison layouts."""

    number: int
    layout: str
    title: Inline
    subtitle: Inline = ()
    blocks: tuple[Block, ...] = ()
    columns: tuple[Column, ...] = ()
    notes: str = ""
    id: str | None = None
    source: str = ""
    """Where the slide is written, ``templates/deck.html.j2:34`` (from ``data-source``)."""

    @property
    def title_text(self) -> str:
        return plain(self.title)

    @property
    def label(self) -> str:
        """How error messages name the slide: ``slide 4 ("How it works")``."""
        return f'slide {self.number} ("{self.title_text}")'

    def location(self, fallback: str) -> Location:
        """The template line the slide is written at, or ``fallback`` (the deck's name)."""
        return source_location(self.source, fallback)


@dataclass(frozen=True)
class Deck:
    template: str
    slides: tuple[Slide, ...]
    language: str = ""  # from <html lang>, when the template sets it
    label: str = ""
    """Drawn on every slide (the draft mark), from <meta name="medbrief-label">; "" for none."""


def arimo_path() -> Path:
    import fontpkg_arimo

    return Path(fontpkg_arimo.ROOT) / "files" / "Arimo[wght].ttf"


def default_layouts() -> dict[str, str]:
    """Layout names of the built-in master (python-pptx's default template, restyled)."""
    return {
        "title": "Title Slide",
        "content": "Title and Content",
        "section": "Section Header",
        "two-content": "Two Content",
        "comparison": "Comparison",
        "blank": "Blank",
    }


COLOUR_FIELDS = (
    "title_color",
    "text_color",
    "accent_color",
    "background_color",
    "muted_color",
    "table_header_fill",
    "table_header_text",
    "table_band",
)


@dataclass(frozen=True)
class DeckStyle:
    """How a deck looks, and the metadata it carries.

    ``font`` is the name written into the file (a font presenters have); ``font_regular``
    and ``font_bold`` are the files whose metrics text is measured with (metric-compatible
    with ``font``; variable fonts are instanced at weight 400 and 700).
    """

    font: str = "Arial"
    font_regular: Path = field(default_factory=arimo_path)
    font_bold: Path = field(default_factory=arimo_path)
    title_color: str = "#1B3A5C"
    text_color: str = "#222222"
    accent_color: str = "#0B6E99"
    background_color: str = "#FFFFFF"
    muted_color: str = "#5A6270"
    table_header_fill: str = "#1B3A5C"
    table_header_text: str = "#FFFFFF"
    table_band: str = "#EEF3F7"
    master: Path | None = None
    layouts: dict[str, str] = field(default_factory=default_layouts)
    title: str = ""
    subject: str = ""
    author: str = ""
    keywords: str = ""
    language: str = DEFAULT_LANGUAGE
    created: datetime | None = None
    asset_root: Path = field(default_factory=Path.cwd)

    def __post_init__(self) -> None:
        for name in COLOUR_FIELDS:
            value = getattr(self, name)
            if not is_hex_colour(value):
                raise RenderError(
                    f"deck style: {name} must be a hex colour, got {value!r}",
                    hint='write six hex digits, e.g. "#1B3A5C"',
                )
        missing = sorted(set(LAYOUTS) - set(self.layouts))
        if missing:
            raise RenderError(
                f"deck style: layouts has no entry for {', '.join(missing)}",
                hint="map every medbrief layout name to a layout of the master",
            )

    def rgb(self, name: str) -> str:
        """A colour as six upper-case hex digits, as DrawingML writes it."""
        return getattr(self, name).lstrip("#").upper()
