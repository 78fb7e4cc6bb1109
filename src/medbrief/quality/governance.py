"""Governance gate, in the spirit of the UK PIF TICK and the CDC Clear Communication Index.

On content: review dates (a warning within ``quality.review_warning_days`` of the next
review, an error once it has passed), sources that exist, opinions that are labelled,
and a status text that says the status.  On built documents (:func:`check_status`,
:func:`check_handout`): every output prints the status, and every handout opens with its
main message and ends with something the reader can do (the questions box); patient
documents carry the theme's safety messages (:func:`check_safety`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import Location
from ..loader import Project
from ..model import DRAFT, DRAFT_MARK, Topic
from ..templating import long_date, md_plain
from .fields import topic_fields
from .finding import ERROR, INFO, WARNING, Finding, finding

GATE = "governance"
OPINION_MARKERS = (
    "I think",
    "I believe",
    "I feel",
    "we think",
    "we believe",
    "in my view",
    "in my opinion",
    "in our view",
    "in our opinion",
    "tipping point",
    "game changer",
    "game-changer",
    "game-changing",
    "revolutionary",
    "miracle",
    "breakthrough",
    "transformative",
)
_OPINION = re.compile(r"\b(" + "|".join(map(re.escape, OPINION_MARKERS)) + r")\b", re.IGNORECASE)
STATUS_WORDS = {
    "investigational": ("trial", "research", "study", "studies", "not approved"),
    "experimental": ("trial", "research", "study", "studies", "not approved", "experiment"),
    "approved": ("approved",),
}


# --- content ------------------------------------------------------------------


def _review(project: Project, topic: Topic, today: dt.date) -> list[Finding]:
    days = (topic.next_review - today).days
    warn_days = project.plan.quality.review_warning_days
    where = project.locate(topic.id, ("next_review",))
    hint = "review the content against its sources, then update last_reviewed and next_review"
    if days <= 0:
        return [
            finding(
                GATE,
                where,
                "next_review",
                f"next review date {topic.next_review} has passed ({-days} days ago); "
                "the content is out of date",
                hint,
            )
        ]
    if days <= warn_days:
        return [
            finding(
                GATE,
                where,
                "next_review",
                f"next review date {topic.next_review} is in {days} days "
                f"(warning from {warn_days} days before)",
                hint,
                WARNING,
            )
        ]
    return []


def _reviewed(project: Project, topic: Topic, today: dt.date) -> list[Finding]:
    if topic.last_reviewed <= today:
        return []
    return [
        finding(
            GATE,
            project.locate(topic.id, ("last_reviewed",)),
            "last_reviewed",
            f"last reviewed date {topic.last_reviewed} is in the future",
            "write the date the content was actually reviewed",
            WARNING,
        )
    ]


def source_file(project: Project, ref: str) -> Path | None:
    """A source's file, looked for in the project, its content/ and the shared/ beside it."""
    for base in (project.root, project.content_dir, project.root.parent / "shared"):
        path = base / ref
        if path.is_file():
            return path
    return None


def _sources(project: Project, topic: Topic) -> list[Finding]:
    out = []
    for i, source in enumerate(topic.sources):
        if source.file and source_file(project, source.file) is None:
            out.append(
                finding(
                    GATE,
                    project.locate(topic.id, ("sources", i, "file")),
                    f"sources[{i}].file",
                    f"source file {source.file!r} was not found, so it cannot be checked",
                    "keep a copy of each source beside the project (shared/ or content/)",
                    INFO,
                )
            )
    return out


def _opinions(project: Project, topic: Topic) -> list[Finding]:
    out = []
    for field in topic_fields(topic):
        m = _OPINION.search(field.text)
        if m and field.path[0] != "perspectives":
            out.append(
                finding(
                    GATE,
                    project.locate(topic.id, field.path),
                    field.name,
                    f"“{m.group()}” reads as an opinion outside `perspectives`",
                    "move the view into `perspectives` with `whose:` view it is, or state "
                    "the fact plainly",
                    WARNING,
                )
            )
    return out


def _status(project: Project, topic: Topic) -> list[Finding]:
    text = md_plain(topic.status_text.plain).casefold()
    words = STATUS_WORDS[topic.status]
    if any(w in text for w in words):
        return []
    return [
        finding(
            GATE,
            project.locate(topic.id, ("status_text", "plain")),
            "status_text.plain",
            f"status is {topic.status!r} but the plain status text does not say so "
            f"(expected one of: {', '.join(words)})",
            "say it plainly, e.g. “only being tested in a few early studies; it is not "
            "a treatment you can get”",
            WARNING,
        )
    ]


def check(project: Project, today: dt.date) -> list[Finding]:
    out: list[Finding] = []
    for topic in project.topics.values():
        out += _review(project, topic, today) + _reviewed(project, topic, today)
        out += _sources(project, topic) + _opinions(project, topic) + _status(project, topic)
    return out


# --- built documents ------------------------------------------------------------


def letters(text: str) -> str:
    """Text reduced to lower-case letters and digits, to compare across line breaks."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _missing(
    where: Location, document: str, what: str, hint: str, severity: str = ERROR
) -> Finding:
    return finding(GATE, where, "", f"does not show {what}", hint, severity, document)


def check_status(
    text: str, topics: list[Topic], handout: bool, where: Location, document: str
) -> list[Finding]:
    """Every output prints each topic's status: the plain text (handouts) or the word."""
    flat, out = letters(text), []
    for t in topics:
        wanted = md_plain(t.status_text.plain) if handout else t.status
        if letters(wanted) not in flat:
            out.append(
                _missing(
                    where,
                    document,
                    f"the status of {t.id} (“{wanted}”)",
                    "print the topic's status_text (handouts) or status",
                )
            )
    return out


def check_main_message(
    first_page: str, topic: Topic, where: Location, document: str
) -> list[Finding]:
    """Main message first: the summary on page 1, before the first section."""
    out = []
    first = letters(first_page)
    summary = letters(md_plain(topic.summary.plain))[:80]
    heading = letters(md_plain(topic.sections[0].heading.plain))
    if summary not in first or (heading in first and first.find(summary) > first.find(heading)):
        out.append(
            finding(
                GATE,
                where,
                "",
                "does not open with its main message: the summary "
                "must be on page 1, before the first section",
                "put the summary at the top of the handout",
                ERROR,
                document,
            )
        )
    return out


def check_call_to_action(
    text: str, call_to_action: str | None, where: Location, document: str
) -> list[Finding]:
    """Something the reader can do: the element the template marks ``call-to-action``."""
    if not call_to_action:
        return [
            _missing(
                where,
                document,
                "a call to action: its template marks none",
                'mark the heading of the questions box data-check="call-to-action"',
            )
        ]
    if letters(call_to_action) not in letters(text):
        return [
            _missing(
                where,
                document,
                f"a call to action (the “{call_to_action}” box)",
                "include the questions box",
            )
        ]
    return []


def check_handout(
    first_page: str,
    text: str,
    topic: Topic,
    where: Location,
    document: str,
    call_to_action: str | None,
) -> list[Finding]:
    """Main message first (summary on page 1, before the first section) and a call to action."""
    return check_main_message(first_page, topic, where, document) + check_call_to_action(
        text, call_to_action, where, document
    )


def check_draft_marks(
    pages: list[str], approval: str, where: Location, document: str
) -> list[Finding]:
    """A draft shows the draft mark on every page; an approved document on none."""
    mark = letters(DRAFT_MARK)
    out = []
    for number, page in enumerate(pages, 1):
        shown = mark in letters(page)
        if approval == DRAFT and not shown:
            out.append(
                finding(
                    GATE,
                    where,
                    "",
                    f"page {number} does not show the draft mark "
                    f"(“{DRAFT_MARK}”), but the document is a draft",
                    "draft documents carry the band on every page (templates/base.html.j2)",
                    ERROR,
                    document,
                )
            )
        elif approval != DRAFT and shown:
            out.append(
                finding(
                    GATE,
                    where,
                    "",
                    f"page {number} shows the draft mark, but "
                    "every topic of the document is approved",
                    "remove the mark from the template for approved documents",
                    ERROR,
                    document,
                )
            )
    return out


def check_safety(
    first_page: str, text: str, safety, where: Location, document: str
) -> list[Finding]:
    """The organisation's safety messages: "keep your treatment" on page 1, the rest anywhere."""
    out = []
    if letters(md_plain(safety.keep_treatment)) not in letters(first_page):
        out.append(
            finding(
                GATE,
                where,
                "",
                f"does not show the safety message “{md_plain(safety.keep_treatment)}” on page 1",
                "print theme.yaml safety.keep_treatment next to the main message",
                ERROR,
                document,
            )
        )
    flat = letters(text)
    for key, what in (
        ("unproven_clinics", "the warning about clinics that sell unproven treatments"),
        ("find_a_trial", "how to find a clinical trial"),
    ):
        if letters(md_plain(getattr(safety, key))) not in flat:
            out.append(
                _missing(
                    where,
                    document,
                    f"{what} (theme.yaml safety.{key})",
                    "print the theme's safety messages on every patient handout",
                )
            )
    return out


def _artefacts(
    project: Project, topics: list[Topic], audience: str
) -> list[tuple[str, tuple[str, ...]]]:
    org = project.theme.organisation
    disclaimer = project.theme.disclaimers.for_audience(audience)
    wanted = [
        ("the organisation's name", (org.name,)),
        (f"the {audience} disclaimer", (md_plain(disclaimer),)),
        ("how to give feedback", (org.feedback,)),
    ]
    for t in topics:
        wanted += [
            (
                f"{t.id}'s last reviewed date",
                (long_date(t.last_reviewed), t.last_reviewed.isoformat()),
            ),
            (f"{t.id}'s next review date", (long_date(t.next_review), t.next_review.isoformat())),
            (f"{t.id}'s version", (f"version {t.version}", f"v{t.version}")),
            *[(f"{t.id}'s source “{s.title}”", (s.title,)) for s in t.sources],
        ]
    return wanted


def check_artefacts(
    text: str,
    project: Project,
    topics: list[Topic],
    where: Location,
    document: str,
    audience: str = "patient",
) -> list[Finding]:
    """PIF TICK artefacts: organisation, review dates, version, sources, disclaimer, feedback.

    Each audience has its own disclaimer; printing another audience's is an error (a
    patient's disclaimer on a clinician summary talks to the wrong reader).
    """
    flat = letters(text)
    found = [
        _missing(where, document, what, "add it to the template (footer or end matter)", WARNING)
        for what, forms in _artefacts(project, topics, audience)
        if not any(letters(f) in flat for f in forms)
    ]
    disclaimers = project.theme.disclaimers
    for other in ("patient", "clinician", "organisation", "speaker"):
        text_of = letters(md_plain(disclaimers.for_audience(other)))
        if (
            other != audience
            and text_of != letters(md_plain(disclaimers.for_audience(audience)))
            and text_of in flat
        ):
            found.append(
                finding(
                    GATE,
                    where,
                    "",
                    f"prints the {other} disclaimer, but its audience is {audience}",
                    f"print the {audience} disclaimer (theme.yaml disclaimers.{audience})",
                    ERROR,
                    document,
                )
            )
    return found
