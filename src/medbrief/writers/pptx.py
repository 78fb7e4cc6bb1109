"""The PowerPoint writer: slide HTML → Deck model → drawing plan → .pptx.

Only :mod:`medbrief.deck.master`, :mod:`medbrief.deck.pptx_writer` and
:mod:`medbrief.deck.pptx_adapter` import python-pptx, and only when a deck is written.
The context is the :class:`DeckStyle` made from the theme (:mod:`.deckstyle`).
"""

from __future__ import annotations

import io
import time
from dataclasses import replace

from ..deck.markup import parse_deck
from ..deck.model import DeckStyle, plain
from .types import Rendered


class PptxWriter:
    format = "pptx"

    def __init__(self, style: DeckStyle):
        self.style = style

    def write(self, html: str, name: str) -> Rendered:
        from ..deck.pptx_writer import write_pptx

        started = time.perf_counter()
        deck = parse_deck(html, name)
        title = plain(deck.slides[0].title) if deck.slides else name
        style = replace(self.style, title=title, subject="Talk slides with speaker notes",
                        keywords=", ".join(s.id or "" for s in deck.slides[:1]))
        buffer = io.BytesIO()
        slides = write_pptx(deck, style, buffer)
        seconds = time.perf_counter() - started
        return Rendered(buffer.getvalue(), slides, render_seconds=seconds)
