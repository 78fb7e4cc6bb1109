"""Does this text use this term?  One answer, for the handout's glossary and the jargon gate.

A term matches case-insensitively, as a whole word or phrase: spaces and hyphens inside it
are interchangeable ("T cell", "T-cell") and a plural ``s``/``es`` is accepted ("T cells").
:mod:`medbrief.pipeline` prints a glossary entry when the document uses it, and
:mod:`medbrief.quality.jargon` counts a medical term as explained when the glossary has it —
with the same rule, so a term the gate accepts as covered is also defined in the handout.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

SEPARATORS = r"[\s\-‐‑]+"
"""Spaces, hyphens, and the Unicode hyphen and non-breaking hyphen: all alike inside a term."""


def term_key(text: str) -> str:
    """Comparison key of a term: case, spacing, hyphens and a plural s do not matter."""
    key = " ".join(re.split(SEPARATORS, text.casefold().strip()))
    return key[:-1] if len(key) > 3 and key.endswith("s") else key


@functools.lru_cache(maxsize=4096)
def forms_pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern matching any of ``forms`` (longest first) as this module's rule says."""
    alternatives = sorted(forms, key=len, reverse=True)
    bodies = [
        SEPARATORS.join(map(re.escape, re.split(SEPARATORS, f.strip()))) for f in alternatives
    ]
    return re.compile(r"(?<![\w\-‐‑])(?:" + "|".join(bodies) + r")(?:e?s)?(?!\w)", re.IGNORECASE)


def uses_term(text: str, forms: Iterable[str]) -> bool:
    """Whether ``text`` uses the term written any of ``forms`` (its name and ``also``)."""
    forms = tuple(f for f in forms if f.strip())
    return bool(forms) and forms_pattern(forms).search(text) is not None
