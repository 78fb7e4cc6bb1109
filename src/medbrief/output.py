"""Writing outputs safely: atomic files, a lock per output folder, the manifest.

Every file is written to a temporary file in the same folder, flushed to disk
and renamed over the old one, so a build that fails or is killed never leaves
a truncated file and never replaces the last good output.  A lock file stops
two builds writing into the same folder at once; the second waits.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import OutputError

MANIFEST = "manifest.json"
LOCK = ".medbrief.lock"
TMP_PREFIX = ".medbrief-tmp-"


@dataclass(frozen=True)
class ManifestEntry:
    """One line of ``manifest.json`` (documented in the README)."""

    path: str
    format: str
    document: str
    topics: list[str]
    audience: str
    paper: str | None
    variant: str | None
    pages: int
    sha256: str


def _explain(e: OSError, path: Path) -> OutputError:
    reasons = {
        errno.ENOSPC: ("the disk is full", "free some space and build again"),
        errno.EDQUOT: ("the disk quota is exceeded", "free some space and build again"),
        errno.EROFS: ("the output folder is on a read-only file system",
                      "choose another folder with --output"),
        errno.EACCES: ("permission denied", "choose a folder you can write to with --output"),
        errno.EPERM: ("permission denied", "choose a folder you can write to with --output"),
    }
    what, hint = reasons.get(e.errno, (e.strerror or str(e), "check the output folder"))
    return OutputError(f"cannot write {path}: {what}; the previous file is unchanged", hint=hint)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a mix."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=path.suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise _explain(e, path) from e
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def remove_stale_temporaries(outdir: Path) -> None:
    """Delete temporary files a killed build left behind (we hold the lock, so none are live)."""
    if outdir.is_dir():
        for stale in outdir.rglob(TMP_PREFIX + "*"):
            with contextlib.suppress(OSError):
                stale.unlink()


@contextlib.contextmanager
def locked(outdir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``outdir`` for the whole build (waits for another build)."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(outdir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise _explain(e, outdir / LOCK) from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        remove_stale_temporaries(outdir)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(outdir: Path) -> list[ManifestEntry]:
    try:
        raw = json.loads((outdir / MANIFEST).read_text("utf-8"))
        return [ManifestEntry(**row) for row in raw["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _matches(outdir: Path, entry: ManifestEntry) -> bool:
    try:
        return sha256((outdir / entry.path).read_bytes()) == entry.sha256
    except OSError:
        return False


def repair_manifest(outdir: Path) -> None:
    """Drop entries whose file is gone or no longer has the recorded sha256.

    Called under the lock before a build: a build killed between replacing a file and
    updating the manifest leaves at most that one entry stale, and it is never trusted.
    """
    entries = read_manifest(outdir)
    good = [e for e in entries if _matches(outdir, e)]
    if len(good) != len(entries):
        _write_entries(outdir, good)


def write_manifest(outdir: Path, new: list[ManifestEntry]) -> list[ManifestEntry]:
    """Merge ``new`` into the existing manifest, dropping entries whose files are gone."""
    by_path = {e.path: e for e in read_manifest(outdir) if (outdir / e.path).is_file()}
    by_path.update({e.path: e for e in new})
    entries = [by_path[p] for p in sorted(by_path)]
    _write_entries(outdir, entries)
    return entries


def _write_entries(outdir: Path, entries: list[ManifestEntry]) -> None:
    body = json.dumps({"files": [asdict(e) for e in entries]}, indent=2, ensure_ascii=False)
    atomic_write(outdir / MANIFEST, (body + "\n").encode("utf-8"))
