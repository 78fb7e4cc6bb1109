"""The build: load, plan, render every job in one process, write atomically.

:func:`build` is the library entry point the CLI calls.  It loads and
validates the project once, creates the Jinja environment and each writer
once (so imports and fonts are paid for once), renders every job, writes each
file atomically, and returns a :class:`BuildReport`.  A document that fails
does not stop the others; the report lists every failure and the previous
output of a failed document is left untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import __version__, fonts, web
from .diagram import DiagramStyle, process_svg
from .errors import (
    DocumentError,
    Location,
    MedbriefError,
    OutputError,
    RenderError,
    UsageError,
)
from .jobs import Filters, Job, plan_jobs
from .loader import Project, load_project
from .model import (
    COMPARISON_ROWS,
    DRAFT,
    DRAFT_MARK,
    SOURCE_KIND_LABELS,
    STRONG_KINDS,
    approval_of,
)
from .output import (
    ManifestEntry,
    Waiting,
    atomic_write,
    count_pages,
    locked,
    repair_manifest,
    sha256,
    write_manifest,
)
from .pagelimit import page_limit_error
from .paths import project_file
from .qr import qr_size_mm, qr_svg
from .templating import make_env, md_plain, render
from .writers import REGISTRY, Rendered, Writer


@dataclass
class JobResult:
    job: Job
    entry: ManifestEntry | None = None
    size: int = 0
    seconds: float = 0.0
    engine_seconds: float = 0.0
    error: MedbriefError | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildReport:
    outdir: Path
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0
    manifest_error: MedbriefError | None = None
    """Set when the final manifest update failed (each document's own is in its result)."""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and self.manifest_error is None

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


MAX_EPOCH = 253_402_300_799
"""23:59:59 on 31 December 9999, the last moment a PDF or ZIP date can hold."""


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, or None when unset; an empty value counts as unset
    (and is removed from the environment, because fontTools reads the variable too and
    fails on an empty one).  Anything else that is not a whole number from 0 to MAX_EPOCH
    is a :class:`UsageError`."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None:
        return None
    if not raw.strip():
        del os.environ["SOURCE_DATE_EPOCH"]
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_EPOCH:
        shown = ascii(raw) if len(raw) <= 40 else ascii(raw[:37]) + "..."
        raise UsageError(f"SOURCE_DATE_EPOCH is {shown}: expected a whole number of seconds "
                         f"since 1970-01-01 UTC, from 0 to {MAX_EPOCH}",
                         hint="e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it")
    if text != raw:
        os.environ["SOURCE_DATE_EPOCH"] = text  # as fontTools and WeasyPrint expect it
    return int(text)


def build_date() -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def check_outdir(root: Path, outdir: Path) -> None:
    """Refuse an output folder inside the project's content/ or templates/ (a build would
    change its own inputs, and every file there counts as content)."""
    real = Path(os.path.realpath(outdir))
    for name in ("content", "templates"):
        folder = Path(os.path.realpath(root / name))
        if real == folder or folder in real.parents:
            raise UsageError(f"output folder {outdir} is inside {name}/; refused",
                             hint="build into output/ (the default) or a folder outside "
                                  "content/ and templates/, with --output")


def allowed_folders(project: Project) -> list[Path]:
    """Folders documents may load files from: templates, content and packaged fonts."""
    return [project.templates_dir, project.content_dir, *fonts.font_dirs()]


@contextlib.contextmanager
def time_limit(seconds: float, name: str) -> Iterator[None]:
    """Abort a document that runs longer than ``seconds`` (main thread only)."""
    if seconds <= 0 or os.name != "posix" or signal.getsignal(signal.SIGALRM) is None:
        yield
        return

    def expired(signum, frame):
        raise RenderError(f"{name}: took longer than {seconds:g} s and was stopped",
                          hint="raise quality.time_limit_seconds in content/documents.yaml, "
                               "or shorten the document")

    try:
        old = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_theme(project: Project) -> Path | None:
    """The theme's logo, checked when the project was loaded (see :mod:`medbrief.themefiles`)."""
    return project.theme_files.logo


class Builder:
    """Holds what is created once per process: environment, writers, shared context."""

    def __init__(self, project: Project):
        self.project = project
        self.logo = check_theme(project)
        self.date = build_date()
        self.env = make_env(project.templates_dir, asset=self.asset, diagram=self.diagram,
                            plain=md_plain, inline_css=self.inline_css,
                            embedded_fonts=self.embedded_fonts, qr=qr_svg,
                            qr_size_mm=qr_size_mm, draft_mark=DRAFT_MARK,
                            comparison_rows=COMPARISON_ROWS, kind_labels=SOURCE_KIND_LABELS,
                            strong_kinds=STRONG_KINDS)
        self._writers: dict[str, Writer] = {}

    def writer(self, fmt: str) -> Writer:
        if fmt not in self._writers:
            self._writers[fmt] = REGISTRY[fmt](self.writer_context(fmt))
        return self._writers[fmt]

    def writer_context(self, fmt: str) -> Any:
        if fmt == "pdf":
            from .writers.pdf import PdfContext

            return PdfContext(self.project.root, allowed_folders(self.project))
        return self

    def asset(self, relative: str) -> str:
        """A file URL for a project file under templates/ or content/ (for templates)."""
        path = project_file(self.project.root, self.project.root, relative,
                            [self.project.templates_dir, self.project.content_dir])
        return path.as_uri()

    def inline_css(self, relative: str) -> Markup:
        """A stylesheet under templates/ as text, for self-contained web pages."""
        path = project_file(self.project.root, self.project.root, relative,
                            [self.project.templates_dir])
        return web.stylesheet_text(path, [self.project.templates_dir])

    def embedded_fonts(self) -> Markup:
        """@font-face rules with the theme's packaged fonts embedded (web pages)."""
        return web.embedded_font_faces([self.project.theme.fonts.body,
                                        self.project.theme.fonts.heading])

    def logo_url(self, job: Job) -> str | None:
        """The logo as web pages (a data: URL) or printed documents (a file URL) load it."""
        if not self.logo:
            return None
        return web.data_url(self.logo) if job.format == "html" else self.logo.as_uri()

    def diagram(self, topic, register: str = "plain", vertical: bool = False,
                width: float = 640, font_size: float = 11.0):
        c = self.project.theme.colours
        style = DiagramStyle(font=self.project.theme.fonts.body, font_size=font_size,
                             box=c.box_background, border=c.box_border, text=c.text,
                             number_fill=c.primary, number_text=c.on_primary)
        steps = topic.process.steps
        title = md_plain(getattr(topic.process.title, register))
        desc = " ".join(f"{i}. {s.label}: {md_plain(getattr(s, register))}"
                        for i, s in enumerate(steps, 1))
        return process_svg([s.label for s in steps], title, desc, width=width,
                           vertical=vertical, style=style)

    @staticmethod
    def sections_for(job: Job, topic) -> list:
        """The topic's sections this document shows, in the plan's order."""
        if job.spec.sections is None:
            return list(topic.sections)
        return [s for sid in job.spec.sections if (s := topic.section(sid)) is not None]

    @staticmethod
    def glossary_for(topic, sections, register: str = "plain") -> list:
        """Glossary entries for the terms that appear in what a document shows, by term."""
        texts = [topic.summary.plain, *(p.plain for p in topic.key_points),
                 *(s.label + " " + s.plain for s in topic.process.steps),
                 *(p.plain for p in topic.perspectives), *topic.questions]
        for section in sections:
            texts += [section.heading.plain, *getattr(section, register)]
        text = " ".join(texts).lower()
        used = [e for e in topic.glossary if any(
            re.search(rf"\b{re.escape(t.lower())}\b", text) for t in [e.term, *e.also])]
        return sorted(used, key=lambda e: e.term.lower())

    def context(self, job: Job) -> dict[str, Any]:
        p = self.project
        return {
            "project": p, "plan": p.plan, "theme": p.theme, "org": p.theme.organisation,
            "colours": p.theme.colours, "topics": list(job.topics), "topic": job.topics[0],
            "job": job, "spec": job.spec, "paper": job.paper, "variant": job.variant,
            "site": job.site, "contact_url": self.contact_url(job),
            "built": self.date, "generator": f"medbrief {__version__}",
            "logo": self.logo_url(job),
            "sections_for": lambda topic: self.sections_for(job, topic),
            "glossary_for": self.glossary_for,
            "approval": approval_of(job.topics), "draft": approval_of(job.topics) == DRAFT,
            "disclaimer": p.theme.disclaimers.for_audience(job.spec.audience),
        }

    def contact_url(self, job: Job) -> str | None:
        """Where a document's QR code points: the site's website, else the organisation's
        page for the topic (theme ``organisation.topic_url``), else nowhere (no QR code)."""
        if job.site and job.site.website:
            return job.site.website
        pattern = self.project.theme.organisation.topic_url
        return pattern.replace("{topic}", job.topics[0].id) if pattern else None

    def render_html(self, job: Job) -> str:
        return render(self.env, job.spec.template, self.context(job))

    def run(self, job: Job) -> tuple[str, Rendered]:
        html = self.render_html(job)
        writer = self.writer(job.format)
        with time_limit(self.project.plan.quality.time_limit_seconds, job.output):
            if job.document == "slides":
                # Slides-with-notes PDFs print the fitted deck (the .pptx's slides, "(continued)"
                # ones included, placed as there), not the template's raw slide HTML.
                from .writers.pptx import fitted_slides_html

                html = fitted_slides_html(self, html, job.output)
            rendered = writer.write(html, job.output)
        limit = job.spec.max_pages
        if limit and job.variant != "large" and rendered.pages > limit:
            raise page_limit_error(self.project, job, rendered.pages, limit,
                                   rendered.last_page_fill)
        return html, rendered


def standalone_html(html: str) -> bytes:
    """The intermediate HTML made viewable on its own: the packaged fonts are declared inline
    (the PDF writer passes them as a separate stylesheet); assets are absolute file URLs."""
    faces = f"<style>\n{fonts.font_face_css(list(fonts.PACKAGES))}\n</style>\n</head>"
    return html.replace("</head>", faces, 1).encode("utf-8")


def _entry(job: Job, rendered: Rendered) -> ManifestEntry:
    return ManifestEntry(path=job.output, format=job.format, document=job.document,
                         topics=job.topic_ids, audience=job.spec.audience, paper=job.paper,
                         variant=job.variant, pages=rendered.pages,
                         sha256=sha256(rendered.data), site=job.site.id if job.site else None,
                         approval=approval_of(job.topics))


def describer(project: Project):
    """The manifest entry of any output the plan makes, from the file's bytes (for
    :func:`medbrief.output.repair_manifest`); None for a path the plan does not make."""
    by_output = {job.output: job for job in plan_jobs(project)}

    def describe(path: str, data: bytes) -> ManifestEntry | None:
        job = by_output.get(path)
        pages = count_pages(data, job.format) if job else None
        return _entry(job, Rendered(data, pages)) if job and pages is not None else None

    return describe


def unexpected(output: str, stage: str, e: BaseException) -> DocumentError:
    """An exception medbrief did not foresee, as the document's error (traceback kept for
    ``--debug``, as text so the error still pickles)."""
    said = str(e).strip().splitlines()[0][:300] if str(e).strip() else "(no message)"
    error = DocumentError(
        f"{type(e).__name__} while {stage}: {said}", location=Location(output),
        hint="medbrief did not expect this input; run with --debug for the traceback and "
             "report it with the content that caused it")
    error.debug = "".join(traceback.format_exception(e))
    return error


def render_job(builder: Builder, job: Job, outdir: Path, write_html: bool = False) -> JobResult:
    """Render one job and write its file: the unit every executor runs, in any process.

    Never raises for the document's own failure: a :class:`MedbriefError`, and any other
    exception an engine raises (IndexError, RecursionError, MemoryError...), becomes
    ``result.error``, and the other documents go on.  The result pickles.  The manifest is
    updated by :func:`record_result`, in the process that holds the output folder's lock.
    """
    result, started = JobResult(job), time.perf_counter()
    stage = f"making the {job.format.upper()}"
    try:
        html, rendered = builder.run(job)
        result.engine_seconds = rendered.render_seconds
        stage = "writing the file"
        atomic_write(outdir / job.output, rendered.data)
        if write_html:
            atomic_write((outdir / job.output).with_suffix(".html"), standalone_html(html))
        result.entry, result.size = _entry(job, rendered), len(rendered.data)
        result.warnings = rendered.warnings
    except MedbriefError as e:
        result.error = e
    except Exception as e:  # noqa: BLE001 - contained: one document's failure, not the build's
        result.error = unexpected(job.output, stage, e)
    result.seconds = time.perf_counter() - started
    return result


def record_result(outdir: Path, result: JobResult) -> JobResult:
    """Add a written document to the manifest; a failure (a full disk between the document
    and its manifest line) becomes that document's error and the build goes on."""
    if result.entry is None:
        return result
    try:
        write_manifest(outdir, [result.entry])
    except MedbriefError as e:
        result.error = OutputError(
            f"written, but manifest.json was not updated: {e.message}",
            hint=e.hint or "free some space; the next build brings the manifest up to date",
            location=Location(result.job.output))
    except Exception as e:  # noqa: BLE001
        result.error = unexpected(result.job.output, "updating manifest.json", e)
    return result


def build_job(builder: Builder, job: Job, outdir: Path, write_html: bool = False) -> JobResult:
    """One document in this process: render, write, record (see :func:`render_job`)."""
    return record_result(outdir, render_job(builder, job, outdir, write_html))


Progress = Callable[[int, int, JobResult | None, Job], None]


def build(
    root: Path, outdir: Path, filters: Filters | None = None, *, write_html: bool = False,
    progress: Progress | None = None, project: Project | None = None,
    on_wait: Waiting | None = None,
) -> BuildReport:
    """Build every job the plan and filters select into ``outdir``.

    ``on_wait`` is told, once, what this build waits for when another holds the folder."""
    started = time.perf_counter()
    source_date_epoch()  # a bad value is refused before anything is built
    project = project or load_project(root)
    check_outdir(project.root, outdir)
    builder = Builder(project)
    jobs = plan_jobs(project, filters or Filters())
    report = BuildReport(outdir.resolve())
    with locked(outdir, on_wait):
        repair_manifest(outdir, describer(project))
        for i, job in enumerate(jobs):
            if progress:
                progress(i, len(jobs), None, job)
            result = build_job(builder, job, outdir, write_html)
            report.results.append(result)
            if progress:
                progress(i + 1, len(jobs), result, job)
        try:
            write_manifest(outdir, [])
        except MedbriefError as e:
            report.manifest_error = e
    report.seconds = time.perf_counter() - started
    return report
