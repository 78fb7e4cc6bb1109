"""QR codes for printed documents: vector SVG drawn by segno, sized to scan from paper.

A phone held 20-30 cm from a printed page reads a QR code comfortably when each module
(the small square) is at least about 0.5 mm and the code keeps its quiet zone, the empty
margin of four modules the standard (ISO/IEC 18004) requires.  medbrief draws modules of
``MODULE_MM`` (0.7 mm) with that four-module margin, and error correction level M (15 %
of the code may be smudged or folded), so a typical web address gives a code of about
23 mm plus the margin.  The code is drawn as vector paths, never a bitmap, so it stays
sharp at any printer resolution.
"""

from __future__ import annotations

import functools

import segno
from markupsafe import Markup, escape

MODULE_MM = 0.7
"""Size of one module on paper, in millimetres."""

QUIET_ZONE = 4
"""Empty modules around the code, as the QR standard requires."""

ERROR_LEVEL = "m"
"""Error correction: M restores up to 15 % of damaged modules."""


@functools.lru_cache(maxsize=1024)
def _code(url: str) -> segno.QRCode:
    """The code for ``url``, encoded once per process (choosing its mask is the costly part,
    and a batch prints the same few addresses on many documents)."""
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_svg(url: str, *, module_mm: float = MODULE_MM, label: str = "") -> Markup:
    """An inline SVG QR code for ``url``, ``module_mm`` per module, quiet zone included.

    ``label`` is the accessible name (``<title>``); it defaults to "QR code: <url>".
    """
    code = _code(url)
    # One user unit per module; the printed size is set in millimetres on the element.
    svg = code.svg_inline(
        scale=1, border=QUIET_ZONE, omitsize=True, dark="#000", title=label or f"QR code: {url}"
    )
    size = f"{qr_size_mm(url, module_mm=module_mm):.2f}mm"
    # segno escapes the title itself; the rest is geometry.  Mark it as an image for
    # assistive technology (the address is printed as text under it).
    return Markup(svg.replace("<svg ", f'<svg role="img" width="{size}" height="{size}" ', 1))


def qr_size_mm(url: str, *, module_mm: float = MODULE_MM) -> float:
    """Width (= height) of :func:`qr_svg`'s code on paper, quiet zone included."""
    return _code(url).symbol_size(scale=1, border=QUIET_ZONE)[0] * module_mm


__all__ = ["qr_svg", "qr_size_mm", "escape"]
