"""Content versions compare number by number, so the briefing shows the latest one."""

from __future__ import annotations

import pytest

from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project
from medbrief.model import latest_version, version_key
from medbrief.pipeline import Builder


@pytest.mark.parametrize(
    ("older", "newer"), [("2.0", "10.0"), ("1.9", "1.10"), ("1", "1.0.1"), ("9.9.9", "10")]
)
def test_versions_compare_as_numbers(older, newer):
    assert version_key(older) < version_key(newer)
    assert latest_version([newer, older]) == latest_version([older, newer]) == newer


def test_trailing_zeros_do_not_count():
    assert version_key("1.2") == version_key("1.2.0")


def test_the_briefing_shows_the_latest_version(mini_project):
    mini_project.edit("content/topics/alpha-topic.yaml", 'version: "1.0"', 'version: "10.0"')
    mini_project.edit("content/topics/beta-topic.yaml", 'version: "1.0"', 'version: "2.0"')
    project = load_project(mini_project.root)
    (job,) = plan_jobs(project, Filters(documents=frozenset({"briefing"})))
    html = Builder(project).render_html(job)
    assert "<dd>10.0</dd>" in html and "Version 10.0" in html
    assert "<dd>2.0</dd>" not in html
