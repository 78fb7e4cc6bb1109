"""Decks and slides-with-notes PDFs built through the pipeline, from the real templates.

A throwaway copy of the project (templates/ and content/) is built with
:func:`medbrief.pipeline.build`, with the built-in master and with an organisation's own
master (made by a fixture, with differently named layouts).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE, PP_PLACEHOLDER

from conftest import copy_project, page_texts, squash
from deck_fixtures import ORG_LAYOUTS, inside, org_master, pdf_words, text_boxes, to_pdf, tokens
from medbrief.errors import ContentError
from medbrief.jobs import Filters
from medbrief.model import DRAFT_MARK
from medbrief.pipeline import build

PPTX = Filters(formats=frozenset({"pptx"}))
DECKS_AND_SLIDES = Filters(documents=frozenset({"deck", "slides"}))
ORGANISATION = "Northbridge Neurology Network"
COMBINED = "decks/ms-new-directions-talk.pptx"
MM = 72 / 25.4
FRAME = (15 * MM, 14 * MM, 195 * MM, (14 + 101.25) * MM)
"""The printed 16:9 slide frame on a slides-with-notes page (css/slides.css), in points."""


def title_of(s) -> str:
    return s.shapes.title.text_frame.text if s.shapes.title is not None else ""


def with_master(root: Path, layouts: dict[str, str]) -> Path:
    """Give the project's theme an organisation master, mapped by layout name."""
    master = org_master(root / "content")
    mapping = "".join(f"  {ours}: {name}\n" for ours, name in layouts.items())
    theme = root / "content" / "theme.yaml"
    theme.write_text(
        theme.read_text("utf-8").rstrip("\n")
        + f"\n\npptx_master: {master.name}\nlayouts:\n{mapping}",
        "utf-8",
    )
    return master


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The real project's decks and slides PDFs, built once with the built-in master."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    outdir = tmp_path_factory.mktemp("out")
    report = build(project.root, outdir, DECKS_AND_SLIDES)
    assert report.ok, [str(r.error) for r in report.failures]
    return report, outdir


def decks(outdir: Path) -> list[Path]:
    return sorted((outdir / "decks").glob("*.pptx"))


# -- the built-in master ---------------------------------------------------------------------


def test_every_slide_has_a_unique_title(built):
    _, outdir = built
    assert len(decks(outdir)) == 3
    for path in decks(outdir):
        titles = [title_of(s) for s in Presentation(path).slides]
        assert all(titles), path
        assert len({t.casefold() for t in titles}) == len(titles), (path, titles)


def test_notes_on_every_content_slide(built):
    _, outdir = built
    for path in decks(outdir):
        for n, s in enumerate(Presentation(path).slides, 1):
            if s.slide_layout.name == "Title Slide":
                continue
            assert s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip(), (path, n)


def test_the_process_diagram_is_native_shapes_and_connectors(built):
    _, outdir = built
    for path in decks(outdir):
        diagrams = []
        for s in Presentation(path).slides:
            steps = [
                sh
                for sh in s.shapes
                if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
                and sh.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
            ]
            arrows = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.LINE]
            if steps:
                diagrams.append((len(steps), len(arrows)))
                assert all(sh.text_frame.text.strip() for sh in steps)
                assert not [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert diagrams and all(arrows == steps - 1 for steps, arrows in diagrams), path


def test_the_combined_deck_has_a_comparison_table_with_a_header_row(built):
    _, outdir = built
    tables = [
        (s, sh.table)
        for s in Presentation(outdir / COMBINED).slides
        for sh in s.shapes
        if sh.has_table
    ]
    assert tables
    for s, table in tables:
        assert s.slide_layout.name == "Comparison" and table.first_row
        header = [c.text for c in table.rows[0].cells]
        assert header == ["Aspect", "CAR-T therapy", "Gene therapy"]
        assert all(
            r.font.bold
            for c in table.rows[0].cells
            for p in c.text_frame.paragraphs
            for r in p.runs
        )
    rows = [table.rows[r].cells[0].text for _, table in tables for r in range(1, len(table.rows))]
    assert rows == [
        "Mechanism",
        "Target cells",
        "Stage of research",
        "Results in MS",
        "Main risks",
        "Open challenges",
    ]


def test_table_text_keeps_the_20pt_body_floor(built):
    _, outdir = built
    for path in decks(outdir):
        for s in Presentation(path).slides:
            for sh in s.shapes:
                cells = [c for row in sh.table.rows for c in row.cells] if sh.has_table else []
                sizes = {
                    r.font.size.pt for c in cells for p in c.text_frame.paragraphs for r in p.runs
                }
                assert all(size >= 20 for size in sizes), (path, title_of(s), sizes)


def test_the_manifest_counts_the_slides_in_each_file(built):
    report, outdir = built
    manifest = {e["path"]: e for e in json.loads((outdir / "manifest.json").read_text())["files"]}
    for path in decks(outdir):
        entry = manifest[str(path.relative_to(outdir))]
        assert entry["format"] == "pptx" and entry["audience"] == "speaker"
        assert entry["pages"] == len(Presentation(path).slides)
    assert {r.job.output for r in report.results} == set(manifest)


def test_the_slides_pdf_has_the_decks_slides_in_order(built):
    report, outdir = built
    for path in decks(outdir):
        pdf = path.with_name(path.stem + "-slides-with-notes.pdf")
        titles = [title_of(s) for s in Presentation(path).slides]
        pages = [squash(p) for p in page_texts(pdf, layout=False)]
        assert len(pages) == len(titles), pdf
        for n, (title, page) in enumerate(zip(titles, pages, strict=True), 1):
            assert squash(title) in page, (pdf, n, title)
            assert f"Speaker notes · slide {n}" in page
        for n, (_, _, words) in enumerate(pdf_words(pdf), 1):  # nothing leaves the frame
            band = [w for w in words if w[4] <= FRAME[1]]  # a draft's band, in the margin
            assert " ".join(w[0] for w in band) in ("", DRAFT_MARK), (pdf, n)
            on_slide = [w for w in words if w[2] < FRAME[3] and w not in band]
            assert on_slide and all(inside(w, FRAME, 0.5) for w in on_slide), (pdf, n)
    continued = [
        t for s in Presentation(outdir / COMBINED).slides if "(continued" in (t := title_of(s))
    ]
    assert continued  # the comparison table takes two slides, in the PDF too


@pytest.mark.soffice
def test_libreoffice_draws_every_word_of_the_real_decks_inside_its_box(built, tmp_path):
    """The real decks through a real client: each word inside the slide and its own box."""
    _, outdir = built
    for path in decks(outdir):
        shown = Presentation(path)
        pages = pdf_words(to_pdf(path, tmp_path))
        assert len(pages) == len(shown.slides)
        for n, (s, (width, height, words)) in enumerate(zip(shown.slides, pages, strict=True), 1):
            boxes = text_boxes(s)
            for word in words:
                assert inside(word, (0, 0, width, height)), (path.name, n, word)
                assert any(inside(word, box) for _, box, _ in boxes), (path.name, n, word)
            for name, box, text in boxes:
                found = tokens(" ".join(w[0] for w in words if inside(w, box)))
                assert not tokens(text) - found, (path.name, n, name)


# -- an organisation's master ---------------------------------------------------------------


def test_decks_use_the_organisations_layouts_and_metadata(tmp_path):
    project = copy_project(tmp_path / "project")
    with_master(project.root, ORG_LAYOUTS)
    report = build(project.root, tmp_path / "out", PPTX)
    assert report.ok, [str(r.error) for r in report.failures]
    for path in decks(tmp_path / "out"):
        shown = Presentation(path)
        names = [s.slide_layout.name for s in shown.slides]
        assert set(names) <= set(ORG_LAYOUTS.values()), names
        assert names[:3] == ["Org Title", "Org Body", "Org Divider"]
        assert "Org confidential slide" not in [title_of(s) for s in shown.slides]
        for s in shown.slides:
            title = s.shapes.title
            assert title.placeholder_format.type in (
                PP_PLACEHOLDER.TITLE,
                PP_PLACEHOLDER.CENTER_TITLE,
            )
        core = shown.core_properties
        assert (core.author, core.last_modified_by) == (ORGANISATION, ORGANISATION)
        assert (core.comments, core.category, core.revision) == ("", "", 1)
        assert core.title == title_of(shown.slides[0])
        with zipfile.ZipFile(path) as z:
            everything = b"".join(z.read(n) for n in z.namelist())
        for leak in (b"Jane Org", b"internal only", b"Org confidential", b"Org template"):
            assert leak not in everything, (path, leak)
    combined = [s.slide_layout.name for s in Presentation(tmp_path / "out" / COMBINED).slides]
    assert "Org Compare" in combined


def test_a_missing_layout_is_refused_at_load_at_its_theme_line(tmp_path):
    project = copy_project(tmp_path / "project")
    master = with_master(project.root, {**ORG_LAYOUTS, "comparison": "Side by Side"})
    with pytest.raises(ContentError) as e:
        build(project.root, tmp_path / "out", DECKS_AND_SLIDES)
    [problem] = e.value.problems()
    theme = (project.root / "content" / "theme.yaml").read_text().splitlines()
    line = next(i for i, row in enumerate(theme, 1) if "Side by Side" in row)
    assert str(problem.location).startswith(f"content/theme.yaml:{line}:")
    assert problem.field == "layouts.comparison"
    assert problem.message == (
        f'layout "Side by Side" (for "comparison" slides) is not in {master.name}'
    )
    assert re.search(
        r"'Org Title', 'Org Body', 'Org Divider', 'Org Two Columns', "
        r"'Org Compare'",
        problem.hint,
    ), problem.hint
    assert "DeckStyle" not in problem.hint
    assert not (tmp_path / "out").exists()
