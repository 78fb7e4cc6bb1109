"""The one Jinja environment: autoescape, StrictUndefined, filters in one place.

Templates are trusted code; everything from content or a theme reaches them
as data and is escaped.  ``{{ 7*7 }}`` in content is text, never evaluated,
because content values are only ever *inserted* into templates.  Markdown in
content is limited to emphasis, strong and links (http, https, mailto).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .errors import Location, MedbriefError, TemplateError
from .links import INLINE_MARKDOWN, markdown_links, unsafe_link
from .model import latest_version
from .safefile import read_file

MAX_TEMPLATE_BYTES = 1_000_000


def md_inline(text: str) -> Markup:
    """Render inline Markdown (emphasis, strong, links) to safe HTML."""
    if text is None:
        return Markup("")
    for href in markdown_links(str(text)):
        if unsafe_link(href):
            raise TemplateError(
                f"link to {href!r} refused: only http, https and mailto links",
                hint="remove the link or use an https:// address",
            )
    return Markup(INLINE_MARKDOWN.renderInline(str(text)))


def md_plain(text: str) -> str:
    """Inline Markdown reduced to its text (for slide notes, metadata, measuring)."""
    out = []
    for token in INLINE_MARKDOWN.parseInline(str(text)):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return "".join(out)


def css_string(value: str) -> Markup:
    """A quoted CSS string safe inside <style>: everything but letters, digits and
    spaces is written as a CSS hex escape, so content cannot close the string or the tag."""
    text = html.unescape(str(value)) if isinstance(value, Markup) else str(value)
    out = "".join(
        c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} " for c in text
    )
    return Markup(f'"{out}"')


def url_breaks(url: str) -> Markup:
    """A web address, escaped, that may wrap only after a ``/`` or before ``.?#&=``
    (never inside a word), so a printed address stays readable and typeable."""
    pieces = [p for p in re.split(r"(?<=/)(?!/)|(?=[.?#&=])", str(url)) if p]
    # Browsers also break after a hyphen ("car-t-" / "ms"); keep short pieces whole.
    return Markup("<wbr>").join(
        Markup('<span style="white-space: nowrap">{}</span>').format(p)
        if "-" in p and len(p) <= 24
        else escape(p)
        for p in pieces
    )


def long_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def iso_date(value: dt.date) -> str:
    return value.isoformat()


FILTERS = {
    "css_string": css_string,
    "md": md_inline,
    "plain": md_plain,
    "long_date": long_date,
    "iso_date": iso_date,
    "url_breaks": url_breaks,
    "latest_version": latest_version,
}


_SLIDE = re.compile(r"<section(?=\s[^>]*\bdata-layout\s*=)", re.IGNORECASE)


def mark_slide_sources(source: str, display: str) -> str:
    """Tag each slide of a deck template with where it is written (``data-source="file:line"``).

    The deck parser reads it back, so an error in a slide points at the template's line,
    not at a line of the rendered HTML.  Only ``<section data-layout=...>`` elements (the
    deck subset) are tagged; no newline is added, so Jinja's own line numbers still hold.
    """

    def tag(m: re.Match) -> str:
        line = source.count("\n", 0, m.start()) + 1
        return f'<section data-source="{display}:{line}"'

    return _SLIDE.sub(tag, source)


class SafeLoader(jinja2.BaseLoader):
    """Templates read through :func:`medbrief.safefile.read_file`: regular files inside
    ``templates/`` only (a link out of it, a FIFO or a device is refused, never opened)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.searchpath = [str(self.folder)]  # for locating errors, as FileSystemLoader

    def get_source(self, environment, template: str):
        pieces = jinja2.loaders.split_template_path(template)
        path = self.folder.joinpath(*pieces)
        if not (path.exists() or path.is_symlink()):
            raise jinja2.TemplateNotFound(template)
        data = read_file(
            path,
            [self.folder],
            MAX_TEMPLATE_BYTES,
            Location("templates/" + "/".join(pieces)),
            kind="template",
        )
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TemplateError(
                f"not UTF-8 text ({e.reason})",
                hint="save the template as UTF-8",
                location=Location(f"templates/{template}"),
            ) from None
        mtime = path.stat().st_mtime
        source = mark_slide_sources(source, "templates/" + "/".join(pieces))
        return source, str(path), lambda: path.exists() and path.stat().st_mtime == mtime


def make_env(templates_dir: Path, **globals_: Any) -> jinja2.Environment:
    """The environment every document is rendered with."""
    env = jinja2.Environment(
        loader=SafeLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(globals_)
    return env


def _template_location(e: Exception, fallback: str) -> Location:
    return Location(f"templates/{getattr(e, 'name', None) or fallback}", getattr(e, "lineno", None))


def _running_template(e: BaseException, env: jinja2.Environment, fallback: str) -> Location:
    """``templates/<file>:<line>`` of the innermost template frame of ``e``'s traceback."""
    where = Location(f"templates/{fallback}")
    for frame, line in traceback.walk_tb(e.__traceback__):
        if "__jinja_exception__" in frame.f_globals:  # a frame Jinja rewrote to the template
            filename = Path(frame.f_code.co_filename)
            for folder in getattr(env.loader, "searchpath", []):
                with contextlib.suppress(ValueError):
                    filename = Path("templates") / filename.relative_to(folder)
            where = Location(str(filename), line)
    return where


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render a template, turning Jinja's errors into located TemplateErrors."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            f"template {e.name!r} not found in templates/",
            hint="check the `template:` entry in content/documents.yaml",
            location=Location(f"templates/{e.name}"),
        ) from e
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            f"template syntax error: {e.message}",
            hint="fix the template",
            location=_template_location(e, name),
        ) from e
    except jinja2.UndefinedError as e:
        raise TemplateError(
            e.message or "undefined value",
            hint="the template uses a value the content does not define",
            location=_running_template(e, env, name),
        ) from e
    except MedbriefError as e:  # raised by a helper the template called: locate it there
        if e.location is None:
            e.location = _running_template(e, env, name)
        raise
    except Exception as e:  # a template is code: any error in it is the template's
        raise TemplateError(
            f"{type(e).__name__}: {e}",
            hint="fix the template at this line",
            location=_running_template(e, env, name),
        ) from e


__all__ = ["make_env", "render", "md_inline", "md_plain", "escape", "markdown_links"]
