"""Helpers shared by the deck tests (imported explicitly, not a conftest)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pptx import Presentation

from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Deck, DeckStyle
from medbrief.deck.pptx_writer import write_pptx

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


def slide(body: str = "", layout: str = "content", title: str = "A slide", notes: str = "",
          extra: str = "") -> str:
    """One ``<section>``; ``notes`` become an ``<aside class="notes">``."""
    aside = f'<aside class="notes">{notes}</aside>' if notes else ""
    return (f'<section data-layout="{layout}"{extra}>\n  <h2>{title}</h2>\n  {body}\n'
            f"  {aside}\n</section>\n")


def parse(*sections: str) -> Deck:
    return parse_deck("\n".join(sections), TEMPLATE)


def sample_deck() -> Deck:
    return parse_deck(SAMPLE.read_text(encoding="utf-8"), "tests/data/sample-deck.html")


def style(**changes) -> DeckStyle:
    values = {"asset_root": DATA, "created": CREATED, "title": "Sample deck",
              "subject": "Testing", "author": "Example Organisation", "keywords": "deck, test"}
    return DeckStyle(**{**values, **changes})


def build(deck: Deck, path: Path, **changes) -> Path:
    write_pptx(deck, style(**changes), path)
    return path


def bullets(count: int, words: str = "a sentence long enough to fill most of a line on a slide"
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
