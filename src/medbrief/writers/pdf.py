"""The PDF writer: WeasyPrint, packaged fonts, the safe fetcher, tagged PDF/UA-1.

The only module that imports WeasyPrint.  Fonts are configured once per
process; every warning WeasyPrint logs while rendering (an image that failed
to load, a refused URL) fails the document instead of yielding a PDF that
silently lacks something.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import fonts
from ..errors import FetchError, RenderError
from ..fetcher import SafeFetcher
from . import Rendered

fonts.use_packaged_fonts_only()

import weasyprint  # noqa: E402  (fontconfig must be configured first)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402


@dataclass
class PdfContext:
    """What the PDF writer needs from the build."""

    root: Path
    allowed: list[Path]
    families: list[str] = field(default_factory=lambda: list(fonts.PACKAGES))


class _Fetcher(weasyprint.URLFetcher):
    def __init__(self, safe: SafeFetcher):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.safe = safe

    def fetch(self, url, headers=None):
        data, mime = self.safe.load(url)
        return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": mime})


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_logs() -> Iterator[_Collect]:
    handler = _Collect()
    logger = weasyprint.LOGGER
    logger.addHandler(handler)
    old, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = old


class PdfWriter:
    format = "pdf"

    def __init__(self, context: PdfContext):
        self.context = context
        self.safe = SafeFetcher(context.allowed)
        self.fetcher = _Fetcher(self.safe)
        self.font_config = FontConfiguration()
        self.font_css = weasyprint.CSS(
            string=fonts.font_face_css(context.families), font_config=self.font_config,
            url_fetcher=self.fetcher)
        self.base_url = context.root.as_uri() + "/"

    def write(self, html: str, name: str) -> Rendered:
        self.safe.refused.clear()
        started = time.perf_counter()
        with _collect_logs() as logs:
            document = self._render(html, name)
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        seconds = time.perf_counter() - started
        if self.safe.refused:
            raise FetchError(f"{name}: refused to load " + "; ".join(self.safe.refused),
                             hint="documents may only use files inside templates/ and content/")
        if logs.messages:
            reported = "; ".join(dict.fromkeys(logs.messages))
            raise RenderError(f"{name}: WeasyPrint reported: {reported}",
                              hint="fix the template or content it names")
        return Rendered(data, len(document.pages), render_seconds=seconds)

    def _render(self, html: str, name: str):
        try:
            return weasyprint.HTML(
                string=html, base_url=self.base_url, url_fetcher=self.fetcher
            ).render(stylesheets=[self.font_css], font_config=self.font_config)
        except (ValueError, OSError, weasyprint.urls.FatalURLFetchingError) as e:
            raise RenderError(f"{name}: WeasyPrint could not render: {e}") from e
