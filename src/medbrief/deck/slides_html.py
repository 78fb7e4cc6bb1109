"""The slides-with-notes PDF's HTML: the fitted deck, written back as slide HTML.

A deck template's HTML says what is on each slide, not how it fits: printed as it is, a
long slide overflows its frame and the "(continued)" slides of the .pptx are missing.
:func:`fitted_html` therefore parses the deck and makes the same drawing plan as
:func:`~medbrief.deck.pptx_writer.write_pptx` (:func:`~medbrief.deck.plan.plan_deck`: same
:class:`DeckStyle`, master frames and font metrics), and translates it back into the
documented subset — one ``<section>`` per slide of the .pptx, titles
with "(continued)", body, ``<aside class="notes">`` — plus a generated ``<style>`` in
``<head>`` that places every block where the .pptx has it, at the same (scaled) sizes.
WeasyPrint prints that (with ``templates/css/slides.css``): one A4 page per slide, the
slide as a 16:9 frame :data:`FRAME_WIDTH_PT` wide at the top, its notes below.

Fitting the built-in master needs no python-pptx; an organisation's master is opened with
it (lazily, by :mod:`medbrief.deck.master`) to read its layouts.  The output parses again with
:func:`medbrief.deck.markup.parse_deck`; it uses two parts of the subset that exist for it:
``<ol start>`` and ``<li class="continued">``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from medbrief.deck.fit import STEP_RADIUS
from medbrief.deck.geometry import (
    BAR_LAYOUTS,
    RULE,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    Box,
    Frames,
    accent_bar,
    default_frames,
    inches,
)
from medbrief.deck.images import Images
from medbrief.deck.label import LABEL_FILL, LABEL_TEXT
from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Deck, DeckStyle, Inline, Paragraph, Slide, arimo_path
from medbrief.deck.plan import (
    ACCENT,
    ARROW_WIDTH,
    BAND_FILL,
    CONNECTOR,
    HEADER_FILL,
    PLAIN_FILL,
    ROLE_COLOURS,
    TEXT_COLOUR,
    PictureShape,
    ProcessShape,
    QuoteShape,
    Shape,
    SlidePlan,
    TableShape,
    TextFrame,
    TextShape,
    plan_deck,
)
from medbrief.deck.units import EMU_PER_PT, Length

FRAME_WIDTH_PT = 180 / 25.4 * 72
"""The printed slide frame: 180 mm, the width of an A4 page inside slides.css's margins."""
NOTES_GAP_PT = 6 / 25.4 * 72
"""Space between the slide frame and its notes."""
ARROW_HEAD_PT = 12.0
"""Arrowhead length of the .pptx's large triangle line end, in slide points."""

TOP_LISTS = ("section > ul", "section > ol", ".column > ul", ".column > ol")
"""Lists that are blocks of their own (the notes' lists are not among them)."""

_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)


def fitted_html(html: str, name: str, style: DeckStyle) -> str:
    """The deck ``html`` (rendered from template ``name``) as its fitted slides, to print."""
    deck = parse_deck(html, name)
    width, height, frames = _frames(style)
    images = Images(style.asset_root, name)
    plan = plan_deck(deck, style, frames, images, size=(width, height))
    writer = _Writer(style, images, FRAME_WIDTH_PT / (width / EMU_PER_PT))
    body = writer.sections(plan.slides)
    css = writer.stylesheet(width, height, builtin=style.master is None)
    return _document(html, deck, css, body)


def _frames(style: DeckStyle) -> tuple[Length, Length, dict[str, Frames]]:
    if style.master is None:
        return SLIDE_WIDTH, SLIDE_HEIGHT, default_frames()
    from medbrief.deck.master import master_frames  # reads the organisation's .pptx

    return master_frames(style)


def _document(source: str, deck: Deck, css: str, body: list[str]) -> str:
    head = _HEAD.search(source)
    html_tag = _HTML_TAG.search(source)
    start = (
        html_tag.group(0)
        if html_tag
        else (f'<html lang="{escape(deck.language)}">' if deck.language else "<html>")
    )
    inner = head.group(1).rstrip() if head else '<meta charset="utf-8">'
    return (
        f"<!DOCTYPE html>\n{start}\n<head>{inner}\n<style>\n{css}</style>\n</head>\n"
        f"<body>\n{''.join(body)}</body>\n</html>\n"
    )


# -- text --------------------------------------------------------------------------------------


def runs_html(runs: Inline) -> str:
    out = []
    for run in runs:
        text = escape(run.text, quote=False)
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.italic:
            text = f"<em>{text}</em>"
        if run.href:
            text = f'<a href="{escape(run.href)}">{text}</a>'
        out.append(text)
    return "".join(out)


def _is_item(p: Paragraph) -> bool:
    return p.bullet is not None


def list_html(items: Sequence[Paragraph], level: int = 0) -> str:
    """List paragraphs (levels ≥ ``level``, all of one list) as nested ``<ul>``/``<ol>``.

    An item split across slides continues in an ``<li class="continued">``; items whose
    parent item is on an earlier slide hang from an empty one.
    """
    own = [p for p in items if p.level == level]
    tag = "ol" if (own[0] if own else items[0]).bullet == "number" else "ul"
    lis: list[str] = []
    first_number: int | None = None
    i = 0
    while i < len(items):
        p = items[i]
        j = i + 1 if p.level == level else i
        while j < len(items) and items[j].level > level:
            j += 1
        if p.level == level:
            nested = list_html(items[i + 1 : j], level + 1) if j > i + 1 else ""
            if first_number is None:
                first_number = p.number - len(lis)
            cls = ' class="continued"' if p.continued else ""
            lis.append(f"<li{cls}>{runs_html(p.runs)}{nested}</li>")
        else:
            lis.append(f'<li class="continued">{list_html(items[i:j], level + 1)}</li>')
        i = j
    start = f' start="{first_number}"' if tag == "ol" and first_number not in (None, 1) else ""
    return f"<{tag}{start}>{''.join(lis)}</{tag}>"


def groups(paragraphs: Sequence[Paragraph]) -> list[tuple[int, int]]:
    """Split a text frame's paragraphs into HTML blocks: (start, end) index ranges.

    A paragraph or heading is a block; neighbouring list items are one list, unless a new
    top-level list starts (another kind, or numbering from 1 again).
    """
    out: list[tuple[int, int]] = []
    top_kind: str | None = None
    for i, p in enumerate(paragraphs):
        new_list = (
            p.level == 0
            and not p.continued
            and top_kind is not None
            and (p.bullet != top_kind or (p.bullet == "number" and p.number == 1))
        )
        if out and _is_item(p) and _is_item(paragraphs[i - 1]) and not new_list:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
            top_kind = None
        if _is_item(p) and p.level == 0 and top_kind is None:
            top_kind = p.bullet
    return out


# -- the writer -------------------------------------------------------------------------------


class _Writer:
    """Translates slide plans into HTML, and collects the CSS that places their parts."""

    def __init__(self, style: DeckStyle, images: Images, scale: float):
        self.style = style
        self.images = images
        self.k = scale
        self.rules: list[str] = []
        self.ids: set[str] = set()

    # units
    def pt(self, emu: float) -> str:
        return f"{emu / EMU_PER_PT * self.k:.2f}pt"

    def colour(self, name: str) -> str:
        return "#" + self.style.rgb(name)

    def rule(self, selector: str, **props: str) -> None:
        body = "; ".join(f"{k.replace('_', '-')}: {v}" for k, v in props.items())
        self.rules.append(f"{selector} {{ {body} }}")

    def at(self, box: Box, origin: Box | None = None) -> dict[str, str]:
        left, top = (
            (box.left - origin.left, box.top - origin.top) if origin else (box.left, box.top)
        )
        return {
            "position": "absolute",
            "left": self.pt(left),
            "top": self.pt(top),
            "width": self.pt(box.width),
        }

    def type(self, size: Length, line_pitch: Length) -> dict[str, str]:
        return {"font_size": self.pt(size), "line_height": self.pt(line_pitch)}

    # slides
    def sections(self, plans: Sequence[SlidePlan]) -> list[str]:
        return [self.section(p, n) for n, p in enumerate(plans, 1)]

    def section(self, plan: SlidePlan, n: int) -> str:
        slide = plan.slide
        sel = f"body > section:nth-of-type({n})"
        children = [self.title(plan, f"{sel} > :nth-child(1)")]
        if plan.subtitle is not None:
            children.append(
                self.frame_text(
                    f"{sel} > :nth-child(2)", plan.subtitle, slide.subtitle, 'p class="subtitle"'
                )
            )
        if slide.columns:
            children.append(self.columns(plan, f"{sel} > :nth-child({len(children) + 1})"))
        else:
            for shape in plan.regions[0].shapes if plan.regions else ():
                children.extend(self.shape(shape, sel, len(children)))
        if plan.label is not None:
            children.append(
                self.draft_label(plan.label, f"{sel} > :nth-child({len(children) + 1})")
            )
        if slide.notes:
            lines = "".join(
                f"<p>{escape(line, quote=False)}</p>"
                for line in slide.notes.split("\n")
                if line.strip()
            )
            children.append(f'<aside class="notes">{lines}</aside>')
        attrs = f'data-layout="{slide.layout}"'
        ident = self.section_id(slide)
        if ident:
            attrs += f' id="{escape(ident)}"'
        inner = "\n  ".join(children)
        return f"<section {attrs}>\n  {inner}\n</section>\n"

    def draft_label(self, label: TextFrame, sel: str) -> str:
        """The label where the .pptx has it (the plan's, from :mod:`medbrief.deck.label`)."""
        self.rule(
            sel,
            **self.at(label.box),
            **self.type(label.size, label.line_pitch),
            height=self.pt(label.box.height),
            margin="0",
            text_align="center",
            font_weight="700",
            color="#" + LABEL_TEXT,
            background="#" + LABEL_FILL,
        )
        text = "".join(r.text for r in label.paragraphs[0].runs)
        return f'<p class="draft-label">{escape(text, quote=False)}</p>'

    def section_id(self, slide: Slide) -> str | None:
        if slide.id is None:
            return None
        ident = slide.id
        suffix = 0
        while ident in self.ids:
            suffix += 1
            ident = f"{slide.id}-continued" + (f"-{suffix}" if suffix > 1 else "")
        self.ids.add(ident)
        return ident

    def title(self, plan: SlidePlan, sel: str) -> str:
        tag = "h1" if plan.slide.layout == "title" else "h2"
        self.frame_text(sel, plan.title, plan.slide.title, tag)
        return f"<{tag}>{runs_html(plan.slide.title)}</{tag}>"

    def frame_text(self, sel: str, frame: TextFrame, runs: Inline, tag: str) -> str:
        """A one-paragraph frame set as the .pptx sets it: insets, size, vertical anchor.

        Lines are as wide as the fitter fills them, so they break where it measured them and
        the anchored position it computes holds.
        """
        box, first = frame.box, frame.paragraphs[0]
        top = {
            "t": box.top,
            "ctr": box.top + (box.height - frame.text_height) / 2,
            "b": box.bottom - frame.text_height,
        }[frame.anchor] + frame.inset_y
        inner = Box(Length(box.left + frame.inset_x), Length(top), frame.fill_width, Length(0))
        self.rule(sel, **self.at(inner), **self.type(frame.size, frame.line_pitch))
        self.rule(
            sel,
            color=self.colour(first.colour),
            font_weight="700" if all(r.bold for r in first.runs) else "400",
        )
        return f"<{tag}>{runs_html(runs)}</{tag.split()[0]}>"

    # columns
    def columns(self, plan: SlidePlan, sel: str) -> str:
        out = []
        for c, (column, region) in enumerate(
            zip(plan.slide.columns, plan.regions, strict=False), 1
        ):
            csel = f"{sel} > :nth-child({c})"
            children: list[str] = []
            if c <= len(plan.headers) and column.heading:
                frame = plan.headers[c - 1]
                children.append(
                    self.frame_text(
                        f"{csel} > :nth-child(1)", frame, frame.paragraphs[0].runs, "h3"
                    )
                )
            for shape in region.shapes:
                children.extend(self.shape(shape, csel, len(children)))
            out.append(f'<div class="column">{"".join(children)}</div>')
        return f'<div class="columns">{"".join(out)}</div>'

    # shapes
    def shape(self, shape: Shape, parent: str, before: int) -> list[str]:
        """HTML for one planned shape, whose first element is child ``before + 1``."""
        sel = f"{parent} > :nth-child({before + 1})"
        if isinstance(shape, TableShape):
            return [self.table(shape, sel)]
        if isinstance(shape, ProcessShape):
            return [self.process(shape, sel)]
        if isinstance(shape, PictureShape):
            self.rule(sel, **self.at(shape.box), height=self.pt(shape.box.height))
            src = self.images.path(shape.block.src).as_uri()
            return [f'<img src="{escape(src)}" alt="{escape(shape.block.alt)}">']
        if isinstance(shape, QuoteShape):
            return [self.quote(shape, sel)]
        return self.text(shape, parent, before)

    def text(self, shape: TextShape, parent: str, before: int) -> list[str]:
        """A text frame: each paragraph, heading or list placed at its planned offset."""
        frame = shape.frame
        paragraphs = shape.block.paragraphs
        out = []
        for n, (start, end) in enumerate(groups(paragraphs), before + 1):
            sel = f"{parent} > :nth-child({n})"
            first, drawn = paragraphs[start], frame.paragraphs[start]
            top = Length(frame.box.top + drawn.offset)
            inner = Box(
                Length(frame.box.left + frame.inset_x),
                top,
                Length(frame.box.width - 2 * frame.inset_x),
                Length(0),
            )
            self.rule(sel, **self.at(inner), **self.type(frame.size, frame.line_pitch))
            if first.bullet is not None:
                out.append(list_html(paragraphs[start:end]))
            elif first.role == "heading":
                self.rule(sel, color=self.colour(drawn.colour), font_weight="700")
                out.append(f"<h3>{runs_html(first.runs)}</h3>")
            else:
                out.append(f"<p>{runs_html(first.runs)}</p>")
        return out

    def quote(self, shape: QuoteShape, sel: str) -> str:
        box, quote, frame = shape.box, shape.block, shape.frame
        indent = frame.box.left - shape.bar.right + frame.inset_x
        self.rule(
            sel,
            **self.at(box),
            height=self.pt(box.height),
            **self.type(frame.size, frame.line_pitch),
            border_left=f"{self.pt(shape.bar.width)} solid {self.colour(ACCENT)}",
            padding=f"{self.pt(frame.inset_y)} {self.pt(frame.inset_x)} 0 {self.pt(indent)}",
        )
        body = "".join(f"<p>{runs_html(p.runs)}</p>" for p in quote.paragraphs)
        cite = f"<cite>{runs_html(quote.cite)}</cite>" if quote.cite else ""
        return f"<blockquote>{body}{cite}</blockquote>"

    def table(self, shape: TableShape, sel: str) -> str:
        table = shape.block
        # `right` as well as `left`: the table's wrapper box (which takes the placement, not
        # the width) then has a definite width.  With `left` alone it is shrunk to fit, which
        # measures every cell's min-content width, character by character where cells break
        # anywhere: a third of a deck's rendering time, for the width the table has anyway.
        right = FRAME_WIDTH_PT - (shape.box.left + shape.box.width) / EMU_PER_PT * self.k
        self.rule(
            sel,
            **self.at(shape.box),
            right=f"{right:.2f}pt",
            **self.type(shape.size, shape.line_pitch),
        )
        for c, width in enumerate(shape.col_widths, 1):
            self.rule(f"{sel} th:nth-child({c})", width=self.pt(width - 2 * shape.inset_x))
        self.rule(
            f"{sel} th, {sel} td", padding=f"{self.pt(shape.inset_y)} {self.pt(shape.inset_x)}"
        )
        head = "".join(f"<th>{runs_html(cell)}</th>" for cell in table.header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{runs_html(cell)}</td>" for cell in row) + "</tr>"
            for row in table.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    def process(self, shape: ProcessShape, sel: str) -> str:
        pr, box = shape.block, shape.box
        self.rule(
            sel,
            **self.at(box),
            height=self.pt(box.height),
            **self.type(shape.size, shape.line_pitch),
        )
        if shape.title is not None:
            self.rule(f"{sel}::before", **self.at(shape.title.box, box))
        arrows = {a.start: a for a in shape.arrows}
        items = []
        for i, (step, planned) in enumerate(zip(pr.steps, shape.steps, strict=True), 1):
            li = f"{sel} > li:nth-child({i})"
            frame = planned.frame
            step_box = frame.box
            pad_y = (step_box.height - frame.text_height) / 2  # centred, as the .pptx anchors
            pad_x = (step_box.width - frame.fill_width) / 2
            self.rule(
                li,
                **self.at(step_box, box),
                height=self.pt(step_box.height),
                padding=f"{self.pt(pad_y)} {self.pt(pad_x)} 0",
            )
            if i - 1 in arrows:
                self.arrow(li, step_box, shape.steps[arrows[i - 1].end].frame.box)
            description = f" {runs_html(step.description)}" if step.description else ""
            items.append(
                f"<li><strong>{escape(step.label, quote=False)}</strong>{description}</li>"
            )
        title = f' data-title="{escape(pr.title)}"' if pr.title else ""
        return f'<ol class="process"{title}>{"".join(items)}</ol>'

    def arrow(self, li: str, a: Box, b: Box) -> None:
        """The connector from step box ``a`` to ``b``: a shaft (::after) and head (::before)."""
        k, head = self.k, ARROW_HEAD_PT
        line, half = ARROW_WIDTH.pt * k, head * k / 2.6
        colour = self.colour(CONNECTOR)

        def pt(value: float) -> str:  # already in printed points
            return f"{value:.2f}pt"

        if a.bottom <= b.top:  # down, from the bottom of a to the top of b
            x = (a.width / EMU_PER_PT) * k / 2
            y0, length = a.height / EMU_PER_PT * k, (b.top - a.bottom) / EMU_PER_PT * k
            self.rule(
                f"{li}::after",
                position="absolute",
                left=pt(x - line / 2),
                top=pt(y0),
                width=pt(line),
                height=pt(max(length - head * k, 0)),
                background=colour,
                content='""',
            )
            self.rule(
                f"{li}::before",
                position="absolute",
                left=pt(x - half),
                top=pt(y0 + max(length - head * k, 0)),
                width="0",
                height="0",
                border_left=f"{pt(half)} solid transparent",
                border_right=f"{pt(half)} solid transparent",
                border_top=f"{pt(head * k)} solid {colour}",
                content='""',
            )
            return
        y = (a.height / EMU_PER_PT) * k / 2
        rightwards = a.right <= b.left
        gap = ((b.left - a.right) if rightwards else (a.left - b.right)) / EMU_PER_PT * k
        shaft = max(gap - head * k, 0)
        start = a.width / EMU_PER_PT * k if rightwards else -gap
        shaft_left = start if rightwards else start + head * k
        self.rule(
            f"{li}::after",
            position="absolute",
            left=pt(shaft_left),
            top=pt(y - line / 2),
            width=pt(shaft),
            height=pt(line),
            background=colour,
            content='""',
        )
        head_left = start + shaft if rightwards else start
        side = "border_left" if rightwards else "border_right"
        self.rule(
            f"{li}::before",
            position="absolute",
            left=pt(head_left),
            top=pt(y - half),
            width="0",
            height="0",
            border_top=f"{pt(half)} solid transparent",
            border_bottom=f"{pt(half)} solid transparent",
            **{side: f"{pt(head * k)} solid {colour}"},
            content='""',
        )

    # the stylesheet
    def stylesheet(self, width: Length, height: Length, builtin: bool) -> str:
        """Rules shared by every slide, then each part's place."""
        frame_w, frame_h = FRAME_WIDTH_PT, height / EMU_PER_PT * self.k
        top_lists = ", ".join(TOP_LISTS)
        first_items = ", ".join(f"{t} > li:first-child" for t in TOP_LISTS)
        s = self.colour
        shared = [
            *font_faces(self.style),
            "/* Generated by medbrief.deck.slides_html: the fitted slides of the .pptx, placed "
            "as there. */",
            # the notes flow below the frame; slide parts are placed from the padding edge
            f"body > section {{ position: relative; width: {frame_w:.2f}pt; padding-top: "
            f"{frame_h + NOTES_GAP_PT:.2f}pt; }}",
            f'body > section::before {{ content: ""; position: absolute; left: 0; top: 0; '
            f"width: {frame_w:.2f}pt; height: {frame_h:.2f}pt; box-sizing: border-box; "
            f"background: {s('background_color')}; }}",
            "body > section > :not(aside) * { margin: 0; padding: 0; }",
            f"body > section > :not(aside) {{ "
            f"font-family: {_font_family(self.style)}; color: {s(TEXT_COLOUR)}; "
            "margin: 0; padding: 0; overflow-wrap: break-word; text-align: left; "
            "font-style: normal; font-weight: 400; box-sizing: border-box; }",
            # break-word wraps an over-long word like anywhere but leaves min-content widths
            # alone (anywhere made WeasyPrint measure them character by character, several
            # times slower); only table cells, whose column widths depend on min-content,
            # keep anywhere so a long word breaks inside its column as in the .pptx
            "body > section th, body > section td { overflow-wrap: anywhere; }",
            "body > section strong { font-weight: 700; } body > section em { font-style: italic; }",
            f"body > section a {{ color: {s(ACCENT)}; }}",
            f"{top_lists} {{ list-style-position: outside; }}",
            # indents and spacing as fit.Measurer.para_format measures them (in em)
            ", ".join(f"{t} li" for t in TOP_LISTS) + " { margin-top: 0.2em; }",
            ", ".join(f"{t} > li" for t in TOP_LISTS) + " { margin-top: 0.45em; }",
            f"{first_items} {{ margin-top: 0; }}",
            "body > section ul > li { margin-left: 1.1em; list-style-type: disc; }",
            "body > section ol > li { margin-left: 1.75em; list-style-type: decimal; }",
            "body > section ul > li > ul > li, body > section ol > li > ol > li "
            "{ margin-left: 1.25em; }",
            "body > section ul > li > ol > li { margin-left: 1.9em; }",
            "body > section ol > li > ul > li { margin-left: 0.6em; }",
            "body > section li.continued { list-style-type: none; }",
            f"body > section li::marker {{ color: {s(ACCENT)}; }}",
            "body > section > aside.notes li { margin: 0; }",
            "body > section blockquote p { font-style: italic; } "
            "body > section blockquote > * + * { margin-top: 0.45em; }",
            f"body > section blockquote cite {{ display: block; font-style: normal; "
            f"color: {s(ROLE_COLOURS['cite'])}; }}",
            "body > section table { table-layout: fixed; border-collapse: collapse; }",
            "body > section th, body > section td { vertical-align: top; border: none; }",
            f"body > section th {{ background: {s(HEADER_FILL)}; "
            f"color: {s(ROLE_COLOURS['header'])}; font-weight: 700; }}",
            f"body > section tbody tr:nth-child(odd) {{ background: {s(PLAIN_FILL)}; }}",
            f"body > section tbody tr:nth-child(even) {{ background: {s(BAND_FILL)}; }}",
            "body > section ol.process { list-style: none; }",
            f"body > section ol.process > li {{ background: {s(ACCENT)}; "
            f"color: {s(ROLE_COLOURS['on-accent'])}; text-align: center; margin: 0; "
            "list-style: none; box-sizing: border-box; "
            f"border-radius: {self.pt(STEP_RADIUS)}; }}",
            f"body > section ol.process > li strong {{ display: block; "
            f"margin-bottom: 0.45em; color: {s(ROLE_COLOURS['label'])}; }}",
            f"body > section ol.process[data-title]::before {{ content: attr(data-title); "
            f"font-weight: 700; color: {s(ROLE_COLOURS['heading'])}; }}",
            "body > section ol.process > li::after, body > section ol.process > li::before "
            "{ margin: 0; }",
        ]
        if builtin:
            shared += self.decorations()
        return "\n".join(shared + self.rules) + "\n"

    def decorations(self) -> list[str]:
        """The built-in master's accent rule under titles, or bar on title and section slides."""

        def box_css(box: Box) -> str:
            return (
                f'content: ""; position: absolute; left: {self.pt(box.left)}; '
                f"top: {self.pt(box.top)}; width: {self.pt(box.width)}; "
                f"height: {self.pt(box.height)}; background: {self.colour(ACCENT)};"
            )

        layouts = {"title": BAR_LAYOUTS[0], "section": BAR_LAYOUTS[1]}
        out = [f"body > section::after {{ {box_css(inches(RULE))} }}"]
        out += [
            f'body > section[data-layout="{ours}"]::after {{ {box_css(accent_bar(name))} }}'
            for ours, name in layouts.items()
        ]
        return out


def _font_family(style: DeckStyle) -> str:
    """The family slide text is printed with: the font the deck is measured with."""
    if Path(style.font_regular) == arimo_path():
        return '"Arimo", "Noto Sans", sans-serif'
    return '"medbrief-deck", "Noto Sans", sans-serif'


def font_faces(style: DeckStyle) -> Iterable[str]:
    """@font-face rules for a theme's own measuring fonts (Arimo is already declared)."""
    if Path(style.font_regular) == arimo_path():
        return []
    return [
        f'@font-face {{ font-family: "medbrief-deck"; src: url("{Path(path).as_uri()}"); '
        f"font-weight: {weight}; }}"
        for path, weight in ((style.font_regular, 400), (style.font_bold, 700))
    ]
