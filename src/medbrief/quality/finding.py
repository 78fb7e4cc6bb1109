"""A quality finding: a located :class:`~medbrief.errors.Problem` with a gate and a severity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Location, Problem

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding(Problem):
    """One result of a gate: ``file:line:col: field: message`` plus hint, gate and document.

    ``document`` is the output path (relative to the output folder) for findings about a
    built file, and empty for findings about content.
    """

    gate: str = ""
    document: str = ""

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "severity": self.severity,
            "gate": self.gate,
            "document": self.document,
            "file": loc.path,
            "line": loc.line,
            "column": loc.col,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def finding(
    gate: str,
    location: Location,
    field: str,
    message: str,
    hint: str = "",
    severity: str = ERROR,
    document: str = "",
) -> Finding:
    """Keyword-light constructor used by every gate."""
    return Finding(location, field, message, hint, severity, gate, document)


def counts(findings: Iterable[Finding]) -> Counter[str]:
    """How many findings of each severity."""
    return Counter(f.severity for f in findings)


def failed(findings: Iterable[Finding], strict: bool = False) -> bool:
    """True when any finding is an error (or a warning, with ``strict``)."""
    bad = {ERROR, WARNING} if strict else {ERROR}
    return any(f.severity in bad for f in findings)
