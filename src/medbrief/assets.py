"""Checks on image files named by a theme, before any engine opens them.

An organisation's logo is untrusted input.  Its type is decided by its bytes, not its
name: PNG, JPEG and GIF are measured from their headers (never decoded) and refused above
a pixel limit; SVG must be plain UTF-8 XML with no DTD (so no entity expansion), no
scripts and no reference to anything outside the file.  EPS, EMF, WMF, PDF and unknown
types are refused with a message naming the file and saying what to convert it to.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

from .errors import ContentError, Location, Problem
from .safefile import read_file

MAX_IMAGE_BYTES = 5_000_000
"""Largest image file accepted; a logo is normally a few kilobytes."""

MAX_PIXELS = 40_000_000
"""Most pixels (width × height) accepted in a raster image: 40 megapixels."""

MAX_SVG_DEPTH = 64
"""Deepest element nesting accepted in an SVG; drawings need a handful of levels."""

MAX_SVG_EXPANDED = 20_000
"""Most elements an SVG may draw once every ``<use>`` and ``url(#id)`` reference is expanded:
ten ``<use>`` of ten ``<use>``... (a "use bomb") multiplies fast, so the expanded count is
computed, not the written one."""

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


def check_image(
    path: Path, shown: str, where: Location | None = None, allowed: list[Path] | None = None
) -> str:
    """Raise :class:`ContentError` unless ``path`` is a safe PNG, JPEG, GIF or SVG; the kind.

    The file must be a regular file inside ``allowed`` (default: its own folder); it is read
    once, at most ``MAX_IMAGE_BYTES + 1`` bytes, and a raster image is decoded once.
    """
    where = where or Location(shown)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_IMAGE_BYTES:
        raise _refuse(
            shown,
            where,
            f"image is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}",
            "use a smaller image; a logo needs only a few hundred pixels",
        )
    try:
        data = read_file(path, allowed or [path.parent], MAX_IMAGE_BYTES, where, kind="image")
    except ContentError as e:
        raise _refuse(shown, where, e.message, e.hint) from None
    for magic, offset, name in REFUSED:
        if data[offset : offset + len(magic)] == magic:
            raise _refuse(shown, where, f"{name} images are not supported", CONVERT)
    kind = image_kind(data[:512])
    if kind is None:
        raise _refuse(shown, where, "not a PNG, JPEG, GIF or SVG image", CONVERT)
    if not path.name.lower().endswith(EXTENSIONS[kind]):
        raise _refuse(
            shown,
            where,
            f"the file is {kind.upper()} but its name says otherwise",
            f"rename it to end in {EXTENSIONS[kind][0]}",
        )
    problem = check_svg(data) if kind == "svg" else check_raster(data)
    if problem:
        raise _refuse(shown, where, *problem)
    return kind


def check_raster(data: bytes) -> tuple[str, str] | None:
    """Refuse more than MAX_PIXELS pixels (from the header), then decode the image once, so
    damaged or truncated data is refused here rather than printed as noise."""
    from PIL import Image, ImageFile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (
                        f"image is {width:,} × {height:,} pixels; the limit is "
                        f"{MAX_PIXELS:,} pixels",
                        "scale it down; a logo needs only a few hundred pixels",
                    )
                strict, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
                try:  # WeasyPrint sets LOAD_TRUNCATED_IMAGES: a truncated image must fail here
                    image.load()
                except Exception as e:  # truncated, bad CRC, broken compressed stream...
                    return (
                        f"the image data is damaged or truncated ({_reason(e)})",
                        "re-export the image as PNG from the original",
                    )
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = strict
    except Image.DecompressionBombError:
        return (
            f"image is over {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels; the limit is "
            f"{MAX_PIXELS:,} pixels",
            "scale it down; a logo needs only a few hundred pixels",
        )
    except Exception as e:  # Pillow raises many kinds (ZeroDivisionError...) on hostile headers
        return f"cannot read the image: {_reason(e)}", "re-export the image as PNG"
    return None


def _reason(e: BaseException) -> str:
    return _short(str(e)) if str(e) else type(e).__name__


def check_svg(data: bytes) -> tuple[str, str] | None:
    """Problem with an SVG document, or None: UTF-8, no DTD, no scripts, no outside references."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "SVG is not UTF-8 text", "save the SVG as UTF-8"
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return (
            "SVG has a DOCTYPE or entity declarations, which are refused "
            "(entity expansion can exhaust memory)",
            "remove the <!DOCTYPE ...> and <!ENTITY ...> lines; plain SVG needs neither",
        )
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
            return problem, (
                "embed the picture in the SVG itself; an SVG may only refer to "
                "its own elements (#id)"
            )
    return _complexity_problem(root)


_SIMPLIFY = "simplify the drawing (fewer nested <use> copies), or export it as PNG"


def _depth(root: ElementTree.Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_SVG_DEPTH:
            break
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _references(element: ElementTree.Element) -> list[str]:
    """The ids an element draws again: ``<use href="#id">`` and ``url(#id)`` values."""
    refs = []
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1] == "href" and value.strip().startswith("#"):
            refs.append(value.strip()[1:])
        refs += [t[1:] for t in _URL.findall(value) if t.startswith("#")]
    return refs


def _complexity_problem(root: ElementTree.Element) -> tuple[str, str] | None:
    """Refuse an SVG nested deeper than MAX_SVG_DEPTH, with a reference cycle, or drawing
    more than MAX_SVG_EXPANDED elements once its references are expanded."""
    if _depth(root) > MAX_SVG_DEPTH:
        return f"SVG nests elements deeper than {MAX_SVG_DEPTH} levels", _SIMPLIFY
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    size: dict[ElementTree.Element, int] = {}
    active: set[ElementTree.Element] = set()
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:  # depth-first, without recursion; ``active`` is the current path
        element, finished = stack.pop()
        if element in size:
            continue
        deps = [*element, *(ids[r] for r in _references(element) if r in ids)]
        if finished:
            active.discard(element)
            size[element] = min(1 + sum(size[d] for d in deps), MAX_SVG_EXPANDED + 1)
            continue
        if element in active:
            return "SVG has a <use> or url(#id) reference that refers to itself", _SIMPLIFY
        active.add(element)
        stack.append((element, True))
        for dep in deps:
            if dep in active:
                return "SVG has a <use> or url(#id) reference that refers to itself", _SIMPLIFY
            if dep not in size:
                stack.append((dep, False))
    if size[root] > MAX_SVG_EXPANDED:
        return (
            f"SVG draws more than {MAX_SVG_EXPANDED:,} elements once its <use> references "
            "are expanded",
            _SIMPLIFY,
        )
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
