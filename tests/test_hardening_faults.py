"""Faults while writing: a killed build, a read-only folder, a full disk, two builds at once.

In every case the previous outputs stay byte-identical and readable, no temporary file
survives the next build, the manifest matches the files, and the error says what happened.
Real file systems are used where the machine allows it (a tmpfs mounted by root); the same
faults are also simulated by making the write fail, so the guarantees are tested everywhere.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardening_support import REPO, Project, qpdf_check, topic_data
from medbrief import output
from medbrief.cli import main
from medbrief.errors import OutputError
from medbrief.output import MANIFEST, TMP_PREFIX

BUILD_PY = REPO / "build.py"


DECK = {
    "name": "deck",
    "title": "Deck",
    "template": "deck.html.j2",
    "audience": "speaker",
    "format": "pptx",
    "per": "topic",
    "output": "decks/{topic}.pptx",
}


@pytest.fixture
def project(tmp_path) -> Project:
    """Two topics; handouts first, then decks."""
    project = Project(tmp_path / "project")
    project.topics["beta"] = topic_data("beta")
    project.plan["documents"].append(DECK)
    return project


def outputs(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for pattern in ("*.pdf", "*.pptx")
        for p in folder.rglob(pattern)
        if not p.name.startswith(TMP_PREFIX)
    }


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes); the lock is not among them."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def temporaries(folder: Path) -> list[Path]:
    return list(folder.rglob(TMP_PREFIX + "*"))


def assert_manifest_matches(folder: Path) -> None:
    entries = json.loads((folder / MANIFEST).read_text())["files"]
    assert entries
    for entry in entries:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    assert {e["path"] for e in entries} == outputs(folder)


def assert_readable(folder: Path) -> None:
    """qpdf finds nothing wrong in any PDF and python-pptx opens every deck."""
    for name in outputs(folder):
        if name.endswith(".pdf"):
            qpdf_check(folder / name)
        else:
            import pptx

            assert len(pptx.Presentation(folder / name).slides) > 0


def change_content(project: Project) -> None:
    for topic in project.topics.values():
        topic["title"] += " (revised)"
    project.write()


def build_ok(project: Project, outdir: Path | None = None):
    report = project.build(outdir=outdir or project.out)
    assert report.ok, [str(r.error) for r in report.failures]
    return report


def build_failure_messages(project: Project, **kwargs) -> list[str]:
    """Build expecting every write to fail: the messages of the errors.  Each document fails
    with its own error; when the manifest has to change too, the build itself raises (a build
    that changes no manifest entry does not rewrite the manifest)."""
    try:
        report = project.build(**kwargs)
    except OutputError as e:
        assert "manifest.json" in str(e)  # located at the manifest (issue 13)
        return [e.message]
    assert report.results and not any(r.ok for r in report.results)
    return [r.error.message for r in report.results]


def build_command(project: Project, outdir: Path) -> list[str]:
    return ["--project", str(project.root), "-o", str(outdir), "--no-check", "-q"]


# --- SIGKILL in the middle of writing -------------------------------------------------

KILLER = """\
import os, runpy, sys, time
from pathlib import Path

marker, target, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real_fsync, seen = os.fsync, []

def fsync(fd):
    real_fsync(fd)
    name = os.readlink(f"/proc/self/fd/{fd}")
    if name.endswith(target):
        seen.append(name)
        if len(seen) == count:  # the temporary file is complete but not yet renamed
            marker.write_text(name)
            time.sleep(600)

os.fsync = fsync
sys.argv = [sys.argv[4], *sys.argv[5:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_until_killed(project: Project, tmp_path: Path, target: str, count: int) -> Path:
    """Run ``python build.py`` and SIGKILL it while it writes the ``count``-th ``target``."""
    script, marker = tmp_path / "killer.py", tmp_path / "writing"
    script.write_text(KILLER)
    child = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(marker),
            target,
            str(count),
            str(BUILD_PY),
            *build_command(project, project.out),
            "--jobs",
            "1",
        ],  # files written in plan order
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the build never reached the write"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    return Path(marker.read_text())


def test_sigkill_while_writing_a_pdf_leaves_every_file_whole(project, tmp_path):
    build_ok(project)
    before = snapshot(project.out)
    change_content(project)
    in_flight = run_until_killed(project, tmp_path, ".pdf", count=2)
    after = snapshot(project.out)
    assert in_flight.name.startswith(TMP_PREFIX)
    # The first document was replaced whole; the second, being written, is untouched.
    assert after["handouts/alpha-a4.pdf"] != before["handouts/alpha-a4.pdf"]
    assert after["handouts/beta-a4.pdf"] == before["handouts/beta-a4.pdf"]
    assert all(after[name] == data for name, data in before.items() if name.startswith("decks/"))
    assert temporaries(project.out) == [in_flight]
    assert_readable(project.out)
    assert_manifest_matches(project.out)  # the manifest follows each finished file
    build_ok(project)
    assert temporaries(project.out) == []
    assert_manifest_matches(project.out)
    assert_readable(project.out)


def test_sigkill_while_writing_the_manifest_is_repaired_by_the_next_build(project, tmp_path):
    build_ok(project)
    change_content(project)
    run_until_killed(project, tmp_path, ".json", count=1)
    assert len(temporaries(project.out)) == 1
    assert_readable(project.out)
    json.loads((project.out / MANIFEST).read_text())  # the old manifest is still whole
    build_ok(project)
    assert temporaries(project.out) == []
    assert_manifest_matches(project.out)


def test_stale_manifest_entry_is_dropped_not_trusted(project):
    build_ok(project)
    (project.out / "handouts" / "alpha-a4.pdf").write_bytes(b"%PDF-1.7 changed by hand")
    project.write()
    from medbrief.jobs import Filters

    report = project.build(filters=Filters(topics=frozenset({"beta"})))
    assert report.ok
    entries = json.loads((project.out / MANIFEST).read_text())["files"]
    assert "handouts/alpha-a4.pdf" not in {e["path"] for e in entries}
    assert "handouts/beta-a4.pdf" in {e["path"] for e in entries}


# --- read-only folder and full disk, simulated -----------------------------------------


@pytest.mark.parametrize(
    ("step", "code", "what"),
    [
        ("mkstemp", errno.EROFS, "the output folder is on a read-only file system"),
        ("mkstemp", errno.EACCES, "permission denied"),
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.EDQUOT, "the disk quota is exceeded"),
        ("replace", errno.EIO, "Input/output error"),
        ("replace", errno.ENOSPC, "the disk is full"),
    ],
)
def test_failing_write_keeps_the_previous_outputs(project, monkeypatch, code, what, step):
    build_ok(project)
    before = snapshot(project.out)
    change_content(project)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    target = {
        "mkstemp": (output.tempfile, "mkstemp"),
        "fsync": (output.os, "fsync"),
        "replace": (output.os, "replace"),
    }[step]
    monkeypatch.setattr(*target, fail)
    for message in build_failure_messages(project):
        assert what in message and "the previous file is unchanged" in message
    monkeypatch.undo()
    assert snapshot(project.out) == before
    assert temporaries(project.out) == []


def test_failing_document_write_is_reported_per_document(project, monkeypatch):
    build_ok(project)
    before = snapshot(project.out)
    change_content(project)
    real = output.os.replace

    def replace(src, dst):
        if str(dst).endswith("beta-a4.pdf"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    report = project.build()
    alpha, beta, *decks = report.results
    assert alpha.ok and all(d.ok for d in decks)
    assert str(beta.error).startswith(
        f"{project.out}/handouts/beta-a4.pdf: cannot write: "
        "the disk is full; the previous file is unchanged"
    )
    monkeypatch.undo()
    after = snapshot(project.out)
    assert after["handouts/beta-a4.pdf"] == before["handouts/beta-a4.pdf"]
    assert temporaries(project.out) == []
    assert_manifest_matches(project.out)


def test_cli_says_what_happened_when_the_folder_is_read_only(project, monkeypatch, capsys):
    build_ok(project)
    before = snapshot(project.out)

    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(project.out)) and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(output.os, "open", read_only)
    change_content(project)  # so there is something to write (up-to-date files are not)
    assert main(build_command(project, project.out)) == 1
    err = capsys.readouterr().err
    assert "read-only file system" in err and "--output" in err
    monkeypatch.undo()
    assert snapshot(project.out) == before


# --- read-only folder and full disk, for real ------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs mounted for the test (needs root with mount rights; skipped otherwise)."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_read_only_file_system_keeps_outputs_and_says_so(project, tmpfs):
    build_ok(project, tmpfs)
    before = snapshot(tmpfs)
    change_content(project)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    report = project.build(outdir=tmpfs)  # each document fails on its own, saying why
    assert report.results and not any(r.ok for r in report.results)
    assert all("read-only file system" in str(r.error) for r in report.results)
    assert snapshot(tmpfs) == before
    assert_readable(tmpfs)
    assert temporaries(tmpfs) == []


def test_full_disk_keeps_outputs_and_says_so(project, tmpfs):
    build_ok(project, tmpfs)
    before = snapshot(tmpfs)
    change_content(project)
    filler = tmpfs / "filler"
    with filler.open("wb", buffering=0) as f:  # unbuffered: close has nothing left to write
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as e:
            assert e.errno == errno.ENOSPC
    for message in build_failure_messages(project, outdir=tmpfs):
        assert "the disk is full" in message
    filler.unlink()
    assert snapshot(tmpfs) == before
    assert_readable(tmpfs)
    assert temporaries(tmpfs) == []
    assert_manifest_matches(tmpfs)


# --- two builds at once ---------------------------------------------------------------


def test_two_builds_into_one_folder_at_once_both_finish_and_agree(project):
    project.write()
    command = [sys.executable, str(BUILD_PY), *build_command(project, project.out)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for child in (first, second):
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err.decode()
    assert temporaries(project.out) == []
    assert_manifest_matches(project.out)
    assert_readable(project.out)
    assert {"handouts/alpha-a4.pdf", "handouts/beta-a4.pdf"} <= outputs(project.out)


def test_second_build_waits_for_the_lock(project, tmp_path):
    import fcntl

    project.write()
    project.out.mkdir()
    lock = os.open(output.lock_path(project.out), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        child = subprocess.Popen(
            [sys.executable, str(BUILD_PY), *build_command(project, project.out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        said = b""  # until the child says it waits (it has then reached the lock), or 120 s
        deadline = time.monotonic() + 120
        while b"this one starts when it ends" not in said and time.monotonic() < deadline:
            if select.select([child.stderr], [], [], 1)[0]:
                said += os.read(child.stderr.fileno(), 4096)
        assert child.poll() is None
        assert not list(project.out.rglob("*.pdf"))
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    _, rest = child.communicate(timeout=120)
    err = " ".join((said + rest).decode().split())
    assert child.returncode == 0, err
    assert f"waiting: another build is writing into {project.out.resolve()}" in err
    assert_manifest_matches(project.out)
