"""`check` never publishes what the gate refused; an output folder inside the inputs is refused.

``build`` and ``check`` share one content gate (``quality.command.gate_refuses``): while the
content checks report an error (or a warning, with ``--strict``), neither builds anything,
and ``check`` writes nothing into the output folder -- the files already there are checked
as they are.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hardening_support import Project, topic_data
from medbrief.cli import main


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.topics["beta"] = topic_data("beta")
    return project


def snapshot(folder) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def cli(project: Project, *args: str) -> int:
    return main([*args, "--project", str(project.root), "-q", "-o", str(project.out)])


def _expired(project: Project) -> None:
    project.topic()["last_reviewed"] = "2020-01-10"
    project.topic()["next_review"] = "2021-01-10"


def _review_soon(project: Project) -> None:
    soon = dt.date.today() + dt.timedelta(days=10)
    project.topic()["next_review"] = soon.isoformat()


REFUSALS = {
    "expired-review": (_expired, ()),
    "warning-with-strict": (_review_soon, ("--strict",)),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_check_writes_nothing_when_the_content_gate_fails(project, name, capsys):
    assert cli(project.write(), "build") == 0
    before = snapshot(project.out)
    change, flags = REFUSALS[name]
    change(project)
    project.topic("beta")["title"] = "Topic beta, changed"  # makes every file out of date
    project.write()
    assert cli(project, "build", *flags) == 1  # build refuses
    assert cli(project, "check", *flags) == 1  # check refuses too ...
    assert snapshot(project.out) == before  # ... and writes nothing: no document, no report
    err = " ".join(capsys.readouterr().err.split())
    assert "nothing was built or written" in err


def test_check_into_an_empty_folder_builds_nothing_when_the_gate_fails(project):
    _expired(project)
    project.write()
    assert cli(project, "check") == 1
    assert not project.out.exists() or not any(
        p.suffix in (".pdf", ".pptx", ".json", ".html") for p in project.out.rglob("*")
    )


def test_check_still_builds_what_is_missing_when_the_gate_passes(project):
    project.write()
    assert cli(project, "check") in (0, 1)
    assert (project.out / "handouts/alpha-a4.pdf").is_file()
    assert (project.out / "quality-report.json").is_file()


@pytest.mark.parametrize(
    "inside", ["content/out", "content", "templates/build", "content/topics/x"]
)
@pytest.mark.parametrize("command", ["build", "check"])
def test_output_folder_inside_content_or_templates_is_refused(project, inside, command, capsys):
    project.write()
    before = snapshot(project.root)
    code = main([command, "--project", str(project.root), "-q", "-o", str(project.root / inside)])
    assert code == 2
    assert f"is inside {inside.split('/')[0]}/; refused" in capsys.readouterr().err
    assert snapshot(project.root) == before
