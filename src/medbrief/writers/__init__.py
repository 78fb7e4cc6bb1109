"""Writers turn a rendered HTML document into a file.  One module per format.

A writer is any object with a ``format`` name and ``write(html, job_name) ->
Rendered``.  :data:`REGISTRY` maps format names to factories; adding a format
is adding a module and one line here.  Writers are created lazily, once per
process, so a PDF-only build never imports python-pptx and vice versa.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Rendered:
    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    render_seconds: float = 0.0
    """Time spent inside the engine (WeasyPrint / python-pptx), for the benchmark."""
    last_page_fill: float | None = None
    """How much of the last page's content area is used (0-1), when the writer knows."""


class Writer(Protocol):
    format: str

    def write(self, html: str, name: str) -> Rendered: ...


def _pdf(context) -> Writer:
    from .pdf import PdfWriter

    return PdfWriter(context)


def _pptx(context) -> Writer:
    from .pptx import PptxWriter

    return PptxWriter(context)


def _html(context) -> Writer:
    from .html import HtmlWriter

    return HtmlWriter(context)


REGISTRY: dict[str, Callable[..., Writer]] = {"pdf": _pdf, "pptx": _pptx, "html": _html}
