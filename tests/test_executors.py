"""Executors: a pool of worker processes gives what one process gives, and stops cleanly.

Byte-identical output with SOURCE_DATE_EPOCH, deterministic order, a failing, crashing or
overrunning document that does not stop the others, and a real Ctrl-C (SIGINT to the whole
process group, as a terminal sends it) that leaves no stray process and no partial file.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_PLAN, REPO, ProjectCopy
from medbrief import executors, pipeline
from medbrief.output import MANIFEST, TMP_PREFIX
from medbrief.pipeline import build

PLAN = MINIMAL_PLAN.replace(
    "papers: [a4, letter]\n    variants: [clear, large]", "papers: [a4]\n    variants: [clear]"
)
ALPHA_SUMMARY = "clinician/alpha-topic-summary-a4.pdf"


@pytest.fixture
def small(mini_project: ProjectCopy) -> ProjectCopy:
    mini_project.write("content/documents.yaml", PLAN)
    return mini_project


def contents(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".medbrief")
    }


def test_pool_writes_the_same_bytes_in_the_same_order_as_one_process(small, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    one = build(small.root, tmp_path / "one", jobs=1)
    two = build(small.root, tmp_path / "two", jobs=2)
    assert one.ok and two.ok
    assert [r.job.output for r in two.results] == [r.job.output for r in one.results]
    assert contents(tmp_path / "two") == contents(tmp_path / "one")  # manifest included
    assert len(contents(tmp_path / "one")) == 6


def failing_template(project: ProjectCopy) -> None:
    project.edit(
        "templates/clinician-summary.html.j2",
        "{% block stylesheets %}",
        '{% block stylesheets %}{% if topic.id == "alpha-topic" %}{{ no_such_value }}{% endif %}',
    )


def test_a_failing_document_in_a_worker_does_not_stop_the_others(small, tmp_path):
    failing_template(small)
    report = build(small.root, tmp_path / "out", jobs=2)
    failed = {r.job.output: r for r in report.failures}
    assert list(failed) == [ALPHA_SUMMARY]
    error = failed[ALPHA_SUMMARY].error  # crossed from the worker, still located
    assert "templates/clinician-summary.html.j2" in str(error) and "no_such_value" in str(error)
    assert len(report.built) == 4
    assert not (tmp_path / "out" / ALPHA_SUMMARY).exists()


def force_fork(monkeypatch) -> None:
    """Workers must be forked to inherit a test's patch: the pool chooses forkserver when
    other threads run (earlier tests, such as the Dask ones, leave some in this process), so
    the tests that patch ask for fork explicitly."""
    monkeypatch.setattr(
        executors.ProcessPool, "_context", lambda self: (multiprocessing.get_context("fork"), True)
    )


def sabotage(monkeypatch, action) -> None:
    """Make the worker rendering the alpha summary do ``action``."""
    force_fork(monkeypatch)
    real = pipeline.Builder.run

    def run(self, job):
        if job.output == ALPHA_SUMMARY:
            action()
        return real(self, job)

    monkeypatch.setattr(pipeline.Builder, "run", run)


def test_a_worker_that_dies_fails_only_its_document(small, tmp_path, monkeypatch):
    sabotage(monkeypatch, lambda: os._exit(3))
    report = build(small.root, tmp_path / "out", jobs=2)
    assert [r.job.output for r in report.failures] == [ALPHA_SUMMARY]
    assert "worker process rendering it stopped (status 3)" in str(report.failures[0].error)
    assert len(report.built) == 4


def test_the_time_limit_applies_inside_workers(small, tmp_path, monkeypatch):
    small.edit(
        "content/documents.yaml",
        "title: Demo plan\n",
        "title: Demo plan\nquality:\n  time_limit_seconds: 8\n",
    )
    from medbrief.writers.pdf import PdfWriter

    real = PdfWriter.write

    def slow(self, html, name):  # runs inside the pipeline's time limit
        if name == ALPHA_SUMMARY:
            time.sleep(60)
        return real(self, html, name)

    monkeypatch.setattr(PdfWriter, "write", slow)
    force_fork(monkeypatch)
    started = time.monotonic()
    report = build(small.root, tmp_path / "out", jobs=2)
    assert [r.job.output for r in report.failures] == [ALPHA_SUMMARY]
    assert "took longer than 8 s and was stopped" in str(report.failures[0].error)
    assert len(report.built) == 4
    assert time.monotonic() - started < 50


def test_a_worker_stuck_where_the_alarm_cannot_reach_is_stopped(small, tmp_path, monkeypatch):
    small.edit(
        "content/documents.yaml",
        "title: Demo plan\n",
        "title: Demo plan\nquality:\n  time_limit_seconds: 8\n",
    )
    monkeypatch.setattr(executors, "GRACE_SECONDS", 1.0)
    sabotage(
        monkeypatch,
        lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM}) or time.sleep(60),
    )
    pool = executors.ProcessPool(2, pipeline.Builder(pipeline.load_project(small.root)))
    report = build(small.root, tmp_path / "out", executor=pool)
    assert [r.job.output for r in report.failures] == [ALPHA_SUMMARY]
    assert "took longer than 8 s and was stopped" in str(report.failures[0].error)
    assert len(report.built) == 4
    assert not any(alive(pid) for pid in pool.pids)


MIXED_PLAN = (
    PLAN
    + """\
  - name: web
    title: Web page for patients
    template: web.html.j2
    audience: patient
    format: html
    per: topic
    output: web/{topic}.html
  - name: deck
    title: Talk deck
    template: deck.html.j2
    audience: speaker
    format: pptx
    per: topic
    output: decks/{topic}-talk.pptx
"""
)
LIGHT = {
    "web/alpha-topic.html",
    "web/beta-topic.html",
    "decks/alpha-topic-talk.pptx",
    "decks/beta-topic-talk.pptx",
}


def test_decks_and_web_pages_start_in_a_worker_forked_before_the_pdf_engine_loads(
    small, tmp_path, monkeypatch
):
    """The worker forked first renders exactly the documents that need no PDF engine, and
    exists before the engine is loaded; the PDF workers come after; the bytes are the same."""
    small.write("content/documents.yaml", MIXED_PLAN)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    force_fork(monkeypatch)
    one = build(small.root, tmp_path / "one", jobs=1)
    pool = executors.ProcessPool(2, pipeline.Builder(pipeline.load_project(small.root)))
    when_loading: list[list[int]] = []
    two = build(
        small.root,
        tmp_path / "two",
        executor=pool,
        before_render=lambda todo: when_loading.append(list(pool.pids)),
    )
    assert one.ok and two.ok
    assert contents(tmp_path / "two") == contents(tmp_path / "one")
    assert [r.job.output for r in two.results] == [r.job.output for r in one.results]
    assert len(when_loading) == 1 and len(when_loading[0]) == 1
    early = when_loading[0][0]
    assert {r.job.output for r in two.results if r.pid == early} == LIGHT
    assert len(pool.pids) == 3  # the early worker, then two forked with the engine loaded
    assert not any(alive(pid) for pid in pool.pids)


def test_a_refusing_gate_writes_nothing_and_stops_the_early_worker(small, tmp_path, monkeypatch):
    """The content checks run while the early worker renders decks; when they refuse the
    build, no file is written and no worker is left."""
    small.write("content/documents.yaml", MIXED_PLAN)
    force_fork(monkeypatch)
    pool = executors.ProcessPool(2, pipeline.Builder(pipeline.load_project(small.root)))
    during_gate: list[list[int]] = []
    engine_loaded = []

    def gate() -> bool:
        during_gate.append(list(pool.pids))
        time.sleep(1.0)  # the early worker has rendered something by now
        return False

    out = tmp_path / "out"
    report = build(small.root, out, executor=pool, gate=gate, before_render=engine_loaded.append)
    assert report.refused and not report.ok and report.results == []
    assert len(during_gate) == 1 and len(during_gate[0]) == 1  # the early worker was running
    assert engine_loaded == []  # the PDF engine is never loaded for a refused build
    assert not out.exists()  # not even the folder it would have made
    assert not any(alive(pid) for pid in pool.pids)


def test_an_early_worker_that_dies_fails_only_its_document(small, tmp_path, monkeypatch):
    """Its other documents go to the PDF workers, which render decks too."""
    small.write("content/documents.yaml", MIXED_PLAN)
    force_fork(monkeypatch)
    real = pipeline.Builder.run

    def run(self, job):
        if job.output == "decks/alpha-topic-talk.pptx":
            os._exit(3)
        return real(self, job)

    monkeypatch.setattr(pipeline.Builder, "run", run)
    report = build(small.root, tmp_path / "out", jobs=2)
    assert [r.job.output for r in report.failures] == ["decks/alpha-topic-talk.pptx"]
    assert "worker process rendering it stopped (status 3)" in str(report.failures[0].error)
    assert {r.job.output for r in report.built} >= LIGHT - {"decks/alpha-topic-talk.pptx"}
    assert len(report.built) == 8


def test_warming_leaves_a_broken_template_to_its_document(small, tmp_path):
    """What the building process makes before forking (Builder.warm) never fails the build:
    a template that does not compile fails its own documents, located, and only them."""
    small.edit("templates/clinician-summary.html.j2", "{% block stylesheets %}", "{% if %}")
    builder = pipeline.Builder(pipeline.load_project(small.root))
    jobs = pipeline.plan_jobs(builder.project)
    builder.warm(jobs)  # does not raise
    assert {"pdf"} <= set(builder._writers)
    report = build(small.root, tmp_path / "out", jobs=2)
    failed = {r.job.output for r in report.failures}
    assert failed == {ALPHA_SUMMARY, "clinician/beta-topic-summary-a4.pdf"}
    assert "templates/clinician-summary.html.j2" in str(report.failures[0].error)
    assert len(report.built) == 3


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split(") ")[1].startswith("Z"))


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        try:  # a process may end while we look
            tasks = list(Path(f"/proc/{todo.pop()}/task").glob("*"))
        except OSError:
            continue
        for task in tasks:
            try:
                kids = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            if kids:
                todo += list(kids - found)
                found |= kids
    return found


def test_ctrl_c_stops_the_pool_cleanly(project_copy: ProjectCopy, tmp_path):
    """SIGINT to the process group mid-build: exit 130, no process left, no partial file,
    and every file in the folder is whole and listed in the manifest."""
    out = tmp_path / "out"
    child = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--project",
            str(project_copy.root),
            "-o",
            str(out),
            "--no-check",
            "--jobs",
            "2",
            "-d",
            "handout",
            "-d",
            "briefing",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    seen: set[int] = set()
    deadline = time.monotonic() + 180
    while not list(out.rglob("*.pdf")):  # wait until it is writing documents
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the build never wrote a document"
        seen |= descendants(child.pid)
        time.sleep(0.05)
    seen |= descendants(child.pid)
    assert len(seen) >= 2, "the build did not start worker processes"
    os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    assert not [pid for pid in seen if alive(pid)], "worker processes were left running"
    assert not list(out.rglob(TMP_PREFIX + "*")), "a partial file was left"
    listed = json.loads((out / MANIFEST).read_text())["files"]
    for entry in listed:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    pdfs = {p.relative_to(out).as_posix() for p in out.rglob("*.pdf")}
    assert pdfs == {e["path"] for e in listed}
    assert len(pdfs) < 9, "the build finished before it was interrupted"
