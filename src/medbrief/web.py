"""What makes a web page self-contained: styles, fonts and the logo inside the file.

A web page is one HTML file that needs nothing else: its CSS is inline, the packaged
fonts are embedded as ``data:`` URLs (the body and heading families, regular and bold),
the logo is a ``data:`` URL and the diagram is inline SVG.  So it can be uploaded or
e-mailed on its own, and opening it makes no request at all.  :func:`outside_references`
is the writer's check that a page really refers to nothing outside itself.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup

from . import fonts
from .errors import Location
from .htmlspec import VOID_ELEMENTS as VOID
from .safefile import read_file

FONT_MIME = {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2"}


MAX_EMBEDDED_BYTES = 20_000_000
"""Largest file embedded in a web page (the fetcher's limit)."""


def data_url(path: Path) -> str:
    """A file's bytes as a ``data:`` URL (read through :func:`medbrief.safefile.read_file`:
    a regular file inside its own folder, at most MAX_EMBEDDED_BYTES)."""
    mime = FONT_MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    data = read_file(path, [path.parent], MAX_EMBEDDED_BYTES, Location(str(path)))
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{mime or 'application/octet-stream'};base64,{encoded}"


def embedded_font_faces(families: list[str]) -> Markup:
    """@font-face rules with the regular and bold upright faces of ``families`` embedded."""
    rules = []
    for family in dict.fromkeys(families):
        for face in fonts.family_files(family):
            if face.style != "normal":
                continue  # the templates never set italics (emphasis is bold)
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: url("{data_url(face.path)}")'
                f' format("truetype"); font-weight: {face.weight}; font-style: normal;'
                " font-display: swap; }"
            )
    return Markup("\n".join(rules))


def stylesheet_text(path: Path, allowed: list[Path] | None = None) -> Markup:
    """A trusted stylesheet from templates/, to inline in a <style> element."""
    text = read_file(
        path, allowed or [path.parent], MAX_EMBEDDED_BYTES, Location(str(path))
    ).decode("utf-8")
    if "</" in text:
        raise ValueError(f"{path.name}: a stylesheet to inline must not contain '</'")
    return Markup(text)


_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)", re.IGNORECASE)
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "xlink:href"}
LINK_SCHEMES = ("#", "http://", "https://", "mailto:")
"""Where a link (<a href>) may point: following one is the reader's choice, not a request."""


class _References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.css(value)
            elif tag == "a" and name == "href":
                if not value.lower().startswith(LINK_SCHEMES):
                    self.found.append(f"<a href={value!r}>")
            elif (
                name in LOADING_ATTRIBUTES or (name == "href" and tag != "a")
            ) and not value.startswith(("data:", "#")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self.found.append("<script>")
        self.style = tag == "style"

    def handle_endtag(self, tag):
        self.style = False

    def handle_data(self, data):
        if self.style:
            self.css(data)

    def css(self, text: str) -> None:
        for ref in _CSS_URL.findall(text) + _CSS_IMPORT.findall(text):
            if not ref.startswith(("data:", "#")):
                self.found.append(f"url({ref!r})")


def outside_references(html: str) -> list[str]:
    """Everything in ``html`` a browser would fetch from outside the page, or run."""
    parser = _References()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.found))


BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "th", "td", "figcaption"}
SKIPPED = {"style", "script", "svg", "template"}
"""Not read as prose: styles, and diagrams (their steps are also written out as a list)."""


class _Units(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in SKIPPED or "skip-link" in classes or self.skipping:
            self.skipping += 1
        self.open.append(tag)
        if tag in BLOCKS and not self.skipping:
            self.units.append("")

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            if self.skipping:
                self.skipping -= 1
            if closed == tag:
                break
        if tag in BLOCKS and not self.skipping:
            self.units.append("")

    def handle_data(self, data):
        if not self.skipping and self.units:
            self.units[-1] += data


def page_units(html: str) -> list[str]:
    """The prose of a web page, one string per heading, paragraph, list item or cell."""
    parser = _Units()
    parser.feed(html)
    parser.close()
    return [" ".join(u.split()) for u in parser.units if u.strip()]
