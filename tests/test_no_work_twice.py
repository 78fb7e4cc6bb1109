"""No work done twice: stylesheets parsed once per process, the CMU dictionary looked up
without building a table, the slides CSS without `overflow-wrap: anywhere` outside tables.

The speed itself is measured by bench/bench.py; these tests hold the behaviour: the same
bytes with and without the stylesheet cache, and every document still failing on a
stylesheet WeasyPrint complains about, not only the first one that parsed it.
"""

from __future__ import annotations

import pytest

from conftest import MINIMAL_PLAN, ProjectCopy
from medbrief.jobs import Filters
from medbrief.pipeline import Builder, build
from medbrief.quality import textstats
from medbrief.writers import pdf

PLAN = MINIMAL_PLAN.replace(
    "papers: [a4, letter]\n    variants: [clear, large]",
    "papers: [a4, letter]\n    variants: [clear]",
)


@pytest.fixture
def small(mini_project: ProjectCopy) -> ProjectCopy:
    mini_project.write("content/documents.yaml", PLAN)
    return mini_project


def pdfs(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_stylesheets_parsed_once_give_the_same_bytes(small, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setattr(pdf, "CACHE_STYLESHEETS", False)
    assert build(small.root, tmp_path / "parsed-each-time").ok
    monkeypatch.setattr(pdf, "CACHE_STYLESHEETS", True)
    assert build(small.root, tmp_path / "parsed-once").ok
    assert pdfs(tmp_path / "parsed-once") == pdfs(tmp_path / "parsed-each-time")
    assert len(pdfs(tmp_path / "parsed-once")) == 7


def test_each_linked_stylesheet_is_parsed_once_per_process(small):
    from medbrief.jobs import plan_jobs
    from medbrief.loader import load_project

    project = load_project(small.root)
    builder = Builder(project)
    handouts = [j for j in plan_jobs(project) if j.document == "handout"]
    for job in handouts:
        builder.run(job)
    cache = builder.writer("pdf").stylesheets
    linked = [key for key in cache.sheets if key[0] != "string"]
    assert sorted(k[0].rsplit("/", 1)[1] for k in linked) == ["base.css", "handout.css"]
    assert len(handouts) == 4  # four documents, yet each file parsed once


def test_a_stylesheet_warning_fails_every_document_that_links_it(small, tmp_path):
    small.write(
        "templates/css/handout.css",
        small.read("templates/css/handout.css") + "\n.box { colr: red; }\n",
    )
    report = build(small.root, tmp_path / "out", Filters(documents=frozenset({"handout"})))
    assert len(report.failures) == 4  # not only the first, which parsed it
    for result in report.failures:
        assert "colr" in str(result.error)


def test_syllables_come_from_the_first_cmu_pronunciation():
    lines = textstats._cmu()
    assert lines == sorted(lines)
    assert textstats._cmu_syllables("sclerosis") == 3
    assert textstats._cmu_syllables("a") == 1  # "a" and "a(2)": the first wins
    assert textstats._cmu_syllables("notaword") is None
    assert textstats.syllables("therapy") == 3 and textstats.syllables("cells") == 1


def test_slides_css_breaks_words_anywhere_only_in_table_cells(project_copy):
    from medbrief.deck.slides_html import fitted_html
    from medbrief.jobs import plan_jobs
    from medbrief.loader import load_project
    from medbrief.writers.deckstyle import deck_style

    project = load_project(project_copy.root)
    builder = Builder(project)
    job = next(j for j in plan_jobs(project) if j.writer == "slides-pdf")
    html = fitted_html(builder.render_html(job), job.output, deck_style(project, builder.date))
    assert "overflow-wrap: break-word" in html
    assert html.count("overflow-wrap: anywhere") == 1
    assert "body > section th, body > section td { overflow-wrap: anywhere; }" in html
