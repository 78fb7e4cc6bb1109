"""Writing outputs safely: atomic files, a lock per output folder, the manifest.

Every file is written to a temporary file in the same folder, flushed to disk
and renamed over the old one, so a build that fails or is killed never leaves
a truncated file and never replaces the last good output.  A lock stops two
builds writing into the same folder at once; the second says what it waits for,
then waits.  The lock file lives beside the output folder (``.NAME.medbrief-lock``)
or, when that folder's parent cannot be written, in the user's cache folder:
never inside the folder people publish.  It is an ``flock`` lock, which the
kernel releases when its holder dies, so a killed build never blocks the next.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import json
import os
import re
import socket
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .errors import Location, OutputError

MANIFEST = "manifest.json"
LEGACY_LOCK = ".medbrief.lock"
"""Where versions before 0.2 kept the lock: inside the output folder (removed when seen)."""
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
    site: str | None = None
    """The site id of a personalised document (plan rows with ``sites:``), else None."""
    approval: str = "draft"
    """"approved" only when every topic covered is approved; a missing key reads as draft."""
    fingerprint: str = ""
    """Digest of everything the document was made from (see :mod:`medbrief.fingerprint`)."""


def _explain(e: OSError, path: Path) -> OutputError:
    reasons = {
        errno.ENOSPC: ("the disk is full", "free some space and build again"),
        errno.EDQUOT: ("the disk quota is exceeded", "free some space and build again"),
        errno.EROFS: (
            "the output folder is on a read-only file system",
            "choose another folder with --output",
        ),
        errno.EACCES: ("permission denied", "choose a folder you can write to with --output"),
        errno.EPERM: ("permission denied", "choose a folder you can write to with --output"),
    }
    what, hint = reasons.get(e.errno, (e.strerror or str(e), "check the output folder"))
    return OutputError(
        f"cannot write: {what}; the previous file is unchanged",
        hint=hint,
        location=Location(str(path)),
    )


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


def _cache_dir() -> Path:
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "medbrief" / "locks"


def _cached_lock(real: Path) -> Path:
    key = hashlib.sha256(str(real).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return _cache_dir() / f"{real.name or 'root'}-{key}.lock"


def lock_path(outdir: Path) -> Path:
    """The lock file of an output folder: beside it, else in the user's cache folder."""
    real = outdir.resolve()
    if real.parent != real and os.access(real.parent, os.W_OK):
        return real.parent / f".{real.name}.medbrief-lock"
    return _cached_lock(real)


def _open_lock(outdir: Path) -> int:
    try:
        return os.open(lock_path(outdir), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # the parent looked writable but is not (read-only mount...): the cache
        fallback = _cached_lock(outdir.resolve())
        fallback.parent.mkdir(parents=True, exist_ok=True)
        return os.open(fallback, os.O_RDWR | os.O_CREAT, 0o644)


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it (pid, host, start time, command)."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        started = time.strftime("%H:%M:%S", time.localtime(float(info["started"])))
        return f"process {int(info['pid'])} on {info['host']}, started {started}: {info['command']}"
    return "holder unknown"


def _claim(fd: int) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.time(),
        "command": " ".join(
            ["python", *(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))]
        )[:300],
    }
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)


Waiting = Callable[[str], None]


@contextlib.contextmanager
def locked(outdir: Path, on_wait: Waiting | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``outdir`` for the whole build.

    When another build holds it, ``on_wait`` is called once with what we wait for (that
    build's process, host, start time and command), then this one waits.
    """
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(outdir)
    except OSError as e:
        raise _explain(e, lock_path(outdir)) from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(
                    f"another build is writing into {outdir.resolve()} ({_holder(fd)}); "
                    "this one starts when it ends"
                )
            fcntl.flock(fd, fcntl.LOCK_EX)
        _claim(fd)
        remove_stale_temporaries(outdir)
        with contextlib.suppress(OSError):
            (outdir / LEGACY_LOCK).unlink(missing_ok=True)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
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


def file_matches(outdir: Path, entry: ManifestEntry) -> bool:
    """True when the entry's file exists and still has the recorded sha256."""
    try:
        return sha256((outdir / entry.path).read_bytes()) == entry.sha256
    except OSError:
        return False


def count_pages(data: bytes, fmt: str) -> int | None:
    """Pages of a PDF, slides of a .pptx (a web page is one), read from its bytes; None if
    it cannot be read as its format."""
    try:
        if fmt == "html":
            return 1 if data.lstrip()[:15].lower().startswith(b"<!doctype html") else None
        if fmt == "pdf":
            import pikepdf

            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages)
        if fmt == "pptx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return sum(1 for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n))
    except Exception:  # noqa: BLE001 - a damaged file is simply not vouched for
        return None
    return None


Describe = Callable[[str, bytes], "ManifestEntry | None"]
"""Makes the manifest entry of an output path from its bytes (None: not a planned output)."""


def _read_output(outdir: Path, relative: str) -> bytes | None:
    path = outdir / relative
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path.read_bytes()
    except OSError:
        return None


def repair_manifest(outdir: Path, describe: Describe | None = None) -> list[ManifestEntry]:
    """Make the manifest describe the files that are there, by re-hashing them.

    Called under the lock before a build.  A build killed between replacing a file and
    updating the manifest leaves that entry stale (or missing): the file is hashed and its
    pages counted again, and the entry updated, never dropped while the file is there.  An
    entry is dropped only when its file is gone or cannot be read as its format.
    ``describe`` gives the entry of a planned output found in the folder but not listed.
    Returns the entries now listed (each matching its file).
    """
    entries = read_manifest(outdir)
    kept: list[ManifestEntry] = []
    changed = False
    for entry in entries:
        data = _read_output(outdir, entry.path)
        if data is None:
            changed = True
            continue
        digest = sha256(data)
        if digest == entry.sha256:
            kept.append(entry)
            continue
        changed = True
        fresh = describe(entry.path, data) if describe else None
        pages = fresh.pages if fresh else count_pages(data, entry.format)
        if pages is not None:
            # a re-hashed file no longer vouches for its inputs: its next build renders it
            kept.append(fresh or replace(entry, sha256=digest, pages=pages, fingerprint=""))
    if describe is not None:
        listed = {e.path for e in kept} | {e.path for e in entries}
        for path in sorted(_output_files(outdir) - listed):
            data = _read_output(outdir, path)
            fresh = describe(path, data) if data is not None else None
            if fresh is not None:
                kept.append(fresh)
                changed = True
    kept.sort(key=lambda e: e.path)
    if changed:
        _write_entries(outdir, kept)
    return kept


def _output_files(outdir: Path) -> set[str]:
    return {
        str(p.relative_to(outdir))
        for suffix in ("*.pdf", "*.pptx", "*.html")
        for p in outdir.rglob(suffix)
        if not p.name.startswith(TMP_PREFIX)
    }


def write_manifest(outdir: Path, new: list[ManifestEntry]) -> list[ManifestEntry]:
    """Merge ``new`` into the existing manifest, dropping entries whose files are gone."""
    by_path = {e.path: e for e in read_manifest(outdir) if (outdir / e.path).is_file()}
    by_path.update({e.path: e for e in new})
    entries = [by_path[p] for p in sorted(by_path)]
    _write_entries(outdir, entries)
    return entries


def _write_entries(outdir: Path, entries: list[ManifestEntry]) -> None:
    body = json.dumps({"files": [asdict(e) for e in entries]}, indent=2, ensure_ascii=False)
    data = (body + "\n").encode("utf-8")
    with contextlib.suppress(OSError):
        if (outdir / MANIFEST).read_bytes() == data:
            return  # unchanged: a no-op build rewrites no file, the manifest included
    atomic_write(outdir / MANIFEST, data)
