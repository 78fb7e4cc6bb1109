"""The plan and the manifest tell the truth; SOURCE_DATE_EPOCH is a date or a clear error.

- two plan rows that write one output path are refused, naming both rows' lines;
- after a killed (or interrupted) build, the manifest re-hashes what is there instead of
  dropping live files;
- ``SOURCE_DATE_EPOCH`` empty counts as unset, an integer in range is used, anything else is
  a clear error (exit 2) before anything is built -- fontTools reads it too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from hardening_support import REPO, Project, problems_of, topic_data
from medbrief.errors import ContentError, UsageError
from medbrief.jobs import Filters
from medbrief.output import MANIFEST, sha256
from medbrief.pipeline import MAX_EPOCH, build_date, source_date_epoch


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.topics["beta"] = topic_data("beta")
    return project


def _row(**fields):
    row = {
        "name": "handout",
        "title": "Handout",
        "template": "handout.html.j2",
        "audience": "patient",
        "format": "pdf",
        "papers": ["a4"],
        "output": "handouts/{topic}-{paper}.pdf",
    }
    row.update(fields)
    return row


def _plan_problems(project: Project) -> list[str]:
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.write().root)
    return problems_of(e)


def _row_line(project: Project, index: int) -> int:
    lines = (project.content / "documents.yaml").read_text().splitlines()
    rows = [i for i, line in enumerate(lines, 1) if line.lstrip().startswith("- name:")]
    output = next(
        i
        for i, line in enumerate(lines, 1)
        if i > rows[index] and line.lstrip().startswith("output:")
    )
    return output


@pytest.mark.parametrize(
    "second",
    [
        _row(),  # the same row twice
        _row(name="clinician-summary", audience="clinician"),  # another kind, same file names
        _row(per="all", topics=None, output="handouts/alpha-{paper}.pdf"),  # one file collides
        _row(papers=["letter", "a4"], output="handouts/{topic}-{paper}.pdf"),
    ],
)
def test_two_rows_writing_one_output_are_refused_with_both_locations(project, second):
    project.plan["documents"].append(second)
    [msg] = _plan_problems(project)
    first_line, second_line = _row_line(project, 0), _row_line(project, 1)
    assert msg.startswith(f"content/documents.yaml:{second_line}:"), msg
    assert f"which documents[0] (line {first_line}) also writes" in msg
    assert "documents[1].output: writes 'handouts/alpha-a4.pdf'" in msg


def test_rows_writing_different_files_are_accepted(project):
    project.plan["documents"].append(_row(papers=["letter"]))
    assert project.load()


# --- the manifest after a killed build -------------------------------------------------------


def test_a_replaced_file_with_a_stale_entry_is_re_hashed_not_dropped(project):
    assert project.build().ok
    manifest = project.out / MANIFEST
    entries = json.loads(manifest.read_text())["files"]
    # a killed build: alpha's file was replaced, the manifest still has the old hash
    project.topic()["title"] = "Topic alpha, revised"
    from medbrief.pipeline import build

    project.write()
    saved = manifest.read_bytes()
    assert build(project.root, project.out, Filters(topics=frozenset({"alpha"}))).ok
    manifest.write_bytes(saved)
    report = project.build(filters=Filters(topics=frozenset({"beta"})))
    assert report.ok
    after = json.loads(manifest.read_text())["files"]
    assert [e["path"] for e in after] == [e["path"] for e in entries]
    for entry in after:
        assert entry["sha256"] == sha256((project.out / entry["path"]).read_bytes())


def test_a_planned_file_missing_from_the_manifest_is_added_back(project):
    assert project.build().ok
    manifest = project.out / MANIFEST
    data = json.loads(manifest.read_text())
    data["files"] = [e for e in data["files"] if e["path"] != "handouts/alpha-a4.pdf"]
    manifest.write_text(json.dumps(data))
    assert project.build(filters=Filters(topics=frozenset({"beta"}))).ok
    paths = [e["path"] for e in json.loads(manifest.read_text())["files"]]
    assert paths == ["handouts/alpha-a4.pdf", "handouts/beta-a4.pdf"]


@pytest.mark.parametrize("damage", [b"", b"%PDF-1.7 not really", b"\x00" * 100])
def test_a_file_that_is_not_its_format_any_more_is_dropped(project, damage):
    assert project.build().ok
    (project.out / "handouts/alpha-a4.pdf").write_bytes(damage)
    assert project.build(filters=Filters(topics=frozenset({"beta"}))).ok
    paths = [e["path"] for e in json.loads((project.out / MANIFEST).read_text())["files"]]
    assert paths == ["handouts/beta-a4.pdf"]


# --- SOURCE_DATE_EPOCH ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("   ", None),
        ("0", 0),
        ("1700000000", 1_700_000_000),
        (" 1700000000\n", 1_700_000_000),
        (str(MAX_EPOCH), MAX_EPOCH),
    ],
)
def test_source_date_epoch_values_that_are_accepted(monkeypatch, value, expected):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert source_date_epoch() == expected
    assert os.environ.get("SOURCE_DATE_EPOCH") == (None if expected is None else str(expected))


@pytest.mark.parametrize(
    "value", ["abc", "-5", "1e9", "1.5", "17000000000000000000", str(MAX_EPOCH + 1), "١٢٣", "0x10"]
)
def test_source_date_epoch_values_that_are_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError) as e:
        build_date()
    assert e.value.message.startswith("SOURCE_DATE_EPOCH is ")
    assert "expected a whole number of seconds since 1970-01-01 UTC" in e.value.message


def test_empty_source_date_epoch_builds_like_an_unset_one(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    assert build_date().date() == dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
def test_bad_source_date_epoch_exits_2_with_the_message_and_builds_nothing(project, value):
    project.write()
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--project",
            str(project.root),
            "-q",
            "--no-check",
            "-o",
            str(project.out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": value},
    )
    assert run.returncode == 2, run.stderr
    assert "SOURCE_DATE_EPOCH is " in run.stderr and "Traceback" not in run.stderr
    assert not list(project.out.rglob("*.pdf")) if project.out.exists() else True
