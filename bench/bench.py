#!/usr/bin/env python3
"""Where does build time go?  Times the default build in one process, per document, and
compares it with one `weasyprint` command per PDF (the same HTML, rendered by the CLI).

    python bench/bench.py            # prints a table; --json for machine-readable output

Measured, not estimated:
- cold start: a fresh `python build.py -q` process, wall clock (imports, fonts, everything);
- in-process: `pipeline.build()` per document, split into WeasyPrint/python-pptx time
  (measured around the engine call) and pipeline overhead (loading, templates, writes);
- baseline: `weasyprint FILE.html FILE.pdf`, one process per PDF, on the HTML the build
  wrote with --html (same fonts, same assets).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from medbrief.jobs import Filters  # noqa: E402
from medbrief.pipeline import build  # noqa: E402


def cold_build(outdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", "-o", str(outdir)],
                   cwd=ROOT, check=True)
    return time.perf_counter() - started


def weasyprint_baseline(outdir: Path, pdf_paths: list[str]) -> tuple[float, dict[str, float]]:
    exe = shutil.which("weasyprint") or "weasyprint"
    per: dict[str, float] = {}
    for rel in pdf_paths:
        html = (outdir / rel).with_suffix(".html")
        started = time.perf_counter()
        subprocess.run([exe, "--pdf-variant", "pdf/ua-1", str(html), str(outdir / "cli.pdf")],
                       check=True, capture_output=True)
        per[rel] = time.perf_counter() - started
    return sum(per.values()), per


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cold = cold_build(out / "cold")
        report = build(ROOT, out / "warm", Filters(), write_html=True)
        if not report.ok:
            print("build failed:", [str(r.error) for r in report.failures], file=sys.stderr)
            return 1
        # a second in-process build: what a warm process (a watcher, a test run) pays
        warm = build(ROOT, out / "warm", Filters(), write_html=True)
        pdfs = [r.job.output for r in warm.results if r.job.format == "pdf"]
        baseline, per_cli = weasyprint_baseline(out / "warm", pdfs)
    rows = [{"file": r.job.output, "seconds": r.seconds, "engine": r.engine_seconds,
             "overhead": r.seconds - r.engine_seconds, "cli": per_cli.get(r.job.output)}
            for r in report.results]
    engine = sum(r.engine_seconds for r in report.results)
    result = {
        "cold_process_seconds": cold,
        "first_build_seconds": report.seconds,
        "warm_build_seconds": warm.seconds,
        "engine_seconds": engine,
        "overhead_seconds": report.seconds - engine,
        "overhead_share": (report.seconds - engine) / report.seconds,
        "weasyprint_cli_seconds_pdfs_only": baseline,
        "speedup_vs_cli_pdfs_only": baseline / sum(
            r["seconds"] for r in rows if r["cli"] is not None),
        "speedup_cold_process_vs_cli": baseline / cold,
        "documents": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'file':55} {'total':>7} {'engine':>7} {'ovh':>6} {'cli':>7}")
    for r in rows:
        cli = f"{r['cli']:.2f}" if r["cli"] is not None else "-"
        print(f"{r['file']:55} {r['seconds']:7.2f} {r['engine']:7.2f} {r['overhead']:6.2f} "
              f"{cli:>7}")
    for key, value in result.items():
        if key != "documents":
            print(f"{key:36} {value:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
