"""Executors: who renders the jobs of a build.  The building process writes every file.

An executor is a context manager with one method, ``results(setup, outputs)``, that renders
the jobs named by their output paths and yields one picklable
:class:`~medbrief.pipeline.Rendition` per job as each finishes (any order).  Every executor
renders through the same task, ``setup.render(output)`` (the build's
:class:`~medbrief.pipeline.BuildSetup`, calling :func:`medbrief.pipeline.render_output`),
which loads the project and engines once per process and calls
:func:`~medbrief.pipeline.render_job`.  Executors reach the build only through ``setup``, so
this module does not import the pipeline (no import cycle).  Adding an executor (a Dask
cluster, say) is writing a class with ``results`` that runs ``setup.render(output)``
somewhere and yields what it returns; :func:`choose_executor` is where the build picks one.

- :class:`InProcess` (``--jobs 1``): renders in this process, one job after another; a
  debugger and ``--debug`` tracebacks see everything.
- :class:`ProcessPool` (``--jobs N``): N worker processes, each rendering many documents.
  On Linux workers are forked from the building process after it has loaded the project and
  created the engines, so none of that is paid again; when other threads are running they
  start from a fork server instead and load the project themselves.  Workers ignore Ctrl-C;
  the building process stops them (no stray processes) and, since only it writes, no
  partial file is left.  A worker that dies, or that overruns the document time limit by more
  than :data:`GRACE_SECONDS` (stuck inside an engine, where the in-worker alarm cannot
  fire), fails only its document and is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait

from .errors import Location, RenderError
from .executor_base import Builder, BuildSetup, Executor, Rendition
from .jobs import plan_jobs

__all__ = ["Executor", "InProcess", "ProcessPool", "choose_executor"]

GRACE_SECONDS = 10.0
"""How long past the document time limit the building process waits before it stops a worker."""


class InProcess(Executor):
    """Render in this process, in order (``--jobs 1``)."""

    def __init__(self, builder: Builder | None = None):
        self.builder = builder

    def results(self, setup: BuildSetup, outputs: Sequence[str]) -> Iterator[Rendition]:
        setup.prepare(self.builder)
        for output in outputs:
            yield setup.render(output)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker if the building process dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(setup: BuildSetup, conn: Connection, parent: int) -> None:
    """A worker process: render the outputs it is sent until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the building process handles Ctrl-C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    if parent and os.getppid() != parent:  # it died before the line above
        return
    while True:
        try:
            output = conn.recv()
        except (EOFError, OSError):
            return
        if output is None:
            return
        rendition = setup.render(output)
        try:
            try:
                conn.send(rendition)
            except (OSError, EOFError):
                return  # the building process is gone
            except Exception as e:  # e.g. an error that cannot be pickled: send what we can
                error = RenderError(f"{type(e).__name__}: {e}", location=Location(output))
                conn.send(setup.failed(output, error, rendition.seconds))
        except (OSError, EOFError):
            return


class _Worker:
    def __init__(self, ctx, setup: BuildSetup):
        self.conn, child = ctx.Pipe()
        parent = os.getpid() if ctx.get_start_method() == "fork" else 0
        self.process = ctx.Process(
            target=_worker_main, args=(setup, child, parent), daemon=True, name="medbrief-worker"
        )
        # block Ctrl-C while starting, so the worker is born ignoring it (no traceback from it)
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child.close()
        self.setup = setup
        self.task: str | None = None
        self.started = 0.0

    def send(self, output: str) -> None:
        self.task, self.started = output, time.monotonic()
        self.conn.send(output)

    def stop(self, wait_seconds: float = 2.0) -> None:
        with contextlib.suppress(OSError):
            if self.process.is_alive() and self.task is None:
                self.conn.send(None)
        self.process.join(wait_seconds if self.task is None else 0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class ProcessPool(Executor):
    """Render in ``workers`` processes; results arrive as documents finish."""

    def __init__(
        self, workers: int, builder: Builder | None = None, time_limit: float | None = None
    ):
        self.workers = max(1, workers)
        self.builder = builder
        if time_limit is None and builder is not None:
            time_limit = builder.project.plan.quality.time_limit_seconds
        self.time_limit = time_limit or 0
        self._pool: list[_Worker] = []
        self.pids: list[int] = []
        """Every worker process id this pool started (for tests and the benchmark)."""

    def _context(self):
        # fork shares the loaded project and engines; it is only safe with one thread
        method = "fork" if threading.active_count() == 1 else "forkserver"
        if method not in multiprocessing.get_all_start_methods():
            method = "spawn"
        return multiprocessing.get_context(method), method == "fork"

    def _start(self, ctx, setup: BuildSetup) -> _Worker:
        worker = _Worker(ctx, setup)
        self._pool.append(worker)
        self.pids.append(worker.process.pid)
        return worker

    def results(self, setup: BuildSetup, outputs: Sequence[str]) -> Iterator[Rendition]:
        ctx, fork = self._context()
        if fork and self.builder is not None:  # workers inherit the project and engines
            setup.prepare(self.builder, self._writers(outputs))
        queue = list(outputs)
        for _ in range(min(self.workers, len(queue))):
            self._start(ctx, setup).send(queue.pop(0))
        while any(w.task for w in self._pool):
            busy = [w for w in self._pool if w.task]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=1.0)
            for worker in busy:
                rendition = self._collect(worker, ready)
                if rendition is None:
                    continue
                yield rendition
                if worker.process.is_alive() and worker in self._pool:
                    if queue:
                        worker.send(queue.pop(0))
                elif queue:
                    self._start(ctx, setup).send(queue.pop(0))

    def _writers(self, outputs: Sequence[str]) -> frozenset[str]:
        """The writers (by plan-row name: pdf, pptx, slides-pdf...) these outputs need."""
        wanted = set(outputs)
        return frozenset(j.writer for j in plan_jobs(self.builder.project) if j.output in wanted)

    def _collect(self, worker: _Worker, ready: list) -> Rendition | None:
        """The worker's finished rendition, or a failed one if it died or overran; else None."""
        output = worker.task
        if output is None:
            return None
        if worker.conn in ready:
            try:
                rendition = worker.conn.recv()
                worker.task = None
                return rendition
            except (EOFError, OSError):
                pass  # it died while sending: handled below
        overran = self.time_limit and time.monotonic() - worker.started > (
            self.time_limit + GRACE_SECONDS
        )
        if worker.process.sentinel not in ready and worker.conn not in ready and not overran:
            return None
        seconds = time.monotonic() - worker.started
        worker.task = None
        self._pool.remove(worker)
        worker.stop(0)
        if overran:
            error = RenderError(
                f"took longer than {self.time_limit:g} s and was stopped",
                hint="raise quality.time_limit_seconds in "
                "content/documents.yaml, or shorten the document",
                location=Location(output),
            )
        else:
            code = worker.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
            error = RenderError(
                f"the worker process rendering it stopped ({how})",
                hint="build it again with --jobs 1 --debug to see why",
                location=Location(output),
            )
        return worker.setup.failed(output, error, seconds)

    def close(self) -> None:
        pool, self._pool = self._pool, []
        for worker in pool:  # ask idle workers to leave, stop busy ones
            with contextlib.suppress(OSError):
                if worker.task is None:
                    worker.conn.send(None)
        for worker in pool:
            worker.stop()


def choose_executor(
    jobs: int, todo: int, builder: Builder | None = None, scheduler: str | None = None
) -> Executor:
    """A Dask cluster when ``scheduler`` is given (``local``: a LocalCluster of ``jobs``
    workers); else in process for one job or ``--jobs 1``; else a pool of min(jobs, todo)
    workers."""
    if scheduler:
        from .dask_executor import DaskExecutor

        return DaskExecutor(scheduler, workers=max(1, jobs))
    workers = min(max(1, jobs), todo)
    if workers <= 1 or os.name != "posix":
        return InProcess(builder)
    return ProcessPool(workers, builder)
