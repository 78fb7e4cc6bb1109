"""Hostile input in decks: long words, markup, refused pictures.

The deck writer draws the text inside its box (a title or subtitle too long for its own
box moves into the slide's body, with a warning naming the slide and the field), or stops
with an error naming the slide; a picture it cannot place natively (SVG, EMF, a file outside
the project) is an error naming the picture, never a silent drop.
"""

from __future__ import annotations

import os
import re
import subprocess

import pdfplumber
import pptx  # a dependency: a broken install must fail here, not skip
import pytest

from hardening_support import Project, tool

EMU_PER_PT = 12700


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.plan["documents"] = [
        {
            "name": "deck",
            "title": "Deck",
            "template": "deck.html.j2",
            "audience": "speaker",
            "format": "pptx",
            "per": "topic",
            "output": "decks/{topic}.pptx",
        }
    ]
    return project


def deck_of(project: Project):
    report = project.build()
    [result] = report.results
    return result


def texts(path) -> list[str]:
    deck = pptx.Presentation(path)
    return [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]


def test_html_and_template_syntax_in_content_are_text_on_slides(project):
    payload = '<script>alert("x")</script> {{ 7*7 }}'
    project.topic()["key_points"][0]["clinical"] = f"Point {payload} end"
    result = deck_of(project)
    assert result.ok, str(result.error)
    assert any(f"Point {payload} end" in t for t in texts(project.out / result.job.output))


def test_a_subtitle_that_cannot_fit_its_box_still_gives_a_deck_and_a_located_warning(project):
    project.topic()["status_text"]["clinical"] = "Status " + "s" * 290
    result = deck_of(project)
    assert result.ok, str(result.error)
    [warning] = result.warnings
    assert re.match(
        r'slide \d+ \("[^"]+"\): the subtitle does not fit its box even at 20 pt; '
        r'the slide is drawn as a "content" slide with the subtitle as its first '
        r"paragraph \(content/topics/alpha\.yaml:\d+:\d+: status_text\.clinical\)$",
        warning,
    ), warning
    assert any(
        "Status " + "s" * 290 in t.replace("\n", "").replace("\x0b", "")
        for t in texts(project.out / result.job.output)
    )


@pytest.mark.soffice
def test_two_thousand_character_word_wraps_inside_its_slide_box(project, tmp_path):
    from medbrief import fonts

    soffice = tool("soffice")
    project.topic()["key_points"][0]["clinical"] = "Key " + "Ж" * 2_000 + " end"
    result = deck_of(project)
    assert result.ok, str(result.error)
    deck_path = project.out / result.job.output
    env = os.environ | {"FONTCONFIG_FILE": str(fonts.fontconfig_file()), "HOME": str(tmp_path)}
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck_path)],
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    deck = pptx.Presentation(deck_path)
    drawn = 0
    with pdfplumber.open(tmp_path / "alpha.pdf") as pdf:
        for page, slide in zip(pdf.pages, deck.slides, strict=True):
            ks = [c for c in page.chars if c["text"] == "Ж"]
            if not ks:
                continue
            [box] = [s for s in slide.shapes if s.has_text_frame and "ЖЖЖ" in s.text_frame.text]
            left, top = box.left / EMU_PER_PT, box.top / EMU_PER_PT
            right, bottom = left + box.width / EMU_PER_PT, top + box.height / EMU_PER_PT
            for c in ks:
                assert left <= c["x0"] and c["x1"] <= right, (c["x0"], c["x1"], left, right)
                assert top <= c["top"] and c["bottom"] <= bottom, (c["top"], top, bottom)
            drawn += len(ks)
    assert drawn == 2_000


PICTURE = (
    '<!DOCTYPE html><html lang="en-GB"><body>'
    '<section data-layout="content" id="logo"><h2>{{{{ topic.title }}}}</h2>'
    '<img src="{src}" alt="The organisation\'s logo">'
    '<aside class="notes"><p>Our logo.</p></aside></section></body></html>'
)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("logo.svg", None, "cannot be read as a picture"),
        (
            "logo.emf",
            b"\x01\x00\x00\x00" + b"\x00" * 36 + b" EMF" + b"\x00" * 40,
            "cannot be read as a picture",
        ),
        ("logo.eps", b"%!PS-Adobe-3.0 EPSF-3.0\n", "cannot be read as a picture"),
    ],
    ids=["svg", "emf", "eps"],
)
def test_picture_a_deck_cannot_hold_is_an_error_naming_it(project, name, data, expected):
    if data is not None:
        project.write_file(f"assets/{name}", data)
    project.template("picture.html.j2", PICTURE.format(src=f"content/assets/{name}"))
    project.plan["documents"][0]["template"] = "picture.html.j2"
    result = deck_of(project)
    assert not result.ok
    assert f'picture "content/assets/{name}" {expected}' in str(result.error)
    assert not (project.out / result.job.output).exists()


@pytest.mark.parametrize("src", ["../../../../../../etc/passwd", "file:///etc/passwd"])
def test_picture_outside_the_project_is_refused(project, src):
    project.template("picture.html.j2", PICTURE.format(src=src))
    project.plan["documents"][0]["template"] = "picture.html.j2"
    result = deck_of(project)
    assert not result.ok
    assert f'picture "{src}" is outside' in str(result.error)
