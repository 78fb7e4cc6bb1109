"""Web pages: one self-contained, accessible page per topic, in a real browser.

Each page built from the real project is opened in Debian's chromium (Playwright): axe-core
finds no WCAG 2.1 A/AA violation, nothing scrolls sideways at 320 px, the browser requests
nothing but the page itself, and it has a language, a title, a main landmark and one h1.
"""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import axe_source, axe_violations, chromium, describe
from conftest import copy_project
from medbrief.cli import main
from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project
from medbrief.model import DRAFT_MARK
from medbrief.pipeline import Builder
from medbrief.web import outside_references


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The real project's web pages, built once: (project root, output folder)."""
    project = copy_project(tmp_path_factory.mktemp("web-project"))
    out = tmp_path_factory.mktemp("web-out")
    assert main(["-d", "web", "--project", str(project.root), "-o", str(out), "-q"]) == 0
    return project.root, out


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def pages(out: Path) -> list[Path]:
    found = sorted((out / "web").glob("*.html"))
    assert found
    return found


# --- without a browser ----------------------------------------------------------------------


def test_one_page_per_topic_in_the_manifest(built):
    root, out = built
    topics = sorted(load_project(root).topics)
    assert [p.stem for p in pages(out)] == topics
    entries = json.loads((out / "manifest.json").read_text())["files"]
    web = [e for e in entries if e["document"] == "web"]
    assert [(e["path"], e["format"], e["audience"], e["topics"]) for e in web] == [
        (f"web/{t}.html", "html", "patient", [t]) for t in topics
    ]


def test_pages_refer_to_nothing_outside_themselves(built):
    for page in pages(built[1]):
        html = page.read_text("utf-8")
        assert outside_references(html) == []
        assert "<script" not in html and "file:" not in html
        assert "data:font/ttf;base64," in html  # the packaged fonts travel inside
        assert "<svg" in html  # the diagram is inline


class _Text(HTMLParser):
    """Headings and list items of a page, as text."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.items: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "li", "dt", "dd", "p"):
            self.stack.append(tag)
            self.items.append((tag, ""))

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            tag, text = self.items[-1]
            self.items[-1] = (tag, text + data)

    def text(self) -> list[tuple[str, str]]:
        return [(t, " ".join(s.split())) for t, s in self.items if s.strip()]


def _blocks(html: str) -> list[tuple[str, str]]:
    parser = _Text()
    parser.feed(html)
    return [(t, s.replace("leaflet", "page")) for t, s in parser.text()]


def test_same_content_as_the_patient_handout(built):
    root, out = built
    project = load_project(root)
    builder = Builder(project)
    for topic in sorted(project.topics):
        handout = next(
            j
            for j in plan_jobs(project, Filters(frozenset({"handout"}), frozenset({topic})))
            if j.variant == "clear"
        )
        expected = _blocks(builder.render_html(handout))
        page = _blocks((out / f"web/{topic}.html").read_text("utf-8"))
        # a draft web page opens with the draft banner (a PDF has it in its page margins)
        assert page[0] == ("p", DRAFT_MARK)
        page = page[1:]
        assert page == expected
        joined = " ".join(s for _, s in page)
        t = project.topics[topic]
        for needle in [
            t.questions[0],
            t.sources[0].title,
            "Next review",
            "Questions to ask your care team",
            "Words used in this page",
        ]:
            assert needle in joined


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<link rel="stylesheet" href="style.css">', "<link href='style.css'>"),
        ('<img src="logo.png" alt="">', "<img src='logo.png'>"),
        ('<img srcset="a.png 2x" alt="">', "<img srcset='a.png 2x'>"),
        ("<script>alert(1)</script>", "<script>"),
        (
            '<style>body { background: url("https://x.example/a.png") }</style>',
            "url('https://x.example/a.png')",
        ),
        ("<style>@import 'other.css';</style>", "url('other.css')"),
        ('<p style="background:url(/etc/x)">x</p>', "url('/etc/x')"),
        ('<a href="file:///etc/passwd">x</a>', "<a href='file:///etc/passwd'>"),
        ('<svg><image href="pic.png"/></svg>', "<image href='pic.png'>"),
    ],
)
def test_outside_references_are_found(html, expected):
    assert outside_references(html) == [expected]


def test_inline_data_and_links_are_not_outside_references():
    html = (
        '<style>@font-face { src: url("data:font/ttf;base64,AAAA") }</style>'
        '<img src="data:image/svg+xml;base64,AAAA" alt="logo">'
        '<a href="https://example.org">x</a><a href="mailto:a@b.example">m</a>'
        '<a href="#content">skip</a>'
    )
    assert outside_references(html) == []


def test_writer_refuses_a_page_with_an_outside_reference(tmp_path):
    project = copy_project(tmp_path / "p")
    project.edit("templates/web.html.j2", "{% block base_stylesheet %}{% endblock %}", "")
    code = main(["-d", "web", "--project", str(project.root), "-o", str(tmp_path / "o"), "-q"])
    assert code == 1
    assert not list((tmp_path / "o").glob("web/*.html"))


# --- in the browser -------------------------------------------------------------------------


def _open(browser, page_path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    return page, requests


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_wcag_violation(built, browser, width):
    source = axe_source()
    for path in pages(built[1]):
        page, _ = _open(browser, path, width)
        violations = axe_violations(page, source)
        page.close()
        assert violations == [], f"{path.name} at {width} px:\n{describe(violations)}"


def test_no_sideways_scroll_at_320_px_and_no_outside_request(built, browser):
    for path in pages(built[1]):
        page, requests = _open(browser, path, 320)
        widths = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            widest: Math.max(...[...document.querySelectorAll('body *')]
                .filter(e => e.getClientRects().length)
                .map(e => e.getBoundingClientRect().right))})""")
        page.close()
        assert widths["scroll"] <= widths["client"] == 320, (path.name, widths)
        assert widths["widest"] <= 320.5, (path.name, widths)
        assert requests == [path.as_uri()], f"{path.name} requested {requests[1:]}"


def test_language_title_landmarks_and_one_h1(built, browser):
    project = load_project(built[0])
    for path in pages(built[1]):
        page, _ = _open(browser, path, 1024)
        facts = page.evaluate("""() => ({
            lang: document.documentElement.lang, title: document.title,
            h1: document.querySelectorAll('h1').length,
            main: document.querySelectorAll('main').length,
            scripts: document.scripts.length,
            fonts: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)})""")
        page.close()
        topic = project.topics[path.stem]
        assert facts["lang"] == "en-GB"
        assert facts["title"].startswith(topic.title)
        assert (facts["h1"], facts["main"], facts["scripts"]) == (1, 1, 0)
        assert any("Atkinson Hyperlegible" in f for f in facts["fonts"]), facts["fonts"]


def test_diagram_drawn_once_for_each_screen_and_print(built, browser):
    path = pages(built[1])[0]
    shown = """() => [...document.querySelectorAll('figure.diagram')]
        .filter(f => getComputedStyle(f).display !== 'none').map(f => f.className)"""
    page, _ = _open(browser, path, 320)
    assert page.evaluate(shown) == ["diagram diagram-narrow"]
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate(shown) == ["diagram diagram-wide"]
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate(shown) == ["diagram diagram-wide"]
    skip = page.evaluate("getComputedStyle(document.querySelector('.skip-link')).display")
    assert skip == "none"
    pdf = page.pdf(format="A4")
    page.close()
    assert pdf.startswith(b"%PDF") and re.search(rb"/Type\s*/Page\b", pdf)


def test_axe_does_report_violations(browser):
    """The check above can fail: a page without lang, alt text or contrast has violations."""
    page = browser.new_page()
    page.set_content(
        "<html><head><title>x</title></head><body><main><h1>x</h1>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page, axe_source())}
    page.close()
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found


def test_check_applies_the_handout_gates_to_web_pages(built):
    from medbrief.output import read_manifest
    from medbrief.quality.documents import check_document

    root, out = built
    project = load_project(root)
    entries = {e.path: e for e in read_manifest(out)}
    jobs = plan_jobs(project, Filters(frozenset({"web"})))
    for job in jobs:
        result = check_document(project, out, job, entries[job.output])
        assert result.reading is not None and result.reading.result.words > 300
        assert [f for f in result.findings if f.severity == "error"] == []
    # the same page without its questions box and status fails the gates
    job = jobs[0]
    page = out / job.output
    html = page.read_text("utf-8")
    status = project.topics[job.topic_ids[0]].status_text.plain.split(".")[0]
    broken = page.with_name("broken.html")
    broken.write_text(
        re.sub(
            r'<section class="questions".*?</section>',
            "",
            html.replace(status, "Status unknown"),
            flags=re.S,
        ),
        "utf-8",
    )
    result = check_document(
        project, out, job, dataclasses.replace(entries[job.output], path="web/broken.html")
    )
    messages = " ".join(f.message for f in result.findings if f.severity == "error")
    assert "a call to action" in messages and "the status of" in messages
    broken.unlink()


def test_page_units_read_prose_not_styles_diagrams_or_skip_links():
    from medbrief.web import page_units

    html = (
        '<style>p { color: red }</style><a class="skip-link" href="#c">Skip</a>'
        "<main><h1>Title</h1><p>One <strong>two</strong>.</p>"
        "<figure><svg><title>Steps</title><text>1</text></svg></figure>"
        "<ul><li>Item<br>more</li></ul><dl><dt>term</dt><dd>def</dd></dl></main>"
    )
    assert page_units(html) == ["Title", "One two.", "Itemmore", "term", "def"]
