"""The checks that need only the content: run before every build and by ``check``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..loader import Project
from . import contrast, governance, jargon, placeholders, promises, readability
from .finding import Finding


@dataclass(frozen=True)
class ContentResults:
    findings: list[Finding]
    readings: list[readability.Reading]
    contrast: list[contrast.Measured]


def run_content_checks(project: Project, today: dt.date) -> ContentResults:
    readings = readability.content_readings(project)
    measured = contrast.measure(project.theme.colours)
    found = (
        placeholders.check(project)
        + readability.findings(readings)
        + jargon.check(project)
        + promises.check(project)
        + governance.check(project, today)
        + contrast.check(project, measured)
    )
    return ContentResults(found, readings, measured)


def check_content(project: Project, today: dt.date) -> list[Finding]:
    """Every content finding: readability, jargon, promises, governance and theme contrast."""
    return run_content_checks(project, today).findings
