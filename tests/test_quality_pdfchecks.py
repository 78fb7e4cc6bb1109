"""Print and accessibility gates, measured on real PDFs written by the PDF writer."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from conftest import REPO
from medbrief.errors import Location
from medbrief.output import ManifestEntry
from medbrief.quality.pdfchecks import check_accessibility, check_print
from medbrief.quality.pdfread import read_pdf

ORG = "Northbridge Neurology Network"
WHERE = Location("output/handouts/t.pdf")
PARAGRAPH = "<p>This is body text that a patient reads. It says what to do next.</p>"


@pytest.fixture(scope="module")
def writer():
    from medbrief.writers.pdf import PdfContext, PdfWriter

    return PdfWriter(PdfContext(REPO, [REPO / "templates", REPO / "content"]))


@pytest.fixture
def pdf(writer, tmp_path):
    def render(body: str, css: str = "", size: str = "A4", lang: str = "en-GB") -> Path:
        html = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>Test handout</title><style>@page {{ size: {size}; margin: 2cm; "
            "@bottom-center { content: 'Footer text'; font-size: 7pt } } "
            f"body {{ font-family: 'Atkinson Hyperlegible'; font-size: 12pt }} {css}"
            f"</style></head><body>{body}</body></html>"
        )
        path = tmp_path / f"t{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(writer.write(html, "t.pdf").data)
        return path

    return render


def entry(variant: str = "clear", pages: int = 1) -> ManifestEntry:
    return ManifestEntry(
        "handouts/t.pdf", "pdf", "handout", ["t"], "patient", "a4", variant, pages, ""
    )


def print_messages(path: Path, variant: str = "clear", max_pages: int | None = 2):
    facts = read_pdf(path)
    metrics, found = check_print(facts, entry(variant, facts.pages), max_pages, WHERE, ORG)
    return metrics, [f.message for f in found]


def test_body_text_is_the_most_common_size(pdf):
    path = pdf("<h1>A heading</h1>" + PARAGRAPH * 3)
    metrics, messages = print_messages(path)
    assert (metrics.body_size, metrics.smallest_size) == (12.0, 12.0)
    assert messages == []


def test_footer_text_is_not_body_text(pdf):
    metrics, _ = print_messages(pdf(PARAGRAPH))
    assert metrics.smallest_size == 12.0  # the 7 pt footer is left out


def test_large_print_needs_16_pt_body_text(pdf):
    _, messages = print_messages(pdf(PARAGRAPH * 3), "large")
    assert messages[0] == "body text is 12 pt; large print needs at least 16 pt"


def test_small_text_is_a_warning_naming_it(pdf):
    path = pdf(PARAGRAPH * 3 + '<p style="font-size: 9pt">Small print here.</p>')
    facts = read_pdf(path)
    _, found = check_print(facts, entry(), 2, WHERE, ORG)
    (f,) = found
    assert f.severity == "warning"
    assert str(f).splitlines()[0] == (
        "output/handouts/t.pdf: smallest text is 9 pt (page 1: “Small print here.”); clear "
        "print needs at least 12 pt for all text"
    )


def test_clear_print_over_two_pages_is_an_error(pdf):
    path = pdf(
        '<p style="break-after: page">One</p><p style="break-after: page">Two</p><p>Three</p>'
    )
    _, messages = print_messages(path, max_pages=None)
    assert messages == ["3 pages; clear-print handouts must fit on 2"]


def test_large_print_keeps_one_body_size(pdf):
    css = "body { font-size: 18pt } .second p { font-size: 16pt }"
    path = pdf(
        PARAGRAPH * 4 + '<div class="second" style="break-before: page">' + PARAGRAPH + "</div>",
        css,
    )
    _, messages = print_messages(path, "large")
    assert messages == [
        "body text size changes across pages (body 18 pt; page 2 16 pt); large print keeps one size"
    ]


def test_large_print_is_not_an_enlarged_page(pdf):
    _, messages = print_messages(pdf(PARAGRAPH, "body { font-size: 18pt }", size="A3"), "large")
    assert messages == [
        "page size is not A4 or Letter (page 1 842×1191 pt); large print is "
        "set in large type, not enlarged"
    ]


def test_tagged_pdf_passes_accessibility(pdf):
    path = pdf(
        '<h1>Title</h1><h2>Part</h2><img src="content/assets/logo.svg" alt="Logo">' + PARAGRAPH
    )
    assert check_accessibility(read_pdf(path), WHERE, entry()) == []


def test_skipped_heading_level_is_an_error(pdf):
    path = pdf("<h1>Title</h1><h3>Skipped a level</h3>" + PARAGRAPH)
    (f,) = check_accessibility(read_pdf(path), WHERE, entry())
    assert f.message == "heading levels skip from H1 to H3 (page 1: “Skipped a level”)"


def _strip_alt(element) -> None:
    if element.get("/S") == "/Figure" and "/Alt" in element:
        del element["/Alt"]
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            _strip_alt(kid)


def test_figure_without_alt_is_an_error(pdf):
    # WeasyPrint refuses to write an <img> without alt as PDF/UA, so remove it afterwards
    path = pdf('<h1>Title</h1><img src="content/assets/logo.svg" alt="Logo">' + PARAGRAPH)
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        _strip_alt(doc.Root.StructTreeRoot)
        doc.save(path)
    messages = [f.message for f in check_accessibility(read_pdf(path), WHERE, entry())]
    assert messages == ["has figures without alt text (pages 1)"]


def test_untagged_untitled_pdf_without_language(pdf, tmp_path):
    path = pdf("<h1>Title</h1>" + PARAGRAPH)
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        for key in ("/StructTreeRoot", "/MarkInfo", "/Lang", "/ViewerPreferences", "/Metadata"):
            del doc.Root[key]
        del doc.docinfo["/Title"]
        doc.save(path)
    messages = [f.message for f in check_accessibility(read_pdf(path), WHERE, entry())]
    assert messages == [
        "is not tagged (no StructTreeRoot or MarkInfo/Marked)",
        "has no document language (/Lang)",
        "has no title in its metadata",
        "does not show its title as the window title (ViewerPreferences/DisplayDocTitle)",
    ]


def test_fonts_must_be_embedded(pdf):
    path = pdf(PARAGRAPH)
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        for font in doc.pages[0].Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    del descriptor[key]
        doc.save(path)
    (f,) = check_accessibility(read_pdf(path), WHERE, entry())
    assert f.message.startswith("uses fonts that are not embedded: ")
    assert "Atkinson" in f.message
