"""Read a built PDF once: its text, font sizes, page sizes, tags and fonts.

pdfplumber gives every character with its font and size (after all transforms, so
what a reader sees), the page it is on and its marked-content id; pikepdf gives the
structure tree that says which marked content is a heading, a paragraph or a figure.
Text that is not in the structure tree is a page header or footer (WeasyPrint draws
page-margin boxes outside the tree); in an untagged PDF the top and bottom 8 % of
each page stand in for that.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf
from pdfminer.pdftypes import PDFException
from pdfminer.psparser import PSException

from ..errors import DamagedOutput

BLOCK_TAGS = frozenset(
    {
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "LBody",
        "Lbl",
        "TH",
        "TD",
        "Caption",
        "Figure",
        "Note",
        "BlockQuote",
        "Title",
        "TOCI",
        "Formula",
        "Form",
    }
)
PROSE_SKIP = frozenset({"Lbl", "Figure", "Formula", "Form"})
"""Blocks left out of the readable text: list bullets and the insides of figures."""
MARGIN_BAND = 0.08
_HEADING = re.compile(r"^H([1-6])$")


@dataclass(frozen=True)
class Char:
    page: int
    text: str
    size: float
    font: str
    top: float
    x0: float
    x1: float
    block: int | None
    """Index into :attr:`PdfFacts.blocks`, or None for headers, footers and artifacts."""


@dataclass
class Block:
    tag: str
    page: int
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


@dataclass
class Tags:
    """What the structure tree says, in reading order."""

    blocks: list[Block] = field(default_factory=list)
    mcids: dict[tuple[int, int], int] = field(default_factory=dict)
    headings: list[tuple[int, int, int]] = field(default_factory=list)
    """(level, 1-based page, block index or -1) of every heading, in reading order."""
    figures_without_alt: list[int] = field(default_factory=list)
    """Page number (1-based) of each Figure without /Alt."""


@dataclass
class PdfFacts:
    path: Path
    page_sizes: list[tuple[float, float]]
    chars: list[Char]
    blocks: list[Block]
    page_text: list[str]
    """Every page's full text, headers and footers included."""
    tagged: bool
    marked: bool
    lang: str
    title: str
    display_doc_title: bool
    headings: list[tuple[int, int, int]]
    figures_without_alt: list[int]
    unembedded_fonts: list[str]

    @property
    def pages(self) -> int:
        return len(self.page_sizes)

    @property
    def text(self) -> str:
        """The reading-order text of the content, then every page's full text."""
        return " ".join(b.text for b in self.blocks) + "\n" + "\n".join(self.page_text)

    def first_page_text(self) -> str:
        return " ".join(b.text for b in self.blocks if b.page == 0)

    def prose_units(self) -> list[str]:
        """The readable text, one unit per paragraph, heading, list item or cell."""
        return [b.text for b in self.blocks if b.tag not in PROSE_SKIP and b.text]

    def content_chars(self) -> list[Char]:
        """Visible characters that are not in headers or footers."""
        return [c for c in self.chars if c.block is not None and c.text.strip()]

    def in_figure(self, ch: Char) -> bool:
        return ch.block is not None and ch.block >= 0 and self.blocks[ch.block].tag == "Figure"

    def heading_text(self, block: int) -> str:
        return self.blocks[block].text if 0 <= block < len(self.blocks) else ""


# --- structure tree -----------------------------------------------------------------


def _name(obj: object) -> str:
    return str(obj)[1:] if isinstance(obj, pikepdf.Name) else ""


class _TreeWalker:
    def __init__(self, pdf: pikepdf.Pdf):
        root = pdf.Root.get("/StructTreeRoot")
        self.root = root
        self.roles = (
            {str(k)[1:]: _name(v) for k, v in (root.get("/RoleMap") or {}).items()}
            if root is not None
            else {}
        )
        self.pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        self.tags = Tags()

    def role(self, tag: str) -> str:
        for _ in range(10):
            if tag not in self.roles or self.roles[tag] == tag:
                break
            tag = self.roles[tag]
        return tag

    def page_of(self, obj, inherited: int | None) -> int | None:
        pg = obj.get("/Pg") if isinstance(obj, pikepdf.Dictionary) else None
        return self.pages.get(pg.objgen, inherited) if pg is not None else inherited

    def walk(self) -> Tags:
        if self.root is not None:
            self.kids(self.root.get("/K"), None, None)
        return self.tags

    def kids(self, k, page: int | None, block: int | None) -> None:
        for kid in k if isinstance(k, pikepdf.Array) else [k] if k is not None else []:
            self.kid(kid, page, block)

    def kid(self, kid, page: int | None, block: int | None) -> None:
        if isinstance(kid, int):
            self.mark(page, kid, block)
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            self.mark(self.page_of(kid, page), int(kid.MCID), block)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            self.element(kid, self.page_of(kid, page), block)

    def mark(self, page: int | None, mcid: int, block: int | None) -> None:
        if page is not None and block is not None:
            self.tags.mcids[(page, mcid)] = block

    def element(self, elem, page: int | None, block: int | None) -> None:
        tag = self.role(_name(elem.get("/S")))
        if tag == "Figure" and not str(elem.get("/Alt", "")).strip():
            self.tags.figures_without_alt.append((page or 0) + 1)
        if tag in BLOCK_TAGS and (block is None or tag in ("Lbl", "LBody")):
            block = len(self.tags.blocks)
            self.tags.blocks.append(Block(tag, page or 0))
        m = _HEADING.match(tag)
        if m or tag == "H":
            level = int(m.group(1)) if m else 1
            self.tags.headings.append((level, (page or 0) + 1, -1 if block is None else block))
        self.kids(elem.get("/K"), page, block)


# --- fonts --------------------------------------------------------------------------


def _font_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _fonts(resources, seen: set) -> Iterator[tuple[str, bool]]:
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        yield str(font.get("/BaseFont", "?"))[1:], _font_embedded(font)
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form":
            yield from _fonts(xobj.get("/Resources"), seen)


def unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    seen: set = set()
    names = [
        name
        for page in pdf.pages
        for name, ok in _fonts(page.obj.get("/Resources"), seen)
        if not ok
    ]
    return sorted(set(names))


# --- characters ---------------------------------------------------------------------


def _in_margin(ch: dict, height: float) -> bool:
    return ch["top"] < height * MARGIN_BAND or ch["bottom"] > height * (1 - MARGIN_BAND)


def _chars(plumber, tags: Tags, tagged: bool) -> Iterator[Char]:
    for i, page in enumerate(plumber.pages):
        for ch in page.chars:
            if tagged:
                block = tags.mcids.get((i, ch.get("mcid")))
            else:
                block = None if _in_margin(ch, page.height) else -1
            yield Char(
                i,
                ch["text"],
                round(float(ch["size"]), 1),
                str(ch["fontname"]),
                float(ch["top"]),
                float(ch["x0"]),
                float(ch["x1"]),
                block,
            )


def _gap(prev: Char | None, ch: Char) -> bool:
    """A word break the PDF does not spell out: a new line, or a jump along the line."""
    if prev is None or prev.text.isspace() or ch.text.isspace():
        return False
    new_line = prev.page != ch.page or abs(prev.top - ch.top) > ch.size / 2
    if new_line:
        return not prev.text.endswith(("-", "\u2010", "\u00ad"))
    return ch.x0 - prev.x1 > ch.size * 0.2


def _fill_blocks(chars: list[Char], blocks: list[Block]) -> None:
    last: dict[int, Char] = {}
    for ch in chars:
        if ch.block is None or ch.block < 0:
            continue
        parts = blocks[ch.block].parts
        if _gap(last.get(ch.block), ch):
            parts.append(" ")
        parts.append(ch.text)
        last[ch.block] = ch


def _untagged_blocks(plumber) -> list[Block]:
    return [
        Block("P", i, [para])
        for i, page in enumerate(plumber.pages)
        for para in re.split(r"\n\s*\n", page.extract_text() or "")
        if para.strip()
    ]


DAMAGE = (
    pikepdf.PdfError,
    PDFException,
    PSException,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    OSError,
    zlib.error,
)
"""What reading a damaged PDF raises (pikepdf, pdfminer under pdfplumber, decoders)."""


def read_pdf(path: Path) -> PdfFacts:
    """Everything the checks need from one PDF, read once; DamagedOutput when it cannot be read.

    Files medbrief writes never need repairing, so a file that would (a truncated PDF) is
    reported as damaged instead of being read half-recovered."""
    try:
        return _read_pdf(path)
    except DAMAGE as e:
        raise DamagedOutput(str(path), damage(e, path)) from e


def damage(e: Exception, path: Path) -> str:
    """What a reader said about a damaged file, in one line, without the file's path."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text.replace(f"{path}: ", "").replace(f"{path}", "the file")


def _read_pdf(path: Path) -> PdfFacts:
    with pikepdf.open(path, attempt_recovery=False) as pdf, pdfplumber.open(path) as plumber:
        root = pdf.Root
        tags = _TreeWalker(pdf).walk()
        tagged = "/StructTreeRoot" in root and bool(tags.mcids)
        chars = list(_chars(plumber, tags, tagged))
        blocks = tags.blocks if tagged else _untagged_blocks(plumber)
        _fill_blocks(chars, blocks)
        prefs = root.get("/ViewerPreferences") or {}
        return PdfFacts(
            path=path,
            page_sizes=[(float(p.width), float(p.height)) for p in plumber.pages],
            chars=chars,
            blocks=blocks,
            page_text=[p.extract_text() or "" for p in plumber.pages],
            tagged="/StructTreeRoot" in root,
            marked=bool((root.get("/MarkInfo") or {}).get("/Marked", False)),
            lang=str(root.get("/Lang", "")).strip(),
            title=_title(pdf),
            display_doc_title=bool(prefs.get("/DisplayDocTitle", False)),
            headings=tags.headings,
            figures_without_alt=tags.figures_without_alt,
            unembedded_fonts=unembedded_fonts(pdf),
        )


def _title(pdf: pikepdf.Pdf) -> str:
    title = str(pdf.docinfo.get("/Title", "")).strip() if pdf.docinfo else ""
    if title:
        return title
    with pdf.open_metadata() as meta:
        return str(meta.get("dc:title", "")).strip()
