"""Hostile structure: deep nesting, huge lists, pathological Markdown, a 3,000-page document.

Each ends in a clear, located error or a bounded build: never a hang, never a traceback.
"""

from __future__ import annotations

import gc
import time

import pytest

from hardening_support import Project, problems_of, qpdf_check
from medbrief.errors import ContentError
from medbrief.model import Quality
from medbrief.yamlload import MAX_DEPTH


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def load_problems(project: Project, *, write: bool = True) -> list[str]:
    from medbrief.loader import load_project

    if write:
        project.write()
    with pytest.raises(ContentError) as e:
        load_project(project.root)
    return problems_of(e)


def replace_topic_file(project: Project, text: str) -> None:
    project.write()
    (project.content / "topics" / "alpha.yaml").write_text(text)


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{a: ", "}")])
def test_five_thousand_levels_of_nesting_are_refused_quickly(project, opening, closing):
    project.write()
    body = "id: alpha\nsections: " + opening * 5_000 + "x" + closing * 5_000 + "\n"
    (project.content / "topics" / "alpha.yaml").write_text(body)
    started = time.perf_counter()
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.root)
    assert time.perf_counter() - started < 5
    [msg] = problems_of(e)
    assert msg.startswith("content/topics/alpha.yaml:2:")
    assert f"nesting deeper than {MAX_DEPTH} levels" in msg


def test_deep_block_style_nesting_is_refused(project):
    lines = ["id: alpha"] + [" " * i + "a:" for i in range(200)] + [" " * 200 + "b: x"]
    replace_topic_file(project, "\n".join(lines) + "\n")
    msgs = load_problems(project, write=False)
    assert any(f"nesting deeper than {MAX_DEPTH} levels" in m for m in msgs)


@pytest.mark.parametrize(
    ("field", "limit"), [("questions", 15), ("key_points", 12), ("glossary", 60)]
)
def test_ten_thousand_list_items_are_refused_at_the_list(project, field, limit):
    template = project.topic()[field][0]
    project.topic()[field] = [template] * 1_000
    started = time.perf_counter()
    load_problems(project)
    thousand = time.perf_counter() - started
    project.topic()[field] = [template] * 10_000
    started = time.perf_counter()
    msgs = load_problems(project)
    # relative, not a wall-clock limit (a loaded machine slows both): ten times the items may
    # cost about ten times as long, never the hundred times of a quadratic refusal
    assert time.perf_counter() - started < 30 * thousand + 1
    [msg] = msgs
    text = (project.content / "topics" / "alpha.yaml").read_text().splitlines()
    line = next(i for i, row in enumerate(text, 1) if row.startswith(f"{field}:")) + 1
    assert msg.startswith(f"content/topics/alpha.yaml:{line}:")
    assert f"{field}: List should have at most {limit} items after validation, not 10000" in msg
    assert "hint: use fewer items" in msg


def test_ten_thousand_unknown_keys_are_reported_without_a_hang(project):
    project.topic().update({f"extra{i}": "x" for i in range(10_000)})
    started = time.perf_counter()
    msgs = load_problems(project)
    assert time.perf_counter() - started < 10
    assert len(msgs) == 10_000
    assert all(": unknown field" in m for m in msgs[:5])


PATHOLOGICAL = {
    "brackets": "[" * 3_990,
    "stars": "*" * 3_990,
    "underscores": "_a" * 1_990,
    "link-openers": "[a]" * 1_330,
    "backticks": "`" * 3_990,
    "backslashes": "\\" * 3_990,
    "angles": "<" * 3_990,
    "mixed-emphasis": "*a **b " * 570,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_loads_and_renders_quickly(project, text):
    project.topic()["summary"]["plain"] = text.strip()
    started = time.perf_counter()
    report = project.build()
    assert time.perf_counter() - started < 30
    assert report.ok, [str(r.error) for r in report.failures]
    qpdf_check(project.out / report.results[0].job.output)


def test_thousand_nested_link_openers_are_refused_quickly(project):
    project.topic()["summary"]["plain"] = "[a](" * 995
    started = time.perf_counter()
    msgs = load_problems(project)
    assert time.perf_counter() - started < 5
    assert "summary.plain: link to '[a]([a]" in msgs[0]


# --- bounded builds -----------------------------------------------------------------

PAGES = (
    '<!DOCTYPE html><html lang="en"><head><title>{{ topic.title }}</title></head><body>'
    '{% for i in range(3000) %}<p style="break-after: page">Page {{ i }}</p>{% endfor %}'
    "</body></html>"
)


def test_default_time_limit_is_sixty_seconds():
    assert Quality().time_limit_seconds == 60


def test_three_thousand_page_document_stops_at_the_time_limit_naming_it(project):
    project.template("pages.html.j2", PAGES)
    project.document(template="pages.html.j2", output="long/{topic}-{paper}.pdf")
    handout = project.plan["documents"][0] | {
        "template": "handout.html.j2",
        "output": "handouts/{topic}-{paper}.pdf",
    }
    project.plan["documents"].append(handout)
    project.plan["quality"] = {"time_limit_seconds": "1"}
    project.out.mkdir()
    (project.out / "long").mkdir()
    previous = project.out / "long" / "alpha-a4.pdf"
    previous.write_bytes(b"%PDF previous")
    started = time.perf_counter()
    report = project.build()
    assert time.perf_counter() - started < 20
    long_doc, handout_doc = report.results
    assert str(long_doc.error) == (
        "long/alpha-a4.pdf: took longer than 1 s and was stopped\n"
        "    hint: raise quality.time_limit_seconds in content/documents.yaml, "
        "or shorten the document"
    )
    assert previous.read_bytes() == b"%PDF previous"
    assert handout_doc.ok  # the next document is still built
    assert not list(project.out.rglob(".medbrief-tmp-*"))


def test_time_limit_is_configurable_per_project(project):
    project.template("pages.html.j2", PAGES.replace("3000", "40"))
    project.document(template="pages.html.j2")
    project.plan["quality"] = {"time_limit_seconds": "120"}
    report = project.build()
    assert report.ok
    assert report.results[0].entry.pages == 40


def test_time_limit_alarm_is_cleared_after_each_document(project):
    import signal

    project.plan["quality"] = {"time_limit_seconds": "5"}
    before = signal.getsignal(signal.SIGALRM)
    assert project.build().ok
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_the_time_limit_never_raises_where_python_would_ignore_it():
    """An alarm landing in a garbage-collector callback (hypothesis and pytest register
    some) must not raise there: Python would print "Exception ignored" and carry on.  The
    repeating alarm stops the document at the next place it can."""
    from medbrief.errors import RenderError
    from medbrief.pipeline import time_limit

    slept = []

    def slow_callback(phase, info):
        if phase == "start" and not slept:
            slept.append(True)
            time.sleep(1.5)  # the first alarm (at 1 s) lands in here

    gc.callbacks.append(slow_callback)
    try:
        started = time.perf_counter()
        with pytest.raises(RenderError, match="took longer than 1 s"), time_limit(1, "x.pdf"):
            gc.collect()
            time.sleep(10)  # a later alarm stops it here
        assert slept and time.perf_counter() - started < 9
    finally:
        gc.callbacks.remove(slow_callback)
