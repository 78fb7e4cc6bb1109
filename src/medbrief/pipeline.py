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
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import __version__, fonts, web
from .assets import check_image
from .diagram import DiagramStyle, process_svg
from .errors import ContentError, Location, MedbriefError, Problem, RenderError
from .jobs import Filters, Job, plan_jobs
from .loader import Project, load_project
from .output import (
    ManifestEntry,
    Waiting,
    atomic_write,
    locked,
    repair_manifest,
    sha256,
    write_manifest,
)
from .pagelimit import page_limit_error
from .paths import project_file
from .qr import qr_size_mm, qr_svg
from .templating import make_env, md_plain, render
from .terms import uses_term
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

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


def build_date() -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


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
        raise RenderError(f"took longer than {seconds:g} s and was stopped",
                          hint="raise quality.time_limit_seconds in content/documents.yaml, "
                               "or shorten the document", location=Location(name))

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
    """Validate theme references that need the file system; return the logo path."""
    theme, problems = project.theme, []
    for key in ("body", "heading"):
        family = getattr(theme.fonts, key)
        if family not in fonts.PACKAGES:
            problems.append(Problem(
                project.locate("theme", ("fonts", key)), f"fonts.{key}",
                f"font {family!r} is not a packaged font",
                f"use one of: {', '.join(fonts.PACKAGES)}"))
    logo = None
    if theme.logo:
        try:
            where = project.locate("theme", ("logo",))
            logo = project_file(project.root, project.content_dir, theme.logo,
                                [project.content_dir], where)
            check_image(logo, f"content/{theme.logo}", where)
        except MedbriefError as e:
            problems.append(Problem(e.location, "logo", e.message, e.hint))
    if problems:
        raise ContentError(problems)
    return logo


class Builder:
    """Holds what is created once per process: environment, writers, shared context."""

    def __init__(self, project: Project):
        self.project = project
        self.logo = check_theme(project)
        self.date = build_date()
        self.env = make_env(project.templates_dir, asset=self.asset, diagram=self.diagram,
                            plain=md_plain, inline_css=self.inline_css,
                            embedded_fonts=self.embedded_fonts, qr=qr_svg,
                            qr_size_mm=qr_size_mm)
        self._writers: dict[str, Writer] = {}

    def writer(self, name: str) -> Writer:
        """The writer a plan row names (``pdf``, ``pptx``, ``slides-pdf``), made once."""
        if name not in self._writers:
            self._writers[name] = REGISTRY[name](self.writer_context(name))
        return self._writers[name]

    def writer_context(self, name: str) -> Any:
        """What writer ``name`` needs from the build, typed: never the whole builder."""
        if name == "pdf":
            from .writers.pdf import PdfContext

            return PdfContext(self.project.root, allowed_folders(self.project))
        if name == "html":
            return None  # a web page needs nothing from the build
        from .writers.deckstyle import deck_style

        style = deck_style(self.project, self.date)
        if name == "slides-pdf":
            from .writers.slides_pdf import SlidesPdfContext

            return SlidesPdfContext(self.writer("pdf"), style)
        return style

    def asset(self, relative: str) -> str:
        """A file URL for a project file under templates/ or content/ (for templates)."""
        path = project_file(self.project.root, self.project.root, relative,
                            [self.project.templates_dir, self.project.content_dir])
        return path.as_uri()

    def inline_css(self, relative: str) -> Markup:
        """A stylesheet under templates/ as text, for self-contained web pages."""
        path = project_file(self.project.root, self.project.root, relative,
                            [self.project.templates_dir])
        return web.stylesheet_text(path)

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
        text = " ".join(texts)
        used = [e for e in topic.glossary if uses_term(text, (e.term, *e.also))]
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
        writer = self.writer(job.writer)
        with time_limit(self.project.plan.quality.time_limit_seconds, job.output):
            rendered = writer.write(html, job.output)
        limit = job.spec.page_limit(job.variant)
        if limit and rendered.pages > limit:
            raise page_limit_error(self.project, job, rendered.pages, limit,
                                   rendered.last_page_fill)
        return rendered.html or html, rendered


def standalone_html(html: str) -> bytes:
    """The intermediate HTML made viewable on its own: the packaged fonts are declared inline
    (the PDF writer passes them as a separate stylesheet); assets are absolute file URLs."""
    faces = f"<style>\n{fonts.font_face_css(list(fonts.PACKAGES))}\n</style>\n</head>"
    return html.replace("</head>", faces, 1).encode("utf-8")


def _entry(job: Job, rendered: Rendered) -> ManifestEntry:
    return ManifestEntry(path=job.output, format=job.format, document=job.document,
                         topics=job.topic_ids, audience=job.spec.audience, paper=job.paper,
                         variant=job.variant, pages=rendered.pages,
                         sha256=sha256(rendered.data), site=job.site.id if job.site else None)


def _run_job(builder: Builder, job: Job, outdir: Path, write_html: bool) -> JobResult:
    result, started = JobResult(job), time.perf_counter()
    try:
        html, rendered = builder.run(job)
        result.engine_seconds = rendered.render_seconds
        atomic_write(outdir / job.output, rendered.data)
        if write_html:
            atomic_write((outdir / job.output).with_suffix(".html"), standalone_html(html))
        result.entry, result.size = _entry(job, rendered), len(rendered.data)
        result.warnings = rendered.warnings
    except MedbriefError as e:
        result.error = e
    result.seconds = time.perf_counter() - started
    return result


Progress = Callable[[int, int, JobResult | None, Job], None]


def build(
    root: Path, outdir: Path, filters: Filters | None = None, *, write_html: bool = False,
    progress: Progress | None = None, project: Project | None = None,
    on_wait: Waiting | None = None,
) -> BuildReport:
    """Build every job the plan and filters select into ``outdir``.

    ``on_wait`` is told, once, what this build waits for when another holds the folder."""
    started = time.perf_counter()
    project = project or load_project(root)
    builder = Builder(project)
    jobs = plan_jobs(project, filters or Filters())
    report = BuildReport(outdir.resolve())
    with locked(outdir, on_wait):
        repair_manifest(outdir)
        for i, job in enumerate(jobs):
            if progress:
                progress(i, len(jobs), None, job)
            result = _run_job(builder, job, outdir, write_html)
            report.results.append(result)
            if result.entry:  # keep the manifest in step with the files, one at a time
                write_manifest(outdir, [result.entry])
            if progress:
                progress(i + 1, len(jobs), result, job)
        write_manifest(outdir, [])
    report.seconds = time.perf_counter() - started
    return report
