"""Atomic writes, the output lock and manifest.json."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from medbrief import output
from medbrief.errors import OutputError
from medbrief.output import (
    LEGACY_LOCK,
    MANIFEST,
    TMP_PREFIX,
    ManifestEntry,
    atomic_write,
    lock_path,
    locked,
    read_manifest,
    sha256,
    write_manifest,
)

SRC = str(Path(__file__).resolve().parents[1] / "src")


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob(TMP_PREFIX + "*"))


def test_atomic_write_creates_folders_and_replaces_content(tmp_path):
    target = tmp_path / "handouts" / "a.pdf"
    atomic_write(target, b"first")
    atomic_write(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.pdf"]


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_disk_full_keeps_previous_file(tmp_path, monkeypatch, broken):
    target = tmp_path / "a.pdf"
    atomic_write(target, b"%PDF- the last good build")
    before = target.read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, broken, no_space)
    with pytest.raises(OutputError) as info:
        atomic_write(target, b"%PDF- half a new file")
    monkeypatch.undo()
    assert str(info.value).splitlines()[0] == (
        f"{target}: cannot write: the disk is full; the previous file is unchanged"
    )
    assert info.value.hint == "free some space and build again"
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "code, what, hint",
    [
        (
            errno.EROFS,
            "the output folder is on a read-only file system",
            "choose another folder with --output",
        ),
        (errno.EACCES, "permission denied", "choose a folder you can write to with --output"),
        (errno.EIO, "Input/output error", "check the output folder"),
    ],
)
def test_other_write_errors_are_explained(tmp_path, monkeypatch, code, what, hint):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.tempfile, "mkstemp", fail)
    with pytest.raises(OutputError) as info:
        atomic_write(tmp_path / "x.pdf", b"data")
    assert str(info.value).splitlines()[0] == (
        f"{tmp_path / 'x.pdf'}: cannot write: {what}; the previous file is unchanged"
    )
    assert info.value.hint == hint


# --- lock -------------------------------------------------------------------------------------


def test_lock_makes_a_second_build_wait_and_say_for_what(tmp_path):
    events: list[str] = []
    said: list[str] = []
    entered = threading.Event()
    out = tmp_path / "output"

    def second_build():
        entered.wait(5)
        with locked(out, on_wait=said.append):
            events.append("second build starts")

    thread = threading.Thread(target=second_build)
    thread.start()
    with locked(out):
        entered.set()
        time.sleep(0.3)
        events.append("first build ends")
    thread.join(5)
    assert events == ["first build ends", "second build starts"]
    assert len(said) == 1
    assert said[0].startswith(
        f"another build is writing into {out.resolve()} (process {os.getpid()} on "
    )
    assert "python" in said[0] and "this one starts when it ends" in said[0]


def test_the_lock_file_is_not_in_the_published_folder(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / LEGACY_LOCK).write_text("")  # left by an older medbrief: removed
    with locked(out):
        (out / "a.pdf").write_bytes(b"x")
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf"]
    assert lock_path(out) == tmp_path / ".output.medbrief-lock"
    assert lock_path(out).is_file()


def test_the_lock_goes_to_the_cache_when_the_parent_cannot_be_written(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(output.os, "access", lambda path, mode: False)
    out = tmp_path / "shared" / "output"
    with locked(out):
        pass
    where = lock_path(out)
    assert where.parent == tmp_path / "cache" / "medbrief" / "locks" and where.is_file()
    assert list(out.iterdir()) == []
    assert not (tmp_path / "shared" / ".output.medbrief-lock").exists()


def test_a_killed_builds_lock_never_blocks(tmp_path):
    out = tmp_path / "output"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\n"
            "from medbrief.output import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    with holder.stdout:
        assert holder.stdout.readline().strip() == "held"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
    assert "pid" in lock_path(out).read_text()  # the killed build's claim is still written
    said: list[str] = []
    done = threading.Event()

    def next_build():
        with locked(out, on_wait=said.append):
            done.set()

    threading.Thread(target=next_build, daemon=True).start()
    assert done.wait(10), "the lock of a killed build blocked the next build"
    assert said == []


def test_lock_removes_temporaries_of_a_killed_build(tmp_path):
    (tmp_path / "handouts").mkdir()
    stale = tmp_path / "handouts" / f"{TMP_PREFIX}abc.pdf"
    stale.write_bytes(b"half")
    keep = tmp_path / "handouts" / "a.pdf"
    keep.write_bytes(b"good")
    with locked(tmp_path):
        assert leftovers(tmp_path) == []
    assert keep.read_bytes() == b"good"


# --- manifest ---------------------------------------------------------------------------------


def entry(path: str, data: bytes = b"x", **changes) -> ManifestEntry:
    base = ManifestEntry(
        path=path,
        format="pdf",
        document="handout",
        topics=["car-t-ms"],
        audience="patient",
        paper="a4",
        variant="clear",
        pages=2,
        sha256=sha256(data),
        fingerprint="f" * 64,
    )
    return dataclasses.replace(base, **changes)


def test_manifest_format(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"x")
    write_manifest(tmp_path, [entry("a.pdf")])
    assert json.loads((tmp_path / MANIFEST).read_text()) == {
        "files": [
            {
                "path": "a.pdf",
                "format": "pdf",
                "document": "handout",
                "topics": ["car-t-ms"],
                "audience": "patient",
                "paper": "a4",
                "variant": "clear",
                "pages": 2,
                "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
                "site": None,
                "approval": "draft",
                "fingerprint": "f" * 64,
            }
        ]
    }


def test_manifest_merges_with_earlier_builds(tmp_path):
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (tmp_path / name).write_bytes(b"x")
    write_manifest(tmp_path, [entry("b.pdf"), entry("a.pdf"), entry("c.pdf")])
    (tmp_path / "c.pdf").unlink()  # a file removed since: dropped from the manifest
    entries = write_manifest(tmp_path, [entry("b.pdf", b"new", pages=1)])
    assert [(e.path, e.pages, e.sha256) for e in entries] == [
        ("a.pdf", 2, sha256(b"x")),
        ("b.pdf", 1, sha256(b"new")),
    ]
    assert read_manifest(tmp_path) == entries


@pytest.mark.parametrize("junk", ["not json", '{"files": [{"path": 1}]}', "[]", ""])
def test_unreadable_manifest_is_replaced(tmp_path, junk):
    (tmp_path / MANIFEST).write_text(junk)
    (tmp_path / "a.pdf").write_bytes(b"x")
    assert read_manifest(tmp_path) == []
    assert write_manifest(tmp_path, [entry("a.pdf")]) == [entry("a.pdf")]
    assert read_manifest(tmp_path) == [entry("a.pdf")]
