"""``python build.py serve``: preview every document while editing, in the browser.

One thread watches ``content/`` and ``templates/`` (watchfiles) and rebuilds through the
same :func:`~medbrief.pipeline.build` as the command line, so only documents whose inputs
changed are rendered again (their fingerprints, see the pipeline).  Invalid content never
stops the server: the problems are shown on the index exactly as the command line prints
them, and the last good outputs stay where they are.  Open pages (the index and previews)
listen to server-sent events and update themselves in place after every change.

The HTTP side serves only the output folder and its own assets under ``/_medbrief/``;
anything else, ``..`` (plain or %-encoded), hidden files and symlinks that leave the folder
get 404.  It binds to 127.0.0.1 unless ``--host`` says otherwise.

Previews of PDFs are page images rendered from the built PDF (pypdfium2): exactly the pages
WeasyPrint printed, which the intermediate HTML shown by a browser is not (a browser paginates
differently and ignores WeasyPrint's page-margin boxes), and they need nothing outside the
output folder (the HTML refers to templates/ and font files).  Web pages preview as
themselves.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import mimetypes
import signal
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import escape
from rich.console import Console

from .cliopts import print_problems
from .errors import ContentError, MedbriefError
from .jobs import Filters, Job, plan_jobs
from .loader import Project, load_project
from .output import read_manifest

ASSETS = "/_medbrief/"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WAITING, BUILDING, UP_TO_DATE, FAILED = "waiting", "building", "up to date", "failed"
MIME = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".json": "application/json",
    ".png": "image/png",
}
PAGE_SCALE = 1.5
"""Page images at 1.5 × 72 = 108 dpi: readable on screen, quick to render."""


@dataclass
class DocumentState:
    """One planned document as the index shows it."""

    output: str
    document: str
    format: str
    topics: list[str]
    site: str | None
    approval: str
    pages: int | None = None
    state: str = WAITING
    error: str = ""
    sha256: str = ""


@dataclass
class State:
    """What the server knows, guarded by ``changed`` (a Condition)."""

    documents: dict[str, DocumentState] = field(default_factory=dict)
    problems: str = ""
    """Every problem of the last change, exactly as the command line prints it."""
    generation: int = 0
    building: bool = False
    last_build: str = ""
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def bump(self) -> None:
        """Call with ``changed`` held: wakes every open page."""
        self.generation += 1
        self.changed.notify_all()


def _approval(job: Job) -> str:
    """ "draft" when any topic of the document is a draft (no approval block means draft)."""
    if not all(hasattr(t, "approval") for t in job.topics):
        return "–"
    states = {getattr(t.approval, "status", "draft") if t.approval else "draft" for t in job.topics}
    return "draft" if "draft" in states else "approved"


def _recorder() -> Console:
    return Console(file=io.StringIO(), record=True, width=200, color_system=None, highlight=False)


class Rebuilder:
    """Loads, checks and builds on every change; keeps :class:`State` up to date."""

    def __init__(
        self,
        root: Path,
        outdir: Path,
        filters: Filters,
        state: State,
        console: Console,
        *,
        check: bool = True,
        strict: bool = False,
    ):
        self.root, self.outdir, self.filters = root, outdir, filters
        self.state, self.console = state, console
        self.check, self.strict = check, strict

    def rebuild(self) -> None:
        started = time.perf_counter()
        record = _recorder()
        project = self._load(record)
        if project is not None and self._gate(project, record):
            self._build(project, record)
        text = record.export_text(clear=True).rstrip()
        with self.state.changed:
            self.state.problems = text
            self.state.building = False
            self.state.last_build = dt.datetime.now().strftime("%H:%M:%S")
            self.state.bump()
        seconds = time.perf_counter() - started
        if text:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        self.console.print(
            f"[{self.state.last_build}] updated in {seconds:.1f} s"
            + ("" if not text else "; problems are listed on the index"),
            highlight=False,
        )

    def _load(self, record: Console) -> Project | None:
        try:
            return load_project(self.root)
        except ContentError as e:
            print_problems(e, record)
        except MedbriefError as e:
            print_problems(e, record)
        return None

    def _gate(self, project: Project, record: Console) -> bool:
        if not self.check:
            return True
        from .check_command import content_gate

        return content_gate(project, record, strict=self.strict, quiet=True)

    def plan(self, project: Project) -> list[Job]:
        jobs = plan_jobs(project, self.filters)
        entries = {e.path: e for e in read_manifest(self.outdir)}
        with self.state.changed:
            old = self.state.documents
            self.state.documents = {}
            for job in jobs:
                entry = entries.get(job.output)
                doc = DocumentState(
                    job.output,
                    job.document,
                    job.format,
                    job.topic_ids,
                    job.site.id if job.site else None,
                    _approval(job),
                    entry.pages if entry else None,
                    BUILDING,
                    sha256=entry.sha256 if entry else "",
                )
                if job.output in old and old[job.output].state == FAILED:
                    doc.error = old[job.output].error
                self.state.documents[job.output] = doc
            self.state.building = True
            self.state.bump()
        return jobs

    def _build(self, project: Project, record: Console) -> None:
        from .pipeline import build

        self.plan(project)

        def progress(done, total, result, job):
            if result is None:
                return
            with self.state.changed:
                doc = self.state.documents.get(job.output)
                if doc is not None:
                    self._finished(doc, result, record)
                self.state.bump()

        try:
            build(self.root, self.outdir, self.filters, project=project, progress=progress)
        except MedbriefError as e:
            print_problems(e, record)
        with self.state.changed:
            for doc in self.state.documents.values():
                if doc.state == BUILDING:  # the build stopped before it (see the problems)
                    doc.state = FAILED

    @staticmethod
    def _finished(doc: DocumentState, result, record: Console) -> None:
        if result.ok:
            doc.state, doc.error = UP_TO_DATE, ""
            if result.entry:
                doc.pages, doc.sha256 = result.entry.pages, result.entry.sha256
            return
        lines = [f"error: {p}" for p in result.error.problems()]
        doc.state, doc.error = FAILED, "\n".join(lines)
        for line in lines:
            record.print(line, markup=False, highlight=False, soft_wrap=True)


def safe_output_file(outdir: Path, url_path: str) -> Path | None:
    """The file under ``outdir`` a URL path names, or None (404): no ``..`` (even
    %-encoded), no hidden files, nothing whose real path leaves the folder."""
    rel = unquote(url_path).lstrip("/")
    parts = rel.replace("\\", "/").split("/")
    if not rel or "\x00" in rel or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    base = outdir.resolve()
    try:
        real = (base / rel).resolve()
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(base) or not real.is_file():
        return None
    return real


class PageImages:
    """PNG images of PDF pages, rendered on request and kept for the last 200 pages."""

    def __init__(self, limit: int = 200):
        self.cache: OrderedDict[tuple, bytes] = OrderedDict()
        self.limit = limit
        self.lock = threading.Lock()

    def png(self, pdf: Path, index: int) -> bytes | None:
        stat = pdf.stat()
        key = (str(pdf), stat.st_mtime_ns, stat.st_size, index)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        data = _render_page(pdf, index)
        if data is not None:
            with self.lock:
                self.cache[key] = data
                while len(self.cache) > self.limit:
                    self.cache.popitem(last=False)
        return data


def _render_page(pdf: Path, index: int) -> bytes | None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError:
        return None
    try:
        if not 0 <= index < len(document):
            return None
        image = document[index].render(scale=PAGE_SCALE).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()
    finally:
        document.close()


# --- pages the server makes ------------------------------------------------------------------


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{ASSETS}serve.css">'
        f'<script src="{ASSETS}live.js" defer></script></head>'
        f"<body>{body}</body></html>"
    ).encode()


def _link(doc: DocumentState, text: str) -> str:
    return f'<a href="/{escape(doc.output)}">{escape(text)}</a>'


def index_page(state: State, outdir: Path) -> bytes:
    with state.changed:
        docs = [DocumentState(**asdict(d)) for d in state.documents.values()]
        problems, building, when = state.problems, state.building, state.last_build
    rows = []
    for d in docs:
        preview = (
            f'<a href="{ASSETS}preview/{escape(d.output)}">preview</a>'
            if d.format in ("pdf", "html") and d.sha256
            else ""
        )
        state_cell = escape(d.state)
        if d.error:
            state_cell += f'<pre class="problem">{escape(d.error)}</pre>'
        rows.append(
            f'<tr class="state-{escape(d.state.replace(" ", "-"))}">'
            f"<td>{_link(d, d.output) if d.sha256 else escape(d.output)}</td>"
            f"<td>{escape(d.document)}</td><td>{escape(', '.join(d.topics))}</td>"
            f"<td>{escape(d.site or '–')}</td><td>{escape(d.approval)}</td>"
            f"<td>{d.pages if d.pages is not None else '–'}</td><td>{state_cell}</td>"
            f"<td>{preview}</td></tr>"
        )
    status = "building…" if building else (f"last update {escape(when)}" if when else "")
    problem_block = (
        f'<section class="problems" aria-label="Problems"><h2>Problems</h2>'
        f'<pre id="problems">{escape(problems)}</pre>'
        "<p>The last good outputs are still listed and served.</p></section>"
        if problems
        else ""
    )
    body = (
        f"<main data-live><h1>medbrief preview</h1>"
        f'<p class="status" role="status">Output folder {escape(str(outdir))} · {status}</p>'
        f"{problem_block}"
        '<table><thead><tr><th scope="col">file</th><th scope="col">document</th>'
        '<th scope="col">topics</th><th scope="col">site</th><th scope="col">approval</th>'
        '<th scope="col">pages</th><th scope="col">state</th><th scope="col">preview</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></main>"
    )
    return _page("medbrief preview", body)


def preview_page(state: State, doc_path: str) -> bytes | None:
    with state.changed:
        doc = state.documents.get(doc_path)
        doc = DocumentState(**asdict(doc)) if doc else None
    if doc is None or not doc.sha256:
        return None
    version = doc.sha256[:16]
    if doc.format == "html":
        view = (
            f'<iframe title="{escape(doc.output)}" '
            f'src="/{escape(doc.output)}?v={version}"></iframe>'
        )
    else:
        view = "".join(
            f'<img src="{ASSETS}page/{i}/{escape(doc.output)}?v={version}" '
            f'alt="page {i} of {doc.pages}" width="595">'
            for i in range(1, (doc.pages or 0) + 1)
        )
    error = f'<pre class="problem">{escape(doc.error)}</pre>' if doc.error else ""
    body = (
        f'<main data-live><p><a href="/">all documents</a> · {_link(doc, "file")} · '
        f"{escape(doc.state)}</p><h1>{escape(doc.output)}</h1>{error}"
        f'<div class="view view-{doc.format}">{view}</div></main>'
    )
    return _page(doc.output, body)


# --- HTTP ------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002  (quiet: the console is for builds)
        pass

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        if not self._host_allowed():
            return self._send(HTTPStatus.FORBIDDEN, b"host not allowed", "text/plain", head)
        path = urlsplit(self.path).path
        srv = self.server
        if path == "/":
            return self._send(HTTPStatus.OK, index_page(srv.state, srv.outdir), MIME[".html"], head)
        if path == ASSETS + "events":
            return self._events()
        if path in (ASSETS + "live.js", ASSETS + "serve.css"):
            name = path.rsplit("/", 1)[1]
            data = (resources.files("medbrief") / "serve_assets" / name).read_bytes()
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            return self._send(HTTPStatus.OK, data, kind + "; charset=utf-8", head)
        if path.startswith(ASSETS + "preview/"):
            rel = unquote(path.removeprefix(ASSETS + "preview/"))
            page = preview_page(srv.state, rel) if safe_output_file(srv.outdir, rel) else None
            return self._found(page, MIME[".html"], head)
        if path.startswith(ASSETS + "page/"):
            return self._page_image(path.removeprefix(ASSETS + "page/"), head)
        file = safe_output_file(srv.outdir, path)
        if file is None:
            return self._found(None, "", head)
        kind = (
            MIME.get(file.suffix)
            or mimetypes.guess_type(file.name)[0]
            or "application/octet-stream"
        )
        return self._send(HTTPStatus.OK, file.read_bytes(), kind, head, output=True)

    def _page_image(self, rest: str, head: bool):
        number, _, rel = rest.partition("/")
        pdf = safe_output_file(self.server.outdir, rel)
        png = None
        if number.isdigit() and pdf is not None and pdf.suffix == ".pdf":
            png = self.server.images.png(pdf, int(number) - 1)
        return self._found(png, MIME[".png"], head)

    def _host_allowed(self) -> bool:
        if self.server.host not in LOOPBACK:
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        return host in LOOPBACK  # refuses DNS-rebinding names pointing at this machine

    def _found(self, data: bytes | None, kind: str, head: bool):
        if data is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", head)
        return self._send(HTTPStatus.OK, data, kind, head)

    def _send(self, status, data: bytes, kind: str, head: bool, output: bool = False):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # Built pages are self-contained: they may load nothing and run nothing.
        csp = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
            if output
            else "default-src 'self'; style-src 'self'; frame-src 'self'"
        )
        self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self):
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = [-1]
        try:
            while True:
                with state.changed:
                    state.changed.wait_for(
                        lambda: state.generation != seen[0] or state.stopping, timeout=15
                    )
                    if state.stopping:
                        return
                    fresh, seen[0] = state.generation != seen[0], state.generation
                    building = state.building
                if fresh:
                    data = json.dumps({"generation": seen[0], "building": building})
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, outdir: Path, state: State):
        self.host, self.outdir, self.state = host, outdir, state
        self.images = PageImages()
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _watch(rebuilder: Rebuilder, folders: list[Path], stop: threading.Event) -> None:
    import watchfiles

    rebuilder.rebuild()
    for _changes in watchfiles.watch(
        *folders, stop_event=stop, debounce=200, step=50, raise_interrupt=False
    ):
        if stop.is_set():
            return
        rebuilder.rebuild()


def serve(
    root: Path,
    outdir: Path,
    filters: Filters,
    console: Console,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    check: bool = True,
    strict: bool = False,
    started: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl-C (or ``stop`` is set); rebuild on every change.

    ``started`` is called with the server's address once it listens (tests use port 0)."""
    state, stop = State(), stop or threading.Event()
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        server = PreviewServer(host, port, outdir, state)
    except OSError as e:
        raise MedbriefError(
            f"cannot serve on {host}:{port}: {e.strerror or e}",
            hint="choose another --port (or stop what uses this one)",
        ) from None
    rebuilder = Rebuilder(root, outdir, filters, state, console, check=check, strict=strict)
    folders = [root / "content", root / "templates"]
    watcher = threading.Thread(
        target=_watch, args=(rebuilder, folders, stop), daemon=True, name="medbrief-watch"
    )
    console.print(
        f"Serving {server.url} (output folder {outdir}); watching content/ and "
        "templates/; Ctrl-C to stop",
        highlight=False,
        soft_wrap=True,
    )
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.2},
        daemon=True,
        name="medbrief-http",
    ).start()
    watcher.start()
    if started is not None:
        started(server.url)
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # 2nd Ctrl-C
        stop.set()
        with state.changed:
            state.stopping = True
            state.changed.notify_all()
        server.shutdown()
        server.server_close()
        watcher.join(timeout=10)
        if main:
            signal.signal(signal.SIGINT, old)
    console.print("stopped", highlight=False)
    return 0
