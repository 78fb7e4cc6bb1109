"""How a build's lines and tables look in the terminal: one place for the build, ``check`` and
a build with nothing to do (:mod:`medbrief.buildstate`), which must print the same as the
others without loading the project.  Only rich is imported here."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}
"""The colour of each finding severity."""


def print_finding(console: Console, severity: str, text: str) -> None:
    """``warning: FILE:LINE:COL: field: message`` (the text is never read as markup)."""
    console.print(f"[{COLOURS[severity]}]{severity}[/]: ", end="", markup=True, highlight=False)
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def gate_summary(errors: int, warnings: int) -> str:
    return f"content checks: {errors} errors, {warnings} warnings"


@dataclass(frozen=True)
class Row:
    """One document in the summary table."""

    output: str
    pages: int | None
    unit: str  # " slides" for decks
    size: int | None
    seconds: float | None  # None: up to date
    warnings: int
    failed: bool = False


def size_text(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def documents_table(outdir: object, rows: list[Row]) -> Table:
    """One row per document; the time column says "up to date" for documents not rebuilt."""
    table = Table(title=f"Built into {outdir}", title_justify="left")
    for name, justify in [
        ("file", "left"),
        ("pages", "right"),
        ("size", "right"),
        ("time", "right"),
        ("warnings", "right"),
    ]:
        table.add_column(name, justify=justify)
    for r in rows:
        name = escape(r.output)
        table.add_row(
            f"[red]{name} (failed)[/red]" if r.failed else name,
            "-" if r.pages is None else f"{r.pages}{r.unit}",
            "-" if r.size is None or r.failed else size_text(r.size),
            "[dim]up to date[/dim]" if r.seconds is None else f"{r.seconds:.2f} s",
            str(r.warnings),
        )
    return table


def summary_line(total: int, built: int, up_to_date: int, failed: int, seconds: float) -> str:
    """``17 documents: 2 built, 15 up to date, in 0.6 s``."""
    parts = [f"{built} built", f"{up_to_date} up to date"]
    if failed:
        parts.append(f"{failed} failed")
    return f"{total} documents: {', '.join(parts)}, in {seconds:.1f} s"
