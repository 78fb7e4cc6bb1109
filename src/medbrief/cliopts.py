"""What every command shares: filters and output folder from the arguments, load warnings."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .jobs import Filters
from .loader import Project


def filters_from(args) -> Filters:
    return Filters(frozenset(args.document), frozenset(args.topic), frozenset(args.format))


def outdir_from(args, root: Path) -> Path:
    return (args.output if args.output is not None else root / "output").resolve()


def print_load_warnings(project: Project, console: Console) -> None:
    """What loading noticed but did not refuse (a file in content/topics/ it did not load)."""
    for problem in project.warnings:
        console.print(f"[yellow]warning[/yellow]: {escape(str(problem))}", soft_wrap=True)
