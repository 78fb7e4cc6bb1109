"""Promise gate: wording that reads as a promise, an offer or hype in patient text.

The phrases live in ``content/promises.yaml`` (loaded into :attr:`Project.promises`).  Every
plain-register field of every topic, and the theme's patient-facing text (safety messages and
the patient disclaimer), is searched; each hit is a warning located at the phrase's own
``file:line:col`` with the field path and a hint.  ``--strict`` makes warnings errors.

The theme's contact details are checked here too: a patient must never be given a
fictional helpline, so an ``.example`` address or a phone number of repeated zeros is a
warning.
"""

from __future__ import annotations

import re

from ..errors import Location
from ..loader import PROMISES_FILE, Project
from ..model import PromisePhrase
from ..templating import md_plain
from .fields import PLAIN, topic_fields
from .finding import WARNING, Finding, finding
from .jargon import forms_pattern

GATE = "promises"
HINT = "say what is known, not what is hoped"
THEME_PATIENT_TEXT = (
    ("safety", "keep_treatment"),
    ("safety", "unproven_clinics"),
    ("safety", "find_a_trial"),
    ("disclaimers", "patient"),
)
"""Theme fields a patient reads (every handout prints them)."""


def _pattern(phrase: PromisePhrase) -> re.Pattern[str]:
    return forms_pattern((phrase.phrase, *phrase.also))


def _hint(phrase: PromisePhrase) -> str:
    return f"{HINT}: {phrase.instead}" if phrase.instead else HINT


def _hits(
    project: Project,
    key: str,
    path: tuple,
    name: str,
    text: str,
    phrases: list[tuple[PromisePhrase, re.Pattern[str]]],
) -> list[Finding]:
    out = []
    for phrase, pattern in phrases:
        m = pattern.search(text)
        if m:
            where = project.documents[key].locate_match(path, pattern)
            out.append(
                finding(
                    GATE,
                    where,
                    name,
                    f"“{m.group()}” reads as a promise in patient text",
                    _hint(phrase),
                    WARNING,
                )
            )
    return out


def check(project: Project) -> list[Finding]:
    """Every promise phrase in patient text, plus sample contact details in the theme."""
    if project.promises is None:
        return [
            finding(
                GATE,
                Location(f"content/{PROMISES_FILE}"),
                "",
                "no promise list: patient text cannot be checked for promises",
                f"add content/{PROMISES_FILE} with `phrases:` (see content/README.md)",
                WARNING,
            )
        ]
    phrases = [(p, _pattern(p)) for p in project.promises.phrases]
    out: list[Finding] = []
    for topic in project.topics.values():
        for field in topic_fields(topic):
            if field.register == PLAIN:
                out += _hits(project, topic.id, field.path, field.name, field.text, phrases)
    for path in THEME_PATIENT_TEXT:
        text = md_plain(getattr(getattr(project.theme, path[0]), path[1]))
        out += _hits(project, "theme", path, ".".join(path), text, phrases)
    return out + sample_contacts(project)


# --- sample contact details ---------------------------------------------------------------

_EXAMPLE_DOMAIN = re.compile(r"[\w.-]*\.example\b|\bexample\.(?:com|org|net)\b", re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d \-().]{5,}\d")


_FICTIONAL_PHONE = re.compile(
    r"\b01632\s?960\s?\d{3}\b"  # UK: Ofcom's range for drama (01632 960000-960999)
    r"|\b555[\s.-]?01\d\d\b"  # North America: 555-0100 to 555-0199
)


def sample_phone(text: str) -> str | None:
    """A phone number that looks made up: at least 7 digits with the last 7 all zero, or a
    number from a range reserved for fiction (UK drama numbers, 555-01xx)."""
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) >= 7 and set(digits[-7:]) == {"0"}:
            return m.group()
        if _FICTIONAL_PHONE.search(m.group()):
            return m.group()
    return None


def _samples(text: str) -> list[tuple[str, str]]:
    """(why it looks like a sample, the words) for each sample address or phone in ``text``."""
    found = [
        (f"the address “{m.group()}” uses a reserved example domain", m.group())
        for m in _EXAMPLE_DOMAIN.finditer(text)
    ]
    phone = sample_phone(text)
    if phone:
        why = (
            "is in a range reserved for fiction"
            if _FICTIONAL_PHONE.search(phone)
            else ("is a row of zeros")
        )
        found.append((f"the phone number “{phone}” {why}", phone))
    return found


SAMPLE_HINT = (
    "give the organisation's real contact details before any handout reaches a patient; "
    "a fictional helpline must never be printed"
)


def sample_contacts(project: Project) -> list[Finding]:
    out = []
    org = project.theme.organisation
    for key in ("contact", "feedback", "website"):
        for what, words in _samples(getattr(org, key) or ""):
            where = project.documents["theme"].locate_match(
                ("organisation", key), re.compile(re.escape(words))
            )
            out.append(
                finding(
                    GATE,
                    where,
                    f"organisation.{key}",
                    f"contact details look like a sample: {what}",
                    SAMPLE_HINT,
                    WARNING,
                )
            )
    return out + _sample_sites(project)


def _sample_sites(project: Project) -> list[Finding]:
    """One warning per sites file and column: a batch of 300 sites says it once, with a count
    and the first such cell located."""
    out = []
    for sites in {s.display: s for s in project.sites.values()}.values():
        for column in ("phone", "email", "website"):
            hits = [(site, _samples(getattr(site, column) or "")) for site in sites]
            hits = [(site, found) for site, found in hits if found]
            if not hits:
                continue
            site, [(what, _words), *_] = hits[0]
            line, col = site.locate(column)
            more = f" ({len(hits)} of {len(sites.sites)} sites)" if len(hits) > 1 else ""
            out.append(
                finding(
                    GATE,
                    Location(sites.display, line, col),
                    column,
                    f"site “{site.id}”: contact details look like a sample: {what}{more}",
                    "give each clinic's real contact details in the sites file before any "
                    "handout reaches a patient; a fictional helpline must never be printed",
                    WARNING,
                )
            )
    return out
