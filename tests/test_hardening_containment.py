"""An engine's exception is one document's failure, never the build's.

The roots are fixed (a long unbroken word in a deck, emphasis nested hundreds deep, code
spans a deck cannot draw), and the class is contained: whatever a writer raises while one
document is made becomes that document's error -- its name, the underlying message, a hint,
the traceback only under ``--debug`` -- and the other documents are still built.  The
manifest write is part of the same per-document unit.
"""

from __future__ import annotations

import errno
import json
import pickle
import re

import pytest

from hardening_support import Project, problems_of, topic_data
from medbrief import output, pipeline
from medbrief.cli import main
from medbrief.errors import ContentError, DocumentError, Location, OutputError, Problem
from medbrief.output import MANIFEST
from medbrief.safefile import UnsafeFile

DECK = {
    "name": "deck",
    "title": "Deck",
    "template": "deck.html.j2",
    "audience": "speaker",
    "format": "pptx",
    "per": "all",
    "output": "decks/all.pptx",
}


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.topics["beta"] = topic_data("beta")
    return project


def _load_problems(project: Project) -> list[str]:
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.write().root)
    return problems_of(e)


# --- roots ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "length"),
    [
        (("comparison", "main_risks"), 350),
        (("comparison", "mechanism"), 200),
        (("comparison", "stage"), 120),
    ],
)
def test_long_unbroken_word_in_a_comparison_cell_builds_the_deck(project, field, length):
    project.plan["documents"] = [DECK]
    section, key = field
    project.topic()[section][key] = "a" * length
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]


@pytest.mark.parametrize("length", [1_000, 3_999])
def test_a_word_too_long_for_any_slide_is_a_named_error_not_a_crash(project, length):
    project.plan["documents"] = [DECK]
    project.topic()["comparison"]["main_risks"] = "a" * length
    [result] = project.build().results
    assert not isinstance(result.error, DocumentError)
    # located at the slide's line in the deck template (issue 13)
    assert re.match(
        r'templates/deck\.html\.j2:\d+: slide 11 \("Side-by-side comparison"\): '
        r"a table row or diagram step is too tall",
        str(result.error),
    )


def test_word_breaking_never_leaves_the_word_whatever_the_width():
    from medbrief.deck.metrics import wrap

    word = "a" * 350
    for limit in (-5.0, 0.0, 0.1, 1.0, 7.3, 1000.0):
        lines = wrap(word, [0.5] * len(word), limit)
        assert lines[0][0] == 0 and lines[-1][1] == len(word)
        assert all(0 <= a < b <= len(word) for a, b in lines), (limit, lines[:3])
        assert all(lines[i][1] == lines[i + 1][0] for i in range(len(lines) - 1))


@pytest.mark.parametrize(
    "text",
    [
        "*" * 500 + "word" + "*" * 500,
        "_" * 300 + "word" + "_" * 300,
        "*a **b *c **d *e* f** g* h** i*",
        "****deep****",  # strong inside strong: 2 levels, allowed
    ],
)
def test_emphasis_nested_too_deep_is_refused_at_load_with_a_location(project, text):
    project.topic()["summary"]["plain"] = text
    if text == "****deep****":
        project.load()
        return
    [msg] = _load_problems(project)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert "summary.plain: emphasis nested" in msg and "at most 3 are allowed" in msg


@pytest.mark.parametrize(
    ("where", "text"),
    [
        (("summary", "plain"), "Take `prednisolone` daily."),
        (("summary", "clinical"), "``double`` ticks"),
        (("questions", 0), "What does `CAR-T` mean?"),
    ],
)
def test_code_spans_are_refused_at_load_with_a_location(project, where, text):
    target = project.topic()
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = text
    [msg] = _load_problems(project)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert "code span `" in msg and "hint: remove the backticks" in msg


def test_an_escaped_backtick_is_text(project):
    project.topic()["summary"]["plain"] = r"A literal \` backtick."
    assert project.load()


# --- containment ------------------------------------------------------------------------------


ENGINE_FAILURES = {
    "IndexError": IndexError("list index out of range"),
    "RecursionError": RecursionError("maximum recursion depth exceeded"),
    "MemoryError": MemoryError(),
    "ZeroDivisionError": ZeroDivisionError("division by zero"),
    "KeyError": KeyError("rId7"),
}


@pytest.mark.parametrize("name", ENGINE_FAILURES)
def test_an_engine_exception_fails_only_its_document(project, monkeypatch, name):
    from medbrief.writers import pdf

    real = pdf.PdfWriter.write

    def write(self, html, job_name):
        if job_name == "handouts/alpha-a4.pdf":
            raise ENGINE_FAILURES[name]
        return real(self, html, job_name)

    monkeypatch.setattr(pdf.PdfWriter, "write", write)
    report = project.build()
    alpha, beta = report.results
    assert beta.ok and (project.out / "handouts/beta-a4.pdf").is_file()
    assert isinstance(alpha.error, DocumentError)
    message = str(alpha.error)
    assert message.startswith(f"handouts/alpha-a4.pdf: {name} while making the PDF")
    assert "hint: medbrief did not expect this input; run with --debug" in message
    assert "Traceback" not in message
    assert "Traceback" in alpha.error.debug and "def write" not in message
    entries = json.loads((project.out / MANIFEST).read_text())["files"]
    assert [e["path"] for e in entries] == ["handouts/beta-a4.pdf"]


def _fail_alpha(monkeypatch):
    from medbrief.writers import pdf

    real = pdf.PdfWriter.write

    def write(self, html, job_name):
        if job_name == "handouts/alpha-a4.pdf":
            raise IndexError("list index out of range")
        return real(self, html, job_name)

    monkeypatch.setattr(pdf.PdfWriter, "write", write)


@pytest.mark.parametrize("debug", [False, True])
def test_traceback_is_printed_only_under_debug(project, monkeypatch, capsys, debug):
    _fail_alpha(monkeypatch)
    project.write()
    # --jobs 1: the patch lives in this process (containment, not the pool, is under test)
    args = [
        "--project",
        str(project.root),
        "-q",
        "--no-check",
        "-o",
        str(project.out),
        "--jobs",
        "1",
    ]
    assert main(args + (["--debug"] if debug else [])) == 1
    err = capsys.readouterr().err
    assert "handouts/alpha-a4.pdf: IndexError while making the PDF: list index out of range" in err
    assert ("Traceback (most recent call last)" in err) is debug


def test_results_and_errors_pickle_for_a_process_pool(project, monkeypatch):
    _fail_alpha(monkeypatch)
    report = project.build()
    for result in report.results:
        again = pickle.loads(pickle.dumps(result))
        assert again.job.output == result.job.output
        assert str(again.error) == str(result.error)
    errors = [
        ContentError([Problem(Location("content/x.yaml", 3, 4), "a.b", "bad", "fix it")]),
        UnsafeFile([Problem(Location("x"), "", "file is a FIFO", "h")], "special"),
        OutputError("cannot write x: the disk is full", hint="free space"),
        report.results[0].error,
    ]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert again.problems() == error.problems()
        assert str(again) == str(error)
    assert pickle.loads(pickle.dumps(errors[1])).reason == "special"


def test_a_full_disk_between_a_document_and_its_manifest_line_fails_that_document_only(
    project, monkeypatch
):
    real = output.write_manifest
    calls = []

    def write_manifest(outdir, new):
        calls.append([e.path for e in new])
        if len(calls) == 1:
            raise output._explain(OSError(errno.ENOSPC, "No space left"), outdir / MANIFEST)
        return real(outdir, new)

    monkeypatch.setattr(pipeline, "write_manifest", write_manifest)
    report = project.build()
    alpha, beta = report.results
    assert beta.ok
    assert str(alpha.error).startswith(
        "handouts/alpha-a4.pdf: written, but manifest.json was not updated: "
        f"{project.out}/manifest.json: cannot write: the disk is full"
    )
    assert (project.out / "handouts/alpha-a4.pdf").is_file()
    monkeypatch.undo()
    # the next build (even a filtered one) re-hashes what is there: the manifest matches
    from medbrief.jobs import Filters

    assert project.build(filters=Filters(topics=frozenset({"beta"}))).ok
    entries = json.loads((project.out / MANIFEST).read_text())["files"]
    assert [e["path"] for e in entries] == ["handouts/alpha-a4.pdf", "handouts/beta-a4.pdf"]
    alpha_entry = entries[0]
    assert alpha_entry["pages"] >= 1 and alpha_entry["topics"] == ["alpha"]
    assert alpha_entry["sha256"] == output.sha256((project.out / alpha_entry["path"]).read_bytes())


# --- the time limit holds even when an engine swallows the alarm ----------------------------


def _swallowing_writer(monkeypatch, swallow_all: bool, runs_for: float):
    from medbrief.writers import Rendered, pdf

    def write(self, html, job_name):
        import time

        deadline, swallowed = time.monotonic() + runs_for, 0
        while time.monotonic() < deadline:
            try:
                time.sleep(0.02)
            except Exception:  # noqa: BLE001 - an engine with a broad handler
                swallowed += 1
                if not swallow_all and swallowed > 1:
                    raise
        return Rendered(b"%PDF-1.7 finished late", 1)

    monkeypatch.setattr(pdf.PdfWriter, "write", write)


@pytest.mark.parametrize(
    ("swallow_all", "runs_for", "at_most"),
    [
        (False, 30.0, 8.0),  # swallows the first alarm: the repeated one stops it
        (True, 3.0, 10.0),  # swallows every alarm: finishes late, and is still refused
    ],
)
def test_time_limit_holds_when_an_engine_swallows_the_alarm(
    project, monkeypatch, swallow_all, runs_for, at_most
):
    import time

    _swallowing_writer(monkeypatch, swallow_all, runs_for)
    project.plan["quality"] = {"time_limit_seconds": "1"}
    started = time.perf_counter()
    report = project.build()
    assert time.perf_counter() - started < at_most
    for result in report.results:
        assert str(result.error).startswith(
            f"{result.job.output}: took longer than 1 s and was stopped"
        ) or str(result.error).startswith(
            f"medbrief: {result.job.output}: took longer than 1 s and was stopped"
        )
        assert not (project.out / result.job.output).exists()


@pytest.mark.parametrize("swallow_all", [False, True])
def test_time_limit_holds_in_a_worker_thread_as_dask_runs_tasks(project, monkeypatch, swallow_all):
    """No alarm signal outside the main thread: a watchdog raises in the rendering thread."""
    import threading

    from medbrief.jobs import plan_jobs
    from medbrief.pipeline import Builder, render_job

    _swallowing_writer(monkeypatch, swallow_all, 30.0 if not swallow_all else 3.0)
    project.plan["quality"] = {"time_limit_seconds": "1"}
    loaded = project.load()
    builder = Builder(loaded)
    job = next(j for j in plan_jobs(loaded) if j.format == "pdf")
    found = {}

    def task():
        found["rendition"] = render_job(builder, job)

    thread = threading.Thread(target=task)
    thread.start()
    thread.join(15)
    assert not thread.is_alive()
    assert str(found["rendition"].error).startswith(f"{job.output}: took longer than 1 s")
    assert not [t for t in threading.enumerate() if t.name == "medbrief-time-limit"]
