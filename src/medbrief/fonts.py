"""Packaged fonts: where they are, and how engines are told about them.

PDFs use only fonts shipped as PyPI packages, never the machine's own, so
every machine renders the same pages.  :func:`fontconfig_file` writes a
fontconfig configuration that lists only the packaged folders; it is set as
``FONTCONFIG_FILE`` before WeasyPrint (or LibreOffice, in the tests) starts,
so even fallback glyphs come from packaged fonts.
"""

from __future__ import annotations

import functools
import importlib
import os
import tempfile
from dataclasses import dataclass
from html import escape  # (not xml.sax.saxutils: it imports urllib.request, 20 ms)
from pathlib import Path

PACKAGES = {
    "Atkinson Hyperlegible": "fontpkg_atkinson_hyperlegible",
    "Noto Sans": "fontpkg_noto_sans",
    "Arimo": "fontpkg_arimo",
    "Noto Emoji": "manimgx_fonts:NotoEmoji",
    "Noto Sans Symbols": "manimgx_fonts:NotoSansSymbols",
    "DejaVu Sans Mono": "symbolica._data.fonts.render.fonts:DejaVuSansMono",
}
"""Font families medbrief can use, and the PyPI package (module) that ships each.

``module:Prefix`` takes only the files whose names start with ``Prefix`` from a package
that ships several families in one folder (manimgx-fonts: emoji and symbols fallbacks;
symbolica-fonts: DejaVu Sans Mono, the one packaged font with the Dingbats block -- ✓ U+2713,
✗ U+2717 -- which Noto Sans Symbols lacks)."""

FALLBACK = "Noto Sans"
"""Family used for characters the main font lacks (Greek, maths symbols...)."""


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    weight: str  # CSS: "400", "700" or a range "100 900" for variable fonts
    style: str  # "normal" or "italic"


def _describe(family: str, path: Path) -> FontFile:
    name = path.stem
    style = "italic" if "Italic" in name or "Oblique" in name else "normal"
    variable = "[" in name  # variable font, e.g. NotoSans[wdth,wght]
    weight = "100 900" if variable else ("700" if "Bold" in name else "400")
    return FontFile(family, path, weight, style)


@functools.cache
def family_files(family: str) -> tuple[FontFile, ...]:
    """The font files of a packaged family; KeyError if medbrief does not know it."""
    name, _, prefix = PACKAGES[family].partition(":")
    module = importlib.import_module(name)
    root = getattr(module, "ROOT", None)
    if root:
        folder = Path(root) / "files"
    elif module.__file__:
        folder = Path(module.__file__).parent
    else:  # a namespace package: the folder itself
        folder = Path(next(iter(module.__path__)))
    return tuple(_describe(family, p) for p in sorted(folder.glob(f"{prefix}*.[ot]tf")))


def _unpackaged_files(folder: Path) -> list[Path]:
    """Font files in a packaged folder that belong to no packaged family (kept from fontconfig,
    so a second copy of a family, e.g. manimgx-fonts' own Noto Sans, never competes)."""
    known = {f.path for family in PACKAGES for f in _files_or_none(family)}
    return [p for p in sorted(folder.glob("*.[ot]tf")) if p not in known]


def _files_or_none(family: str) -> tuple[FontFile, ...]:
    try:
        return family_files(family)
    except ImportError:
        return ()


def font_dirs() -> list[Path]:
    """Folders holding packaged fonts (the fetcher may serve files from these)."""
    dirs = []
    for family in PACKAGES:
        try:
            dirs.append(family_files(family)[0].path.parent.resolve())
        except (ImportError, IndexError):
            continue
    return list(dict.fromkeys(dirs))


def font_face_css(families: list[str]) -> str:
    """@font-face rules for the given families, pointing at the packaged files."""
    rules = []
    for family in dict.fromkeys(families):
        for f in family_files(family):
            # WeasyPrint refuses (and logs) a weight range: a variable font is declared once
            # per weight documents use.
            for weight in ("400", "700") if " " in f.weight else (f.weight,):
                rules.append(
                    f'@font-face {{ font-family: "{family}"; src: url("{f.path.as_uri()}"); '
                    f"font-weight: {weight}; font-style: {f.style}; }}"
                )
    return "\n".join(rules)


@functools.cache
def fontconfig_file() -> Path:
    """A fontconfig file that knows only the packaged fonts (written once per process)."""
    dirs = "\n".join(f"  <dir>{escape(str(d))}</dir>" for d in font_dirs())
    rejects = "".join(
        f"<glob>{escape(str(p))}</glob>" for d in font_dirs() for p in _unpackaged_files(d)
    )
    if rejects:
        dirs += f"\n  <selectfont><rejectfont>{rejects}</rejectfont></selectfont>"
    cache = Path(tempfile.gettempdir()) / f"medbrief-fontconfig-{os.getuid()}"
    cache.mkdir(exist_ok=True)
    conf = cache / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"{dirs}\n  <cachedir>{escape(str(cache))}</cachedir>\n"
        "  <alias><family>sans-serif</family><prefer><family>Noto Sans</family></prefer></alias>\n"
        "  <alias><family>Arial</family><prefer><family>Arimo</family></prefer></alias>\n"
        "</fontconfig>\n"
    )
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    return conf


def use_packaged_fonts_only() -> None:
    """Point fontconfig at the packaged fonts.  Call before importing WeasyPrint."""
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file())


@functools.cache
def coverage() -> frozenset[int]:
    """Every code point some packaged font can draw (read from the fonts' cmap tables)."""
    import io

    from fontTools.ttLib import TTFont

    from .errors import Location
    from .safefile import read_file

    points: set[int] = set()
    for family in PACKAGES:
        for face in _files_or_none(family):
            data = read_file(face.path, [face.path.parent], 50_000_000, Location(str(face.path)))
            with TTFont(io.BytesIO(data), lazy=True) as font:
                points.update(font.getBestCmap() or {})
    return frozenset(points)


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` no packaged font can draw, in order, each once (spaces,
    line breaks, joiners and variation selectors need no glyph)."""
    import unicodedata

    known = coverage()
    found = []
    for ch in dict.fromkeys(text):
        if ord(ch) in known or ch in "\n\t\r" or ch.isspace():
            continue
        if (
            unicodedata.category(ch) == "Cf"
            or 0xFE00 <= ord(ch) <= 0xFE0F
            or 0xE0100 <= ord(ch) <= 0xE01EF
        ):
            continue
        found.append(ch)
    return found
