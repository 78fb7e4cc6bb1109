"""The PowerPoint writer: slide HTML → Deck model → drawing plan → .pptx.

Only :mod:`medbrief.deck.master`, :mod:`medbrief.deck.pptx_writer` and
:mod:`medbrief.deck.pptx_adapter` import python-pptx, and only when a deck is written.
The context is a :class:`PptxContext`: the :class:`DeckStyle` made from the theme
(:mod:`.deckstyle`) and the lookup that names the content field a moved title came from.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..deck.markup import parse_deck
from ..deck.model import DeckStyle, plain
from ..deck.plan import measuring_fonts
from .types import Rendered


@dataclass
class PptxContext:
    """The deck's style, and where a piece of drawn text came from (``file:line:col: field``
    of its content field, or None), for the warnings the writer gives."""

    style: DeckStyle
    field_of: Callable[[str], str | None] = lambda text: None


def moved_warning(field_of: Callable[[str], str | None], moved) -> str:
    """The build's warning for a title or subtitle moved into the body, naming its field."""
    where = field_of(moved.text) or "text written in the deck template"
    return (
        f"{moved.slide.label}: the {moved.what} does not fit its box even at "
        f"{moved.floor.pt:g} pt; {moved.how} ({where})"
    )


class PptxWriter:
    format = "pptx"

    def __init__(self, context: PptxContext):
        self.style = context.style
        self.field_of = context.field_of

    def warm(self) -> None:
        """Load the measuring fonts now (see :meth:`medbrief.pipeline.Builder.warm`)."""
        measuring_fonts(self.style)

    def write(self, html: str, name: str) -> Rendered:
        from ..deck.pptx_writer import write_pptx

        started = time.perf_counter()
        deck = parse_deck(html, name)
        title = plain(deck.slides[0].title) if deck.slides else name
        style = replace(
            self.style,
            title=title,
            subject="Talk slides with speaker notes",
            keywords=", ".join(s.id or "" for s in deck.slides[:1]),
        )
        buffer, moved = io.BytesIO(), []
        slides = write_pptx(deck, style, buffer, moved)
        seconds = time.perf_counter() - started
        warnings = [moved_warning(self.field_of, m) for m in moved]
        return Rendered(buffer.getvalue(), slides, warnings=warnings, render_seconds=seconds)
