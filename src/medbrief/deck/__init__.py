"""The deck writer: slide HTML → Deck model → fitted slides → .pptx.

- :mod:`.markup` parses the HTML subset a deck template emits (``parse_deck``);
- :mod:`.model` holds the Deck model and :class:`DeckStyle`;
- :mod:`.metrics` and :mod:`.fit` measure text with real font metrics, choose sizes and
  split overlong slides;
- :mod:`.pptx_writer` draws the result with python-pptx (``write_pptx``) — the only module
  that imports ``pptx``, loaded here only when ``write_pptx`` is first used.
"""

from __future__ import annotations

from typing import Any

from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Deck, DeckStyle

__all__ = ["Deck", "DeckStyle", "parse_deck", "write_pptx"]


def __getattr__(name: str) -> Any:
    if name == "write_pptx":
        from medbrief.deck.pptx_writer import write_pptx

        return write_pptx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
