"""The deck writer: slide HTML → Deck model → python-pptx, styled from the theme.

Only this module and :mod:`medbrief.deck` import python-pptx (this one only when a deck
is written).  The theme (untrusted) is turned into a :class:`DeckStyle` here: colours are
already validated hex values, the organisation's master and measuring fonts must be files
inside the project.  :func:`fitted_slides_html` gives the slides-with-notes PDF the same
fitted slides, without python-pptx unless the theme names its own master.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace

from ..deck.markup import parse_deck
from ..deck.model import DeckStyle, default_layouts, plain
from ..deck.slides_html import fitted_html
from ..provenance import field_of
from . import Rendered


def deck_style(builder) -> DeckStyle:
    """The theme's look and the organisation's metadata, as the deck writer wants them."""
    project, theme = builder.project, builder.project.theme
    c = theme.colours
    checked = project.theme_files  # resolved and validated when the project was loaded
    files = {}
    if checked.font_regular and checked.font_bold:
        files = {"font_regular": checked.font_regular, "font_bold": checked.font_bold}
    master = checked.master
    return DeckStyle(
        font=theme.fonts.deck, title_color=c.primary, text_color=c.text,
        accent_color=c.accent, background_color=c.background, muted_color=c.muted,
        table_header_fill=c.primary, table_header_text=c.on_primary,
        table_band=c.box_background, master=master,
        layouts={**default_layouts(), **theme.layouts} if master else default_layouts(),
        author=theme.organisation.name, language="en-GB", created=builder.date,
        asset_root=project.root, **files)


def fitted_slides_html(builder, html: str, name: str) -> str:
    """The deck HTML ``name`` as the fitted slides of its .pptx, for the slides PDF.

    Same style, master frames and fonts as the .pptx, so the PDF has exactly its slides, in
    order, each with its notes (see :mod:`medbrief.deck.slides_html`).
    """
    return fitted_html(html, name, deck_style(builder))


def moved_warning(project, moved) -> str:
    """The build's warning for a title or subtitle moved into the body, naming its field."""
    where = field_of(project, moved.text) or "text written in the deck template"
    return (f"{moved.slide.label}: the {moved.what} does not fit its box even at "
            f"{moved.floor.pt:g} pt; {moved.how} ({where})")


class PptxWriter:
    format = "pptx"

    def __init__(self, builder):
        self.style = deck_style(builder)
        self.project = builder.project

    def write(self, html: str, name: str) -> Rendered:
        from ..deck.pptx_writer import write_pptx

        started = time.perf_counter()
        deck = parse_deck(html, name)
        title = plain(deck.slides[0].title) if deck.slides else name
        style = replace(self.style, title=title, subject="Talk slides with speaker notes",
                        keywords=", ".join(s.id or "" for s in deck.slides[:1]))
        buffer, moved = io.BytesIO(), []
        slides = write_pptx(deck, style, buffer, moved)
        seconds = time.perf_counter() - started
        warnings = [moved_warning(self.project, m) for m in moved]
        return Rendered(buffer.getvalue(), slides, warnings=warnings, render_seconds=seconds)
