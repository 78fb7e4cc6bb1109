"""Property-based tests: generated content through the real loader and pipeline.

Valid topics (text drawn from every character the packaged fonts can draw) always build:
every PDF passes ``qpdf --check`` and every deck reopens.  Invalid content (random text,
mutated files, wrong shapes) only ever yields located ContentErrors, never a traceback.

The default run is short; ``MEDBRIEF_HYPOTHESIS_PROFILE=long`` runs many more examples.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import string
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hardening_support import Project, dump, qpdf_check, topic_data
from medbrief import fonts
from medbrief.errors import ContentError, MedbriefError
from medbrief.model import SOURCE_KINDS
from medbrief.templating import markdown_links, unsafe_link
from medbrief.yamlload import FORBIDDEN_CHARS

LONG = os.environ.get("MEDBRIEF_HYPOTHESIS_PROFILE") == "long"


def examples(short: int, long: int):
    """Settings for one test: few examples by default, many in the long profile."""
    return settings(
        max_examples=long if LONG else short,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@functools.cache
def drawable() -> list[str]:
    """Every character some packaged font has a glyph for, less the forbidden and invisible."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for family in fonts.PACKAGES:
        for f in fonts.family_files(family):
            covered |= set(TTFont(f.path, fontNumber=0).getBestCmap())
    refused = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    return [
        chr(c)
        for c in sorted(covered)
        if unicodedata.category(chr(c)) not in refused and not FORBIDDEN_CHARS.match(chr(c))
    ]


def safe_markdown(text: str) -> bool:
    return not any(unsafe_link(href) for href in markdown_links(text))


def texts(max_size: int = 80):
    common = st.sampled_from(string.ascii_letters + string.digits + "  .,;:!?'\"-()*_[]<>&{}%#")
    unusual = st.sampled_from(drawable())
    return (
        st.text(st.one_of(common, unusual), min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(bool)
        .filter(safe_markdown)
    )


slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
SECTION_IDS = ["how-it-works", "who-it-may-help", "risks", "challenges", "research-status"]


@st.composite
def topics(draw, topic_id: str = "alpha") -> dict:
    """A valid topic: every field the content model has, text from :func:`texts`."""
    t = texts
    source_ids = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    cite = st.lists(st.sampled_from(source_ids), min_size=1, max_size=2, unique=True)

    def two() -> dict:
        return {"plain": draw(t()), "clinical": draw(t())}

    def cited(**extra) -> dict:
        data = {**two(), **extra, "sources": draw(cite)}
        if draw(st.booleans()):
            data["where"] = draw(t(60))
        return data

    last = draw(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)))
    ids = draw(st.lists(st.sampled_from(SECTION_IDS), min_size=1, max_size=3, unique=True))
    return {
        "id": topic_id,
        "title": draw(t(120)),
        "short_title": draw(t(40)),
        "status": draw(st.sampled_from(["approved", "investigational", "experimental"])),
        "status_text": two(),
        "last_reviewed": last.isoformat(),
        "next_review": (last + dt.timedelta(days=draw(st.integers(1, 2000)))).isoformat(),
        "version": draw(st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True)),
        "summary": cited(),
        "key_points": [cited() for _ in range(draw(st.integers(1, 3)))],
        "sections": [
            {
                "id": i,
                "heading": two(),
                "plain": draw(st.lists(t(), min_size=1, max_size=2)),
                "clinical": draw(st.lists(t(), min_size=1, max_size=2)),
                "sources": draw(cite),
            }
            for i in ids
        ],
        "process": {
            "title": two(),
            "sources": draw(cite),
            "steps": [{"label": draw(t(40)), **two()} for _ in range(draw(st.integers(2, 4)))],
        },
        "glossary": [
            {"term": draw(t(30)), "definition": draw(t())} for _ in range(draw(st.integers(1, 3)))
        ],
        "questions": draw(st.lists(t(), min_size=1, max_size=3)),
        "perspectives": [
            {
                "kind": draw(st.sampled_from(["opinion", "skeptics", "experts"])),
                "whose": draw(t(40)),
                **cited(),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "comparison": {
            **{
                k: draw(t())
                for k in (
                    "mechanism",
                    "target_cells",
                    "stage",
                    "results_in_ms",
                    "main_risks",
                    "open_challenges",
                )
            },
            "sources": draw(cite),
        },
        "sources": [
            {"id": s, "title": draw(t(60)), "kind": draw(st.sampled_from(SOURCE_KINDS))}
            for s in source_ids
        ],
    }


DECK = {
    "name": "deck",
    "title": "Deck",
    "template": "deck.html.j2",
    "audience": "speaker",
    "format": "pptx",
    "per": "topic",
    "output": "decks/{topic}.pptx",
}


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    project.plan["documents"].append(DECK)
    return project


@examples(short=5, long=150)
@given(topic=topics())
def test_valid_generated_topic_builds_into_sound_files(project, topic):
    project.topics = {"alpha": topic}
    report = project.build()
    for result in report.results:
        path = project.out / result.job.output
        if result.job.format == "pdf":
            assert result.ok, str(result.error)
            qpdf_check(path)
        elif result.ok:
            import pptx

            assert len(pptx.Presentation(path).slides) == result.entry.pages
        else:  # text too long for a slide box is a located, named error, never a crash
            assert isinstance(result.error, MedbriefError)
            assert "slide" in str(result.error), str(result.error)


# --- invalid content ------------------------------------------------------------------


def assert_located(error: ContentError, path: str) -> None:
    problems = error.problems()
    assert problems
    for problem in problems:
        assert problem.location.path == path, str(problem)
        assert problem.location.line is not None and problem.location.line >= 1, str(problem)
        assert problem.message


def load_topic_file(project: Project, raw: bytes) -> None:
    from medbrief.loader import load_project

    (project.content / "topics" / "alpha.yaml").write_bytes(raw)
    try:
        load_project(project.root)
    except ContentError as e:
        assert_located(e, "content/topics/alpha.yaml")


@pytest.fixture
def written(project) -> Project:
    return project.write()


@examples(short=60, long=3000)
@given(raw=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_random_bytes_as_a_topic_only_give_located_errors(written, raw):
    load_topic_file(written, raw)


VALID = (dump(topic_data("alpha")) + "\n").encode()
YAML_BITS = st.sampled_from(
    [
        "\n",
        ":",
        "- ",
        "  ",
        "\t",
        "{",
        "}",
        "[",
        "]",
        "&a ",
        "*a",
        "!!str ",
        "? ",
        "'",
        '"',
        "#",
        "---\n",
        "|\n",
        ">\n",
        "%YAML 1.1\n",
        "\ufeff",
        "\x00",
        "\u202e",
        "~",
        "null",
    ]
)


@st.composite
def mutated(draw) -> bytes:
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
            continue
        piece = draw(st.one_of(YAML_BITS, st.text(max_size=8))).encode()
        end = at + (draw(st.integers(1, 8)) if kind == "replace" else 0)
        text = text[:at] + piece + text[end:]
    return text


@examples(short=80, long=4000)
@given(raw=mutated())
def test_mutated_topic_file_only_gives_located_errors(written, raw):
    load_topic_file(written, raw)


junk = st.recursive(
    st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["NO", "1.10", "1:30", "", "~"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(string.ascii_lowercase, max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)


def _paths(value, where=()):
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*where, i))


@examples(short=80, long=4000)
@given(data=st.data())
def test_wrong_shapes_anywhere_only_give_located_errors(written, data):
    topic = copy.deepcopy(topic_data("alpha"))
    paths = [p for p in _paths(topic) if p]
    where = data.draw(st.sampled_from(paths))
    replacement = data.draw(junk)
    parent = topic
    for key in where[:-1]:
        parent = parent[key]
    assume(parent[where[-1]] != replacement)
    parent[where[-1]] = replacement
    load_topic_file(written, (dump(topic) + "\n").encode())


@examples(short=15, long=500)
@given(raw=mutated())
def test_cli_reports_invalid_content_without_a_traceback(written, raw, capsys):
    from medbrief.cli import main

    (written.content / "topics" / "alpha.yaml").write_bytes(raw)
    code = main(["check", "--project", str(written.root), "-q"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 1, 2)
    if code == 2:
        assert "error: content/topics/alpha.yaml:" in err
