"""``serve``: live preview while editing.

A server runs in a thread on a copy of the real project (web pages only, so builds take a
fraction of a second).  Tests check what it serves and refuses over HTTP, and, in Debian's
chromium, that an edit reaches an open page without a reload and that a YAML error appears
on the index, located, while the server stays up.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rich.console import Console

from browser_support import chromium
from conftest import REPO, copy_project
from medbrief.cli import main
from medbrief.jobs import Filters
from medbrief.serve import safe_output_file, serve


class Running:
    def __init__(self, root: Path, out: Path):
        self.root, self.out = root, out
        self.stop = threading.Event()
        self.log = io.StringIO()
        self.url = ""
        listening = threading.Event()

        def started(url):
            self.url = url
            listening.set()

        console = Console(file=self.log, width=200, color_system=None)
        self.thread = threading.Thread(
            target=serve,
            args=(root, out, Filters(frozenset({"web"})), console),
            kwargs={"port": 0, "started": started, "stop": self.stop},
            daemon=True,
        )
        self.thread.start()
        assert listening.wait(30)

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or parts.netloc)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body

    def wait_for(self, predicate, timeout: float = 30.0, what: str = "") -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if predicate():
                return time.perf_counter() - started
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; log:\n{self.log.getvalue()}")

    def close(self):
        self.stop.set()
        self.thread.join(20)
        assert not self.thread.is_alive()


@pytest.fixture
def running(tmp_path):
    project = copy_project(tmp_path / "project")
    server = Running(project.root, tmp_path / "out")
    server.wait_for(
        lambda: (
            server.get("/")[1].count(b"<td>up to date</td>") == 2
            and b"last update" in server.get("/")[1]
        ),
        what="the first build",
    )
    yield server
    server.close()


# --- what it serves ---------------------------------------------------------------------------


def test_says_its_address_and_binds_to_loopback(running):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", running.url)
    assert f"Serving {running.url}" in running.log.getvalue()


def test_index_lists_every_planned_document_with_links(running):
    status, body = running.get("/")
    html = body.decode()
    assert status == 200
    for topic in ("car-t-ms", "gene-therapy-ms"):
        assert f'<a href="/web/{topic}.html">web/{topic}.html</a>' in html
        assert f'<a href="/_medbrief/preview/web/{topic}.html">preview</a>' in html
    assert html.count("<td>up to date</td>") == 2
    status, page = running.get("/web/car-t-ms.html")
    assert status == 200 and page == (running.out / "web/car-t-ms.html").read_bytes()
    assert running.get("/_medbrief/preview/web/car-t-ms.html")[0] == 200
    assert running.get("/_medbrief/live.js")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/project/content/theme.yaml",
        "/web/../../project/content/theme.yaml",
        "/web/%2e%2e/%2e%2e/project/content/theme.yaml",
        "/%252e%252e/etc/passwd",
        "/web/..%2f..%2fproject/content/theme.yaml",
        "/.medbrief.lock",
        "/escape/passwd",
        "/escape-file",
        "/_medbrief/preview/../project/content/theme.yaml",
        "/_medbrief/preview/%2e%2e/project/content/theme.yaml",
        "/_medbrief/page/1/../x.pdf",
        "/_medbrief/page/1/escape-pdf",
        "/web/car-t-ms.html%00",
        "/nothing-here.html",
        "/_medbrief/../project/content/theme.yaml",
    ],
)
def test_serves_nothing_outside_the_output_folder(running, path, tmp_path):
    (running.out / "escape").symlink_to("/etc", target_is_directory=True)
    (running.out / "escape-file").symlink_to(running.root / "content/theme.yaml")
    outside_pdf = tmp_path / "outside.pdf"
    outside_pdf.write_bytes(b"%PDF-1.4")
    (running.out / "escape-pdf").symlink_to(outside_pdf)
    assert running.get(path)[0] == 404


def test_refuses_other_host_names_on_loopback(running):
    assert running.get("/", host="attacker.example:80")[0] == 403
    assert running.get("/", host="localhost")[0] == 200


def test_safe_output_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/b.pdf").write_bytes(b"x")
    (tmp_path / "a/inside").symlink_to(tmp_path / "a/b.pdf")
    assert safe_output_file(tmp_path, "/a/b.pdf") == (tmp_path / "a/b.pdf").resolve()
    assert safe_output_file(tmp_path, "a/inside") == (tmp_path / "a/b.pdf").resolve()
    for bad in [
        "",
        "/",
        "a",
        "a/../a/b.pdf",
        "a/%2e%2e/a/b.pdf",
        "a/./b.pdf",
        "a//b.pdf",
        ".hidden",
        "a/b.pdf\x00",
    ]:
        assert safe_output_file(tmp_path, bad) is None, bad


# --- in the browser ---------------------------------------------------------------------------


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text, count = re.subn(pattern, replacement, path.read_text("utf-8"), count=1, flags=re.M)
    assert count == 1
    path.write_text(text, "utf-8")


def test_an_edit_reaches_the_open_page_without_a_reload(running):
    topic = running.root / "content/topics/car-t-ms.yaml"
    with chromium() as browser:
        # the server's pages forbid eval (CSP); Playwright's wait_for_function needs it
        browser = browser.new_context(bypass_csp=True)
        page = browser.new_page()
        page.goto(running.url + "_medbrief/preview/web/car-t-ms.html")
        frame = page.frame_locator("iframe")
        frame.locator("h1").wait_for()
        page.evaluate("window.__stillTheSamePage = true")
        page.wait_for_function("document.documentElement.dataset.generation !== undefined")
        _edit(topic, r"^title: .*$", "title: CAR-T therapy, edited while the page is open")
        edited = time.perf_counter()
        page.wait_for_function(
            "document.querySelector('iframe').contentDocument?.querySelector('h1')"
            "?.textContent.includes('edited while the page is open')",
            timeout=30_000,
        )
        seconds = time.perf_counter() - edited
        assert page.evaluate("window.__stillTheSamePage") is True  # updated in place
        print(f"edit to updated page: {seconds:.2f} s")

        index = browser.new_page()
        index.goto(running.url)
        index.evaluate("window.__stillTheSamePage = true")
        index.wait_for_function("document.documentElement.dataset.generation !== undefined")
        _edit(topic, r"^short_title: .*$", "short_title: [unclosed")
        index.locator("#problems").wait_for(timeout=30_000)
        # the panel may already list content warnings (the theme's sample contact details)
        index.wait_for_function(
            "document.querySelector('#problems')?.textContent.includes('error: ')", timeout=30_000
        )
        shown = index.locator("#problems").inner_text()
        assert index.evaluate("window.__stillTheSamePage") is True
        browser.close()
    line = next(
        i
        for i, row in enumerate(topic.read_text().splitlines(), 1)
        if row.startswith("short_title:")
    )
    # (content warnings, e.g. the theme's sample contact details, may be listed before it)
    where = r"^error: content/topics/car-t-ms\.yaml"
    assert re.search(rf"{where}:{line + 1}:\d+: YAML syntax error", shown, re.M) or re.search(
        rf"{where}:{line}:\d+: ", shown, re.M
    ), shown
    assert "hint: " in shown
    # exactly as the command line prints it
    cli = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--project",
            str(running.root),
            "-o",
            str(running.out.parent / "cli-out"),
            "-d",
            "web",
            "-q",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert cli.returncode == 2
    assert " ".join(shown.split()) == " ".join(cli.stderr.split())
    # the server is still up, and the last good page is still served
    status, body = running.get("/web/car-t-ms.html")
    assert status == 200 and b"edited while the page is open" in body


def test_ctrl_c_stops_cleanly(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "serve",
            "--project",
            str(project.root),
            "-o",
            str(tmp_path / "out"),
            "-d",
            "web",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert re.search(r"Serving http://127\.0\.0\.1:\d+/", first), first
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, rest
    assert rest.rstrip().endswith("stopped")
    assert "Traceback" not in rest


def test_serve_rejects_extra_words():
    with pytest.raises(SystemExit):
        main(["serve", "extra"])


def test_index_row_for_every_planned_document_with_site_and_approval(tmp_path):
    from medbrief.jobs import plan_jobs
    from medbrief.loader import load_project
    from medbrief.serve import Rebuilder, State, index_page

    project = copy_project(tmp_path / "project")
    loaded = load_project(project.root)
    state = State()
    Rebuilder(project.root, tmp_path / "out", Filters(), state, Console(file=io.StringIO())).plan(
        loaded
    )
    html = index_page(state, tmp_path / "out").decode()
    jobs = plan_jobs(loaded)
    assert html.count("<tr class=") == len(jobs)
    for job in jobs:
        row = re.search(rf"<tr[^>]*><td>{re.escape(job.output)}</td>(.*?)</tr>", html).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row)
        assert cells[:3] == [
            job.document,
            ", ".join(job.topic_ids),
            job.site.id if job.site else "–",
        ]
        assert cells[5].startswith("building")
    assert any(job.site for job in jobs)  # the default plan has personalised handouts


def test_a_port_in_use_is_an_error_not_a_traceback(running, capsys):
    port = urlsplit(running.url).port
    assert main(["serve", "--project", str(running.root), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "hint: choose another --port" in err
    assert "Traceback" not in err


def test_index_and_previews_pass_axe(running):
    from browser_support import axe_source, axe_violations, describe

    source = axe_source()
    with chromium() as browser:
        context = browser.new_context(bypass_csp=True)  # axe is injected by the test
        for path in ["", "_medbrief/preview/web/car-t-ms.html"]:
            page = context.new_page()
            page.goto(running.url + path)
            page.wait_for_function("document.documentElement.dataset.generation !== undefined")
            violations = axe_violations(page, source)
            assert violations == [], f"/{path}:\n{describe(violations)}"


def test_an_edit_rebuilds_only_the_documents_it_changes(running):
    """Through the build's fingerprints: editing one topic leaves the other page untouched."""
    edited, other = running.out / "web/car-t-ms.html", running.out / "web/gene-therapy-ms.html"
    before_edited, before_other = edited.stat().st_mtime_ns, other.stat().st_mtime_ns
    _edit(
        running.root / "content/topics/car-t-ms.yaml",
        r"^title: .*$",
        "title: CAR-T therapy, edited to test incremental rebuilds",
    )
    running.wait_for(
        lambda: (
            edited.stat().st_mtime_ns != before_edited and b"building" not in running.get("/")[1]
        ),
        what="the rebuild",
    )
    assert b"edited to test incremental rebuilds" in edited.read_bytes()
    assert other.stat().st_mtime_ns == before_other
