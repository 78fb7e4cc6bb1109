"""The deck writer: slide HTML → Deck model → fitted slides → .pptx.

- :mod:`.markup` parses the HTML subset a deck template emits (``parse_deck``);
- :mod:`.model` holds the Deck model and :class:`DeckStyle`;
- :mod:`.metrics` and :mod:`.fit` measure text with real font metrics, choose sizes and
  split overlong slides;
- :mod:`.pptx_writer` draws the result with python-pptx (``write_pptx``) — the only module
  that imports ``pptx``, loaded here only when ``write_pptx`` is first used;
- :mod:`.slides_html` writes the fitted slides back as slide HTML for the slides-with-notes
  PDF (``fitted_html``); :mod:`.geometry` holds the built-in master's boxes and
  :mod:`.images` the pictures' files and proportions, shared by both.
"""

from __future__ import annotations

from typing import Any

from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Deck, DeckStyle
from medbrief.deck.slides_html import fitted_html

__all__ = ["Deck", "DeckStyle", "fitted_html", "parse_deck", "write_pptx"]


def __getattr__(name: str) -> Any:
    if name == "write_pptx":
        from medbrief.deck.pptx_writer import write_pptx

        return write_pptx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
