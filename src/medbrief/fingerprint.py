"""Fingerprints: one digest of everything a document is made from.

:func:`fingerprints` is the public function: ``fingerprints(project, jobs)`` returns, for each
job, a hex SHA-256 over the named parts that :func:`fingerprint_parts` lists for it
(:func:`fingerprint` is the same for one job):

- ``topics``: the bytes of the topic files the job covers (and no other topic's);
- ``plan``: the job's own row of ``content/documents.yaml``, the plan's settings outside
  ``documents:``, the job's output path, paper and variant, and its site's row (a sites file
  given with ``--sites`` may live outside ``content/``);
- ``content``: every other file under ``content/`` (theme, jargon and wording lists, sites,
  logo, deck master, measuring fonts, assets), except hidden and backup files and the
  ``topics/`` folder;
- ``templates``: the job's template and every template it extends, includes or imports, every
  file those templates name with ``asset('...')`` or ``inline_css('...')``, and what the
  stylesheets among them ``@import`` or ``url(...)``; a name that is not a literal makes
  every file under ``templates/`` count;
- ``fonts``: the bytes of every packaged font file;
- ``software``: the medbrief version and its code, the versions of WeasyPrint, pydyf,
  fontTools, python-pptx and Jinja, and ``SOURCE_DATE_EPOCH`` when it is set.

The build records the fingerprint in each manifest entry; a document whose fingerprint and
file still match is not rebuilt.  Files are hashed by content, and each file's digest is
remembered per process under its size, modification time and inode, so a long-running
process (the preview server) calls :func:`fingerprint` for every job on every change cheaply.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from . import __version__, fonts
from .jobs import Job
from .loader import Project

SOFTWARE = ("weasyprint", "pydyf", "fonttools", "python-pptx", "jinja2")
"""Packages whose version changes the bytes medbrief writes."""

FILE_FUNCTIONS = ("asset", "inline_css")
"""Template functions whose first argument names a project file the document reads."""

MAX_TEXT_BYTES = 5 * 1024 * 1024
"""Templates and stylesheets larger than this are hashed but not parsed for references."""

_digests: dict[tuple, str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (remembered per process while size/mtime/inode are the same);
    ``"missing"`` for a file that cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return "missing"
    if not stat.S_ISREG(st.st_mode):  # /dev/zero, a FIFO...: never read (the build refuses it)
        return f"special:{stat.S_IFMT(st.st_mode):o}"
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    digest = _digests.get(key)
    if digest is None:
        h = hashlib.sha256()
        try:
            with path.open("rb") as f:  # in chunks: a huge file costs time, not memory
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            return "missing"
        digest = _digests[key] = h.hexdigest()
    return digest


def _hash(items: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, value in items:
        h.update(f"{name}\0{value}\n".encode())
    return h.hexdigest()


def _files_digest(root: Path, paths: Iterable[Path]) -> str:
    return _hash((_rel(root, p), file_digest(p)) for p in sorted(set(paths)))


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _ignored(path: Path) -> bool:
    """Editor leftovers and hidden files never count (a swap file must not rebuild anything)."""
    return path.name.startswith((".", "#")) or path.name.endswith("~")


def _tree(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(_ignored(part) for part in p.relative_to(folder).parents if part.name)
        and not _ignored(p)
    ]


# --- templates --------------------------------------------------------------------------------

_CSS_REF = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)|url\(\s*['"]?([^'")\s]+)""")


_refs: dict[tuple[str, str], tuple[frozenset[str], frozenset[str], bool]] = {}


def _template_refs(name: str, source: str) -> tuple[frozenset[str], frozenset[str], bool]:
    """Templates and ``asset()`` files a template names; True when a name is not literal.
    Parsed once per process for each template text (many jobs share a template)."""
    found = _refs.get((name, source))
    if found is None:
        found = _refs[(name, source)] = _parse_refs(name, source)
    return found


@functools.cache
def _parser():
    import jinja2

    return jinja2.Environment()


def _parse_refs(name: str, source: str) -> tuple[frozenset[str], frozenset[str], bool]:
    import jinja2
    from jinja2 import meta, nodes

    try:
        tree = _parser().parse(source, name)
    except jinja2.TemplateSyntaxError:
        return frozenset(), frozenset(), True  # the build reports it; count everything meanwhile
    templates, dynamic = set(), False
    for ref in meta.find_referenced_templates(tree):
        if ref is None:
            dynamic = True
        else:
            templates.add(ref)
    assets = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in FILE_FUNCTIONS:
            arg = call.args[0] if call.args else None
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                assets.add(arg.value)
            else:
                dynamic = True
    return frozenset(templates), frozenset(assets), dynamic


def _small_text(path: Path) -> str | None:
    """A regular file's text when it is small enough to be a template or stylesheet; None for
    anything else (a FIFO or /dev/zero is never opened: the build refuses those itself)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_TEXT_BYTES:
            return None
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _css_refs(path: Path) -> set[Path]:
    """Local files a stylesheet imports or points to with url(...)."""
    text = _small_text(path)
    if text is None:
        return set()
    refs = set()
    for m in _CSS_REF.finditer(text):
        ref = (m.group(1) or m.group(2) or "").split("#")[0].split("?")[0]
        if ref and ":" not in ref and not ref.startswith("/"):
            refs.add((path.parent / ref).resolve())
    return refs


def template_files(project: Project, template: str) -> list[Path]:
    """Every file under ``templates/`` (or named from there) that rendering ``template``
    reads: the template, its extends/includes/imports, their assets and what CSS pulls in."""
    root, tdir = project.root, project.templates_dir
    seen: set[str] = set()
    files: set[Path] = set()
    todo, dynamic = [template], False
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = tdir / name
        files.add(path)
        source = _small_text(path)
        if source is None:
            continue
        templates, assets, dyn = _template_refs(name, source)
        dynamic |= dyn
        todo += sorted(templates - seen)
        for asset in assets:
            files.add((root / asset).resolve())
    if dynamic:
        return sorted(_tree(tdir))
    stylesheets = [p for p in files if p.suffix == ".css"]
    while stylesheets:
        for ref in _css_refs(stylesheets.pop()):
            if ref not in files:
                files.add(ref)
                if ref.suffix == ".css":
                    stylesheets.append(ref)
    return sorted(files)


# --- the parts --------------------------------------------------------------------------------


@functools.cache
def _code_digest() -> str:
    package = Path(__file__).resolve().parent
    return _files_digest(package, package.rglob("*.py"))


def _software_digest() -> str:
    versions = []
    for name in SOFTWARE:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "absent"))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return _hash(
        [
            ("medbrief", __version__),
            ("medbrief-code", _code_digest()),
            *versions,
            ("SOURCE_DATE_EPOCH", epoch),
        ]
    )


def _fonts_digest() -> str:
    paths = []
    for family in fonts.PACKAGES:
        try:
            paths += [f.path for f in fonts.family_files(family)]
        except ImportError:
            paths.append(Path(f"absent:{family}"))
    return _hash((str(p), file_digest(p)) for p in sorted(paths))


def _plan_digest(project: Project, job: Job) -> str:
    settings = project.plan.model_dump(mode="json", exclude={"documents"})
    row = job.spec.model_dump(mode="json")
    site = getattr(job, "site", None)  # its own row: the sites file may be outside content/
    site_data = json.dumps(dataclasses.asdict(site), sort_keys=True) if site else ""
    return _hash(
        [
            ("settings", json.dumps(settings, sort_keys=True)),
            ("row", json.dumps(row, sort_keys=True)),
            ("output", job.output),
            ("paper", str(job.paper)),
            ("variant", str(job.variant)),
            ("site", site_data),
        ]
    )


def _content_digest(project: Project) -> str:
    content = project.content_dir
    topics_dir, plan_file = content / "topics", project.files.get("plan")
    shared = [p for p in _tree(content) if topics_dir not in p.parents and p != plan_file]
    return _files_digest(project.root, shared)


def fingerprint_parts(project: Project, job: Job) -> dict[str, str]:
    """The digest of each part ``job``'s document depends on (see the module docstring)."""
    return _parts(project, job, _shared_parts(project))


def _shared_parts(project: Project) -> dict[str, str]:
    """The parts every job of a project shares, worked out once per call of :func:`fingerprints`."""
    return {
        "content": _content_digest(project),
        "fonts": _fonts_digest(),
        "software": _software_digest(),
    }


def _parts(project: Project, job: Job, shared: dict[str, str]) -> dict[str, str]:
    return {
        "topics": _files_digest(project.root, [project.files[t.id] for t in job.topics]),
        "plan": _plan_digest(project, job),
        "templates": _files_digest(project.root, template_files(project, job.spec.template)),
        **shared,
    }


def fingerprints(project: Project, jobs: Iterable[Job]) -> dict[str, str]:
    """Each job's fingerprint by output path: hex SHA-256 of everything its document is made
    from.  Equal fingerprints (and an unchanged file) mean rebuilding would write the same
    document.  The parts jobs share are hashed once for the whole list."""
    shared = _shared_parts(project)
    return {job.output: _hash(sorted(_parts(project, job, shared).items())) for job in jobs}


def fingerprint(project: Project, job: Job) -> str:
    """One job's fingerprint (see :func:`fingerprints`)."""
    return fingerprints(project, [job])[job.output]


__all__ = ["fingerprint", "fingerprints", "fingerprint_parts", "template_files", "file_digest"]
