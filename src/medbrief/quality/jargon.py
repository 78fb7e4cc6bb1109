"""Jargon gate: a medical term in plain-register text needs a glossary entry.

The terms live in ``content/jargon.yaml``, loaded and validated with the rest of the
content (:attr:`medbrief.loader.Project.jargon`)::

    terms:
      - term: oligodendrocyte
      - term: vector
        also: [viral vector]

A term matches as :mod:`medbrief.terms` decides (case-insensitively on word boundaries,
spaces and hyphens alike, plurals accepted) — the rule the handout's glossary uses too.
It is covered when the
topic's glossary lists the term or one of its ``also`` forms (as its ``term`` or in
its own ``also``), or when the occurrence is part of a longer glossary term.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..errors import Location
from ..loader import JARGON_FILE, Project
from ..model import Topic
from ..terms import forms_pattern, term_key
from .fields import PLAIN, TextField, topic_fields
from .finding import WARNING, Finding, finding

GATE = "jargon"


@dataclass(frozen=True)
class Term:
    name: str
    forms: tuple[str, ...]

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return forms_pattern(self.forms)


def load_terms(project: Project) -> tuple[list[Term], list[Finding]]:
    """The project's jargon list, or a finding saying there is none.

    The list itself is content, loaded and validated with the project (an invalid one is a
    located :class:`~medbrief.errors.ContentError`, not a finding).
    """
    if project.jargon is None:
        display = f"content/{JARGON_FILE}"
        return [], [
            finding(
                GATE,
                Location(display),
                "",
                "no jargon list: medical terms in "
                "plain text cannot be checked against the glossary",
                f"add {display} with `terms:` (see README.md, “Quality gates”)",
                WARNING,
            )
        ]
    return [Term(t.term, (t.term, *t.also)) for t in project.jargon.terms], []


def _glossary(topic: Topic) -> tuple[set[str], re.Pattern[str] | None]:
    forms = tuple(f for entry in topic.glossary for f in (entry.term, *entry.also))
    return {term_key(f) for f in forms}, forms_pattern(forms) if forms else None


def _covered(term: Term, keys: set[str], spans: list[tuple[int, int]], m: re.Match) -> bool:
    if any(term_key(f) in keys for f in term.forms):
        return True
    return any(a <= m.start() and m.end() <= b for a, b in spans)


def _field_findings(
    project: Project,
    field: TextField,
    terms: list[Term],
    keys: set[str],
    glossary: re.Pattern[str] | None,
) -> list[Finding]:
    spans = [m.span() for m in glossary.finditer(field.text)] if glossary else []
    out = []
    for term in terms:
        m = term.pattern.search(field.text)
        if m and not _covered(term, keys, spans, m):
            out.append(
                finding(
                    GATE,
                    project.locate(field.topic, field.path),
                    field.name,
                    f"medical term “{m.group()}” has no glossary entry",
                    f"add “{term.name}” to the glossary with a plain definition "
                    "(or list this spelling under `also:`), or use an everyday word",
                )
            )
    return out


def check(project: Project) -> list[Finding]:
    terms, problems = load_terms(project)
    for topic in project.topics.values():
        keys, glossary = _glossary(topic)
        for field in topic_fields(topic):
            if field.register == PLAIN:
                problems += _field_findings(project, field, terms, keys, glossary)
    return problems
