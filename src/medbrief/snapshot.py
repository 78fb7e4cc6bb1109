"""A content snapshot: the project's content/ and templates/ as one byte string.

A machine that renders documents for a build it did not start (a Dask worker) has no shared
file system with the building machine.  It receives this snapshot -- a deterministic tar
archive of everything a document may read from the project -- unpacks it once into a private
folder named after its SHA-256, and loads the project from there.  Fonts are not included:
they come from the Python packages installed with medbrief on every machine.

Building a snapshot reads every file through :func:`medbrief.safefile.read_file` (regular
files inside the project's folders only).  Unpacking refuses anything but plain files and
folders below the target (tarfile's ``data`` filter: no links, devices, absolute paths or
``..``), and checks the digest first, so a worker only ever renders the snapshot it was sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import Location, RenderError
from .safefile import read_file

FOLDERS = ("content", "templates")
"""What a document may read from the project (the fetcher serves nothing else)."""

SITES_OVERRIDE = "sites-override.csv"
"""Where ``--sites FILE`` goes in a snapshot (every plan row with ``sites:`` reads it)."""

MAX_FILE_BYTES = 20_000_000
"""Largest single file taken into a snapshot (the fetcher's limit for any resource)."""

MAX_SNAPSHOT_BYTES = 200_000_000
"""Largest snapshot: a project is normally well under a megabyte."""


@dataclass(frozen=True)
class Snapshot:
    """The archive's bytes, their SHA-256, and whether it carries a ``--sites`` file."""

    data: bytes
    digest: str
    has_sites_override: bool = False

    def __len__(self) -> int:
        return len(self.data)


def _files(root: Path) -> list[tuple[str, Path]]:
    found = []
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith(("~", ".swp")):
                    continue
                path = Path(dirpath) / name
                found.append((path.relative_to(root).as_posix(), path))
    return found


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0  # same bytes on every machine
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def make_snapshot(root: Path, sites: Path | None = None) -> Snapshot:
    """Pack ``root``'s content/ and templates/ (and a ``--sites`` file) into a Snapshot."""
    root = root.resolve()
    allowed = [root / f for f in FOLDERS]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in _files(root):
            if path.is_symlink() and not path.exists():
                continue  # a dangling link: nothing a document could load
            _add(tar, name, read_file(path, allowed, MAX_FILE_BYTES, Location(name), root))
        if sites is not None:
            sites = sites.resolve()
            _add(
                tar,
                SITES_OVERRIDE,
                read_file(
                    sites, [sites.parent], MAX_FILE_BYTES, Location(str(sites)), kind="sites"
                ),
            )
    data = buffer.getvalue()
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise RenderError(
            f"the project's content and templates take {len(data):,} bytes; "
            f"the limit for sending them to workers is {MAX_SNAPSHOT_BYTES:,}",
            hint="remove large files that no document uses from content/",
        )
    return Snapshot(data, hashlib.sha256(data).hexdigest(), sites is not None)


def snapshot_root(digest: str) -> Path:
    """Where a worker keeps the unpacked snapshot ``digest`` (private to this user)."""
    base = Path(tempfile.gettempdir()) / f"medbrief-snapshots-{os.getuid()}"
    return base / digest


def unpack_snapshot(data: bytes, digest: str) -> Path:
    """The folder holding snapshot ``digest``, unpacked from ``data`` if not already there."""
    if hashlib.sha256(data).hexdigest() != digest:
        raise RenderError(
            "the content snapshot arrived damaged (its SHA-256 differs)",
            hint="build again; if it persists, check the network to the workers",
        )
    target = snapshot_root(digest)
    if target.is_dir():
        return target
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            tar.extractall(scratch, filter="data")
        try:
            os.rename(scratch, target)  # another task may have won the race: use its copy
        except OSError:
            if not target.is_dir():
                raise
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    return target
