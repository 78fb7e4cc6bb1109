"""Issue 9: the draft label on every slide (both back ends), and the checks on decks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import page_texts, squash
from medbrief.deck.label import LABEL_NAME
from medbrief.errors import Location
from medbrief.jobs import Filters
from medbrief.model import DRAFT_MARK
from medbrief.output import ManifestEntry
from medbrief.pipeline import build
from medbrief.quality.deckchecks import SlideFacts, check_deck
from medbrief.quality.governance import check_draft_marks

TOPIC = "content/topics/alpha-topic.yaml"
DECK_ROWS = """\
  - name: deck
    title: Talk deck
    template: deck.html.j2
    audience: speaker
    format: pptx
    output: decks/{topic}-talk.pptx
  - name: slides
    title: Talk slides with speaker notes
    template: deck.html.j2
    audience: speaker
    format: pdf
    writer: slides-pdf
    output: decks/{topic}-talk-slides-with-notes.pdf
"""
APPROVED = (
    'version: "1.0"\napproval:\n  status: approved\n  by: Dr A. Example\n'
    "  role: Consultant neurologist\n  date: 2026-01-10\n"
)


def _decks(project, tmp_path):
    project.write("content/documents.yaml", project.read("content/documents.yaml") + DECK_ROWS)
    out = tmp_path / "out"
    report = build(
        project.root,
        out,
        Filters(documents=frozenset({"deck", "slides"}), topics=frozenset({"alpha-topic"})),
    )
    assert report.ok, [str(r.error) for r in report.failures]
    return out


def _overlaps(a, b) -> bool:
    return not (
        a.left + a.width <= b.left
        or b.left + b.width <= a.left
        or a.top + a.height <= b.top
        or b.top + b.height <= a.top
    )


def test_every_slide_of_a_draft_deck_carries_a_deletable_label(mini_project, tmp_path):
    from pptx import Presentation

    out = _decks(mini_project, tmp_path)
    prs = Presentation(str(out / "decks/alpha-topic-talk.pptx"))
    assert len(prs.slides) >= 5
    for number, slide in enumerate(prs.slides, 1):
        (label,) = [s for s in slide.shapes if s.name == LABEL_NAME]
        assert label.text_frame.text == DRAFT_MARK
        assert not label.is_placeholder  # an ordinary shape of the slide
        assert all(s.name != LABEL_NAME for s in slide.slide_layout.shapes)
        assert all(s.name != LABEL_NAME for s in prs.slide_master.shapes)
        assert label.left >= 0 and label.top >= 0
        assert label.left + label.width <= prs.slide_width
        assert label.top + label.height <= prs.slide_height
        for other in slide.shapes:
            if other.shape_id != label.shape_id and other.width and other.height:
                assert not _overlaps(label, other), f"slide {number}: over {other.name}"
        assert slide.shapes[0].shape_id != label.shape_id  # the title stays first
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert {e["approval"] for e in manifest} == {"draft"}


def test_the_slides_pdf_shows_the_mark_on_every_page_and_slide(mini_project, tmp_path):
    out = _decks(mini_project, tmp_path)
    pages = page_texts(out / "decks/alpha-topic-talk-slides-with-notes.pdf", layout=False)
    for page in pages:
        assert squash(page).count(DRAFT_MARK) == 2  # the page's band and the slide's label


def test_an_approved_deck_has_no_label(mini_project, tmp_path):
    mini_project.edit(TOPIC, "    kind: unattributed\n", "    kind: peer-reviewed\n")
    mini_project.edit(TOPIC, 'version: "1.0"\n', APPROVED)
    from pptx import Presentation

    out = _decks(mini_project, tmp_path)
    prs = Presentation(str(out / "decks/alpha-topic-talk.pptx"))
    assert not [s for slide in prs.slides for s in slide.shapes if s.name == LABEL_NAME]
    text = squash(" ".join(page_texts(out / "decks/alpha-topic-talk-slides-with-notes.pdf")))
    assert "DRAFT" not in text
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert {e["approval"] for e in manifest} == {"approved"}


# --- the checks ------------------------------------------------------------------------------

WHERE = Location("output/decks/x.pptx")


def _entry(approval: str) -> ManifestEntry:
    return ManifestEntry(
        "decks/x.pptx",
        "pptx",
        "deck",
        ["alpha-topic"],
        "speaker",
        None,
        None,
        2,
        "0" * 64,
        None,
        approval,
    )


def test_a_draft_slide_without_its_label_is_an_error():
    slides = [
        SlideFacts(1, "Title", True, (), 0, "Title", True),
        SlideFacts(2, "Other", True, (), 0, "Other", False),
    ]
    found = check_deck(slides, WHERE, _entry("draft"))
    assert [(f.severity, f.message) for f in found] == [
        ("error", f"slide 2: no draft label (“{DRAFT_MARK}”), but the deck is a draft")
    ]
    assert check_deck(slides[1:], WHERE, _entry("approved")) == []


def test_every_page_of_a_draft_pdf_shows_the_mark():
    pages = [f"{DRAFT_MARK} page one", "page two"]
    (f,) = check_draft_marks(pages, "draft", WHERE, "x.pdf")
    assert f.message == (
        f"page 2 does not show the draft mark (“{DRAFT_MARK}”), but the document is a draft"
    )
    (f,) = check_draft_marks(pages, "approved", WHERE, "x.pdf")
    assert f.message == "page 1 shows the draft mark, but every topic of the document is approved"
    assert check_draft_marks(["a", "b"], "approved", WHERE, "x.pdf") == []


@pytest.mark.parametrize("document", ["deck", "slides"])
def test_decks_and_slides_are_checked_for_the_status(mini_project, tmp_path, document):
    from medbrief.jobs import plan_jobs
    from medbrief.loader import load_project
    from medbrief.output import read_manifest
    from medbrief.quality.documents import check_documents

    out = _decks(mini_project, tmp_path)
    project = load_project(mini_project.root)
    jobs = plan_jobs(
        project, Filters(documents=frozenset({document}), topics=frozenset({"alpha-topic"}))
    )
    entries = {e.path: e for e in read_manifest(out)}
    (result,) = check_documents(project, out, jobs, entries)
    assert not [f for f in result.findings if f.gate == "governance"]
    # the same file judged against a topic whose status it does not print
    other = project.topics["alpha-topic"].model_copy(update={"status": "experimental"})
    job = dataclasses.replace(jobs[0], topics=(other,))
    (result,) = check_documents(project, out, [job], entries)
    assert "does not show the status of alpha-topic (“experimental”)" in [
        f.message for f in result.findings
    ]
