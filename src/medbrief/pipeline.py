"""The build: load, plan, skip what is up to date, render the rest, write atomically.

:func:`build` is the library entry point the CLI calls.  It loads and validates the project
once, plans the jobs, and compares each job's fingerprint (:mod:`medbrief.fingerprint`) with
the manifest: a document whose fingerprint and file still match is "up to date" and is not
rendered.  The rest are rendered by an executor (:mod:`medbrief.executors`: in this process,
or in a pool of worker processes), each through the one function :func:`render_job`, which
returns a picklable :class:`Rendition` (bytes and metadata, or the document's error).  Only
this process writes: each file atomically, then its manifest entry, as results arrive.  A
document that fails does not stop the others; the report lists every failure and the
previous output of a failed document is left untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import os
import resource
import signal
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from .fingerprint import fingerprints as fingerprint_all
from .fingerprint import template_files
from .jobs import Filters, Job, plan_jobs, render_order
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
    file_matches,
    locked,
    read_manifest,
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

if TYPE_CHECKING:
    from .executors import Executor


@dataclass
class JobResult:
    job: Job
    entry: ManifestEntry | None = None
    size: int = 0
    seconds: float = 0.0
    engine_seconds: float = 0.0
    error: MedbriefError | None = None
    warnings: list[str] = field(default_factory=list)
    up_to_date: bool = False
    """True when the document was not rebuilt: its fingerprint and file matched the manifest."""
    peak_rss_kb: int = 0
    """Peak resident memory of the process that rendered it (0 when up to date)."""
    pid: int = 0
    """The process that rendered it (the building process with --jobs 1, else a worker)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        return "failed" if self.error else "up to date" if self.up_to_date else "built"


@dataclass
class BuildReport:
    outdir: Path
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0
    manifest_error: MedbriefError | None = None
    """Set when the final manifest update failed (each document's own is in its result)."""
    refused: bool = False
    """The build's ``gate`` (the content checks) refused it: nothing was written."""

    @property
    def ok(self) -> bool:
        return not self.refused and all(r.ok for r in self.results) and not self.manifest_error

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def built(self) -> list[JobResult]:
        return [r for r in self.results if r.ok and not r.up_to_date]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.up_to_date]


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
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {shown}: expected a whole number of seconds "
            f"since 1970-01-01 UTC, from 0 to {MAX_EPOCH}",
            hint="e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it",
        )
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
            raise UsageError(
                f"output folder {outdir} is inside {name}/; refused",
                hint="build into output/ (the default) or a folder outside "
                "content/ and templates/, with --output",
            )


def allowed_folders(project: Project) -> list[Path]:
    """Folders documents may load files from: templates, content and packaged fonts."""
    return [project.templates_dir, project.content_dir, *fonts.font_dirs()]


@contextlib.contextmanager
def time_limit(seconds: float, name: str) -> Iterator[None]:
    """Abort a document that runs longer than ``seconds``: by an alarm signal in the main
    thread; in any other thread (a Dask worker runs tasks in threads) by a watchdog that
    raises in the rendering thread.  Either way the exception arrives between two Python
    steps, so a document stuck inside one long C call is stopped when that call returns."""
    if seconds <= 0:
        yield
        return
    error = RenderError(
        f"took longer than {seconds:g} s and was stopped",
        hint="raise quality.time_limit_seconds in content/documents.yaml, or shorten the document",
        location=Location(name),
    )
    main = threading.current_thread() is threading.main_thread()
    if main and os.name == "posix" and signal.getsignal(signal.SIGALRM) is not None:
        with _alarm(seconds, error):
            yield
    else:
        with _watchdog(seconds, error):
            yield


@contextlib.contextmanager
def _alarm(seconds: float, error: RenderError) -> Iterator[None]:
    state = {"active": True, "expired": False}

    def expired(signum, frame):
        if state["active"]:
            state["expired"] = True
            if not _swallowed_here(frame):  # else the next alarm, RETRY_SECONDS later
                raise error

    old = signal.signal(signal.SIGALRM, expired)
    # The alarm repeats every RETRY_SECONDS: an engine that catches the first exception
    # (a broad ``except Exception`` inside it) is interrupted again until it gives up.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield
    finally:
        while True:  # disarm, even if a last alarm lands while disarming
            try:
                state["active"] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except RenderError:
                continue
        signal.signal(signal.SIGALRM, old)
    if state["expired"]:  # the engine swallowed every alarm but finished late: still refused
        raise error


class _TimeUp(Exception):
    """Raised in a rendering thread by its watchdog (an exception class, as CPython needs)."""


@contextlib.contextmanager
def _watchdog(seconds: float, error: RenderError) -> Iterator[None]:
    import ctypes

    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async.argtypes = (ctypes.c_ulong, ctypes.py_object)
    target, lock, done = threading.get_ident(), threading.Lock(), threading.Event()
    state = {"active": True, "expired": False}

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:  # again every RETRY_SECONDS, like the alarm, until the block ends
            with lock:
                if not state["active"]:
                    return
                state["expired"] = True
                set_async(target, _TimeUp)
            if done.wait(RETRY_SECONDS):
                return

    watcher = threading.Thread(target=watch, name="medbrief-time-limit", daemon=True)
    watcher.start()
    try:
        yield
    except _TimeUp:
        raise error from None
    finally:
        while True:  # disarm; an exception already on its way is withdrawn
            try:
                with lock:
                    state["active"] = False
                    set_async(target, ctypes.py_object())
                break
            except _TimeUp:
                continue
        done.set()
        watcher.join()
    if state["expired"]:  # the engine swallowed every exception but finished late
        raise error


RETRY_SECONDS = 0.5
"""How often the time limit's alarm repeats after it first expires."""


def _swallowed_here(frame) -> bool:
    """Whether an exception raised at ``frame`` would be ignored by Python: inside a garbage
    collector callback or a ``__del__`` method ("Exception ignored in …").  Raising there
    stops nothing and only prints noise, so the time limit waits for its next alarm."""
    callbacks = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def check_theme(project: Project) -> Path | None:
    """The theme's logo, checked when the project was loaded (see :mod:`medbrief.themefiles`)."""
    return project.theme_files.logo


class Builder:
    """Holds what is created once per process: environment, writers, shared context."""

    def __init__(self, project: Project, date: dt.datetime | None = None):
        self.project = project
        self.logo = check_theme(project)
        self.date = date or build_date()
        self.env = make_env(
            project.templates_dir,
            asset=self.asset,
            diagram=self.diagram,
            plain=md_plain,
            inline_css=self.inline_css,
            embedded_fonts=self.embedded_fonts,
            qr=qr_svg,
            qr_size_mm=qr_size_mm,
            draft_mark=DRAFT_MARK,
            comparison_rows=COMPARISON_ROWS,
            kind_labels=SOURCE_KIND_LABELS,
            strong_kinds=STRONG_KINDS,
        )
        self._writers: dict[str, Writer] = {}
        self._warmed: set[int] = set()

    def warm(self, jobs: Sequence[Job]) -> None:
        """Make now what these jobs' documents would each load on first use: their writers,
        their compiled templates (with what those include) and, for decks, the measuring
        fonts.  A process that forks workers calls it first, so that each does not pay for
        them again (each writer is warmed once).  Only the writers'
        errors are raised; a template or font that fails is left for its document to report."""
        for name in sorted({job.writer for job in jobs}):
            self.writer(name)
        tdir = self.project.templates_dir
        for template in sorted({job.spec.template for job in jobs}):
            with contextlib.suppress(Exception):  # and what it extends, includes, imports
                for path in template_files(self.project, template):
                    if path.suffix == ".j2" and path.is_relative_to(tdir):
                        self.env.get_template(path.relative_to(tdir).as_posix())
        for writer in list(self._writers.values()):  # slides-pdf made "pdf" too
            if id(writer) not in self._warmed:
                self._warmed.add(id(writer))
                with contextlib.suppress(Exception):
                    getattr(writer, "warm", lambda: None)()

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
        from .provenance import field_of
        from .writers.pptx import PptxContext

        return PptxContext(style, lambda text: field_of(self.project, text))

    def asset(self, relative: str) -> str:
        """A file URL for a project file under templates/ or content/ (for templates)."""
        path = project_file(
            self.project.root,
            self.project.root,
            relative,
            [self.project.templates_dir, self.project.content_dir],
        )
        return path.as_uri()

    def inline_css(self, relative: str) -> Markup:
        """A stylesheet under templates/ as text, for self-contained web pages."""
        path = project_file(
            self.project.root, self.project.root, relative, [self.project.templates_dir]
        )
        return web.stylesheet_text(path, [self.project.templates_dir])

    def embedded_fonts(self) -> Markup:
        """@font-face rules with the theme's packaged fonts embedded (web pages)."""
        return web.embedded_font_faces(
            [self.project.theme.fonts.body, self.project.theme.fonts.heading]
        )

    def logo_url(self, job: Job) -> str | None:
        """The logo as web pages (a data: URL) or printed documents (a file URL) load it."""
        if not self.logo:
            return None
        return web.data_url(self.logo) if job.format == "html" else self.logo.as_uri()

    def diagram(
        self,
        topic,
        register: str = "plain",
        vertical: bool = False,
        width: float = 640,
        font_size: float = 11.0,
    ):
        c = self.project.theme.colours
        style = DiagramStyle(
            font=self.project.theme.fonts.body,
            font_size=font_size,
            box=c.box_background,
            border=c.box_border,
            text=c.text,
            number_fill=c.primary,
            number_text=c.on_primary,
        )
        steps = topic.process.steps
        title = md_plain(getattr(topic.process.title, register))
        desc = " ".join(
            f"{i}. {s.label}: {md_plain(getattr(s, register))}" for i, s in enumerate(steps, 1)
        )
        return process_svg(
            [s.label for s in steps], title, desc, width=width, vertical=vertical, style=style
        )

    @staticmethod
    def sections_for(job: Job, topic) -> list:
        """The topic's sections this document shows, in the plan's order."""
        if job.spec.sections is None:
            return list(topic.sections)
        return [s for sid in job.spec.sections if (s := topic.section(sid)) is not None]

    @staticmethod
    def glossary_for(topic, sections, register: str = "plain") -> list:
        """Glossary entries for the terms that appear in what a document shows, by term."""
        texts = [
            topic.summary.plain,
            *(p.plain for p in topic.key_points),
            *(s.label + " " + s.plain for s in topic.process.steps),
            *(p.plain for p in topic.perspectives),
            *topic.questions,
        ]
        for section in sections:
            texts += [section.heading.plain, *getattr(section, register)]
        text = " ".join(texts)
        used = [e for e in topic.glossary if uses_term(text, (e.term, *e.also))]
        return sorted(used, key=lambda e: e.term.lower())

    def context(self, job: Job) -> dict[str, Any]:
        p = self.project
        return {
            "project": p,
            "plan": p.plan,
            "theme": p.theme,
            "org": p.theme.organisation,
            "colours": p.theme.colours,
            "topics": list(job.topics),
            "topic": job.topics[0],
            "job": job,
            "spec": job.spec,
            "paper": job.paper,
            "variant": job.variant,
            "site": job.site,
            "contact_url": self.contact_url(job),
            "built": self.date,
            "generator": f"medbrief {__version__}",
            "logo": self.logo_url(job),
            "sections_for": lambda topic: self.sections_for(job, topic),
            "glossary_for": self.glossary_for,
            "approval": approval_of(job.topics),
            "draft": approval_of(job.topics) == DRAFT,
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
        writer = self.writer(job.writer)
        with time_limit(self.project.plan.quality.time_limit_seconds, job.output):
            rendered = writer.write(html, job.output)
        limit = job.spec.page_limit(job.variant)
        if limit and rendered.pages > limit:
            raise page_limit_error(
                self.project, job, rendered.pages, limit, rendered.last_page_fill
            )
        return rendered.html or html, rendered


def standalone_html(html: str) -> bytes:
    """The intermediate HTML made viewable on its own: the packaged fonts are declared inline
    (the PDF writer passes them as a separate stylesheet); assets are absolute file URLs."""
    faces = f"<style>\n{fonts.font_face_css(list(fonts.PACKAGES))}\n</style>\n</head>"
    return html.replace("</head>", faces, 1).encode("utf-8")


@dataclass
class Rendition:
    """What rendering one job gives back: the file's bytes and metadata, or its error.

    Picklable (it crosses from worker processes to the one process that writes files)."""

    output: str
    data: bytes = b""
    pages: int = 0
    html: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    engine_seconds: float = 0.0
    error: MedbriefError | None = None
    peak_rss_kb: int = 0
    pid: int = 0


def describer(project: Project):
    """The manifest entry of any output the plan makes, from the file's bytes (for
    :func:`medbrief.output.repair_manifest`); None for a path the plan does not make."""
    by_output = {job.output: job for job in plan_jobs(project)}

    def describe(path: str, data: bytes) -> ManifestEntry | None:
        job = by_output.get(path)
        pages = count_pages(data, job.format) if job else None
        if job is None or pages is None:
            return None
        return _entry(job, Rendition(job.output, data=data, pages=pages), fp="")

    return describe


def unexpected(output: str, stage: str, e: BaseException) -> DocumentError:
    """An exception medbrief did not foresee, as the document's error (traceback kept for
    ``--debug``, as text so the error still pickles)."""
    said = str(e).strip().splitlines()[0][:300] if str(e).strip() else "(no message)"
    error = DocumentError(
        f"{type(e).__name__} while {stage}: {said}",
        location=Location(output),
        hint="medbrief did not expect this input; run with --debug for the traceback and "
        "report it with the content that caused it",
    )
    error.debug = "".join(traceback.format_exception(e))
    return error


def render_job(builder: Builder, job: Job, write_html: bool = False) -> Rendition:
    """Render one job to bytes, never writing a file: the one function every executor calls.

    A document's error is returned in the rendition, not raised, so one failing document
    never stops the others."""
    result, started = Rendition(job.output), time.perf_counter()
    stage = f"making the {job.format.upper()}"
    try:
        html, rendered = builder.run(job)
        result.data, result.pages = rendered.data, rendered.pages
        result.warnings, result.engine_seconds = rendered.warnings, rendered.render_seconds
        if write_html and job.format == "pdf":
            result.html = standalone_html(html)
    except MedbriefError as e:
        result.error = e
    except Exception as e:  # noqa: BLE001 - contained: one document's failure, not the build's
        result.error = unexpected(job.output, stage, e)
    result.seconds = time.perf_counter() - started
    result.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.pid = os.getpid()
    return result


MANIFEST_EVERY_SECONDS = 1.0
"""How often a build rewrites manifest.json while documents arrive (and always at its end)."""


class ManifestRecorder:
    """Keeps manifest.json in step with the documents written, without rewriting it once per
    document (which costs O(n²) over a batch of n).  A new entry is written at once when the
    manifest was last written :data:`MANIFEST_EVERY_SECONDS` ago or more, else with a later one
    or by :meth:`flush` at the end of the build (also on Ctrl-C).

    A document written but not yet listed when the build is killed is safe: the next build
    re-hashes the files in the folder (:func:`~medbrief.output.repair_manifest`) and, since
    such an entry vouches for no inputs, renders it again.  A manifest that cannot be written
    (a full disk) fails the documents waiting for it, and the build goes on."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.pending: list[JobResult] = []
        self.written_at = -math.inf

    def add(self, result: JobResult) -> None:
        if result.entry is None:
            return
        self.pending.append(result)
        if time.monotonic() - self.written_at >= MANIFEST_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        try:
            write_manifest(self.outdir, [r.entry for r in pending])
        except MedbriefError as e:
            for result in pending:
                result.error = OutputError(
                    "written, but manifest.json was not updated: "
                    + (f"{e.location}: {e.message}" if e.location else e.message),
                    hint=e.hint or "free some space; the next build brings the manifest up to date",
                    location=Location(result.job.output),
                )
        except Exception as e:  # noqa: BLE001
            for result in pending:
                result.error = unexpected(result.job.output, "updating manifest.json", e)
        self.written_at = time.monotonic()


# --- worker side: what every executor runs ----------------------------------------------------


@dataclass(frozen=True)
class BuildSetup:
    """What a worker needs to render jobs of one build (picklable, compared by value)."""

    root: Path
    date: dt.datetime
    write_html: bool = False
    build_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sites: Path | None = None
    """The ``--sites`` file that replaces every plan row's sites file, if any."""

    # what an executor calls (medbrief.executors reaches the build only through these)
    def prepare(self, builder: Builder | None = None, outputs: Sequence[str] = ()) -> Builder:
        return prepare_worker(self, builder, outputs)

    def render(self, output: str) -> Rendition:
        return render_output(self, output)

    def failed(self, output: str, error: MedbriefError, seconds: float = 0.0) -> Rendition:
        return Rendition(output, error=error, seconds=seconds)


_worker: tuple[BuildSetup, Builder, dict[str, Job]] | None = None
"""This process's project and engines for the current build (one build at a time)."""


def prepare_worker(
    setup: BuildSetup, builder: Builder | None = None, outputs: Sequence[str] = ()
) -> Builder:
    """Load the project and create the engines for ``setup``, once per process per build.

    ``builder`` reuses the building process's project and engines (in that process, or in a
    worker forked from it); what the documents named by ``outputs`` need is made now, before
    workers are forked (:meth:`Builder.warm`)."""
    global _worker
    if _worker is None or _worker[0] != setup:
        builder = builder or Builder(load_project(setup.root, sites=setup.sites), setup.date)
        _worker = (setup, builder, {j.output: j for j in plan_jobs(builder.project)})
    jobs = _worker[2]
    _worker[1].warm([jobs[o] for o in outputs if o in jobs])
    return _worker[1]


def render_output(setup: BuildSetup, output: str) -> Rendition:
    """Render the job whose output path is ``output``: the task every executor runs."""
    try:
        prepare_worker(setup)
        assert _worker is not None
        job = _worker[2].get(output)
        if job is None:
            raise RenderError(
                f"{output}: no longer in the document plan",
                hint="the content changed during the build; build again",
            )
    except MedbriefError as e:
        return Rendition(output, error=e)
    return render_job(_worker[1], job, setup.write_html)


# --- the building process -------------------------------------------------------------------


def _entry(job: Job, rendition: Rendition, fp: str) -> ManifestEntry:
    return ManifestEntry(
        path=job.output,
        format=job.format,
        document=job.document,
        topics=job.topic_ids,
        audience=job.spec.audience,
        paper=job.paper,
        variant=job.variant,
        pages=rendition.pages,
        sha256=sha256(rendition.data),
        site=job.site.id if job.site else None,
        approval=approval_of(job.topics),
        fingerprint=fp,
    )


def store(outdir: Path, job: Job, rendition: Rendition, fp: str) -> JobResult:
    """Write a rendition's file(s) atomically; the result carries its new manifest entry."""
    result = JobResult(
        job,
        seconds=rendition.seconds,
        engine_seconds=rendition.engine_seconds,
        error=rendition.error,
        warnings=list(rendition.warnings),
        peak_rss_kb=rendition.peak_rss_kb,
        pid=rendition.pid,
    )
    if result.error is None:
        try:
            atomic_write(outdir / job.output, rendition.data)
            if rendition.html is not None:
                atomic_write((outdir / job.output).with_suffix(".html"), rendition.html)
            result.entry, result.size = _entry(job, rendition, fp), len(rendition.data)
        except MedbriefError as e:
            result.error = e
        except Exception as e:  # noqa: BLE001 - contained, as in render_job
            result.error = unexpected(job.output, "writing the file", e)
    return result


def _html_missing(outdir: Path, job: Job, write_html: bool) -> bool:
    return (
        write_html
        and job.format == "pdf"
        and not ((outdir / job.output).with_suffix(".html").is_file())
    )


def current_entries(
    project: Project,
    jobs: list[Job],
    entries: list[ManifestEntry],
    fingerprints: dict[str, str] | None = None,
) -> dict[str, ManifestEntry]:
    """The manifest entries (whose files are known to match) of jobs that are up to date:
    the entry's fingerprint equals the job's fingerprint now."""
    by_path = {e.path: e for e in entries}
    fingerprints = fingerprints or fingerprint_all(project, jobs)
    current = {}
    for job in jobs:
        entry = by_path.get(job.output)
        fp = fingerprints[job.output]
        if entry is not None and entry.fingerprint and entry.fingerprint == fp:
            current[job.output] = entry
    return current


def outdated_jobs(project: Project, outdir: Path, jobs: list[Job]) -> list[Job]:
    """Jobs whose file is missing, changed since it was built, or whose fingerprint differs
    from the manifest's (what ``check`` builds first, and what a build would render)."""
    entries = [e for e in read_manifest(outdir) if file_matches(outdir, e)]
    current = current_entries(project, jobs, entries)
    return [j for j in jobs if j.output not in current]


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for the block: it is raised as soon as the block ends."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


Progress = Callable[[int, int, JobResult | None, Job], None]


def default_jobs() -> int:
    """Worker processes when --jobs is not given: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def build(
    root: Path,
    outdir: Path,
    filters: Filters | None = None,
    *,
    write_html: bool = False,
    progress: Progress | None = None,
    project: Project | None = None,
    force: bool = False,
    jobs: int = 1,
    executor: Executor | None = None,
    on_wait: Waiting | None = None,
    scheduler: str | None = None,
    before_render: Callable[[list[Job]], None] | None = None,
    gate: Callable[[], bool] | None = None,
) -> BuildReport:
    """Build every job the plan and filters select into ``outdir``.

    ``on_wait`` is told, once, what this build waits for when another holds the folder.
    ``gate`` (the content checks) is called once the build knows what it will render and has
    started what needs no engine (see :meth:`medbrief.executors.ProcessPool.start`): when it
    returns False, nothing is written and ``report.refused`` is set.  ``before_render`` is
    given the jobs that will be rendered (only when there are some), before any is: a build
    with nothing to do never pays for what rendering needs (the PDF engine).

    Documents whose fingerprint and file match the manifest are reported up to date and not
    rendered (``force`` renders everything).  ``jobs`` > 1 renders in that many worker
    processes; ``scheduler`` (``tcp://HOST:PORT`` or ``local``) sends them to a Dask cluster
    instead; ``executor`` overrides the choice (see :mod:`medbrief.executors`)."""
    from .executors import choose_executor

    started = time.perf_counter()
    source_date_epoch()  # a bad value is refused before anything is built
    project = project or load_project(root)
    check_outdir(project.root, outdir)
    builder = Builder(project)  # validates the theme before anything is written
    planned = plan_jobs(project, filters or Filters())
    report = BuildReport(outdir.resolve())
    results: dict[str, JobResult] = {}
    new_folder = not outdir.exists()
    with locked(outdir, on_wait), contextlib.ExitStack() as stack:
        entries = repair_manifest(outdir, describer(project))
        fps = fingerprint_all(project, planned)
        current = {} if force else current_entries(project, planned, entries, fps)
        todo = [
            j for j in planned if j.output not in current or _html_missing(outdir, j, write_html)
        ]
        setup = BuildSetup(project.root, builder.date, write_html, sites=project.sites_file)
        outputs = [j.output for j in render_order(todo)]
        runner = None
        if todo:
            runner = executor or choose_executor(jobs, len(todo), builder, scheduler)
            stack.enter_context(runner)
            runner.start(setup, outputs)  # decks and web pages begin during the checks
        if gate is not None and not gate():
            report.refused = True
            if new_folder:  # made for this build, and left empty
                with contextlib.suppress(OSError):
                    outdir.rmdir()
            return report
        done, total = 0, len(planned)
        rendering = {j.output for j in todo}
        for job in planned:
            if job.output not in rendering:
                results[job.output] = JobResult(
                    job,
                    entry=current[job.output],
                    up_to_date=True,
                    size=(outdir / job.output).stat().st_size,
                )
                done += 1
                if progress:
                    progress(done, total, results[job.output], job)
        if runner is not None:
            if before_render:
                before_render(todo)  # loads the PDF engine, the slowest step
            by_output = {j.output: j for j in todo}
            recorder = ManifestRecorder(outdir)
            try:
                for rendition in runner.results(setup, outputs):
                    job = by_output[rendition.output]
                    with interrupts_deferred():  # Ctrl-C waits until file and entry agree
                        result = results[job.output] = store(
                            outdir, job, rendition, fps[job.output]
                        )
                        recorder.add(result)  # the manifest in step with the files
                    done += 1
                    if progress:
                        progress(done, total, result, job)
            finally:
                with interrupts_deferred():
                    recorder.flush()
        try:
            write_manifest(outdir, [])
        except MedbriefError as e:
            report.manifest_error = e
    report.results = [results[j.output] for j in planned if j.output in results]
    report.seconds = time.perf_counter() - started
    return report
