"""Placeholder gate: text that still says ``TODO`` (from ``new topic``) cannot be printed.

Every placeholder in every content file is an error located at its line, so ``check``
lists what is left to write and ``build`` refuses the project until it is written.
"""

from __future__ import annotations

from ..errors import field_path
from ..loader import Project, strings_in
from ..scaffold import PLACEHOLDER, is_placeholder
from .finding import Finding, finding

GATE = "placeholders"


def check(project: Project) -> list[Finding]:
    found = []
    for document in project.documents.values():
        for where, text in strings_in(document.data):
            if is_placeholder(text):
                found.append(
                    finding(
                        GATE,
                        document.locate(where),
                        field_path(where),
                        f"placeholder {text[:60]!r} not written yet",
                        f"replace the {PLACEHOLDER} text with the real content",
                    )
                )
    return found
