"""Which planned documents are missing from an output folder or older than their inputs.

The seam ``check`` uses to decide what to build before checking: today a file counts as
stale when the manifest does not list it, it is gone, or any file under content/ or
templates/ is newer (modification times).
"""

from __future__ import annotations

from pathlib import Path

from .jobs import Job
from .loader import Project
from .output import read_manifest


def _inputs_mtime(project: Project) -> float:
    files = [p for d in (project.content_dir, project.templates_dir) for p in d.rglob("*")
             if p.is_file()]
    return max((p.stat().st_mtime for p in files), default=0.0)


def outdated(project: Project, outdir: Path, jobs: list[Job]) -> list[Job]:
    """Jobs whose file is missing from the output folder or older than the content."""
    listed = {e.path for e in read_manifest(outdir)}
    newest = _inputs_mtime(project)
    return [j for j in jobs if j.output not in listed or not (outdir / j.output).is_file()
            or (outdir / j.output).stat().st_mtime < newest]
