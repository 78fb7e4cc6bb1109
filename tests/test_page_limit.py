"""Issue 8: over the page limit, the error says where (the limit, the topic file), how much,
and which fields are longest, each at its line."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_PLAN, position
from medbrief import fonts
from medbrief.errors import RenderError
from medbrief.jobs import Filters
from medbrief.pagelimit import overflow
from medbrief.pipeline import build

OUTPUT = "handouts/alpha-topic-clear-print-a4.pdf"
LONG = " ".join(["Treatment takes many weeks and needs care."] * 12)


def test_overflow_in_words():
    assert overflow(3, 2, 0.4) == "about 40 % of a page"
    assert overflow(3, 2, 0.01) == "about 5 % of a page"
    assert overflow(3, 2, 0.98) == "about 1 page"
    assert overflow(4, 2, 0.5) == "about 1.5 pages"
    assert overflow(3, 2, None) == "1 page"


def test_the_page_limit_error_is_located(mini_project, tmp_path):
    plan = MINIMAL_PLAN.replace("    max_pages: 2\n", "    max_pages: 1\n", 1)
    mini_project.write("content/documents.yaml", plan)
    topic = mini_project.edit(
        "content/topics/alpha-topic.yaml", "plain: [Some risks.]", f'plain: ["{LONG}"]'
    )
    report = build(
        mini_project.root,
        tmp_path / "out",
        Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"})),
    )
    error = next(r.error for r in report.results if r.job.output == OUTPUT)
    assert isinstance(error, RenderError)
    line, col = position(plan, "max_pages: 1")
    assert str(error.location) == f"content/documents.yaml:{line}:{col + len('max_pages: ')}"
    assert error.message.startswith(f"{OUTPUT}: 2 pages, but max_pages here is 1: about ")
    assert "content: content/topics/alpha-topic.yaml" in error.message
    assert "% of a page too long" in error.message or "page too long" in error.message
    longest = error.hint.splitlines()[1].strip()
    line, col = position(topic, LONG)
    assert longest == (
        f"content/topics/alpha-topic.yaml:{line}:{col - 1}: "
        f"sections[1].plain[0] ({len(LONG.split())} words)"
    )
    assert not (tmp_path / "out" / OUTPUT).exists()


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    from medbrief.writers.pdf import PdfContext, PdfWriter

    folder = tmp_path_factory.mktemp("fill")
    return PdfWriter(PdfContext(folder, [folder, *fonts.font_dirs()]))


def page(paragraphs: int) -> str:
    return (
        '<!doctype html><html lang="en"><head><title>t</title><style>@page { size: A4; '
        'margin: 20mm } p { font: 12pt/18pt "Atkinson Hyperlegible"; margin: 0 }</style>'
        "</head><body>" + "<p>A line of text.</p>" * paragraphs + "</body></html>"
    )


def test_the_last_page_fill_is_measured(writer):
    # A4 is 297 mm; 20 mm margins leave 257 mm = 728.5 pt, i.e. 40 lines of 18 pt per page.
    assert writer.write(page(10), "t.pdf").last_page_fill == pytest.approx(10 / 40.47, abs=0.02)
    half = writer.write(page(40 + 20), "t.pdf")
    assert half.pages == 2 and half.last_page_fill == pytest.approx(20 / 40.47, abs=0.03)
