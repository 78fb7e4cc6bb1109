"""Measuring, wrapping, sizing and splitting slides with real font metrics."""

from __future__ import annotations

import contextlib
import time

import fontpkg_arimo
import pytest

from deck_fixtures import bullets, parse, slide
from medbrief.deck.fit import (
    BODY_SIZES,
    Fitter,
    Measurer,
    PlacedProcess,
    PlacedTable,
    region_height,
    regions,
)
from medbrief.deck.geometry import Box, Frames
from medbrief.deck.metrics import Fonts, load_metrics, wrap
from medbrief.deck.model import Paragraph, Run
from medbrief.deck.units import Emu, Inches, Length, Pt
from medbrief.errors import RenderError

ARIMO = fontpkg_arimo.ROOT / "files" / "Arimo[wght].ttf"
BODY = Box(Inches(0.6), Inches(1.8), Inches(12.133), Inches(5.2))
TITLE = Box(Inches(0.6), Inches(0.35), Inches(12.133), Inches(1.2))
HALF = Inches(5.87)
FRAMES = {
    "content": Frames(TITLE, body=(BODY,)),
    "blank": Frames(TITLE, body=(BODY,)),
    "title": Frames(TITLE, subtitle=BODY),
    "section": Frames(TITLE, subtitle=BODY),
    "two-content": Frames(
        TITLE,
        body=(
            Box(Inches(0.6), Inches(1.8), HALF, Inches(5.2)),
            Box(Inches(6.87), Inches(1.8), HALF, Inches(5.2)),
        ),
    ),
}


def fonts() -> Fonts:
    return Fonts.load(ARIMO, ARIMO)


def measurer() -> Measurer:
    return Measurer(fonts(), lambda src: 16 / 9)


def fit(*sections: str):
    return Fitter(measurer(), FRAMES, "t.html").fit_deck(parse(*sections))


# -- units ------------------------------------------------------------------------------------


def test_lengths_are_typed_emu():
    assert Pt(20) == 254000 and Inches(1) == 914400 and Emu(12700).pt == 1.0
    assert Pt(20.5).centipoints == 2050
    assert str(Pt(1)) == "12700" and repr(Pt(1)) == "Pt(1pt)"


# -- font metrics ------------------------------------------------------------------------------


def test_instanced_metrics_match_arial_widths():
    regular, bold = load_metrics(ARIMO, 400), load_metrics(ARIMO, 700)
    assert regular.units_per_em == 2048
    # Arial's advance widths (font units): "a" 1139, "M" 1706, space 569; bold "a" 1139, "M" 1706
    assert [regular.advances[ord(c)] for c in "aM "] == [1139, 1706, 569]
    assert regular.advances[ord("w")] < bold.advances[ord("w")]
    assert regular.line_ratio == pytest.approx(1.2)


def test_instancing_is_cached():
    load_metrics.cache_clear()
    start = time.perf_counter()
    first = load_metrics(ARIMO, 400)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    again = load_metrics(ARIMO, 400)
    warm = time.perf_counter() - start
    assert again is first
    assert warm < cold / 10


def test_missing_glyphs_count_as_a_full_em():
    regular = load_metrics(ARIMO, 400)
    assert ord("\U0001f600") not in regular.advances and ord("語") not in regular.advances
    assert regular.em_widths("語\U0001f600") == [1.0, 1.0]


def test_bold_runs_measure_wider():
    f = fonts()
    assert f.text_width((Run("Wide words", bold=True),)) > f.text_width((Run("Wide words"),))


# -- wrapping ----------------------------------------------------------------------------------


def widths(text: str) -> list[float]:
    return [1.0] * len(text)


def test_wrap_breaks_at_spaces():
    text = "aaa bbb ccc dd"
    assert wrap(text, widths(text), 7) == [(0, 7), (8, 14)]
    assert wrap(text, widths(text), 100) == [(0, 14)]
    assert wrap("", [], 5) == [(0, 0)]


def test_wrap_breaks_long_words_by_characters():
    text = "ab cdefghij k"
    assert wrap(text, widths(text), 4) == [(0, 2), (3, 7), (7, 11), (12, 13)]


def test_wrap_20000_character_word_quickly():
    word = "x" * 20000
    start = time.perf_counter()
    lines = wrap(word, widths(word), 30)
    assert time.perf_counter() - start < 0.5
    assert len(lines) == 667 and lines[0] == (0, 30) and lines[-1] == (19980, 20000)
    assert sum(end - start for start, end in lines) == 20000


def test_measured_lines_fit_the_box_width():
    m = measurer()
    runs = (Run("The quick brown fox jumps over the lazy dog " * 6),)
    lines = m.lines(runs, Inches(5), Pt(24))
    assert len(lines) > 2
    text = runs[0].text
    for start, end in lines:
        assert m.line_width((Run(text[start:end]),), Pt(24)) <= Inches(5)


def test_text_height_counts_lines_and_spacing():
    m = measurer()
    one = m.text_height([Paragraph((Run("Short"),))], Inches(10), Pt(20))
    two = m.text_height([Paragraph((Run("Short"),)), Paragraph((Run("More"),))], Inches(10), Pt(20))
    assert one == Length(2 * Inches(0.05) + Pt(24))
    assert two - one == Pt(24) + Pt(9)  # a line, and 0.45 × size before the paragraph


# -- sizes -------------------------------------------------------------------------------------


def test_short_body_keeps_the_preferred_size():
    (fitted,) = fit(slide(bullets(3, "short")))
    assert fitted.body_size == Pt(28) and fitted.title_size == Pt(40)


def test_longer_body_shrinks_but_not_below_20pt():
    (fitted,) = fit(slide(bullets(9)))
    assert Pt(20) <= fitted.body_size < Pt(28)
    region = regions(fitted.slide)[0]
    assert region_height(measurer(), region, BODY.width, fitted.body_size) <= BODY.height


def test_long_titles_shrink_to_28pt_then_move_their_overflow_into_the_body():
    (fitted,) = fit(slide("<p>x</p>", title="A fairly long title " * 4))
    assert Pt(28) <= fitted.title_size < Pt(40)
    title = "A fairly long title " * 12
    fitter = Fitter(measurer(), FRAMES, "t.html")
    (fitted,) = fitter.fit_deck(parse(slide("<p>x</p>", title=title)))
    shown, body = fitted.slide.title_text, fitted.slide.blocks[0].paragraphs[0].text
    assert fitted.title_size == Pt(28) and shown.endswith(" \u2026") and body.startswith("\u2026 ")
    assert shown[:-2].split() + body[2:].split() == title.split()  # every word, once, in order
    assert (
        measurer().text_height((Paragraph(fitted.slide.title),), TITLE.width, Pt(28))
        <= TITLE.height
    )
    [moved] = fitter.moved
    assert (moved.what, moved.text, moved.slide.number) == ("title", title.strip(), 1)


def test_a_subtitle_too_long_for_a_slide_without_a_body_makes_it_a_content_slide():
    frames = {
        **FRAMES,
        "section": Frames(TITLE, subtitle=Box(Inches(0.6), Inches(4), Inches(12.133), Inches(1))),
    }
    status = "Approved for some people with a long list of conditions and caveats. " * 6
    fitter = Fitter(measurer(), frames, "t.html")
    (fitted,) = fitter.fit_deck(
        parse(slide(f'<p class="subtitle">{status}</p>', layout="section", title="Where it stands"))
    )
    assert fitted.slide.layout == "content" and fitted.slide.subtitle == ()
    assert fitted.slide.title_text == "Where it stands"
    assert fitted.slide.blocks[0].paragraphs[0].text.split() == status.split()
    [moved] = fitter.moved
    assert moved.what == "subtitle" and moved.slide.layout == "section"


def test_long_titles_of_continued_slides_still_fit():
    fitter = Fitter(measurer(), FRAMES, "t.html")
    parts = fitter.fit_deck(parse(slide(bullets(40), title="A fairly long title " * 7)))
    assert len(parts) > 2
    for part in parts:
        assert (
            measurer().text_height((Paragraph(part.slide.title),), TITLE.width, part.title_size)
            <= TITLE.height
        )
    assert parts[0].slide.title_text == ("A fairly long title " * 7).strip()  # it fits
    assert parts[2].slide.title_text.endswith("\u2026 (continued 2)")  # with the suffix, not
    assert all(p.slide.title_text.count("\u2026") <= 1 for p in parts)
    assert len({p.slide.title_text for p in parts}) == len(parts)
    assert fitter.moved == []  # nothing moved: the first slide shows the whole title


def test_a_title_box_too_small_for_one_word_is_an_error():
    frames = {
        **FRAMES,
        "content": Frames(Box(Inches(0.6), Inches(0.35), Inches(12), Pt(20)), body=(BODY,)),
    }
    with pytest.raises(
        RenderError, match="the title does not fit its box even at 28 pt, not even its first word"
    ):
        Fitter(measurer(), frames, "t.html").fit_deck(parse(slide("<p>x</p>", title="Hello")))


# -- splitting ----------------------------------------------------------------------------


def test_overflow_splits_into_numbered_continued_slides_with_notes():
    parts = fit(slide(bullets(40), title="Many points", notes="<p>Talk slowly.</p>"))
    assert len(parts) > 2
    assert [p.slide.title_text for p in parts] == ["Many points"] + [
        f"Many points (continued {n})" for n in range(1, len(parts))
    ]
    assert all(p.slide.notes == "Talk slowly." for p in parts)
    assert len({p.body_size for p in parts}) == 1 and parts[0].body_size >= BODY_SIZES[-1]
    texts = [para.text for p in parts for para in p.slide.blocks[0].paragraphs]
    assert texts == [
        f"Item {n}: " + "a sentence long enough to fill most of a line on a slide"
        for n in range(1, 41)
    ]
    for part in parts:
        assert (
            region_height(measurer(), regions(part.slide)[0], BODY.width, part.body_size)
            <= BODY.height
        )


@pytest.mark.parametrize(
    "body",
    [
        bullets(40),
        bullets(14),
        "<table><thead><tr><th>Aspect</th>"
        "<th>Text</th></tr></thead><tbody>"
        + "".join(f"<tr><td>Row {n}</td><td>{'words ' * 25}</td></tr>" for n in range(6))
        + "</tbody></table>",
    ],
)
def test_split_parts_use_the_largest_size_that_needs_no_more_slides(body):
    fitter = Fitter(measurer(), FRAMES, "t.html")
    (source,) = parse(slide(body, title="Split")).slides
    parts = fitter.fit_slide(source)
    size = parts[0].body_size
    assert len(parts) > 1 and all(p.body_size == size for p in parts)
    floor = len(fitter._split_at(source, (BODY,), BODY_SIZES[-1]))
    assert len(parts) == floor  # never more slides than at the 20 pt floor…
    for larger in (s for s in BODY_SIZES if s > size):  # …and every larger size needs more
        with contextlib.suppress(RenderError):  # or a row too tall at that size
            assert len(fitter._split_at(source, (BODY,), larger)) > floor


def test_one_continuation_is_not_numbered():
    parts = fit(slide(bullets(14), title="Points"))
    assert [p.slide.title_text for p in parts] == ["Points", "Points (continued)"]


def test_a_20000_character_word_is_split_across_slides():
    parts = fit(slide(f"<p>{'x' * 20000}</p>", title="Long word"))
    assert len(parts) > 5
    assert sum(len(p.slide.blocks[0].paragraphs[0].text) for p in parts) == 20000
    assert all(p.slide.blocks[0].paragraphs[0].continued for p in parts[1:])
    for part in parts:
        assert (
            region_height(measurer(), regions(part.slide)[0], BODY.width, part.body_size)
            <= BODY.height
        )


def test_tables_split_by_rows_and_repeat_the_header():
    rows = "".join(f"<tr><td>Row {n}</td><td>{'words ' * 12}</td></tr>" for n in range(14))
    table = (
        f"<table><thead><tr><th>Name</th><th>Text</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    parts = fit(slide(table, title="Table"))
    assert len(parts) > 1
    assert all(p.slide.blocks[0].header == parts[0].slide.blocks[0].header for p in parts)
    assert sum(len(p.slide.blocks[0].rows) for p in parts) == 14
    for part in parts:
        (placed,) = part.regions[0]
        assert isinstance(placed, PlacedTable)
        assert sum(placed.col_widths) == BODY.width
        assert placed.box.bottom <= BODY.bottom


def test_process_steps_are_placed_in_rows_inside_the_body():
    steps = "".join(f"<li><strong>Step {n}</strong> does one thing</li>" for n in range(1, 6))
    (fitted,) = fit(slide(f'<ol class="process" data-title="Flow">{steps}</ol>'))
    (placed,) = fitted.regions[0]
    assert isinstance(placed, PlacedProcess) and placed.per_row == 3
    boxes = placed.step_boxes
    assert len(boxes) == 5 and boxes[0].top == boxes[2].top < boxes[3].top
    assert boxes[3].left > boxes[4].left  # the second row runs back, right to left
    assert all(
        BODY.left <= b.left and b.right <= BODY.right and b.bottom <= BODY.bottom for b in boxes
    )


def test_two_columns_split_together():
    body = (
        f'<div class="columns"><div class="column"><h3>Left</h3>{bullets(20)}</div>'
        f'<div class="column"><h3>Right</h3>{bullets(2)}</div></div>'
    )
    parts = fit(slide(body, layout="two-content", title="Columns"))
    assert len(parts) > 1
    assert all(p.slide.columns[0].heading == (Run("Left"),) for p in parts)
    assert parts[1].slide.columns[1].blocks == ()


def test_an_unsplittable_block_is_an_error():
    rows = f"<tr><td>{'word ' * 600}</td></tr>"
    table = f"<table><thead><tr><th>x</th></tr></thead><tbody>{rows}</tbody></table>"
    with pytest.raises(RenderError, match="too tall for the slide"):
        fit(slide(table, title="Huge cell"))


def test_a_shortened_title_on_continued_slides_has_one_ellipsis_and_stays_unique():
    fitter = Fitter(measurer(), FRAMES, "t.html")
    title = "A fairly long title " * 12
    parts = fitter.fit_deck(
        parse(slide(bullets(40), title=title), slide("<p>x</p>", title=title + "again"))
    )
    titles = [p.slide.title_text for p in parts]
    assert len(parts) > 3 and all(t.count("\u2026") == 1 for t in titles), titles
    assert titles[1].endswith("\u2026 (continued 1)")
    assert len(set(titles)) == len(titles)
    assert titles[-1].endswith("\u2026 again")  # its last word tells it apart
    assert [m.slide.number for m in fitter.moved] == [1, 2]
