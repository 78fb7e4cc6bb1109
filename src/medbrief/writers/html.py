"""The web page writer: checks the rendered page is self-contained and returns its bytes.

The page is made self-contained by its template (see :mod:`medbrief.web`); this writer
refuses one that still refers to anything outside itself (a stylesheet link, an image
file, a script), naming each reference, so a published page never breaks or leaks a
request when it is moved.
"""

from __future__ import annotations

import time

from ..errors import Location, RenderError
from ..web import outside_references
from .types import Rendered


class HtmlWriter:
    format = "html"

    def __init__(self, context=None):
        self.context = context

    def write(self, html: str, name: str) -> Rendered:
        started = time.perf_counter()
        outside = outside_references(html)
        if outside:
            raise RenderError(
                "the page refers to files outside itself: "
                + "; ".join(r[:80] for r in outside[:5]),
                hint="web templates must inline their styles, fonts and images",
                location=Location(name),
            )
        data = html.encode("utf-8")
        return Rendered(data, 1, render_seconds=time.perf_counter() - started)
