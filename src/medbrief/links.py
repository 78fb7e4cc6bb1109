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
