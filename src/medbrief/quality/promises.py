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


def sample_phone(text: str) -> str | None:
    """A phone number that looks made up: at least 7 digits, the last 7 of them all zero."""
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) >= 7 and set(digits[-7:]) == {"0"}:
            return m.group()
    return None


def sample_contacts(project: Project) -> list[Finding]:
    out = []
    org = project.theme.organisation
    for key in ("contact", "feedback", "website"):
        text = getattr(org, key) or ""
        found = [
            (f"the address “{m.group()}” uses a reserved example domain", m.group())
            for m in _EXAMPLE_DOMAIN.finditer(text)
        ]
        phone = sample_phone(text)
        if phone:
            found.append((f"the phone number “{phone}” is a row of zeros", phone))
        for what, words in found:
            where = project.documents["theme"].locate_match(
                ("organisation", key), re.compile(re.escape(words))
            )
            out.append(
                finding(
                    GATE,
                    where,
                    f"organisation.{key}",
                    f"contact details look like a sample: {what}",
                    "give the organisation's real contact details before any "
                    "handout reaches a patient; a fictional helpline must never "
                    "be printed",
                    WARNING,
                )
            )
    return out
