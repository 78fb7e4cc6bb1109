#!/usr/bin/env python3
"""The speed targets of issue 10, measured and printed side by side with the machine.

    python bench/bench.py             # every measure; --json for machine-readable output
    python bench/bench.py --batch 0   # skip the 100-handout batch

Every build runs as a fresh `python build.py` process into a fresh output folder unless the
measure says otherwise; times are wall clock.  Measured, not estimated:

- full: the default build (`--jobs` = cores), content checks included; the median of three;
- weasyprint: one `weasyprint --pdf-variant pdf/ua-1 FILE.html FILE.pdf` command per PDF, on
  the HTML the build writes with --html (same fonts, same assets); its time per PDF against
  the full build's time per document;
- no-op: the same build again into the same folder (nothing changed): its time against the
  full build's, and whether any file was rewritten (inode or modification time changed);
  then again without the build state (medbrief.buildstate), i.e. the normal way: the project
  loaded, the content checked, every fingerprint compared;
- one topic edited: which documents the next build rebuilt;
- --jobs 2 against --jobs 1, each a fresh process and folder;
- batch: N handouts (one clear-print A4 handout per generated topic, copies of a real topic
  under new ids, content checks off) with --jobs 1 and --jobs 2, and the peak resident memory
  of each worker at N/4, N/2 and N (it includes the pages a forked worker shares with the
  building process, whose loaded project grows with the topics), and how much of it the
  worker added after its first document (what rendering more documents costs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from medbrief.buildstate import state_path  # noqa: E402

BUILD = [sys.executable, str(ROOT / "build.py")]
FULL_RUNS = 3
"""The full build is timed this many times (fresh process and folder each); the median counts."""
TARGETS = {
    "speedup_vs_weasyprint": 5.0,
    "noop_share": 0.10,
    "jobs2_vs_jobs1": 1.4,
    "batch_jobs2_vs_jobs1": 1.7,
}


def machine() -> dict:
    load = os.getloadavg()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        model = next(
            (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), ""
        )
    import ctypes.util

    return {
        "cpu": model,
        "cores": cores,
        "python": platform.python_version(),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "harfbuzz_subset": ctypes.util.find_library("harfbuzz-subset") is not None,
    }


def run_build(*args: str, project: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run([*BUILD, "--project", str(project), "-q", *args], check=True)
    return time.perf_counter() - started


def files_state(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text("utf-8"))["files"]


def weasyprint_cli(out: Path) -> dict[str, float]:
    exe = shutil.which("weasyprint") or "weasyprint"
    per = {}
    for entry in manifest(out):
        if entry["format"] != "pdf":
            continue
        html = (out / entry["path"]).with_suffix(".html")
        started = time.perf_counter()
        subprocess.run(
            [exe, "--pdf-variant", "pdf/ua-1", str(html), str(out / "cli.pdf")],
            check=True,
            capture_output=True,
        )
        per[entry["path"]] = time.perf_counter() - started
    return per


def copy_project(target: Path) -> Path:
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def one_topic_edited(tmp: Path) -> dict:
    project = copy_project(tmp / "edit-project")
    out = tmp / "edit-out"
    run_build("-o", str(out), project=project)
    topic = sorted((project / "content" / "topics").glob("*.yaml"))[0]
    with topic.open("a", encoding="utf-8") as f:
        f.write("# edited by bench/bench.py\n")
    before = {e["path"]: e["sha256"] for e in manifest(out)}
    state = files_state(out)
    seconds = run_build("-o", str(out), project=project)
    after = files_state(out)
    rebuilt = sorted(p for p in before if state.get(p) != after.get(p))
    expected = sorted(e["path"] for e in manifest(out) if topic.stem in e["topics"])
    return {
        "topic": topic.stem,
        "seconds": seconds,
        "rebuilt": rebuilt,
        "expected": expected,
        "only_its_documents": rebuilt == expected,
    }


BATCH_PLAN = """\
title: Benchmark batch
documents:
  - name: handout
    title: Patient handout
    template: handout.html.j2
    audience: patient
    format: pdf
    per: topic
    papers: [a4]
    variants: [clear]
    output: handouts/{topic}-{variant}-{paper}.pdf
    sections: [who-it-may-help, risks, research-status]
    max_pages: 2
"""

BATCH_RUN = """\
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from medbrief.pipeline import build
report = build(Path(sys.argv[2]), Path(sys.argv[3]), jobs=int(sys.argv[4]))
peak, first = {}, {}
for r in report.results:  # a worker's peak only grows: its smallest is after its first document
    peak[r.pid] = max(peak.get(r.pid, 0), r.peak_rss_kb)
    first[r.pid] = min(first.get(r.pid, r.peak_rss_kb), r.peak_rss_kb)
print(json.dumps({"ok": report.ok, "failures": [str(r.error) for r in report.failures][:3],
                  "documents": len(report.results), "seconds": report.seconds,
                  "peak_rss_mb": [round(v / 1024, 1) for v in peak.values()],
                  "grew_mb": [round((peak[p] - first[p]) / 1024, 1) for p in peak]}))
"""


def batch_project(tmp: Path, n: int) -> Path:
    project = copy_project(tmp / f"batch-{n}")
    topics = project / "content" / "topics"
    source = (topics / "car-t-ms.yaml").read_text("utf-8")
    for path in topics.glob("*.yaml"):
        path.unlink()
    for i in range(n):
        topic_id = f"generated-{i:03d}"
        text = re.sub(r"(?m)^id: .*$", f"id: {topic_id}", source, count=1)
        (topics / f"{topic_id}.yaml").write_text(text, "utf-8")
    (project / "content" / "documents.yaml").write_text(BATCH_PLAN, "utf-8")
    return project


def batch(tmp: Path, n: int, jobs: int) -> dict:
    project = batch_project(tmp, n) if not (tmp / f"batch-{n}").exists() else tmp / f"batch-{n}"
    out = tmp / f"batch-{n}-out-{jobs}"
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", BATCH_RUN, str(ROOT / "src"), str(project), str(out), str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(run.stdout)
    result["wall_seconds"] = time.perf_counter() - started
    assert result["ok"] and result["documents"] == n, result  # failures are in the output
    return result


def measure(batch_size: int) -> dict:
    result: dict = {"machine_before": machine()}
    with tempfile.TemporaryDirectory(prefix="medbrief-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # the median of FULL_RUNS, each into a fresh folder; the last one's is kept for the no-op
        fulls = [run_build("-o", str(tmp / f"full-{i}")) for i in range(FULL_RUNS - 1)]
        fulls.append(run_build("-o", str(tmp / "full")))
        full = statistics.median(fulls)
        docs = len(manifest(tmp / "full"))
        state = files_state(tmp / "full")
        recorded = state_path(tmp / "full").is_file()  # else the no-op takes the normal way
        noop = run_build("-o", str(tmp / "full"))
        state_path(tmp / "full").unlink(missing_ok=True)  # the normal way: load, check, hash
        noop_normal = run_build("-o", str(tmp / "full"))
        rewritten = sorted(p for p, s in files_state(tmp / "full").items() if state.get(p) != s)
        run_build("--jobs", "1", "--html", "-o", str(tmp / "html"))
        cli = weasyprint_cli(tmp / "html")
        jobs1 = run_build("--jobs", "1", "-o", str(tmp / "jobs1"))
        jobs2 = run_build("--jobs", "2", "-o", str(tmp / "jobs2"))
        per_doc = full / docs
        per_pdf_cli = sum(cli.values()) / len(cli)
        result.update(
            {
                "documents": docs,
                "pdfs": len(cli),
                "full_build_seconds": full,
                "full_build_runs_seconds": fulls,
                "full_build_seconds_per_document": per_doc,
                "weasyprint_cli_seconds": sum(cli.values()),
                "weasyprint_cli_seconds_per_pdf": per_pdf_cli,
                "speedup_vs_weasyprint": per_pdf_cli / per_doc,
                "speedup_vs_weasyprint_whole": sum(cli.values()) / full,
                "noop_seconds": noop,
                "noop_share": noop / full,
                "noop_state_recorded": recorded,
                "noop_normal_way_seconds": noop_normal,
                "noop_normal_way_share": noop_normal / full,
                "noop_files_rewritten": rewritten,
                "jobs1_seconds": jobs1,
                "jobs2_seconds": jobs2,
                "jobs2_vs_jobs1": jobs1 / jobs2,
                "one_topic_edited": one_topic_edited(tmp),
            }
        )
        if batch_size:
            sizes = sorted({max(1, batch_size // 4), max(1, batch_size // 2), batch_size})
            runs = {n: batch(tmp, n, 2) for n in sizes}
            one = batch(tmp, batch_size, 1)
            result["batch"] = {
                "size": batch_size,
                "jobs1_seconds": one["seconds"],
                "jobs2_seconds": runs[batch_size]["seconds"],
                "batch_jobs2_vs_jobs1": one["seconds"] / runs[batch_size]["seconds"],
                "jobs1_peak_rss_mb": one["peak_rss_mb"],
                "jobs2_peak_rss_mb_per_worker_by_size": {
                    n: r["peak_rss_mb"] for n, r in runs.items()
                },
                "jobs2_grew_mb_per_worker_by_size": {n: r["grew_mb"] for n, r in runs.items()},
            }
            result["batch_jobs2_vs_jobs1"] = result["batch"]["batch_jobs2_vs_jobs1"]
    result["machine_after"] = machine()
    return result


def verdict(name: str, value: float) -> str:
    target = TARGETS[name]
    ok = value <= target if name == "noop_share" else value >= target
    return (
        f"{'met' if ok else 'NOT met'} (target {'≤' if name == 'noop_share' else '≥'} "
        f"{target:g}{'' if name == 'noop_share' else '×'})"
    )


def report(r: dict) -> None:
    m = r["machine_before"]
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
        f"libharfbuzz-subset {'installed' if m['harfbuzz_subset'] else 'NOT installed'}"
    )
    print(
        f"load average (1/5/15 min): before {m['load_average_1_5_15']}, "
        f"after {r['machine_after']['load_average_1_5_15']}"
    )
    print(f"documents: {r['documents']} ({r['pdfs']} PDFs)\n")
    rows = [
        (
            "full default build, fresh process and folder",
            f"{r['full_build_seconds']:.2f} s",
            f"{r['full_build_seconds_per_document']:.2f} s per document (median of "
            + ", ".join(f"{t:.2f}" for t in r["full_build_runs_seconds"])
            + " s)",
        ),
        (
            "one `weasyprint` command per PDF, same HTML",
            f"{r['weasyprint_cli_seconds']:.2f} s",
            f"{r['weasyprint_cli_seconds_per_pdf']:.2f} s per PDF",
        ),
        (
            "  → per document against per PDF",
            f"{r['speedup_vs_weasyprint']:.1f}×",
            verdict("speedup_vs_weasyprint", r["speedup_vs_weasyprint"]),
        ),
        (
            "  → whole build against the PDFs' commands",
            f"{r['speedup_vs_weasyprint_whole']:.1f}×",
            "(the build also makes the decks)",
        ),
        (
            "no-op rebuild, fresh process",
            f"{r['noop_seconds']:.2f} s",
            f"{r['noop_share']:.0%} of the full build, {verdict('noop_share', r['noop_share'])}; "
            f"{len(r['noop_files_rewritten'])} files rewritten"
            + ("" if r["noop_state_recorded"] else " (NO build state: the normal way)"),
        ),
        (
            "  the same, the normal way (state removed)",
            f"{r['noop_normal_way_seconds']:.2f} s",
            f"{r['noop_normal_way_share']:.0%} of the full build: loads the project, runs the "
            "content checks, compares fingerprints",
        ),
        (
            "--jobs 1 / --jobs 2",
            f"{r['jobs1_seconds']:.2f} / {r['jobs2_seconds']:.2f} s",
            f"{r['jobs2_vs_jobs1']:.2f}× {verdict('jobs2_vs_jobs1', r['jobs2_vs_jobs1'])}",
        ),
    ]
    edit = r["one_topic_edited"]
    rows.append(
        (
            f"one topic edited ({edit['topic']})",
            f"{edit['seconds']:.2f} s",
            f"{len(edit['rebuilt'])} rebuilt, "
            f"{'only its documents' if edit['only_its_documents'] else 'NOT only its'}",
        )
    )
    if "batch" in r:
        b = r["batch"]
        rows.append(
            (
                f"{b['size']}-handout batch, --jobs 1 / --jobs 2",
                f"{b['jobs1_seconds']:.2f} / {b['jobs2_seconds']:.2f} s",
                f"{b['batch_jobs2_vs_jobs1']:.2f}× "
                f"{verdict('batch_jobs2_vs_jobs1', b['batch_jobs2_vs_jobs1'])}",
            )
        )
        mem = "; ".join(
            f"N={n}: {', '.join(f'{v:.0f}' for v in peaks)} MB"
            for n, peaks in b["jobs2_peak_rss_mb_per_worker_by_size"].items()
        )
        rows.append(("peak RSS per worker (--jobs 2)", "", mem))
        grew = "; ".join(
            f"N={n}: {', '.join(f'+{v:.1f}' for v in growth)} MB"
            for n, growth in b["jobs2_grew_mb_per_worker_by_size"].items()
        )
        rows.append(("  of it, grown after the first document", "", grew))
        rows.append(("peak RSS, --jobs 1", "", f"{b['jobs1_peak_rss_mb'][0]:.0f} MB"))
    width = max(len(a) for a, _, _ in rows)
    for a, b_, c in rows:
        print(f"{a:<{width}}  {b_:>14}  {c}")
    print("\nrebuilt after the edit:", ", ".join(edit["rebuilt"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--batch", type=int, default=100, help="batch size (0 skips it)")
    args = ap.parse_args()
    result = measure(args.batch)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
