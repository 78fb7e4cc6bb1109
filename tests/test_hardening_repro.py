"""Reproducible output: same inputs and SOURCE_DATE_EPOCH give byte-identical files.

Two builds run as separate processes (so hash seeds, font caches and wall clocks differ)
in different time zones; without SOURCE_DATE_EPOCH the dates are the build's own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from hardening_support import REPO, Project, topic_data

EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.topics["beta"] = topic_data("beta")
    briefing = {
        "name": "briefing",
        "title": "Briefing",
        "template": "briefing.html.j2",
        "audience": "organisation",
        "format": "pdf",
        "per": "all",
        "papers": ["a4"],
        "output": "briefing/all-{paper}.pdf",
    }
    project.plan["documents"].append(briefing)
    return project.write()


def build_in_process(project: Project, outdir: Path, **env: str) -> dict[str, str]:
    """Run ``python build.py`` with ``env`` added; the sha256 of every file it wrote."""
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | env
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--project",
            str(project.root),
            "-o",
            str(outdir),
            "--no-check",
            "-q",
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return {
        str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_same_inputs_and_source_date_epoch_give_identical_files(project, tmp_path):
    started = time.time()
    first = build_in_process(
        project, tmp_path / "one", SOURCE_DATE_EPOCH=str(EPOCH), TZ="UTC", PYTHONHASHSEED="1"
    )
    if time.time() - started < 1.1:
        time.sleep(1.1)  # a different second on the wall clock
    second = build_in_process(
        project,
        tmp_path / "two",
        SOURCE_DATE_EPOCH=str(EPOCH),
        TZ="Asia/Tokyo",
        PYTHONHASHSEED="2",
        LC_ALL="C",
    )
    assert sorted(first) == [
        "briefing/all-a4.pdf",
        "handouts/alpha-a4.pdf",
        "handouts/beta-a4.pdf",
        "manifest.json",
    ]
    assert first == second


def _pdf_dates(pdf: Path) -> tuple[str, str, str]:
    with pikepdf.open(pdf) as doc:
        xmp = doc.Root.Metadata.read_bytes().decode()
        return str(doc.docinfo["/CreationDate"]), str(doc.docinfo["/ModDate"]), xmp


def test_pdf_dates_come_from_source_date_epoch(project, tmp_path):
    build_in_process(project, tmp_path / "out", SOURCE_DATE_EPOCH=str(EPOCH), TZ="Asia/Tokyo")
    created, modified, xmp = _pdf_dates(tmp_path / "out" / "handouts" / "alpha-a4.pdf")
    assert created == modified == "D:20260101000000+00'00"
    assert "2026-01-01T00:00:00+00:00" in xmp
    assert not re.search(r"uuid:|xmp\.did:", xmp)  # no random identifiers


def test_without_source_date_epoch_the_dates_are_the_builds(project, tmp_path):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    build_in_process(project, tmp_path / "out", TZ="America/New_York")
    after = dt.datetime.now(dt.UTC)
    created, _, _ = _pdf_dates(tmp_path / "out" / "handouts" / "alpha-a4.pdf")
    stamp = dt.datetime.strptime(created[2:16], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    assert before <= stamp <= after


def test_pdf_has_no_wall_clock_or_random_bytes(project, tmp_path, monkeypatch):
    """Two builds with the same epoch in one process: nothing but the inputs goes in."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = project.build(outdir=tmp_path / "one")
    time.sleep(1.1)
    second = project.build(outdir=tmp_path / "two")
    assert first.ok and second.ok
    for a, b in zip(first.results, second.results, strict=True):
        assert a.entry.sha256 == b.entry.sha256, a.job.output


def test_pptx_builds_are_reproducible(project, tmp_path):
    deck = {
        "name": "deck",
        "title": "Deck",
        "template": "deck.html.j2",
        "audience": "speaker",
        "format": "pptx",
        "per": "topic",
        "output": "decks/{topic}.pptx",
    }
    project.plan["documents"] = [deck]
    project.write()
    first = build_in_process(project, tmp_path / "one", SOURCE_DATE_EPOCH=str(EPOCH), TZ="UTC")
    time.sleep(1.1)
    second = build_in_process(
        project, tmp_path / "two", SOURCE_DATE_EPOCH=str(EPOCH), TZ="Asia/Tokyo"
    )
    assert "decks/alpha.pptx" in first
    assert first == second

    import zipfile

    with zipfile.ZipFile(tmp_path / "one" / "decks" / "alpha.pptx") as z:
        stamps = {info.date_time for info in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    assert len(stamps) == 1
    assert "2026-01-01T00:00:00Z" in core
