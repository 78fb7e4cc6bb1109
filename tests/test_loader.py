"""Loading a project: the real content validates; broken files give exact, located messages."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import MINI_TOPICS, MINIMAL_TOPIC, position
from medbrief.errors import ContentError
from medbrief.loader import load_project

TOPIC = "content/topics/alpha-topic.yaml"


def messages(root) -> list[str]:
    """Every problem a load of ``root`` reports, as printed; fails if it loads."""
    with pytest.raises(ContentError) as info:
        load_project(root)
    return [str(p) for p in info.value.problems()]


def break_topic(project, old: str, new: str, topic: str = TOPIC) -> str:
    return project.edit(topic, old, new)


def test_real_content_loads(project_copy):
    project = load_project(project_copy.root)
    assert set(project.topics) == {"car-t-ms", "gene-therapy-ms"}
    for topic_id, topic in project.topics.items():
        assert project.files[topic_id].name == f"{topic_id}.yaml"
        assert topic.last_reviewed < topic.next_review
        assert topic.status in ("investigational", "experimental")  # neither is approved
    assert project.theme.organisation.name
    assert {d.name for d in project.plan.documents} >= {"handout", "clinician-summary", "briefing"}


def test_minimal_project_loads_and_keeps_strings(mini_project):
    project = load_project(mini_project.root)
    assert sorted(project.topics) == list(MINI_TOPICS)
    topic = project.topics["alpha-topic"]
    assert topic.version == "1.0"
    assert topic.last_reviewed == dt.date(2026, 1, 15)
    # a block mapping is located at its first key
    heading = position(MINIMAL_TOPIC, "      plain: Challenges")[0]
    assert str(project.locate("alpha-topic", ("sections", 2, "heading"))) == f"{TOPIC}:{heading}:7"


def test_unknown_key(mini_project):
    text = break_topic(mini_project, "short_title: Demo\n", "short_title: Demo\ncolour: red\n")
    line, col = position(text, "red")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: colour: unknown field\n"
        "    hint: remove it, or check its spelling against the content model"
    ]


def test_wrong_type_list_for_heading(mini_project):
    text = break_topic(
        mini_project,
        "    heading:\n      plain: Challenges\n      clinical: Challenges\n",
        "    heading: [Challenges, Open questions]\n",
    )
    line, col = position(text, "[Challenges, Open questions]")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: sections[2].heading: expected a mapping, got a list\n"
        "    hint: write a mapping here (`name: value` lines)"
    ]


def test_wrong_type_list_for_text(mini_project):
    text = break_topic(
        mini_project,
        "  - Is a trial right for me?\n",
        "  - Is a trial right for me?\n  - [one, two]\n",
    )
    line, col = position(text, "[one, two]")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: questions[1]: expected text, got a list\n"
        "    hint: write plain text here"
    ]


def test_missing_required_field(mini_project):
    break_topic(mini_project, "title: Demo topic alpha-topic\n", "")
    assert messages(mini_project.root) == [
        f"{TOPIC}:1:1: title: required field is missing\n    hint: add this field"
    ]


def test_missing_nested_field_is_located_at_its_parent(mini_project):
    text = break_topic(mini_project, "  plain: A short summary.\n", "")
    line, col = position(text, "clinical: A clinical summary.")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: summary.plain: required field is missing\n    hint: add this field"
    ]


@pytest.mark.parametrize(
    "bad, detail",
    [
        ("2026-13-45", "month value is outside expected range of 1-12"),
        ("15/01/2026", "invalid character in year"),
    ],
)
def test_bad_date(mini_project, bad, detail):
    text = break_topic(mini_project, "last_reviewed: 2026-01-15", f"last_reviewed: {bad}")
    line, col = position(text, bad)
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: last_reviewed: Input should be a valid date or datetime, "
        f"{detail}\n    hint: write dates as YYYY-MM-DD, e.g. 2026-11-20"
    ]


def test_next_review_must_follow_last_review(mini_project):
    text = break_topic(mini_project, "next_review: 2027-01-15", "next_review: 2025-01-15")
    line, col = position(text, "2025-01-15")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: next_review: next_review must be after last_reviewed\n"
        "    hint: set next_review to a later date than last_reviewed"
    ]


def test_unknown_source_id(mini_project):
    text = break_topic(
        mini_project,
        "    sources: [demo-source]\nsections:",
        "    sources: [demo-source, nope]\nsections:",
    )
    line, col = position(text, "nope]")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: key_points[0].sources[1]: unknown source id 'nope'\n"
        "    hint: known source ids: demo-source"
    ]


def test_bad_status_value(mini_project):
    text = break_topic(mini_project, "status: investigational", "status: cured")
    line, col = position(text, "cured")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: status: Input should be 'approved', 'investigational' or "
        "'experimental'\n    hint: use one of the allowed values"
    ]


def test_id_must_match_file_name(mini_project):
    text = break_topic(mini_project, "id: alpha-topic\n", "id: gamma-topic\n")
    line, col = position(text, "gamma-topic")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: id: id 'gamma-topic' does not match the file name "
        "'alpha-topic.yaml'\n    hint: rename the file to gamma-topic.yaml or change the id"
    ]


def test_unknown_topic_in_plan(mini_project):
    text = mini_project.edit(
        "content/documents.yaml",
        "    per: all\n",
        "    per: all\n    topics: [alpha-topic, nope-topic]\n",
    )
    line, col = position(text, "nope-topic")
    assert messages(mini_project.root) == [
        f"content/documents.yaml:{line}:{col}: documents[2].topics[1]: unknown topic "
        "'nope-topic'\n    hint: known topics: alpha-topic, beta-topic"
    ]


def test_all_errors_of_a_run_are_reported_together(mini_project):
    alpha = break_topic(mini_project, "short_title: Demo\n", "short_title: Demo\ncolour: red\n")
    beta = mini_project.edit(
        "content/topics/beta-topic.yaml", 'version: "1.0"\n', 'version: "1.0"\nversion: "2.0"\n'
    )
    theme = mini_project.edit("content/theme.yaml", "\ndisclaimers:", "\ndisclaimer:")
    red, version = position(alpha, "red"), position(beta, 'version: "2.0"')
    first_key, disclaimer = position(theme, "\norganisation:"), position(theme, "\ndisclaimer:")
    found = messages(mini_project.root)
    assert [m.splitlines()[0] for m in found] == [
        f"{TOPIC}:{red[0]}:{red[1]}: colour: unknown field",
        f"content/topics/beta-topic.yaml:{version[0]}:1: duplicate key 'version' "
        "(first defined on line 10)",
        f"content/theme.yaml:{first_key[0] + 1}:1: disclaimers: required field is missing",
        f"content/theme.yaml:{disclaimer[0] + 2}:3: disclaimer: unknown field",
    ]


def test_yaml_problems_carry_the_project_relative_path(mini_project):
    mini_project.write("content/topics/beta-topic.yaml", b"id: beta\n\ttitle: x\n")
    assert messages(mini_project.root) == [
        "content/topics/beta-topic.yaml:2:1: YAML syntax error: found a tab character that "
        "violates indentation\n    hint: indent with spaces, not tabs"
    ]


def test_no_topics(mini_project):
    for topic_id in MINI_TOPICS:
        mini_project.path(f"content/topics/{topic_id}.yaml").unlink()
    assert messages(mini_project.root) == [
        "content/topics: no topic files found\n    hint: add content/topics/<topic-id>.yaml"
    ]
