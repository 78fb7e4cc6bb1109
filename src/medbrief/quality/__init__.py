"""Quality gates for medical information, as a library: readability, jargon, governance,
print, accessibility and contrast.

:func:`check_content` runs the gates that need only the content (before every build);
:func:`run_checks` also checks the built PDFs and decks in an output folder and returns a
:class:`QualityReport`; :func:`gate_failed` is the pass/fail decision.  Nothing here parses
arguments or prints: ``python build.py check`` is :mod:`medbrief.check_command`.
"""

from __future__ import annotations

from .checks import build_findings, gate_failed, run_checks
from .content import check_content, run_content_checks
from .finding import ERROR, INFO, WARNING, Finding
from .report import QualityReport

__all__ = [
    "ERROR",
    "INFO",
    "WARNING",
    "Finding",
    "QualityReport",
    "build_findings",
    "check_content",
    "gate_failed",
    "run_checks",
    "run_content_checks",
]
