"""Jargon gate: medical terms in plain text need a glossary entry."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import position
from medbrief.errors import ContentError
from medbrief.loader import load_project
from medbrief.quality import check_content
from medbrief.quality.jargon import load_terms

TOPIC = "content/topics/alpha-topic.yaml"


def jargon_findings(root):
    return [f for f in check_content(load_project(root), dt.date(2026, 6, 1)) if f.gate == "jargon"]


def test_seeded_content_explains_every_medical_term(project_copy):
    assert jargon_findings(project_copy.root) == []


def test_the_jargon_list_is_loaded_and_validated(project_copy):
    terms, problems = load_terms(load_project(project_copy.root))
    assert problems == []
    names = {t.name for t in terms}
    assert {
        "oligodendrocyte",
        "remyelination",
        "blood-brain barrier",
        "cytokine release syndrome",
        "neurotoxicity",
        "autologous",
        "vector",
        "CRISPR",
        "myelin",
    } <= names


def test_term_without_glossary_entry_is_an_error_naming_the_field(mini_project):
    text = mini_project.edit(
        TOPIC,
        "plain: [It works like this.]",
        "plain: [Your cells are changed with a viral vector.]",
    )
    line, col = position(text, "Your cells are changed")
    (err,) = jargon_findings(mini_project.root)
    assert str(err) == (
        f"{TOPIC}:{line}:{col}: sections[0].plain[0]: medical term “viral vector” has no "
        "glossary entry\n    hint: add “vector” to the glossary with a plain definition (or "
        "list this spelling under `also:`), or use an everyday word"
    )
    assert err.severity == "error"


def test_match_ignores_case_hyphens_and_plurals(mini_project):
    mini_project.edit(
        TOPIC,
        "plain: [It works like this.]",
        "plain: [It crosses the Blood Brain Barrier. Myelin sheaths help.]",
    )
    found = {f.message for f in jargon_findings(mini_project.root)}
    assert found == {
        "medical term “Blood Brain Barrier” has no glossary entry",
        "medical term “Myelin sheaths” has no glossary entry",
    }


def test_glossary_also_forms_cover_a_term(mini_project):
    mini_project.edit(
        TOPIC, "plain: [It works like this.]", "plain: [Your cells are changed with viral vectors.]"
    )
    mini_project.edit(
        TOPIC,
        "    also: [T cells]\n",
        "    also: [T cells]\n"
        "  - term: carrier\n    definition: A carrier for genes.\n"
        "    also: [viral vectors]\n",
    )
    assert jargon_findings(mini_project.root) == []


def test_words_inside_other_words_do_not_match(mini_project):
    mini_project.edit(
        TOPIC, "plain: [It works like this.]", "plain: [A vectorised plan and the myelinated look.]"
    )
    assert jargon_findings(mini_project.root) == []


def test_clinical_text_may_use_terms_freely(mini_project):
    mini_project.edit(
        TOPIC, "clinical: [Mechanism text.]", "clinical: [Autologous CAR-T cells; CRISPR editing.]"
    )
    assert jargon_findings(mini_project.root) == []


def test_invalid_jargon_list_is_a_located_content_error(mini_project):
    mini_project.write("content/jargon.yaml", "terms:\n  - term: myelin\n    tipo: x\n")
    with pytest.raises(ContentError) as caught:
        load_project(mini_project.root)
    (err,) = caught.value.problems()
    assert (err.location.path, err.location.line, err.field) == (
        "content/jargon.yaml",
        3,
        "terms[0].tipo",
    )
    assert err.message == "unknown field"


def test_missing_jargon_list_is_a_warning(mini_project):
    mini_project.path("content/jargon.yaml").unlink()
    (warning,) = jargon_findings(mini_project.root)
    assert warning.severity == "warning"
    assert str(warning.location) == "content/jargon.yaml"
