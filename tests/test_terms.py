"""One rule decides "this text uses this term", for the handout's glossary and the jargon gate."""

from __future__ import annotations

import datetime as dt

import pytest

from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project
from medbrief.pipeline import Builder
from medbrief.quality import check_content
from medbrief.terms import uses_term

TOPIC = "content/topics/alpha-topic.yaml"


@pytest.mark.parametrize(
    "text",
    [
        "Your T cells are changed.",
        "A T-cell is changed.",
        "t‑cells (non-breaking hyphen)",
        "Some T  cells.",
    ],
)
def test_plural_hyphenated_and_spaced_forms_use_the_term(text):
    assert uses_term(text, ["T cell"])


@pytest.mark.parametrize("text", ["Tcells", "B cells", "ST cells", "a T cellular pathway"])
def test_other_words_do_not(text):
    assert not uses_term(text, ["T cell"])


def test_a_term_used_only_in_the_plural_or_hyphenated_is_defined_in_the_handout(mini_project):
    mini_project.edit(TOPIC, "    also: [T cells]\n", "")
    mini_project.edit(
        TOPIC,
        "plain: [It works like this.]",
        "plain: [Your T-cells are changed. Many T cells are made.]",
    )
    project = load_project(mini_project.root)
    # the jargon gate counts "T-cells" as covered by the glossary term "T cell" ...
    assert not [f for f in check_content(project, dt.date(2026, 6, 1)) if f.gate == "jargon"]
    # ... and the handout prints its definition
    job = plan_jobs(
        project, Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"}))
    )[0]
    html = Builder(project).render_html(job)
    glossary = html[html.index('<section class="glossary">') :]
    assert "<dt>T cell</dt><dd>A white blood cell.</dd>" in glossary
