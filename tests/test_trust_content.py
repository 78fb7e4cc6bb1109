"""Issue 9: none of the review's findings remains in any built output, speaker notes included.

The PDFs come from the shared session build; the decks and their slides-with-notes PDFs are
built once here.  Text is compared with whitespace folded, so a phrase split over lines or
slides' text frames still counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_project, page_texts, squash
from medbrief.jobs import Filters
from medbrief.pipeline import build

FINDINGS = {
    "the source's error (approval needs preclinical data)": r"extensive\s+preclinical"
    r"|preclinical\s+efficacy",
    "one treatment might be enough": r"might\s+be\s+enough",
    "reads as an offer (only available in)": r"only\s+available\s+in",
    "implies today's medicines only ease symptoms": r"\bnot\s+just\b",
    "“your” for a treatment the reader cannot have": r"your\s+T\s+cells|(from|into)\s+your"
    r"\s+blood|watch\s+you\s+closely",
    "the heading “Who it may help”": r"who\s+it\s+may\s+help|potential\s+candidates",
    "unnamed experts credited": r"experts\s+in\s+the\s+editorial",
    "an editors' note printed": r"check\s+its\s+facts",
    "a claim hard-coded in the deck template": r"neither\s+approach\s+has\s+reported",
    "a named trial participant": r"grace\s+miller",
}


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every deck and slides PDF of the real project: path -> all text, notes included."""
    from pptx import Presentation

    project = copy_project(tmp_path_factory.mktemp("trust-project"))
    out = tmp_path_factory.mktemp("trust-decks")
    report = build(project.root, out, Filters(documents=frozenset({"deck", "slides"})))
    assert report.ok and report.results
    texts = {}
    for result in report.results:
        path = out / result.job.output
        if path.suffix == ".pdf":
            texts[result.job.output] = " ".join(page_texts(path, layout=False))
            continue
        parts = []
        for slide in Presentation(str(path)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text)
                if shape.has_table:
                    parts += [c.text for row in shape.table.rows for c in row.cells]
            if slide.has_notes_slide:
                parts.append(slide.notes_slide.notes_text_frame.text)
        texts[result.job.output] = " ".join(parts)
    return texts


def pdf_texts(session_build) -> dict[str, str]:
    return {
        r.job.output: " ".join(page_texts(Path(session_build.outdir) / r.job.output, layout=False))
        for r in session_build.report.results
    }


def _found(texts: dict[str, str]) -> list[str]:
    return [
        f"{path}: {what}: “{m.group()}”"
        for path, text in sorted(texts.items())
        for what, pattern in FINDINGS.items()
        if (m := re.search(pattern, squash(text), re.IGNORECASE))
    ]


def test_no_finding_remains_in_any_pdf(session_build):
    assert _found(pdf_texts(session_build)) == []


def test_no_finding_remains_in_any_deck_or_its_notes(decks):
    assert _found(decks) == []


def test_the_corrected_wording_reaches_every_audience(session_build, decks):
    texts = {**pdf_texts(session_build), **decks}
    for path, text in texts.items():
        flat = squash(text)
        if "gene-therapy" in path or "ms-new-directions" in path:
            # approval needs studies in people (the source's "preclinical" error corrected)
            assert re.search(r"(trials|tested)\s+in\s+people", flat), path
        if "car-t" in path and "handouts/" in path:
            assert "restore lost function, or even preserve" in flat, path
            assert "all in the USA" in flat, path
            assert "Risks known from cancer care include" in flat, path
            assert (
                "What are the risks of taking part, and what would taking part involve?" in flat
            ), path
            assert "Researchers want to learn whether one treatment could last" in flat, path
        if "gene-therapy" in path and "handouts/" in path:
            assert "so the results may not apply to MS" in flat, path
            assert "Risks include off-target effects" in flat, path
            assert "Today's MS medicines slow the disease" in flat, path


def test_handouts_include_the_challenges(session_build):
    for path, text in pdf_texts(session_build).items():
        if path.startswith("handouts/"):
            assert "What still stands in the way" in squash(text), path


def test_briefing_has_about_the_evidence_with_plain_warnings(session_build):
    (text,) = [t for p, t in pdf_texts(session_build).items() if p.startswith("briefing/")]
    flat = squash(text)
    assert "About the evidence" in flat
    assert "Opinion piece (opinion): The Tipping Point Between Immunology and Identity" in flat
    assert "No named author (unattributed): What Is The Role Of Gene Therapy In MS?" in flat
    assert flat.count("Warning: this topic rests only on") == 2
    assert "this topic rests only on opinion pieces." in flat
    assert "this topic rests only on sources with no named author." in flat
