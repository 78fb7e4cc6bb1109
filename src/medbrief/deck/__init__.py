"""Decks: slide HTML → Deck model → fitted slides → one drawing plan → two translators.

- :mod:`.markup` parses the HTML subset a deck template emits (``parse_deck``);
- :mod:`.model` holds the Deck model and :class:`DeckStyle`;
- :mod:`.geometry` holds boxes, frames and the built-in master's geometry;
- :mod:`.metrics` and :mod:`.fit` measure text with real font metrics, choose sizes, split
  overlong slides and place every block;
- :mod:`.plan` turns fitted slides into the drawing plan: frames with paragraph formats,
  colour roles, anchors and runs, and the shapes around them (``plan_deck``);
- :mod:`.pptx_writer` translates the plan into a .pptx (``write_pptx``) on a master read by
  :mod:`.master`; with :mod:`.pptx_adapter` (python-pptx's private internals, in one place)
  these are the only modules that import ``pptx``, loaded only when first used;
- :mod:`.slides_html` translates the plan into slide HTML for the slides-with-notes PDF
  (``fitted_html``); :mod:`.images` knows the pictures' files and proportions.
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
