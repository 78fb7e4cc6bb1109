"""Slide HTML → :class:`~medbrief.deck.model.Deck`.

A deck template emits a small HTML subset, one ``<section>`` per slide (documented in
``templates/README-slides.md``).  Parsing is strict: an element, attribute, class or layout
the writer does not know is a :class:`~medbrief.errors.TemplateError` naming the template,
the slide and the element.  Nothing is silently dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from medbrief.alttext import meaningless_alt
from medbrief.deck.model import (
    CONTROL_CHARS,
    LAYOUTS,
    Block,
    Column,
    Deck,
    Image,
    Inline,
    Paragraph,
    Process,
    Quote,
    Run,
    Slide,
    Step,
    Table,
    Text,
    plain,
    source_location,
)
from medbrief.errors import TemplateError
from medbrief.links import is_safe_link

from ..htmlspec import VOID_ELEMENTS as VOID

SUPPORTED = (
    '<section data-layout id>, <h1>/<h2> title, <p class="subtitle">, <p>, <ul>, <ol>, <li>, '
    "<em>, <strong>, <a href>, <table> with <thead>/<tbody>/<tr>/<th>/<td>, <img src alt>, "
    '<blockquote> with <cite>, <div class="columns"> with <div class="column"> and <h3>, '
    '<ol class="process" data-title>, <aside class="notes"> (see templates/README-slides.md)'
)
WRAPPERS = {"html", "body"}
MAX_LEVEL = 4
INLINE = {"em", "strong", "a"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# -- a small DOM ---------------------------------------------------------------------------


@dataclass
class El:
    tag: str
    attrs: dict[str, str | None]
    line: int
    children: list[El | str] = field(default_factory=list)

    def elements(self) -> list[El]:
        return [c for c in self.children if isinstance(c, El)]

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class _TreeBuilder(HTMLParser):
    """Builds an :class:`El` tree, insisting that every element is closed in order."""

    def __init__(self, template: str):
        super().__init__(convert_charrefs=False)
        self.template = template
        self.root = El("#root", {}, 1)
        self.stack = [self.root]
        self.sections = 0
        self.source = ""  # data-source of the slide being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = El(tag, dict(attrs), self.getpos()[0])
        self.stack[-1].children.append(el)
        if tag == "section":
            self.sections += 1
            self.source = el.attrs.get("data-source") or ""
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            raise self._error(f"</{tag}> does not close <{self.stack[-1].tag}>")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_charref(self, name: str) -> None:
        """``&#7;`` must not vanish silently (the stdlib drops it): it is an error."""
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            code = -1
        windows_1252 = 0x80 <= code <= 0x9F  # decoded as cp1252, e.g. &#150; is an en dash
        if not 0 <= code <= 0x10FFFF or CONTROL_CHARS.match(chr(code)) and not windows_1252:
            raise self._error(f"character reference &#{name}; is a control character")
        self.handle_data(html.unescape(f"&#{name};"))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(html.unescape(f"&{name};"))

    def unknown_decl(self, data: str) -> None:
        raise self._error(f"unexpected declaration <![{data}]>")

    def handle_pi(self, data: str) -> None:
        raise self._error(f"unexpected processing instruction <?{data}>")

    def close(self) -> None:
        super().close()
        if len(self.stack) > 1:
            raise self._error(f"<{self.stack[-1].tag}> is never closed")

    def _error(self, message: str) -> TemplateError:
        where = f"slide {self.sections}: " if self.sections else ""
        return TemplateError(
            where + message,
            hint=f"line {self.getpos()[0]} of the rendered HTML; close every element "
            "explicitly, in order",
            location=source_location(self.source, self.template),
        )


# -- error context ---------------------------------------------------------------------------


@dataclass
class _Ctx:
    """Where we are, for error messages: template, slide number and title."""

    template: str
    number: int = 0
    title: str = ""
    layout: str = ""
    source: str = ""
    """The slide's ``data-source`` (its template line), when the template loader set it."""

    def error(self, message: str, el: El | None = None, hint: str = "") -> TemplateError:
        where = f"slide {self.number}" if self.number else "outside any slide"
        if self.title:
            where += f' ("{self.title}")'
        if el is not None:
            line = f"line {el.line} of the rendered HTML"
            hint = f"{hint}; {line}" if hint else line
        return TemplateError(
            f"{where}: {message}", hint=hint, location=source_location(self.source, self.template)
        )

    def unknown(self, el: El) -> TemplateError:
        return self.error(f"unknown element <{el.tag}>", el, f"supported: {SUPPORTED}")

    def check_attrs(self, el: El, allowed: set[str], classes: set[str] = frozenset()) -> None:
        for name, value in el.attrs.items():
            if name not in allowed and name != "class":
                raise self.error(
                    f'unknown attribute {name}="{value or ""}" on <{el.tag}>',
                    el,
                    f"<{el.tag}> takes: {', '.join(sorted(allowed)) or 'none'}",
                )
        for name in el.classes():
            if name not in classes:
                raise self.error(
                    f'unknown class "{name}" on <{el.tag}>',
                    el,
                    f"<{el.tag}> takes class: {', '.join(sorted(classes)) or 'none'}",
                )

    def check_text(self, text: str, el: El) -> None:
        bad = CONTROL_CHARS.search(text)
        if bad:
            raise self.error(
                f"control character U+{ord(bad.group()):04X} in <{el.tag}>",
                el,
                "remove it from the content",
            )


def _blocks_only(el: El, ctx: _Ctx) -> list[El]:
    """Child elements of a block container; text between them is an error."""
    for child in el.children:
        if isinstance(child, str) and child.strip():
            raise ctx.error(
                f'text outside a paragraph in <{el.tag}>: "{_clip(child)}"',
                el,
                "wrap text in <p>, <li> or another text element",
            )
    return el.elements()


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- inline content --------------------------------------------------------------------------

PLAIN = Run("")


def _inline(el: El, ctx: _Ctx, style: Run = PLAIN) -> list[Run]:
    """The runs of an element holding text, ``<em>``, ``<strong>`` and ``<a href>``."""
    runs: list[Run] = []
    for child in el.children:
        if isinstance(child, str):
            ctx.check_text(child, el)
            runs.append(Run(child, style.bold, style.italic, style.href))
        else:
            runs.extend(_inline(child, ctx, _inline_style(child, ctx, style)))
    return runs


def _inline_style(el: El, ctx: _Ctx, style: Run) -> Run:
    if el.tag not in INLINE:
        raise (
            ctx.unknown(el)
            if el.tag not in _BLOCK_TAGS
            else ctx.error(
                f"<{el.tag}> is not allowed inside text",
                el,
                "text may hold <em>, <strong>, <a href>",
            )
        )
    ctx.check_attrs(el, {"href"} if el.tag == "a" else set())
    if el.tag == "em":
        return Run("", style.bold, True, style.href)
    if el.tag == "strong":
        return Run("", True, style.italic, style.href)
    if style.href is not None:
        raise ctx.error("a link inside a link", el)
    return Run("", style.bold, style.italic, _href(el, ctx))


def _href(el: El, ctx: _Ctx) -> str:
    href = (el.attrs.get("href") or "").strip()
    ctx.check_text(href, el)
    if not is_safe_link(href):
        raise ctx.error(
            f'link to "{_clip(href)}" is not an http(s) or mailto address',
            el,
            "slides can link only to web pages and e-mail addresses",
        )
    return href


def normalise(runs: list[Run]) -> Inline:
    """Collapse whitespace as HTML does, trim the ends, and merge runs of equal style."""
    out: list[Run] = []
    space_before = True
    for run in runs:
        text = _SPACE.sub(" ", run.text)
        if space_before:
            text = text.lstrip(" ")
        if text:
            space_before = text.endswith(" ")
            out.append(Run(text, run.bold, run.italic, run.href))
    return _merge(_rstrip(out))


def _rstrip(runs: list[Run]) -> list[Run]:
    while runs and runs[-1].text.endswith(" "):
        last = runs.pop()
        if last.text.rstrip(" "):
            runs.append(Run(last.text.rstrip(" "), last.bold, last.italic, last.href))
    return runs


def _merge(runs: list[Run]) -> Inline:
    merged: list[Run] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if prev and (prev.bold, prev.italic, prev.href) == (run.bold, run.italic, run.href):
            merged[-1] = Run(prev.text + run.text, run.bold, run.italic, run.href)
        else:
            merged.append(run)
    return tuple(merged)


def _text_of(el: El, ctx: _Ctx, what: str) -> Inline:
    runs = normalise(_inline(el, ctx))
    if not runs:
        raise ctx.error(f"empty {what} <{el.tag}>", el, "remove it or give it text")
    return runs


# -- blocks ----------------------------------------------------------------------------------


def _paragraph(el: El, ctx: _Ctx) -> Text:
    ctx.check_attrs(el, set())
    return Text((Paragraph(_text_of(el, ctx, "paragraph")),))


def _list(el: El, ctx: _Ctx, level: int = 0) -> list[Paragraph]:
    ctx.check_attrs(el, {"start"} if el.tag == "ol" else set())
    if level > MAX_LEVEL:
        raise ctx.error(f"lists nest at most {MAX_LEVEL + 1} levels deep", el)
    items = _blocks_only(el, ctx)
    if not items:
        raise ctx.error(f"empty list <{el.tag}>", el, "give it <li> items or remove it")
    kind = "number" if el.tag == "ol" else "bullet"
    paragraphs: list[Paragraph] = []
    for number, item in enumerate(items, _start(el, ctx)):
        if item.tag != "li":
            raise (
                ctx.unknown(item)
                if item.tag not in _KNOWN
                else ctx.error(f"<{item.tag}> inside <{el.tag}>; lists hold <li> only", item)
            )
        paragraphs.extend(_item(item, ctx, level, kind, number))
    return paragraphs


def _start(el: El, ctx: _Ctx) -> int:
    """The number of an ``<ol>``'s first item: ``start``, or 1."""
    value = el.attrs.get("start")
    if value is None:
        return 1
    if not value.strip().isdigit() or int(value) < 1:
        raise ctx.error(f'<ol start="{_clip(value)}">: start must be a whole number from 1', el)
    return int(value)


def _item(el: El, ctx: _Ctx, level: int, kind: str, number: int) -> list[Paragraph]:
    """A list item; ``class="continued"`` continues an item begun on an earlier slide: it
    gets no bullet or number, and may be empty when it holds only the rest of its list."""
    ctx.check_attrs(el, set(), {"continued"})
    continued = "continued" in el.classes()
    own = El("li", {}, el.line)
    nested: list[Paragraph] = []
    for child in el.children:
        if isinstance(child, El) and child.tag in ("ul", "ol"):
            nested.extend(_list(child, ctx, level + 1))
        elif nested and (isinstance(child, El) or child.strip()):
            raise ctx.error(
                "text after a nested list in <li>",
                el,
                "put the item's own text before its nested list",
            )
        else:
            own.children.append(child)
    if continued and nested and not normalise(_inline(own, ctx)):
        return nested
    head = Paragraph(_text_of(own, ctx, "list item"), level, kind, number, continued)
    return [head, *nested]


def _list_block(el: El, ctx: _Ctx) -> Block:
    if el.tag == "ol" and "process" in el.classes():
        return _process(el, ctx)
    return Text(tuple(_list(el, ctx)))


def _process(el: El, ctx: _Ctx) -> Process:
    ctx.check_attrs(el, {"data-title"}, {"process"})
    title = " ".join((el.attrs.get("data-title") or "").split())
    ctx.check_text(title, el)
    steps = [_step(item, ctx) for item in _blocks_only(el, ctx)]
    if not steps:
        raise ctx.error('empty process diagram <ol class="process">', el)
    return Process(title, tuple(steps))


def _step(el: El, ctx: _Ctx) -> Step:
    if el.tag != "li":
        raise ctx.error(f'<{el.tag}> inside <ol class="process">; it holds <li> only', el)
    ctx.check_attrs(el, set())
    content = [c for c in el.children if not (isinstance(c, str) and not c.strip())]
    if not content or not isinstance(content[0], El) or content[0].tag != "strong":
        raise ctx.error("a process step starts with <strong>Label</strong>", el)
    label = plain(_text_of(content[0], ctx, "step label"))
    rest = El("li", {}, el.line, el.children[el.children.index(content[0]) + 1 :])
    return Step(label, normalise(_inline(rest, ctx)))


def _table(el: El, ctx: _Ctx) -> Table:
    ctx.check_attrs(el, set())
    parts = _blocks_only(el, ctx)
    if [p.tag for p in parts] != ["thead", "tbody"]:
        raise ctx.error(
            "a table holds one <thead> then one <tbody>",
            el,
            f"found: {', '.join(f'<{p.tag}>' for p in parts) or 'nothing'}",
        )
    header = _rows(parts[0], ctx, "th")
    if len(header) != 1:
        raise ctx.error("<thead> holds exactly one <tr> of <th> cells", parts[0])
    rows = _rows(parts[1], ctx, "td")
    for row in rows:
        if len(row) != len(header[0]):
            raise ctx.error(
                f"a table row has {len(row)} cells, the header has {len(header[0])}",
                parts[1],
                "give every row the same cells",
            )
    return Table(header[0], tuple(rows))


def _rows(el: El, ctx: _Ctx, cell: str) -> list[tuple[Inline, ...]]:
    ctx.check_attrs(el, set())
    rows = []
    for tr in _blocks_only(el, ctx):
        if tr.tag != "tr":
            raise ctx.error(f"<{tr.tag}> inside <{el.tag}>; it holds <tr> only", tr)
        ctx.check_attrs(tr, set())
        rows.append(tuple(_cell(td, ctx, cell) for td in _blocks_only(tr, ctx)))
    if not rows or not all(rows):
        raise ctx.error(f"empty <{el.tag}> or row", el)
    return rows


def _cell(el: El, ctx: _Ctx, cell: str) -> Inline:
    if el.tag != cell:
        raise ctx.error(
            f"<{el.tag}> in a table {'header' if cell == 'th' else 'body'} row; use <{cell}>", el
        )
    ctx.check_attrs(el, set())
    return normalise(_inline(el, ctx))


def _image(el: El, ctx: _Ctx) -> Image:
    ctx.check_attrs(el, {"src", "alt"})
    src = (el.attrs.get("src") or "").strip()
    alt = " ".join((el.attrs.get("alt") or "").split())
    local = src.startswith("file:") or not (_SCHEME.match(src) or src.startswith(("/", "\\")))
    if not src or not local:
        raise ctx.error(
            f'image src "{_clip(src)}" is not a project file',
            el,
            "images are files under the project, e.g. content/assets/flow.png",
        )
    ctx.check_text(alt, el)
    if meaningless_alt(alt, src):
        raise ctx.error(
            f'image "{_clip(src)}" needs alt text describing it (got "{alt}")',
            el,
            'write what the picture shows, e.g. alt="Steps of the process"',
        )
    return Image(src, alt)


def _quote(el: El, ctx: _Ctx) -> Quote:
    ctx.check_attrs(el, set())
    paragraphs: list[Paragraph] = []
    pending = El("p", {}, el.line)
    cite: Inline = ()
    for child in el.children:
        if cite and (isinstance(child, El) or child.strip()):
            raise ctx.error("<cite> must come last in <blockquote>", el)
        if isinstance(child, El) and child.tag in ("p", "cite"):
            _flush(pending, paragraphs, ctx)
            ctx.check_attrs(child, set())
            if child.tag == "cite":
                cite = _text_of(child, ctx, "citation")
            else:
                paragraphs.append(Paragraph(_text_of(child, ctx, "paragraph")))
        else:
            pending.children.append(child)
    _flush(pending, paragraphs, ctx)
    if not paragraphs:
        raise ctx.error("empty <blockquote>", el)
    return Quote(tuple(paragraphs), cite)


def _flush(pending: El, paragraphs: list[Paragraph], ctx: _Ctx) -> None:
    runs = normalise(_inline(pending, ctx))
    if runs:
        paragraphs.append(Paragraph(runs))
    pending.children.clear()


BLOCKS = {
    "p": _paragraph,
    "ul": _list_block,
    "ol": _list_block,
    "table": _table,
    "img": _image,
    "blockquote": _quote,
}
_BLOCK_TAGS = set(BLOCKS) | {
    "div",
    "section",
    "aside",
    "h1",
    "h2",
    "h3",
    "li",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "cite",
}
_KNOWN = _BLOCK_TAGS | INLINE


def _block(el: El, ctx: _Ctx) -> Block:
    if el.tag not in BLOCKS:
        if el.tag in _KNOWN:
            raise ctx.error(f"<{el.tag}> is not allowed here", el, f"supported: {SUPPORTED}")
        raise ctx.unknown(el)
    return BLOCKS[el.tag](el, ctx)


def _columns(el: El, ctx: _Ctx) -> tuple[Column, ...]:
    ctx.check_attrs(el, set(), {"columns"})
    columns = _blocks_only(el, ctx)
    if len(columns) != 2 or any(c.tag != "div" or c.classes() != ["column"] for c in columns):
        raise ctx.error('<div class="columns"> holds exactly two <div class="column">', el)
    return tuple(_column(column, ctx) for column in columns)


def _column(el: El, ctx: _Ctx) -> Column:
    ctx.check_attrs(el, set(), {"column"})
    children = _blocks_only(el, ctx)
    heading: Inline = ()
    if children and children[0].tag == "h3":
        ctx.check_attrs(children[0], set())
        heading = _text_of(children.pop(0), ctx, "heading")
    if ctx.layout == "comparison" and not heading:
        raise ctx.error('each column of a "comparison" slide starts with an <h3>', el)
    blocks = tuple(_block(child, ctx) for child in children)
    if not blocks:
        raise ctx.error("empty column", el, "give each column some content")
    return Column(heading, blocks)


# -- notes -----------------------------------------------------------------------------------


def _notes(el: El, ctx: _Ctx) -> str:
    ctx.check_attrs(el, set(), {"notes"})
    lines: list[str] = []
    pending = El("p", {}, el.line)
    for child in el.children:
        if isinstance(child, El) and child.tag in ("p", "ul", "ol"):
            lines.extend(_note_lines(pending, ctx))
            pending.children.clear()
            lines.extend(_note_block(child, ctx))
        else:
            pending.children.append(child)
    lines.extend(_note_lines(pending, ctx))
    return "\n".join(lines)


def _note_block(el: El, ctx: _Ctx) -> list[str]:
    if el.tag == "p":
        ctx.check_attrs(el, set())
        return _note_lines(el, ctx)
    lines = []
    for p in _list(el, ctx):
        marker = f"{p.number}." if p.bullet == "number" else "•"
        lines.append("  " * p.level + f"{marker} {_note_text(p.runs)}")
    return lines


def _note_lines(el: El, ctx: _Ctx) -> list[str]:
    runs = normalise(_inline(el, ctx))
    return [_note_text(runs)] if runs else []


def _note_text(runs: Inline) -> str:
    """Notes are plain text: a link keeps its address in brackets."""
    return "".join(f"{r.text} ({r.href})" if r.href and r.href != r.text else r.text for r in runs)


# -- slides ----------------------------------------------------------------------------------


def _section(el: El, ctx: _Ctx) -> Slide:
    children = _blocks_only(el, ctx)
    ctx.title = _peek_title(children)
    ctx.check_attrs(el, {"data-layout", "id", "data-source"})
    ctx.layout = _layout(el, ctx)
    title = _title(children, el, ctx)
    subtitle = _subtitle(children, ctx)
    notes = _take_notes(children, ctx)
    slide = Slide(
        ctx.number,
        ctx.layout,
        title,
        subtitle,
        notes=notes,
        id=el.attrs.get("id"),
        source=ctx.source,
    )
    return _body(slide, children, ctx)


def _peek_title(children: list[El]) -> str:
    """The slide's title for error messages, if it can be read."""
    if not children or children[0].tag not in ("h1", "h2"):
        return ""
    try:
        return _clip(plain(normalise(_inline(children[0], _Ctx("")))), 60)
    except TemplateError:
        return ""


def _layout(el: El, ctx: _Ctx) -> str:
    layout = el.attrs.get("data-layout")
    if layout not in LAYOUTS:
        raise ctx.error(
            f'unknown layout "{layout}"' if layout else "no data-layout",
            el,
            f"data-layout is one of: {', '.join(LAYOUTS)}",
        )
    return layout


def _title(children: list[El], el: El, ctx: _Ctx) -> Inline:
    if not children or children[0].tag not in ("h1", "h2"):
        raise ctx.error(
            "a slide starts with its title in <h1> or <h2>", el, "every slide needs a unique title"
        )
    heading = children.pop(0)
    ctx.check_attrs(heading, set())
    return _text_of(heading, ctx, "title")


def _subtitle(children: list[El], ctx: _Ctx) -> Inline:
    if not children or "subtitle" not in children[0].classes() or children[0].tag != "p":
        return ()
    if ctx.layout not in ("title", "section"):
        raise ctx.error('<p class="subtitle"> is for "title" and "section" layouts', children[0])
    subtitle = children.pop(0)
    ctx.check_attrs(subtitle, set(), {"subtitle"})
    return _text_of(subtitle, ctx, "subtitle")


def _take_notes(children: list[El], ctx: _Ctx) -> str:
    asides = [c for c in children if c.tag == "aside"]
    if len(asides) > 1:
        raise ctx.error('more than one <aside class="notes">', asides[1])
    for aside in asides:
        children.remove(aside)
        return _notes(aside, ctx)
    return ""


def _body(slide: Slide, children: list[El], ctx: _Ctx) -> Slide:
    if ctx.layout in ("title", "section") and children:
        raise ctx.error(
            f'a "{ctx.layout}" slide holds a title, a subtitle and notes only; '
            f"found <{children[0].tag}>",
            children[0],
            'use data-layout="content" for body content',
        )
    if ctx.layout in ("two-content", "comparison") and any(c.tag == "div" for c in children):
        return _two_columns(slide, children, ctx)
    for child in children:
        if child.tag == "div":
            raise ctx.error(
                f'<div> on a "{ctx.layout}" slide',
                child,
                'columns need data-layout="two-content" or "comparison"',
            )
        if child.tag == "h3":
            raise ctx.error("<h3> outside a column", child, 'an <h3> heads a <div class="column">')
    blocks = tuple(_block(child, ctx) for child in children)
    return replace(slide, blocks=blocks)


def _two_columns(slide: Slide, children: list[El], ctx: _Ctx) -> Slide:
    if len(children) != 1:
        raise ctx.error(
            f'a "{ctx.layout}" slide with columns holds one <div class="columns"> '
            "and nothing else besides its title and notes",
            children[0],
        )
    return replace(slide, columns=_columns(children[0], ctx))


def _sections(root: El, ctx: _Ctx) -> list[El]:
    """The ``<section>`` elements, looking through ``<html>``, ``<head>`` and ``<body>``."""
    found = []
    for child in _blocks_only(root, ctx):
        if child.tag == "section":
            found.append(child)
        elif child.tag == "head":
            continue
        elif child.tag in WRAPPERS:
            ctx.check_attrs(child, {"lang", "dir"}, set(child.classes()))
            found.extend(_sections(child, ctx))
        else:
            raise (
                ctx.unknown(child)
                if child.tag not in _KNOWN
                else ctx.error(
                    f"<{child.tag}> outside a <section>", child, "each slide is a <section>"
                )
            )
    return found


def _check_unique(slides: list[Slide], template: str) -> None:
    titles: dict[str, Slide] = {}
    ids: dict[str, Slide] = {}
    for slide in slides:
        ctx = _Ctx(template, slide.number, slide.title_text, source=slide.source)
        first = titles.setdefault(slide.title_text.casefold(), slide)
        if first is not slide:
            raise ctx.error(
                f"the title is also the title of slide {first.number}",
                hint="every slide needs a unique title",
            )
        first = ids.setdefault(slide.id, slide) if slide.id else slide
        if first is not slide:
            raise ctx.error(
                f'id "{slide.id}" is also the id of slide {first.number}',
                hint="give every slide a unique id",
            )


def parse_deck(html: str, template: str) -> Deck:
    """Parse the slide HTML a deck template rendered; ``template`` names it in errors."""
    builder = _TreeBuilder(template)
    builder.feed(html)
    builder.close()
    ctx = _Ctx(template)
    slides = []
    for number, section in enumerate(_sections(builder.root, ctx), 1):
        source = section.attrs.get("data-source") or ""
        slides.append(_section(section, _Ctx(template, number, source=source)))
    if not slides:
        raise ctx.error("no slides", hint="each slide is a <section data-layout=...>")
    _check_unique(slides, template)
    return Deck(template, tuple(slides), _language(builder.root), _label(builder.root))


def _label(root: El) -> str:
    """The label every slide carries: ``<meta name="medbrief-label" content="...">``."""
    html = next((el for el in root.elements() if el.tag == "html"), root)
    head = next((el for el in html.elements() if el.tag == "head"), html)
    meta = next(
        (
            el
            for el in head.elements()
            if el.tag == "meta" and el.attrs.get("name") == "medbrief-label"
        ),
        None,
    )
    return " ".join((meta.attrs.get("content") or "").split())[:120] if meta else ""


def _language(root: El) -> str:
    html = next((el for el in root.elements() if el.tag == "html"), None)
    return (html.attrs.get("lang") or "") if html else ""
