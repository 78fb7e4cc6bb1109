"""Governance gate: review dates, sources, labelled opinions, status, main message first."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import position
from medbrief.errors import Location
from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project
from medbrief.quality import check_content
from medbrief.quality.documents import Marks
from medbrief.quality.governance import (
    check_artefacts,
    check_call_to_action,
    check_handout,
    check_status,
)

TOPIC = "content/topics/alpha-topic.yaml"
WHERE = Location("output/handouts/x.pdf")


def governance(root, today=dt.date(2026, 6, 1)):
    return [f for f in check_content(load_project(root), today) if f.gate == "governance"]


def test_seeded_content_passes_governance(project_copy):
    errors = [f for f in governance(project_copy.root, dt.date.today()) if f.severity != "info"]
    assert errors == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 6, 1), None),
        (
            dt.date(2026, 11, 16),
            ("warning", "next review date 2027-01-15 is in 60 days (warning from 60 days before)"),
        ),
        (
            dt.date(2027, 1, 15),
            (
                "error",
                "next review date 2027-01-15 has passed (0 days ago); the content is out of date",
            ),
        ),
        (
            dt.date(2027, 2, 1),
            (
                "error",
                "next review date 2027-01-15 has passed (17 days ago); the content is out of date",
            ),
        ),
    ],
)
def test_next_review_date(mini_project, today, expected):
    mini_project.path("content/topics/beta-topic.yaml").unlink()
    text = mini_project.read(TOPIC)
    line, col = position(text, "2027-01-15")
    found = governance(mini_project.root, today)
    if expected is None:
        assert found == []
        return
    (f,) = found
    assert (f.severity, f.message) == expected
    assert str(f.location) == f"{TOPIC}:{line}:{col}" and f.field == "next_review"


def test_review_warning_days_come_from_the_plan(mini_project):
    mini_project.edit(
        "content/documents.yaml",
        "title: Demo plan\n",
        "title: Demo plan\nquality:\n  review_warning_days: 10\n",
    )
    assert governance(mini_project.root, dt.date(2026, 11, 16)) == []


def test_last_reviewed_in_the_future_is_a_warning(mini_project):
    (f, _) = governance(mini_project.root, dt.date(2026, 1, 1))
    assert f.message == "last reviewed date 2026-01-15 is in the future"


def test_opinion_outside_perspectives_is_a_warning(mini_project):
    text = mini_project.edit(
        TOPIC, "plain: A short summary.", "plain: In my view this is a tipping point."
    )
    line, col = position(text, "In my view")
    (f,) = [f for f in governance(mini_project.root) if "alpha" in f.location.path]
    assert str(f).splitlines()[0] == (
        f"{TOPIC}:{line}:{col}: summary.plain: “In my view” reads as an opinion outside "
        "`perspectives`"
    )
    assert f.severity == "warning"


def test_opinion_inside_perspectives_is_fine(mini_project):
    mini_project.edit(
        TOPIC,
        "comparison:",
        "perspectives:\n  - kind: opinion\n"
        "    whose: The editorial\n    plain: The editorial calls it a tipping "
        "point.\n    clinical: A tipping point, in the editorial's view.\n"
        "    sources: [demo-source]\ncomparison:",
    )
    assert governance(mini_project.root) == []


def test_status_text_must_say_the_status(mini_project):
    mini_project.edit(
        TOPIC, "plain: Only being tested in a clinical trial.", "plain: Ask your doctor."
    )
    (f,) = [f for f in governance(mini_project.root) if "alpha" in f.location.path]
    assert f.field == "status_text.plain" and f.severity == "warning"
    assert f.message.startswith("status is 'investigational' but the plain status text")


def test_source_files_are_looked_for_beside_the_project(tmp_path, mini_project):
    mini_project.edit(
        TOPIC, "    kind: unattributed\n", "    kind: unattributed\n    file: seeds/demo.txt\n"
    )
    (f,) = [f for f in governance(mini_project.root) if "alpha" in f.location.path]
    assert (f.severity, f.field) == ("info", "sources[0].file")
    assert f.message == "source file 'seeds/demo.txt' was not found, so it cannot be checked"
    shared = mini_project.root.parent / "shared" / "seeds"
    shared.mkdir(parents=True)
    (shared / "demo.txt").write_text("the source", "utf-8")
    assert governance(mini_project.root) == []


CALL = "Questions to ask your care team"


# --- on the text of built documents (the integration runs in test_quality_command) ---------


@pytest.fixture
def topic(mini_project):
    return load_project(mini_project.root).topics["alpha-topic"]


def test_handout_must_open_with_its_main_message(topic):
    page1 = "Demo topic. The main message. A short summary. How it works. It works like this."
    assert (
        check_handout(
            page1, page1 + " Questions to ask your care team", topic, WHERE, "x.pdf", CALL
        )
        == []
    )
    late = "Demo topic. How it works. It works like this. A short summary."
    (f,) = check_handout(
        late, late + " Questions to ask your care team", topic, WHERE, "x.pdf", CALL
    )
    assert f.message == (
        "does not open with its main message: the summary must be on page 1, "
        "before the first section"
    )


def test_handout_needs_a_call_to_action(topic):
    page1 = "A short summary. How it works."
    (f,) = check_handout(page1, page1, topic, WHERE, "x.pdf", CALL)
    assert str(f).splitlines()[0] == (
        "output/handouts/x.pdf: does not show a call to action "
        "(the “Questions to ask your care team” box)"
    )


def test_the_call_to_action_is_what_the_template_marks(mini_project):
    """An organisation renames the questions box in its template: no Python changes."""
    mini_project.edit(
        "templates/handout.html.j2",
        '<h2 data-check="call-to-action">Questions to ask your care team</h2>',
        '<h2 data-check="call-to-action">Before your next appointment</h2>',
    )
    project = load_project(mini_project.root)
    (job, *_) = plan_jobs(project, Filters(documents=frozenset({"handout"})))
    assert Marks(project).of(job) == {"call-to-action": "Before your next appointment"}
    text = "A short summary. Before your next appointment. Is a trial right for me?"
    assert check_call_to_action(text, "Before your next appointment", WHERE, "x.pdf") == []
    (f,) = check_call_to_action(text, None, WHERE, "x.pdf")
    assert "its template marks none" in f.message


def test_plan_rows_say_which_checks_apply(mini_project):
    mini_project.edit(
        "content/documents.yaml",
        "    max_pages: 1\n",
        "    max_pages: 1\n    checks: [status, print]\n",
    )
    specs = {s.name: s for s in load_project(mini_project.root).plan.documents}
    assert specs["clinician-summary"].applied_checks == ("status", "print")
    assert "call-to-action" in specs["handout"].applied_checks  # rows without `checks:`
    assert (
        specs["handout"].page_limit("large") is None and specs["handout"].page_limit("clear") == 2
    )


def test_outputs_print_the_status(topic):
    assert check_status("Only being tested in a\nclinical trial.", [topic], True, WHERE, "x") == []
    assert check_status("Status: Investigational", [topic], False, WHERE, "x") == []
    (f,) = check_status("Status: approved", [topic], False, WHERE, "x")
    assert f.message == "does not show the status of alpha-topic (“investigational”)"


def test_artefacts_are_listed_by_name(mini_project, topic):
    project = load_project(mini_project.root)
    found = {f.message for f in check_artefacts("nothing here", project, [topic], WHERE, "x")}
    assert "does not show the patient disclaimer" in found
    assert "does not show alpha-topic's next review date" in found
    assert "does not show alpha-topic's source “Demo source”" in found
