"""``python build.py check`` and the content gate before every build: the command layer.

Builds what is missing or out of date first (by fingerprint:
:func:`medbrief.pipeline.outdated_jobs`), runs the quality library
(:func:`medbrief.quality.run_checks`), prints findings and tables with rich, writes the report
files and turns the gate decision into an exit status.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cliopts import filters_from, outdir_from, print_load_warnings
from .exitcodes import EXIT_FAILED, EXIT_OK
from .jobs import Filters, plan_jobs
from .loader import Project, load_project
from .pipeline import build, check_outdir, outdated_jobs
from .printing import gate_summary, print_finding
from .quality import build_findings, check_content, gate_failed, run_checks
from .quality.content import run_content_checks
from .quality.documents import display
from .quality.finding import ERROR, INFO, WARNING, Finding, counts
from .quality.readability import WHOLE_TOPIC
from .quality.report import QualityReport, points, write_html, write_json


def content_gate(
    project: Project,
    console: Console,
    *,
    strict: bool = False,
    quiet: bool = False,
    today: dt.date | None = None,
    said: dict | None = None,
) -> bool:
    """Run the content checks before a build; print them; True when the build may go on.
    ``said`` is given the findings and the warning count (to say again when a later build
    has nothing to do: :mod:`medbrief.buildstate`)."""
    findings = check_content(project, today or dt.date.today())
    print_findings(findings, console, quiet)
    n = counts(findings)
    if said is not None:
        said["findings"] = [[f.severity, str(f)] for f in findings]
        said["gate_warnings"] = n[WARNING]
    summary = gate_summary(n[ERROR], n[WARNING])
    if gate_failed(findings, strict):
        why = "warnings count as errors with --strict; " if strict and not n[ERROR] else ""
        console.print(
            f"[red]{summary}[/red]; nothing was built ({why}"
            "fix them, or build anyway with --no-check)",
            highlight=False,
        )
        return False
    if n[WARNING] and not quiet:
        console.print(summary, highlight=False)
    return True


def build_missing(
    project: Project, outdir: Path, filters: Filters, console: Console, quiet: bool
) -> tuple[list[Finding], list[str]]:
    """Build the selected documents that are missing or stale; their failures as findings."""
    jobs = plan_jobs(project, filters)
    stale = outdated_jobs(project, outdir, jobs)
    if not stale:
        return [], []
    note = (
        f"{len(stale)} of {len(jobs)} documents are missing from {outdir} or out of "
        "date (their content, templates or fonts changed); building them first"
    )
    if not quiet:
        console.print(f"[blue]note[/blue]: {escape(note)}", highlight=False)
    report = build(project.root, outdir, filters, project=project)
    return build_findings(project, outdir, report), [note]


def check(
    project: Project,
    outdir: Path,
    filters: Filters,
    console: Console,
    *,
    quiet: bool = False,
    today: dt.date | None = None,
    strict: bool = False,
) -> QualityReport:
    """What ``check`` does before printing: build what is missing (only if the content gate
    passes), then run every check.  When the gate refuses, nothing is built or rebuilt: the
    files already in ``outdir`` are checked as they are."""
    today = today or dt.date.today()
    check_outdir(project.root, outdir)
    content = run_content_checks(project, today)
    refused = gate_failed(content.findings, strict)
    if refused:
        found, notes = (
            [],
            [
                "the content checks failed, so nothing was built or rebuilt; the "
                "files already built were checked as they are"
            ],
        )
    else:
        found, notes = build_missing(project, outdir, filters, console, quiet)
    return run_checks(
        project,
        outdir,
        filters,
        today=today,
        build=found,
        notes=notes,
        content=content,
        gate_refused=refused,
    )


def run_check(args, console: Console) -> int:
    """``python build.py check``: print findings and tables, write the reports, exit status."""
    root = args.project.resolve()
    project = load_project(root, sites=getattr(args, "sites", None))
    print_load_warnings(project, console)
    report = check(
        project,
        outdir_from(args, root),
        filters_from(args),
        console,
        quiet=args.quiet,
        strict=args.strict,
    )
    print_findings(report.findings, console, args.quiet)
    if not args.quiet:
        out = Console(emoji=False)
        out = out if out.is_terminal else Console(width=150, emoji=False)
        out.print(content_table(report))
        out.print(documents_table(report))
    n = counts(report.findings)
    bad = gate_failed(report.findings, args.strict)
    colour = "red" if bad else "green"
    if report.gate_refused:  # nothing is written into the output folder
        said = "the content gate failed, so nothing was built or written"
    else:
        paths = [write_json(report), write_html(report)]
        said = f"report: {escape(', '.join(display(project, p) for p in paths))}"
    console.print(
        f"[{colour}]quality checks: {n[ERROR]} errors, {n[WARNING]} warnings[/]"
        f"{' (warnings fail with --strict)' if args.strict and n[WARNING] else ''}; "
        f"{said}",
        highlight=False,
    )
    return EXIT_FAILED if bad else EXIT_OK


def print_findings(findings: list[Finding], console: Console, quiet: bool = False) -> None:
    for f in findings:
        if not (quiet and f.severity == INFO):
            print_finding(console, f.severity, str(f))


def _contrast_cell(report: QualityReport) -> str:
    return "ok" if all(m.ok for m in report.content.contrast) else "[red]fails[/red]"


def _worst_contrast(report: QualityReport) -> str:
    worst = min(report.content.contrast, key=lambda m: m.ratio / m.pair.minimum, default=None)
    if worst is None:
        return ""
    p = worst.pair
    return (
        f"theme contrast: lowest {worst.ratio:.2f}:1 ({p.foreground} on {p.background}, "
        f"needs {p.minimum:g}:1)"
    )


def documents_table(report: QualityReport) -> Table:
    table = Table(
        title=f"Documents in {report.outdir}",
        title_justify="left",
        caption=_worst_contrast(report) + "; body and smallest text in pt",
        caption_justify="left",
    )
    for name in (
        "document",
        "pages",
        "FK",
        "SMOG",
        "body",
        "min",
        "contrast",
        "access",
        "err",
        "warn",
    ):
        table.add_column(name, justify="left" if name == "document" else "right", overflow="fold")
    contrast = _contrast_cell(report)
    for d in report.documents:
        n = counts(d.findings)
        unit = " sl" if d.entry.format == "pptx" else ""
        r, p = d.reading, d.print
        access = sum(1 for f in d.findings if f.gate == "accessibility")
        table.add_row(
            d.entry.path,
            f"{d.entry.pages}{unit}",
            f"{r.result.grade:.1f}" if r else "-",
            f"{r.result.smog:.1f}" if r else "-",
            points(p.body_size if p else None),
            points(p.smallest_size if p else None),
            contrast,
            "ok" if not access else f"[red]{access}[/red]",
            str(n[ERROR]),
            str(n[WARNING]),
        )
    return table


def content_table(report: QualityReport) -> Table:
    table = Table(title="Plain-register content", title_justify="left")
    for name in ("topic", "FK", "SMOG", "words", "hardest field", "grade", "err", "warn"):
        table.add_column(
            name, justify="left" if name in ("topic", "hardest field") else "right", overflow="fold"
        )
    readings = report.content.readings
    for whole in (r for r in readings if r.field == WHOLE_TOPIC):
        path = whole.location.path
        fields = [
            r
            for r in readings
            if r.location.path == path
            and r.gated
            and r.audience == "patient"
            and r.field != WHOLE_TOPIC
        ]
        hardest = max(fields, key=lambda r: r.result.grade, default=None)
        mine = [f for f in report.content.findings if f.location.path == path]
        n = counts(mine)
        table.add_row(
            Path(path).stem,
            f"{whole.result.grade:.1f}",
            f"{whole.result.smog:.1f}",
            str(whole.result.words),
            hardest.field if hardest else "-",
            f"{hardest.result.grade:.1f}" if hardest else "-",
            str(n[ERROR]),
            str(n[WARNING]),
        )
    return table
