"""The page-limit error: where the limit is set, which topic file to cut and by how much.

A document over its ``max_pages`` fails with a message an editor can act on: it points at
the limit (``content/documents.yaml:LINE``, ``max_pages``), names the topic file(s), says
how far over the document runs ("about 40 % of a page") and lists the longest fields the
document shows, each at its ``file:line``.
"""

from __future__ import annotations

from .errors import Location, RenderError
from .jobs import Job
from .loader import Project

REGISTER = {"patient": "plain", "clinician": "clinical"}
"""The register of topic text each audience's documents show (others show both)."""

LONGEST = 3


def overflow(pages: int, limit: int, last_page_fill: float | None) -> str:
    """How far past the limit, in words: "about 40 % of a page", "about 1.5 pages"."""
    if last_page_fill is None:
        extra = pages - limit
        return f"{extra} page{'s' if extra > 1 else ''}"
    amount = pages - limit - 1 + last_page_fill
    if amount >= 0.95:
        return "about 1 page" if amount < 1.05 else f"about {amount:.1f} pages"
    return f"about {max(5, round(amount * 20) * 5)} % of a page"


def _shown(project: Project, job: Job, topic) -> list:
    """The text fields of ``topic`` this document shows, in its audience's register."""
    from .quality.fields import topic_fields

    register = REGISTER.get(job.spec.audience)
    shown = (
        None
        if job.spec.sections is None
        else {i for i, s in enumerate(topic.sections) if s.id in job.spec.sections}
    )
    fields = []
    for f in topic_fields(topic):
        if not f.prose or (register and f.register != register):
            continue
        if f.path[0] == "sections" and shown is not None and f.path[1] not in shown:
            continue
        if f.path[0] == "comparison" and job.spec.audience == "patient":
            continue
        fields.append(f)
    return fields


def longest_fields(project: Project, job: Job, count: int = LONGEST) -> list[str]:
    """``file:line: field (N words)`` for the longest fields the document shows."""
    fields = [
        (len(f.text.split()), topic.id, f)
        for topic in job.topics
        for f in _shown(project, job, topic)
    ]
    fields.sort(key=lambda t: -t[0])
    return [
        f"{project.locate(topic_id, f.path)}: {f.name} ({words} words)"
        for words, topic_id, f in fields[:count]
    ]


def limit_location(project: Project, job: Job) -> Location:
    index = next(i for i, spec in enumerate(project.plan.documents) if spec is job.spec)
    return project.locate("plan", ("documents", index, "max_pages"))


def page_limit_error(
    project: Project, job: Job, pages: int, limit: int, last_page_fill: float | None
) -> RenderError:
    """The located error for a document of ``pages`` pages over its ``limit``."""
    where = limit_location(project, job)
    files = ", ".join(str(project.locate(t.id).path) for t in job.topics)
    how_much = overflow(pages, limit, last_page_fill)
    longest = longest_fields(project, job)
    hint = (
        f"cut {how_much} from {files}"
        + ("; the longest fields it shows:\n      " + "\n      ".join(longest) if longest else "")
        + "\n    or raise max_pages there"
    )
    return RenderError(
        f"{job.output}: {pages} pages, but max_pages here is {limit}: "
        f"{how_much} too long (content: {files})",
        hint=hint,
        location=where,
    )
