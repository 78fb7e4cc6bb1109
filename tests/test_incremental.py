"""Incremental builds: fingerprints in the manifest decide what is rebuilt.

Each test builds a small throwaway project, changes one thing a document depends on, builds
again and checks exactly which documents were rebuilt and that the others were not touched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import MINIMAL_PLAN, ProjectCopy
from medbrief import fingerprint as fp_module
from medbrief import fonts
from medbrief.jobs import plan_jobs
from medbrief.loader import load_project
from medbrief.output import MANIFEST
from medbrief.pipeline import build, outdated_jobs

PLAN = MINIMAL_PLAN.replace(
    "papers: [a4, letter]\n    variants: [clear, large]", "papers: [a4]\n    variants: [clear]"
)
HANDOUTS = {"handouts/alpha-topic-clear-print-a4.pdf", "handouts/beta-topic-clear-print-a4.pdf"}
SUMMARIES = {"clinician/alpha-topic-summary-a4.pdf", "clinician/beta-topic-summary-a4.pdf"}
BRIEFING = {"briefing/demo-briefing-a4.pdf"}
ALL = HANDOUTS | SUMMARIES | BRIEFING


@pytest.fixture
def small(mini_project: ProjectCopy) -> ProjectCopy:
    mini_project.write("content/documents.yaml", PLAN)
    return mini_project


def files_state(out: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every file: a rewritten file changes both."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".medbrief.lock"
    }


def rebuilt(project: ProjectCopy, out: Path, **kwargs) -> set[str]:
    """Build; return the documents that were rendered (all others must be up to date)."""
    report = build(project.root, out, **kwargs)
    assert report.ok, [str(r.error) for r in report.failures]
    assert {r.job.output for r in report.results} == ALL
    built = {r.job.output for r in report.built}
    assert built | {r.job.output for r in report.up_to_date} == ALL
    return built


def test_second_build_is_up_to_date_and_rewrites_nothing(small, tmp_path):
    out = tmp_path / "out"
    assert rebuilt(small, out) == ALL
    before = files_state(out)
    report = build(small.root, out)
    assert [r.status for r in report.results] == ["up to date"] * len(ALL)
    assert all(r.entry is not None and r.size > 0 for r in report.results)
    assert files_state(out) == before  # not one file rewritten, manifest included
    entries = json.loads((out / MANIFEST).read_text())["files"]
    assert all(len(e["fingerprint"]) == 64 for e in entries)


def test_force_and_a_fresh_folder_rebuild_everything(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    assert rebuilt(small, out, force=True) == ALL
    assert rebuilt(small, tmp_path / "fresh") == ALL


def test_each_dependency_rebuilds_exactly_the_documents_that_use_it(small, tmp_path):
    out = tmp_path / "out"
    assert rebuilt(small, out) == ALL

    small.edit("content/topics/alpha-topic.yaml", "A short summary.", "A shorter summary.")
    assert rebuilt(small, out) == {
        "handouts/alpha-topic-clear-print-a4.pdf",
        "clinician/alpha-topic-summary-a4.pdf",
        *BRIEFING,
    }

    small.write(
        "templates/css/handout.css",
        small.read("templates/css/handout.css") + "\n.unused-rule { color: black; }\n",
    )
    assert rebuilt(small, out) == HANDOUTS

    small.write(
        "templates/clinician-summary.html.j2",
        small.read("templates/clinician-summary.html.j2") + "{# edited #}\n",
    )
    assert rebuilt(small, out) == SUMMARIES

    small.write(
        "templates/partials/macros.html.j2",
        small.read("templates/partials/macros.html.j2") + "{# edited #}\n",
    )
    assert rebuilt(small, out) == ALL  # every template imports the macros

    small.write(
        "templates/css/base.css",
        small.read("templates/css/base.css") + "\n.unused-rule { color: black; }\n",
    )
    assert rebuilt(small, out) == ALL  # base.html.j2 links it, every template extends it

    logo = small.path("content/assets/logo.svg")
    logo.write_text(logo.read_text("utf-8").replace("</svg>", "<!-- edited --></svg>"), "utf-8")
    assert rebuilt(small, out) == ALL

    small.edit("content/documents.yaml", "max_pages: 1", "max_pages: 2")  # one plan row
    assert rebuilt(small, out) == SUMMARIES

    assert rebuilt(small, out) == set()


def test_unchanged_bytes_and_editor_leftovers_rebuild_nothing(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    topic = small.path("content/topics/alpha-topic.yaml")
    topic.write_bytes(topic.read_bytes())  # newer file time, same bytes
    os.utime(small.path("templates/css/base.css"))
    small.write("content/topics/.alpha-topic.yaml.swp", b"\0swap")
    small.write("content/theme.yaml~", "backup")
    small.write("templates/.#handout.html.j2", "lock")
    assert rebuilt(small, out) == set()


def test_a_changed_or_deleted_output_is_rebuilt(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    (out / "clinician/alpha-topic-summary-a4.pdf").write_bytes(b"%PDF-1.7 tampered")
    (out / "handouts/beta-topic-clear-print-a4.pdf").unlink()
    assert rebuilt(small, out) == {
        "clinician/alpha-topic-summary-a4.pdf",
        "handouts/beta-topic-clear-print-a4.pdf",
    }


def test_a_manifest_without_fingerprints_rebuilds(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    manifest = json.loads((out / MANIFEST).read_text())
    for entry in manifest["files"]:
        del entry["fingerprint"]  # written by an older medbrief
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert rebuilt(small, out) == ALL


def test_html_option_rebuilds_documents_whose_html_is_missing(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    assert rebuilt(small, out, write_html=True) == ALL
    assert all((out / p).with_suffix(".html").is_file() for p in ALL)
    assert rebuilt(small, out, write_html=True) == set()


def test_a_font_file_is_part_of_the_fingerprint(small, tmp_path, monkeypatch):
    """Packaged fonts live in site-packages: a copy stands in for an upgraded font package."""
    project = load_project(small.root)
    job = plan_jobs(project)[0]
    real = fonts.family_files("Atkinson Hyperlegible")
    copy = tmp_path / real[0].path.name
    copy.write_bytes(real[0].path.read_bytes())
    fake = (fonts.FontFile(real[0].family, copy, real[0].weight, real[0].style), *real[1:])
    original = fonts.family_files
    monkeypatch.setattr(
        fonts, "family_files", lambda family: fake if family == real[0].family else original(family)
    )
    before = fp_module.fingerprint(project, job)
    assert fp_module.fingerprint(project, job) == before
    copy.write_bytes(copy.read_bytes() + b"\0")
    assert fp_module.fingerprint(project, job) != before


def test_the_fingerprint_names_its_parts_and_the_template_closure(small):
    project = load_project(small.root)
    handout = next(j for j in plan_jobs(project) if j.document == "handout")
    parts = fp_module.fingerprint_parts(project, handout)
    assert set(parts) == {"topics", "plan", "content", "templates", "fonts", "software"}
    files = {
        p.relative_to(small.root).as_posix()
        for p in fp_module.template_files(project, handout.spec.template)
    }
    assert {
        "templates/handout.html.j2",
        "templates/base.html.j2",
        "templates/partials/macros.html.j2",
        "templates/css/base.css",
        "templates/css/handout.css",
    } <= files
    assert "templates/css/clinician.css" not in files


def test_source_date_epoch_is_part_of_the_fingerprint(small, monkeypatch):
    project = load_project(small.root)
    job = plan_jobs(project)[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = fp_module.fingerprint(project, job)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert fp_module.fingerprint(project, job) != first


def test_check_decides_staleness_by_fingerprint_not_file_times(small, tmp_path):
    out = tmp_path / "out"
    rebuilt(small, out)
    project = load_project(small.root)
    jobs = plan_jobs(project)
    os.utime(small.path("content/theme.yaml"))  # newer, unchanged
    assert outdated_jobs(project, out, jobs) == []
    small.write(
        "templates/css/clinician.css",
        small.read("templates/css/clinician.css") + "\n/* edited */\n",
    )
    project = load_project(small.root)
    assert {j.output for j in outdated_jobs(project, out, plan_jobs(project))} == SUMMARIES


def test_a_build_with_nothing_to_do_never_loads_the_pdf_engine(small, tmp_path):
    """The machine check (which imports WeasyPrint, half a second) runs only before rendering."""
    import subprocess
    import sys

    out = tmp_path / "out"
    cmd = [sys.executable, "-X", "importtime", "build.py", "--project", str(small.root)]
    cmd += ["-o", str(out), "-q", "--no-check"]

    def imported() -> set[str]:
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parents[1])
        assert run.returncode == 0, run.stderr[-2000:]
        return {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}

    assert "weasyprint" in imported()  # rendering PDFs loads it
    assert not {"weasyprint", "pdfplumber", "pikepdf"} & imported()  # nothing to do


def test_render_order_puts_the_costliest_documents_first_and_keeps_plan_order_otherwise(small):
    from medbrief.jobs import render_order

    jobs = plan_jobs(load_project(small.root))
    ordered = render_order(jobs)
    assert sorted(j.output for j in ordered) == sorted(j.output for j in jobs)
    assert ordered[0].output in BRIEFING  # the one document covering both topics
    rest = [j for j in ordered[1:]]
    assert rest == [j for j in jobs if j.output not in BRIEFING]  # stable: plan order


def test_the_manifest_is_written_in_batches_and_lists_every_document(small, tmp_path, monkeypatch):
    from medbrief import pipeline

    writes = []
    real = pipeline.write_manifest

    def counting(outdir, new):
        writes.append([e.path for e in new])
        return real(outdir, new)

    monkeypatch.setattr(pipeline, "write_manifest", counting)
    monkeypatch.setattr(pipeline, "MANIFEST_EVERY_SECONDS", 3600.0)
    out = tmp_path / "out"
    assert rebuilt(small, out) == ALL
    # the first document is listed at once, the rest together at the end (then the final check)
    assert [len(w) for w in writes if w] == [1, len(ALL) - 1]
    entries = json.loads((out / MANIFEST).read_text())["files"]
    assert {e["path"] for e in entries} == ALL
    monkeypatch.setattr(pipeline, "MANIFEST_EVERY_SECONDS", 0.0)
    writes.clear()
    assert rebuilt(small, out, force=True) == ALL
    assert [len(w) for w in writes if w] == [1] * len(ALL)  # every document at once
