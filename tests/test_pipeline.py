"""The build, end to end: the real project's PDFs inspected by their properties and text.

Most tests read the one session build of the real project (see conftest.session_build);
tests that change templates or content build a small throwaway project instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pikepdf
import pytest

from conftest import (
    FOUNDATION_DOCUMENTS,
    REPO,
    page_texts,
    run_tool,
    sha256_file,
    squash,
)
from medbrief import fonts
from medbrief.errors import FetchError, RenderError, TemplateError
from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project
from medbrief.model import DRAFT_MARK
from medbrief.pipeline import Builder, build
from medbrief.templating import long_date, md_plain

TRIAL_PARTICIPANT = "Grace Miller"
"""A trial participant the CAR-T seed (seeds/001_*.txt) names; no document may name her."""

MANIFEST_KEYS = [
    "path",
    "format",
    "document",
    "topics",
    "audience",
    "paper",
    "variant",
    "pages",
    "sha256",
    "site",
    "approval",
    "fingerprint",
]


# --- helpers ----------------------------------------------------------------------------------


def body_text(pdf: Path) -> str:
    """The PDF's text with running headers and footers removed, whitespace folded.

    A line that appears on every page of a multi-page document is a running header or
    footer; so is a "Page X of Y" line.
    """
    pages = [
        [line.strip() for line in page.splitlines() if line.strip()]
        for page in page_texts(pdf, layout=False)
    ]
    repeated = set.intersection(*(set(p) for p in pages)) if len(pages) > 1 else set()
    lines = [
        line
        for page in pages
        for line in page
        if line not in repeated and not re.fullmatch(r"Page \d+ of \d+", line)
    ]
    return norm(" ".join(lines))


def norm(text: str) -> str:
    """Whitespace folded and hyphens dropped: pdftotext joins "white-⏎matter" as "whitematter"."""
    return re.sub(r"-\s*", "", squash(text))


def plain(text: str) -> str:
    """Content text (Markdown) as it reads in a PDF, normalised like :func:`body_text`."""
    return norm(md_plain(text))


def all_pdfs(session_build) -> list[str]:
    return [r.job.output for r in session_build.report.results]


def pytest_generate_tests(metafunc):
    """Parametrise ``output`` over the foundation PDFs of the real plan (known before building)."""
    if "output" in metafunc.fixturenames:
        kinds = getattr(metafunc.function, "documents", FOUNDATION_DOCUMENTS)
        variants = getattr(metafunc.function, "variants", None)
        jobs = plan_jobs(load_project(REPO), Filters(documents=frozenset(kinds)))
        metafunc.parametrize(
            "output", [j.output for j in jobs if variants is None or j.variant in variants]
        )


def documents(*kinds: str, variants: tuple[str, ...] | None = None):
    """Limit a test's ``output`` parameter to these document kinds (and variants)."""

    def mark(function):
        function.documents, function.variants = frozenset(kinds), variants
        return function

    return mark


def topic_of(session_build, output: str):
    return session_build.result(output).job.topics[0]


# --- the whole build ----------------------------------------------------------------------------


def test_every_document_built(session_build):
    expected = [
        j.output for j in plan_jobs(session_build.project, Filters(documents=FOUNDATION_DOCUMENTS))
    ]
    assert all_pdfs(session_build) == expected
    # 2 topics × (4 handouts + 1 summary) + 1 briefing + 3 sample clinics × 2 topics
    assert len(expected) == 17
    failures = {r.job.output: str(r.error) for r in session_build.report.failures}
    assert failures == {}
    for output in expected:
        assert (session_build.outdir / output).read_bytes().startswith(b"%PDF-")


def test_the_build_logs_no_warnings(session_build):
    assert session_build.logs == []


def test_manifest_matches_the_contract(session_build):
    manifest = json.loads((session_build.outdir / "manifest.json").read_text("utf-8"))
    assert list(manifest) == ["files"]
    rows = manifest["files"]
    assert [row["path"] for row in rows] == sorted(all_pdfs(session_build))
    for row in rows:
        assert list(row) == MANIFEST_KEYS
        job = session_build.result(row["path"]).job
        pdf = session_build.outdir / row["path"]
        with pikepdf.open(pdf) as doc:
            pages = len(doc.pages)
        assert row == {
            "path": job.output,
            "format": "pdf",
            "document": job.document,
            "topics": job.topic_ids,
            "audience": job.spec.audience,
            "paper": job.paper,
            "variant": job.variant,
            "pages": pages,
            "sha256": sha256_file(pdf),
            "site": job.site.id if job.site else None,
            "approval": "draft",  # the seeded topics are drafts
            "fingerprint": row["fingerprint"],  # what it covers: test_incremental
        }
        assert re.fullmatch(r"[0-9a-f]{64}", row["fingerprint"])
        assert (row["site"] is not None) == row["path"].startswith("sites/")
        assert (
            row["audience"]
            == {"handout": "patient", "clinician-summary": "clinician", "briefing": "organisation"}[
                row["document"]
            ]
        )
        assert row["paper"] in ("a4", "letter")
        assert row["variant"] in (("clear", "large") if job.document == "handout" else (None,))


# --- pages ------------------------------------------------------------------------------------


@documents("handout", variants=("clear",))
def test_clear_print_handouts_fit_the_plans_page_limit(session_build, output):
    # Issue 9 added the challenges section and the organisation's safety text to every
    # handout: clear print measures 2 pages and a few lines, so the plan allows 3.
    assert session_build.max_pages[output] == 3
    pages = session_build.result(output).entry.pages
    assert pages <= 3, f"{output} has {pages} pages; a clear-print handout may have 3"


@documents("clinician-summary")
def test_clinician_summary_is_one_a4_page(session_build, output):
    assert session_build.max_pages[output] == 1
    with pikepdf.open(session_build.pdf(output)) as doc:
        assert len(doc.pages) == 1, f"{output} has {len(doc.pages)} pages; the limit is 1"
        width, height = (float(v) for v in doc.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


@documents("handout")
def test_paper_size(session_build, output):
    with pikepdf.open(session_build.pdf(output)) as doc:
        sizes = {tuple(round(float(v) / 72 * 25.4) for v in p.mediabox[2:]) for p in doc.pages}
    assert sizes == ({(216, 279)} if output.endswith("letter.pdf") else {(210, 297)})


def test_pipeline_enforces_page_limits(mini_project, tmp_path):
    mini_project.edit("content/documents.yaml", "    max_pages: 2\n", "    max_pages: 1\n")
    report = build(
        mini_project.root,
        tmp_path / "out",
        Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"})),
    )
    by_output = {r.job.output: r for r in report.results}
    clear = by_output["handouts/alpha-topic-clear-print-a4.pdf"]
    assert isinstance(clear.error, RenderError)
    assert clear.error.message.startswith(
        "handouts/alpha-topic-clear-print-a4.pdf: 2 pages, but max_pages here is 1: about "
    )
    assert str(clear.error.location).startswith("content/documents.yaml:")
    assert not (tmp_path / "out" / clear.job.output).exists()
    assert by_output["handouts/alpha-topic-large-print-a4.pdf"].ok  # large print is exempt


# --- the briefing -----------------------------------------------------------------------------

BRIEFING = "briefing/ms-new-directions-briefing-a4.pdf"


@pytest.fixture(scope="module")
def briefing_pages(session_build) -> list[str]:
    return page_texts(session_build.pdf(BRIEFING))


def header(page: str) -> str:
    """The page's running header; on a draft, what follows the draft mark in its band."""
    lines = page.strip("\n").splitlines()
    band = (
        " ".join(ln.strip() for ln in lines[: lines.index("")] if ln.strip())
        if "" in lines
        else lines[0].strip()
    )
    return band.removeprefix(DRAFT_MARK).removeprefix(" · ").strip()


def test_briefing_cover(session_build, briefing_pages):
    cover = norm(briefing_pages[0])
    project = session_build.project
    assert norm(project.plan.title) in cover
    assert norm(f"Briefing for {project.theme.organisation.name}") in cover
    for topic in project.topics.values():
        assert norm(topic.title) in cover
    with pikepdf.open(session_build.pdf(BRIEFING)) as doc:
        created = str(doc.docinfo["/CreationDate"])  # D:YYYYMMDDhhmmss...
    built = dt.date(int(created[2:6]), int(created[6:8]), int(created[8:10]))
    assert f"Date {long_date(built)}" in cover
    version = max(t.version for t in project.topics.values())
    assert f"Version {version}" in cover
    assert norm(project.theme.organisation.contact) in cover
    assert not re.search(r"Page \d+ of", cover), "the cover has no page footer"


def contents(briefing_pages) -> list[tuple[str, int]]:
    page = next(p for p in briefing_pages if header(p).endswith("Contents"))
    return [
        (m[1].strip(), int(m[2])) for m in re.finditer(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", page, re.M)
    ]


def test_briefing_contents_page_numbers_match_chapter_starts(session_build, briefing_pages):
    entries = contents(briefing_pages)
    titles = [t for t, _ in entries]
    topics = [t.title for t in session_build.project.topics.values()]
    assert titles == [
        "Executive summary",
        *sorted(topics),
        "Side-by-side comparison",
        "Open challenges",
        "About the evidence",
        "References",
    ]
    previous = 1
    for title, number in entries:
        # a chapter starts on the first page whose running header names it; a short chapter
        # that follows another on the same page (References) starts where its heading is
        starts = [i for i, page in enumerate(briefing_pages, 1) if header(page).endswith(title)]
        if not starts:
            starts = [
                i
                for i, page in enumerate(briefing_pages, 1)
                if i >= previous and title in [ln.strip() for ln in page.splitlines()[1:]]
            ]
        assert starts, f"no page starts the chapter {title!r}"
        assert number == starts[0], f"contents say {title!r} is on page {number}"
        body = [line.strip() for line in briefing_pages[number - 1].splitlines()[1:]]
        assert title in body, f"{title!r} is not a heading on page {number}"
        previous = number
    assert [n for _, n in entries] == sorted(n for _, n in entries)


def test_briefing_page_x_of_y_and_running_header(session_build, briefing_pages):
    total = len(briefing_pages)
    assert total >= 5
    for number, page in enumerate(briefing_pages[1:], 2):
        assert re.findall(r"Page (\d+) of (\d+)", page) == [(str(number), str(total))]
        assert page.strip().startswith(DRAFT_MARK)  # the seeded topics are drafts
        assert header(page).startswith(session_build.project.plan.title)


def test_briefing_text(session_build):
    text = body_text(session_build.pdf(BRIEFING))
    project = session_build.project
    for label in (
        "Executive summary",
        "Side-by-side comparison",
        "Mechanism",
        "Target cells",
        "Stage of research",
        "Main risks",
        "Open challenges",
        "References",
    ):
        assert norm(label) in text
    for topic in project.topics.values():
        assert plain(topic.comparison.mechanism) in text
        assert plain(topic.comparison.stage) in text
        assert plain(topic.summary.clinical) in text
        for source in topic.sources:
            assert norm(source.title) in text
    assert norm(project.theme.organisation.contact) in text


# --- every PDF: metadata, tags, fonts ---------------------------------------------------------


def expected_title(session_build, output: str) -> str:
    job = session_build.result(output).job
    return job.topics[0].title if job.spec.per == "topic" else session_build.project.plan.title


def test_pdf_language_title_and_tags(session_build, output):
    with pikepdf.open(session_build.pdf(output)) as doc:
        assert str(doc.Root.Lang) == "en-GB"
        title = str(doc.docinfo["/Title"])
        assert expected_title(session_build, output) in title
        with doc.open_metadata() as xmp:
            assert xmp["dc:title"] == title
            assert xmp["pdfuaid:part"] == "1"
        assert "/StructTreeRoot" in doc.Root
        assert len(doc.Root.StructTreeRoot.K) > 0
        assert doc.Root.MarkInfo.Marked is True
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True


def test_pdf_fonts_are_embedded_packaged_fonts(session_build, output):
    listing = run_tool("pdffonts", str(session_build.pdf(output))).splitlines()[2:]
    assert listing, "no fonts at all"
    families = [f.replace(" ", "").lower() for f in fonts.PACKAGES]
    for line in listing:
        name, *_, emb, _sub, _uni, _num, _gen = line.split()
        assert emb == "yes", f"{output}: font {name} is not embedded"
        bare = name.split("+")[-1].replace("-", "").lower()
        assert any(bare.startswith(f) for f in families), f"{output}: {name} is not packaged"


def test_pdf_is_well_formed(session_build, output):
    run_tool("qpdf", "--check", str(session_build.pdf(output)))


# --- what each document says ------------------------------------------------------------------


@documents("handout")
def test_handout_text(session_build, output):
    text = body_text(session_build.pdf(output))
    job = session_build.result(output).job
    topic, project = job.topics[0], session_build.project
    assert norm(topic.title) in text
    assert "Questions to ask your care team" in text
    for question in topic.questions:
        assert plain(question) in text
    glossary = Builder.glossary_for(topic, Builder.sections_for(job, topic))
    assert glossary, "the handout shows no glossary entries"
    for entry in glossary:
        assert norm(entry.term) in text and plain(entry.definition) in text
    for step in topic.process.steps:
        assert norm(step.label) in text
    assert plain(project.theme.disclaimers.patient) in text
    assert plain(project.theme.safety.keep_treatment) in text
    assert "clinical trial" in text.lower()
    assert (
        f"Last reviewed {long_date(topic.last_reviewed)} · Next review "
        f"{long_date(topic.next_review)} · Version {topic.version}"
    ) in text
    org = project.theme.organisation
    if job.site:  # a clinic's handout: its own contact where the organisation's was
        for value in (job.site.name, job.site.phone, job.site.email):
            assert norm(value) in text
        assert norm(org.contact) not in text and norm(org.name) in text
    else:
        assert norm(org.contact) in text
    for source in topic.sources:
        assert norm(source.title) in text
    assert plain(topic.status_text.plain) in text


@documents("clinician-summary")
def test_clinician_summary_text(session_build, output):
    text = body_text(session_build.pdf(output))
    topic = topic_of(session_build, output)
    assert norm(topic.title) in text
    assert plain(topic.summary.clinical) in text
    assert plain(topic.summary.plain) not in text  # the clinical register only
    for section_id in ("risks", "challenges"):
        assert plain(topic.section(section_id).heading.clinical) in text
    assert "References" in text
    for source in topic.sources:
        assert norm(source.title) in text
    assert f"Version {topic.version}" in text


def test_no_document_names_the_trial_participant(session_build, output):
    text = body_text(session_build.pdf(output))
    for name in (TRIAL_PARTICIPANT, *TRIAL_PARTICIPANT.split()):
        assert name not in text
    with pikepdf.open(session_build.pdf(output)) as doc:
        assert TRIAL_PARTICIPANT not in " ".join(str(v) for v in doc.docinfo.values())


# --- building into a throwaway project ----------------------------------------------------------

SUMMARY = "clinician/alpha-topic-summary-a4.pdf"
ONE_SUMMARY = Filters(documents=frozenset({"clinician-summary"}), topics=frozenset({"alpha-topic"}))


def test_html_is_written_next_to_the_pdf(mini_project, tmp_path):
    report = build(mini_project.root, tmp_path / "out", ONE_SUMMARY, write_html=True)
    assert report.ok, report.failures
    html_path = (tmp_path / "out" / SUMMARY).with_suffix(".html")
    html = html_path.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB"' in html
    assert "Demo topic alpha-topic" in html
    # every asset it links to is a file URL that exists, so a browser shows it as printed
    urls = re.findall(r'(?:href|src)="(file://[^"]+)"', html)
    assert any(u.endswith("templates/css/clinician.css") for u in urls)
    for url in urls:
        assert Path(url.removeprefix("file://")).is_file(), url
    assert sorted(p.name for p in html_path.parent.iterdir()) == [
        "alpha-topic-summary-a4.html",
        "alpha-topic-summary-a4.pdf",
    ]


def test_without_html_flag_no_html_is_written(mini_project, tmp_path):
    build(mini_project.root, tmp_path / "out", ONE_SUMMARY)
    assert not list((tmp_path / "out").rglob("*.html"))


@pytest.mark.parametrize(
    "break_it, error",
    [
        (
            ("templates/clinician-summary.html.j2", "<h2>Summary</h2>", "<h2>{{ nope }}</h2>"),
            TemplateError,
        ),
        (
            (
                "templates/clinician-summary.html.j2",
                "<h2>Summary</h2>",
                '<h2>Summary</h2><img src="http://example.com/x.png" alt="">',
            ),
            FetchError,
        ),
    ],
)
def test_failed_build_leaves_previous_pdf_byte_identical(mini_project, tmp_path, break_it, error):
    out = tmp_path / "out"
    first = build(mini_project.root, out, ONE_SUMMARY)
    assert first.ok, first.failures
    before = (out / SUMMARY).read_bytes()
    manifest_before = (out / "manifest.json").read_bytes()

    mini_project.edit(*break_it)
    second = build(mini_project.root, out, ONE_SUMMARY)
    assert [r.job.output for r in second.failures] == [SUMMARY]
    assert isinstance(second.failures[0].error, error)
    assert (out / SUMMARY).read_bytes() == before
    assert (out / "manifest.json").read_bytes() == manifest_before
    assert sorted(p.name for p in (out / "clinician").iterdir()) == [Path(SUMMARY).name]


def test_one_failing_document_does_not_stop_the_others(mini_project, tmp_path):
    mini_project.edit(
        "templates/clinician-summary.html.j2",
        "<h2>Summary</h2>",
        "<h2>{{ 1 if topic.id == 'beta-topic' else nope }}</h2>",
    )
    report = build(
        mini_project.root, tmp_path / "out", Filters(documents=frozenset({"clinician-summary"}))
    )
    assert [(r.job.output, r.ok) for r in report.results] == [
        (SUMMARY, False),
        ("clinician/beta-topic-summary-a4.pdf", True),
    ]
    assert str(report.results[0].error.message).endswith("'nope' is undefined")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [row["path"] for row in manifest["files"]] == ["clinician/beta-topic-summary-a4.pdf"]


def test_same_inputs_and_source_date_epoch_give_identical_pdfs(
    mini_project, tmp_path, monkeypatch, no_logs
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    build(mini_project.root, tmp_path / "one", ONE_SUMMARY)
    build(mini_project.root, tmp_path / "two", ONE_SUMMARY)
    one, two = (tmp_path / "one" / SUMMARY).read_bytes(), (tmp_path / "two" / SUMMARY).read_bytes()
    assert one == two
    with pikepdf.open(tmp_path / "one" / SUMMARY) as doc:
        assert str(doc.docinfo["/CreationDate"]).startswith("D:20260101000000")
