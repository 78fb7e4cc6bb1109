"""`python build.py check` and the content gate of `python build.py`, on real builds."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from rich.console import Console

from conftest import FOUNDATION_DOCUMENTS, copy_project
from medbrief.check_command import check
from medbrief.cli import main
from medbrief.jobs import Filters
from medbrief.loader import load_project
from medbrief.quality import run_checks, run_content_checks
from medbrief.quality.report import QualityReport, render_html

TOPIC = "content/topics/alpha-topic.yaml"
ONE_SUMMARY = ["-d", "clinician-summary", "-t", "alpha-topic"]


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=200)


def fresh(project):
    """Review dates a year ahead of today, so only what a test changes is reported."""
    for topic in ("alpha", "beta"):
        project.edit(
            f"content/topics/{topic}-topic.yaml",
            "next_review: 2027-01-15",
            f"next_review: {dt.date.today() + dt.timedelta(days=400)}",
        )
    return project


def set_review(project, last: dt.date, following: dt.date) -> None:
    fresh(project)
    project.edit(TOPIC, "last_reviewed: 2026-01-15", f"last_reviewed: {last}")
    project.edit(
        TOPIC,
        f"next_review: {dt.date.today() + dt.timedelta(days=400)}",
        f"next_review: {following}",
    )


def long_section(project) -> None:
    paragraphs = "\n".join(
        f"      - Paragraph {n} says a little more about how this works, in plain words, so "
        "that the handout gets longer. Each one adds two more lines to the page, and then "
        "some more."
        for n in range(30)
    )
    project.edit(TOPIC, "    plain: [It works like this.]", "    plain:\n" + paragraphs)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A small project checked once (building its handouts and summaries first)."""
    project = fresh(
        copy_project(tmp_path_factory.mktemp("quality") / "project").use_minimal_content()
    )
    out = project.root / "out"
    args = [
        "check",
        "--project",
        str(project.root),
        "-o",
        str(out),
        "-t",
        "alpha-topic",
        "-d",
        "handout",
        "-d",
        "clinician-summary",
    ]
    return project, out, args


def test_check_builds_missing_outputs_then_checks_them(checked, capsys):
    project, out, args = checked
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "5 of 5 documents are missing" in err and "building them first" in err
    assert (out / "handouts/alpha-topic-clear-print-a4.pdf").is_file()
    report = json.loads((out / "quality-report.json").read_text("utf-8"))
    assert report["counts"]["error"] == 0
    docs = {d["path"]: d for d in report["documents"]}
    assert docs["handouts/alpha-topic-clear-print-a4.pdf"]["print"]["body_pt"] >= 12
    assert docs["handouts/alpha-topic-large-print-a4.pdf"]["print"]["body_pt"] >= 16
    assert docs["handouts/alpha-topic-clear-print-a4.pdf"]["readability"]["grade"] <= 8
    assert main(args) == 0  # second run: everything is built and up to date
    assert "building them first" not in capsys.readouterr().err


def test_check_prints_a_table_per_document(checked, capsys):
    project, out, args = checked
    main(args)
    printed = capsys.readouterr().out
    for column in ("document", "pages", "FK", "SMOG", "body", "min", "contrast", "access"):
        assert column in printed
    assert "handouts/alpha-topic-large-print-letter.pdf" in printed
    assert (out / "quality-report.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_check_exits_non_zero_on_errors(mini_project, capsys):
    set_review(mini_project, dt.date(2019, 1, 1), dt.date(2020, 1, 1))
    out = mini_project.root / "out"
    assert main(["check", "--project", str(mini_project.root), "-o", str(out), *ONE_SUMMARY]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "next review date 2020-01-01 has passed" in err
    assert "quality checks: 1 errors" in err
    assert not out.exists()  # the content gate failed: check builds and writes nothing


def test_build_refuses_on_content_errors_unless_no_check(mini_project, capsys):
    set_review(mini_project, dt.date(2019, 1, 1), dt.date(2020, 1, 1))
    out = mini_project.root / "out"
    base = ["--project", str(mini_project.root), "-o", str(out), "-q", *ONE_SUMMARY]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert f"error: {TOPIC}:9:14: next_review: next review date 2020-01-01 has passed" in err
    assert "nothing was built" in err
    assert not (out / "clinician/alpha-topic-summary-a4.pdf").exists()
    assert main([*base, "--no-check"]) == 0
    assert (out / "clinician/alpha-topic-summary-a4.pdf").is_file()


def test_strict_turns_content_warnings_into_errors(mini_project, capsys):
    today = dt.date.today()
    set_review(mini_project, today - dt.timedelta(days=300), today + dt.timedelta(days=30))
    base = ["--project", str(mini_project.root), "-o", str(mini_project.root / "out"), *ONE_SUMMARY]
    assert main([*base, "--strict"]) == 1
    err = capsys.readouterr().err
    assert "warning: " in err and "is in 30 days" in err and "nothing was built" in err
    assert main(base) == 0
    # the review date, and the theme's four sample contact details (.example, 0300 000 0000)
    assert "content checks: 0 errors, 5 warnings" in capsys.readouterr().err


def test_handout_forced_to_three_pages(mini_project):
    long_section(fresh(mini_project))
    mini_project.edit(
        "content/documents.yaml",
        "    max_pages: 2\n",
        "",
    )
    project = load_project(mini_project.root)
    filters = Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"}))
    report = check(project, mini_project.root / "out", filters, quiet_console())
    clear = next(d for d in report.documents if d.entry.path.endswith("clear-print-a4.pdf"))
    assert clear.entry.pages >= 3
    assert [f.message for f in clear.findings if f.gate == "print" and f.severity == "error"] == [
        f"{clear.entry.pages} pages; clear-print handouts must fit on 2"
    ]
    large = next(d for d in report.documents if d.entry.path.endswith("large-print-a4.pdf"))
    assert not [f for f in large.findings if "pages;" in f.message]


def test_a_document_that_fails_to_build_is_an_error(mini_project):
    long_section(fresh(mini_project))
    filters = Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"}))
    report = check(
        load_project(mini_project.root), mini_project.root / "out", filters, quiet_console()
    )
    built = [f for f in report.build_findings if f.document.endswith("clear-print-a4.pdf")]
    assert len(built) == 1
    assert re.fullmatch(
        r"could not be built: \d+ pages, but max_pages here is 2: about .* too "
        r"long \(content: content/topics/alpha-topic\.yaml\)",
        built[0].message,
    )


def test_html_report_escapes_content(mini_project, tmp_path):
    mini_project.edit(
        TOPIC,
        "plain: A short summary.",
        "plain: '<script>alert(1)</script> "
        "Autologous chimeric antigen receptor lymphocytes demonstrate considerable"
        " immunological heterogeneity necessitating individualised "
        "pharmacovigilance.'",
    )
    project = load_project(mini_project.root)
    content = run_content_checks(project, dt.date(2026, 6, 1))
    html = render_html(QualityReport(dt.date(2026, 6, 1), project.root, tmp_path, content, []))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_real_content_passes_every_gate(session_build):
    """The seeded content and templates, built once for the session, pass every gate."""
    report = run_checks(
        session_build.project, session_build.outdir, Filters(documents=FOUNDATION_DOCUMENTS)
    )
    errors = [str(f) for f in report.findings if f.severity == "error"]
    assert not errors, "\n".join(errors)
