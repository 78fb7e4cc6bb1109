"""Deck → PowerPoint: translates a drawing plan into DrawingML with python-pptx.

Every decision about what goes where, at which size, in which colour is in the plan
(:mod:`medbrief.deck.plan`); this module only writes it, with exactly the paragraph
formats measured (explicit size, font, line pitch, indents on every paragraph and run), so
PowerPoint and LibreOffice lay it out as measured.  The master comes from
:mod:`medbrief.deck.master`; python-pptx's private internals are reached only through
:mod:`medbrief.deck.pptx_adapter`.  With ``DeckStyle.created`` set, the output is
byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from medbrief.assets import MAX_IMAGE_BYTES
from medbrief.deck import pptx_adapter as raw
from medbrief.deck.fit import Moved
from medbrief.deck.images import Images
from medbrief.deck.label import LABEL_FILL, LABEL_TEXT
from medbrief.deck.master import (
    TITLE_TYPES,
    LayoutPlan,
    add_rect,
    master_placeholder,
    move,
    open_master,
    remove_unneeded,
    resolve_layouts,
)
from medbrief.deck.model import CONTROL_CHARS, Deck, DeckStyle, Paragraph, Run, Slide
from medbrief.deck.plan import (
    ACCENT,
    ARROW_WIDTH,
    CONNECTOR,
    PictureShape,
    ProcessShape,
    QuoteShape,
    RegionPlan,
    Shape,
    SlidePlan,
    TableShape,
    TextFrame,
    plan_deck,
)
from medbrief.deck.units import Length
from medbrief.errors import Location, OutputError, RenderError
from medbrief.safefile import read_file

PRIVATE_RELS = ("/commentAuthors", "/revisionInfo", "/changesInfo", "/authors")
"""Presentation-part relationships that carry people's names: never copied from a master."""
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>medbrief</Application></Properties>'
)
ALIGN = {"l": PP_ALIGN.LEFT, "ctr": PP_ALIGN.CENTER, None: None}

# -- writing text -------------------------------------------------------------------------------


def _frame(tf, frame: TextFrame) -> None:
    """Text is fitted by medbrief: wrap in the box, no autofit, explicit insets.

    Attributes are written even when they equal DrawingML's defaults, so a placeholder
    never inherits other values from an organisation's layout.  (A rounded rectangle's own
    text area adds ``frame.text_inset`` by itself.)
    """
    body = raw.body_properties(tf)
    for name, value in (
        ("lIns", frame.inset_x),
        ("rIns", frame.inset_x),
        ("tIns", frame.inset_y),
        ("bIns", frame.inset_y),
    ):
        body.set(name, str(int(value)))
    body.set("wrap", "square")
    body.set("anchor", frame.anchor)
    tf.auto_size = MSO_AUTO_SIZE.NONE  # <a:noAutofit/>: the size was chosen by measuring


def _spacing(tag: str, length: Length):
    el = etree.Element(qn(tag))
    etree.SubElement(el, qn("a:spcPts"), val=str(length.centipoints))
    return el


class Painter:
    """Draws planned shapes with one style; knows the deck for error messages."""

    def __init__(
        self, style: DeckStyle, template: str, language: str, images: Callable[[str], Path]
    ):
        self.style = style
        self.language = language
        self.template = template
        self.images = images
        self.slide: Slide | None = None

    def safe(self, text: str, what: str) -> str:
        bad = CONTROL_CHARS.search(text)
        if bad:
            where = f"{self.slide.label}: " if self.slide else ""
            where_at = self.slide.location(self.template) if self.slide else Location(self.template)
            raise RenderError(
                f"{where}control character U+{ord(bad.group()):04X} in {what}",
                hint="remove it from the content",
                location=where_at,
            )
        return text

    def rgb(self, colour: str) -> RGBColor:
        return RGBColor.from_string(self.style.rgb(colour))

    def text(self, tf, frame: TextFrame) -> None:
        _frame(tf, frame)
        self.paragraphs(tf, frame.paragraphs, frame.size, ALIGN[frame.align])

    def paragraphs(self, tf, paragraphs: Sequence, size: Length, align=PP_ALIGN.LEFT) -> None:
        for i, drawn in enumerate(paragraphs):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            if align is not None:
                para.alignment = align
            self._format(para, drawn.paragraph, drawn.format)
            for run in drawn.runs:
                self.run(para, run, size, drawn.colour)

    def _format(self, para, p: Paragraph, f) -> None:
        pPr = raw.paragraph_properties(para)
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
        etree.SubElement(colour, qn("a:srgbClr"), val=self.style.rgb(ACCENT))
        font = etree.Element(qn("a:buFont"), typeface=self.style.font)
        if p.bullet == "number":
            return [
                colour,
                font,
                etree.Element(qn("a:buAutoNum"), type="arabicPeriod", startAt=str(p.number)),
            ]
        return [colour, font, etree.Element(qn("a:buChar"), char="•")]

    def run(self, para, run: Run, size: Length, colour: str) -> None:
        r = para.add_run()
        r.text = self.safe(run.text, "text")
        font = r.font
        font.size = size
        font.name = self.style.font
        font.bold = run.bold
        font.italic = run.italic
        font.color.rgb = self.rgb(colour)
        rPr = raw.run_properties(r)
        rPr.set("lang", self.language)
        rPr.set("cap", "none")  # text is measured as written, never in capitals
        if run.href:
            r.hyperlink.address = self.safe(run.href, "a link")

    # -- shapes ------------------------------------------------------------------------

    def shape(self, shapes, shape: Shape) -> None:
        if isinstance(shape, TableShape):
            self.table(shapes, shape)
        elif isinstance(shape, ProcessShape):
            self.process(shapes, shape)
        elif isinstance(shape, PictureShape):
            self.picture(shapes, shape)
        elif isinstance(shape, QuoteShape):
            add_rect(shapes, shape.bar, self.style.rgb(ACCENT), "Quote bar")
            self.text_box(shapes, shape.frame)
        else:
            self.text_box(shapes, shape.frame)

    def text_box(self, shapes, frame: TextFrame):
        box = frame.box
        shape = shapes.add_textbox(box.left, box.top, box.width, box.height)
        if frame.name:
            shape.name = frame.name
        self.text(shape.text_frame, frame)
        return shape

    def fill_placeholder(self, ph, frame: TextFrame) -> None:
        move(ph, frame.box)
        self.text(ph.text_frame, frame)

    def table(self, shapes, shape: TableShape) -> None:
        box, rows = shape.box, shape.cells
        frame = shapes.add_table(len(rows), len(rows[0]), box.left, box.top, box.width, box.height)
        table = frame.table
        table.first_row, table.horz_banding = True, False
        for column, width in zip(table.columns, shape.col_widths, strict=True):
            column.width = width
        for r, (row, height) in enumerate(zip(rows, shape.row_heights, strict=True)):
            table.rows[r].height = height
            for c, cell in enumerate(row):
                pptx_cell = table.cell(r, c)
                pptx_cell.margin_left = pptx_cell.margin_right = shape.inset_x
                pptx_cell.margin_top = pptx_cell.margin_bottom = shape.inset_y
                pptx_cell.vertical_anchor = MSO_ANCHOR.TOP
                pptx_cell.fill.solid()
                pptx_cell.fill.fore_color.rgb = self.rgb(cell.fill)
                self.paragraphs(pptx_cell.text_frame, cell.paragraphs, shape.size)

    def picture(self, shapes, shape: PictureShape) -> None:
        box, image = shape.box, shape.block
        path = self.images(image.src)
        data = read_file(path, [path.parent], MAX_IMAGE_BYTES, Location(str(path)))
        pic = shapes.add_picture(io.BytesIO(data), box.left, box.top, box.width, box.height)
        pic.name = f"Picture: {image.alt[:40]}"
        raw.set_description(pic, self.safe(image.alt, "alt text"))

    def process(self, shapes, shape: ProcessShape) -> None:
        if shape.title is not None:
            self.text_box(shapes, shape.title)
        steps = [
            self._step(shapes, step.frame, step.fill, shape.radius, n)
            for n, step in enumerate(shape.steps, 1)
        ]
        for arrow in shape.arrows:
            connector = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, 0, 0, 0, 0)
            connector.name = f"Arrow {arrow.end}"
            connector.begin_connect(steps[arrow.start], arrow.sides[0])
            connector.end_connect(steps[arrow.end], arrow.sides[1])
            connector.line.color.rgb = self.rgb(CONNECTOR)
            connector.line.width = ARROW_WIDTH
            raw.add_arrow_head(connector.line)

    def _step(self, shapes, frame: TextFrame, fill: str, radius: Length, n: int):
        box = frame.box
        shape = shapes.add_shape(
            MSO_SHAPE.ROUNDED_RECTANGLE, box.left, box.top, box.width, box.height
        )
        shape.name = f"Step {n}"
        shape.adjustments[0] = radius / min(box.width, box.height)
        shape.fill.solid()
        shape.fill.fore_color.rgb = self.rgb(fill)
        shape.line.fill.background()
        shape.shadow.inherit = False
        raw.remove_style(shape)
        self.text(shape.text_frame, frame)
        return shape


# -- slides ------------------------------------------------------------------------------


class SlideWriter:
    """Adds planned slides to a presentation."""

    def __init__(self, prs: Presentation, layouts: dict[str, LayoutPlan], painter: Painter):
        self.prs = prs
        self.layouts = layouts
        self.paint = painter

    def add(self, plan: SlidePlan) -> None:
        slide = plan.slide
        self.paint.slide = slide
        layout = self.layouts[slide.layout]
        pptx_slide = self.prs.slides.add_slide(layout.layout)
        if slide.id:
            raw.set_slide_name(pptx_slide, self.paint.safe(slide.id, "the slide id"))
        self._title(pptx_slide, layout, plan)
        ph = _placeholder(pptx_slide, layout.subtitle_idx)
        if plan.subtitle is not None and ph is not None:
            self.paint.fill_placeholder(ph, plan.subtitle)
        for frame, idx in zip(plan.headers, layout.header_idx, strict=False):
            self.paint.fill_placeholder(_placeholder(pptx_slide, idx), frame)
        for i, region in enumerate(plan.regions):
            self._region(pptx_slide, layout, i, region)
        if slide.notes:
            frame = pptx_slide.notes_slide.notes_text_frame
            frame.text = self.paint.safe(slide.notes, "the speaker notes")
        _drop_empty_placeholders(pptx_slide)

    def _title(self, pptx_slide, layout: LayoutPlan, plan: SlidePlan) -> None:
        title = _placeholder(pptx_slide, layout.title_idx)
        if title is None:
            master_title = master_placeholder(layout.layout, TITLE_TYPES)
            pptx_slide.shapes.clone_placeholder(master_title)
            title = _placeholder(pptx_slide, master_title.placeholder_format.idx)
        self.paint.fill_placeholder(title, plan.title)
        raw.move_first(pptx_slide, title)  # the title comes first in reading order

    def _region(self, pptx_slide, layout: LayoutPlan, i: int, region: RegionPlan) -> None:
        ph = _placeholder(pptx_slide, layout.body_idx[i] if i < len(layout.body_idx) else None)
        if ph is not None and region.text_only is not None:
            self.paint.fill_placeholder(ph, region.text_only)
            return
        for shape in region.shapes:
            self.paint.shape(pptx_slide.shapes, shape)


def _placeholder(pptx_slide, idx: int | None):
    if idx is None:
        return None
    return next((p for p in pptx_slide.placeholders if p.placeholder_format.idx == idx), None)


def _drop_empty_placeholders(pptx_slide) -> None:
    for ph in list(pptx_slide.placeholders):
        if not (ph.has_text_frame and ph.text_frame.text.strip()):
            raw.remove_shape(ph)


# -- metadata and saving ---------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def set_properties(prs: Presentation, style: DeckStyle, language: str) -> None:
    """Overwrite every core property, so nothing of a master's own metadata remains."""
    core = prs.core_properties
    raw.clear_core_properties(core)
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
    for rId, rel in list(raw.package_relationships(package).items()):
        if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_PROPERTIES):
            package.drop_rel(rId)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part.blob = APP_XML
    rels = raw.part_relationships(prs.part)
    for rId, rel in list(rels.items()):
        if rel.reltype.endswith(PRIVATE_RELS):
            rels.pop(rId)


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


def draw_labels(
    prs: Presentation, plans: Sequence[SlidePlan], style: DeckStyle, painter: Painter
) -> None:
    """The draft label on every slide: a plain text box of the slide (not the master), so
    it can be deleted by hand, where the plan put it (:func:`medbrief.deck.label.label_box`)."""
    for pptx_slide, plan in zip(prs.slides, plans, strict=True):
        label = plan.label
        if label is None:
            continue
        box = label.box
        shape = pptx_slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
        shape.name = label.name
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(LABEL_FILL)
        tf = shape.text_frame
        _frame(tf, label)
        tf.word_wrap = True
        para = tf.paragraphs[0]
        para.alignment = PP_ALIGN.CENTER
        run = para.add_run()
        run.text = painter.safe(
            "".join(r.text for r in label.paragraphs[0].runs), "the draft label"
        )
        run.font.size, run.font.bold, run.font.name = label.size, True, style.font
        run.font.color.rgb = RGBColor.from_string(LABEL_TEXT)


def write_pptx(
    deck: Deck, style: DeckStyle, out: str | Path | IO[bytes], moved: list[Moved] | None = None
) -> int:
    """Draw ``deck`` as a .pptx into ``out`` (a path or binary file); return the slide count.
    Titles and subtitles whose overflow went into the body are appended to ``moved``."""
    prs = open_master(style)
    layouts = resolve_layouts(prs, style)
    if style.master is not None:
        remove_unneeded(prs, set(style.layouts.values()))
    images = Images(style.asset_root, deck.template)
    plan = plan_deck(
        deck,
        style,
        {name: lp.frames for name, lp in layouts.items()},
        images,
        moved,
        (Length(prs.slide_width), Length(prs.slide_height)),
    )
    language = deck.language or style.language
    painter = Painter(style, deck.template, language, images.path)
    writer = SlideWriter(prs, layouts, painter)
    for slide in plan.slides:
        writer.add(slide)
    draw_labels(prs, plan.slides, style, painter)
    set_properties(prs, style, language)
    buffer = io.BytesIO()
    prs.save(buffer)
    _write(deterministic_zip(buffer.getvalue(), style.created), out)
    return len(plan.slides)
