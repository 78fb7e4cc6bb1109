"""What every writer shares: the :class:`Writer` protocol and its :class:`Rendered` result.

A module of its own, so the writers and the package that registers them
(:mod:`medbrief.writers`) never import each other.
"""

from __future__ import annotations

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
    html: str | None = None
    """The HTML the engine printed, when the writer made it from the template's (the
    slides-with-notes PDF prints the fitted slides); ``None`` when it printed the template's."""


class Writer(Protocol):
    format: str

    def write(self, html: str, name: str) -> Rendered: ...
