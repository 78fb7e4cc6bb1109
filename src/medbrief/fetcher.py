"""The only way a document may load a resource: files inside allowed folders.

WeasyPrint calls the fetcher for stylesheets, images, fonts and links it
follows.  Anything that is not a ``file:`` URL inside the project's templates,
content or packaged-font folders is refused and recorded, and the build fails
naming the reference: no network, no ``/etc/passwd``, no ``/dev/zero``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Location
from .paths import inside
from .safefile import UnsafeFile, read_file

MAX_RESOURCE_BYTES = 20_000_000


class Refused(ValueError):
    """Raised inside WeasyPrint for a refused URL (WeasyPrint catches ValueError)."""


class SafeFetcher:
    """Serve ``file:`` URLs inside ``allowed`` folders; refuse and remember everything else."""

    def __init__(self, allowed: list[Path]):
        self.allowed = [a.resolve() for a in allowed]
        self.refused: list[str] = []

    def check(self, url: str) -> Path:
        """The local path a URL may be served from, or raise :class:`Refused`."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "only files inside the project can be used")
        path = Path(unquote(parts.path))
        if not inside(path, self.allowed):
            raise self._refuse(url, "it is outside the project's templates, content and fonts")
        if not (path.exists() or path.is_symlink()):
            raise self._refuse(url, "no such file")
        if not path.is_file():
            raise self._refuse(url, "not a regular file (a folder, FIFO or device)")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise self._refuse(url, f"larger than {MAX_RESOURCE_BYTES:,} bytes")
        return path

    def _refuse(self, url: str, why: str) -> Refused:
        shown = url if len(url) < 120 else url[:117] + "..."
        self.refused.append(f"{shown} ({why})")
        return Refused(f"refused {shown}: {why}")

    def load(self, url: str) -> tuple[bytes, str]:
        """The bytes and MIME type behind an allowed URL."""
        path = self.check(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:  # checked again while opening: the file may have changed since check()
            data = read_file(path, self.allowed, MAX_RESOURCE_BYTES, Location(str(path)))
        except UnsafeFile as e:
            raise self._refuse(url, e.message) from None
        return data, mime
