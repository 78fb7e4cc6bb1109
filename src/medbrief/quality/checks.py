"""``check`` as a library: every gate over the content and the built outputs, as a report.

:func:`run_checks` reads what is in the output folder; it builds nothing, prints nothing and
decides no exit status.  The command layer (:mod:`medbrief.check_command`) builds what is
missing first, passes the failures of that build in (:func:`build_findings`), prints the
report and turns :func:`gate_failed` into the exit status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import Location
from ..jobs import Filters, plan_jobs
from ..loader import Project
from ..output import read_manifest
from ..pipeline import BuildReport
from .content import ContentResults, run_content_checks
from .documents import check_documents, display
from .finding import Finding, failed, finding
from .report import QualityReport


def gate_failed(findings: Iterable[Finding], strict: bool = False) -> bool:
    """The gate: fail on any error, or on any warning with ``strict``."""
    return failed(findings, strict)


def build_findings(project: Project, outdir: Path, report: BuildReport) -> list[Finding]:
    """The documents a build could not make, as findings on their output files."""
    return [
        finding(
            "build",
            Location(display(project, outdir / r.job.output)),
            p.field,
            "could not be built: " + p.message.removeprefix(r.job.output + ": "),
            p.hint,
            document=r.job.output,
        )
        for r in report.failures
        for p in r.error.problems()
    ]


def run_checks(
    project: Project,
    outdir: Path,
    filters: Filters,
    *,
    today: dt.date | None = None,
    build: Sequence[Finding] = (),
    notes: Sequence[str] = (),
    content: ContentResults | None = None,
    gate_refused: bool = False,
) -> QualityReport:
    """Content checks, then the checks of every built output the filters select.

    ``build`` are findings of a build made just before (:func:`build_findings`): the old
    files of those documents are not checked.  ``notes`` go into the report as they are.
    """
    today = today or dt.date.today()
    content = content or run_content_checks(project, today)
    jobs = plan_jobs(project, filters)
    failed_now = {f.document for f in build}
    entries = {e.path: e for e in read_manifest(outdir) if e.path not in failed_now}
    documents = check_documents(project, outdir, jobs, entries)
    return QualityReport(
        today, project.root, outdir, content, documents, list(build), list(notes), gate_refused
    )
