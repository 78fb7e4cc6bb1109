"""``new topic``: a commented file that loads; ``check`` reports its placeholders by line."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from medbrief.cli import main
from medbrief.loader import load_project
from medbrief.model import Topic
from medbrief.quality import check_content
from medbrief.scaffold import is_placeholder, topic_text
from medbrief.schema import modeline

TITLE = "Stem cell transplants for MS"


def new(project, topic_id="stem-cells-ms", title=TITLE) -> int:
    return main(["new", "topic", topic_id, "--title", title, "--project", str(project.root)])


def test_new_topic_loads_and_every_placeholder_is_an_error_at_its_line(mini_project):
    assert new(mini_project) == 0
    rel = "content/topics/stem-cells-ms.yaml"
    text = mini_project.read(rel)
    assert text.splitlines()[0] == modeline("topic", rel)
    project = load_project(mini_project.root)  # placeholders load
    topic = project.topics["stem-cells-ms"]
    assert topic.title == TITLE
    assert topic.last_reviewed < topic.next_review
    placeholder_lines = {
        i for i, line in enumerate(text.splitlines(), 1) if re.search(r'(:|-) "TODO', line)
    }
    assert len(placeholder_lines) >= 20
    found = [f for f in check_content(project, dt.date.today()) if f.gate == "placeholders"]
    assert all(f.severity == "error" and f.location.path == rel for f in found)
    assert sorted(f.location.line for f in found) == sorted(placeholder_lines)
    line = text.splitlines()[found[0].location.line - 1]
    assert line[found[0].location.col - 1 :].startswith('"TODO')


def test_every_field_is_commented_and_every_required_field_present():
    text = topic_text("demo-topic", "Demo", dt.date(2026, 1, 1))
    lines = [line for line in text.splitlines() if line.strip()]
    for before, line in zip(lines, lines[1:], strict=False):
        if re.match(r"\s*(- )?[a-z_]+:", line):
            assert before.lstrip().startswith("#"), f"no comment above {line!r}"
    keys = set(re.findall(r"^(\w+):", text, re.M))
    required = {name for name, f in Topic.model_fields.items() if f.is_required()}
    assert required <= keys


def test_new_topic_is_a_draft_when_the_model_has_approval():
    text = topic_text("demo-topic", "Demo", dt.date(2026, 1, 1))
    if "approval" not in Topic.model_fields:
        pytest.skip("the model has no approval block yet")
    assert re.search(r"^approval:\n(\s+#.*\n)*\s+status: \"draft\"", text, re.M)


def test_build_refuses_a_topic_with_placeholders(mini_project, capsys):
    assert new(mini_project) == 0
    out = mini_project.root / "out"
    assert main(["--project", str(mini_project.root), "-o", str(out), "-q"]) == 1
    assert "placeholder 'TODO: summary plain' not written yet" in capsys.readouterr().err
    assert not (out / "handouts").exists()


def test_refuses_to_overwrite(mini_project, capsys):
    before = mini_project.read("content/topics/alpha-topic.yaml")
    assert new(mini_project, "alpha-topic") == 2
    assert "content/topics/alpha-topic.yaml: file already exists" in capsys.readouterr().err
    assert mini_project.read("content/topics/alpha-topic.yaml") == before


@pytest.mark.parametrize(
    "bad", ["Stem Cells", "stem_cells", "stem-", "stem--cells", "a" * 61, "../escape"]
)
def test_refuses_an_id_that_is_not_a_slug(mini_project, capsys, bad):
    assert new(mini_project, bad) == 2
    assert "is not a topic id" in capsys.readouterr().err
    assert sorted(p.name for p in (mini_project.root / "content/topics").iterdir()) == [
        "alpha-topic.yaml",
        "beta-topic.yaml",
    ]


def test_refuses_an_id_used_by_another_file(mini_project, capsys):
    mini_project.write(
        "content/topics/renamed.yaml",
        mini_project.read("content/topics/beta-topic.yaml").replace(
            "id: beta-topic", "id: gamma-topic"
        ),
    )
    assert new(mini_project, "gamma-topic") == 2
    err = capsys.readouterr().err
    assert "content/topics/renamed.yaml: topic id 'gamma-topic' is already used" in err
    assert not (mini_project.root / "content/topics/gamma-topic.yaml").exists()


@pytest.mark.parametrize(
    "argv", [["new"], ["new", "topic"], ["new", "deck", "x", "--title", "T"], ["new", "topic", "x"]]
)
def test_usage_errors(mini_project, capsys, argv):
    assert main([*argv, "--project", str(mini_project.root)]) == 2
    assert "expected: new topic ID --title TEXT" in capsys.readouterr().err


def test_placeholder_word():
    assert is_placeholder("TODO: write it") and is_placeholder("  TODO")
    assert not is_placeholder("Today") and not is_placeholder("todo-source")
    assert not is_placeholder("Ask about the TODO list")
