"""Slide HTML → Deck model: every supported element, and located errors for the rest."""

from __future__ import annotations

import pytest

from deck_fixtures import TEMPLATE, parse, sample_deck, slide
from medbrief.deck.markup import parse_deck
from medbrief.deck.model import Image, Paragraph, Process, Quote, Run, Table, Text
from medbrief.errors import TemplateError


def error_of(*sections: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse(*sections)
    return info.value


# -- the sample and the slide structure ------------------------------------------------------


def test_sample_deck_parses_every_layout():
    deck = sample_deck()
    assert len(deck.slides) == 14
    assert {s.layout for s in deck.slides} == {
        "title",
        "content",
        "section",
        "two-content",
        "comparison",
        "blank",
    }
    assert [s.number for s in deck.slides] == list(range(1, 15))
    assert deck.slides[0].title_text == "Running a community garden"


def test_title_subtitle_id_and_notes():
    deck = parse(
        slide(
            '<p class="subtitle">A <em>short</em> talk</p>',
            layout="title",
            title="Welcome",
            notes="<p>Say hello.</p>",
            extra=' id="cover"',
        )
    )
    cover = deck.slides[0]
    assert cover.title == (Run("Welcome"),)
    assert cover.subtitle == (Run("A "), Run("short", italic=True), Run(" talk"))
    assert (cover.id, cover.notes) == ("cover", "Say hello.")


def test_h1_title_and_document_wrappers():
    html = (
        '<!DOCTYPE html><html lang="en-GB" class="slides"><head><title>x</title>'
        "<style>p { color: red }</style></head><body>"
        + slide("<p>Body</p>", title="<strong>Bold</strong> title").replace("h2", "h1")
        + "</body></html>"
    )
    deck = parse_deck(html, TEMPLATE)
    assert deck.language == "en-GB"
    assert deck.slides[0].title == (Run("Bold", bold=True), Run(" title"))


# -- text -------------------------------------------------------------------------------------


def test_character_references_are_decoded():
    html = slide("<p>&lt;b&gt; &amp; &#8211; &#x2014; &#150; &nbsp;x</p>")
    (text,) = parse(html).slides[0].blocks
    assert text.paragraphs[0].text == "<b> & \u2013 \u2014 \u2013 \u00a0x"


def test_paragraph_runs_collapse_whitespace_and_merge():
    deck = parse(
        slide(
            "<p>  One\n   <strong>two</strong> <em>three <strong>four</strong></em>"
            ' <a href="https://example.org/x">five</a>  </p>'
        )
    )
    (text,) = deck.slides[0].blocks
    assert text.paragraphs[0].runs == (
        Run("One "),
        Run("two", bold=True),
        Run(" "),
        Run("three ", italic=True),
        Run("four", bold=True, italic=True),
        Run(" "),
        Run("five", href="https://example.org/x"),
    )


def test_nested_lists_give_levels_0_to_4():
    nested = (
        "<ul><li>L0<ul><li>L1<ul><li>L2<ul><li>L3<ul><li>L4</li></ul></li></ul>"
        "</li></ul></li></ul></li></ul>"
    )
    (text,) = parse(slide(nested)).slides[0].blocks
    assert [(p.text, p.level, p.bullet) for p in text.paragraphs] == [
        (f"L{n}", n, "bullet") for n in range(5)
    ]


def test_ordered_list_numbers_each_item():
    (text,) = (
        parse(slide("<ol><li>a</li><li>b<ul><li>b1</li></ul></li><li>c</li></ol>")).slides[0].blocks
    )
    assert [(p.text, p.bullet, p.number, p.level) for p in text.paragraphs] == [
        ("a", "number", 1, 0),
        ("b", "number", 2, 0),
        ("b1", "bullet", 1, 1),
        ("c", "number", 3, 0),
    ]


def test_sixth_list_level_is_an_error():
    deep = "<ul><li>0" * 6 + "</li></ul>" * 6
    assert "lists nest at most 5 levels deep" in str(error_of(slide(deep)))


def test_table_header_and_cells():
    html = (
        "<table><thead><tr><th>Crop</th><th>Sow</th></tr></thead><tbody>"
        "<tr><td>Peas</td><td><em>March</em></td></tr><tr><td>Beans</td><td></td></tr>"
        "</tbody></table>"
    )
    (table,) = parse(slide(html)).slides[0].blocks
    assert table == Table(
        header=((Run("Crop"),), (Run("Sow"),)),
        rows=(((Run("Peas"),), (Run("March", italic=True),)), ((Run("Beans"),), ())),
    )


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<table><tbody><tr><td>x</td></tr></tbody></table>", "one <thead> then one <tbody>"),
        (
            "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>x</td></tr>"
            "</tbody></table>",
            "a table row has 1 cells, the header has 2",
        ),
        (
            "<table><thead><tr><td>a</td></tr></thead><tbody><tr><td>x</td></tr></tbody></table>",
            "<td> in a table header row; use <th>",
        ),
    ],
)
def test_malformed_tables(html, message):
    assert message in str(error_of(slide(html)))


def test_image_with_alt_text():
    (image,) = (
        parse(slide('<img src="garden-plan.png" alt="Beds planted each season">')).slides[0].blocks
    )
    assert image == Image("garden-plan.png", "Beds planted each season")


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ('src="a.png"', "needs alt text"),
        ('src="a.png" alt="  "', "needs alt text"),
        ('src="a.png" alt="a.png"', "needs alt text"),
        ('src="a.png" alt="IMG_0042.JPG"', "needs alt text"),
        ('src="a.png" alt="Picture 3"', "needs alt text"),
        ('src="https://example.org/a.png" alt="A chart"', "is not a project file"),
        ('src="data:image/png;base64,AAAA" alt="A chart"', "is not a project file"),
        ('src="/etc/a.png" alt="A chart"', "is not a project file"),
    ],
)
def test_image_errors(attrs, message):
    assert message in str(error_of(slide(f"<img {attrs}>")))


def test_blockquote_with_cite():
    (quote,) = (
        parse(slide("<blockquote><p>It helped.</p><cite>Viewpoint — a member</cite></blockquote>"))
        .slides[0]
        .blocks
    )
    assert quote == Quote((Paragraph((Run("It helped."),)),), (Run("Viewpoint — a member"),))


def test_blockquote_bare_text_and_cite_must_be_last():
    (quote,) = parse(slide("<blockquote>Just <em>this</em>.</blockquote>")).slides[0].blocks
    assert quote.paragraphs[0].text == "Just this." and quote.cite == ()
    err = error_of(slide("<blockquote><cite>Who</cite><p>What</p></blockquote>"))
    assert "<cite> must come last" in str(err)


def test_process_diagram_steps():
    (process,) = (
        parse(
            slide(
                '<ol class="process" data-title="Steps"><li><strong>Plan</strong>'
                " the <em>beds</em></li><li><strong>Sow</strong></li></ol>"
            )
        )
        .slides[0]
        .blocks
    )
    assert isinstance(process, Process) and process.title == "Steps"
    assert [(s.label, s.description) for s in process.steps] == [
        ("Plan", (Run("the "), Run("beds", italic=True))),
        ("Sow", ()),
    ]


def test_process_step_needs_a_label():
    err = error_of(slide('<ol class="process"><li>No label</li></ol>'))
    assert "a process step starts with <strong>Label</strong>" in str(err)


def test_two_columns_with_headings():
    body = (
        '<div class="columns"><div class="column"><h3>Left</h3><p>a</p></div>'
        '<div class="column"><ul><li>b</li></ul></div></div>'
    )
    deck = parse(slide(body, layout="two-content"))
    left, right = deck.slides[0].columns
    assert left.heading == (Run("Left"),) and right.heading == ()
    assert isinstance(left.blocks[0], Text) and right.blocks[0].paragraphs[0].text == "b"


def test_comparison_columns_need_headings():
    body = (
        '<div class="columns"><div class="column"><h3>A</h3><p>a</p></div>'
        '<div class="column"><p>b</p></div></div>'
    )
    assert "starts with an <h3>" in str(error_of(slide(body, layout="comparison")))


def test_comparison_may_hold_a_table_instead_of_columns():
    table = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>"
    deck = parse(slide(table, layout="comparison"))
    assert isinstance(deck.slides[0].blocks[0], Table) and deck.slides[0].columns == ()


def test_columns_need_exactly_two_columns():
    body = '<div class="columns"><div class="column"><p>a</p></div></div>'
    assert "exactly two" in str(error_of(slide(body, layout="two-content")))


def test_notes_are_flattened_to_text():
    notes = (
        "<p>First <strong>point</strong>.</p><ul><li>one<ol><li>sub</li></ol></li></ul>"
        'Loose <a href="https://example.org">link</a>'
    )
    deck = parse(slide("<p>x</p>", notes=notes))
    assert deck.slides[0].notes == (
        "First point.\n• one\n  1. sub\nLoose link (https://example.org)"
    )


# -- errors name the template, the slide and the element ----------------------------------------


def test_unknown_element_is_located():
    err = error_of(
        slide("<p>x</p>", title="Intro"), slide("<video src='a.mp4'></video>", title="How it works")
    )
    assert err.message == 'slide 2 ("How it works"): unknown element <video>'
    assert str(err).startswith(
        'templates/test-deck.html.j2: slide 2 ("How it works"): unknown element <video>'
    )
    assert "supported:" in err.hint and '<ol class="process"' in err.hint
    assert "line 9 of the rendered HTML" in err.hint


def test_unknown_element_inside_text():
    err = error_of(slide("<p>x <span>y</span></p>", title="Spans"))
    assert err.message == 'slide 1 ("Spans"): unknown element <span>'


def test_unknown_attribute_is_located():
    err = error_of(slide('<p style="color: red">x</p>', title="Styled"))
    assert err.message == 'slide 1 ("Styled"): unknown attribute style="color: red" on <p>'


def test_unknown_class_is_located():
    err = error_of(slide('<ul class="fancy"><li>x</li></ul>', title="Classy"))
    assert err.message == 'slide 1 ("Classy"): unknown class "fancy" on <ul>'


def test_unknown_layout_is_located():
    err = error_of(slide("<p>x</p>", layout="fullscreen", title="Wide"))
    assert err.message == 'slide 1 ("Wide"): unknown layout "fullscreen"'
    assert "title, content, section, two-content, comparison, blank" in err.hint


def test_missing_layout_and_missing_title():
    assert "no data-layout" in str(error_of("<section><h2>x</h2></section>"))
    err = error_of('<section data-layout="content"><p>x</p></section>')
    assert err.message == "slide 1: a slide starts with its title in <h1> or <h2>"


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (slide("stray text <p>x</p>"), 'text outside a paragraph in <section>: "stray text"'),
        (slide("<ul>loose<li>x</li></ul>"), 'text outside a paragraph in <ul>: "loose"'),
        (slide("<p>bell \x07</p>"), "control character U+0007 in <p>"),
        (slide("<p>bell &#7;</p>"), "character reference &#7; is a control character"),
        (slide("<p>bell &#x1B;</p>"), "character reference &#x1B; is a control character"),
        (slide('<p><a href="javascript:alert(1)">x</a></p>'), "is not an http(s) or mailto"),
        (slide("<p></p>"), "empty paragraph <p>"),
        (slide('<p class="subtitle">x</p>'), '<p class="subtitle"> is for "title" and "section"'),
        (slide("<p>x</p>", layout="title"), 'a "title" slide holds a title, a subtitle and notes'),
        (slide("<div class='columns'></div>"), '<div> on a "content" slide'),
        (slide("<h3>x</h3>"), "<h3> outside a column"),
        (slide("<p>a <ul><li>b</li></ul></p>"), "<ul> is not allowed inside text"),
        (slide("<p>x", title="Open"), "slide 1: </section> does not close <p>"),
        (slide("<p>x</p>") + "<section>", "<section> is never closed"),
        ("<div>outside</div>", "outside any slide: <div> outside a <section>"),
        ("", "no slides"),
    ],
)
def test_errors(html, message):
    assert message in str(error_of(html))


def test_duplicate_titles_and_ids():
    err = error_of(slide("<p>a</p>", title="Same"), slide("<p>b</p>", title="same"))
    assert err.message == 'slide 2 ("same"): the title is also the title of slide 1'
    err = error_of(
        slide("<p>a</p>", title="A", extra=' id="x"'), slide("<p>b</p>", title="B", extra=' id="x"')
    )
    assert 'id "x" is also the id of slide 1' in err.message
