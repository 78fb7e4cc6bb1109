"""``python build.py check`` and the content gate that runs before every build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..commands import filters_from, outdir_from, print_load_warnings
from ..errors import Location
from ..jobs import Filters, Job, plan_jobs
from ..loader import Project, load_project
from ..output import read_manifest
from ..pipeline import build, check_outdir, outdated_jobs
from .content import check_content, run_content_checks
from .documents import check_documents, display
from .finding import ERROR, WARNING, Finding, counts, failed, finding
from .report import (
    QualityReport,
    content_table,
    documents_table,
    print_findings,
    write_html,
    write_json,
)

EXIT_OK, EXIT_FAILED = 0, 1


def gate_refuses(findings: list[Finding], strict: bool) -> bool:
    """The content gate, the one rule ``build`` and ``check`` share: no document is built
    (or rebuilt) while the content checks report an error (or, with --strict, a warning)."""
    return failed(findings, strict)


def content_gate(project: Project, console: Console, *, strict: bool = False,
                 quiet: bool = False, today: dt.date | None = None) -> bool:
    """Run the content checks before a build; print them; True when the build may go on."""
    findings = check_content(project, today or dt.date.today())
    print_findings(findings, console, quiet)
    n = counts(findings)
    summary = f"content checks: {n[ERROR]} errors, {n[WARNING]} warnings"
    if gate_refuses(findings, strict):
        why = "warnings count as errors with --strict; " if strict and not n[ERROR] else ""
        console.print(f"[red]{summary}[/red]; nothing was built ({why}"
                      "fix them, or build anyway with --no-check)", highlight=False)
        return False
    if n[WARNING] and not quiet:
        console.print(summary, highlight=False)
    return True


def _build_missing(project: Project, outdir: Path, jobs: list[Job], filters: Filters,
                   console: Console, quiet: bool) -> tuple[list[Finding], list[str]]:
    outdated = outdated_jobs(project, outdir, jobs)
    if not outdated:
        return [], []
    note = (f"{len(outdated)} of {len(jobs)} documents are missing from {outdir} or out of "
            "date (their content, templates or fonts changed); building them first")
    if not quiet:
        console.print(f"[blue]note[/blue]: {escape(note)}", highlight=False)
    report = build(project.root, outdir, filters, project=project)
    found = [finding("build", Location(display(project, outdir / r.job.output)), p.field,
                     "could not be built: " + p.message.removeprefix(r.job.output + ": "),
                     p.hint, document=r.job.output)
             for r in report.failures for p in r.error.problems()]
    return found, [note]


def run_checks(project: Project, outdir: Path, filters: Filters, console: Console,
               *, quiet: bool = False, today: dt.date | None = None,
               strict: bool = False) -> QualityReport:
    """Content checks, then (building what is missing, only if the content gate passes) the
    checks of every built output.  When the gate refuses, nothing is built or rebuilt: the
    files already in ``outdir`` are checked as they are."""
    today = today or dt.date.today()
    check_outdir(project.root, outdir)
    content = run_content_checks(project, today)
    jobs = plan_jobs(project, filters)
    if gate_refuses(content.findings, strict):
        build_findings, notes = [], ["the content checks failed, so nothing was built or "
                                     "rebuilt; the files already built were checked as they are"]
    else:
        build_findings, notes = _build_missing(project, outdir, jobs, filters, console, quiet)
    failed_now = {f.document for f in build_findings}  # their old files are not checked
    entries = {e.path: e for e in read_manifest(outdir) if e.path not in failed_now}
    documents = check_documents(project, outdir, jobs, entries)
    return QualityReport(today, project.root, outdir, content, documents, build_findings,
                         notes, gate_refuses(content.findings, strict))


def run_quality_command(args, console: Console) -> int:
    """``python build.py check``: print findings and tables, write the reports, exit status."""
    root = args.project.resolve()
    project = load_project(root, sites=getattr(args, "sites", None))
    print_load_warnings(project, console)
    report = run_checks(project, outdir_from(args, root), filters_from(args), console,
                        quiet=args.quiet, strict=args.strict)
    print_findings(report.findings, console, args.quiet)
    if not args.quiet:
        out = Console(emoji=False)
        out = out if out.is_terminal else Console(width=150, emoji=False)
        out.print(content_table(report))
        out.print(documents_table(report))
    n = counts(report.findings)
    bad = failed(report.findings, args.strict)
    colour = "red" if bad else "green"
    if report.gate_refused:  # nothing is written into the output folder
        said = "the content gate failed, so nothing was built or written"
    else:
        paths = [write_json(report), write_html(report)]
        said = f"report: {escape(', '.join(display(project, p) for p in paths))}"
    console.print(f"[{colour}]quality checks: {n[ERROR]} errors, {n[WARNING]} warnings[/]"
                  f"{' (warnings fail with --strict)' if args.strict and n[WARNING] else ''}; "
                  f"{said}", highlight=False)
    return EXIT_FAILED if bad else EXIT_OK
