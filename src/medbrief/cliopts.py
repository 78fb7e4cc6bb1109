"""What every command shares: filters and output folder from the arguments, printing
problems and load warnings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from .errors import ContentError, MedbriefError

if TYPE_CHECKING:  # (a build with nothing to do never loads them: medbrief.buildstate)
    from .jobs import Filters
    from .loader import Project


def filters_from(args) -> Filters:
    from .jobs import Filters

    return Filters(frozenset(args.document), frozenset(args.topic), frozenset(args.format))


def outdir_from(args, root: Path) -> Path:
    return (args.output if args.output is not None else root / "output").resolve()


def print_load_warnings(project: Project, console: Console) -> None:
    """What loading noticed but did not refuse (a file in content/topics/ it did not load)."""
    for problem in project.warnings:
        print_load_warning(console, str(problem))


def print_load_warning(console: Console, text: str) -> None:
    console.print(f"[yellow]warning[/yellow]: {escape(text)}", soft_wrap=True)


def print_problems(err: MedbriefError, console: Console) -> None:
    """Every located problem of ``err``, escaped (problems quote content)."""
    problems = err.problems()
    for problem in problems:  # problems quote content, which may look like [markup]
        console.print(
            f"[red]error[/red]: {escape(str(problem))}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
    if isinstance(err, ContentError) and len(problems) > 1:
        console.print(f"{len(problems)} problems found; nothing was built.", highlight=False)
