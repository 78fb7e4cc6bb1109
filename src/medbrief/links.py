"""Link safety, in one place: which links content may carry, and finding them in Markdown.

Content Markdown is limited to emphasis, strong, code and links (:data:`INLINE_MARKDOWN`);
a link must be http, https or mailto (:func:`is_safe_link`).  The loader refuses unsafe
links with located errors, the templating layer refuses them again when rendering, and the
deck parser refuses them in slide HTML — all with this rule.  No dependency on the render
layer: the loader imports this module, not :mod:`medbrief.templating`.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")

INLINE_MARKDOWN = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
INLINE_MARKDOWN.enable(["emphasis", "link", "escape", "backticks"])
"""The one inline-Markdown parser: emphasis, strong, code spans and links; never raw HTML."""

_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")


def is_safe_link(url: str) -> bool:
    """Whether a link may be followed from a document: http, https or mailto (any case)."""
    return url.strip().lower().startswith(SAFE_LINK_SCHEMES)


def unsafe_link(url: str) -> bool:
    return not is_safe_link(url)


def markdown_links(text: str) -> list[str]:
    """Every link target in a Markdown string (used by validation to refuse bad schemes).

    markdown-it silently leaves ``javascript:``/``file:``/``data:`` links as text;
    we look for the ``](target)`` pattern too so they can be refused with a message.
    """
    found = _LINK_TARGET.findall(text)
    for token in INLINE_MARKDOWN.parseInline(text):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href") or ""))
    return list(dict.fromkeys(found))


MAX_EMPHASIS_DEPTH = 3
"""Deepest emphasis accepted (``***bold italic***`` is 2); deeper nesting is refused at load,
before an engine recurses through it."""


def markdown_problems(text: str) -> list[tuple[str, str]]:
    """What in a content string's Markdown no document can draw, as ``(message, hint)``:
    emphasis nested deeper than MAX_EMPHASIS_DEPTH, and code spans (decks cannot draw them;
    content Markdown is emphasis and links only)."""
    if "*" not in text and "_" not in text and "`" not in text:
        return []
    problems, depth, deepest = [], 0, 0
    for token in INLINE_MARKDOWN.parseInline(text):
        for child in token.children or []:
            if child.type in ("em_open", "strong_open"):
                depth += 1
                deepest = max(deepest, depth)
            elif child.type in ("em_close", "strong_close"):
                depth -= 1
            elif child.type == "code_inline" and not any("code span" in p for p, _ in problems):
                shown = child.content if len(child.content) <= 30 else child.content[:27] + "..."
                problems.append(
                    (
                        f"code span `{shown}` is not supported: content Markdown is "
                        "emphasis and links only",
                        "remove the backticks (write \\` for a literal backtick)",
                    )
                )
    if deepest > MAX_EMPHASIS_DEPTH:
        problems.append(
            (
                f"emphasis nested {deepest} levels deep; at most {MAX_EMPHASIS_DEPTH} are allowed",
                "use *italic*, **bold** or ***both***, not emphasis inside emphasis",
            )
        )
    return problems
