"""Every piece of text a topic shows, with its field path and register.

Checks walk these instead of the model, so each finding can name the field
(``sections[2].plain[0]``) and locate it in the YAML file.  Markdown is reduced
to its text first (emphasis markers and link targets are not read aloud).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import field_path as field_name
from ..loader import Project
from ..model import COMPARISON_ROWS, Topic
from ..templating import md_plain

FieldPath = tuple[str | int, ...]
PLAIN, CLINICAL = "plain", "clinical"
AUDIENCE = {PLAIN: "patient", CLINICAL: "clinician"}
"""Which audience's reading-grade limit applies to each register."""


@dataclass(frozen=True)
class TextField:
    topic: str
    path: FieldPath
    register: str
    text: str
    prose: bool = True
    """False for headings, titles and labels: shown, but not sentences to grade."""

    @property
    def name(self) -> str:
        return field_name(self.path)


def _both(path: FieldPath, value, prose: bool = True) -> Iterator[tuple]:
    yield path + (PLAIN,), PLAIN, value.plain, prose
    yield path + (CLINICAL,), CLINICAL, value.clinical, prose


def _section(i: int, section) -> Iterator[tuple]:
    yield from _both(("sections", i, "heading"), section.heading, prose=False)
    for register in (PLAIN, CLINICAL):
        for j, text in enumerate(getattr(section, register)):
            yield ("sections", i, register, j), register, text, True


def _process(process) -> Iterator[tuple]:
    yield from _both(("process", "title"), process.title, prose=False)
    for i, step in enumerate(process.steps):
        yield ("process", "steps", i, "label"), PLAIN, step.label, False
        yield from _both(("process", "steps", i), step)


def _raw(topic: Topic) -> Iterator[tuple]:
    yield ("title",), PLAIN, topic.title, False
    yield from _both(("status_text",), topic.status_text)
    yield from _both(("summary",), topic.summary)
    for i, point in enumerate(topic.key_points):
        yield from _both(("key_points", i), point)
    for i, section in enumerate(topic.sections):
        yield from _section(i, section)
    yield from _process(topic.process)
    for i, entry in enumerate(topic.glossary):
        yield ("glossary", i, "definition"), PLAIN, entry.definition, True
    for i, question in enumerate(topic.questions):
        yield ("questions", i), PLAIN, question, True
    for i, view in enumerate(topic.perspectives):
        yield from _both(("perspectives", i), view)
    for name, _label in COMPARISON_ROWS:
        yield ("comparison", name), CLINICAL, getattr(topic.comparison, name), True


def topic_fields(topic: Topic) -> list[TextField]:
    """Every shown text of ``topic`` in reading order, Markdown reduced to text."""
    return [
        TextField(topic.id, path, register, md_plain(text), prose)
        for path, register, text, prose in _raw(topic)
    ]


def all_fields(project: Project) -> list[TextField]:
    return [
        f for topic_id in sorted(project.topics) for f in topic_fields(project.topics[topic_id])
    ]
