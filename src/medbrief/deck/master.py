"""The master a deck is drawn on, read with python-pptx: its layouts and their frames.

The built-in master is python-pptx's default template made 16:9, placed with
:mod:`medbrief.deck.geometry` and themed with the style's colours and font; an
organisation's own .pptx is checked, opened and emptied of its slides.
:func:`resolve_layouts` maps each medbrief layout to one of the master's and reads where its
placeholders are (:class:`LayoutPlan`); :func:`master_frames` gives just the frames, which
is all the slides-with-notes PDF needs from an organisation's master.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn

from medbrief.deck import pptx_adapter as raw
from medbrief.deck.geometry import (
    BAR_LAYOUTS,
    DEFAULT_GEOMETRY,
    MASTER_GEOMETRY,
    RULE,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    Box,
    Frames,
    M,
    accent_bar,
    inches,
)
from medbrief.deck.model import LAYOUTS, DeckStyle
from medbrief.deck.package import MAX_MASTER_BYTES, MasterProblem, inspect_master
from medbrief.deck.plan import ACCENT
from medbrief.deck.units import Emu, Inches, Length
from medbrief.errors import Location, RenderError
from medbrief.safefile import UnsafeFile, read_file

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
        data = read_file(path, [path.parent], MAX_MASTER_BYTES, Location(str(path)), kind="master")
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
    except (
        PackageNotFoundError,
        KeyError,
        ValueError,
        etree.XMLSyntaxError,
        OSError,
        zipfile.BadZipFile,
    ) as e:
        raise _error(f"cannot open master: {e}", "re-save it from PowerPoint", path) from e
    _remove_slides(prs)
    return prs


UNNEEDED_RELS = (
    "/handoutMaster",
    "/customXml",
    "/vbaProject",
    "/font",
    "/tags",
    "/customXmlProps",
    "/printerSettings",
    "/oleObject",
    "/package",
)
"""Presentation-part relationships a generated deck never needs (macros, embedded fonts,
custom XML, handout master...): dropped, so their parts are not copied into decks."""


def remove_unneeded(prs: Presentation, used: set[str]) -> None:
    """Drop the master's layouts no slide will use and the parts only they refer to, and the
    presentation-level parts a deck never needs; python-pptx saves only what is still
    referred to, so a large picture on an unused layout is not copied into every deck."""
    for master in prs.slide_masters:
        for layout in list(master.slide_layouts):
            if layout.name not in used and not layout.used_by_slides:
                master.slide_layouts.remove(layout)
    rels = raw.part_relationships(prs.part)
    for rId, rel in list(rels.items()):
        if rel.reltype.endswith(UNNEEDED_RELS):
            rels.pop(rId)
    root = raw.presentation_element(prs)
    for el in root.xpath(
        "./*[local-name()='handoutMasterIdLst' or local-name()='embeddedFontLst'"
        " or local-name()='custDataLst' or local-name()='kinsoku']"
    ):
        root.remove(el)


def _remove_slides(prs: Presentation) -> None:
    """Drop the master's own slides, and everything that refers to them."""
    raw.remove_all_slides(prs)
    root = raw.presentation_element(prs)
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
            ph.placeholder_format.type
        )
        if kind:
            move(ph, inches(MASTER_GEOMETRY[kind]))
        else:
            ph.left, ph.width = Emu(ph.left * scale), Emu(ph.width * scale)


def _place_layout(layout, geometry: dict[int, tuple[float, float, float, float]]) -> None:
    for ph in layout.placeholders:
        box = geometry.get(ph.placeholder_format.idx)
        if box:
            move(ph, inches(box))


def move(shape, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height


def _theme(prs: Presentation, style: DeckStyle) -> None:
    """Theme colours and fonts of the built-in master, so text added later matches."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    theme = etree.fromstring(part.blob)
    colours = {
        "dk1": "text_color",
        "lt1": "background_color",
        "dk2": "title_color",
        "lt2": "table_band",
        "accent1": "accent_color",
        "hlink": "accent_color",
        "folHlink": "muted_color",
    }
    for slot, name in colours.items():
        el = theme.find(f".//{qn('a:clrScheme')}/{qn('a:' + slot)}")
        el.clear()
        etree.SubElement(el, qn("a:srgbClr"), val=style.rgb(name))
    for latin in theme.iterfind(f".//{qn('a:fontScheme')}//{qn('a:latin')}"):
        latin.set("typeface", style.font)
    part.blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


def _decorate(prs: Presentation, style: DeckStyle) -> None:
    """An accent rule under the title; title and section slides get a bar instead."""
    rule = inches(RULE)
    add_rect(prs.slide_master.shapes, rule, style.rgb(ACCENT), "Accent rule")
    for layout in prs.slide_layouts:
        if layout.name in BAR_LAYOUTS:
            raw.hide_master_shapes(layout)
            add_rect(layout.shapes, accent_bar(layout.name), style.rgb(ACCENT), "Accent bar")


RECT_XML = (
    '<p:sp %s><p:nvSpPr><p:cNvPr id="%d" name="%s"/><p:cNvSpPr/><p:nvPr userDrawn="1"/>'
    '</p:nvSpPr><p:spPr><a:xfrm><a:off x="%d" y="%d"/><a:ext cx="%d" cy="%d"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="%s"/>'
    "</a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>"
)


def add_rect(shapes, box: Box, rgb: str, name: str) -> None:
    """A plain filled rectangle (masters and layouts have no ``add_shape``)."""
    tree = raw.shape_tree(shapes)
    next_id = max((int(i) for i in tree.xpath("//@id") if i.isdigit()), default=0) + 1
    xml = RECT_XML % (
        nsdecls("p", "a"),
        next_id,
        name,
        box.left,
        box.top,
        box.width,
        box.height,
        rgb,
    )
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
            raise _error(
                f'layout "{name}" (for "{ours}" slides) is not in {where}',
                f"its layouts are: {', '.join(repr(n) for n in available)}; "
                "map DeckStyle.layouts to these names",
                Path(style.master) if style.master else None,
            )
        plans[ours] = _plan(ours, available[name], prs)
    return plans


def master_frames(style: DeckStyle) -> tuple[Length, Length, dict[str, Frames]]:
    """Slide width, height and every layout's frames on the style's master.

    What :mod:`medbrief.deck.slides_html` needs to fit slides for an organisation's master exactly
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


def master_placeholder(layout, types: tuple) -> object | None:
    return next(
        (p for p in layout.slide_master.placeholders if p.placeholder_format.type in types), None
    )


def _plan(ours: str, layout, prs: Presentation) -> LayoutPlan:
    phs = list(layout.placeholders)
    title = next((p for p in phs if p.placeholder_format.type in TITLE_TYPES), None)
    subtitle = _subtitle_ph(ours, phs)
    bodies = sorted(
        (p for p in phs if p.placeholder_format.type in BODY_TYPES and p is not subtitle),
        key=lambda p: (p.left or 0, p.top or 0),
    )
    headers, bodies = _split_headers(ours, bodies)
    title_box = _ph_box(title) or _ph_box(master_placeholder(layout, TITLE_TYPES))
    body_boxes = [b for b in map(_ph_box, bodies) if b]
    if not body_boxes and ours in ("content", "blank"):
        body_boxes = [_ph_box(master_placeholder(layout, BODY_TYPES)) or _below(title_box, prs)]
    frames = Frames(
        title_box or inches(MASTER_GEOMETRY["title"]),
        _ph_box(subtitle),
        tuple(body_boxes),
        tuple(b for b in map(_ph_box, headers) if b),
    )
    return LayoutPlan(
        layout,
        frames,
        _idx(title),
        _idx(subtitle),
        tuple(_idx(p) for p in bodies),
        tuple(_idx(p) for p in headers),
    )


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
    return Box(
        margin, Emu(top), Emu(prs.slide_width - 2 * margin), Emu(prs.slide_height - top - margin)
    )
