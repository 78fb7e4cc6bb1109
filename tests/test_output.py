"""Atomic writes, the output lock and manifest.json."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import threading
import time

import pytest

from medbrief import output
from medbrief.errors import OutputError
from medbrief.output import (
    LOCK,
    MANIFEST,
    TMP_PREFIX,
    ManifestEntry,
    atomic_write,
    locked,
    read_manifest,
    sha256,
    write_manifest,
)


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
    assert info.value.message == (
        f"cannot write {target}: the disk is full; the previous file is unchanged")
    assert info.value.hint == "free some space and build again"
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("code, what, hint", [
    (errno.EROFS, "the output folder is on a read-only file system",
     "choose another folder with --output"),
    (errno.EACCES, "permission denied", "choose a folder you can write to with --output"),
    (errno.EIO, "Input/output error", "check the output folder"),
])
def test_other_write_errors_are_explained(tmp_path, monkeypatch, code, what, hint):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.tempfile, "mkstemp", fail)
    with pytest.raises(OutputError) as info:
        atomic_write(tmp_path / "x.pdf", b"data")
    assert info.value.message == (
        f"cannot write {tmp_path / 'x.pdf'}: {what}; the previous file is unchanged")
    assert info.value.hint == hint


# --- lock -------------------------------------------------------------------------------------


def test_lock_makes_a_second_build_wait(tmp_path):
    events: list[str] = []
    entered = threading.Event()

    def second_build():
        entered.wait(5)
        with locked(tmp_path):
            events.append("second build starts")

    thread = threading.Thread(target=second_build)
    thread.start()
    with locked(tmp_path):
        entered.set()
        time.sleep(0.3)
        events.append("first build ends")
    thread.join(5)
    assert events == ["first build ends", "second build starts"]
    assert (tmp_path / LOCK).is_file()


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
    base = ManifestEntry(path=path, format="pdf", document="handout", topics=["car-t-ms"],
                         audience="patient", paper="a4", variant="clear", pages=2,
                         sha256=sha256(data))
    return dataclasses.replace(base, **changes)


def test_manifest_format(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"x")
    write_manifest(tmp_path, [entry("a.pdf")])
    assert json.loads((tmp_path / MANIFEST).read_text()) == {"files": [{
        "path": "a.pdf", "format": "pdf", "document": "handout", "topics": ["car-t-ms"],
        "audience": "patient", "paper": "a4", "variant": "clear", "pages": 2,
        "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
    }]}


def test_manifest_merges_with_earlier_builds(tmp_path):
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (tmp_path / name).write_bytes(b"x")
    write_manifest(tmp_path, [entry("b.pdf"), entry("a.pdf"), entry("c.pdf")])
    (tmp_path / "c.pdf").unlink()  # a file removed since: dropped from the manifest
    entries = write_manifest(tmp_path, [entry("b.pdf", b"new", pages=1)])
    assert [(e.path, e.pages, e.sha256) for e in entries] == [
        ("a.pdf", 2, sha256(b"x")), ("b.pdf", 1, sha256(b"new"))]
    assert read_manifest(tmp_path) == entries


@pytest.mark.parametrize("junk", ["not json", '{"files": [{"path": 1}]}', "[]", ""])
def test_unreadable_manifest_is_replaced(tmp_path, junk):
    (tmp_path / MANIFEST).write_text(junk)
    (tmp_path / "a.pdf").write_bytes(b"x")
    assert read_manifest(tmp_path) == []
    assert write_manifest(tmp_path, [entry("a.pdf")]) == [entry("a.pdf")]
    assert read_manifest(tmp_path) == [entry("a.pdf")]
