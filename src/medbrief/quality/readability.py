"""Readability gate: Flesch–Kincaid grade (gated) and SMOG (reported) of audience text.

Which text is gated
    Plain-register text is read by patients, so it is gated against
    ``quality.max_grade.patient`` in content/documents.yaml; clinical text is gated
    only if that file sets ``max_grade.clinician`` (it is always measured and reported).
    A grade computed from one short heading or question is noise, so a single field
    is gated only when it has at least two sentences or twelve words.  Each topic's
    whole plain text and each patient handout's full text (read from the built PDF)
    are always gated.  Headings, titles and labels are not prose and are not graded.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Location
from ..loader import Project
from .fields import AUDIENCE, PLAIN, TextField, all_fields
from .finding import Finding, finding
from .textstats import Readability, as_sentence, measure, quote

GATE = "readability"
MIN_SENTENCES = 2
MIN_WORDS = 12
WHOLE_TOPIC = "plain text (whole topic)"


@dataclass(frozen=True)
class Reading:
    """One measured text: a content field, a topic's whole plain text, or a built document."""

    field: str
    """The field path, :data:`WHOLE_TOPIC`, or "" for a built document's full text."""
    location: Location
    audience: str
    result: Readability
    limit: float | None
    gated: bool
    document: str = ""

    @property
    def too_hard(self) -> bool:
        return self.gated and self.limit is not None and self.result.grade > self.limit

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "location": str(self.location),
            "audience": self.audience,
            "document": self.document,
            "limit": self.limit,
            "gated": self.gated,
            **self.result.summary(),
        }


def long_enough(result: Readability) -> bool:
    return len(result.sentences) >= MIN_SENTENCES or result.words >= MIN_WORDS


def limit_for(project: Project, audience: str) -> float | None:
    return project.plan.quality.max_grade.get(audience)


def _field_reading(project: Project, field: TextField) -> Reading:
    audience = AUDIENCE[field.register]
    result = measure(field.text)
    return Reading(
        field.name,
        project.locate(field.topic, field.path),
        audience,
        result,
        limit_for(project, audience),
        long_enough(result),
    )


def _whole_topic(project: Project, topic_id: str, fields: list[TextField]) -> Reading:
    text = " ".join(as_sentence(f.text) for f in fields)
    return Reading(
        WHOLE_TOPIC,
        project.locate(topic_id, ()),
        "patient",
        measure(text),
        limit_for(project, "patient"),
        True,
    )


def content_readings(project: Project) -> list[Reading]:
    """A reading of every prose field, and of each topic's whole plain text."""
    fields = [f for f in all_fields(project) if f.prose]
    readings = [_field_reading(project, f) for f in fields]
    for topic_id in sorted(project.topics):
        plain = [f for f in fields if f.topic == topic_id and f.register == PLAIN]
        readings.append(_whole_topic(project, topic_id, plain))
    return readings


def text_reading(
    document: str, location: Location, audience: str, text: str, limit: float | None
) -> Reading:
    """A reading of a built document's full text (always gated when a limit applies)."""
    return Reading("", location, audience, measure(text), limit, True, document)


def findings(readings: list[Reading]) -> list[Finding]:
    return [_too_hard(r) for r in readings if r.too_hard]


def _too_hard(r: Reading) -> Finding:
    res = r.result
    message = (
        f"reading grade {res.grade:.1f} is above {r.limit:g} for {r.audience} text "
        f"(Flesch–Kincaid; SMOG {res.smog:.1f}; {res.words} words in "
        f"{len(res.sentences)} sentences)"
    )
    hardest = "; ".join(quote(s) for s in res.hardest())
    hint = (
        f"hardest sentences: {hardest}. Use sentences of about 15 words, common words, "
        "and explain medical terms in the glossary"
    )
    return finding(GATE, r.location, r.field, message, hint, document=r.document)
