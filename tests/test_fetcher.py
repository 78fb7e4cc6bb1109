"""The safe URL fetcher: files inside allowed folders only; everything else refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from medbrief.errors import FetchError
from medbrief.fetcher import MAX_RESOURCE_BYTES, Refused, SafeFetcher
from medbrief.jobs import Filters
from medbrief.pipeline import build


@pytest.fixture
def folders(tmp_path):
    templates = tmp_path / "project" / "templates"
    (templates / "css").mkdir(parents=True)
    (templates / "css" / "base.css").write_text("p { color: red }")
    (templates / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    return templates, outside


def test_allowed_file_is_served(folders):
    templates, _ = folders
    fetcher = SafeFetcher([templates])
    assert fetcher.load((templates / "css" / "base.css").as_uri()) == (
        b"p { color: red }",
        "text/css",
    )
    assert fetcher.load((templates / "logo.svg").as_uri())[1] == "image/svg+xml"
    assert fetcher.load("file://localhost" + str(templates / "logo.svg"))[0].startswith(b"<svg")
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://example.com/x.png", "only files inside the project can be used"),
        ("https://example.com/font.woff2", "only files inside the project can be used"),
        ("ftp://example.com/x", "only files inside the project can be used"),
        ("data:image/png;base64,iVBORw0KGgo=", "only files inside the project can be used"),
        ("file://otherhost/etc/passwd", "only files inside the project can be used"),
        ("file:///etc/passwd", "it is outside the project's templates, content and fonts"),
        ("file:///dev/zero", "it is outside the project's templates, content and fonts"),
    ],
)
def test_references_outside_are_refused_by_name(folders, url, why):
    templates, _ = folders
    fetcher = SafeFetcher([templates])
    with pytest.raises(Refused) as info:
        fetcher.load(url)
    assert str(info.value) == f"refused {url}: {why}"
    assert fetcher.refused == [f"{url} ({why})"]


def test_traversal_out_of_an_allowed_folder_is_refused(folders):
    templates, outside = folders
    fetcher = SafeFetcher([templates])
    for url in (
        templates.as_uri() + "/../../outside/secret.txt",
        templates.as_uri() + "/%2e%2e/%2E%2E/outside/secret.txt",
    ):
        with pytest.raises(Refused, match="outside the project's templates, content and fonts"):
            fetcher.load(url)
    assert len(fetcher.refused) == 2


def test_symlink_pointing_outside_is_refused(folders):
    templates, outside = folders
    link = templates / "innocent.css"
    link.symlink_to(outside / "secret.txt")
    fetcher = SafeFetcher([templates])
    with pytest.raises(Refused) as info:
        fetcher.load(link.as_uri())
    assert str(info.value) == (
        f"refused {link.as_uri()}: it is outside the project's templates, content and fonts"
    )


def test_symlink_to_dev_zero_is_refused(folders):
    templates, _ = folders
    link = templates / "zero.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(Refused, match="outside the project"):
        SafeFetcher([templates]).load(link.as_uri())


def test_missing_file_and_folder_are_refused(folders):
    templates, _ = folders
    fetcher = SafeFetcher([templates])
    with pytest.raises(Refused, match="no such file"):
        fetcher.load((templates / "nope.css").as_uri())
    with pytest.raises(Refused, match="not a regular file"):
        fetcher.load((templates / "css").as_uri())


def test_oversized_file_is_refused(folders):
    templates, _ = folders
    big = templates / "big.png"
    with big.open("wb") as f:
        f.truncate(MAX_RESOURCE_BYTES + 1)
    with pytest.raises(Refused, match="larger than 20,000,000 bytes"):
        SafeFetcher([templates]).load(big.as_uri())


def test_long_references_are_shortened_in_messages(folders):
    templates, _ = folders
    url = "http://example.com/" + "a" * 200
    with pytest.raises(Refused) as info:
        SafeFetcher([templates]).load(url)
    assert str(info.value) == f"refused {url[:117]}...: only files inside the project can be used"


# --- end to end: a refused reference fails the document -------------------------------------

HANDOUT = "handouts/alpha-topic-clear-print-a4.pdf"
ONE_HANDOUT = Filters(documents=frozenset({"handout"}), topics=frozenset({"alpha-topic"}))


@pytest.fixture
def one_handout(mini_project):
    """The mini project with one handout (clear print, A4) per topic."""
    mini_project.edit(
        "content/documents.yaml",
        "    papers: [a4, letter]\n    variants: [clear, large]\n",
        "    papers: [a4]\n    variants: [clear]\n",
    )
    return mini_project


def build_one_handout(project, outdir: Path):
    report = build(project.root, outdir, ONE_HANDOUT)
    assert [r.job.output for r in report.results] == [HANDOUT]
    return report.results[0]


def test_mini_handout_builds_without_refusals(one_handout, tmp_path, no_logs):
    result = build_one_handout(one_handout, tmp_path / "out")
    assert result.ok, result.error
    assert (tmp_path / "out" / HANDOUT).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    "file, old, new, reference",
    [
        (
            "templates/css/handout.css",
            "",
            "body { background: url(http://example.com/x.png) }\n",
            "http://example.com/x.png (only files inside the project can be used)",
        ),
        (
            "templates/css/handout.css",
            "",
            '@import url("https://example.com/evil.css");\n',
            "https://example.com/evil.css (only files inside the project can be used)",
        ),
        (
            "templates/handout.html.j2",
            "<h2>The main message</h2>",
            '<h2>The main message</h2><img src="file:///etc/hostname" alt="">',
            "file:///etc/hostname (it is outside the project's templates, content and fonts)",
        ),
        (
            "templates/handout.html.j2",
            "<h2>The main message</h2>",
            '<h2>The main message</h2><img src="templates/missing.png" alt="">',
            "{root}/templates/missing.png (no such file)",
        ),
    ],
)
def test_refused_reference_fails_the_document(one_handout, tmp_path, file, old, new, reference):
    if old:
        one_handout.edit(file, old, new)
    else:
        one_handout.write(file, new + one_handout.read(file))
    result = build_one_handout(one_handout, tmp_path / "out")
    assert not result.ok
    assert isinstance(result.error, FetchError)
    shown = reference.format(root=one_handout.root.resolve().as_uri())
    assert str(result.error).splitlines()[0] == f"{HANDOUT}: refused to load {shown}"
    assert result.error.hint == "documents may only use files inside templates/ and content/"
    assert not (tmp_path / "out" / HANDOUT).exists()


def test_attachment_outside_the_project_fails_the_document(one_handout, tmp_path):
    one_handout.edit(
        "templates/handout.html.j2",
        "<h2>The main message</h2>",
        '<h2>The main message</h2><a rel="attachment" href="file:///etc/hostname">x</a>',
    )
    result = build_one_handout(one_handout, tmp_path / "out")
    assert isinstance(result.error, FetchError)
    assert "file:///etc/hostname" in result.error.message
