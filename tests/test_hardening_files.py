"""Files that are not regular files: devices, FIFOs, links out of the project, folders.

Every file medbrief reads goes through ``medbrief.safefile.read_file``: anything that is not
a regular file inside the allowed folders is refused before it is opened, at most the limit
plus one byte is read, and a refusal never quotes the refused file's bytes.  Each test here
points one of the files medbrief reads (topic, theme, plan, jargon list, template, logo,
picture) at a hostile target and expects a located refusal -- quickly, with no hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardening_support import REPO, Project, refused_at_load
from medbrief.errors import ContentError, Location
from medbrief.safefile import UnsafeFile, read_file

PASSWD_START = (
    Path("/etc/passwd").read_text().split(":", 1)[0] if Path("/etc/passwd").exists() else "root"
)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "p")


def _load_problems(project: Project) -> list[str]:
    return refused_at_load(project, write=False)


def _replace(path: Path, target) -> None:
    """Replace ``path`` by a symlink to ``target``, or by a FIFO when ``target`` is "fifo"."""
    path.unlink(missing_ok=True)
    if target == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(target)


HOSTILE = {
    "dev-zero": ("/dev/zero", "is outside content/ (it leads to /dev/zero)"),
    "dev-urandom": ("/dev/urandom", "is outside content/ (it leads to /dev/urandom)"),
    "fifo": ("fifo", "is a named pipe (FIFO), not a regular file"),
    "etc-passwd": ("/etc/passwd", "is outside content/ (it leads to /etc/passwd)"),
    "folder": ("/tmp", "is outside content/"),
    "proc": ("/proc/self/environ", "is outside content/"),
}
"""Targets for a content file: what the message says about each."""


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("which", ["topics/alpha.yaml", "theme.yaml", "documents.yaml"])
def test_content_file_that_is_not_a_regular_file_inside_content_is_refused(project, which, name):
    target, said = HOSTILE[name]
    project.write()
    _replace(project.content / which, target)
    [msg] = _load_problems(project)
    assert msg.startswith(f"content/{which}:1:1: file {said}"), msg
    assert "refused without" in msg
    assert PASSWD_START + ":" not in msg  # never the bytes of what was refused


def test_fifo_topic_does_not_hang_a_fresh_build_process(project):
    project.write()
    _replace(project.content / "topics" / "alpha.yaml", "fifo")
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--project", str(project.root), "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert run.returncode == 2, run.stderr
    assert "content/topics/alpha.yaml:1:1: file is a named pipe (FIFO)" in run.stderr
    assert "Traceback" not in run.stderr


def test_symlink_to_a_file_inside_content_is_followed(project):
    project.write()
    shared = project.write_file(
        "shared/alpha.yaml", (project.content / "topics" / "alpha.yaml").read_text()
    )
    _replace(project.content / "topics" / "alpha.yaml", shared)
    from medbrief.loader import load_project

    assert "alpha" in load_project(project.root).topics


def test_read_file_reads_at_most_the_limit_plus_one_byte(tmp_path):
    """A file whose size is not known in advance (st_size 0, like /proc) is read in bounded
    steps: this one says 0 bytes but is a 3 MB regular file once opened."""
    path = tmp_path / "big"
    path.write_bytes(b"x" * 3_000_000)
    with pytest.raises(UnsafeFile) as e:
        read_file(path, [tmp_path], 1000, Location("big"))
    assert e.value.reason == "size"
    assert str(e.value) == (
        "big: file is 3,000,000 bytes; the limit is 1,000\n    hint: use a smaller file"
    )
    assert read_file(path, [tmp_path], 3_000_000, Location("big")) == b"x" * 3_000_000


@pytest.mark.parametrize(
    ("target", "reason"), [("/dev/zero", "outside"), ("fifo", "special"), ("nope", "missing")]
)
def test_read_file_refuses_before_opening(tmp_path, target, reason):
    path = tmp_path / "f"
    if target == "fifo":
        os.mkfifo(path)
    elif target == "nope":
        pass
    else:
        path.symlink_to(target)
    with pytest.raises(UnsafeFile) as e:
        read_file(path, [tmp_path], 10, Location("f"))
    assert e.value.reason == reason


def test_a_device_inside_the_allowed_folder_is_refused_by_kind(tmp_path):
    with pytest.raises(UnsafeFile, match="is a character device, not a regular file"):
        read_file(Path("/dev/zero"), [Path("/dev")], 10, Location("zero"))


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "/etc/passwd"])
def test_jargon_list_that_is_not_a_regular_file_is_a_located_error_not_a_hang(project, target):
    # the jargon list is content, loaded with the project (issue 13): a refusal is a
    # located content error, like a refused topic or theme
    project.write()
    _replace(project.content / "jargon.yaml", target)
    with pytest.raises(ContentError) as e:
        project.load()
    [found] = e.value.problems()
    assert str(found.location) == "content/jargon.yaml:1:1"
    assert "not a regular file" in found.message or "outside content/" in found.message


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "fifo"])
def test_logo_that_is_not_a_regular_file_inside_content_is_a_located_error(project, target):
    project.write()
    _replace(project.content / "assets" / "logo.svg", target)
    [msg] = _load_problems(project)
    assert msg.startswith("content/theme.yaml:5:7: logo: "), msg
    assert PASSWD_START + ":" not in msg


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "fifo"])
def test_plan_template_that_is_not_a_regular_file_is_refused_at_its_plan_line(project, target):
    project.write()
    _replace(project.root / "templates" / "handout.html.j2", target)
    [msg] = _load_problems(project)
    assert msg.startswith("content/documents.yaml:5:15: documents[0].template: file is "), msg
    assert PASSWD_START + ":" not in msg


def test_unknown_plan_template_is_refused_at_its_plan_line(project):
    project.document(template="handuot.html.j2")
    [msg] = _load_problems(project.write())
    assert msg.startswith(
        "content/documents.yaml:5:15: documents[0].template: template "
        "'handuot.html.j2' not found in templates/"
    ), msg
    assert "handout.html.j2" in msg  # the hint lists the templates there are


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "fifo"])
def test_included_template_that_is_not_a_regular_file_fails_its_document(project, target):
    project.write()
    _replace(project.root / "templates" / "partials" / "macros.html.j2", target)
    started = time.perf_counter()
    report = project.build()
    assert time.perf_counter() - started < 30
    [result] = report.results
    assert not result.ok
    text = str(result.error)
    assert text.startswith("templates/partials/macros.html.j2: file is "), text
    assert PASSWD_START + ":" not in text


# --- unexpected extensions are loaded or named, never silently ignored -----------------------


@pytest.mark.parametrize("name", ["beta.yml", "beta.YAML", "beta.Yml"])
def test_topic_with_another_yaml_extension_is_loaded(project, name):
    from hardening_support import dump, topic_data

    project.write()
    project.write_file(f"topics/{name}", dump(topic_data("beta")))
    from medbrief.loader import load_project

    assert set(load_project(project.root).topics) == {"alpha", "beta"}


@pytest.mark.parametrize("name", ["beta.txt", "beta.yaml.bak", "beta.json", "README"])
def test_other_files_among_topics_are_named_in_a_warning(project, name):
    project.write()
    project.write_file(f"topics/{name}", "id: beta\n")
    from medbrief.loader import load_project

    loaded = load_project(project.root)
    assert set(loaded.topics) == {"alpha"}
    [warning] = loaded.warnings
    assert warning.severity == "warning"
    assert str(warning).startswith(
        f"content/topics/{name}: not loaded: topic files end in .yaml or .yml"
    )


def test_the_same_topic_in_two_files_is_refused_naming_both(project):
    from hardening_support import dump, topic_data

    project.write()
    project.write_file("topics/alpha.yml", dump(topic_data("alpha")))
    msgs = _load_problems(project)
    assert any(
        "topic 'alpha' is also defined in content/topics/alpha.yaml" in m
        and m.startswith("content/topics/alpha.yml:")
        for m in msgs
    ), msgs


def test_build_prints_loader_warnings(project):
    project.write()
    project.write_file("topics/beta.txt", "id: beta\n")
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--project",
            str(project.root),
            "-q",
            "--no-check",
            "-o",
            str(project.root / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert "warning: content/topics/beta.txt: not loaded" in run.stderr
