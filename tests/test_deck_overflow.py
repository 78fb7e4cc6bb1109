"""Issue 8: long text never costs a whole deck.

A title or subtitle too long for its box even at its floor size still gives a deck: its
overflow moves into the slide's body (onto "(continued)" slides like any body text), or the
slide takes a layout that has room; the build warns, naming the slide and the content
field at its file:line.  LibreOffice's rendering shows every word inside its own box.
"""

from __future__ import annotations

import re

import pytest

from deck_fixtures import (
    ORG_LAYOUTS,
    assert_every_word_inside_its_box,
    bullets,
    org_master,
    parse,
    slide,
    style,
    tokens,
)
from medbrief.deck.pptx_writer import write_pptx
from medbrief.jobs import Filters
from medbrief.pipeline import build

LONG_TITLE = (
    "Potential candidates for chimeric antigen receptor T cell therapy among people "
    "with relapsing or progressive multiple sclerosis whose disease stays active"
)
LONG_STATUS = (
    "Investigational: early clinical trials in MS. No efficacy results, patient "
    "numbers or approval are reported in the source. "
) * 5


def overlong_deck():
    return parse(
        slide(
            f'<p class="subtitle">{LONG_STATUS}</p>',
            layout="title",
            title=LONG_TITLE + " and their families",
        ),
        slide(f'<p class="subtitle">{LONG_STATUS}</p>', layout="section", title="Where it stands"),
        slide("<p>Who might be offered it.</p>", title=LONG_TITLE),
        slide(bullets(30), title=LONG_TITLE + " in practice", notes="<p>n</p>"),
    )


@pytest.mark.soffice
@pytest.mark.parametrize("master", ["built-in", "organisation"])
def test_overlong_titles_and_subtitles_give_a_deck_with_every_word_inside_its_box(tmp_path, master):
    changes = (
        {"master": org_master(tmp_path), "layouts": ORG_LAYOUTS} if master == "organisation" else {}
    )
    deck, moved = overlong_deck(), []
    pptx = tmp_path / "deck.pptx"
    count = write_pptx(deck, style(**changes), pptx, moved)
    assert {(m.slide.number, m.what) for m in moved} >= {
        (1, "subtitle"),
        (2, "subtitle"),
        (3, "title"),
        (4, "title"),
    }
    everything = assert_every_word_inside_its_box(pptx, tmp_path)
    assert len(everything) == count > 4
    drawn = tokens(" ".join(everything))
    for text in (LONG_TITLE, LONG_STATUS):  # nothing lost: every word is somewhere
        assert not tokens(text) - drawn


def test_the_build_warns_naming_the_slide_and_the_field(project_copy, tmp_path):
    topic = "content/topics/car-t-ms.yaml"
    text, lines = project_copy.read(topic), {}
    headings = list(re.finditer(r"    heading:\n      plain: .*\n      clinical: (.*)\n", text))
    for n, match in reversed(list(enumerate(headings))):  # every section heading made long
        lines[n] = text.count("\n", 0, match.start(1)) + 1
        text = f"{text[: match.start(1)]}{LONG_TITLE} number {n}{text[match.end(1) :]}"
    project_copy.write(topic, text)
    report = build(
        project_copy.root,
        tmp_path / "out",
        Filters(documents=frozenset({"deck"}), topics=frozenset({"car-t-ms"})),
    )
    result = next(r for r in report.results if r.job.output == "decks/car-t-ms-talk.pptx")
    assert result.ok, str(result.error)
    warned = [w for w in result.warnings if LONG_TITLE in w]
    assert warned, result.warnings
    for warning in warned:
        found = re.match(
            rf'slide \d+ \("{LONG_TITLE} number (\d+)"\): the title does not fit '
            r"its box even at 28 pt; the words that do not fit begin the slide's "
            rf"body \({topic}:(\d+):\d+: sections\[(\d+)\]\.heading\.clinical\)$",
            warning,
        )
        assert found, warning
        n, line, index = map(int, found.groups())
        assert (line, index) == (lines[n], n)
