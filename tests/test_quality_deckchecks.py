"""Deck accessibility gates, on .pptx files written and read back with python-pptx."""

from __future__ import annotations

import base64
import importlib.util
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from conftest import copy_project
from medbrief.errors import Location
from medbrief.jobs import Filters
from medbrief.output import ManifestEntry
from medbrief.pipeline import build
from medbrief.quality.deckchecks import check_deck, read_deck

WHERE = Location("output/decks/t.pptx")
ENTRY = ManifestEntry(
    "decks/t.pptx", "pptx", "deck", ["t"], "speaker", None, None, 0, "", approval="approved"
)  # the draft label has its own tests
TITLE_ONLY, BLANK = 5, 6


def png(tmp_path: Path) -> Path:
    """The smallest valid PNG, named like a file a careless author would leave as alt text."""
    data = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
    )
    path = tmp_path / "image1.png"
    path.write_bytes(data)
    return path


def messages(path: Path) -> list[str]:
    return [f.message for f in check_deck(read_deck(path), WHERE, ENTRY)]


def titled(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = title
    return slide


def test_good_deck_passes(tmp_path):
    prs = Presentation()
    slide = titled(prs, "How it works")
    pic = slide.shapes.add_picture(str(png(tmp_path)), Inches(1), Inches(2))
    pic._element.nvPicPr.cNvPr.set("descr", "Diagram of the five steps")
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    table.first_row = True
    titled(prs, "Risks")
    prs.save(tmp_path / "good.pptx")
    assert messages(tmp_path / "good.pptx") == []


def test_deck_problems_are_named_by_slide(tmp_path):
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[BLANK])
    slide = titled(prs, "Risks")
    pic = slide.shapes.add_picture(str(png(tmp_path)), Inches(1), Inches(2))
    pic._element.nvPicPr.cNvPr.set("descr", "image1.png")
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    table.first_row = False
    titled(prs, "risks")
    prs.save(tmp_path / "bad.pptx")
    assert messages(tmp_path / "bad.pptx") == [
        "slide 1: has no title",
        "slide 2: picture without useful alt text (Picture 2)",
        "slide 2: table without a header row",
        "slides 2, 3 share the title “Risks”",
    ]


def test_title_must_come_first_in_reading_order(tmp_path):
    prs = Presentation()
    slide = titled(prs, "Agenda")
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(1)).text = "Body"
    tree = slide.shapes._spTree
    title = slide.shapes.title._element
    tree.remove(title)
    tree.append(title)
    prs.save(tmp_path / "order.pptx")
    assert messages(tmp_path / "order.pptx") == ["slide 1: title is not first in reading order"]


@pytest.mark.skipif(
    importlib.util.find_spec("medbrief.writers.pptx") is None,
    reason="the deck writer is not there yet",
)
def test_built_decks_pass(tmp_path):
    """The real project's decks, built by the pipeline, pass every deck gate."""
    project = copy_project(tmp_path / "project")
    report = build(
        project.root,
        tmp_path / "out",
        Filters(documents=frozenset({"deck"}), topics=frozenset({"car-t-ms"})),
    )
    assert report.ok, [str(r.error) for r in report.failures]
    for result in report.results:
        assert messages(tmp_path / "out" / result.job.output) == [], result.job.output
