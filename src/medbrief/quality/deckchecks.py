"""Accessibility gates for built decks (.pptx), read back with python-pptx.

The only quality module that imports python-pptx; it is imported only when decks exist.

Every slide has a title, titles are unique, the title comes first in reading order
(the order of the slide's shape tree), every picture has alt text that is not a file
name, and every table marks its first row as a header row.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.exc import PackageNotFoundError
from pptx.shapes.picture import Picture

from ..alttext import meaningless_alt
from ..deck.label import LABEL_NAME
from ..deck.pptx_adapter import description
from ..errors import DamagedOutput, Location
from ..model import DRAFT, DRAFT_MARK
from ..output import ManifestEntry
from .finding import Finding, finding
from .pdfread import damage

GATE = "accessibility"


@dataclass(frozen=True)
class SlideFacts:
    number: int
    title: str
    title_first: bool
    pictures_without_alt: tuple[str, ...]
    tables_without_header: int
    text: str = ""
    """Everything the slide says, its speaker notes included."""
    labelled: bool = False
    """It carries the draft label (a shape named as the deck writer names it)."""


def _alt(shape) -> str:
    return description(shape).strip()


def _slide(number: int, slide) -> SlideFacts:
    shapes = list(slide.shapes)
    title = slide.shapes.title
    text = title.text_frame.text.strip() if title is not None and title.has_text_frame else ""
    first = bool(shapes) and title is not None and shapes[0].shape_id == title.shape_id
    bad_alt = tuple(s.name for s in shapes if isinstance(s, Picture) and meaningless_alt(_alt(s)))
    tables = sum(1 for s in shapes if s.has_table and not s.table.first_row)
    said = [s.text_frame.text for s in shapes if s.has_text_frame]
    said += [c.text for s in shapes if s.has_table for row in s.table.rows for c in row.cells]
    if slide.has_notes_slide:
        said.append(slide.notes_slide.notes_text_frame.text)
    labelled = any(
        s.name == LABEL_NAME and s.has_text_frame and s.text_frame.text == DRAFT_MARK
        for s in shapes
    )
    return SlideFacts(number, text, first, bad_alt, tables, " ".join(said), labelled)


DAMAGE = (
    zipfile.BadZipFile,
    PackageNotFoundError,
    etree.XMLSyntaxError,
    KeyError,
    ValueError,
    IndexError,
    AttributeError,
    TypeError,
    OSError,
    zlib.error,
    EOFError,
)
"""What reading a damaged .pptx raises (zip, package parts, XML)."""


def read_deck(path: Path) -> list[SlideFacts]:
    """What the checks need from each slide; DamagedOutput when the file cannot be read."""
    try:
        return [_slide(i, s) for i, s in enumerate(Presentation(str(path)).slides, 1)]
    except PackageNotFoundError as e:
        raise DamagedOutput(str(path), "not a PowerPoint package") from e
    except DAMAGE as e:
        raise DamagedOutput(str(path), damage(e, path)) from e


def _slide_findings(s: SlideFacts, where: Location, entry: ManifestEntry) -> list[Finding]:
    out = []

    def add(message: str, hint: str) -> None:
        out.append(
            finding(GATE, where, "", f"slide {s.number}: {message}", hint, document=entry.path)
        )

    if not s.title:
        add("has no title", "give every slide a title (screen readers list slides by title)")
    elif not s.title_first:
        add("title is not first in reading order", "draw the title before other shapes")
    if s.pictures_without_alt:
        add(
            f"picture without useful alt text ({', '.join(s.pictures_without_alt)})",
            "describe the picture in its alt text; a file name is not a description",
        )
    if s.tables_without_header:
        add("table without a header row", "mark the first row as the header row")
    if entry.approval == DRAFT and not s.labelled:
        out.append(
            finding(
                "governance",
                where,
                "",
                f"slide {s.number}: no draft label (“{DRAFT_MARK}”), but the deck is a draft",
                "draft decks carry the label on every slide (deck.html.j2's medbrief-label)",
                document=entry.path,
            )
        )
    return out


def _duplicates(slides: list[SlideFacts], where: Location, entry: ManifestEntry) -> list[Finding]:
    seen: dict[str, list[int]] = defaultdict(list)
    for s in slides:
        if s.title:
            seen[s.title.casefold()].append(s.number)
    return [
        finding(
            GATE,
            where,
            "",
            f"slides {', '.join(map(str, numbers))} share the title "
            f"“{next(s.title for s in slides if s.number == numbers[0])}”",
            "make each title unique, e.g. add “(continued)” or a part number",
            document=entry.path,
        )
        for numbers in seen.values()
        if len(numbers) > 1
    ]


def check_deck(slides: list[SlideFacts], where: Location, entry: ManifestEntry) -> list[Finding]:
    out = [f for s in slides for f in _slide_findings(s, where, entry)]
    return out + _duplicates(slides, where, entry)
