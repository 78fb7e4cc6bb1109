"""Readability gate: the arithmetic, the gating rule, located messages, and no network."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from conftest import position
from medbrief.loader import load_project
from medbrief.quality import check_content, run_content_checks, textstats
from medbrief.quality.readability import WHOLE_TOPIC, content_readings

TODAY = dt.date(2026, 6, 1)
HARD = (
    "Autologous chimeric antigen receptor lymphocytes demonstrate considerable "
    "immunological heterogeneity necessitating individualised pharmacovigilance."
)


def readability_errors(root):
    return [f for f in check_content(load_project(root), TODAY) if f.gate == "readability"]


def test_syllables_come_from_the_packaged_cmu_dictionary():
    assert [textstats.syllables(w) for w in ("therapy", "myelin", "cell", "body's")] == [3, 3, 1, 2]


def test_unknown_words_fall_back_to_pyphen_and_vowel_groups():
    assert textstats.syllables("oligodendrocyte") == 6
    assert textstats.syllables("blood-brain") == 2


def test_flesch_kincaid_and_smog_follow_the_standard_formulas():
    r = textstats.measure("The cat sat on the mat. Gene therapy is not approved.")
    # 11 words, 2 sentences, 6 + 8 syllables; one word of 3+ syllables (therapy)
    assert (r.words, len(r.sentences), r.syllables, r.polysyllables) == (11, 2, 14, 1)
    assert r.grade == pytest.approx(0.39 * 11 / 2 + 11.8 * 14 / 11 - 15.59)
    assert r.smog == pytest.approx(1.0430 * (1 * 30 / 2) ** 0.5 + 3.1291)


def test_abbreviations_do_not_end_a_sentence():
    assert textstats.sentences("Cells, e.g. T cells, are changed. Then they return.") == [
        "Cells, e.g. T cells, are changed.",
        "Then they return.",
    ]


def test_hardest_sentence_is_quoted_with_its_length_and_long_words():
    r = textstats.measure("It is small. " + HARD)
    (hardest,) = r.hardest(1)
    assert textstats.quote(hardest).startswith("“Autologous chimeric")
    assert (
        "(12 words; long words: autologous, chimeric, antigen, receptor, lymphocytes,"
        in textstats.quote(hardest)
    )


def test_seeded_content_is_readable(project_copy):
    assert readability_errors(project_copy.root) == []


def test_seeded_topics_are_measured_as_a_whole(project_copy):
    readings = content_readings(load_project(project_copy.root))
    whole = [r for r in readings if r.field == WHOLE_TOPIC]
    assert len(whole) >= 1
    assert all(r.gated and r.limit == 8 and r.result.grade <= 8 for r in whole)


def test_hard_plain_paragraph_is_an_error_naming_the_field(mini_project):
    text = mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "plain: [It works like this.]",
        f"plain: [{HARD} It is not simple.]",
    )
    line, col = position(text, HARD)
    (err,) = [e for e in readability_errors(mini_project.root) if e.field != WHOLE_TOPIC]
    grade = textstats.measure(HARD + " It is not simple.")
    assert str(err).splitlines()[0] == (
        f"content/topics/alpha-topic.yaml:{line}:{col}: sections[0].plain[0]: reading grade "
        f"{grade.grade:.1f} is above 8 for patient text (Flesch–Kincaid; SMOG "
        f"{grade.smog:.1f}; 16 words in 2 sentences)"
    )
    assert grade.grade > 14
    assert err.hint.startswith("hardest sentences: “Autologous chimeric antigen receptor")
    assert "long words: autologous, chimeric" in err.hint


def test_short_fields_are_not_gated_but_the_whole_topic_is(mini_project):
    # one hard 8-word question: too short to grade on its own...
    mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "- Is a trial right for me?",
        "- Is immunological pharmacovigilance individualised after autologous "
        "lymphocyte administration?",
    )
    assert not [e for e in readability_errors(mini_project.root) if e.field == "questions[0]"]
    # ...but many of them make the whole topic too hard, and that is gated.
    questions = "\n".join(
        f"  - Is immunological pharmacovigilance individualised after "
        f"autologous lymphocyte administration number {n}?"
        for n in range(8)
    )
    mini_project.edit("content/topics/beta-topic.yaml", "  - Is a trial right for me?", questions)
    (err,) = [
        e
        for e in readability_errors(mini_project.root)
        if e.location.path == "content/topics/beta-topic.yaml"
    ]
    assert (err.field, err.location.line) == (WHOLE_TOPIC, 1)


def test_clinical_text_is_measured_not_gated(mini_project):
    mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "clinical: [Mechanism text.]",
        f"clinical: [{HARD} {HARD}]",
    )
    assert readability_errors(mini_project.root) == []
    readings = content_readings(load_project(mini_project.root))
    clinical = next(r for r in readings if r.field == "sections[0].clinical[0]")
    assert clinical.audience == "clinician" and clinical.limit is None
    assert clinical.result.grade > 14


def test_grade_limit_comes_from_the_plan(mini_project):
    mini_project.edit(
        "content/documents.yaml",
        "title: Demo plan\n",
        "title: Demo plan\nquality:\n  max_grade:\n    patient: 1\n    clinician: 12\n",
    )
    mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "clinical: [Mechanism text.]",
        f"clinical: [{HARD} {HARD}]",
    )
    errors = readability_errors(mini_project.root)
    assert any("above 1 for patient text" in e.message for e in errors)
    assert any(
        e.field == "sections[0].clinical[0]" and "above 12 for clinician text" in e.message
        for e in errors
    )


def test_checks_run_without_network(project_copy, monkeypatch):
    """textstat would download NLTK's cmudict here; medbrief reads packaged data only."""

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for cached in (textstats._cmu, textstats._pyphen, textstats.syllables):
        cached.cache_clear()
    results = run_content_checks(load_project(project_copy.root), TODAY)
    assert len(results.readings) > 50
    assert all(r.result.syllables > 0 for r in results.readings)
    assert textstats.syllables("remyelination") >= 5
