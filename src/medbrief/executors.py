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
  created the engines (:meth:`~medbrief.pipeline.Builder.warm`), so none of that is paid
  again; when other threads are running they start from a fork server instead and load the
  project themselves.  Loading the PDF engine is the slowest step before rendering (about
  0.5 s, one core), so :meth:`ProcessPool.start` first forks one early worker for the decks
  and web pages, which need no PDF engine: they are made on the other core meanwhile.
  Workers ignore Ctrl-C; the building process stops them (no stray processes) and, since
  only it writes, no partial file is left.  A worker that dies, or that overruns the
  document time limit by more than :data:`GRACE_SECONDS` (stuck inside an engine, where the
  in-worker alarm cannot fire), fails only its document and is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
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


def _send(conn: Connection, setup: BuildSetup, output: str, rendition: Rendition) -> bool:
    """Send a rendition to the building process; False when it is gone."""
    try:
        try:
            conn.send(rendition)
        except (OSError, EOFError):
            return False
        except Exception as e:  # e.g. an error that cannot be pickled: send what we can
            error = RenderError(f"{type(e).__name__}: {e}", location=Location(output))
            conn.send(setup.failed(output, error, rendition.seconds))
    except (OSError, EOFError):
        return False
    return True


class _Outbox:
    """Sends a worker's renditions from a thread, in order, so that it renders on while the
    building process is not reading yet (a pipe holds 64 KB; a deck is more)."""

    def __init__(self, conn: Connection, setup: BuildSetup):
        self.items: queue.SimpleQueue = queue.SimpleQueue()
        self.open = True
        self.thread = threading.Thread(target=self._run, args=(conn, setup), daemon=True)
        self.thread.start()

    def _run(self, conn: Connection, setup: BuildSetup) -> None:
        while (item := self.items.get()) is not None:
            if not _send(conn, setup, *item):
                self.open = False
                return

    def put(self, output: str, rendition: Rendition) -> bool:
        self.items.put((output, rendition))
        return self.open

    def close(self) -> None:
        self.items.put(None)
        self.thread.join()


def _worker_main(setup: BuildSetup, conn: Connection, parent: int) -> None:
    """A worker process: render what it is sent until told to stop.  A message is one output
    (send its rendition back, then wait for the next) or a list of them (render them all,
    sending each rendition as the building process reads it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the building process handles Ctrl-C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    if parent and os.getppid() != parent:  # it died before the line above
        return
    outbox: _Outbox | None = None
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            if isinstance(message, str):
                if not _send(conn, setup, message, setup.render(message)):
                    return
                continue
            outbox = outbox or _Outbox(conn, setup)
            for output in message:
                if not outbox.put(output, setup.render(output)):
                    return
    finally:
        if outbox is not None:
            outbox.close()


class _Worker:
    def __init__(self, ctx, setup: BuildSetup, early: bool = False):
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
        self.early = early
        """Forked before the engines were loaded: renders only what it was given at first."""
        self.tasks: deque[str] = deque()
        """The outputs sent and not yet returned, in the order the worker renders them."""
        self.started = 0.0
        """When the first of ``tasks`` began (about: when the one before it came back)."""

    @property
    def task(self) -> str | None:
        """The output this worker renders now, if any."""
        return self.tasks[0] if self.tasks else None

    def send(self, output: str | list[str]) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.extend([output] if isinstance(output, str) else output)
        self.conn.send(output)

    def returned(self) -> str:
        """The first task came back: the next one began about now."""
        self.started = time.monotonic()
        return self.tasks.popleft()

    def stop(self, wait_seconds: float = 2.0) -> None:
        with contextlib.suppress(OSError):
            if self.process.is_alive() and not self.tasks:
                self.conn.send(None)
        self.process.join(wait_seconds if not self.tasks else 0)
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
        self._retired: list[_Worker] = []
        self._early: frozenset[str] = frozenset()
        self.pids: list[int] = []
        """Every worker process id this pool started (for tests and the benchmark)."""

    def _context(self):
        # fork shares the loaded project and engines; it is only safe with one thread
        method = "fork" if threading.active_count() == 1 else "forkserver"
        if method not in multiprocessing.get_all_start_methods():
            method = "spawn"
        return multiprocessing.get_context(method), method == "fork"

    def _start(self, ctx, setup: BuildSetup, early: bool = False) -> _Worker:
        worker = _Worker(ctx, setup, early)
        self._pool.append(worker)
        self.pids.append(worker.process.pid)
        return worker

    def start(self, setup: BuildSetup, outputs: Sequence[str]) -> None:
        """Fork one early worker, from the project alone, for the documents that need no PDF
        engine (decks, web pages): it renders them on one core while this process loads the
        engine, which the other workers are then forked with.  Only when both kinds are to be
        made and workers can be forked; it leaves when its documents are done."""
        ctx, fork = self._context()
        if not fork or self.builder is None or self.workers < 2:
            return
        needs = {j.output: j.needs_pdf_engine for j in plan_jobs(self.builder.project)}
        light = [o for o in outputs if not needs.get(o, True)]
        if not light or len(light) == len(outputs):
            return
        setup.prepare(self.builder)  # the project only: the worker makes the writers it needs
        self._start(ctx, setup, early=True).send(light)
        self._early = frozenset(light)

    def results(self, setup: BuildSetup, outputs: Sequence[str]) -> Iterator[Rendition]:
        ctx, fork = self._context()
        waiting = [o for o in outputs if o not in self._early]
        if fork and self.builder is not None:  # workers inherit the project and engines
            setup.prepare(self.builder, waiting)
        self._top_up(ctx, setup, waiting)
        while any(w.tasks for w in self._pool):
            busy = [w for w in self._pool if w.tasks]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=1.0)
            for worker in busy:
                rendition = self._collect(worker, ready, waiting)
                if rendition is None:
                    continue
                yield rendition
                if worker in self._pool and not worker.tasks:
                    if worker.early:  # done with what it was given: a warm worker follows it
                        self._retire(worker)
                    elif waiting:
                        worker.send(waiting.pop(0))
                self._top_up(ctx, setup, waiting)

    def _top_up(self, ctx, setup: BuildSetup, waiting: list[str]) -> None:
        """Start workers (forks of this process) for waiting outputs, up to ``workers``."""
        while waiting and len(self._pool) < self.workers:
            self._start(ctx, setup).send(waiting.pop(0))

    def _retire(self, worker: _Worker) -> None:
        """Tell an idle worker to leave; it is waited for at the end of the build."""
        self._pool.remove(worker)
        self._retired.append(worker)
        with contextlib.suppress(OSError):
            worker.conn.send(None)

    def _collect(self, worker: _Worker, ready: list, waiting: list[str]) -> Rendition | None:
        """The worker's next finished rendition, or a failed one if it died or overran (its
        other outputs go back to ``waiting``); else None."""
        output = worker.task
        if output is None:
            return None
        if worker.conn in ready:
            try:
                rendition = worker.conn.recv()
                worker.returned()
                return rendition
            except (EOFError, OSError):
                pass  # it died while sending: handled below
        overran = self.time_limit and time.monotonic() - worker.started > (
            self.time_limit + GRACE_SECONDS
        )
        if worker.process.sentinel not in ready and worker.conn not in ready and not overran:
            return None
        seconds = time.monotonic() - worker.started
        worker.returned()
        waiting[:0], worker.tasks = list(worker.tasks), deque()
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
        pool, self._pool = self._pool + self._retired, []
        self._retired = []
        for worker in pool:  # ask idle workers to leave, stop busy ones
            with contextlib.suppress(OSError):
                if not worker.tasks:
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
