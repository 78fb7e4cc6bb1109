"""The one way medbrief reads a file it did not write.

Topics, the theme, the plan, the jargon list, sites, templates, logos, pictures, deck
masters and fonts are all read through :func:`read_file`.  It decides before opening
anything: the path is resolved (symlinks followed) and must lie inside one of the allowed
folders, and it must be a regular file -- a FIFO, a device such as ``/dev/zero``, a socket
or a folder is refused without being opened, so a build can neither hang nor read without
end.  The file is then opened without following links and without blocking, checked again
(the same regular file), and at most ``limit + 1`` bytes are read.  A refusal names the
file and the reason; it never quotes the file's bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ContentError, Location, Problem

KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class UnsafeFile(ContentError):
    """A file medbrief refused to read: outside the project, not a regular file, too big.

    ``reason`` is one of ``outside``, ``missing``, ``special``, ``unreadable``, ``size``.
    """

    def __init__(self, problems: list[Problem], reason: str):
        super().__init__(problems)
        self.reason = reason


def _refuse(where: Location, message: str, hint: str, reason: str) -> UnsafeFile:
    return UnsafeFile([Problem(where, "", message, hint)], reason)


def _kind(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _inside(real: Path, folders: list[Path]) -> bool:
    return any(real == f or f in real.parents for f in folders)


def _folders_text(folders: list[Path], root: Path | None) -> str:
    names = []
    for f in folders:
        try:
            names.append(str(f.relative_to(root)) + "/" if root else f.name + "/")
        except ValueError:
            names.append(f.name + "/")
    return ", ".join(names)


def checked_path(
    path: Path, allowed: list[Path], where: Location, root: Path | None = None
) -> Path:
    """The real path of ``path`` if it is a regular file inside ``allowed``; else refuse.

    Nothing is opened: this is the check :func:`read_file` makes first, for callers whose
    library insists on opening the file itself.
    """
    folders = [Path(os.path.realpath(f)) for f in allowed]
    real = Path(os.path.realpath(path))
    if not _inside(real, folders):
        target = f" (it leads to {real})" if real != Path(os.path.abspath(path)) else ""
        raise _refuse(
            where,
            f"file is outside {_folders_text(folders, root)}{target}; refused without reading it",
            "copy the file into the project instead of linking to it",
            "outside",
        )
    try:
        info = os.stat(real)
    except OSError as e:
        reason = "missing" if isinstance(e, FileNotFoundError) else "unreadable"
        raise _refuse(
            where,
            f"cannot read file: {e.strerror}",
            "check that the file exists and is readable",
            reason,
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            where,
            f"file is {_kind(info.st_mode)}, not a regular file; refused without opening it",
            "point medbrief at an ordinary file",
            "special",
        )
    return real


def read_file(
    path: Path,
    allowed: list[Path],
    limit: int,
    where: Location,
    root: Path | None = None,
    kind: str = "",
) -> bytes:
    """At most ``limit`` bytes of a regular file inside ``allowed``, or :class:`UnsafeFile`.

    ``where`` locates the refusal (the file itself, or the content line that named it).
    """
    real = checked_path(path, allowed, where, root)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise _refuse(
            where,
            f"cannot read file: {e.strerror}",
            "check that the file exists and is readable",
            "unreadable",
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the check and the open
            raise _refuse(
                where,
                f"file is {_kind(info.st_mode)}, not a regular file",
                "point medbrief at an ordinary file",
                "special",
            )
        if info.st_size > limit:
            raise _too_big(where, info.st_size, limit, kind)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise _refuse(
            where,
            f"cannot read file: {e.strerror}",
            "check that the file is readable",
            "unreadable",
        ) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise _too_big(where, None, limit, kind)
    return data


def _too_big(where: Location, size: int | None, limit: int, kind: str) -> UnsafeFile:
    said = f"is {size:,} bytes" if size is not None else f"is larger than {limit:,} bytes"
    hints = {
        "content": "split the content into smaller files; a topic is normally a few kilobytes",
        "image": "use a smaller image; a logo needs only a few hundred pixels",
        "font": "use the font's ordinary .ttf or .otf file",
        "master": "save a master with only its layouts (no slides, videos or large pictures)",
        "sites": "a sites file holds at most 10,000 rows; split it into several files",
    }
    return _refuse(
        where, f"file {said}; the limit is {limit:,}", hints.get(kind, "use a smaller file"), "size"
    )
