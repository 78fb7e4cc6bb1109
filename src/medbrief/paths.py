"""Project-relative paths for untrusted references (logos, masters, images).

A path named in content or a theme must resolve (following symlinks) to a file
inside one of the project's allowed folders; anything else is refused by name.
"""

from __future__ import annotations

from pathlib import Path

from .errors import FetchError, Location
from .safefile import UnsafeFile, checked_path


def inside(path: Path, folders: list[Path]) -> bool:
    """True when ``path`` (resolved, symlinks followed) lies inside one of ``folders``."""
    real = path.resolve()
    return any(real == f or f in real.parents for f in (d.resolve() for d in folders))


def project_file(
    root: Path, base: Path, ref: str, allowed: list[Path], where: Location | None = None
) -> Path:
    """Resolve ``ref`` (relative to ``base``) to an existing file inside ``allowed`` folders."""
    if Path(ref).is_absolute() or ref.startswith(("/", "\\")) or ":" in ref.split("/")[0]:
        raise FetchError(
            f"refused {ref!r}: only paths relative to the project are allowed",
            hint="use a path such as assets/logo.svg",
            location=where,
        )
    path = (base / ref).resolve()
    if not inside(path, allowed):
        names = ", ".join(str(a.relative_to(root)) + "/" for a in allowed if root in a.parents)
        raise FetchError(
            f"refused {ref!r}: it points outside the project's {names} folders",
            hint="copy the file into the project, e.g. content/assets/",
            location=where,
        )
    if not path.exists():
        raise FetchError(
            f"file {ref!r} not found (looked for {path})",
            hint="check the file name and folder",
            location=where,
        )
    try:
        return checked_path(path, allowed, where or Location(ref), root)
    except UnsafeFile as e:
        raise FetchError(f"refused {ref!r}: {e.message}", hint=e.hint, location=where) from None
