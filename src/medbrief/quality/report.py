"""The quality report: the result of :func:`~medbrief.quality.run_checks`, and the files it
is written to (``quality-report.json`` and ``quality-report.html``).  Printing it is the
command layer's job (:mod:`medbrief.check_command`)."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..output import atomic_write
from .content import ContentResults
from .documents import DocumentResult
from .finding import ERROR, INFO, WARNING, Finding, counts

JSON_NAME, HTML_NAME = "quality-report.json", "quality-report.html"


@dataclass
class QualityReport:
    date: dt.date
    project: Path
    outdir: Path
    content: ContentResults
    documents: list[DocumentResult]
    build_findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gate_refused: bool = False
    """The content gate failed: nothing was built, and the command writes nothing."""

    @property
    def findings(self) -> list[Finding]:
        docs = [f for d in self.documents for f in d.findings]
        return self.content.findings + self.build_findings + docs

    def as_dict(self) -> dict[str, object]:
        n = counts(self.findings)
        return {
            "date": self.date.isoformat(),
            "project": str(self.project),
            "output": str(self.outdir),
            "notes": self.notes,
            "counts": {s: n.get(s, 0) for s in (ERROR, WARNING, INFO)},
            "findings": [f.as_dict() for f in self.findings],
            "documents": [d.as_dict() for d in self.documents],
            "readability": [r.as_dict() for r in self.content.readings],
            "contrast": [m.as_dict() for m in self.content.contrast],
        }


def points(value: float | None) -> str:
    return f"{value:g}" if value else "-"


# --- files ----------------------------------------------------------------------


def write_json(report: QualityReport) -> Path:
    path = report.outdir / JSON_NAME
    body = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, body.encode("utf-8"))
    return path


CSS = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0 2rem}
th,td{border:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f5}
.error{color:#a40000;font-weight:bold}.warning{color:#7a4d00;font-weight:bold}
.info{color:#1f4e79}.hint{color:#4a4a4a}.num{text-align:right}
"""


def _rows(rows: list[list[str]], header: list[str], classes: list[str] | None = None) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes else ""
        body.append(
            "<tr>"
            + "".join(
                f"<td{cls if j == 0 else ''}>{html.escape(c)}</td>" for j, c in enumerate(row)
            )
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _findings_html(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = [[f.severity, f.gate, str(f.location), f.field, f.message, f.hint] for f in findings]
    return _rows(
        rows,
        ["severity", "gate", "where", "field", "message", "hint"],
        [f.severity for f in findings],
    )


def _documents_html(report: QualityReport) -> str:
    rows = []
    for d in report.documents:
        r, p = d.reading, d.print
        rows.append(
            [
                d.entry.path,
                str(d.entry.pages),
                f"{r.result.grade:.1f}" if r else "-",
                f"{r.result.smog:.1f}" if r else "-",
                points(p.body_size if p else None),
                points(p.smallest_size if p else None),
                str(len(d.findings)),
            ]
        )
    return _rows(rows, ["document", "pages", "FK grade", "SMOG", "body", "smallest", "findings"])


def _readability_html(report: QualityReport) -> str:
    rows = [
        [
            str(r.location),
            r.field,
            r.audience,
            f"{r.result.grade:.1f}",
            f"{r.result.smog:.1f}",
            str(r.result.words),
            "yes" if r.gated and r.limit is not None else "no",
        ]
        for r in report.content.readings
    ]
    return _rows(rows, ["where", "field", "audience", "FK grade", "SMOG", "words", "gated"])


def _contrast_html(report: QualityReport) -> str:
    rows = [
        [
            m.pair.foreground,
            m.pair.background,
            m.pair.use,
            f"{m.ratio:.2f}:1",
            f"{m.pair.minimum:g}:1",
            "pass" if m.ok else "FAIL",
        ]
        for m in report.content.contrast
    ]
    return _rows(rows, ["foreground", "background", "used for", "ratio", "needs", "result"])


def render_html(report: QualityReport) -> str:
    n = counts(report.findings)
    notes = "".join(f"<p>{html.escape(note)}</p>" for note in report.notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>medbrief quality report</title>"
        f"<style>{CSS}</style></head><body><h1>medbrief quality report</h1>"
        f"<p>{html.escape(report.date.isoformat())} · {html.escape(str(report.project))} · "
        f"{n.get(ERROR, 0)} errors, {n.get(WARNING, 0)} warnings, {n.get(INFO, 0)} notes</p>"
        f"{notes}<h2>Findings</h2>{_findings_html(report.findings)}"
        f"<h2>Documents</h2>{_documents_html(report)}"
        f"<h2>Readability of the content</h2>{_readability_html(report)}"
        f"<h2>Theme contrast (WCAG AA)</h2>{_contrast_html(report)}</body></html>\n"
    )


def write_html(report: QualityReport) -> Path:
    path = report.outdir / HTML_NAME
    atomic_write(path, render_html(report).encode("utf-8"))
    return path
