"""Dask: a real `dask scheduler` and `dask worker` processes on 127.0.0.1, started here.

The workers are separate processes with their own working folder; they get each document's
content from the snapshot the build sends, never from the project folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from medbrief import dask_executor
from medbrief.cli import main
from medbrief.jobs import Filters
from medbrief.pipeline import BuildSetup, build
from medbrief.snapshot import make_snapshot, unpack_snapshot

distributed = pytest.importorskip("distributed")

SITES = (
    "id,name,phone,email,website\n"
    "north,North Clinic,+44 1632 960001,north@clinic.example,https://north.example/ms\n"
    'south,"South Clinic, ""Main""",=1632960002,south@clinic.example,\n'
)

SITES_ROW = """
  - name: handout
    title: Patient handout for each clinic
    template: handout.html.j2
    audience: patient
    format: pdf
    per: topic
    sites: sites.csv
    papers: [a4]
    variants: [clear]
    output: sites/{site}/{topic}-{variant}-{paper}.pdf
    max_pages: 2
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


class Cluster:
    """A scheduler and workers as separate processes on loopback."""

    def __init__(self, tmp: Path, workers: int):
        self.tmp, self.procs, self.workers = tmp, [], []
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.procs.append(
            self._start(
                [
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    self.address.rsplit(":", 1)[1],
                    "--no-dashboard",
                ]
            )
        )
        for _ in range(workers):
            self.add_worker()
        with distributed.Client(self.address, timeout="60s") as client:  # scheduler is up
            if workers:
                client.wait_for_workers(workers, timeout=120)

    def _start(self, args: list[str]) -> subprocess.Popen:
        workdir = self.tmp / f"proc-{len(self.procs)}"
        workdir.mkdir(parents=True)
        with open(workdir / "log.txt", "wb") as log:  # the process keeps its own copy
            return subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
                cwd=workdir,
                env=dask_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def add_worker(self) -> subprocess.Popen:
        proc = self._start(
            [
                "worker",
                self.address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--name",
                f"w{len(self.workers)}",
            ]
        )
        self.procs.append(proc)
        self.workers.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield cluster
    cluster.stop()


@pytest.fixture
def sites_project(mini_project):
    mini_project.write("content/sites.csv", SITES)
    mini_project.write(
        "content/documents.yaml", mini_project.read("content/documents.yaml") + SITES_ROW
    )
    return mini_project


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


def run(project, *args: str) -> int:
    return main(["--project", str(project.root), "--no-check", "-q", *args])


def test_a_build_on_two_dask_workers_is_byte_identical_to_a_local_one(
    cluster, sites_project, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert run(sites_project, "-o", str(local), "--jobs", "1") == 0
    assert run(sites_project, "-o", str(remote), "--scheduler", cluster.address) == 0, (
        capsys.readouterr().err
    )
    built = outputs(local)
    assert len(built) == 2 * 4 + 2 + 1 + 2 * 2  # handouts, summaries, briefing, 2 clinics
    assert "sites/south/alpha-topic-clear-a4.pdf" in built
    assert outputs(remote) == built
    assert (remote / "manifest.json").read_bytes() == (local / "manifest.json").read_bytes()


def test_sites_option_travels_in_the_snapshot(cluster, sites_project, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_text("id,name,phone,email\nwest,West Clinic,1,west@clinic.example\n")
    out = tmp_path / "out"
    assert (
        run(
            sites_project,
            "-o",
            str(out),
            "--sites",
            str(other),
            "-d",
            "handout",
            "-t",
            "beta-topic",
            "--scheduler",
            cluster.address,
        )
        == 0
    ), capsys.readouterr().err
    sites = sorted(p for p in outputs(out) if p.startswith("sites/"))
    assert sites == ["sites/west/beta-topic-clear-a4.pdf"]
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert {r["site"] for r in manifest if r["path"].startswith("sites/")} == {"west"}


def test_a_failed_document_is_reported_like_a_local_failure(
    cluster, sites_project, tmp_path, capsys
):
    sites_project.edit(
        "content/topics/alpha-topic.yaml",
        "    plain: [Some risks.]",
        "    plain: [" + ", ".join(["Some risks that go on and on."] * 30) + "]",
    )
    filters = ["-d", "handout", "-t", "alpha-topic", "-f", "pdf"]
    assert run(sites_project, "-o", str(tmp_path / "a"), "--jobs", "1", *filters) == 1
    local_err = capsys.readouterr().err
    assert (
        run(sites_project, "-o", str(tmp_path / "b"), "--scheduler", cluster.address, *filters) == 1
    )
    remote_err = capsys.readouterr().err
    assert "max_pages here is 2" in local_err
    # the same messages, hints and summary line (documents may finish in another order)
    assert sorted(remote_err.splitlines()) == sorted(local_err.splitlines())
    assert outputs(tmp_path / "a").keys() == outputs(tmp_path / "b").keys()


def test_a_lost_worker_task_is_retried_and_the_build_finishes(tmp_path, sites_project):
    cluster = Cluster(tmp_path / "cluster", workers=2)
    try:
        victim = cluster.workers[0]
        out = tmp_path / "out"
        build_proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "--project",
                str(sites_project.root),
                "--no-check",
                "-q",
                "-o",
                str(out),
                "--scheduler",
                cluster.address,
            ],
            env=dask_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        with distributed.Client(cluster.address, timeout="30s") as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # kill it while it renders a document
                busy = {w: tasks for w, tasks in client.processing().items() if tasks}
                names = {
                    w: info.get("name") for w, info in client.scheduler_info()["workers"].items()
                }
                if any(names.get(w) == "w0" for w in busy):
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the worker never got a document")
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
        _, err = build_proc.communicate(timeout=300)
        assert build_proc.returncode == 0, err.decode()
        assert len(outputs(out)) == 2 * 4 + 2 + 1 + 2 * 2
    finally:
        cluster.stop()


def test_a_cluster_without_workers_fails_the_documents_instead_of_hanging(
    tmp_path, sites_project, monkeypatch
):
    cluster = Cluster(tmp_path / "cluster", workers=0)
    monkeypatch.setattr(dask_executor, "NO_WORKER_SECONDS", 3.0)
    try:
        started = time.monotonic()
        report = build(
            sites_project.root,
            tmp_path / "out",
            Filters(documents=frozenset({"briefing"})),
            scheduler=cluster.address,
        )
        assert time.monotonic() - started < 60
        (result,) = report.results
        assert "has had no worker for 3 s" in str(result.error)
    finally:
        cluster.stop()


def test_an_unreachable_scheduler_is_a_setup_error(sites_project, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{free_port()}"
    assert (
        run(sites_project, "-o", str(tmp_path / "out"), "-d", "briefing", "--scheduler", address)
        == 1
    )
    assert f"cannot reach the Dask scheduler at {address}" in capsys.readouterr().err


def test_scheduler_option_is_validated(capsys):
    with pytest.raises(SystemExit):
        main(["--scheduler", "10.0.0.5"])
    assert "expected `local` or a scheduler address" in capsys.readouterr().err


# --- the snapshot, without a cluster --------------------------------------------------------


def test_snapshot_is_deterministic_and_unpacks_what_it_packed(sites_project, tmp_path):
    first, second = make_snapshot(sites_project.root), make_snapshot(sites_project.root)
    assert first.data == second.data and first.digest == second.digest
    root = unpack_snapshot(first.data, first.digest)
    for name in ("content/documents.yaml", "content/sites.csv", "templates/handout.html.j2"):
        assert (root / name).read_bytes() == (sites_project.root / name).read_bytes()
    assert not (root / "output").exists()


def test_a_damaged_snapshot_is_refused(sites_project):
    snapshot = make_snapshot(sites_project.root)
    rendition = dask_executor.render_remote(
        snapshot.data[:-1] + b"x",
        snapshot.digest,
        BuildSetup(Path("/nowhere"), _date()),
        "briefing/demo-briefing-a4.pdf",
        dask_executor.__version__,
    )
    assert "arrived damaged" in str(rendition.error)


def test_a_worker_with_another_medbrief_version_refuses(sites_project):
    snapshot = make_snapshot(sites_project.root)
    rendition = dask_executor.render_remote(
        snapshot.data,
        snapshot.digest,
        BuildSetup(Path("/nowhere"), _date()),
        "briefing/demo-briefing-a4.pdf",
        "0.0.1",
    )
    assert "the build was started with 0.0.1" in str(rendition.error)


def _date():
    import datetime as dt

    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_local_cluster_runs_its_workers_without_the_stack_profiler():
    """Dask's profiler kept an hour of WeasyPrint's stacks: +0.2 MB a document per worker."""
    executor = dask_executor.DaskExecutor("local", workers=1)
    try:
        executor._connect()
        profiling = executor.client.run(
            lambda dask_worker: "profile" in dask_worker.periodic_callbacks
        )
        assert list(profiling.values()) == [False]
    finally:
        executor.close()
