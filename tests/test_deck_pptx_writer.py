"""Deck → .pptx: round trips through python-pptx, masters, metadata, determinism, LibreOffice."""

from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu

from deck_fixtures import (
    CREATED,
    DATA,
    ORG_LAYOUTS,
    assert_every_word_inside_its_box,
    build,
    bullets,
    org_master,
    parse,
    sample_deck,
    slide,
    style,
)
from medbrief.deck.metrics import load_metrics
from medbrief.deck.model import Deck, Paragraph, Run, Slide, Text
from medbrief.deck.pptx_writer import write_pptx
from medbrief.errors import RenderError

SLIDE_W, SLIDE_H = 12192000, 6858000


@pytest.fixture(scope="module")
def sample_pptx(tmp_path_factory) -> Path:
    return build(sample_deck(), tmp_path_factory.mktemp("deck") / "sample.pptx")


@pytest.fixture(scope="module")
def prs(sample_pptx):
    return Presentation(sample_pptx)


def title_of(s) -> str:
    return s.shapes.title.text_frame.text


def by_id(prs, slide_id: str):
    return next(s for s in prs.slides if s._element.cSld.get("name") == slide_id)


def runs_of(shape):
    return shape._element.iter(qn("a:r"))


# -- round trip of the sample --------------------------------------------------------------


def test_round_trip_titles_layouts_and_size(prs):
    assert (prs.slide_width, prs.slide_height) == (SLIDE_W, SLIDE_H)
    assert [title_of(s) for s in prs.slides] == [s.title_text for s in sample_deck().slides]
    assert [s.slide_layout.name for s in prs.slides] == [
        "Title Slide",
        "Title and Content",
        "Section Header",
        "Title and Content",
        "Title and Content",
        "Title and Content",
        "Two Content",
        "Comparison",
        "Title and Content",
        "Title and Content",
        "Blank",
        "Title and Content",
        "Title and Content",
        "Title and Content",
    ]


def test_title_is_the_first_shape_and_a_title_placeholder(prs):
    for s in prs.slides:
        first = s.shapes[0]
        assert first.is_placeholder
        assert first.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)


def test_round_trip_notes(prs):
    deck = sample_deck()
    for source, s in zip(deck.slides, prs.slides, strict=True):
        notes = s.notes_slide.notes_text_frame.text if s.has_notes_slide else ""
        assert notes == source.notes
    assert by_id(prs, "choosing").notes_slide.notes_text_frame.text == (
        "Stress the written permission.\n• Show the sample letter"
    )


def test_pictures_carry_alt_text(prs):
    pictures = [
        sh for s in prs.slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures] == [
        "Bar chart: the number of planted beds rising over four seasons",
        "The same chart, larger: planted beds rising each season",
    ]


def test_bullet_levels_and_numbering(prs):
    body = by_id(prs, "choosing").placeholders[1].text_frame
    assert [(p.text, p.level) for p in body.paragraphs] == [
        ("A good plot has sun, water and neighbours who agree.", 0),
        ("At least six hours of direct sun a day", 0),
        ("Watch the site at different times", 1),
        ("Note shade from trees and buildings", 1),
        ("A tap or water butt within easy reach", 0),
        ("Permission in writing from the landowner", 0),
    ]
    pPrs = [p._p.pPr for p in body.paragraphs]
    assert pPrs[0].find(qn("a:buNone")) is not None
    assert pPrs[1].find(qn("a:buChar")).get("char") == "•"
    assert int(pPrs[2].get("marL")) > int(pPrs[1].get("marL"))
    agenda = by_id(prs, "agenda").placeholders[1].text_frame.paragraphs
    assert [p._p.pPr.find(qn("a:buAutoNum")).get("startAt") for p in agenda] == ["1", "2", "3", "4"]


def test_inline_formatting_and_hyperlinks(prs):
    runs = by_id(prs, "choosing").placeholders[1].text_frame.paragraphs[0].runs
    assert [(r.text, r.font.bold, r.font.italic) for r in runs][1:4] == [
        ("sun", True, False),
        (", ", False, False),
        ("water", False, True),
    ]
    links = [
        r.hyperlink.address
        for p in by_id(prs, "resources").placeholders[1].text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]
    assert links == ["https://example.org/gardening", "mailto:garden@example.org"]


def test_every_run_has_size_font_and_readable_size(prs):
    for s in prs.slides:
        title_runs = set(runs_of(s.shapes.title))
        for shape in s.shapes:
            for r in runs_of(shape):
                rPr = r.find(qn("a:rPr"))
                size = int(rPr.get("sz"))
                assert rPr.find(qn("a:latin")).get("typeface") == "Arial"
                assert size >= (2800 if r in title_runs else 2000), (
                    title_of(s),
                    r.findtext(qn("a:t")),
                )


def test_text_frames_wrap_without_autofit(prs):
    for s in prs.slides:
        for shape in s.shapes:
            for body in shape._element.iter(qn("a:bodyPr")):
                if shape.has_text_frame and shape.text_frame.text:
                    assert body.get("wrap") == "square"
                    assert body.find(qn("a:noAutofit")) is not None
                    assert body.get("lIns") is not None and body.get("tIns") is not None


def test_shapes_stay_inside_the_slide(prs):
    for s in prs.slides:
        for shape in s.shapes:
            assert shape.left >= 0 and shape.left + shape.width <= SLIDE_W, shape.name
            assert shape.top >= 0 and shape.top + shape.height <= SLIDE_H, shape.name


def test_process_diagram_is_native_shapes_with_connectors(prs):
    s = by_id(prs, "process")
    steps = [
        sh
        for sh in s.shapes
        if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and sh.name.startswith("Step")
    ]
    connectors = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.LINE]
    assert [sh.text_frame.text for sh in steps] == [
        "Plan\nchoose crops and draw the beds",
        "Prepare\nclear weeds and add compost",
        "Sow\nstart seeds indoors or direct",
        "Tend\nwater, weed and protect",
        "Harvest\npick, share and record",
    ]
    assert all(sh._element.spPr.find(qn("a:prstGeom")).get("prst") == "roundRect" for sh in steps)
    assert len(connectors) == 4
    ids = [sh.shape_id for sh in steps]
    for n, c in enumerate(connectors):
        cNv = c._element.nvCxnSpPr.cNvCxnSpPr
        assert int(cNv.find(qn("a:stCxn")).get("id")) == ids[n]
        assert int(cNv.find(qn("a:endCxn")).get("id")) == ids[n + 1]
        assert c._element.spPr.find(qn("a:ln")).find(qn("a:tailEnd")).get("type") == "triangle"
    assert not any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)


def test_table_is_native_with_a_header_row(prs):
    (frame,) = [sh for sh in by_id(prs, "calendar").shapes if sh.has_table]
    table = frame.table
    assert table.first_row
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["Crop", "Sow", "Harvest", "Notes"]
    assert cells[2] == ["Lettuce", "April", "May to July", "Sow little and often"]
    header = table.cell(0, 0)
    assert str(header.fill.fore_color.rgb) == "1B3A5C"
    assert header.text_frame.paragraphs[0].runs[0].font.bold


def test_two_columns_and_comparison_headings(prs):
    left, right = [
        ph for ph in by_id(prs, "roles").placeholders if ph.placeholder_format.idx in (1, 2)
    ]
    assert left.text_frame.text.startswith("Coordinators\nKeep the rota")
    assert right.text_frame.text.startswith("Members\nTake a weekly slot")
    assert left.left + left.width <= right.left
    texts = {
        ph.placeholder_format.idx: ph.text_frame.text for ph in by_id(prs, "beds").placeholders
    }
    assert (texts[1], texts[3]) == ("Raised beds", "Open ground")
    assert texts[2].startswith("Warm up earlier") and texts[4].startswith("Cheap to start")


def test_quote_with_citation(prs):
    (quote,) = [sh for sh in by_id(prs, "viewpoint").shapes if sh.name == "Quote"]
    first, cite = quote.text_frame.paragraphs
    assert first.runs[0].font.italic
    assert cite.text == "Viewpoint — a member since the first season"
    assert str(cite.runs[0].font.color.rgb) == "5A6270"


def test_core_properties_are_set_exactly(prs):
    core = prs.core_properties
    assert (core.title, core.subject, core.author, core.keywords) == (
        "Sample deck",
        "Testing",
        "Example Organisation",
        "deck, test",
    )
    assert core.created == core.modified == core.last_printed == CREATED
    assert core.last_modified_by == "Example Organisation" and core.revision == 1


# -- reproducible output -------------------------------------------------------------------


def test_same_input_gives_identical_bytes(tmp_path):
    first = build(sample_deck(), tmp_path / "a.pptx").read_bytes()
    time.sleep(1.1)  # a zip entry's timestamp has two-second resolution; cross it
    second = io.BytesIO()
    write_pptx(sample_deck(), style(), second)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second.getvalue()).hexdigest()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2024, 5, 1, 9, 30, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()


def test_write_returns_the_slide_count(tmp_path):
    assert write_pptx(sample_deck(), style(), tmp_path / "n.pptx") == 14


def test_a_warm_write_measures_with_the_fonts_already_loaded():
    """Fonts are read and instanced once per process (the speed target is in bench/)."""
    deck = sample_deck()
    write_pptx(deck, style(), io.BytesIO())  # warm: fonts instanced, modules loaded
    before = load_metrics.cache_info()
    write_pptx(deck, style(), io.BytesIO())
    after = load_metrics.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


# -- overflow --------------------------------------------------------------------------------


def test_overflow_becomes_continued_slides_with_notes(tmp_path):
    deck = parse(
        slide(bullets(30), title="Everything", notes="<p>Pace yourself.</p>"),
        slide("<p>End</p>", title="After"),
    )
    path = build(deck, tmp_path / "long.pptx")
    shown = Presentation(path)
    titles = [title_of(s) for s in shown.slides]
    assert titles[0] == "Everything" and titles[-1] == "After"
    assert titles[1:-1] == [f"Everything (continued {n})" for n in range(1, len(titles) - 1)]
    assert all(
        s.notes_slide.notes_text_frame.text == "Pace yourself." for s in list(shown.slides)[:-1]
    )
    items = [
        p.text for s in list(shown.slides)[:-1] for p in s.placeholders[1].text_frame.paragraphs
    ]
    assert len(items) == 30


def test_a_20000_character_word_is_written(tmp_path):
    deck = parse(slide(f"<p>{'y' * 20000}</p>", title="Word"))
    shown = Presentation(build(deck, tmp_path / "word.pptx"))
    assert len(shown.slides) > 5
    assert sum(len(s.placeholders[1].text_frame.text) for s in shown.slides) == 20000


# -- organisation masters ------------------------------------------------------------------


def test_organisation_master_layouts_are_mapped_by_name(tmp_path):
    master = org_master(tmp_path)
    shown = Presentation(
        build(sample_deck(), tmp_path / "org.pptx", master=master, layouts=ORG_LAYOUTS)
    )
    names = [s.slide_layout.name for s in shown.slides]
    assert names[:3] == ["Org Title", "Org Body", "Org Divider"]
    assert {"Org Two Columns", "Org Compare", "Org Empty"} <= set(names)
    assert "Org confidential slide" not in [title_of(s) for s in shown.slides]
    assert len(shown.slides) == 14
    body = by_id(shown, "choosing").placeholders[1]
    assert body.text_frame._txBody.bodyPr.get("lIns") == str(Emu(91440))


def test_organisation_metadata_never_leaks(tmp_path):
    path = build(
        sample_deck(), tmp_path / "org.pptx", master=org_master(tmp_path), layouts=ORG_LAYOUTS
    )
    core = Presentation(path).core_properties
    assert (
        core.author,
        core.last_modified_by,
        core.comments,
        core.category,
        core.revision,
        core.title,
    ) == ("Example Organisation", "Example Organisation", "", "", 1, "Sample deck")
    with zipfile.ZipFile(path) as z:
        everything = b"".join(z.read(n) for n in z.namelist())
        assert b"Jane Org" not in everything and b"internal" not in everything
        assert b"Org confidential" not in everything


def test_missing_layout_lists_the_layouts_the_master_has(tmp_path):
    master = org_master(tmp_path)
    layouts = {**ORG_LAYOUTS, "comparison": "Side by Side"}
    with pytest.raises(RenderError) as info:
        write_pptx(sample_deck(), style(master=master, layouts=layouts), io.BytesIO())
    err = info.value
    assert err.message == (f'layout "Side by Side" (for "comparison" slides) is not in {master}')
    assert "'Org Title', 'Org Body', 'Org Divider', 'Org Two Columns', 'Org Compare'" in err.hint


def test_a_potx_template_is_refused(tmp_path):
    potx = tmp_path / "org.potx"
    with zipfile.ZipFile(org_master(tmp_path)) as src, zipfile.ZipFile(potx, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"presentation.main+xml", b"template.main+xml")
            dst.writestr(item, data)
    with pytest.raises(RenderError, match=r"\.potx"):
        write_pptx(sample_deck(), style(master=potx, layouts=ORG_LAYOUTS), io.BytesIO())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pptx", b"just text", "not a valid .pptx zip"),
        ("broken.pptx", None, "not a valid .pptx zip"),
        ("book.pptx", "word", "is not a PowerPoint presentation"),
        ("absent.pptx", "missing", "master file not found"),
    ],
)
def test_unusable_masters_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    if content is None:
        path.write_bytes(org_master(tmp_path).read_bytes()[:5000])
    elif content == "word":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(
                "[Content_Types].xml",
                '<Types><Override ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
                "/></Types>",
            )
    elif content != "missing":
        path.write_bytes(content)
    with pytest.raises(RenderError) as info:
        write_pptx(sample_deck(), style(master=path, layouts=ORG_LAYOUTS), io.BytesIO())
    assert message in info.value.message
    assert str(info.value).startswith(str(path))


# -- errors ------------------------------------------------------------------------------------


def test_control_characters_never_reach_the_xml():
    bad = Slide(1, "content", (Run("Bell"),), blocks=(Text((Paragraph((Run("a\x07b"),)),)),))
    with pytest.raises(RenderError, match=r'slide 1 \("Bell"\): control character U\+0007'):
        write_pptx(Deck("t.html", (bad,)), style(), io.BytesIO())


def test_duplicate_titles_after_splitting_are_refused():
    deck = parse(slide(bullets(14), title="Points"), slide("<p>x</p>", title="Points (continued)"))
    with pytest.raises(RenderError, match="the title is used twice"):
        write_pptx(deck, style(), io.BytesIO())


def test_file_urls_inside_the_asset_root_are_accepted():
    url = (DATA / "garden-plan.png").as_uri()
    deck = parse(slide(f'<img src="{url}" alt="Planted beds by season">'))
    shown = Presentation(io.BytesIO(_written(deck)))
    (picture,) = [sh for sh in shown.slides[0].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert picture._element.nvPicPr.cNvPr.get("descr") == "Planted beds by season"


def _written(deck: Deck, **changes) -> bytes:
    out = io.BytesIO()
    write_pptx(deck, style(**changes), out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("missing.png", 'picture "missing.png" not found'),
        ("file:///etc/hostname", 'picture "file:///etc/hostname" is outside'),
        ("../deck_fixtures.py", 'picture "../deck_fixtures.py" is outside'),
        ("sample-deck.html", "cannot be read as a picture"),
    ],
)
def test_picture_problems(src, message):
    deck = parse(slide(f'<img src="{src}" alt="A described picture">'))
    with pytest.raises(RenderError, match=re.escape(message)):
        write_pptx(deck, style(), io.BytesIO())


def test_a_picture_pillow_chokes_on_is_named(tmp_path):
    """An EMF with an empty frame makes Pillow divide by zero: still "not a picture"."""
    (tmp_path / "logo.emf").write_bytes(b"\x01\x00\x00\x00" + b"\x00" * 36 + b" EMF" + b"\x00" * 40)
    deck = parse(slide('<img src="logo.emf" alt="The organisation\'s logo">'))
    with pytest.raises(RenderError, match='picture "logo.emf" cannot be read as a picture'):
        write_pptx(deck, style(asset_root=tmp_path), io.BytesIO())


def test_style_colours_are_checked():
    with pytest.raises(RenderError, match="title_color must be a hex colour"):
        style(title_color="navy")


# -- LibreOffice: every word inside the slide and inside its own box ------------------------------


@pytest.mark.soffice
@pytest.mark.parametrize("master", ["built-in", "organisation"])
def test_libreoffice_draws_every_word_inside_its_box(tmp_path, master):
    deck = Deck(
        "t",
        sample_deck().slides
        + parse(
            slide(bullets(24), title="Overflowing list", notes="<p>n</p>"),
            slide(f"<p>Before {'z' * 3000} after</p>", title="A very long word"),
        ).slides,
    )
    pptx = tmp_path / "deck.pptx"
    changes = (
        {"master": org_master(tmp_path), "layouts": ORG_LAYOUTS} if master != "built-in" else {}
    )
    count = write_pptx(deck, style(**changes), pptx)
    assert len(assert_every_word_inside_its_box(pptx, tmp_path)) == count
