"""A build with nothing to do says so without loading the project (medbrief.buildstate).

The shortcut is only ever right when nothing changed: every test changes one thing a build
depends on and checks that the next build takes the normal way (where fingerprints decide)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_PLAN, ProjectCopy
from medbrief import buildstate, cli, commands

ROOT = Path(__file__).resolve().parents[1]
PLAN = MINIMAL_PLAN.replace(
    "papers: [a4, letter]\n    variants: [clear, large]", "papers: [a4]\n    variants: [clear]"
)


def age(folder: Path, seconds: float = 60) -> None:
    """Make every file look edited ``seconds`` ago (a fresh file is "racily clean")."""
    then = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (then, then))


@pytest.fixture
def small(mini_project: ProjectCopy) -> ProjectCopy:
    mini_project.write("content/documents.yaml", PLAN)
    age(mini_project.root)
    return mini_project


class Builds:
    """Runs ``build`` in this process and tells whether it took the normal way."""

    def __init__(self, project: ProjectCopy, out: Path, monkeypatch):
        self.project, self.out, self.normal = project, out, 0
        real = commands.COMMANDS["build"]

        def counting(args, console):
            self.normal += 1
            return real(args, console)

        monkeypatch.setitem(commands.COMMANDS, "build", counting)

    def __call__(self, *options: str) -> bool:
        """Build; True when it had nothing to do and said so without loading the project."""
        before = self.normal
        argv = ["--project", str(self.project.root), "-o", str(self.out), "-q", *options]
        assert cli.main(argv) == 0
        return self.normal == before


@pytest.fixture
def builds(small, tmp_path, monkeypatch) -> Builds:
    b = Builds(small, tmp_path / "out", monkeypatch)
    assert not b()  # the first build renders everything and records its state
    if not buildstate.state_path(b.out).is_file():  # medbrief's own code was just edited
        time.sleep(buildstate.RACY_SECONDS + 0.1)
        assert not b()
    assert buildstate.state_path(b.out).is_file()
    assert not buildstate.state_path(b.out).is_relative_to(b.out)  # never published with it
    return b


def test_nothing_changed_takes_the_shortcut_and_says_the_same(builds, capsys):
    capsys.readouterr()
    assert builds()
    fast = capsys.readouterr()
    buildstate.state_path(builds.out).unlink()
    assert not builds()  # the normal way, with every document up to date
    slow = capsys.readouterr()
    assert fast.err == slow.err and fast.out == slow.out
    assert "drafts" in fast.err and "contact details look like a sample" in fast.err


def test_a_touched_input_an_added_file_or_another_option_takes_the_normal_way(builds):
    topic = builds.project.path("content/topics/alpha-topic.yaml")
    topic.write_bytes(topic.read_bytes())  # same bytes, new times: fingerprints decide
    assert not builds()
    age(builds.project.root)
    assert not builds()  # (times changed again) records the state
    assert builds()
    builds.project.write("templates/partials/unused.html.j2", "x")
    age(builds.project.root)
    assert not builds()
    assert builds()
    assert not builds("--topic", "alpha-topic")  # another request
    assert not builds("--html")


def test_a_changed_or_deleted_output_takes_the_normal_way_and_is_rebuilt(builds):
    out = builds.out
    pdf = next(out.rglob("*.pdf"))
    pdf.unlink()
    assert not builds()
    assert pdf.is_file()
    assert builds()
    manifest = out / "manifest.json"
    manifest.write_bytes(manifest.read_bytes())
    assert not builds()


def test_force_and_another_day_never_take_the_shortcut(builds, monkeypatch):
    assert not builds("--force")
    assert builds()

    real = buildstate.dt.date
    tomorrow = real.today() + buildstate.dt.timedelta(days=1)

    class Tomorrow(real):
        @classmethod
        def today(cls):
            return tomorrow

    monkeypatch.setattr(buildstate.dt, "date", Tomorrow)  # a review date may pass overnight
    assert not builds()


def test_an_input_edited_just_before_the_build_records_no_state(small, tmp_path, monkeypatch):
    b = Builds(small, tmp_path / "out", monkeypatch)
    small.write("content/topics/alpha-topic.yaml", small.read("content/topics/alpha-topic.yaml"))
    assert not b()
    assert not buildstate.state_path(b.out).exists()  # racily clean: the next one checks
    assert not b()


def test_a_failed_build_leaves_no_shortcut_to_a_stale_success(builds):
    state = json.loads(buildstate.state_path(builds.out).read_text())
    builds.project.edit("content/topics/alpha-topic.yaml", "id: alpha-topic", "id: [broken")
    argv = ["--project", str(builds.project.root), "-o", str(builds.out), "-q"]
    assert cli.main(argv) != 0
    assert json.loads(buildstate.state_path(builds.out).read_text()) == state  # not rewritten
    assert (
        buildstate.unchanged(builds.out, state["request"], builds.project.root) is None
    )  # and it no longer matches


def test_the_shortcut_loads_neither_the_project_nor_an_engine(builds):
    cmd = [sys.executable, "-X", "importtime", "build.py", "--project", str(builds.project.root)]
    run = subprocess.run(
        [*cmd, "-o", str(builds.out), "-q"], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "medbrief.buildstate" in imported
    assert not {"medbrief.loader", "pydantic", "yaml", "jinja2", "weasyprint"} & imported


def test_a_state_file_others_could_have_written_is_not_trusted(builds):
    state = buildstate.state_path(builds.out)
    state.chmod(0o666)  # as if planted in a shared folder: never believed
    assert not builds()
    assert state.stat().st_mode & 0o022 == 0  # the normal way wrote its own again
    assert builds()
