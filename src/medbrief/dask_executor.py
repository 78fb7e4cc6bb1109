"""Render on a Dask cluster: ``--scheduler tcp://HOST:PORT`` or ``--scheduler local``.

Dask's distributed scheduler places the tasks, moves the data and retries the tasks of a
worker that is lost.  medbrief only decides what a task carries and what comes back:

- Each task renders one document.  It carries the document's output path (which names the
  job in the plan), the build's settings (date, --html) and the content snapshot
  (:mod:`medbrief.snapshot`: content/ and templates/ as a tar archive, scattered to the
  workers once per build and cached by its SHA-256).  Workers need no shared file system,
  only medbrief installed, the same version as the building machine.
- A task returns a :class:`~medbrief.pipeline.Rendition`: the file's bytes, pages, warnings
  and timings, or the document's error.  The building machine writes every file atomically
  and the manifest, exactly as for a local build, so the outputs are byte-identical.
- Results are taken as they finish (``as_completed``), so progress follows the cluster.
- A task whose worker dies is rescheduled by Dask on another worker; a task that kills
  :data:`ALLOWED_FAILURES` workers in a row fails its document (KilledWorker).  When the
  cluster has had no worker for :data:`NO_WORKER_SECONDS`, the remaining documents fail
  with that message instead of waiting for ever.

``dask[distributed]`` is an optional dependency (``pip install -e ".[dask]"``); it is only
imported when ``--scheduler`` is used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import replace

from . import __version__
from .errors import MedbriefError, RenderError, SetupError
from .executor_base import BuildSetup, Executor, Rendition
from .snapshot import SITES_OVERRIDE, Snapshot, make_snapshot, unpack_snapshot

NO_WORKER_SECONDS = 60.0
"""How long a build waits for the cluster to have at least one worker before failing."""

WORKER_PROFILER = "distributed.worker.profile.enabled"
"""Dask's setting for its worker profiler, off for ``--scheduler local``; for a cluster of your
own, start workers with ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``."""

ALLOWED_FAILURES = 3
"""Dask's default ``distributed.scheduler.allowed-failures``: workers a task may be on when
they die before its document fails (KilledWorker)."""


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise SetupError(
            "--scheduler needs Dask's distributed scheduler, which is not installed",
            hint='pip install -e ".[dask]"  (or: pip install "dask[distributed]")',
        ) from None
    return distributed


def render_remote(
    snapshot: bytes, digest: str, setup: BuildSetup, output: str, version: str
) -> Rendition:
    """The Dask task: render ``output`` from the snapshot, on whichever worker runs it."""
    started = time.perf_counter()
    try:
        if version != __version__:
            raise RenderError(
                f"{output}: this worker has medbrief {__version__}; the build "
                f"was started with {version}",
                hint="install the same medbrief version on every worker",
            )
        root = unpack_snapshot(snapshot, digest)
        sites = root / SITES_OVERRIDE if setup.sites is not None else None
        local = replace(setup, root=root, build_id=digest + setup.build_id, sites=sites)
    except MedbriefError as e:
        return setup.failed(output, e, time.perf_counter() - started)
    return local.render(output)


def _snapshot_bytes(data: bytes) -> bytes:
    """The content snapshot, as a task result the scheduler can recompute."""
    return data


class DaskExecutor(Executor):
    """Send every document to a Dask cluster; yield the renditions as they finish."""

    def __init__(self, scheduler: str, workers: int = 2, snapshot: Snapshot | None = None):
        self.scheduler = scheduler
        self.workers = workers
        self.snapshot = snapshot
        self._setup: BuildSetup | None = None
        self.client = None
        self.cluster = None
        self.worker_pids: list[int] = []
        """The process ids of the cluster's workers (for the benchmark's memory figures)."""

    def _connect(self):
        distributed = _import_distributed()
        if self.scheduler == "local":
            import dask

            # Dask's statistical profiler samples the task thread's stack every 10 ms and
            # keeps an hour of it: WeasyPrint's deep stacks made each worker grow by 0.2 MB a
            # document and cost 10 % of throughput (measured; see the README)
            with dask.config.set({WORKER_PROFILER: False}):
                self.cluster = distributed.LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # never the default 8787 another cluster may hold
                    silence_logs=40,
                )
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError) as e:
                raise SetupError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {e}",
                    hint="start it with `dask scheduler`, or check the address (tcp://HOST:PORT)",
                ) from None
        self.worker_pids = sorted(self.client.run(os.getpid).values())
        return distributed

    def results(self, setup: BuildSetup, outputs: Sequence[str]) -> Iterator[Rendition]:
        self._setup = setup
        distributed = self._connect()
        snapshot = self.snapshot or make_snapshot(setup.root, setup.sites)
        no_worker = (
            f"the Dask cluster at {self.scheduler} has had no worker for {NO_WORKER_SECONDS:g} s"
        )
        try:
            self.client.wait_for_workers(1, timeout=NO_WORKER_SECONDS)
            # a task, not scattered data: if the worker holding it dies, the scheduler can
            # compute it again from the bytes in its spec (scattered data would be lost, and
            # every document depending on it cancelled)
            shared = self.client.submit(
                _snapshot_bytes,
                snapshot.data,
                pure=False,
                key=f"medbrief-snapshot-{setup.build_id}",
            )
        except TimeoutError:  # distributed.TimeoutError is the built-in one
            yield from self._fail(outputs, no_worker)
            return
        names: dict[str, str] = {}  # future key -> output (no future kept once collected,
        pending = set()  # so each result is dropped from its worker's memory)
        for i, output in enumerate(outputs):
            future = self.client.submit(
                render_remote,
                shared,
                snapshot.digest,
                setup,
                output,
                __version__,
                key=f"medbrief-{setup.build_id}-{i}",
                pure=False,
                retries=0,
            )
            names[future.key] = output
            pending.add(future)
        last_worker = time.monotonic()
        while pending:
            try:
                finished, _ = distributed.wait(
                    list(pending), timeout=2.0, return_when="FIRST_COMPLETED"
                )
            except CancelledError as e:  # the cluster dropped them: fail, never a traceback
                left = sorted(names[f.key] for f in pending)
                pending.clear()
                yield from self._fail(
                    left,
                    f"the Dask cluster at {self.scheduler} cancelled it ({e.__class__.__name__})",
                )
                return
            except TimeoutError:
                if self.client.scheduler_info().get("workers"):
                    last_worker = time.monotonic()
                elif time.monotonic() - last_worker > NO_WORKER_SECONDS:
                    left = sorted(names[f.key] for f in pending)
                    for future in pending:
                        future.cancel()
                    pending.clear()
                    yield from self._fail(left, no_worker)
                    return
                continue
            pending -= finished
            for future in sorted(finished, key=lambda f: names[f.key]):
                rendition = self._rendition(future, names[future.key], distributed)
                future.release()
                yield rendition
            del finished

    def _rendition(self, future, output: str, distributed) -> Rendition:
        try:
            rendition = future.result()
        except distributed.KilledWorker:
            return self._setup.failed(
                output,
                RenderError(
                    f"{output}: the Dask workers rendering it died ({ALLOWED_FAILURES} tries)",
                    hint="build it again with --jobs 1 --debug to see why",
                ),
            )
        except MedbriefError as e:
            return self._setup.failed(output, e)
        except Exception as e:  # the task raised what render_job does not contain
            return self._setup.failed(
                output,
                RenderError(
                    f"{output}: {type(e).__name__} on a Dask worker: {e}",
                    hint="build it again with --jobs 1 --debug to see why",
                ),
            )
        expected = type(self._setup.failed(output, RenderError("")))
        if not isinstance(rendition, expected) or rendition.output != output:
            return self._setup.failed(
                output, RenderError(f"{output}: a worker returned something else")
            )
        return rendition

    def _fail(self, outputs: Sequence[str], why: str) -> Iterator[Rendition]:
        for output in outputs:
            yield self._setup.failed(
                output,
                RenderError(
                    f"{output}: not built: {why}",
                    hint="start workers (`dask worker tcp://HOST:PORT`) and build again",
                ),
            )

    def close(self) -> None:
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
