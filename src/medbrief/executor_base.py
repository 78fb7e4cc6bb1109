"""What every executor shares: the base class and what it may use of a build.

Kept apart from :mod:`medbrief.executors` (which chooses one, and imports the Dask executor
lazily) so an executor module imports this, never the pipeline or the chooser: the import
graph stays acyclic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from .errors import MedbriefError

Rendition = Any
"""A :class:`medbrief.pipeline.Rendition` (picklable bytes and metadata, or an error)."""
Builder = Any
"""A :class:`medbrief.pipeline.Builder` whose project and engines a worker may reuse."""


class BuildSetup(Protocol):
    """What an executor needs of a build (:class:`medbrief.pipeline.BuildSetup`; picklable)."""

    root: Path
    sites: Path | None
    build_id: str

    def prepare(self, builder: Builder | None = None, outputs: Sequence[str] = ()) -> Builder: ...

    def render(self, output: str) -> Rendition: ...

    def failed(self, output: str, error: MedbriefError, seconds: float = 0.0) -> Rendition: ...


class Executor:
    """Base class: a context manager whose ``results`` yields one Rendition per output."""

    workers = 1

    def start(self, setup: BuildSetup, outputs: Sequence[str]) -> None:
        """Called before the building process loads the engines (the PDF engine's import is the
        slowest step before rendering), with the same arguments :meth:`results` gets next: an
        executor may begin, meanwhile, the documents that need no engine."""

    def results(self, setup: BuildSetup, outputs: Sequence[str]) -> Iterator[Rendition]:
        raise NotImplementedError

    def close(self) -> None:
        """Release whatever the executor holds (processes, connections)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
