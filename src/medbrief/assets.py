"""Checks on image files named by a theme, before any engine opens them.

An organisation's logo is untrusted input.  Its type is decided by its bytes, not its
name: PNG, JPEG and GIF are measured from their headers (never decoded) and refused above
a pixel limit; SVG must be plain UTF-8 XML with no DTD (so no entity expansion), no
scripts and no reference to anything outside the file.  EPS, EMF, WMF, PDF and unknown
types are refused with a message naming the file and saying what to convert it to.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

from .errors import ContentError, Location, Problem

MAX_IMAGE_BYTES = 5_000_000
"""Largest image file accepted; a logo is normally a few kilobytes."""

MAX_PIXELS = 40_000_000
"""Most pixels (width × height) accepted in a raster image: 40 megapixels."""

RASTER = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8"}
EXTENSIONS = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "gif": (".gif",), "svg": (".svg",)}
REFUSED = [  # (magic bytes, offset, name)
    (b"%!PS", 0, "EPS/PostScript"),
    (b"\xc5\xd0\xd3\xc6", 0, "EPS (binary)"),
    (b" EMF", 40, "EMF (Windows metafile)"),
    (b"\xd7\xcd\xc6\x9a", 0, "WMF (Windows metafile)"),
    (b"%PDF", 0, "PDF"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"BM", 0, "BMP"),
]
CONVERT = "convert it to PNG (or a plain SVG) and point the theme at the new file"

_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed"}


def _refuse(shown: str, where: Location | None, message: str, hint: str) -> ContentError:
    return ContentError([Problem(where or Location(shown), "", f"{shown}: {message}", hint)])


def image_kind(head: bytes) -> str | None:
    """``png``, ``jpeg``, ``gif`` or ``svg`` from a file's first bytes; None if unknown."""
    for kind, magic in RASTER.items():
        if head.startswith(magic):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg", b"<!doctype svg")):
        return "svg"
    return None


def check_image(path: Path, shown: str, where: Location | None = None) -> str:
    """Raise :class:`ContentError` unless ``path`` is a safe PNG, JPEG, GIF or SVG; the kind."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise _refuse(shown, where, f"image is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}",
                      "use a smaller image; a logo needs only a few hundred pixels")
    data = path.read_bytes()
    for magic, offset, name in REFUSED:
        if data[offset:offset + len(magic)] == magic:
            raise _refuse(shown, where, f"{name} images are not supported", CONVERT)
    kind = image_kind(data[:512])
    if kind is None:
        raise _refuse(shown, where, "not a PNG, JPEG, GIF or SVG image", CONVERT)
    if not path.name.lower().endswith(EXTENSIONS[kind]):
        raise _refuse(shown, where, f"the file is {kind.upper()} but its name says otherwise",
                      f"rename it to end in {EXTENSIONS[kind][0]}")
    problem = check_svg(data) if kind == "svg" else check_raster(path)
    if problem:
        raise _refuse(shown, where, *problem)
    return kind


def check_raster(path: Path) -> tuple[str, str] | None:
    """Read only the header: refuse unreadable images and more than MAX_PIXELS pixels."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        width, height = 1 << 16, 1 << 16  # Pillow refused it: far beyond our limit
    except Exception as e:  # Pillow raises many kinds (ZeroDivisionError...) on hostile headers
        return f"cannot read the image: {e or type(e).__name__}", "re-export the image as PNG"
    if width * height > MAX_PIXELS:
        return (f"image is {width:,} × {height:,} pixels; the limit is {MAX_PIXELS:,} pixels",
                "scale it down; a logo needs only a few hundred pixels")
    return None


def check_svg(data: bytes) -> tuple[str, str] | None:
    """Problem with an SVG document, or None: UTF-8, no DTD, no scripts, no outside references."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "SVG is not UTF-8 text", "save the SVG as UTF-8"
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return ("SVG has a DOCTYPE or entity declarations, which are refused "
                "(entity expansion can exhaust memory)",
                "remove the <!DOCTYPE ...> and <!ENTITY ...> lines; plain SVG needs neither")
    if "<?xml-stylesheet" in lowered:
        return "SVG refers to an external stylesheet", "put the styles inside the SVG"
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as e:
        return f"SVG is not well-formed XML: {e}", "re-export the SVG"
    if root.tag != _SVG_NS + "svg":
        return "not an SVG document (no <svg> root element)", CONVERT
    for element in root.iter():
        problem = _element_problem(element)
        if problem:
            return problem, ("embed the picture in the SVG itself; an SVG may only refer to "
                             "its own elements (#id)")
    return None


def _element_problem(element: ElementTree.Element) -> str | None:
    name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
    if name in _FORBIDDEN_ELEMENTS:
        return f"SVG contains a <{name}> element, which is refused"
    values = list(element.attrib.items())
    if name == "style" and element.text:
        values.append(("style", element.text))
    for key, value in values:
        attr = key.rsplit("}", 1)[-1]
        if attr == "href" and not value.strip().startswith("#"):
            return f"SVG refers to {_short(value)!r} outside the file"
        if attr.startswith("on"):
            return f"SVG has an event handler attribute {attr!r}"
        if "@import" in value:
            return "SVG style imports another stylesheet"
        for target in _URL.findall(value):
            if not target.startswith("#"):
                return f"SVG refers to {_short(target)!r} outside the file"
    return None


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."
