#!/usr/bin/env python3
"""Organisation-scale batch: 150 generated clinics × 2 topics × clear-print A4 = 300 handouts.

    python bench/batch.py                 # --jobs 1, --jobs 2, --scheduler local (2 workers)
    python bench/batch.py --sites 50      # a smaller batch (memory as the batch grows)
    python bench/batch.py --json          # machine-readable

Everything printed is measured in this run, on this machine:
- docs/s: 300 documents from an empty output folder, wall clock around ``pipeline.build()``
  (workers starting, content loading, rendering, writing and the manifest included);
- peak memory per worker: the largest ``ru_maxrss`` each rendering process reported with its
  documents (for --jobs 1 the building process itself), and the same after the first third
  of its documents, to show whether memory grows with the batch;
- client time: seconds the building process spent writing files (``store``) and the
  manifest (``write_manifest``), measured around those calls during the Dask run;
- snapshot: the bytes of content/ + templates/ that every Dask build sends once per worker;
- load: the 1-minute load average before and after each run (the machine may be shared).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from medbrief import pipeline  # noqa: E402
from medbrief.jobs import Filters  # noqa: E402
from medbrief.loader import load_project  # noqa: E402
from medbrief.snapshot import make_snapshot  # noqa: E402

PLAN = """\
title: Batch benchmark
documents:
  - name: handout
    title: Patient handout for each clinic
    template: handout.html.j2
    audience: patient
    format: pdf
    per: topic
    sites: sites.csv
    papers: [a4]
    variants: [clear]
    output: sites/{site}/{topic}-{variant}-print-{paper}.pdf
    sections: [who-it-may-help, risks, challenges, research-status]
    max_pages: 3
"""
"""The shipped per-site row of content/documents.yaml (same sections and page limit)."""

TOWNS = [
    "Ashford",
    "Bramley",
    "Carrow",
    "Dunmore",
    "Elmstead",
    "Fairholm",
    "Glenross",
    "Harwick",
    "Ivybridge",
    "Kestrel",
]


def sites_csv(n: int) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["id", "name", "phone", "email", "address", "website"])
    for i in range(n):
        town = TOWNS[i % len(TOWNS)]
        w.writerow(
            [
                f"clinic-{i:03d}",
                f"{town} Neurology Clinic {i}",
                f"01632 960 {i:03d}",
                f"ms-team{i}@{town.lower()}.example",
                f"{i} High Street, {town}",
                f"https://{town.lower()}.example/clinic-{i:03d}" if i % 5 else "",
            ]
        )
    return out.getvalue()


def make_project(target: Path, n_sites: int) -> Path:
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "content" / "documents.yaml").write_text(PLAN, "utf-8")
    (target / "content" / "sites.csv").write_text(sites_csv(n_sites), "utf-8")
    return target


class ClientClock:
    """Time the building process spends in store() and write_manifest()."""

    def __init__(self):
        self.store = self.manifest = 0.0
        self._store, self._manifest = pipeline.store, pipeline.write_manifest

    def __enter__(self):
        def store(*a, **k):
            t = time.perf_counter()
            try:
                return self._store(*a, **k)
            finally:
                self.store += time.perf_counter() - t

        def write_manifest(*a, **k):
            t = time.perf_counter()
            try:
                return self._manifest(*a, **k)
            finally:
                self.manifest += time.perf_counter() - t

        pipeline.store, pipeline.write_manifest = store, write_manifest
        return self

    def __exit__(self, *exc):
        pipeline.store, pipeline.write_manifest = self._store, self._manifest


def worker_memory(report) -> dict[str, dict[str, float]]:
    """Peak RSS (MB) per rendering process, at the end and after its first third of documents.

    Renditions carry the ru_maxrss of the process that rendered them, which only grows; a
    process is told apart by the pid it reports."""
    by_worker: dict[int, list[int]] = defaultdict(list)
    for r in report.results:
        by_worker[r.pid].append(r.peak_rss_kb)
    return {
        str(pid): {
            "documents": len(peaks),
            "peak_mb": max(peaks) / 1024,
            "peak_mb_after_first_third": max(peaks[: max(1, len(peaks) // 3)]) / 1024,
        }
        for pid, peaks in by_worker.items()
    }


def run(project: Path, outdir: Path, label: str, **kwargs) -> dict:
    load_before = os.getloadavg()[0]
    with ClientClock() as clock:
        started = time.perf_counter()
        report = pipeline.build(project, outdir, Filters(), force=True, **kwargs)
        seconds = time.perf_counter() - started
    failures = [str(r.error) for r in report.failures]
    n = len(report.results)
    render = sorted(r.seconds for r in report.results)
    return {
        "mode": label,
        "documents": n,
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": round(seconds, 2),
        "docs_per_s": round(n / seconds, 2),
        "render_s_median": round(render[len(render) // 2], 3) if render else None,
        "client_store_s": round(clock.store, 2),
        "client_manifest_s": round(clock.manifest, 2),
        "workers": worker_memory(report),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=150)
    ap.add_argument("--modes", default="jobs1,jobs2,dask2")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    results = {"sites": args.sites, "cores": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", args.sites)
        loaded = load_project(project)
        started = time.perf_counter()
        snapshot = make_snapshot(project)
        results["snapshot_bytes"] = len(snapshot)
        results["snapshot_seconds"] = round(time.perf_counter() - started, 3)
        results["sites_csv_bytes"] = (project / "content" / "sites.csv").stat().st_size
        del loaded
        modes = {
            "jobs1": dict(jobs=1),
            "jobs2": dict(jobs=2),
            "dask2": dict(jobs=2, scheduler="local"),
        }
        for name in args.modes.split(","):
            out = Path(tmp) / f"out-{name}"
            results["runs"].append(run(project, out, name, **modes[name]))
            if results["runs"][-1]["failed"]:  # a throughput of failures measures nothing
                print(json.dumps(results["runs"][-1]), file=sys.stderr)
                return 1
            if not args.json:
                print(json.dumps(results["runs"][-1]), flush=True)
            shutil.rmtree(out)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(json.dumps({k: v for k, v in results.items() if k != "runs"}))
        one = next((r for r in results["runs"] if r["mode"] == "jobs1"), None)
        for r in results["runs"]:
            if one and r is not one:
                print(f"{r['mode']}: {r['docs_per_s'] / one['docs_per_s']:.2f}× --jobs 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
