"""Helpers shared by the deck tests (imported explicitly, not a conftest)."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.util import Emu

from medbrief import fonts
from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Deck, DeckStyle
from medbrief.deck.pptx_writer import write_pptx
from tools import tool

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "sample-deck.html"
TEMPLATE = "templates/test-deck.html.j2"
CREATED = datetime(2024, 5, 1, 9, 30, 0)

ORG_LAYOUTS = {
    "title": "Org Title",
    "content": "Org Body",
    "section": "Org Divider",
    "two-content": "Org Two Columns",
    "comparison": "Org Compare",
    "blank": "Org Empty",
}
"""Our layout names → the layout names of the sample organisation master."""

_RENAME = {
    "Title Slide": "Org Title",
    "Title and Content": "Org Body",
    "Section Header": "Org Divider",
    "Two Content": "Org Two Columns",
    "Comparison": "Org Compare",
    "Blank": "Org Empty",
    "Title Only": "Org Heading Only",
}


def slide(
    body: str = "",
    layout: str = "content",
    title: str = "A slide",
    notes: str = "",
    extra: str = "",
) -> str:
    """One ``<section>``; ``notes`` become an ``<aside class="notes">``."""
    aside = f'<aside class="notes">{notes}</aside>' if notes else ""
    return (
        f'<section data-layout="{layout}"{extra}>\n  <h2>{title}</h2>\n  {body}\n'
        f"  {aside}\n</section>\n"
    )


def parse(*sections: str) -> Deck:
    return parse_deck("\n".join(sections), TEMPLATE)


def sample_deck() -> Deck:
    return parse_deck(SAMPLE.read_text(encoding="utf-8"), "tests/data/sample-deck.html")


def style(**changes) -> DeckStyle:
    values = {
        "asset_root": DATA,
        "created": CREATED,
        "title": "Sample deck",
        "subject": "Testing",
        "author": "Example Organisation",
        "keywords": "deck, test",
    }
    return DeckStyle(**{**values, **changes})


def build(deck: Deck, path: Path, **changes) -> Path:
    write_pptx(deck, style(**changes), path)
    return path


def bullets(
    count: int, words: str = "a sentence long enough to fill most of a line on a slide"
) -> str:
    items = "".join(f"<li>Item {n}: {words}</li>" for n in range(1, count + 1))
    return f"<ul>{items}</ul>"


def org_master(folder: Path) -> Path:
    """An organisation's master: renamed layouts, its own slide, insets and metadata."""
    prs = Presentation()
    for layout in prs.slide_layouts:
        layout._element.cSld.set("name", _RENAME.get(layout.name, "Org " + layout.name))
        for ph in layout.placeholders:  # odd insets the writer must not inherit
            ph.text_frame.margin_left = ph.text_frame.margin_top = 400000
    own = prs.slides.add_slide(prs.slide_layouts[1])
    own.shapes.title.text = "Org confidential slide"
    own.notes_slide.notes_text_frame.text = "internal notes"
    core = prs.core_properties
    core.author = core.last_modified_by = "Jane Org"
    core.comments, core.category, core.title = "internal only", "secret", "Org template"
    core.revision = 7
    path = folder / "org-master.pptx"
    prs.save(path)
    return path


# -- reading PDFs: every word inside the slide and inside its own box ----------------------

require = tool  # the one tool-or-skip helper (tests/tools.py)


def to_pdf(pptx: Path, folder: Path) -> Path:
    soffice = require("soffice")
    profile = (folder / "lo-profile").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts.fontconfig_file())}  # Arimo for Arial
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(pptx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    return folder / (pptx.stem + ".pdf")


def pdf_words(pdf: Path) -> list[tuple[float, float, list[tuple]]]:
    """Per page: width, height and words as (text, x0, y0, x1, y1) in points."""
    out = subprocess.run(
        [require("pdftotext"), "-bbox-layout", str(pdf), "-"], check=True, capture_output=True
    ).stdout
    root = etree.fromstring(out, etree.HTMLParser(encoding="utf-8"))
    pages = []
    for page in root.iter("page"):
        words = [
            (w.text or "", *(float(w.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
            for w in page.iter("word")
        ]
        pages.append((float(page.get("width")), float(page.get("height")), words))
    return pages


def text_boxes(s) -> list[tuple[str, tuple[float, float, float, float], str]]:
    """Every shape holding text: name, box in points, text."""
    boxes = []
    for shape in s.shapes:
        text = shape.text_frame.text if shape.has_text_frame else ""
        if shape.has_table:
            text = " ".join(c.text for row in shape.table.rows for c in row.cells)
        if text.strip():
            box = tuple(
                Emu(v).pt
                for v in (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            )
            boxes.append((shape.name, box, text))
    return boxes


def tokens(text: str) -> Counter:
    """The words of ``text``; hyphens split words, as lines may break after them."""
    return Counter(w for w in re.findall(r"\w+", text.lower()) if len(w) < 40)


POPPLER_ASCENT, POPPLER_DESCENT = 0.95, 0.35
"""pdftotext's word boxes use these em extents, not the font's own."""
FONT_ASCENT, FONT_DESCENT = 0.905, 0.212
"""Arial's (and Liberation Sans's) ascent and descent, which line layout uses."""


def glyph_box(word: tuple) -> tuple:
    """A pdftotext word box narrowed to the font's ascent and descent."""
    text, x0, y0, x1, y1 = word
    size = (y1 - y0) / (POPPLER_ASCENT + POPPLER_DESCENT)
    baseline = y0 + POPPLER_ASCENT * size
    return text, x0, baseline - FONT_ASCENT * size, x1, baseline + FONT_DESCENT * size


def inside(word: tuple, box: tuple, slack: float = 1.0) -> bool:
    _, x0, y0, x1, y1 = glyph_box(word)
    return (
        x0 >= box[0] - slack
        and y0 >= box[1] - slack
        and x1 <= box[2] + slack
        and y1 <= box[3] + slack
    )


def assert_every_word_inside_its_box(pptx: Path, folder: Path) -> list[str]:
    """Render ``pptx`` with LibreOffice: every word lies inside the slide and inside the box
    of the shape that holds it, and each shape's words are all drawn.  Returns the words
    drawn on each slide."""
    pages = pdf_words(to_pdf(pptx, folder))
    shown = Presentation(pptx)
    assert len(pages) == len(shown.slides)
    drawn = []
    for number, (s, (width, height, words)) in enumerate(zip(shown.slides, pages, strict=True), 1):
        assert (round(width), round(height)) == (
            round(Emu(shown.slide_width).pt),
            round(Emu(shown.slide_height).pt),
        )
        boxes = text_boxes(s)
        for word in words:
            assert inside(word, (0, 0, width, height)), (number, word)
            assert any(inside(word, box) for _, box, _ in boxes), (number, word)
        for name, box, text in boxes:
            found = tokens(" ".join(w[0] for w in words if inside(w, box)))
            missing = tokens(text) - found
            assert not missing, (number, name, missing)
        drawn.append(" ".join(w[0] for w in words))
    return drawn
