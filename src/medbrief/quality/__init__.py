"""Quality gates for medical information: readability, jargon, governance, print,
accessibility and contrast.

:func:`check_content` runs the gates that need only the content (before every
build); :func:`run_quality_command` is ``python build.py check``, which also
checks the built PDFs and decks and writes ``quality-report.json`` and
``quality-report.html`` into the output folder.
"""

from __future__ import annotations

from .command import content_gate, run_checks, run_quality_command
from .content import check_content, run_content_checks
from .finding import ERROR, INFO, WARNING, Finding

__all__ = ["ERROR", "INFO", "WARNING", "Finding", "check_content", "content_gate",
           "run_checks", "run_content_checks", "run_quality_command"]
