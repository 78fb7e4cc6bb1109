"""Which content field a piece of drawn text came from, to point an editor at its line.

Slides, headings and other drawn text are rendered from content through templates; when a
writer has to say something about such text ("this subtitle did not fit"), it names the
field the text came from, ``content/topics/car-t-ms.yaml:20:3: status_text.clinical``.
The text is matched against every field of the project's topics (Markdown reduced to
text, whitespace folded): the field that says exactly this, else the longest field the
text contains (a template may add "CAR-T: " before a heading).
"""

from __future__ import annotations

from .loader import Project

MIN_CONTAINED = 12
"""A field shorter than this is not trusted as the source of a longer text."""


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def field_of(project: Project, text: str) -> str | None:
    """``file:line:col: field`` of the content field that says ``text``, or None."""
    from .quality.fields import topic_fields

    wanted, best = _fold(text), None
    for topic_id in sorted(project.topics):
        for f in topic_fields(project.topics[topic_id]):
            said = _fold(f.text)
            if said == wanted:
                return f"{project.locate(topic_id, f.path)}: {f.name}"
            if (
                len(said) >= MIN_CONTAINED
                and said in wanted
                and (best is None or len(said) > best[0])
            ):
                best = (len(said), f"{project.locate(topic_id, f.path)}: {f.name}")
    plan_title = _fold(project.plan.title)
    if plan_title and plan_title == wanted:
        return f"{project.locate('plan', ('title',))}: title"
    return best[1] if best else None
