"""Shared fixtures of the foundation suite.

- ``project_copy``: the real templates/ and content/ copied into a throwaway project whose
  files a test may edit as text; ``mini_project`` is the same with small topics and a plan we
  control, for exact line:col messages and fast builds.
- ``session_build``: the real project built ONCE per test session (PDF documents of the
  foundation plan) and shared by every test that inspects PDFs.
- ``tool(name)``: an external program, skipped when missing (failed with MEDBRIEF_REQUIRE_TOOLS=1).
- ``no_logs``: fails the test on any warning logged while it runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from medbrief.jobs import Filters
from medbrief.loader import Project, load_project
from medbrief.pipeline import BuildReport, build
from tools import tool

REPO = Path(__file__).resolve().parents[1]
FOUNDATION_DOCUMENTS = frozenset({"handout", "clinician-summary", "briefing"})
"""The PDF documents of issue 2; decks and slides have their own suite."""


# --- external tools -------------------------------------------------------------------------


def run_tool(name: str, *args: str) -> str:
    """Run a tool and return its stdout; a non-zero exit fails the test with its output."""
    run = subprocess.run([tool(name), *args], capture_output=True, text=True, check=False)
    assert run.returncode == 0, f"{name} {' '.join(args)} failed:\n{run.stdout}{run.stderr}"
    return run.stdout


def page_texts(pdf: Path, *, layout: bool = True) -> list[str]:
    """The text of each page, from pdftotext (form feed separates pages)."""
    args = ["-layout"] if layout else []
    pages = run_tool("pdftotext", *args, "-enc", "UTF-8", str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(text: str) -> str:
    """Whitespace folded to single spaces, so wrapped lines compare with source text."""
    return " ".join(text.split())


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- throwaway projects ---------------------------------------------------------------------

MINIMAL_TOPIC = """\
id: {id}
title: Demo topic {id}
short_title: Demo
status: investigational
status_text:
  plain: Only being tested in a clinical trial.
  clinical: Investigational.
last_reviewed: 2026-01-15
next_review: 2027-01-15
version: "1.0"
summary:
  plain: A short summary.
  clinical: A clinical summary.
  sources: [demo-source]
key_points:
  - plain: One point.
    clinical: One clinical point.
    sources: [demo-source]
sections:
  - id: how-it-works
    heading:
      plain: How it works
      clinical: Mechanism
    plain: [It works like this.]
    clinical: [Mechanism text.]
    sources: [demo-source]
  - id: risks
    heading:
      plain: Risks
      clinical: Risks
    plain: [Some risks.]
    clinical: [Adverse events.]
    sources: [demo-source]
  - id: challenges
    heading:
      plain: Challenges
      clinical: Challenges
    plain: [Some challenges.]
    clinical: [Open questions.]
    sources: [demo-source]
process:
  title:
    plain: Steps
    clinical: Workflow
  steps:
    - label: Collect
      plain: Cells are collected.
      clinical: Leukapheresis.
    - label: Return
      plain: Cells are given back.
      clinical: Infusion.
  sources: [demo-source]
glossary:
  - term: T cell
    definition: A white blood cell.
    also: [T cells]
questions:
  - Is a trial right for me?
comparison:
  mechanism: A mechanism.
  target_cells: B cells.
  stage: Early trials.
  results_in_ms: None reported.
  main_risks: Some risks.
  open_challenges: Some challenges.
  sources: [demo-source]
sources:
  - id: demo-source
    title: Demo source
    kind: unattributed
"""
"""A small valid topic (format with ``id=``); tests edit its text to break one thing."""

MINIMAL_PLAN = """\
title: Demo plan
documents:
  - name: handout
    title: Patient handout
    template: handout.html.j2
    audience: patient
    format: pdf
    papers: [a4, letter]
    variants: [clear, large]
    output: handouts/{topic}-{variant}-print-{paper}.pdf
    max_pages: 2
  - name: clinician-summary
    title: Clinician summary
    template: clinician-summary.html.j2
    audience: clinician
    format: pdf
    papers: [a4]
    output: clinician/{topic}-summary-{paper}.pdf
    max_pages: 1
  - name: briefing
    title: Organisation briefing
    template: briefing.html.j2
    audience: organisation
    format: pdf
    per: all
    papers: [a4]
    output: briefing/demo-briefing-{paper}.pdf
"""
"""The foundation documents, over whatever topics the project has."""

MINI_TOPICS = ("alpha-topic", "beta-topic")


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle`` in ``text``."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass
class ProjectCopy:
    """A throwaway copy of the project: templates/ and content/, editable as text."""

    root: Path

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text("utf-8")

    def write(self, relative: str, text: str | bytes) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, "utf-8")
        return target

    def edit(self, relative: str, old: str, new: str) -> str:
        """Replace the one occurrence of ``old``; fail loudly if the file does not have it."""
        text = self.read(relative)
        assert text.count(old) == 1, f"{relative}: expected {old!r} exactly once"
        text = text.replace(old, new)
        self.write(relative, text)
        return text

    def use_minimal_content(self, topics: tuple[str, ...] = MINI_TOPICS) -> ProjectCopy:
        """Replace the topics and the plan with the small ones above (theme stays real)."""
        shutil.rmtree(self.path("content/topics"))
        for topic_id in topics:
            self.write(f"content/topics/{topic_id}.yaml", MINIMAL_TOPIC.format(id=topic_id))
        self.write("content/documents.yaml", MINIMAL_PLAN)
        return self


def copy_project(target: Path) -> ProjectCopy:
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("templates", "content"):
        shutil.copytree(REPO / folder, target / folder)
    return ProjectCopy(target)


@pytest.fixture
def project_copy(tmp_path: Path) -> ProjectCopy:
    """The real templates/ and content/ in a throwaway project folder."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def mini_project(project_copy: ProjectCopy) -> ProjectCopy:
    """Real templates and theme, two small topics and the foundation plan."""
    return project_copy.use_minimal_content()


# --- the one real build ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionBuild:
    """The real project built once: the report, where it went, and the plan's page limits."""

    report: BuildReport
    outdir: Path
    project: Project
    max_pages: dict[str, int | None]
    """Page limit of each output path, as content/documents.yaml sets it."""
    logs: list[str]
    """Warnings anything logged while building."""

    def result(self, output: str):
        return next(r for r in self.report.results if r.job.output == output)

    def pdf(self, output: str) -> Path:
        """The built file; fails (naming the build error) if it was not built."""
        result = self.result(output)
        assert result.ok, f"{output} was not built: {result.error}"
        return self.outdir / output

    def outputs(self, document: str) -> list[str]:
        return [r.job.output for r in self.report.results if r.job.document == document]


def _without_page_limits(project: Project) -> Project:
    """The same project with max_pages lifted, so over-long documents can still be inspected.

    Page limits are then checked by the tests (test_pipeline) against the plan's values, and
    the pipeline's own enforcement of them is tested on a throwaway project.
    """
    specs = [s.model_copy(update={"max_pages": None}) for s in project.plan.documents]
    plan = project.plan.model_copy(update={"documents": specs})
    return dataclasses.replace(project, plan=plan)


@pytest.fixture(scope="session")
def session_build(tmp_path_factory: pytest.TempPathFactory) -> SessionBuild:
    """Build a snapshot of the real project once into a temporary output folder."""
    snapshot = copy_project(tmp_path_factory.mktemp("real-project"))
    project = load_project(snapshot.root)
    outdir = tmp_path_factory.mktemp("real-output")
    filters = Filters(documents=FOUNDATION_DOCUMENTS)
    with collect_logs() as logs:
        report = build(snapshot.root, outdir, filters, project=_without_page_limits(project))
    limits = {}
    for result in report.results:
        spec = next(
            s
            for s in project.plan.documents
            if s.name == result.job.document and s.output == result.job.spec.output
        )
        limits[result.job.output] = spec.max_pages
    return SessionBuild(report, outdir, project, limits, logs)


# --- logs -----------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{record.name}: {record.getMessage()}")


@contextlib.contextmanager
def collect_logs() -> Iterator[list[str]]:
    """Every warning logged (to the root logger) inside the block."""
    found: list[str] = []
    handler, root = _Collect(found), logging.getLogger()
    root.addHandler(handler)
    try:
        yield found
    finally:
        root.removeHandler(handler)


@pytest.fixture
def no_logs(caplog: pytest.LogCaptureFixture):
    """Fail the test if anything logs a warning or worse (WeasyPrint, fontTools, medbrief)."""
    caplog.set_level(logging.WARNING)
    yield caplog
    stray = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert not stray, "unexpected log messages:\n" + "\n".join(stray)


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# --- the fast inner loop: `python -m pytest -m "not slow"` ----------------------------------

SLOW_TESTS = (
    # measured with --durations on the 2-core machine: each takes 5 s or more
    "test_fresh_machine.py::test_readme_first_command_builds_everything",
    "test_fresh_machine.py::test_doctor_and_build_without_pango",
    "test_hardening_faults.py::",
    "test_hardening_repro.py::",
    "test_hardening_properties.py::",
    "test_hardening_text.py::test_longest_allowed_word_wraps_inside_the_page",
    "test_hardening_structure.py::test_ten_thousand_",
    "test_hardening_structure.py::test_pathological_markdown_loads_and_renders_quickly",
    "test_quality_command.py::test_handout_forced_to_three_pages",
    "test_quality_command.py::test_a_document_that_fails_to_build_is_an_error",
    "test_quality_command.py::test_check_builds_missing_outputs_then_checks_them",
    "test_cli.py::test_whole_default_plan_builds",
    "test_check_damaged.py::test_check_over_damaged_outputs",
    "test_writers_pptx.py::",
    "test_web.py::test_axe_finds_no_wcag_violation",
)
"""Tests marked ``slow`` here, in one place; so are those that build the real project
(``session_build``) and those that run LibreOffice (``soffice``).  CI runs them all."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        slow = (
            "session_build" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("soffice") is not None
            or any(name in item.nodeid for name in SLOW_TESTS)
        )
        if slow:
            item.add_marker(pytest.mark.slow)
