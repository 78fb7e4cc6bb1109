"""Deck → PowerPoint, with python-pptx: the only module of medbrief that imports ``pptx``.

The deck is drawn onto a master's layouts: the built-in one (python-pptx's default template
made 16:9 and themed with the style's colours and font) or an organisation's own .pptx.
Text is sized and split by :mod:`medbrief.deck.fit` and written with exactly the paragraph
formats it measured (explicit size, font, line pitch, indents on every paragraph and run), so
PowerPoint and LibreOffice lay it out as measured.  With ``DeckStyle.created`` set, the
output is byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn

from medbrief.assets import MAX_IMAGE_BYTES
from medbrief.deck.fit import (
    CELL_INSET_X,
    CELL_INSET_Y,
    INSET_X,
    INSET_Y,
    QUOTE_INDENT,
    STEP_INSET_X,
    STEP_INSET_Y,
    STEP_RADIUS,
    Box,
    FittedSlide,
    Frames,
    Measurer,
    Moved,
    Placed,
    PlacedProcess,
    PlacedTable,
    body_boxes,
    fit_deck,
    process_title,
    quote_paragraphs,
    step_paragraphs,
    table_rows,
)
from medbrief.deck.geometry import (
    BAR_LAYOUTS,
    DEFAULT_GEOMETRY,
    MASTER_GEOMETRY,
    RULE,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    M,
    accent_bar,
)
from medbrief.deck.geometry import inches as _inches
from medbrief.deck.images import Images
from medbrief.deck.label import LABEL_FILL, LABEL_NAME, LABEL_SIZE, LABEL_TEXT, label_box
from medbrief.deck.metrics import Fonts
from medbrief.deck.model import (
    CONTROL_CHARS,
    LAYOUTS,
    Deck,
    DeckStyle,
    Image,
    Inline,
    Paragraph,
    Quote,
    Run,
    Slide,
    Text,
)
from medbrief.deck.package import MAX_MASTER_BYTES, MasterProblem, inspect_master
from medbrief.deck.units import Emu, Inches, Length, Pt
from medbrief.errors import Location, OutputError, RenderError
from medbrief.safefile import UnsafeFile, read_file

PRIVATE_RELS = ("/commentAuthors", "/revisionInfo", "/changesInfo", "/authors")
"""Presentation-part relationships that carry people's names: never copied from a master."""
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>medbrief</Application></Properties>'
)
TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
BODY_TYPES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)

# -- opening the master ----------------------------------------------------------------------

def _error(message: str, hint: str = "", path: Path | None = None) -> RenderError:
    return RenderError(message, hint=hint, location=Location(str(path)) if path else None)


def _master_bytes(path: Path) -> bytes:
    """The master's bytes, refused by name unless it is a safe PowerPoint presentation.

    The theme's master is checked when the project is loaded; this guard repeats the cheap
    checks for any caller (the file may also have changed since)."""
    hint = "DeckStyle.master names a PowerPoint presentation (.pptx)"
    try:
        data = read_file(path, [path.parent], MAX_MASTER_BYTES, Location(str(path)),
                         kind="master")
    except UnsafeFile as e:
        message = "master file not found" if e.reason == "missing" else f"master {e.message}"
        raise _error(message, e.hint or hint, path) from None
    try:
        inspect_master(data)
    except MasterProblem as e:
        raise _error(e.message, e.hint, path) from None
    return data


def _open_org_master(path: Path) -> Presentation:
    data = _master_bytes(path)
    try:
        prs = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError, OSError,
            zipfile.BadZipFile) as e:
        raise _error(f"cannot open master: {e}", "re-save it from PowerPoint", path) from e
    _remove_slides(prs)
    return prs


UNNEEDED_RELS = ("/handoutMaster", "/customXml", "/vbaProject", "/font", "/tags",
                 "/customXmlProps", "/printerSettings", "/oleObject", "/package")
"""Presentation-part relationships a generated deck never needs (macros, embedded fonts,
custom XML, handout master...): dropped, so their parts are not copied into decks."""


def _remove_unneeded(prs: Presentation, used: set[str]) -> None:
    """Drop the master's layouts no slide will use and the parts only they refer to, and the
    presentation-level parts a deck never needs; python-pptx saves only what is still
    referred to, so a large picture on an unused layout is not copied into every deck."""
    for master in prs.slide_masters:
        for layout in list(master.slide_layouts):
            if layout.name not in used and not layout.used_by_slides:
                master.slide_layouts.remove(layout)
    for rId, rel in list(prs.part._rels.items()):
        if rel.reltype.endswith(UNNEEDED_RELS):
            prs.part._rels.pop(rId)
    root = prs.part._element
    for el in root.xpath("./*[local-name()='handoutMasterIdLst' or local-name()='embeddedFontLst'"
                         " or local-name()='custDataLst' or local-name()='kinsoku']"):
        root.remove(el)


def _remove_slides(prs: Presentation) -> None:
    """Drop the master's own slides, and everything that refers to them."""
    id_list = prs.slides._sldIdLst
    for sld_id in list(id_list):
        id_list.remove(sld_id)
        prs.part.drop_rel(sld_id.rId)
    root = prs.part._element
    for el in root.xpath(".//*[local-name()='sldId' or local-name()='custShowLst']"):
        el.getparent().remove(el)


def _default_master(style: DeckStyle) -> Presentation:
    """python-pptx's default template, made 16:9 and themed with ``style``."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    for layout in list(prs.slide_layouts):
        if layout.name not in DEFAULT_GEOMETRY:
            prs.slide_layouts.remove(layout)
    _place_master(prs.slide_master)
    for layout in prs.slide_layouts:
        _place_layout(layout, DEFAULT_GEOMETRY[layout.name])
    _theme(prs, style)
    _decorate(prs, style)
    return prs


def _place_master(master) -> None:
    scale = SLIDE_WIDTH / Inches(10)
    for ph in master.placeholders:
        kind = {PP_PLACEHOLDER.TITLE: "title", PP_PLACEHOLDER.BODY: "body"}.get(
            ph.placeholder_format.type)
        if kind:
            _move(ph, _inches(MASTER_GEOMETRY[kind]))
        else:
            ph.left, ph.width = Emu(ph.left * scale), Emu(ph.width * scale)


def _place_layout(layout, geometry: dict[int, tuple[float, float, float, float]]) -> None:
    for ph in layout.placeholders:
        box = geometry.get(ph.placeholder_format.idx)
        if box:
            _move(ph, _inches(box))


def _move(shape, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height


def _theme(prs: Presentation, style: DeckStyle) -> None:
    """Theme colours and fonts of the built-in master, so text added later matches."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    theme = etree.fromstring(part.blob)
    colours = {"dk1": "text_color", "lt1": "background_color", "dk2": "title_color",
               "lt2": "table_band", "accent1": "accent_color", "hlink": "accent_color",
               "folHlink": "muted_color"}
    for slot, name in colours.items():
        el = theme.find(f".//{qn('a:clrScheme')}/{qn('a:' + slot)}")
        el.clear()
        etree.SubElement(el, qn("a:srgbClr"), val=style.rgb(name))
    for latin in theme.iterfind(f".//{qn('a:fontScheme')}//{qn('a:latin')}"):
        latin.set("typeface", style.font)
    part.blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


def _decorate(prs: Presentation, style: DeckStyle) -> None:
    """An accent rule under the title; title and section slides get a bar instead."""
    rule = _inches(RULE)
    _rect(prs.slide_master.shapes, rule, style.rgb("accent_color"), "Accent rule")
    for layout in prs.slide_layouts:
        if layout.name in BAR_LAYOUTS:
            layout._element.set("showMasterSp", "0")
            _rect(layout.shapes, accent_bar(layout.name), style.rgb("accent_color"),
                  "Accent bar")


RECT_XML = (
    '<p:sp %s><p:nvSpPr><p:cNvPr id="%d" name="%s"/><p:cNvSpPr/><p:nvPr userDrawn="1"/>'
    '</p:nvSpPr><p:spPr><a:xfrm><a:off x="%d" y="%d"/><a:ext cx="%d" cy="%d"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="%s"/>'
    "</a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>"
)


def _rect(shapes, box: Box, rgb: str, name: str) -> None:
    """A plain filled rectangle (masters and layouts have no ``add_shape``)."""
    tree = shapes._spTree
    next_id = max((int(i) for i in tree.xpath("//@id") if i.isdigit()), default=0) + 1
    xml = RECT_XML % (nsdecls("p", "a"), next_id, name, box.left, box.top, box.width,
                      box.height, rgb)
    tree.append(parse_xml(xml))


def open_master(style: DeckStyle) -> Presentation:
    """The presentation slides are added to: the style's master, or the built-in one."""
    if style.master is None:
        return _default_master(style)
    return _open_org_master(Path(style.master))


# -- layouts and their frames -----------------------------------------------------------------

@dataclass(frozen=True)
class LayoutPlan:
    """One of our layouts on the master: which placeholders hold what, and where."""

    layout: object  # pptx SlideLayout
    frames: Frames
    title_idx: int | None
    subtitle_idx: int | None
    body_idx: tuple[int, ...]
    header_idx: tuple[int, ...]


def _all_layouts(prs: Presentation) -> dict[str, object]:
    found: dict[str, object] = {}
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            found.setdefault(layout.name, layout)
    return found


def resolve_layouts(prs: Presentation, style: DeckStyle) -> dict[str, LayoutPlan]:
    """Map each medbrief layout to the master's layout named in ``style.layouts``."""
    available = _all_layouts(prs)
    plans = {}
    for ours in LAYOUTS:
        name = style.layouts[ours]
        if name not in available:
            where = style.master or "the built-in master"
            raise _error(f'layout "{name}" (for "{ours}" slides) is not in {where}',
                         f"its layouts are: {', '.join(repr(n) for n in available)}; "
                         "map DeckStyle.layouts to these names",
                         Path(style.master) if style.master else None)
        plans[ours] = _plan(ours, available[name], prs)
    return plans


def master_frames(style: DeckStyle) -> tuple[Length, Length, dict[str, Frames]]:
    """Slide width, height and every layout's frames on the style's master.

    What :mod:`medbrief.deck.html` needs to fit slides for an organisation's master exactly
    as :func:`write_pptx` does (the built-in master's frames need no python-pptx).
    """
    prs = open_master(style)
    plans = resolve_layouts(prs, style)
    frames = {name: plan.frames for name, plan in plans.items()}
    return Emu(prs.slide_width), Emu(prs.slide_height), frames


def _ph_box(ph) -> Box | None:
    if ph is None or ph.left is None or ph.width is None:
        return None
    return Box(Emu(ph.left), Emu(ph.top), Emu(ph.width), Emu(ph.height))


def _master_ph(layout, types: tuple) -> object | None:
    return next((p for p in layout.slide_master.placeholders
                 if p.placeholder_format.type in types), None)


def _plan(ours: str, layout, prs: Presentation) -> LayoutPlan:
    phs = list(layout.placeholders)
    title = next((p for p in phs if p.placeholder_format.type in TITLE_TYPES), None)
    subtitle = _subtitle_ph(ours, phs)
    bodies = sorted((p for p in phs if p.placeholder_format.type in BODY_TYPES
                     and p is not subtitle), key=lambda p: (p.left or 0, p.top or 0))
    headers, bodies = _split_headers(ours, bodies)
    title_box = _ph_box(title) or _ph_box(_master_ph(layout, TITLE_TYPES))
    body_boxes = [b for b in map(_ph_box, bodies) if b]
    if not body_boxes and ours in ("content", "blank"):
        body_boxes = [_ph_box(_master_ph(layout, BODY_TYPES)) or _below(title_box, prs)]
    frames = Frames(title_box or _inches(MASTER_GEOMETRY["title"]), _ph_box(subtitle),
                    tuple(body_boxes), tuple(b for b in map(_ph_box, headers) if b))
    return LayoutPlan(layout, frames, _idx(title), _idx(subtitle),
                      tuple(_idx(p) for p in bodies), tuple(_idx(p) for p in headers))


def _idx(ph) -> int | None:
    return None if ph is None else ph.placeholder_format.idx


def _subtitle_ph(ours: str, phs: list) -> object | None:
    sub = next((p for p in phs if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
    if sub is None and ours in ("title", "section"):
        sub = next((p for p in phs if p.placeholder_format.type in BODY_TYPES), None)
    return sub


def _split_headers(ours: str, bodies: list) -> tuple[list, list]:
    """On a comparison layout, the upper placeholder of each column is its heading."""
    if ours != "comparison" or len(bodies) < 4:
        return [], bodies
    columns = [sorted(bodies[:2], key=lambda p: p.top), sorted(bodies[2:4], key=lambda p: p.top)]
    return [c[0] for c in columns], [c[1] for c in columns]


def _below(title: Box | None, prs: Presentation) -> Box:
    margin = Inches(M)
    top = (title.bottom if title else margin) + Inches(0.25)
    return Box(margin, Emu(top), Emu(prs.slide_width - 2 * margin),
               Emu(prs.slide_height - top - margin))


# -- writing text -------------------------------------------------------------------------------

def _frame(tf, inset_x: Length, inset_y: Length, anchor: str = "t") -> None:
    """Text is fitted by medbrief: wrap in the box, no autofit, explicit insets.

    Attributes are written even when they equal DrawingML's defaults, so a placeholder
    never inherits other values from an organisation's layout.
    """
    body = tf._txBody.bodyPr
    for name, value in (("lIns", inset_x), ("rIns", inset_x), ("tIns", inset_y),
                        ("bIns", inset_y)):
        body.set(name, str(int(value)))
    body.set("wrap", "square")
    body.set("anchor", anchor)
    tf.auto_size = MSO_AUTO_SIZE.NONE  # <a:noAutofit/>: the size was chosen by measuring


def _spacing(tag: str, length: Length):
    el = etree.Element(qn(tag))
    etree.SubElement(el, qn("a:spcPts"), val=str(length.centipoints))
    return el


class Painter:
    """Draws fitted slides with one style; knows the deck for error messages."""

    def __init__(self, style: DeckStyle, measurer: Measurer, template: str, language: str):
        self.style = style
        self.language = language
        self.m = measurer
        self.template = template
        self.slide: Slide | None = None

    def safe(self, text: str, what: str) -> str:
        bad = CONTROL_CHARS.search(text)
        if bad:
            where = f"{self.slide.label}: " if self.slide else ""
            raise RenderError(f"{where}control character U+{ord(bad.group()):04X} in {what}",
                              hint="remove it from the content",
                              location=Location(self.template))
        return text

    def colour(self, role: str) -> str:
        return {"heading": "title_color", "cite": "muted_color", "label": "background_color",
                "on-accent": "background_color", "title": "title_color",
                "header": "table_header_text"}.get(role, "text_color")

    def paragraphs(self, tf, paragraphs: Iterable[Paragraph], size: Length, role: str = "",
                   align=PP_ALIGN.LEFT) -> None:
        for i, p in enumerate(paragraphs):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            if align is not None:
                para.alignment = align
            self._format(para, p, self.m.para_format(p, size, i == 0))
            for run in p.runs:
                self.run(para, run, size, self.colour(p.role or role))

    def _format(self, para, p: Paragraph, f) -> None:
        pPr = para._p.get_or_add_pPr()
        pPr.set("lvl", str(p.level))
        pPr.set("marL", str(int(f.margin_left)))
        pPr.set("indent", str(int(f.indent)))
        for child in list(pPr):
            pPr.remove(child)
        pPr.append(_spacing("a:lnSpc", f.line_pitch))
        pPr.append(_spacing("a:spcBef", f.space_before))
        pPr.append(_spacing("a:spcAft", Length(0)))
        pPr.extend(self._bullet(p))

    def _bullet(self, p: Paragraph) -> list:
        if p.bullet is None or p.continued:
            return [etree.Element(qn("a:buNone"))]
        colour = etree.Element(qn("a:buClr"))
        etree.SubElement(colour, qn("a:srgbClr"), val=self.style.rgb("accent_color"))
        font = etree.Element(qn("a:buFont"), typeface=self.style.font)
        if p.bullet == "number":
            return [colour, font, etree.Element(qn("a:buAutoNum"), type="arabicPeriod",
                                                startAt=str(p.number))]
        return [colour, font, etree.Element(qn("a:buChar"), char="•")]

    def run(self, para, run: Run, size: Length, colour: str) -> None:
        r = para.add_run()
        r.text = self.safe(run.text, "text")
        font = r.font
        font.size = size
        font.name = self.style.font
        font.bold = run.bold
        font.italic = run.italic
        font.color.rgb = RGBColor.from_string(self.style.rgb(colour))
        rPr = r._r.get_or_add_rPr()
        rPr.set("lang", self.language)
        rPr.set("cap", "none")  # text is measured as written, never in capitals
        if run.href:
            r.hyperlink.address = self.safe(run.href, "a link")

    # -- shapes ------------------------------------------------------------------------

    def text_box(self, shapes, box: Box, paragraphs, size: Length, role: str = "", name=""):
        shape = shapes.add_textbox(box.left, box.top, box.width, box.height)
        if name:
            shape.name = name
        _frame(shape.text_frame, INSET_X, INSET_Y)
        self.paragraphs(shape.text_frame, paragraphs, size, role)
        return shape

    def fill_placeholder(self, ph, box: Box, paragraphs, size: Length, role: str = "",
                         anchor="t", keep_alignment: bool = False) -> None:
        """Fill a placeholder; titles keep an organisation master's alignment."""
        _move(ph, box)
        _frame(ph.text_frame, INSET_X, INSET_Y, anchor)
        align = None if keep_alignment and self.style.master else PP_ALIGN.LEFT
        self.paragraphs(ph.text_frame, paragraphs, size, role, align)

    def table(self, shapes, placed: PlacedTable, size: Length) -> None:
        rows = table_rows(placed.block)
        box = placed.box
        frame = shapes.add_table(len(rows), len(rows[0]), box.left, box.top, box.width,
                                 box.height)
        table = frame.table
        table.first_row, table.horz_banding = True, False
        for column, width in zip(table.columns, placed.col_widths, strict=True):
            column.width = width
        for r, (row, height) in enumerate(zip(rows, placed.row_heights, strict=True)):
            table.rows[r].height = height
            for c, cell in enumerate(row):
                self._cell(table.cell(r, c), cell, size, r)

    def _cell(self, cell, runs: Inline, size: Length, row: int) -> None:
        cell.margin_left = cell.margin_right = CELL_INSET_X
        cell.margin_top = cell.margin_bottom = CELL_INSET_Y
        cell.vertical_anchor = MSO_ANCHOR.TOP
        fill = "table_header_fill" if row == 0 else (
            "table_band" if row % 2 == 0 else "background_color")
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(self.style.rgb(fill))
        self.paragraphs(cell.text_frame, [Paragraph(runs)], size, "header" if row == 0 else "")

    def picture(self, shapes, placed: Placed, path: Path) -> None:
        box, image = placed.box, placed.block
        data = read_file(path, [path.parent], MAX_IMAGE_BYTES, Location(str(path)))
        pic = shapes.add_picture(io.BytesIO(data), box.left, box.top, box.width, box.height)
        pic.name = f"Picture: {image.alt[:40]}"
        pic._element.nvPicPr.cNvPr.set("descr", self.safe(image.alt, "alt text"))

    def quote(self, shapes, placed: Placed, size: Length) -> None:
        box = placed.box
        bar = Box(box.left, box.top, Inches(0.08), box.height)
        _rect(shapes, bar, self.style.rgb("accent_color"), "Quote bar")
        text = Box(Emu(box.left + QUOTE_INDENT), box.top, Emu(box.width - QUOTE_INDENT),
                   box.height)
        self.text_box(shapes, text, quote_paragraphs(placed.block), size, name="Quote")

    def process(self, shapes, placed: PlacedProcess, size: Length) -> None:
        title = process_title(placed.block)
        if title and placed.title_box:
            self.text_box(shapes, placed.title_box, title, size, name="Diagram title")
        pairs = zip(placed.block.steps, placed.step_boxes, strict=True)
        boxes = [self._step(shapes, step, box, size, n) for n, (step, box) in enumerate(pairs, 1)]
        for n, (a, b) in enumerate(zip(boxes, boxes[1:], strict=False)):
            self._arrow(shapes, a, b, _sides(n, placed.per_row), n + 1)

    def _step(self, shapes, step, box: Box, size: Length, n: int):
        shape = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, box.left, box.top, box.width,
                                 box.height)
        shape.name = f"Step {n}"
        shape.adjustments[0] = STEP_RADIUS / min(box.width, box.height)
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(self.style.rgb("accent_color"))
        shape.line.fill.background()
        shape.shadow.inherit = False
        shape._element.remove(shape._element.find(qn("p:style")))
        _frame(shape.text_frame, STEP_INSET_X, STEP_INSET_Y, "ctr")
        self.paragraphs(shape.text_frame, step_paragraphs(step), size, "on-accent",
                        PP_ALIGN.CENTER)
        return shape

    def _arrow(self, shapes, a, b, sides: tuple[int, int], n: int) -> None:
        arrow = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, 0, 0, 0, 0)
        arrow.name = f"Arrow {n}"
        arrow.begin_connect(a, sides[0])
        arrow.end_connect(b, sides[1])
        arrow.line.color.rgb = RGBColor.from_string(self.style.rgb("muted_color"))
        arrow.line.width = Pt(2.5)
        ln = arrow.line._get_or_add_ln()
        etree.SubElement(ln, qn("a:tailEnd"), type="triangle", w="lg", len="lg")


def _sides(n: int, per_row: int) -> tuple[int, int]:
    """Connection sites (0 top, 1 left, 2 bottom, 3 right) for the arrow after step n+1."""
    row, col = divmod(n, per_row)
    if col == per_row - 1:
        return 2, 0
    return (3, 1) if row % 2 == 0 else (1, 3)


# -- slides ------------------------------------------------------------------------------

class SlideWriter:
    """Adds fitted slides to a presentation."""

    def __init__(self, prs: Presentation, plans: dict[str, LayoutPlan], painter: Painter,
                 images: Callable[[str], Path]):
        self.prs = prs
        self.plans = plans
        self.paint = painter
        self.images = images

    def add(self, fitted: FittedSlide) -> None:
        slide = fitted.slide
        self.paint.slide = slide
        plan = self.plans[slide.layout]
        pptx_slide = self.prs.slides.add_slide(plan.layout)
        if slide.id:
            pptx_slide._element.cSld.name = self.paint.safe(slide.id, "the slide id")
        self._title(pptx_slide, plan, fitted)
        self._subtitle(pptx_slide, plan, fitted)
        self._headers(pptx_slide, plan, fitted)
        for i, placed in enumerate(fitted.regions):
            self._region(pptx_slide, plan, i, placed, fitted.body_size, slide)
        self._notes(pptx_slide, slide.notes)
        _drop_empty_placeholders(pptx_slide)

    def _title(self, pptx_slide, plan: LayoutPlan, fitted: FittedSlide) -> None:
        title = _placeholder(pptx_slide, plan.title_idx)
        if title is None:
            master_title = _master_ph(plan.layout, TITLE_TYPES)
            pptx_slide.shapes.clone_placeholder(master_title)
            title = _placeholder(pptx_slide, master_title.placeholder_format.idx)
        runs = tuple(Run(r.text, True, r.italic, r.href) for r in fitted.slide.title)
        anchor = "b" if fitted.slide.layout in ("title", "section") else (
            "ctr")
        self.paint.fill_placeholder(title, plan.frames.title, [Paragraph(runs)],
                                    fitted.title_size, "title", anchor, keep_alignment=True)
        spTree = pptx_slide.shapes._spTree
        spTree.insert(2, title._element)  # the title comes first in reading order

    def _subtitle(self, pptx_slide, plan: LayoutPlan, fitted: FittedSlide) -> None:
        ph = _placeholder(pptx_slide, plan.subtitle_idx)
        if fitted.subtitle_size and ph is not None:
            self.paint.fill_placeholder(ph, plan.frames.subtitle,
                                        [Paragraph(fitted.slide.subtitle)],
                                        fitted.subtitle_size, "cite", keep_alignment=True)

    def _headers(self, pptx_slide, plan: LayoutPlan, fitted: FittedSlide) -> None:
        if fitted.header_size is None:
            return
        headers = zip(fitted.slide.columns, plan.header_idx, plan.frames.headers, strict=False)
        for column, idx, box in headers:
            ph = _placeholder(pptx_slide, idx)
            paragraphs = [Paragraph(tuple(Run(r.text, True, r.italic, r.href)
                                          for r in column.heading), role="heading")]
            self.paint.fill_placeholder(ph, box, paragraphs, fitted.header_size,
                                        anchor="b")

    def _region(self, pptx_slide, plan: LayoutPlan, i: int, placed: tuple[Placed, ...],
                size: Length, fitted_slide: Slide) -> None:
        ph = _placeholder(pptx_slide, plan.body_idx[i] if i < len(plan.body_idx) else None)
        box = body_boxes(fitted_slide, plan.frames)[i]
        if ph is not None and len(placed) == 1 and isinstance(placed[0].block, Text):
            self.paint.fill_placeholder(ph, box, placed[0].block.paragraphs, size)
            return
        for item in placed:
            self._block(pptx_slide.shapes, item, size)

    def _block(self, shapes, placed: Placed, size: Length) -> None:
        block = placed.block
        if isinstance(placed, PlacedTable):
            self.paint.table(shapes, placed, size)
        elif isinstance(placed, PlacedProcess):
            self.paint.process(shapes, placed, size)
        elif isinstance(block, Image):
            self.paint.picture(shapes, placed, self.images(block.src))
        elif isinstance(block, Quote):
            self.paint.quote(shapes, placed, size)
        else:
            self.paint.text_box(shapes, placed.box, block.paragraphs, size)

    def _notes(self, pptx_slide, notes: str) -> None:
        if notes:
            frame = pptx_slide.notes_slide.notes_text_frame
            frame.text = self.paint.safe(notes, "the speaker notes")


def _placeholder(pptx_slide, idx: int | None):
    if idx is None:
        return None
    return next((p for p in pptx_slide.placeholders if p.placeholder_format.idx == idx), None)


def _drop_empty_placeholders(pptx_slide) -> None:
    for ph in list(pptx_slide.placeholders):
        if not (ph.has_text_frame and ph.text_frame.text.strip()):
            ph._element.getparent().remove(ph._element)


# -- images --------------------------------------------------------------------------------

# -- metadata and saving ---------------------------------------------------------------------

def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def set_properties(prs: Presentation, style: DeckStyle, language: str) -> None:
    """Overwrite every core property, so nothing of a master's own metadata remains."""
    core = prs.core_properties
    for child in list(core._element):
        core._element.remove(child)
    moment = _utc(style.created or datetime.now(UTC))
    core.title, core.subject = style.title, style.subject
    core.author = core.last_modified_by = style.author
    core.keywords = style.keywords
    core.language = language
    core.revision = 1
    core.created = core.modified = moment
    if style.created is not None:
        core.last_printed = moment
    _scrub_package(prs)


def _scrub_package(prs: Presentation) -> None:
    """Replace app.xml; drop thumbnail, custom properties and people's names."""
    package = prs.part.package
    for rId, rel in list(package._rels.items()):
        if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_PROPERTIES):
            package.drop_rel(rId)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part.blob = APP_XML
    for rId, rel in list(prs.part._rels.items()):
        if rel.reltype.endswith(PRIVATE_RELS):
            prs.part._rels.pop(rId)


def _zip_time(created: datetime | None) -> tuple[int, int, int, int, int, int]:
    if created is None or _utc(created).year < 1980:
        return ZIP_EPOCH
    return _utc(created).timetuple()[:6]


def deterministic_zip(data: bytes, created: datetime | None) -> bytes:
    """Rewrite a zip with fixed entry times and attributes, content types first."""
    stamp = _zip_time(created)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _write(data: bytes, out: str | Path | IO[bytes]) -> None:
    try:
        if hasattr(out, "write"):
            out.write(data)
        else:
            Path(out).write_bytes(data)
    except OSError as e:
        raise OutputError(f"cannot write the deck: {e}", location=Location(str(out))) from e


# -- the entry point -----------------------------------------------------------------------

def draw_labels(prs: Presentation, label: str, frames: list[Frames], style: DeckStyle,
                painter: Painter) -> None:
    """The draft label on every slide: a plain text box of the slide (not the master), so
    it can be deleted by hand, placed by :func:`medbrief.deck.label.label_box`."""
    text = painter.safe(label, "the draft label")
    for pptx_slide, slide_frames in zip(prs.slides, frames, strict=True):
        box = label_box(slide_frames, Length(prs.slide_width), Length(prs.slide_height))
        shape = pptx_slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
        shape.name = LABEL_NAME
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(LABEL_FILL)
        tf = shape.text_frame
        _frame(tf, Pt(4), Pt(2), "ctr")
        tf.word_wrap = True
        para = tf.paragraphs[0]
        para.alignment = PP_ALIGN.CENTER
        run = para.add_run()
        run.text = text
        run.font.size, run.font.bold, run.font.name = LABEL_SIZE, True, style.font
        run.font.color.rgb = RGBColor.from_string(LABEL_TEXT)


def write_pptx(deck: Deck, style: DeckStyle, out: str | Path | IO[bytes],
               moved: list[Moved] | None = None) -> int:
    """Draw ``deck`` as a .pptx into ``out`` (a path or binary file); return the slide count.
    Titles and subtitles whose overflow went into the body are appended to ``moved``."""
    prs = open_master(style)
    plans = resolve_layouts(prs, style)
    if style.master is not None:
        _remove_unneeded(prs, set(style.layouts.values()))
    images = Images(style.asset_root, deck.template)
    measurer = Measurer(Fonts.load(style.font_regular, style.font_bold), images.aspect)
    fitted = fit_deck(deck, {name: plan.frames for name, plan in plans.items()}, measurer,
                      moved)
    language = deck.language or style.language
    painter = Painter(style, measurer, deck.template, language)
    writer = SlideWriter(prs, plans, painter, images.path)
    for slide in fitted:
        writer.add(slide)
    if deck.label:
        draw_labels(prs, deck.label, [plans[f.slide.layout].frames for f in fitted], style,
                    painter)
    set_properties(prs, style, language)
    buffer = io.BytesIO()
    prs.save(buffer)
    _write(deterministic_zip(buffer.getvalue(), style.created), out)
    return len(fitted)
