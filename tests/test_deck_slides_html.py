"""The slides-with-notes HTML: the fitted deck written back as slide HTML, and printed."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from deck_fixtures import (
    DATA,
    ORG_LAYOUTS,
    bullets,
    inside,
    org_master,
    parse,
    pdf_words,
    require,
    slide,
    style,
    tokens,
)
from medbrief import fonts
from medbrief.deck.fit import Measurer, PlacedProcess, fit_deck
from medbrief.deck.geometry import default_frames
from medbrief.deck.images import Images
from medbrief.deck.markup import parse_deck
from medbrief.deck.master import open_master, resolve_layouts
from medbrief.deck.metrics import Fonts
from medbrief.deck.model import Deck, Paragraph, Run, Text
from medbrief.deck.pptx_writer import write_pptx
from medbrief.deck.slides_html import FRAME_WIDTH_PT, fitted_html, groups, list_html
from medbrief.deck.units import EMU_PER_PT

REPO = Path(__file__).resolve().parents[1]
SLIDES_CSS = REPO / "templates" / "css" / "slides.css"
HEAD = (
    f'<html lang="en-GB"><head><title>Sample talk</title>'
    f'<link rel="stylesheet" href="{SLIDES_CSS.as_uri()}">'
    "<style>:root { --primary: #1B3A5C; --muted: #5A6270; --text: #222222; }</style>"
    "</head><body>\n"
)
LONG = slide(bullets(24), title="Overflowing list", notes="<p>Slow down here.</p>")


def sample_html(*extra: str) -> str:
    return HEAD + (DATA / "sample-deck.html").read_text("utf-8") + "".join(extra) + "</body></html>"


def pptx_titles(html: str, **changes) -> list[str]:
    out = io.BytesIO()
    write_pptx(parse_deck(html, "t"), style(**changes), out)
    return [s.shapes.title.text_frame.text for s in Presentation(out).slides]


def test_default_frames_are_the_built_in_masters():
    plans = resolve_layouts(open_master(style()), style())
    assert default_frames() == {name: plan.frames for name, plan in plans.items()}


def test_fitted_html_has_the_slides_of_the_pptx_in_order_with_their_notes():
    html = sample_html(LONG)
    out = fitted_html(html, "t", style())
    again = parse_deck(out, "fitted")  # the output is the documented subset
    titles = [s.title_text for s in again.slides]
    assert titles == pptx_titles(html)
    parts = len(titles) - 14
    assert parts > 1 and titles[14:] == ["Overflowing list"] + [
        f"Overflowing list (continued {n})" for n in range(1, parts)
    ]
    source = {s.title_text: s for s in parse_deck(html, "t").slides}
    for s in again.slides:
        original = source[re.sub(r" \(continued( \d+)?\)$", "", s.title_text)]
        assert (s.layout, s.notes) == (original.layout, original.notes)
    assert [s.notes for s in again.slides][14:] == ["Slow down here."] * parts
    ids = [s.id for s in again.slides]
    assert ids[14:] == [None] * parts and len(set(filter(None, ids))) == 14
    assert out.count("<section ") == len(titles)
    assert "<title>Sample talk</title>" in out and 'lang="en-GB"' in out


def test_continued_ids_stay_unique():
    section = slide(bullets(40), title="Many", extra=' id="many"')
    ids = [s.id for s in parse_deck(fitted_html(section, "t", style()), "t").slides]
    assert ids[0] == "many" and len(set(ids)) == len(ids) > 2


def test_fitted_html_follows_an_organisation_master(tmp_path):
    changes = {"master": org_master(tmp_path), "layouts": ORG_LAYOUTS}
    html = sample_html(LONG)
    out = fitted_html(html, "t", style(**changes))
    assert [s.title_text for s in parse_deck(out, "t").slides] == pptx_titles(html, **changes)


def test_fitting_for_the_built_in_master_needs_no_python_pptx():
    code = (
        "import sys; from medbrief.deck.slides_html import fitted_html; "
        "from medbrief.deck.model import DeckStyle; "
        "fitted_html('<section data-layout=\"content\"><h2>T</h2><p>x</p></section>', "
        "'t', DeckStyle()); print('pptx' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "src")},
        check=True,
    )
    assert run.stdout.strip() == "False"


def _para(
    text: str,
    level: int = 0,
    bullet: str | None = "bullet",
    number: int = 1,
    continued: bool = False,
) -> Paragraph:
    return Paragraph((Run(text),), level, bullet, number, continued)


@pytest.mark.parametrize(
    "paragraphs",
    [
        # an item continued from the previous slide, then the rest of a numbered list
        (
            _para("rest of three", 0, "number", 3, True),
            _para("four", 0, "number", 4),
            _para("four a", 1),
            _para("five", 0, "number", 5),
        ),
        # items whose parents are on the previous slide (two levels up)
        (_para("deep", 2), _para("mid", 1), _para("top", 0), _para("top two", 0)),
        # two lists and a paragraph in one text frame
        (
            _para("a"),
            _para("b"),
            _para("one", 0, "number", 1),
            _para("two", 0, "number", 2),
            _para("plain", 0, None),
            _para("again one", 0, "number", 1),
        ),
    ],
)
def test_lists_round_trip_through_the_subset(paragraphs):
    body = "".join(
        list_html(paragraphs[a:b]) if paragraphs[a].bullet else f"<p>{paragraphs[a].text}</p>"
        for a, b in groups(paragraphs)
    )
    (parsed,) = parse(slide(body)).slides
    got = [p for block in parsed.blocks for p in block.paragraphs]
    assert [_key(p) for p in got] == [_key(p) for p in paragraphs]


def _key(p: Paragraph) -> tuple:
    """What a paragraph shows: a bullet's position in its list is not shown."""
    return p.runs, p.level, p.bullet, p.number if p.bullet == "number" else 0, p.continued


# -- printed with WeasyPrint ------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The sample deck plus an overflowing slide, fitted, printed, and its fitted slides."""
    from medbrief.writers.pdf import PdfContext, PdfWriter

    html = sample_html(
        LONG,
        slide(
            '<ol class="process" data-title="Three steps">'
            + "".join(
                f"<li><strong>Step {n}</strong> {'a longer description of the step ' * 3}</li>"
                for n in range(1, 4)
            )
            + "</ol>",
            title="Steps",
        ),
    )
    writer = PdfWriter(PdfContext(DATA, [DATA, REPO / "templates", *fonts.font_dirs()]))
    rendered = writer.write(fitted_html(html, "t", style()), "t.pdf")
    pdf = tmp_path_factory.mktemp("slides") / "t.pdf"
    pdf.write_bytes(rendered.data)
    images = Images(DATA, "t")
    measurer = Measurer(Fonts.load(style().font_regular, style().font_bold), images.aspect)
    fitted = fit_deck(parse_deck(html, "t"), default_frames(), measurer)
    return pdf, rendered, fitted


def _boxes(fitted):
    """Every box the .pptx holds text in, on the slide (EMU)."""
    frames = default_frames()[fitted.slide.layout]
    boxes = [frames.title, *([frames.subtitle] if frames.subtitle else [])]
    if fitted.header_size is not None:
        boxes += frames.headers
    for region in fitted.regions:
        for placed in region:
            boxes.append(placed.box)
            if isinstance(placed, PlacedProcess):
                boxes += placed.step_boxes
    return boxes


def test_pdf_has_one_tagged_page_per_fitted_slide(printed):
    pdf, rendered, fitted = printed
    assert rendered.pages == len(fitted) > 16  # 14 slides, 1 continued at least, "Steps"
    info = subprocess.run(
        [require("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M) and re.search(
        r"^Title:\s+Sample talk$", info, re.M
    )


def test_pdf_words_stay_inside_the_frame_and_their_own_boxes(printed):
    """Every word on a printed slide lies inside the frame and inside a box the .pptx has."""
    pdf, _, fitted = printed
    left, top = 15 / 25.4 * 72, 14 / 25.4 * 72  # slides.css page margins
    k = FRAME_WIDTH_PT / (12192000 / EMU_PER_PT)
    frame = (left, top, left + FRAME_WIDTH_PT, top + 6858000 / EMU_PER_PT * k)
    pages = pdf_words(pdf)
    for number, ((_, _, words), f) in enumerate(zip(pages, fitted, strict=True), 1):
        boxes = [
            (
                left + b.left / EMU_PER_PT * k,
                top + b.top / EMU_PER_PT * k,
                left + b.right / EMU_PER_PT * k,
                top + b.bottom / EMU_PER_PT * k,
            )
            for b in _boxes(f)
        ]
        on_slide = [w for w in words if w[2] < frame[3]]
        for word in on_slide:
            assert inside(word, frame, 0.5), (number, word)
            assert any(inside(word, box, 0.5) for box in boxes), (number, word)
        text = f.slide.title_text
        for block in (b for region in f.regions for b in region):
            if isinstance(block.block, Text):
                text += " " + " ".join(p.text for p in block.block.paragraphs)
        missing = tokens(text) - tokens(" ".join(w[0] for w in on_slide))
        assert not missing, (number, missing)


def test_printed_notes_follow_each_slide(printed):
    pdf, _, fitted = printed
    pages = pdf_words(pdf)
    for (_, _, words), f in zip(pages, fitted, strict=True):
        below = " ".join(w[0] for w in words if w[2] > 14 / 25.4 * 72 + 101.25 / 25.4 * 72)
        if f.slide.notes:
            assert tokens(f.slide.notes) <= tokens(below)


def test_a_deck_without_a_head_still_prints_as_html():
    out = fitted_html((DATA / "sample-deck.html").read_text("utf-8"), "t", style())
    assert out.startswith("<!DOCTYPE html>\n<html>") and "<style>" in out
    assert isinstance(parse_deck(out, "t"), Deck)
