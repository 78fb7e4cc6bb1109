"""The command line: ``main([...])`` exit codes, filters, output folder and messages.

Builds pass ``--no-check`` so these tests are about building, not the content quality gates
(which have their own tests), and ``-q`` unless the printed summary is what is tested.
"""

from __future__ import annotations

import json

import pytest

from conftest import position
from medbrief.cli import main

ALL_MINI = sorted(
    [
        *(
            f"handouts/{t}-{v}-print-{p}.pdf"
            for t in ("alpha-topic", "beta-topic")
            for v in ("clear", "large")
            for p in ("a4", "letter")
        ),
        "clinician/alpha-topic-summary-a4.pdf",
        "clinician/beta-topic-summary-a4.pdf",
        "briefing/demo-briefing-a4.pdf",
    ]
)


def run(project, *args: str) -> int:
    return main(["--project", str(project.root), "--no-check", *args])


def built(outdir) -> list[str]:
    return sorted(str(p.relative_to(outdir)) for p in outdir.rglob("*.pdf"))


def manifest_paths(outdir) -> list[str]:
    return [row["path"] for row in json.loads((outdir / "manifest.json").read_text())["files"]]


def test_good_build_exits_0_and_prints_a_summary(mini_project, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(mini_project, "-o", str(out), "-d", "clinician-summary") == 0
    captured = capsys.readouterr()
    assert built(out) == [
        "clinician/alpha-topic-summary-a4.pdf",
        "clinician/beta-topic-summary-a4.pdf",
    ]
    for column in ("file", "pages", "size", "time", "warnings"):
        assert column in captured.out
    assert "clinician/alpha-topic-summary-a4.pdf" in captured.out
    assert "2 documents: 2 built, 0 up to date, in " in captured.err
    assert "error" not in captured.err


def test_whole_default_plan_builds(mini_project, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(mini_project, "-q", "-o", str(out)) == 0
    assert built(out) == ALL_MINI == manifest_paths(out)
    assert capsys.readouterr().out == ""  # -q prints no summary


def test_default_output_folder_is_in_the_project(mini_project, capsys):
    assert run(mini_project, "-q", "-d", "briefing") == 0
    assert built(mini_project.root / "output") == ["briefing/demo-briefing-a4.pdf"]


def test_invalid_content_exits_2_with_located_messages_and_no_traceback(
    mini_project, tmp_path, capsys
):
    alpha = mini_project.edit(
        "content/topics/alpha-topic.yaml", "short_title: Demo\n", "short_title: Demo\ncolour: red\n"
    )
    beta = mini_project.edit(
        "content/topics/beta-topic.yaml",
        "  - Is a trial right for me?",
        "  - [Is a trial, right for me?]",
    )
    out = tmp_path / "out"
    assert run(mini_project, "-o", str(out)) == 2
    err = capsys.readouterr().err
    red, question = position(alpha, "red"), position(beta, "[Is a trial")
    assert err == (
        f"error: content/topics/alpha-topic.yaml:{red[0]}:{red[1]}: colour: unknown field\n"
        "    hint: remove it, or check its spelling against the content model\n"
        f"error: content/topics/beta-topic.yaml:{question[0]}:{question[1]}: questions[0]: "
        "expected text, got a list\n"
        "    hint: write plain text here\n"
        "2 problems found; nothing was built.\n"
    )
    assert "Traceback" not in err
    assert not out.exists()


def test_messages_are_printed_verbatim_not_as_markup(mini_project, tmp_path, capsys):
    text = mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "questions:\n  - Is a trial right for me?",
        'questions: "[bold]Ask[/bold] me"',
    )
    line, col = position(text, '"[bold]')
    assert run(mini_project, "-o", str(tmp_path / "out")) == 2
    assert capsys.readouterr().err == (
        f"error: content/topics/alpha-topic.yaml:{line}:{col}: questions: expected a list, "
        "got '[bold]Ask[/bold] me'\n    hint: write a list here, one `- item` per line\n"
    )


def test_debug_shows_the_traceback(mini_project, tmp_path, capsys):
    mini_project.edit(
        "content/topics/alpha-topic.yaml", "short_title: Demo\n", "short_title: Demo\ncolour: red\n"
    )
    assert run(mini_project, "--debug", "-o", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "medbrief.errors.ContentError" in err
    assert "colour: unknown field" in err.split("ContentError")[-1]


def test_filters_build_only_matching_files(mini_project, tmp_path):
    out = tmp_path / "out"
    assert (
        run(mini_project, "-q", "-o", str(out), "-d", "handout", "-t", "alpha-topic", "-f", "pdf")
        == 0
    )
    expected = [
        "handouts/alpha-topic-clear-print-a4.pdf",
        "handouts/alpha-topic-clear-print-letter.pdf",
        "handouts/alpha-topic-large-print-a4.pdf",
        "handouts/alpha-topic-large-print-letter.pdf",
    ]
    assert built(out) == expected == manifest_paths(out)


def test_topic_filter_keeps_documents_covering_several_topics(mini_project, tmp_path):
    out = tmp_path / "out"
    assert (
        run(
            mini_project,
            "-q",
            "-o",
            str(out),
            "-t",
            "beta-topic",
            "-d",
            "briefing",
            "-d",
            "clinician-summary",
        )
        == 0
    )
    assert built(out) == ["briefing/demo-briefing-a4.pdf", "clinician/beta-topic-summary-a4.pdf"]


def test_later_filtered_build_keeps_earlier_manifest_entries(mini_project, tmp_path):
    out = tmp_path / "out"
    assert run(mini_project, "-q", "-o", str(out), "-d", "briefing") == 0
    assert (
        run(mini_project, "-q", "-o", str(out), "-d", "clinician-summary", "-t", "alpha-topic") == 0
    )
    assert manifest_paths(out) == [
        "briefing/demo-briefing-a4.pdf",
        "clinician/alpha-topic-summary-a4.pdf",
    ]


def test_output_dir_elsewhere_still_resolves_project_paths(mini_project, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    project = mini_project.root.relative_to(tmp_path)
    assert (
        main(
            [
                "--project",
                f"../{project}",
                "--no-check",
                "-q",
                "-o",
                "rel-out",
                "--html",
                "-d",
                "clinician-summary",
                "-t",
                "alpha-topic",
            ]
        )
        == 0
    )
    out = elsewhere / "rel-out"
    assert built(out) == ["clinician/alpha-topic-summary-a4.pdf"]
    html = (out / "clinician" / "alpha-topic-summary-a4.html").read_text()
    css = (mini_project.root / "templates" / "css" / "clinician.css").resolve().as_uri()
    assert f'href="{css}"' in html
    assert not (elsewhere / "templates").exists() and not (mini_project.root / "output").exists()


def test_nothing_matched_the_filters_exits_1(mini_project, tmp_path, capsys):
    assert run(mini_project, "-q", "-o", str(tmp_path / "out"), "-t", "no-such-topic") == 1
    assert "nothing matched the filters" in capsys.readouterr().err
    assert built(tmp_path / "out") == []


def test_a_failed_document_exits_1_and_names_it(mini_project, tmp_path, capsys):
    mini_project.edit(
        "templates/clinician-summary.html.j2", "<h2>Summary</h2>", "<h2>{{ nope }}</h2>"
    )
    assert (
        run(
            mini_project,
            "-q",
            "-o",
            str(tmp_path / "out"),
            "-d",
            "clinician-summary",
            "-d",
            "briefing",
        )
        == 1
    )
    err = capsys.readouterr().err
    line = position(mini_project.read("templates/clinician-summary.html.j2"), "{{ nope }}")[0]
    assert f"error: templates/clinician-summary.html.j2:{line}: 'nope' is undefined" in err
    assert "2 of 3 documents failed; their previous files were left unchanged" in err
    assert "Traceback" not in err
    assert built(tmp_path / "out") == ["briefing/demo-briefing-a4.pdf"]


@pytest.mark.parametrize("args", [["-f", "docx"], ["--no-such-option"], ["publish"]])
def test_bad_usage_exits_2(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert "usage: python build.py" in capsys.readouterr().err


EXIT_SCRIPT = """
import atexit, sys, threading, time
from medbrief.cli import exit_now
atexit.register(lambda: print("exit handler ran"))
sys.stdout.write("buffered, not yet flushed; ")
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread finished"))).start()
exit_now(3)
print("never")
"""


@pytest.mark.parametrize("case", ["alone", "thread"])
def test_exit_now_runs_exit_handlers_flushes_and_keeps_the_status(case):
    """The fast exit after a build skips only Python's teardown: exit handlers run, buffered
    output is written, the status is kept, and a running thread is still waited for."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, case], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("buffered, not yet flushed; ")
    assert "exit handler ran" in done.stdout and "never" not in done.stdout
    assert ("thread finished" in done.stdout) == (case == "thread")
