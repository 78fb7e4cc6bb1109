"""A strict YAML reader for untrusted content.

Content files are edited by many hands, so the reader is deliberately small:
it builds plain dicts, lists and *strings* from a YAML event stream and
remembers where every value came from.  It never constructs Python objects,
never guesses types (``NO`` stays ``"NO"``, ``1.10`` stays ``"1.10"``; the
typed model converts what it expects), and refuses anchors, aliases, explicit
tags, duplicate keys, multiple documents, oversized files and characters that
have no business in a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from .errors import ContentError, Location, Problem
from .safefile import read_file

MAX_BYTES = 1_000_000
"""Largest content file accepted; real topics are a few kilobytes."""

MAX_DEPTH = 40
"""Deepest nesting accepted; the content model needs fewer than ten levels."""

# C0 controls except tab/newline/CR, DEL, C1 controls, non-characters, lone
# surrogates, and the bidi embedding/override/isolate controls (Trojan Source).
# (medbrief.errors.UNPRINTABLE is the same set plus CR: what messages escape.)
FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed data plus the position of every value, keyed by its path."""

    path: Path
    display: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    """The file's text (for hints that look at what was written, e.g. a ``#`` comment; and to
    locate words inside a multi-line value)."""
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Position of each mapping key (``positions`` holds where its value starts)."""

    def locate(self, where: Path_) -> Location:
        """The closest known position for a field path (1-based line and column)."""
        where = tuple(where)
        while where not in self.positions and where:
            where = where[:-1]
        line, col = self.positions.get(where, (0, 0))
        return Location(self.display, line + 1, col + 1)

    def locate_match(self, where: Path_, pattern: re.Pattern[str]) -> Location:
        """Where ``pattern`` first occurs in the source of the value at ``where``.

        Searches from the value's start to the next value's start, so a phrase in a folded
        scalar is located at its own line and column; falls back to the value's position.
        """
        start = self.locate(where)
        if not self.text or start.line < 1:
            return start
        starts = self._line_starts()
        begin = starts[start.line - 1] + start.col - 1
        later = [
            starts[line] + col
            for line, col in self.positions.values()
            if starts[line] + col > begin
        ]
        m = pattern.search(self.text, begin, min(later, default=len(self.text)))
        if m is None:
            return start
        line = self.text.count("\n", 0, m.start())
        return Location(self.display, line + 1, m.start() - starts[line] + 1)

    def _line_starts(self) -> list[int]:
        starts = [0]
        for m in re.finditer("\n", self.text):
            starts.append(m.end())
        return starts

    def locate_key(self, where: Path_) -> Location:
        """Where the key of a mapping entry is written (its line), else :meth:`locate`."""
        where = tuple(where)
        if where in self.keys:
            line, col = self.keys[where]
            return Location(self.display, line + 1, col + 1)
        return self.locate(where)


def describe_char(ch: str) -> str:
    """A readable name for a forbidden character."""
    names = {"\u202e": "right-to-left override", "\u202d": "left-to-right override"}
    return f"U+{ord(ch):04X}" + (f" ({names[ch]})" if ch in names else "")


def _problem(display: str, line: int, col: int, message: str, hint: str) -> Problem:
    return Problem(Location(display, line, col), "", message, hint)


def _decode(raw: bytes, display: str) -> str:
    if len(raw) > MAX_BYTES:
        raise ContentError(
            [
                _problem(
                    display,
                    1,
                    1,
                    f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                    "split the content into smaller files; a topic is normally a few kilobytes",
                )
            ]
        )
    text = decode_utf8(
        raw, display, "save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
    )
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def decode_utf8(raw: bytes, display: str, hint: str) -> str:
    """``raw`` as UTF-8 text, or a ContentError at the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ContentError(
            [_problem(display, line, col, f"byte 0x{raw[e.start]:02x} is not valid UTF-8", hint)]
        ) from None


def check_text(text: str, display: str, line0: int = 1, col0: int = 1) -> list[Problem]:
    """Problems for every forbidden character in ``text`` (positions relative to a start)."""
    problems = []
    for m in FORBIDDEN_CHARS.finditer(text):
        before = text[: m.start()]
        line = line0 + before.count("\n")
        col = (m.start() - before.rfind("\n")) if "\n" in before else col0 + m.start()
        problems.append(
            _problem(
                display,
                line,
                col,
                f"forbidden character {describe_char(m.group())}",
                "remove it: control, bidi-override and non-characters cannot be printed safely",
            )
        )
    return problems


class _Builder:
    """Turns a YAML event stream into plain data, recording positions."""

    def __init__(self, display: str):
        self.display = display
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def fail(self, ev, message: str, hint: str) -> None:
        mark = ev.start_mark
        raise ContentError([_problem(self.display, mark.line + 1, mark.column + 1, message, hint)])

    def check_event(self, ev) -> None:
        if isinstance(ev, AliasEvent) or getattr(ev, "anchor", None):
            self.fail(
                ev,
                "YAML anchors and aliases are not allowed",
                "write the value out in full where it is needed",
            )
        if getattr(ev, "tag", None):
            self.fail(
                ev,
                f"YAML tag {ev.tag!r} is not allowed",
                "remove the tag; content is plain text, lists and mappings",
            )

    def value(self, events, ev, where: Path_) -> Any:
        self.check_event(ev)
        if len(where) > MAX_DEPTH:
            self.fail(
                ev,
                f"nesting deeper than {MAX_DEPTH} levels",
                "the content model needs only a few levels; flatten the structure",
            )
        self.positions[where] = (ev.start_mark.line, ev.start_mark.column)
        if isinstance(ev, ScalarEvent):
            return self.scalar(ev)
        if isinstance(ev, SequenceStartEvent):
            return self.sequence(events, where)
        if isinstance(ev, MappingStartEvent):
            return self.mapping(events, where)
        self.fail(ev, "unexpected YAML structure", "check the indentation")

    def scalar(self, ev: ScalarEvent) -> str | None:
        plain = not ev.style
        if plain and ev.value in ("", "~", "null", "Null", "NULL"):
            return None
        if not plain:  # quoted scalars may smuggle characters in via escapes
            self.problems += check_text(
                ev.value, self.display, ev.start_mark.line + 1, ev.start_mark.column + 1
            )
        return ev.value

    def sequence(self, events, where: Path_) -> list:
        items = []
        for ev in events:
            if isinstance(ev, SequenceEndEvent):
                return items
            items.append(self.value(events, ev, where + (len(items),)))
        return items

    def mapping(self, events, where: Path_) -> dict:
        result: dict[str, Any] = {}
        for ev in events:
            if isinstance(ev, MappingEndEvent):
                return result
            self.check_event(ev)
            if not isinstance(ev, ScalarEvent) or ev.value is None:
                self.fail(ev, "mapping keys must be plain text", "use `name: value` pairs")
            key = ev.value
            if ev.style:  # a quoted key, like a quoted value, may hold escapes
                bad = check_text(
                    key, self.display, ev.start_mark.line + 1, ev.start_mark.column + 1
                )
                if bad:
                    raise ContentError(bad)
            if key in result:
                first = self.positions[where + (key,)][0] + 1
                self.fail(
                    ev,
                    f"duplicate key {key!r} (first defined on line {first})",
                    "remove one of the two entries",
                )
            key_pos = (ev.start_mark.line, ev.start_mark.column)
            self.keys[where + (key,)] = key_pos
            result[key] = self.value(events, next(events), where + (key,))
            if result[key] is None:  # an empty value has no position of its own: its key's
                self.positions[where + (key,)] = key_pos
            self.positions.setdefault(where + (key,), key_pos)
        return result


def _yaml_error(e: YAMLError, display: str, text: str) -> ContentError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    lines = text.splitlines()
    at = lines[line - 1][col - 1 : col] if line <= len(lines) else ""
    if at and "found character that" in problem:  # libyaml does not say which one
        problem = problem.replace("found character", f"found character {at!r}", 1)
    hint = "check the indentation and quoting near this line"
    if at == "\t" or "tab" in problem.lower():
        hint = "indent with spaces, not tabs"
    return ContentError([_problem(display, line, col, f"YAML syntax error: {problem}", hint)])


def load_yaml(
    path: Path, display: str | None = None, allowed: list[Path] | None = None
) -> Document:
    """Read one content file into a :class:`Document`, or raise :class:`ContentError`.

    The file must be a regular file inside ``allowed`` (default: its own folder); it is
    read through :func:`medbrief.safefile.read_file`, at most ``MAX_BYTES + 1`` bytes.
    """
    display = display or str(path)
    raw = read_file(
        path,
        allowed if allowed is not None else [path.parent],
        MAX_BYTES,
        Location(display, 1, 1),
        kind="content",
    )
    return parse_yaml(raw, path, display)


def parse_yaml(raw: bytes, path: Path, display: str) -> Document:
    """Parse bytes (see :func:`load_yaml`)."""
    text = _decode(raw, display)
    bad = check_text(text.replace("\t", " "), display)
    if bad:
        raise ContentError(bad)
    if not text.strip():
        raise ContentError(
            [_problem(display, 1, 1, "file is empty", "add the content, or delete the file")]
        )
    builder = _Builder(display)
    try:
        data = _build(builder, text)
    except MarkedYAMLError as e:
        raise _yaml_error(e, display, text) from None
    except YAMLError as e:
        raise _yaml_error(e, display, text) from None
    if builder.problems:
        raise ContentError(builder.problems)
    return Document(path, display, data, builder.positions, text, builder.keys)


PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's parser: libyaml's, in C (in PyYAML's wheels), 25 times faster than Python's; a
PyYAML built without libyaml parses the same events in Python.  Only the event stream is
used (a plain scalar's style is ``None`` in Python and ``""`` from libyaml), never a
constructor, so no type is guessed and no object is made."""


def _build(builder: _Builder, text: str) -> Any:
    events = iter(yaml.parse(text, Loader=PARSER))
    data: Any = None
    documents = 0
    for ev in events:
        if isinstance(ev, DocumentStartEvent):
            documents += 1
            if documents > 1:
                builder.fail(
                    ev,
                    "more than one YAML document in the file",
                    "remove the `---` separator; one file holds one document",
                )
            data = builder.value(events, next(events), ())
    return data
