"""The slides-with-notes PDF: the deck's fitted slides, each with its notes, printed.

A plan row chooses it with ``writer: slides-pdf``.  The template's slide HTML is fitted
exactly as the .pptx is (same :class:`DeckStyle`, master frames and font metrics; see
:mod:`medbrief.deck.slides_html`), so the PDF has the .pptx's slides, "(continued)" ones
included, placed as there; the PDF writer then prints that HTML.  python-pptx is not
imported unless the theme names its own master.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..deck.model import DeckStyle
from ..deck.plan import measuring_fonts
from ..deck.slides_html import fitted_html
from .types import Rendered, Writer


@dataclass
class SlidesPdfContext:
    """The PDF writer that prints the slides, and the style the deck is fitted with."""

    pdf: Writer
    style: DeckStyle


class SlidesPdfWriter:
    format = "pdf"

    def __init__(self, context: SlidesPdfContext):
        self.pdf = context.pdf
        self.style = context.style

    def warm(self) -> None:
        """Load the measuring fonts now (see :meth:`medbrief.pipeline.Builder.warm`)."""
        measuring_fonts(self.style)

    def write(self, html: str, name: str) -> Rendered:
        fitted = fitted_html(html, name, self.style)
        return replace(self.pdf.write(fitted, name), html=fitted)
