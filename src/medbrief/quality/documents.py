"""The gates that need built files: run on every output the plan (and filters) select."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DamagedOutput, Location
from ..jobs import Job
from ..loader import Project
from ..output import ManifestEntry
from . import governance, readability
from .finding import Finding, finding
from .marks import marked_texts
from .textstats import as_sentence

if TYPE_CHECKING:  # the PDF readers (pdfplumber, pikepdf) load only when a PDF is checked
    from .pdfchecks import PrintMetrics


@dataclass
class DocumentResult:
    """What was measured on one built file, and what the gates found."""

    entry: ManifestEntry
    location: Location
    reading: readability.Reading | None = None
    print: PrintMetrics | None = None
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.entry.path,
            "document": self.entry.document,
            "topics": self.entry.topics,
            "audience": self.entry.audience,
            "format": self.entry.format,
            "paper": self.entry.paper,
            "variant": self.entry.variant,
            "pages": self.entry.pages,
            "readability": self.reading.as_dict() if self.reading else None,
            "print": self.print.as_dict() if self.print else None,
            "findings": [f.as_dict() for f in self.findings],
        }


def display(project: Project, path: Path) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(project.root))
    except ValueError:
        return str(path)


class Marks:
    """What each job's template marks for the checks (rendered once per job, on demand)."""

    def __init__(self, project: Project):
        self.project = project
        self._builder = None

    def of(self, job: Job) -> dict[str, str]:
        if self._builder is None:
            from ..pipeline import Builder

            self._builder = Builder(self.project)
        return marked_texts(self._builder.render_html(job))


def _text_checks(
    project: Project,
    job: Job,
    text: str,
    first_page: str,
    result: DocumentResult,
    marked: Callable[[], dict[str, str]],
) -> None:
    """The governance checks the job's plan row asks for, on a built file's text."""
    where, path, topics = result.location, job.output, list(job.topics)
    checks = job.spec.applied_checks
    if "status" in checks or "status-text" in checks:
        result.findings += governance.check_status(
            text, topics, "status-text" in checks, where, path
        )
    if "artefacts" in checks:
        result.findings += governance.check_artefacts(
            text, project, topics, where, path, job.spec.audience
        )
    if "main-message" in checks:
        result.findings += governance.check_main_message(first_page, topics[0], where, path)
    if "call-to-action" in checks:
        wanted = marked().get("call-to-action")
        result.findings += governance.check_call_to_action(text, wanted, where, path)
    if "safety" in checks:
        result.findings += governance.check_safety(
            first_page, text, project.theme.safety, where, path
        )


def _check_pdf(
    project: Project, job: Job, result: DocumentResult, path: Path, marks: Marks
) -> None:
    from .pdfchecks import check_accessibility, check_print
    from .pdfread import read_pdf

    facts = read_pdf(path)
    where, audience = result.location, job.spec.audience
    text = " ".join(as_sentence(u) for u in facts.prose_units())
    limit = readability.limit_for(project, audience)
    result.reading = readability.text_reading(job.output, where, audience, text, limit)
    result.findings += readability.findings([result.reading])
    if "print" in job.spec.applied_checks:
        result.print, found = check_print(
            facts, result.entry, job.spec.max_pages, where, project.theme.organisation.name
        )
        result.findings += found
    result.findings += check_accessibility(facts, where, result.entry)
    # every PDF: a draft shows the draft mark on every page, an approved one on none
    result.findings += governance.check_draft_marks(
        facts.page_text, result.entry.approval, where, job.output
    )
    _text_checks(project, job, facts.text, facts.first_page_text(), result, lambda: marks.of(job))


def _check_html(project: Project, job: Job, result: DocumentResult, path: Path) -> None:
    """A web page: the patient handout's gates, on the page's own text."""
    from ..web import page_units

    try:
        html = path.read_text("utf-8")
    except UnicodeDecodeError as e:
        raise DamagedOutput(job.output, f"not UTF-8 text at byte {e.start}") from None
    text = " ".join(as_sentence(u) for u in page_units(html))
    where, audience = result.location, job.spec.audience
    limit = readability.limit_for(project, audience)
    result.reading = readability.text_reading(job.output, where, audience, text, limit)
    result.findings += readability.findings([result.reading])
    # a page has no pages: its whole text is its "first page"; it marks its own elements
    _text_checks(project, job, text, text, result, lambda: marked_texts(html))


def _check_pptx(job: Job, result: DocumentResult, path: Path) -> None:
    from .deckchecks import check_deck, read_deck

    slides = read_deck(path)
    result.findings += check_deck(slides, result.location, result.entry)
    if "status" in job.spec.applied_checks:  # the status, like every other output
        result.findings += governance.check_status(
            " ".join(s.text for s in slides), list(job.topics), False, result.location, job.output
        )


def check_document(
    project: Project, outdir: Path, job: Job, entry: ManifestEntry, marks: Marks | None = None
) -> DocumentResult:
    path = outdir / entry.path
    result = DocumentResult(entry, Location(display(project, path)))
    try:
        if entry.format == "pdf":
            _check_pdf(project, job, result, path, marks or Marks(project))
        elif entry.format == "pptx":
            _check_pptx(job, result, path)
        elif entry.format == "html":
            _check_html(project, job, result, path)
    except DamagedOutput as e:  # truncated or overwritten: a finding, never a traceback
        result.findings = [
            finding(
                "build",
                result.location,
                "",
                f"the file is damaged and cannot be read ({e.why})",
                e.hint,
                document=entry.path,
            )
        ]
    return result


def check_documents(
    project: Project, outdir: Path, jobs: list[Job], entries: dict[str, ManifestEntry]
) -> list[DocumentResult]:
    """Check every selected job's built file (jobs without one are skipped)."""
    marks = Marks(project)
    return [
        check_document(project, outdir, job, entries[job.output], marks)
        for job in jobs
        if job.output in entries and (outdir / job.output).is_file()
    ]
