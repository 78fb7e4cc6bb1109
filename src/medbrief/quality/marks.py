"""What a template marks for the checks: ``data-check="NAME"`` on an element.

The checks do not know the templates' wording: a handout template marks its call to action
(``<h2 data-check="call-to-action">Questions to ask your care team</h2>``), and the check
looks for that element's text in the built PDF, whatever the organisation calls it.
"""

from __future__ import annotations

from html.parser import HTMLParser

from ..htmlspec import VOID_ELEMENTS as VOID

ATTRIBUTE = "data-check"


class _Marks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.open: list[tuple[str, str | None, list[str]]] = []  # tag, mark, text

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        mark = dict(attrs).get(ATTRIBUTE)
        self.open.append((tag, mark, []))

    def handle_endtag(self, tag):
        while self.open:
            open_tag, mark, text = self.open.pop()
            if mark and mark not in self.found:
                self.found[mark] = " ".join("".join(text).split())
            if self.open:
                self.open[-1][2].extend(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)


def marked_texts(html: str) -> dict[str, str]:
    """The text of the first element carrying each ``data-check`` mark, by mark."""
    parser = _Marks()
    parser.feed(html)
    parser.close()
    return parser.found
