"""The one exception tree of medbrief.

Every error a user can cause is a :class:`MedbriefError`.  Each carries where it
happened (file, line, column, field) and a hint saying how to fix it; the CLI
catches them once, at the edge, and prints them without a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
"""Characters that must never reach a terminal raw: C0 controls (tab and newline aside), DEL,
C1 controls, surrogates, non-characters and the bidi embedding/override/isolate controls.
Content refuses them (:data:`medbrief.yamlload.FORBIDDEN_CHARS`); messages escape them."""


def printable(text: str) -> str:
    """``text`` with every unprintable character written as an escape (``\\x1b``), so a
    message quoting hostile content can neither drive the terminal nor hide what it says."""
    return UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


_NAME = re.compile(r"[\w-]+")


def field_path(loc: tuple) -> str:
    """A field path as authors read it: ``sections[2].heading.plain``; a key that is not a
    plain name is quoted, ``layouts['a[b]']``, so it can never pass for an index."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _NAME.fullmatch(str(part)):
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file (relative to the project when possible), 1-based line/col."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One located finding: ``path:line:col: field: message`` plus an optional hint."""

    location: Location
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        head = f"{self.location}: "
        if self.field:
            head += f"{self.field}: "
        text = printable(head + self.message)
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text


def _restore(cls: type, state: dict) -> MedbriefError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class MedbriefError(Exception):
    """Root of every error medbrief reports to a user.

    Errors pickle with their fields (a process pool's workers return them to the parent);
    ``debug`` holds the formatted traceback of an unexpected engine exception, printed only
    under ``--debug``.
    """

    debug: str = ""

    def __init__(self, message: str, *, hint: str = "", location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __reduce__(self):
        return _restore, (type(self), dict(self.__dict__))

    def problems(self) -> list[Problem]:
        loc = self.location or Location("medbrief")
        return [Problem(loc, "", self.message, self.hint)]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems())


class ContentError(MedbriefError):
    """Content, theme or document plan failed validation: carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self._problems = list(problems)
        first = self._problems[0] if self._problems else None
        super().__init__(
            first.message if first else "invalid content",
            hint=first.hint if first else "",
            location=first.location if first else None,
        )

    def problems(self) -> list[Problem]:
        return list(self._problems)


class UsageError(MedbriefError):
    """The command or its environment is wrong (an option, SOURCE_DATE_EPOCH): exit 2."""


class TemplateError(MedbriefError):
    """A template failed to load or render, or emitted markup a writer does not know."""


class FetchError(MedbriefError):
    """A document referred to a resource outside what the fetcher allows."""


class RenderError(MedbriefError):
    """An engine (WeasyPrint, python-pptx) reported a problem while producing a file."""


class SetupError(MedbriefError):
    """This machine lacks something the build needs (``python build.py doctor`` says what)."""


class DamagedOutput(MedbriefError):
    """A built file cannot be read back (truncated, overwritten): it must be rebuilt."""

    HINT = "rebuild it: python build.py (add the usual -d/-t filters to rebuild only it)"

    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: the file is damaged and cannot be read ({why})", hint=self.HINT)
        self.path, self.why = path, why


class OutputError(MedbriefError):
    """An output could not be written (read-only folder, disk full, locked)."""


class DocumentError(RenderError):
    """An unexpected exception while producing one document (a bug, or an input an engine
    could not handle): that document's failure, never the build's."""
