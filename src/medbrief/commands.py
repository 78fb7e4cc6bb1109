"""What each CLI command does, printed with rich: progress while building, a summary after."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import buildstate, environment, printing
from .cliopts import filters_from, outdir_from, print_load_warnings
from .errors import SetupError, printable
from .exitcodes import EXIT_FAILED, EXIT_OK
from .loader import load_project
from .model import DRAFT, DRAFT_MARK
from .pipeline import BuildReport, JobResult, build, default_jobs


def summary_rows(report: BuildReport) -> list[printing.Row]:
    return [
        printing.Row(
            r.job.output,
            r.entry.pages if r.entry else None,
            " slides" if r.job.format == "pptx" else "",
            r.size if r.ok else None,
            None if r.up_to_date else r.seconds,
            len(r.warnings),
            failed=not r.ok,
        )
        for r in report.results
    ]


def summary_table(report: BuildReport) -> Table:
    """One row per document; the time column says "up to date" for documents not rebuilt."""
    return printing.documents_table(report.outdir, summary_rows(report))


def summary_line(report: BuildReport) -> str:
    """``17 documents: 2 built, 15 up to date, in 0.6 s``."""
    return printing.summary_line(
        len(report.results),
        len(report.built),
        len(report.up_to_date),
        len(report.failures),
        report.seconds,
    )


def _print_result(console: Console, result: JobResult, debug: bool = False) -> None:
    for warning in result.warnings:
        said = printable(f"{result.job.output}: {warning}")
        console.print(f"[yellow]warning[/yellow]: {escape(said)}")
    if result.error:
        print_error(console, result.error, debug)


def print_error(console: Console, error, debug: bool = False) -> None:
    """A document's (or the manifest's) error; its traceback only with --debug."""
    if debug and error.debug:
        console.print(escape(error.debug.rstrip()), highlight=False, soft_wrap=True)
    for problem in error.problems():
        console.print(f"[red]error[/red]: {escape(str(problem))}", soft_wrap=True)


def check_machine(jobs: list, console: Console, *, quiet: bool) -> None:
    """Once per build that renders PDFs: refuse when the PDF engine cannot work here
    (SetupError with the fix), else note what this machine costs the build (HarfBuzz-Subset
    missing).  Called with the jobs to render, so a build with nothing to do skips it."""
    if not any(job.needs_pdf_engine for job in jobs):
        return
    for blocker in environment.pdf_blockers():
        raise SetupError(
            f"{blocker.name}: {blocker.found}; PDFs cannot be made on this machine",
            hint=f"{blocker.fix}  (`python build.py doctor` lists everything; "
            "decks alone build without it: python build.py -f pptx)",
        )
    if not quiet:
        for note in environment.build_notes():
            console.print(f"[yellow]note[/yellow]: {escape(note)}", soft_wrap=True)


def doctor_table(checks: list[environment.Check]) -> Table:
    table = Table(title=f"medbrief doctor: {environment.describe()}", title_justify="left")
    for name in ("status", "component", "found", "what it gives"):
        table.add_column(name, overflow="fold")
    for c in checks:
        if c.ok:
            mark = "[green]ok[/green]"
        else:
            mark = "[red]MISSING[/red]" if c.required else "[yellow]missing[/yellow]"
        name = c.name if c.required else f"{c.name} (optional)"
        table.add_row(mark, name, escape(c.found), c.enables)
    return table


def run_doctor(args, console: Console) -> int:
    """Report what this machine has; exit 1 (with the fix) when ``build`` cannot work."""
    checks = environment.checks()
    out = Console(soft_wrap=False, highlight=False, emoji=False)
    out.print(doctor_table(checks))
    fixes = {c.fix: c for c in checks if not c.ok and c.fix}
    for fix, c in fixes.items():
        out.print(
            f"{'fix' if c.required else 'optional'}: {escape(c.name)}: {escape(fix)}",
            soft_wrap=True,
        )
    missing = [c.name for c in checks if c.required and not c.ok]
    if missing:
        console.print(
            f"[red]error[/red]: build cannot work on this machine: "
            f"{escape(', '.join(missing))} missing (fix above)",
            soft_wrap=True,
        )
        return EXIT_FAILED
    out.print("build can work on this machine", soft_wrap=True)
    return EXIT_OK


def run_build(args, console: Console) -> int:
    root = args.project.resolve()
    out = outdir_from(args, root)
    inputs = buildstate.stat_inputs(root, args.sites)  # before anything is read
    project = load_project(root, sites=args.sites)
    print_load_warnings(project, console)
    said = {"load_warnings": [str(p) for p in project.warnings], "findings": []}
    gate = None
    if not args.no_check:
        from .check_command import content_gate

        def gate() -> bool:  # run by the build once it knows what it will render
            return content_gate(project, console, strict=args.strict, quiet=args.quiet, said=said)

    # no refresh thread: worker processes are forked from this one, which must have one thread
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
        disable=args.quiet,
    ) as bar:
        task = bar.add_task("Building", total=None)
        shown: set[str] = set()  # documents whose error is printed

        def progress(done, total, result, job):
            what = "Up to date" if result is not None and result.up_to_date else "Built"
            bar.update(task, total=total, completed=done, description=f"{what} {job.output}")
            bar.refresh()
            if result is not None:
                _print_result(console, result, args.debug)
                if result.error:
                    shown.add(job.output)

        def waiting(message):
            bar.update(task, description="Waiting for another build")
            console.print(f"[yellow]waiting[/yellow]: {escape(message)}", soft_wrap=True)

        report = build(
            root,
            out,
            filters_from(args),
            write_html=args.html,
            progress=progress,
            project=project,
            on_wait=waiting,
            force=args.force,
            jobs=args.jobs if args.jobs is not None else default_jobs(),
            scheduler=args.scheduler,
            before_render=lambda todo: check_machine(todo, console, quiet=args.quiet),
            gate=gate,
        )
    if report.refused:
        return EXIT_FAILED
    if not args.quiet:
        Console(emoji=False).print(summary_table(report))
    if not report.results:
        console.print("[yellow]nothing matched the filters[/yellow]")
        return EXIT_FAILED
    for result in report.failures:  # failed after it was shown (its manifest line)
        if result.job.output not in shown:
            print_error(console, result.error, args.debug)
    if report.manifest_error:
        print_error(console, report.manifest_error, args.debug)
    failed = len(report.failures)
    if failed:
        unrecorded = sum(1 for r in report.failures if r.entry is not None)
        said = (
            "their previous files were left unchanged"
            if not unrecorded
            else f"{unrecorded} of them written but not recorded in manifest.json, the others' "
            "previous files left unchanged"
        )
        console.print(f"[red]{failed} of {len(report.results)} documents failed[/red]; {said}")
        return EXIT_FAILED
    if report.manifest_error:
        return EXIT_FAILED
    if not args.quiet:
        console.print(summary_line(report))
    drafts = draft_summary(report)
    if drafts:
        console.print(f"[yellow]{escape(drafts)}[/yellow]", highlight=False)
    said["drafts"] = drafts
    said.setdefault("gate_warnings", 0)
    documents = [
        {"path": row.output, "pages": row.pages, "unit": row.unit, "size": row.size}
        for row in summary_rows(report)
    ]
    buildstate.write(out, buildstate.request(args, root, out), inputs, said, documents)
    return EXIT_OK


def draft_summary(report: BuildReport) -> str:
    """Say plainly when the build printed drafts, and which topics make them drafts."""
    built = [r for r in report.results if r.entry]
    drafts = [r for r in built if r.entry.approval == DRAFT]
    if not drafts:
        return ""
    topics = sorted({t.id for r in drafts for t in r.job.topics if t.approval.status == DRAFT})
    return (
        f"{len(drafts)} of {len(built)} documents are drafts, marked “{DRAFT_MARK}”; "
        f"topics not approved: {', '.join(topics)} (see `approval:` in each topic file)"
    )


def run_check(args, console: Console) -> int:
    from .check_command import run_check

    return run_check(args, console)


def run_schema(args, console: Console) -> int:
    from .schema import write_schemas

    root = args.project.resolve()
    for path, changed in write_schemas(root):
        if not args.quiet:
            console.print(f"{'wrote' if changed else 'up to date'}: {path}", highlight=False)
    return EXIT_OK


def run_new(args, console: Console) -> int:
    from .errors import ContentError, Location, Problem
    from .scaffold import new_topic

    if len(args.words) != 2 or args.words[0] != "topic" or not args.title:
        raise ContentError(
            [
                Problem(
                    Location("new"),
                    "",
                    "expected: new topic ID --title TEXT",
                    "e.g. python build.py new topic stem-cells-ms --title "
                    '"Stem cell transplants for MS"',
                )
            ]
        )
    root = args.project.resolve()
    path = new_topic(root, args.words[1], args.title)
    console.print(
        f"wrote {path.relative_to(root)}: replace each TODO, then run `python build.py check`",
        highlight=False,
    )
    return EXIT_OK


def run_serve(args, console: Console) -> int:
    from .serve import serve

    root = args.project.resolve()
    return serve(
        root,
        outdir_from(args, root),
        filters_from(args),
        console,
        host=args.host,
        port=args.port,
        check=not args.no_check,
        strict=args.strict,
    )


COMMANDS = {
    "build": run_build,
    "check": run_check,
    "schema": run_schema,
    "new": run_new,
    "serve": run_serve,
    "doctor": run_doctor,
}
