"""Writers turn a rendered HTML document into a file.  One module per writer.

A writer is any object with a ``format`` name and ``write(html, job_name) ->
Rendered`` (:mod:`.types`).  :data:`REGISTRY` maps writer names — a plan row's
``writer``, by default its ``format`` — to factories that take the writer's typed
context; adding a writer is adding a module and one line here.  Writers are created
lazily, once per process, so a PDF-only build never imports python-pptx and vice versa.

- ``pdf``: :class:`.pdf.PdfWriter` (context :class:`.pdf.PdfContext`);
- ``pptx``: :class:`.pptx.PptxWriter` (context :class:`.pptx.PptxContext`: the
  :class:`~medbrief.deck.model.DeckStyle` and a content-field lookup for its warnings);
- ``html``: :class:`.html.HtmlWriter`, a self-contained web page (no context);
- ``slides-pdf``: :class:`.slides_pdf.SlidesPdfWriter` — the deck's fitted slides with their
  notes, printed by the PDF writer (context :class:`.slides_pdf.SlidesPdfContext`).
"""

from __future__ import annotations

from collections.abc import Callable

from .types import Rendered, Writer

__all__ = ["REGISTRY", "Rendered", "Writer"]


def _pdf(context) -> Writer:
    from .pdf import PdfWriter

    return PdfWriter(context)


def _pptx(context) -> Writer:
    from .pptx import PptxWriter

    return PptxWriter(context)


def _html(context) -> Writer:
    from .html import HtmlWriter

    return HtmlWriter(context)


def _slides_pdf(context) -> Writer:
    from .slides_pdf import SlidesPdfWriter

    return SlidesPdfWriter(context)


REGISTRY: dict[str, Callable[..., Writer]] = {
    "pdf": _pdf,
    "pptx": _pptx,
    "html": _html,
    "slides-pdf": _slides_pdf,
}
