"""The PDF writer: WeasyPrint, packaged fonts, the safe fetcher, tagged PDF/UA-1.

The only module that imports WeasyPrint.  Fonts are configured once per
process.  Every message WeasyPrint logs while rendering is classified by
:func:`classify` against two explicit lists: :data:`FATAL` messages mean the
PDF would silently lack something (a missing glyph, a refused or failed fetch,
an image that could not load, CSS the engine dropped) and fail the document;
:data:`HARMLESS` messages announce a slower or bigger fallback with the same
pages (fontTools instead of HarfBuzz-Subset) and never do.  A message on
neither list is fatal until someone classifies it: a new message could mean
damage.  :func:`engine_facts` tells the environment module (``doctor``, the
build's note) what WeasyPrint found on this machine.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import hashlib
import logging
import re
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import fonts
from ..errors import FetchError, Location, RenderError
from ..fetcher import SafeFetcher
from .types import Rendered

fonts.use_packaged_fonts_only()

with warnings.catch_warnings():
    # Without HarfBuzz-Subset WeasyPrint warns at import; the build says so once, kindly.
    warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
    import weasyprint  # noqa: E402  (fontconfig must be configured first)
    from weasyprint.text import ffi as _ffi  # noqa: E402
import weasyprint.css  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

CACHE_STYLESHEETS = True
"""Parse each linked stylesheet once per process (see :class:`StylesheetCache`)."""

# --- what WeasyPrint's messages mean ---------------------------------------------------------

FATAL: tuple[tuple[str, str], ...] = (
    (
        r"\.notdef glyph rendered for|Too many glyphs missing",
        "a character no packaged font can draw would print as an empty box",
    ),
    (
        r"Failed to load image|Failed to render SVG image|Failed to load inline SVG",
        "an image could not be loaded and would be missing",
    ),
    (r"Failed to load stylesheet|Unsupported stylesheet type", "a stylesheet could not be loaded"),
    (
        r"Font-face .* cannot be loaded|Unable to instantiate .* variable font|Unable to save emoji"
        r"|Please install HarfBuzz version .* emoji",
        "a font could not be loaded or used as asked",
    ),
    (
        r"Relative URI reference without a base URI|Malformed (base )?URL"
        r"|Failed to load attachment",
        "a reference could not be fetched",
    ),
    (r"Content discarded|No anchor #|Anchor defined twice", "an internal link points nowhere"),
    (
        r"Image .* has no required alt description|Missing required \"lang\" attribute",
        "the PDF would fail accessibility (PDF/UA)",
    ),
    (
        r"Ignored `|Parse error|Invalid |Unknown |Unsupported |Missing |Empty |Error: |Deprecated `"
        r"|Expected a media type|In counter style|Only strings|\"(string|element)\(|No source"
        r"|Unable to compute|Subgrids|\"auto-fit\"|Baseline alignment|Inline grids"
        r"|This row has more columns|@import rule",
        "the template's CSS or HTML was not understood, so the page is not what it says",
    ),
)
"""WeasyPrint messages that mean the PDF would be damaged: each fails the document."""

HARMLESS: tuple[tuple[str, str], ...] = (
    (
        r"Using fontTools instead of HarfBuzz-Subset",
        "",
    ),  # slower subsetting, same PDF: the build notes it once (environment.build_notes)
    (
        r"Unable to subset \"[^\"]*\" with (HarfBuzz|fontTools)",
        "a font was embedded whole (could not be subset): the file is bigger, the pages the same",
    ),
)
"""WeasyPrint messages about a slower or bigger fallback with the same pages: never fatal.
The second field, when not empty, is a warning shown for the document."""


@dataclass(frozen=True)
class Verdict:
    fatal: bool
    why: str


def classify(message: str) -> Verdict:
    """What a WeasyPrint log message means for the document (see FATAL and HARMLESS)."""
    for pattern, why in HARMLESS:
        if re.match(pattern, message):
            return Verdict(False, why)
    for pattern, why in FATAL:
        if re.match(pattern, message):
            return Verdict(True, why)
    return Verdict(True, "WeasyPrint reported something medbrief does not know to be harmless")


@dataclass(frozen=True)
class EngineFacts:
    """What WeasyPrint found on this machine (asked by medbrief.environment)."""

    weasyprint: str
    pango: tuple[int, int, int]
    harfbuzz_subset: bool
    """True when fonts are subset with HarfBuzz-Subset >= 4.1 (else the slower fontTools)."""


def engine_facts() -> EngineFacts:
    v = _ffi.pango.pango_version()
    subset = bool(_ffi.harfbuzz_subset) and bool(_ffi.harfbuzz.hb_version_atleast(4, 1, 0))
    return EngineFacts(weasyprint.__version__, (v // 10000, v // 100 % 100, v % 100), subset)


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


# --- stylesheets parsed once per process ------------------------------------------------------

_REAL_CSS = weasyprint.CSS
_active = threading.local()
"""The stylesheet cache of the writer rendering in this thread (None outside a render)."""

_SIDE_EFFECTS = ("page_rules", "layers", "counter_style", "color_profiles")


class StylesheetCache:
    """Each stylesheet parsed once per process, not once per document.

    WeasyPrint creates a ``CSS`` object for every ``<link rel=stylesheet>`` (kept here by
    ``file:`` URL and content digest) and ``<style>`` (by its text) of every document;
    parsing collects @page rules, layers, counter styles and colour profiles into lists the
    document passes in.  Here the first parse of a sheet is kept
    with what it collected; later documents get a shallow copy pointing at their own lists,
    which receive the same entries, exactly as a fresh parse would leave them.  A sheet whose
    parse logged anything or touched a refused file is never kept, so its messages still fail
    every document that links it.
    """

    def __init__(self, safe: SafeFetcher):
        self.safe = safe
        self.sheets: dict[tuple, tuple[weasyprint.CSS, dict]] = {}
        self.parses = 0

    def key(self, kwargs: dict) -> tuple | None:
        from ..fingerprint import file_digest

        if kwargs.get("layer") is not None:
            return None
        common = (kwargs.get("base_url"), kwargs.get("media_type"), id(kwargs.get("font_config")))
        if isinstance(kwargs.get("string"), str):  # a <style> element: keyed by its text
            return "string", hashlib.sha256(kwargs["string"].encode()).hexdigest(), *common
        url = str(kwargs.get("url"))
        if not url.startswith("file:"):
            return None
        path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
        digest = file_digest(path)
        if digest == "missing":
            return None
        return url, digest, *common

    def get(self, kwargs: dict) -> weasyprint.CSS:
        key = self.key(kwargs)
        if key is None:
            return _REAL_CSS(**kwargs)
        if key not in self.sheets:
            fresh = {"page_rules": [], "layers": [], "counter_style": {}, "color_profiles": {}}
            refused = len(self.safe.refused)
            with _collect_logs() as logs:  # the document's own collector sees them too
                css = _REAL_CSS(**{**kwargs, **fresh})
            if logs.messages or len(self.safe.refused) != refused:
                self._apply(kwargs, fresh)
                css.page_rules, css.layers = kwargs.get("page_rules"), kwargs.get("layers")
                return css
            self.sheets[key] = (css, fresh)
            self.parses += 1
        css, collected = self.sheets[key]
        self._apply(kwargs, collected)
        copy = _copy.copy(css)  # same parsed rules and matcher, this document's lists
        copy.page_rules = kwargs["page_rules"] if kwargs.get("page_rules") is not None else []
        copy.layers = kwargs["layers"] if kwargs.get("layers") is not None else []
        return copy

    @staticmethod
    def _apply(kwargs: dict, collected: dict) -> None:
        if kwargs.get("page_rules") is not None:
            kwargs["page_rules"].extend(collected["page_rules"])
        if kwargs.get("layers") is not None:
            for layer in collected["layers"]:
                if layer not in kwargs["layers"]:
                    kwargs["layers"].append(layer)
        for name in ("counter_style", "color_profiles"):
            if kwargs.get(name) is not None:
                kwargs[name].update(collected[name])


def _css(*args, **kwargs):
    """Stands in for ``CSS`` inside WeasyPrint's stylesheet finder: linked sheets come from
    the rendering writer's cache; everything else (and every other caller) is parsed."""
    cache = getattr(_active, "cache", None)
    if cache is None or args or (kwargs.get("url") is None and kwargs.get("string") is None):
        return _REAL_CSS(*args, **kwargs)
    return cache.get(kwargs)


if getattr(weasyprint.css, "CSS", None) is _REAL_CSS:
    weasyprint.css.CSS = _css  # adapter: WeasyPrint has no public hook for parsed author sheets


@contextlib.contextmanager
def _using(cache: StylesheetCache | None) -> Iterator[None]:
    old, _active.cache = getattr(_active, "cache", None), cache
    try:
        yield
    finally:
        _active.cache = old


def _last_page_fill(document) -> float | None:
    """Share of the last page's content area its content uses (for the page-limit message)."""
    try:
        page = document.pages[-1]._page_box
        root = page.children[0]
        used = root.position_y + root.margin_height() - page.content_box_y()
        return max(0.0, min(1.0, used / page.height))
    except (AttributeError, IndexError, TypeError, ZeroDivisionError):
        return None


class PdfWriter:
    format = "pdf"

    def __init__(self, context: PdfContext):
        self.context = context
        self.safe = SafeFetcher(context.allowed)
        self.fetcher = _Fetcher(self.safe)
        self.font_config = FontConfiguration()
        self.font_css = weasyprint.CSS(
            string=fonts.font_face_css(context.families),
            font_config=self.font_config,
            url_fetcher=self.fetcher,
        )
        self.base_url = context.root.as_uri() + "/"
        self.stylesheets = StylesheetCache(self.safe) if CACHE_STYLESHEETS else None

    def write(self, html: str, name: str) -> Rendered:
        self.safe.refused.clear()
        started = time.perf_counter()
        with _collect_logs() as logs:
            document = self._render(html, name)
            data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        seconds = time.perf_counter() - started
        if self.safe.refused:
            raise FetchError(
                "refused to load " + "; ".join(self.safe.refused),
                hint="documents may only use files inside templates/ and content/",
                location=Location(name),
            )
        fatal, notes = [], []
        for message in dict.fromkeys(logs.messages):
            verdict = classify(message)
            if verdict.fatal:
                fatal.append(f"{verdict.why}: {message}")
            elif verdict.why:
                notes.append(f"{verdict.why} ({message})")
        if fatal:
            raise RenderError(
                "WeasyPrint reported: " + "; ".join(fatal),
                hint="fix the template or content it names",
                location=Location(name),
            )
        return Rendered(
            data,
            len(document.pages),
            warnings=list(dict.fromkeys(notes)),
            render_seconds=seconds,
            last_page_fill=_last_page_fill(document),
        )

    def _render(self, html: str, name: str):
        try:
            with _using(self.stylesheets):
                return weasyprint.HTML(
                    string=html, base_url=self.base_url, url_fetcher=self.fetcher
                ).render(stylesheets=[self.font_css], font_config=self.font_config)
        except (ValueError, OSError, weasyprint.urls.FatalURLFetchingError) as e:
            raise RenderError(f"WeasyPrint could not render: {e}", location=Location(name)) from e
